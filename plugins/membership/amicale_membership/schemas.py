"""What a valid membership type, status rule and membership action are, for the forms and the
API alike: derived from the models, with by hand only what differs (messages in the reader's
language, bounds, MMDD days). Rules that need the database (the contact exists, the type is
active, the relationship types exist) are in ``services``."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from marshmallow import EXCLUDE, fields, pre_load, validate, validates_schema
from marshmallow import ValidationError as SchemaError

from amicale.api_for_plugins import PageArgs, gettext, page_schema, schemakit
from amicale.api_for_plugins import lazy_gettext as _l

from .models import (
    ADJUST_UNITS,
    DURATION_UNITS,
    EVENTS,
    FIXED,
    PERIOD_TYPES,
    Membership,
    MembershipLog,
    MembershipReminder,
    MembershipStatus,
    MembershipType,
)

REQUIRED = schemakit.REQUIRED
# How dues are paid (the names the payment component knows, ``request_payment``'s details).
PAYMENT_INSTRUMENTS = ("cash", "cheque", "transfer", "card", "direct_debit")
MMDD = re.compile(r"^(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")
_messages = schemakit.messages
_int = schemakit.int_field
_text = schemakit.text_field
_date = schemakit.date_field
_money = schemakit.money_field
_choice = schemakit.choice_field


def _mmdd(value: str) -> None:
    """A day of the year as MMDD ("0101", "0901"); 29 February is refused (not every year)."""
    if not MMDD.match(value or ""):
        raise SchemaError(gettext("Give a day as MMDD, such as 0901 for 1 September."))
    try:
        date(2023, int(value[:2]), int(value[2:]))
    except ValueError:
        raise SchemaError(gettext("This day does not exist every year.")) from None


_Input = schemakit.InputSchema
_Plain = schemakit.PlainSchema


class MembershipTypeSchema(_Input):
    """A kind of membership. ``relationship_types``: names of relationship types through which
    related contacts inherit it; ``fixed_period_start_day`` is needed for fixed periods."""

    class Meta(_Input.Meta):
        model = MembershipType

    id = fields.Integer(dump_only=True)
    name = fields.String(
        required=True,
        error_messages=_messages(_l("Give a text.")),
        validate=validate.Length(
            min=1, max=128, error=_l("Give a name of 128 characters at most.")
        ),
    )
    description = _text(2000, allow_none=True, load_default=None)
    owner_contact_id = _int(1, allow_none=True, load_default=None)
    minimum_fee = _money(load_default=Decimal("0.00"), metadata={"default": 0})
    financial_type = _text(64, load_default="Member Dues")
    duration_unit = _choice(DURATION_UNITS, load_default="year")
    duration_interval = _int(1, 1000, load_default=1)
    period_type = _choice(PERIOD_TYPES, load_default="rolling")
    fixed_period_start_day = fields.String(allow_none=True, load_default=None, validate=_mmdd)
    fixed_period_rollover_day = fields.String(allow_none=True, load_default=None, validate=_mmdd)
    auto_renew = fields.Boolean(load_default=False)
    relationship_types = fields.List(fields.String(), load_default=list)
    max_related = _int(0, 10000, allow_none=True, load_default=None)
    is_active = fields.Boolean(load_default=True)
    weight = _int(-1000, 1000, load_default=0)
    is_public = fields.Boolean(load_default=False)
    confirmation_template_id = _int(1, allow_none=True, load_default=None)

    @pre_load
    def _names_list(self, data, **_kw):
        """ "household_member_of, child_of" as a form gives it is a list of names."""
        if isinstance(data, dict) and isinstance(data.get("relationship_types"), str):
            names = [n.strip() for n in data["relationship_types"].split(",")]
            data = {**data, "relationship_types": [n for n in names if n]}
        if isinstance(data, dict) and data.get("financial_type") is None:
            data = {k: v for k, v in data.items() if k != "financial_type"}
        return data

    @validates_schema(skip_on_field_errors=False)
    def _fixed_needs_a_start(self, data, partial=False, **_kw):
        if data.get("period_type") == FIXED and not data.get("fixed_period_start_day"):
            if partial and "period_type" not in data:
                return
            raise SchemaError(
                gettext("Fixed periods need the day they start on (MMDD)."),
                "fixed_period_start_day",
            )


class MembershipStatusSchema(_Input):
    """A status and its rule: from ``start_event`` (+ adjustment) until ``end_event`` (+
    adjustment, exclusive). ``is_admin`` statuses have no rule."""

    class Meta(_Input.Meta):
        model = MembershipStatus

    id = fields.Integer(dump_only=True)
    is_reserved = fields.Boolean(dump_only=True)
    name = fields.String(
        required=True,
        error_messages=_messages(_l("Give a text.")),
        validate=validate.Length(min=1, max=64, error=_l("Give a name of 64 characters at most.")),
    )
    label = _text(128, required=True)
    start_event = _choice(EVENTS, allow_none=True, load_default=None)
    start_event_adjust_unit = _choice(ADJUST_UNITS, allow_none=True, load_default=None)
    start_event_adjust_interval = _int(-1000, 1000, allow_none=True, load_default=None)
    end_event = _choice(EVENTS, allow_none=True, load_default=None)
    end_event_adjust_unit = _choice(ADJUST_UNITS, allow_none=True, load_default=None)
    end_event_adjust_interval = _int(-1000, 1000, allow_none=True, load_default=None)
    is_current_member = fields.Boolean(load_default=False)
    is_admin = fields.Boolean(load_default=False)
    weight = _int(-1000, 1000, load_default=0)
    is_active = fields.Boolean(load_default=True)


class MembershipSchema(_Input):
    """A membership as the API shows it, with its ``status`` and ``membership_type`` names."""

    class Meta(_Input.Meta):
        model = Membership

    id = fields.Integer(dump_only=True)
    paid_amount = fields.Decimal(as_string=True, allow_none=True, dump_only=True)
    status = fields.String(dump_only=True)
    membership_type = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    modified_at = fields.DateTime(dump_only=True)


class MembershipLogSchema(_Input):
    class Meta(_Input.Meta):
        model = MembershipLog


class JoinSchema(_Plain):
    """Joining: the contact, the type (``membership_type_id`` or ``membership_type``, a name)
    and, when they are not those the type gives, the dates; ``status`` (a name) sets it by hand.
    ``fee_amount`` (default: the type's minimum fee) is recorded as paid unless
    ``record_payment`` is false."""

    contact_id = _int(1, required=True)
    membership_type_id = _int(1, allow_none=True, load_default=None)
    membership_type = _text(128, allow_none=True, load_default=None)
    join_date = _date(allow_none=True, load_default=None)
    start_date = _date(allow_none=True, load_default=None)
    end_date = _date(allow_none=True, load_default=None)
    status = _text(64, allow_none=True, load_default=None)
    source = _text(255, allow_none=True, load_default=None)
    fee_amount = _money(allow_none=True, load_default=None)
    record_payment = fields.Boolean(load_default=True)
    paid_date = _date(allow_none=True, load_default=None)
    payment_instrument = _choice(PAYMENT_INSTRUMENTS, allow_none=True, load_default=None)
    check_number = _text(64, allow_none=True, load_default=None)

    @validates_schema(skip_on_field_errors=False)
    def _type_given(self, data, **_kw):
        if not data.get("membership_type_id") and not data.get("membership_type"):
            raise SchemaError(gettext("Choose the membership type."), "membership_type_id")


class RenewSchema(_Plain):
    source = _text(255, allow_none=True, load_default=None)
    fee_amount = _money(allow_none=True, load_default=None)
    record_payment = fields.Boolean(load_default=True)
    paid_date = _date(allow_none=True, load_default=None)
    payment_instrument = _choice(PAYMENT_INSTRUMENTS, allow_none=True, load_default=None)
    check_number = _text(64, allow_none=True, load_default=None)


class PaymentSchema(_Plain):
    """The dues of a membership received: ``fee_amount`` (default: what is owed, else the
    type's minimum fee), the day and how they were paid."""

    fee_amount = _money(allow_none=True, load_default=None)
    paid_date = _date(allow_none=True, load_default=None)
    payment_instrument = _choice(PAYMENT_INSTRUMENTS, allow_none=True, load_default=None)
    check_number = _text(64, allow_none=True, load_default=None)


class ChangeTypeSchema(_Plain):
    membership_type_id = _int(1, required=True)


class CancelSchema(_Plain):
    reason = _text(255, allow_none=True, load_default=None)


class OverrideSchema(_Plain):
    """A status set by hand until ``status_override_end_date`` (none: for good)."""

    status_id = _int(1, required=True)
    override_reason = _text(255, required=True)
    status_override_end_date = _date(allow_none=True, load_default=None)


class MembershipTypeListArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE

    active = fields.Boolean(load_default=None, metadata={"description": "Only active ones"})


class MembershipListArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE

    contact_id = fields.Integer(load_default=None, metadata={"description": "Of this contact"})
    status = fields.String(load_default=None, metadata={"description": "Status name"})
    type = fields.String(load_default=None, metadata={"description": "Membership type name"})
    end_date_from = fields.Date(load_default=None)
    end_date_to = fields.Date(load_default=None)


MembershipTypePage = page_schema("MembershipTypePage", MembershipTypeSchema)
MembershipStatusPage = page_schema("MembershipStatusPage", MembershipStatusSchema)
MembershipPage = page_schema("MembershipPage", MembershipSchema)


class ReminderSchema(_Input):
    """A renewal reminder rule: ``days`` from the end date (negative: before it), the message
    template to send, the type (None: every type)."""

    class Meta(_Input.Meta):
        model = MembershipReminder

    id = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    name = fields.String(
        required=True,
        error_messages=_messages(_l("Give a text.")),
        validate=validate.Length(
            min=1, max=128, error=_l("Give a name of 128 characters at most.")
        ),
    )
    membership_type_id = _int(1, allow_none=True, load_default=None)
    days = _int(-3660, 3660, required=True)
    template_id = _int(1, required=True)
    is_active = fields.Boolean(load_default=True)


class PublicJoinSchema(_Plain):
    """The public join page: who (a new contact unless the email is known) and which type."""

    membership_type_id = _int(1, required=True)
    first_name = _text(64, required=True)
    last_name = _text(64, required=True)
    email = fields.String(
        required=True,
        error_messages=_messages(_l("Give a text.")),
        validate=[
            validate.Length(max=254, error=_l("At most %(max)d characters.", max=254)),
            validate.Email(error=_l("This is not a valid email address.")),
        ],
    )
    phone = _text(32, allow_none=True, load_default=None)
    street_address = _text(255, allow_none=True, load_default=None)
    postal_code = _text(16, allow_none=True, load_default=None)
    city = _text(64, allow_none=True, load_default=None)
