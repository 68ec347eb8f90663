"""The REST resources of Membership under /api/v1/ (flask-smorest, in the OpenAPI document
while the component is enabled): membership-types, membership-statuses, memberships.

The request bodies go as they came to the services, which validate them with the same schemas as
the forms (``load_input``): a bad field answers 422 with ``errors`` by field, and nothing is
written.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from amicale.api_for_plugins import (
    PageArgs,
    apikit,
    current_user,
    permission_required,
    session,
)

from . import services
from .schemas import (
    CancelSchema,
    ChangeTypeSchema,
    JoinSchema,
    MembershipListArgs,
    MembershipPage,
    MembershipSchema,
    MembershipStatusPage,
    MembershipStatusSchema,
    MembershipTypeListArgs,
    MembershipTypePage,
    MembershipTypeSchema,
    OverrideSchema,
    RenewSchema,
)

VIEW, EDIT, ADMINISTER = "view_memberships", "edit_memberships", "administer_memberships"

types = Blueprint(
    "membership-types",
    __name__,
    url_prefix="/membership-types",
    description="Membership types: fee, duration, rolling or fixed periods, inheritance",
)
statuses = Blueprint(
    "membership-statuses",
    __name__,
    url_prefix="/membership-statuses",
    description="Membership statuses and the rules that compute them from the dates",
)
memberships = Blueprint(
    "memberships",
    __name__,
    url_prefix="/memberships",
    description="Memberships of contacts: join, renew, change the type, cancel, override",
)


_body = apikit.json_body
_doc = apikit.body_doc
_page = apikit.page_of


def _user_id() -> int | None:
    return getattr(current_user, "id", None)


def _one(membership) -> dict:
    return services.represent(session(), [membership])[0]


# -- types -----------------------------------------------------------------------------------------


@types.route("")
class Types(MethodView):
    @permission_required(VIEW)
    @types.arguments(MembershipTypeListArgs, location="query")
    @types.response(200, MembershipTypePage)
    def get(self, args):
        """Membership types in the admin's order."""
        rows, total = services.list_types(
            session(), active=args["active"], page=args["page"], page_size=args["page_size"]
        )
        return _page(rows, total, args)

    @permission_required(ADMINISTER)
    @types.doc(**_doc(MembershipTypeSchema))
    @types.response(201, MembershipTypeSchema)
    def post(self):
        """Create a membership type."""
        s = session()
        mtype = services.create_type(s, _body())
        s.commit()
        return mtype


@types.route("/<int:type_id>")
class Type(MethodView):
    @permission_required(VIEW)
    @types.response(200, MembershipTypeSchema)
    def get(self, type_id: int):
        """One membership type."""
        return services.get_type(session(), type_id)

    @permission_required(ADMINISTER)
    @types.doc(**_doc(MembershipTypeSchema))
    @types.response(200, MembershipTypeSchema)
    def patch(self, type_id: int):
        """Change some fields of a type (``is_active: false`` to stop offering it)."""
        s = session()
        mtype = services.update_type(s, type_id, _body())
        s.commit()
        return mtype

    @permission_required(ADMINISTER)
    @types.response(204)
    def delete(self, type_id: int):
        """Delete a type nobody has (409 when in use: deactivate it instead)."""
        s = session()
        services.delete_type(s, type_id)
        s.commit()


# -- statuses --------------------------------------------------------------------------------------


@statuses.route("")
class Statuses(MethodView):
    @permission_required(VIEW)
    @statuses.arguments(PageArgs, location="query")
    @statuses.response(200, MembershipStatusPage)
    def get(self, args):
        """The statuses, in the order their rules are tried."""
        rows = services.list_statuses(session())
        start = (args["page"] - 1) * args["page_size"]
        return _page(rows[start : start + args["page_size"]], len(rows), args)

    @permission_required(ADMINISTER)
    @statuses.doc(**_doc(MembershipStatusSchema))
    @statuses.response(201, MembershipStatusSchema)
    def post(self):
        """Create a status and its rule."""
        s = session()
        status = services.create_status(s, _body())
        s.commit()
        return status


