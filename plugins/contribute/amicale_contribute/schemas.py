"""What a valid financial type, campaign, contribution, pledge, recurring gift and batch are, for
the forms and the API alike. Amounts are decimals with two places, never floats, and are written
as strings in JSON. Rules that need the database (the contact exists, the type is active) are in
``services``."""

from __future__ import annotations

from marshmallow import fields, validate, validates_schema

from amicale.api_for_plugins import PageArgs, gettext, page_schema, schemakit
from amicale.api_for_plugins import lazy_gettext as _l

from .models import (
    FREQUENCY_UNITS,
    SOFT_CREDIT_KINDS,
    STATUSES,
    Batch,
    Campaign,
    Contribution,
    FinancialType,
    PaymentInstrument,
    Pledge,
    PledgePayment,
    Recurring,
    SoftCredit,
)

SchemaError = schemakit.SchemaError
_int = schemakit.int_field
_text = schemakit.text_field
_date = schemakit.date_field
_money = schemakit.money_field
_choice = schemakit.choice_field


def _positive(value) -> None:
    if value is not None and value <= 0:
        raise SchemaError(gettext("Give an amount above 0."))


def _currency(**kw) -> fields.String:
    return fields.String(
        validate=validate.Regexp(r"^[A-Z]{3}$", error=_l("Give a currency code such as EUR.")),
        **kw,
    )


def _name(max_length: int) -> fields.String:
    return fields.String(
        required=True,
        error_messages=schemakit.messages(_l("Give a text.")),
        validate=validate.Length(
            min=1, max=max_length, error=_l("At most %(max)d characters.", max=max_length)
        ),
    )


class FinancialTypeSchema(schemakit.InputSchema):
    class Meta(schemakit.InputSchema.Meta):
        model = FinancialType

    id = fields.Integer(dump_only=True)
    is_reserved = fields.Boolean(dump_only=True)
    name = _name(64)
    description = _text(2000, allow_none=True, load_default=None)
    is_deductible = fields.Boolean(load_default=False)
    account_code = _text(32, allow_none=True, load_default=None)
    is_active = fields.Boolean(load_default=True)
    weight = _int(-1000, 1000, load_default=0)


class PaymentInstrumentSchema(schemakit.InputSchema):
    class Meta(schemakit.InputSchema.Meta):
        model = PaymentInstrument

    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    is_reserved = fields.Boolean(dump_only=True)
    label = _name(64)
    account_code = _text(32, allow_none=True, load_default=None)
    is_active = fields.Boolean(load_default=True)
    weight = _int(-1000, 1000, load_default=0)


class CampaignSchema(schemakit.InputSchema):
    class Meta(schemakit.InputSchema.Meta):
        model = Campaign

    id = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    name = _name(128)
    description = _text(5000, allow_none=True, load_default=None)
    goal_amount = _money(allow_none=True, load_default=None)
    start_date = _date(allow_none=True, load_default=None)
    end_date = _date(allow_none=True, load_default=None)
    is_active = fields.Boolean(load_default=True)

    @validates_schema
    def _dates_in_order(self, data, **_kw):
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            raise SchemaError(gettext("The end date is before the start date."), "end_date")


class SoftCreditSchema(schemakit.InputSchema):
    class Meta(schemakit.InputSchema.Meta):
        model = SoftCredit
        exclude = ("contribution_id",)

    id = fields.Integer(dump_only=True)
    contact_id = _int(1, required=True)
    amount = _money(allow_none=True, load_default=None)
    kind = _choice(SOFT_CREDIT_KINDS, load_default="solicitor")


class ContributionSchema(schemakit.InputSchema):
    """A contribution. The financial type and the payment instrument are given by number
    (``financial_type_id``) or by name (``financial_type``: "Donation"; ``payment_instrument``:
    "cheque"); ``receive_date`` is today when left out."""

    class Meta(schemakit.InputSchema.Meta):
        model = Contribution

    id = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    modified_at = fields.DateTime(dump_only=True)
    thankyou_date = fields.DateTime(dump_only=True)
    contact_id = _int(1, required=True)
    financial_type_id = _int(1, allow_none=True, load_default=None)
    financial_type = _text(64, load_only=True, allow_none=True, load_default=None)
    payment_instrument_id = _int(1, allow_none=True, load_default=None)
    payment_instrument = _text(32, load_only=True, allow_none=True, load_default=None)
    status = _choice(STATUSES, load_default="Completed")
    amount = _money(required=True)
    non_deductible_amount = _money(load_default=None, allow_none=True, metadata={"default": 0})
    paid_amount = _money(allow_none=True, load_default=None)
    currency = _currency(load_default=None, allow_none=True)
    receive_date = _date(allow_none=True, load_default=None)
    campaign_id = _int(1, allow_none=True, load_default=None)
    source = _text(255, allow_none=True, load_default=None)
    transaction_id = _text(255, allow_none=True, load_default=None)
    check_number = _text(64, allow_none=True, load_default=None)
    note = _text(5000, allow_none=True, load_default=None)
    batch_id = _int(1, allow_none=True, load_default=None)
    recurring_id = _int(1, allow_none=True, load_default=None)
    page_id = _int(1, allow_none=True, load_default=None)
    for_entity = _text(64, allow_none=True, load_default=None)
    for_entity_id = _int(1, allow_none=True, load_default=None)
    cancel_date = _date(allow_none=True, load_default=None)
    cancel_reason = _text(255, allow_none=True, load_default=None)
    soft_credits = fields.List(fields.Nested(SoftCreditSchema), load_default=list)
    custom = fields.Dict(
        keys=fields.String(),
        load_default=None,
        metadata={"description": "Custom field values by field name."},
    )

    @validates_schema
    def _amounts(self, data, partial=False, **_kw):
        amount = data.get("amount")
        part = data.get("non_deductible_amount")
        if amount is not None and part is not None and part > amount:
            raise SchemaError(
                gettext("The non-deductible part is more than the amount."),
                "non_deductible_amount",
            )
        paid = data.get("paid_amount")
        if amount is not None and paid is not None and paid > amount:
            raise SchemaError(gettext("More is paid than the amount."), "paid_amount")


