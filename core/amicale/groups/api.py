"""API: groups (``/api/v1/groups``) and their members (``/api/v1/groups/{id}/contacts``)."""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint

from ..accounts.permissions import permission_required
from ..api.pagination import page_of
from ..contacts.models import Contact
from ..db import session
from ..errors import NotFound
from . import services
from .schemas import (
    GroupListArgs,
    GroupPageSchema,
    GroupPatchSchema,
    GroupSchema,
    MemberChangeResultSchema,
    MemberChangeSchema,
    MemberListArgs,
    MemberPageSchema,
)

blp = Blueprint(
    "groups",
    __name__,
    url_prefix="/groups",
    description="Groups of contacts: static, smart (a saved search) and mailing lists",
)


def _shown(s, groups):
    counts = services.member_counts(s, groups)
    out = []
    for g in groups:
        item = g.model_dump()
        item["member_count"] = counts.get(g.id)
        out.append(item)
    return out


@blp.route("")
class Groups(MethodView):
    @permission_required("view_contacts")
    @blp.arguments(GroupListArgs, location="query")
    @blp.response(200, GroupPageSchema)
    def get(self, args: dict):
        """Groups by title, with their member counts (a smart group's search runs)."""
        s = session()
        groups = services.list_groups(
            s,
            is_active=args["is_active"],
            group_type=args["group_type"],
            is_mailing_list=args["is_mailing_list"],
            q=args["q"],
        )
        result = page_of(groups, args)
        result["items"] = _shown(s, result["items"])
        return result

    @permission_required("edit_contacts")
    @blp.arguments(GroupSchema)
    @blp.response(201, GroupSchema)
    def post(self, data: dict):
        """Create a group; a smart group needs ``criteria`` (the advanced search's, e.g.
        ``{"city": "Lyon", "tag": [3]}``)."""
        s = session()
        group = services.create_group(s, data, user_id=current_user.id)
        s.commit()
        return _shown(s, [group])[0]


@blp.route("/<int:group_id>")
class GroupResource(MethodView):
    @permission_required("view_contacts")
    @blp.response(200, GroupSchema)
    def get(self, group_id: int):
        """One group, with its member count."""
        s = session()
        return _shown(s, [services.get_group(s, group_id)])[0]

    @permission_required("edit_contacts")
    @blp.arguments(GroupPatchSchema)
    @blp.response(200, GroupSchema)
    def patch(self, data: dict, group_id: int):
        """Change the title, name, description, criteria (smart groups), mailing list flag,
        visibility or ``is_active``."""
        s = session()
        group = services.update_group(s, group_id, data)
        s.commit()
        return _shown(s, [group])[0]

    @permission_required("edit_contacts")
    @blp.response(204)
    def delete(self, group_id: int):
        """Delete a group and its membership history (refused while a smart group uses it)."""
        s = session()
        services.delete_group(s, group_id)
        s.commit()


@blp.route("/<int:group_id>/contacts")
class GroupMembers(MethodView):
    @permission_required("view_contacts")
    @blp.arguments(MemberListArgs, location="query")
    @blp.response(200, MemberPageSchema)
    def get(self, args: dict, group_id: int):
        """The members by sort name (contacts in the trash left out)."""
        s = session()
        group = services.get_group(s, group_id)
        members, total = services.list_members(
            s, group, page=args["page"], page_size=args["page_size"]
        )
        return {
            "items": members,
            "total": total,
            "page": args["page"],
            "page_size": args["page_size"],
        }

    @permission_required("edit_contacts")
    @blp.arguments(MemberChangeSchema)
    @blp.response(200, MemberChangeResultSchema)
    def post(self, data: dict, group_id: int):
        """Add contacts: ``{"contact_ids": [1, 2, 3]}``. Those already members are left alone;
        ``changed`` says how many were added."""
        return _change(services.add_contacts, group_id, data)

    @permission_required("edit_contacts")
    @blp.arguments(MemberChangeSchema)
    @blp.response(200, MemberChangeResultSchema)
    def delete(self, data: dict, group_id: int):
        """Remove contacts: ``{"contact_ids": [1, 2, 3]}``; ``changed`` says how many were
        members and are removed."""
        return _change(services.remove_contacts, group_id, data)


def _change(action, group_id: int, data: dict) -> dict:
    s = session()
    changed = action(
        s,
        group_id,
        data["contact_ids"],
        user_id=current_user.id,
        method=data["method"],
        tracking=data["tracking"],
    )
    s.commit()
    group = services.get_group(s, group_id)
    return {"changed": changed, "member_count": services.member_count(s, group)}


@blp.route("/<int:group_id>/contacts/<int:contact_id>")
class GroupMember(MethodView):
    @permission_required("edit_contacts")
    @blp.response(204)
    def delete(self, group_id: int, contact_id: int):
        """Remove one contact from the group (nothing happens if they are not a member)."""
        s = session()
        if s.get(Contact, contact_id) is None:
            raise NotFound(str(_l("No contact with the number %(id)s.", id=contact_id)))
        services.remove_contacts(s, group_id, [contact_id], user_id=current_user.id, method="API")
        s.commit()
