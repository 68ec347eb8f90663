"""Group pages: the list with member counts, a group's page (members, add by name, remove, the
latest changes), the group form, and the Groups tab of a contact's page (its groups, their
history, add to a group, remove from one), without JavaScript."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import permission_required
from ..contacts.models import Contact
from ..db import session
from ..errors import DomainError, NotFound
from . import services
from .models import GROUP_TYPES, SMART, VISIBILITIES, Group

bp = Blueprint("groups", __name__, template_folder="templates")

PAGE_SIZE = 25


def _errors(exc: DomainError) -> dict[str, list[str]]:
    return exc.errors or {"": [exc.message]}


# -- list and form -------------------------------------------------------------------------------


@bp.route("/groups")
@permission_required("view_contacts")
def index():
    s = session()
    show_inactive = request.args.get("inactive") == "1"
    groups = services.list_groups(s, is_active=None if show_inactive else True)
    return render_template(
        "groups/index.html",
        groups=groups,
        counts=services.member_counts(s, groups),
        show_inactive=show_inactive,
    )


def _form_data(form, group: Group | None) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The form's values as the service takes them, and the errors of what cannot be read."""
    data: dict[str, Any] = {
        "title": form.get("title", ""),
        "description": form.get("description", ""),
        "is_mailing_list": form.get("is_mailing_list") == "1",
        "is_active": form.get("is_active") == "1",
        "visibility": form.get("visibility") or VISIBILITIES[0],
    }
    name = (form.get("name") or "").strip()
    if name or group is not None:
        data["name"] = name or (group.name if group else "")
    if group is None:
        data["group_type"] = form.get("group_type") or "static"
    is_smart = (group.group_type if group else data["group_type"]) == SMART
    errors: dict[str, list[str]] = {}
    if is_smart:
        raw = (form.get("criteria") or "").strip()
        try:
            data["criteria"] = json.loads(raw) if raw else None
        except ValueError:
            errors["criteria"] = [
                _('Write the criteria as JSON, e.g. {"city": "Lyon", "tag": [3]}.')
            ]
    return data, errors


def _form(group: Group | None, values, errors, status=200):
    return render_template(
        "groups/form.html",
        group=group,
        values=values,
        errors=errors,
        group_types=GROUP_TYPES,
        visibilities=VISIBILITIES,
    ), status


@bp.route("/groups/new", methods=["GET", "POST"])
@permission_required("edit_contacts")
def new():
    if request.method == "GET":
        return _form(None, {"is_active": "1", "group_type": "static"}, {})
    s = session()
    data, errors = _form_data(request.form, None)
    if not errors:
        try:
            group = services.create_group(s, data, user_id=current_user.id)
            s.commit()
            flash(_("The group %(title)s is created.", title=group.title), "success")
            return redirect(url_for("groups.view", group_id=group.id))
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
    return _form(None, request.form, errors, 422)


@bp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
@permission_required("edit_contacts")
def edit(group_id: int):
    s = session()
    group = services.get_group(s, group_id)
    if request.method == "GET":
        values = {
            "title": group.title,
            "name": group.name,
            "description": group.description or "",
            "is_mailing_list": "1" if group.is_mailing_list else "",
            "is_active": "1" if group.is_active else "",
            "visibility": group.visibility,
            "criteria": json.dumps(group.criteria, ensure_ascii=False) if group.criteria else "",
        }
        return _form(group, values, {})
    data, errors = _form_data(request.form, group)
    if not errors:
        try:
            services.update_group(s, group_id, data)
            s.commit()
            flash(_("The group %(title)s is saved.", title=group.title), "success")
            return redirect(url_for("groups.view", group_id=group_id))
        except DomainError as exc:
            s.rollback()
            group = services.get_group(s, group_id)
            errors = _errors(exc)
    return _form(group, request.form, errors, 422)


@bp.route("/groups/<int:group_id>/delete", methods=["POST"])
@permission_required("edit_contacts")
def delete(group_id: int):
    s = session()
    group = services.get_group(s, group_id)
    title = group.title
    try:
        services.delete_group(s, group_id)
        s.commit()
    except DomainError as exc:
        s.rollback()
        flash(exc.message, "error")
        return redirect(url_for("groups.view", group_id=group_id))
    flash(_("The group %(title)s is deleted.", title=title), "success")
    return redirect(url_for("groups.index"))


# -- a group's page ------------------------------------------------------------------------------


def _group_page(group_id: int, *, errors=None, values=None, candidates=None, status=200):
    s = session()
    group = services.get_group(s, group_id)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    error = None
    try:
        members, total = services.list_members(s, group, page=page, page_size=PAGE_SIZE)
    except DomainError as exc:  # a smart group whose search no longer works
        members, total, error = [], 0, exc.message
    return render_template(
        "groups/view.html",
        group=group,
        members=members,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        history=services.group_history(s, group_id),
        criteria_text=json.dumps(group.criteria, ensure_ascii=False) if group.criteria else "",
        error=error,
        errors=errors or {},
        values=values or {},
        candidates=candidates,
    ), status


@bp.route("/groups/<int:group_id>")
@permission_required("view_contacts")
def view(group_id: int):
    return _group_page(group_id)


