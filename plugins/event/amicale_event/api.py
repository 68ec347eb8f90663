"""The REST resources of Events under /api/v1/ (flask-smorest, in the OpenAPI document while
the component is enabled): event-types, events, participants.

The request bodies go as they came to the services, which validate them with the same schemas as
the forms (``load_input``): a bad field answers 422 with ``errors`` by field, a full event
without waitlist 409, and nothing is written.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from amicale.api_for_plugins import (
    ValidationError,
    apikit,
    current_user,
    gettext,
    permission_required,
    session,
)

from . import mail, services, signup
from .schemas import (
    EventListArgs,
    EventPage,
    EventSchema,
    EventTypeListArgs,
    EventTypePage,
    EventTypeSchema,
    ParticipantListArgs,
    ParticipantPage,
    ParticipantSchema,
    RegisterSchema,
    StatusSchema,
    TransferSchema,
)

VIEW, EDIT, ADMINISTER = "view_events", "edit_events", "administer_events"

types = Blueprint("event-types", __name__, url_prefix="/event-types", description="Kinds of events")
events = Blueprint(
    "events",
    __name__,
    url_prefix="/events",
    description="Events: dates, place, capacity, registration, fees, series",
)
participants = Blueprint(
    "participants",
    __name__,
    url_prefix="/participants",
    description="Registrations to events: register, change the status, cancel, transfer",
)

_body = apikit.json_body
_doc = apikit.body_doc
_page = apikit.page_of


def _user_id() -> int | None:
    return getattr(current_user, "id", None)


# -- types -----------------------------------------------------------------------------------------


@types.route("")
class Types(MethodView):
    @permission_required(VIEW)
    @types.arguments(EventTypeListArgs, location="query")
    @types.response(200, EventTypePage)
    def get(self, args):
        """Event types in the admin's order."""
        rows, total = services.list_types(
            session(), active=args["active"], page=args["page"], page_size=args["page_size"]
        )
        return _page(rows, total, args)

    @permission_required(ADMINISTER)
    @types.doc(**_doc(EventTypeSchema))
    @types.response(201, EventTypeSchema)
    def post(self):
        """Create an event type."""
        s = session()
        etype = services.create_type(s, _body())
        s.commit()
        return etype


@types.route("/<int:type_id>")
class Type(MethodView):
    @permission_required(VIEW)
    @types.response(200, EventTypeSchema)
    def get(self, type_id: int):
        """One event type."""
        return services.get_type(session(), type_id)

    @permission_required(ADMINISTER)
    @types.doc(**_doc(EventTypeSchema))
    @types.response(200, EventTypeSchema)
    def patch(self, type_id: int):
        """Change some fields of a type (``is_active: false`` to stop offering it)."""
        s = session()
        etype = services.update_type(s, type_id, _body())
        s.commit()
        return etype

    @permission_required(ADMINISTER)
    @types.response(204)
    def delete(self, type_id: int):
        """Delete a type no event has (409 when in use: deactivate it instead)."""
        s = session()
        services.delete_type(s, type_id)
        s.commit()


# -- events ----------------------------------------------------------------------------------------


@events.route("")
class Events(MethodView):
    @permission_required(VIEW)
    @events.arguments(EventListArgs, location="query")
    @events.response(200, EventPage)
    def get(self, args):
        """Events, the latest first, filtered by type, public or not, period, title."""
        rows, total = services.list_events(
            session(),
            event_type_id=args["event_type_id"],
            is_public=args["is_public"],
            start_from=args["start_from"],
            start_to=args["start_to"],
            q=args["q"],
            page=args["page"],
            page_size=args["page_size"],
        )
        return _page(rows, total, args)

    @permission_required(ADMINISTER)
    @events.doc(**_doc(EventSchema))
    @events.response(201, EventSchema)
    def post(self):
        """Create an event; with ``repeat_rule`` the whole series (the first one answered)."""
        s = session()
        event = services.create_event(s, _body())
        s.commit()
        return event


