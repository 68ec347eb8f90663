"""What a valid event type, event, registration and public registration are, for the forms and
the API alike: derived from the models, with by hand only what differs. Rules that need the
database (the contact exists, the event is full) are in ``services``."""

from __future__ import annotations

from marshmallow import EXCLUDE, fields, pre_load, validate, validates_schema
from marshmallow import ValidationError as SchemaError

from amicale.api_for_plugins import PageArgs, gettext, page_schema, schemakit
from amicale.api_for_plugins import lazy_gettext as _l

from .models import FREQUENCIES, PRICE_LEVELS, ROLES, STATUSES, Event, EventType, Participant

_Input = schemakit.InputSchema
_Plain = schemakit.PlainSchema
_messages = schemakit.messages
_int = schemakit.int_field
_text = schemakit.text_field
_date = schemakit.date_field
_money = schemakit.money_field
_choice = schemakit.choice_field
PAYMENT_INSTRUMENTS = ("cash", "cheque", "transfer", "card", "direct_debit")


def _datetime(**kw) -> fields.DateTime:
    return fields.DateTime(
        error_messages=_messages(_l("Give a date and time as YYYY-MM-DD HH:MM.")), **kw
    )


def _email(**kw) -> fields.String:
    return fields.String(
        error_messages=_messages(_l("Give a text.")),
        validate=[
            validate.Length(max=254, error=_l("At most %(max)d characters.", max=254)),
            validate.Email(error=_l("This is not a valid email address.")),
        ],
        **kw,
    )


def _normalise_datetimes(data: dict, names: tuple[str, ...]) -> dict:
    """ "2026-12-01 18:30" as a person types it (or a datetime-local input gives it)."""
    out = dict(data)
    for name in names:
        value = out.get(name)
        if isinstance(value, str) and value.strip():
            value = value.strip().replace(" ", "T", 1)
            if len(value) == 10:  # a day alone
                value += "T00:00"
            out[name] = value
    return out


class EventTypeSchema(_Input):
    class Meta(_Input.Meta):
        model = EventType

    id = fields.Integer(dump_only=True)
    name = fields.String(
        required=True,
        error_messages=_messages(_l("Give a text.")),
        validate=validate.Length(
            min=1, max=128, error=_l("Give a name of 128 characters at most.")
        ),
    )
    description = _text(2000, allow_none=True, load_default=None)
    is_active = fields.Boolean(load_default=True)
    weight = _int(-1000, 1000, load_default=0)


class ParticipantFieldSchema(_Plain):
    """A question asked to each participant: ``options`` a list (none: a free text)."""

    name = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[a-z][a-z0-9_]{0,63}$",
            error=_l("Give a name of small letters, digits and _ (such as diet)."),
        ),
    )
    label = _text(128, required=True)
    options = fields.List(fields.String(), load_default=list)
    required = fields.Boolean(load_default=False)


class RepeatSchema(_Plain):
    """How a series repeats: every ``interval`` days, weeks or months, ``count`` times."""

    frequency = _choice(FREQUENCIES, required=True)
    interval = _int(1, 52, load_default=1)
    count = _int(2, 200, required=True)


class EventSchema(_Input):
    class Meta(_Input.Meta):
        model = Event
        exclude = ("summary_sent_at",)

    id = fields.Integer(dump_only=True)
    taken = fields.Integer(dump_only=True)
    series_id = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    modified_at = fields.DateTime(dump_only=True)
    title = fields.String(
        required=True,
        error_messages=_messages(_l("Give a text.")),
        validate=validate.Length(min=1, max=255, error=_l("At most %(max)d characters.", max=255)),
    )
    summary = _text(500, allow_none=True, load_default=None)
    description = _text(20000, allow_none=True, load_default=None)
    event_type_id = _int(1, allow_none=True, load_default=None)
    start_date = _datetime(required=True)
    end_date = _datetime(allow_none=True, load_default=None)
    location = _text(500, allow_none=True, load_default=None)
    online_url = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.URL(error=_l("Give a web address, such as https://...")),
    )
    max_participants = _int(1, 1000000, allow_none=True, load_default=None)
    is_public = fields.Boolean(load_default=False)
    is_active = fields.Boolean(load_default=True)
    is_online_registration = fields.Boolean(load_default=False)
    registration_start = _datetime(allow_none=True, load_default=None)
    registration_end = _datetime(allow_none=True, load_default=None)
    requires_approval = fields.Boolean(load_default=False)
    has_waitlist = fields.Boolean(load_default=True)
    fee_member = _money(allow_none=True, load_default=None)
    fee_non_member = _money(allow_none=True, load_default=None)
    fee_reduced = _money(allow_none=True, load_default=None)
    financial_type = _text(64, load_default="Event Fee")
    participant_fields = fields.List(fields.Nested(ParticipantFieldSchema), load_default=list)
    repeat_rule = fields.Nested(RepeatSchema, allow_none=True, load_default=None)
    organiser_email = _email(allow_none=True, load_default=None)
    reminder_days = _int(0, 365, allow_none=True, load_default=None)
    summary_field = _text(64, allow_none=True, load_default=None)
    summary_days = _int(0, 365, allow_none=True, load_default=None)

    @pre_load
    def _datetimes(self, data, **_kw):
        if not isinstance(data, dict):
            return data
        data = _normalise_datetimes(
            data, ("start_date", "end_date", "registration_start", "registration_end")
        )
        if data.get("financial_type") is None:
            data.pop("financial_type", None)
        return data

    @validates_schema(skip_on_field_errors=True)
    def _order(self, data, partial=False, **_kw):
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            raise SchemaError(gettext("The end is before the start."), "end_date")
        low, high = data.get("registration_start"), data.get("registration_end")
        if low and high and high < low:
            raise SchemaError(gettext("The end is before the start."), "registration_end")
        names = [f["name"] for f in data.get("participant_fields") or []]
        if len(names) != len(set(names)):
            raise SchemaError(gettext("Two questions have the same name."), "participant_fields")
        summary = data.get("summary_field")
        if summary and "participant_fields" in data and summary not in names:
            raise SchemaError(
                gettext("Choose one of the questions asked to participants."), "summary_field"
            )