class ContributionArgs(PageArgs):
    """Filters of the contribution list (API ``GET /contributions``)."""

    contact_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(STATUSES))
    financial_type_id = fields.Integer()
    campaign_id = fields.Integer()
    batch_id = fields.Integer()
    received_from = fields.Date(data_key="from")
    received_to = fields.Date(data_key="to")


class ReceivedPaymentSchema(schemakit.PlainSchema):
    """A payment received for a Pending or Partially paid contribution."""

    amount = _money(required=True, validate=_positive)
    receive_date = _date(allow_none=True, load_default=None)
    payment_instrument_id = _int(1, allow_none=True, load_default=None)
    payment_instrument = _text(32, allow_none=True, load_default=None)
    check_number = _text(64, allow_none=True, load_default=None)
    transaction_id = _text(255, allow_none=True, load_default=None)


class PledgeSchema(schemakit.InputSchema):
    class Meta(schemakit.InputSchema.Meta):
        model = Pledge

    id = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    modified_at = fields.DateTime(dump_only=True)
    contact_id = _int(1, required=True)
    financial_type_id = _int(1, allow_none=True, load_default=None)
    financial_type = _text(64, load_only=True, allow_none=True, load_default=None)
    campaign_id = _int(1, allow_none=True, load_default=None)
    amount = _money(required=True, validate=_positive)
    currency = _currency(load_default=None, allow_none=True)
    installments = _int(1, 600, load_default=1)
    frequency_unit = _choice(FREQUENCY_UNITS, load_default="month")
    frequency_interval = _int(1, 120, load_default=1)
    start_date = _date(allow_none=True, load_default=None)
    reminder_days = _int(0, 365, allow_none=True, load_default=7)


class PledgePaymentSchema(schemakit.InputSchema):
    class Meta(schemakit.InputSchema.Meta):
        model = PledgePayment

    id = fields.Integer(dump_only=True)


class RecurringSchema(schemakit.InputSchema):
    class Meta(schemakit.InputSchema.Meta):
        model = Recurring

    id = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    modified_at = fields.DateTime(dump_only=True)
    contact_id = _int(1, required=True)
    financial_type_id = _int(1, allow_none=True, load_default=None)
    financial_type = _text(64, load_only=True, allow_none=True, load_default=None)
    payment_instrument_id = _int(1, allow_none=True, load_default=None)
    payment_instrument = _text(32, load_only=True, allow_none=True, load_default=None)
    campaign_id = _int(1, allow_none=True, load_default=None)
    amount = _money(required=True, validate=_positive)
    currency = _currency(load_default=None, allow_none=True)
    frequency_unit = _choice(FREQUENCY_UNITS, load_default="month")
    frequency_interval = _int(1, 120, load_default=1)
    installments = _int(1, 600, allow_none=True, load_default=None)
    start_date = _date(allow_none=True, load_default=None)
    next_date = _date(dump_only=True)
    end_date = _date(allow_none=True, load_default=None)
    status = fields.String(dump_only=True)
    processor = _text(64, allow_none=True, load_default=None)
    processor_id = _text(255, allow_none=True, load_default=None)
    cancel_date = _date(dump_only=True)


class BatchSchema(schemakit.InputSchema):
    class Meta(schemakit.InputSchema.Meta):
        model = Batch

    id = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True)
    created_by = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    closed_at = fields.DateTime(dump_only=True)
    title = _name(128)
    expected_count = _int(0, 100000, load_default=0)
    expected_total = _money(load_default=None, allow_none=True, metadata={"default": 0})
    financial_type_id = _int(1, allow_none=True, load_default=None)
    payment_instrument_id = _int(1, allow_none=True, load_default=None)
    receive_date = _date(allow_none=True, load_default=None)


ContributionList = page_schema("ContributionList", ContributionSchema)