@events.route("/<int:event_id>")
class OneEvent(MethodView):
    @permission_required(VIEW)
    @events.response(200, EventSchema)
    def get(self, event_id: int):
        """One event (``taken``: the places held now)."""
        return services.get_event(session(), event_id)

    @permission_required(ADMINISTER)
    @events.doc(**_doc(EventSchema))
    @events.response(200, EventSchema)
    def patch(self, event_id: int):
        """Change some fields of an event; ``?scope=all`` changes its series from it on."""
        from flask import request

        s = session()
        event, promoted = services.update_event(
            s, event_id, _body(), scope=request.args.get("scope", "one")
        )
        s.commit()
        if promoted:
            mail.send_promotions(s, promoted)
            s.commit()
        return event

    @permission_required(ADMINISTER)
    @events.response(204)
    def delete(self, event_id: int):
        """Delete an event and its registrations."""
        s = session()
        services.delete_event(s, event_id)
        s.commit()


@events.route("/<int:event_id>/copy")
class CopyEvent(MethodView):
    @permission_required(ADMINISTER)
    @events.doc(**_doc(EventSchema))
    @events.response(201, EventSchema)
    def post(self, event_id: int):
        """A new event made from this one as a template; the body changes some fields."""
        s = session()
        event = services.copy_event(s, event_id, _body(optional=True))
        s.commit()
        return event


# -- participants ----------------------------------------------------------------------------------


def _one(p) -> dict:
    return services.represent(session(), [p])[0]


@participants.route("")
class Participants(MethodView):
    @permission_required(VIEW)
    @participants.arguments(ParticipantListArgs, location="query")
    @participants.response(200, ParticipantPage)
    def get(self, args):
        """Participants, in the order they registered, filtered by event, contact, status,
        role."""
        s = session()
        rows, total = services.list_participants(
            s,
            event_id=args["event_id"],
            contact_id=args["contact_id"],
            status=args["status"],
            role=args["role"],
            page=args["page"],
            page_size=args["page_size"],
        )
        return _page(services.represent(s, rows), total, args)

    @permission_required(EDIT)
    @participants.doc(**_doc(RegisterSchema))
    @participants.response(201, ParticipantPage)
    def post(self):
        """Register to ``event_id`` a contact (``contact_id``, with ``additional_contact_ids``)
        or a group (``contact_ids``): a place each, or the waitlist when the event is full."""
        s = session()
        body = _body()
        event_id = body.get("event_id")
        if not isinstance(event_id, int) or isinstance(event_id, bool):
            raise ValidationError(gettext("Choose an event."), field="event_id")
        user_id = _user_id()
        result = signup.registering(
            s, event_id, lambda: services.register(s, event_id, body, user_id=user_id)
        )
        items = services.represent(s, result.participants)
        return {"items": items, "total": len(items), "page": 1, "page_size": len(items)}


@participants.route("/<int:participant_id>")
class OneParticipant(MethodView):
    @permission_required(VIEW)
    @participants.response(200, ParticipantSchema)
    def get(self, participant_id: int):
        """One participant."""
        return _one(services.get_participant(session(), participant_id))

    @permission_required(EDIT)
    @participants.doc(**_doc(StatusSchema))
    @participants.response(200, ParticipantSchema)
    def patch(self, participant_id: int):
        """Change the status (a place is taken or given back; the waitlist moves up)."""
        s = session()
        p, promoted = services.set_status(s, participant_id, _body(), user_id=_user_id())
        s.commit()
        if promoted:
            mail.send_promotions(s, promoted)
            s.commit()
        return _one(p)


@participants.route("/<int:participant_id>/cancel")
class Cancel(MethodView):
    @permission_required(EDIT)
    @participants.response(200, ParticipantSchema)
    def post(self, participant_id: int):
        """Cancel a registration and those it brought; the waitlist moves up."""
        s = session()
        body = _body(optional=True)
        p, promoted = services.cancel(s, participant_id, user_id=_user_id(), note=body.get("note"))
        s.commit()
        if promoted:
            mail.send_promotions(s, promoted)
            s.commit()
        return _one(p)


@participants.route("/<int:participant_id>/transfer")
class Transfer(MethodView):
    @permission_required(EDIT)
    @participants.doc(**_doc(TransferSchema))
    @participants.response(201, ParticipantSchema)
    def post(self, participant_id: int):
        """Give the registration to another contact: answers the new participant."""
        s = session()
        p = services.transfer(s, participant_id, _body(), user_id=_user_id())
        s.commit()
        return _one(p)