class ParticipantSchema(_Input):
    class Meta(_Input.Meta):
        model = Participant

    id = fields.Integer(dump_only=True)
    event_id = fields.Integer(dump_only=True)
    contact_id = fields.Integer(dump_only=True)
    register_date = fields.DateTime(dump_only=True)
    checked_in_at = fields.DateTime(dump_only=True)
    cancelled_at = fields.DateTime(dump_only=True)
    transferred_to_id = fields.Integer(dump_only=True)
    contribution_id = fields.Integer(dump_only=True)
    reminded_at = fields.DateTime(dump_only=True)
    registered_by_id = fields.Integer(dump_only=True)
    fee_amount = _money(dump_only=True)
    display_name = fields.String(dump_only=True)
    event_title = fields.String(dump_only=True)


class RegisterSchema(_Plain):
    """Staff registers one contact (``contact_id``) or a group (``contact_ids``); ``status``
    None: Registered when a place is free, else On waitlist. ``additional_contact_ids``: people
    the registrant brings. ``record_payment``: the fee is paid now."""

    event_id = _int(1, allow_none=True, load_default=None, metadata={"description": "API only"})
    contact_id = _int(1, allow_none=True, load_default=None)
    contact_ids = fields.List(fields.Integer(), load_default=list)
    additional_contact_ids = fields.List(fields.Integer(), load_default=list)
    role = _choice(ROLES, load_default="attendee")
    status = _choice(STATUSES, allow_none=True, load_default=None)
    fee_level = _choice(PRICE_LEVELS, allow_none=True, load_default=None)
    field_values = fields.Dict(keys=fields.String(), load_default=dict)
    record_payment = fields.Boolean(load_default=False)
    payment_instrument = _choice(PAYMENT_INSTRUMENTS, allow_none=True, load_default=None)
    source = _text(255, allow_none=True, load_default=None)
    note = _text(500, allow_none=True, load_default=None)

    @pre_load
    def _ids(self, data, **_kw):
        if isinstance(data, dict):
            for key in ("contact_ids", "additional_contact_ids"):
                if key in data and data[key] is None:
                    data = {**data, key: []}
                if isinstance(data.get(key), str):
                    parts = data[key].replace(";", ",").split(",")
                    data = {**data, key: [p.strip() for p in parts if p.strip()]}
        return data

    @validates_schema(skip_on_field_errors=True)
    def _someone(self, data, **_kw):
        if not data.get("contact_id") and not data.get("contact_ids"):
            raise SchemaError(gettext("Choose a contact."), "contact_id")


class StatusSchema(_Plain):
    status = _choice(STATUSES, required=True)
    note = _text(500, allow_none=True, load_default=None)


class TransferSchema(_Plain):
    contact_id = _int(1, required=True)
    note = _text(500, allow_none=True, load_default=None)


class PublicRegisterSchema(_Plain):
    """The public registration page: who (a new contact unless the email is known), the price
    option, how many people they bring (``additional``: their names, one a line)."""

    first_name = _text(64, required=True)
    last_name = _text(64, required=True)
    email = _email(required=True)
    phone = _text(32, allow_none=True, load_default=None)
    fee_level = _choice(PRICE_LEVELS, allow_none=True, load_default=None)
    additional = fields.List(fields.String(), load_default=list)

    @pre_load
    def _lines(self, data, **_kw):
        if isinstance(data, dict) and data.get("additional") is None:
            data = {**data, "additional": []}
        if isinstance(data, dict) and isinstance(data.get("additional"), str):
            lines = [n.strip() for n in data["additional"].splitlines()]
            data = {**data, "additional": [n for n in lines if n]}
        return data

    @validates_schema(skip_on_field_errors=True)
    def _not_too_many(self, data, **_kw):
        if len(data.get("additional") or []) > 10:
            raise SchemaError(gettext("Bring at most 10 people."), "additional")


class EventTypeListArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE

    active = fields.Boolean(load_default=None, metadata={"description": "Only active ones"})


class EventListArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE

    event_type_id = fields.Integer(load_default=None)
    is_public = fields.Boolean(load_default=None)
    start_from = fields.Date(load_default=None, metadata={"description": "Starting on or after"})
    start_to = fields.Date(load_default=None, metadata={"description": "Starting on or before"})
    q = fields.String(load_default=None, metadata={"description": "Words of the title"})


class ParticipantListArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE

    event_id = fields.Integer(load_default=None)
    contact_id = fields.Integer(load_default=None)
    status = fields.String(load_default=None, metadata={"description": "Status name"})
    role = fields.String(load_default=None)


EventTypePage = page_schema("EventTypePage", EventTypeSchema)
EventPage = page_schema("EventPage", EventSchema)
ParticipantPage = page_schema("ParticipantPage", ParticipantSchema)