@statuses.route("/<int:status_id>")
class Status(MethodView):
    @permission_required(VIEW)
    @statuses.response(200, MembershipStatusSchema)
    def get(self, status_id: int):
        """One status and its rule."""
        return services.get_status(session(), status_id)

    @permission_required(ADMINISTER)
    @statuses.doc(**_doc(MembershipStatusSchema))
    @statuses.response(200, MembershipStatusSchema)
    def patch(self, status_id: int):
        """Change a status's rule (the seeded ones keep their name and kind)."""
        s = session()
        status = services.update_status(s, status_id, _body())
        s.commit()
        return status


# -- memberships -----------------------------------------------------------------------------------


@memberships.route("")
class Memberships(MethodView):
    @permission_required(VIEW)
    @memberships.arguments(MembershipListArgs, location="query")
    @memberships.response(200, MembershipPage)
    def get(self, args):
        """Memberships, newest first; filters: ``contact_id``, ``status`` and ``type`` (names),
        ``end_date_from``/``end_date_to``."""
        s = session()
        rows, total = services.list_memberships(
            s,
            contact_id=args["contact_id"],
            status=args["status"],
            type_name=args["type"],
            end_date_from=args["end_date_from"],
            end_date_to=args["end_date_to"],
            page=args["page"],
            page_size=args["page_size"],
        )
        return _page(services.represent(s, rows), total, args)

    @permission_required(EDIT)
    @memberships.doc(**_doc(JoinSchema))
    @memberships.response(201, MembershipSchema)
    def post(self):
        """A contact joins (the dates and status come from the type and the rules unless
        given)."""
        s = session()
        membership = services.join(s, _body(), user_id=_user_id())
        s.commit()
        return _one(membership)


@memberships.route("/<int:membership_id>")
class OneMembership(MethodView):
    @permission_required(VIEW)
    @memberships.response(200, MembershipSchema)
    def get(self, membership_id: int):
        """One membership."""
        return _one(services.get_membership(session(), membership_id))


def _action(call, membership_id: int, optional: bool) -> dict:
    s = session()
    membership = call(s, membership_id, _body(optional), user_id=_user_id())
    s.commit()
    return _one(membership)


@memberships.route("/<int:membership_id>/renew")
class Renew(MethodView):
    @permission_required(EDIT)
    @memberships.doc(**_doc(RenewSchema))
    @memberships.response(200, MembershipSchema)
    def post(self, membership_id: int):
        """Renew for one period: from the end date while still a current member (New, Current,
        Grace), from today once lapsed."""
        return _action(services.renew, membership_id, True)


@memberships.route("/<int:membership_id>/cancel")
class Cancel(MethodView):
    @permission_required(EDIT)
    @memberships.doc(**_doc(CancelSchema))
    @memberships.response(200, MembershipSchema)
    def post(self, membership_id: int):
        """Cancel (status Cancelled; the inherited memberships follow)."""
        return _action(services.cancel, membership_id, True)


@memberships.route("/<int:membership_id>/change-type")
class ChangeType(MethodView):
    @permission_required(EDIT)
    @memberships.doc(**_doc(ChangeTypeSchema))
    @memberships.response(200, MembershipSchema)
    def post(self, membership_id: int):
        """Move to another type; the dates stay."""
        return _action(services.change_type, membership_id, False)


@memberships.route("/<int:membership_id>/override")
class Override(MethodView):
    @permission_required(EDIT)
    @memberships.doc(**_doc(OverrideSchema))
    @memberships.response(200, MembershipSchema)
    def post(self, membership_id: int):
        """Set the status by hand, with a reason, until an optional end date."""
        return _action(services.override_status, membership_id, False)