@bp.route("/groups/<int:group_id>/add", methods=["POST"])
@permission_required("edit_contacts")
def add_member(group_id: int):
    """Add a contact found by name (a list to choose from when several match)."""
    from ..contacts.search import quick_search

    s = session()
    group = services.get_group(s, group_id)
    values = request.form.to_dict(flat=True)
    chosen = request.form.get("contact_id", "")
    if not chosen.isdigit():
        q = (request.form.get("name") or "").strip()
        if not q:
            return _group_page(
                group_id,
                values=values,
                status=422,
                errors={"name": [_("Type the name of the contact to add.")]},
            )
        matches = quick_search(s, q, limit=30)
        if not matches:
            return _group_page(
                group_id,
                values=values,
                status=422,
                errors={"name": [_("No contact matches “%(q)s”.", q=q)]},
            )
        if len(matches) > 1:
            return _group_page(group_id, values=values, candidates=matches)
        chosen = str(matches[0].id)
    contact = s.get(Contact, int(chosen))
    if contact is None:
        raise NotFound(_("No contact with the number %(id)s.", id=chosen))
    try:
        changed = services.add_contacts(s, group_id, [contact.id], user_id=current_user.id)
        s.commit()
    except DomainError as exc:
        s.rollback()
        return _group_page(group_id, values=values, errors=_errors(exc), status=422)
    if changed:
        flash(
            _("%(name)s is added to %(group)s.", name=contact.display_name, group=group.title),
            "success",
        )
    else:
        flash(
            _("%(name)s is already in %(group)s.", name=contact.display_name, group=group.title),
            "info",
        )
    return redirect(url_for("groups.view", group_id=group_id))


@bp.route("/groups/<int:group_id>/remove", methods=["POST"])
@permission_required("edit_contacts")
def remove_members(group_id: int):
    """Remove the ticked members."""
    s = session()
    services.get_group(s, group_id)
    ids = [int(i) for i in request.form.getlist("contact_ids") if i.isdigit()]
    if not ids:
        flash(_("Select at least one contact."), "error")
        return redirect(url_for("groups.view", group_id=group_id))
    try:
        changed = services.remove_contacts(s, group_id, ids, user_id=current_user.id)
        s.commit()
    except DomainError as exc:
        s.rollback()
        flash(exc.message, "error")
        return redirect(url_for("groups.view", group_id=group_id))
    flash(_("%(n)d contacts removed from the group.", n=changed), "success")
    return redirect(url_for("groups.view", group_id=group_id, page=request.form.get("page", 1)))


# -- the contact's tab ---------------------------------------------------------------------------


def _tab(contact_id: int, *, errors=None, status=200):
    from ..contacts.views import contact_page_context

    s = session()
    context = contact_page_context(contact_id, active_tab="groups")
    memberships = services.contact_groups(s, contact_id)
    member_of = {cg.group.id for cg in memberships if cg.status in ("Added", "Smart")}
    choices = [g for g in services.list_groups(s, is_active=True) if g.id not in member_of]
    return render_template(
        "groups/contact_tab.html",
        memberships=memberships,
        history=services.contact_history(s, contact_id),
        choices=choices,
        errors=errors or {},
        **context,
    ), status


@bp.route("/contacts/<int:contact_id>/groups")
@permission_required("view_contacts")
def contact_tab(contact_id: int):
    return _tab(contact_id)


@bp.route("/contacts/<int:contact_id>/groups/add", methods=["POST"])
@permission_required("edit_contacts")
def contact_add(contact_id: int):
    s = session()
    if s.get(Contact, contact_id) is None:
        raise NotFound(_("No contact with the number %(id)s.", id=contact_id))
    group_id = request.form.get("group_id", "")
    if not group_id.isdigit() or s.get(Group, int(group_id)) is None:
        return _tab(contact_id, status=422, errors={"group_id": [_("Choose a group.")]})
    group = s.get(Group, int(group_id))
    try:
        changed = services.add_contacts(s, group.id, [contact_id], user_id=current_user.id)
        s.commit()
    except DomainError as exc:
        s.rollback()
        return _tab(contact_id, status=422, errors=_errors(exc))
    if changed:
        flash(_("Added to %(group)s.", group=group.title), "success")
    else:
        flash(_("Already in %(group)s.", group=group.title), "info")
    return redirect(url_for("groups.contact_tab", contact_id=contact_id))


@bp.route("/contacts/<int:contact_id>/groups/<int:group_id>/remove", methods=["POST"])
@permission_required("edit_contacts")
def contact_remove(contact_id: int, group_id: int):
    s = session()
    if s.get(Contact, contact_id) is None:
        raise NotFound(_("No contact with the number %(id)s.", id=contact_id))
    group = services.get_group(s, group_id)
    changed = services.remove_contacts(s, group_id, [contact_id], user_id=current_user.id)
    s.commit()
    if changed:
        flash(_("Removed from %(group)s.", group=group.title), "success")
    else:
        flash(_("Not a member of %(group)s.", group=group.title), "info")
    return redirect(url_for("groups.contact_tab", contact_id=contact_id))
