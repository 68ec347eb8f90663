"""What a valid grant type, programme, grant, review, payment and funding application are, for
the forms and the API alike: derived from the models, with by hand only what differs (messages
in the reader's language, bounds, amounts as Decimal strings). Rules that need the database (the
contact exists, the type is active, the transition is allowed) are in ``services``."""

from __future__ import annotations

import re

from marshmallow import EXCLUDE, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaError

from amicale.api_for_plugins import PageArgs, gettext, page_schema, schemakit
from amicale.api_for_plugins import lazy_gettext as _l

from .models import (
    FUNDING_STATUSES,
    STATUSES,
    FundingApplication,
    FundingIndicator,
    FundingReport,
    Grant,
    GrantPayment,
    GrantProgramme,
    GrantReview,
    GrantType,
)

_Input = schemakit.InputSchema
_Plain = schemakit.PlainSchema
_int = schemakit.int_field
_text = schemakit.text_field
_date = schemakit.date_field
_money = schemakit.money_field
_choice = schemakit.choice_field
CURRENCY = re.compile(r"^[A-Z]{3}$")


def _currency(**kw) -> fields.String:
    return fields.String(
        validate=validate.Regexp(CURRENCY, error=_l("Give a currency code such as EUR.")), **kw
    )


def _name(max_length: int = 128) -> fields.String:
    return fields.String(
        required=True,
        error_messages=schemakit.messages(_l("Give a text.")),
        validate=validate.Length(
            min=1, max=max_length, error=_l("At most %(max)d characters.", max=max_length)
        ),
    )


def _period_in_order(data: dict, low: str, high: str) -> None:
    if data.get(low) and data.get(high) and data[high] < data[low]:
        raise SchemaError(gettext("The end comes before the start."), high)


class GrantTypeSchema(_Input):
    class Meta(_Input.Meta):
        model = GrantType

    id = fields.Integer(dump_only=True)
    name = _name()
    description = _text(2000, allow_none=True, load_default=None)
    is_active = fields.Boolean(load_default=True)
    weight = _int(-1000, 1000, load_default=0)


class GrantProgrammeSchema(_Input):
    """A programme: a call for applications with its budget; ``is_public`` opens its public
    application page."""

    class Meta(_Input.Meta):
        model = GrantProgramme

    id = fields.Integer(dump_only=True)
    name = _name()
    description = _text(5000, allow_none=True, load_default=None)
    grant_type_id = _int(1, allow_none=True, load_default=None)
    start_date = _date(allow_none=True, load_default=None)
    end_date = _date(allow_none=True, load_default=None)
    budget = _money(allow_none=True, load_default=None)
    currency = _currency(load_default="EUR")
    is_active = fields.Boolean(load_default=True)
    is_public = fields.Boolean(load_default=False)
    public_intro = _text(5000, allow_none=True, load_default=None)

    @validates_schema
    def _dates(self, data, **_kw):
        _period_in_order(data, "start_date", "end_date")


class GrantSchema(_Input):
    """An application: the applicant (``contact_id``), its type, the amount requested
    (``amount_total``), the dates; ``status`` and ``amount_granted`` change through the
    workflow (``/status``). ``custom`` holds the custom fields ``{name: value}``."""

    class Meta(_Input.Meta):
        model = Grant
        exclude = ("status", "amount_granted", "created_at", "modified_at")

    id = fields.Integer(dump_only=True)
    contact_id = _int(1, required=True)
    grant_type_id = _int(1, required=True)
    programme_id = _int(1, allow_none=True, load_default=None)
    amount_total = _money(required=True)
    currency = _currency(load_default="EUR")
    application_received_date = _date(allow_none=True, load_default=None)
    decision_date = _date(allow_none=True, load_default=None)
    money_transfer_date = _date(allow_none=True, load_default=None)
    grant_due_date = _date(allow_none=True, load_default=None)
    grant_report_received = fields.Boolean(load_default=False)
    rationale = _text(10000, allow_none=True, load_default=None)
    source = _text(255, allow_none=True, load_default=None)
    custom = fields.Dict(load_default=None, allow_none=True)


class GrantOutSchema(_Plain):
    """A grant as the API shows it."""

    id = fields.Integer()
    contact_id = fields.Integer()
    applicant = fields.String()
    grant_type_id = fields.Integer()
    grant_type = fields.String()
    programme_id = fields.Integer(allow_none=True)
    programme = fields.String(allow_none=True)
    status = fields.String()
    amount_total = fields.Decimal(as_string=True)
    amount_granted = fields.Decimal(as_string=True, allow_none=True)
    amount_paid = fields.Decimal(as_string=True)
    currency = fields.String()
    application_received_date = fields.Date(allow_none=True)
    decision_date = fields.Date(allow_none=True)
    money_transfer_date = fields.Date(allow_none=True)
    grant_due_date = fields.Date(allow_none=True)
    grant_report_received = fields.Boolean()
    rationale = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    average_score = fields.Float(allow_none=True)
    custom = fields.Dict()
    created_at = fields.DateTime()
    modified_at = fields.DateTime()


class GrantTransitionSchema(_Plain):
    """A step of the workflow: the new ``status``; approving takes ``amount_granted`` (default:
    the amount requested) and ``decision_date`` (default: today); paying in full takes the
    payment's ``payment_date`` and ``reference``."""

    status = _choice(STATUSES, required=True)
    amount_granted = _money(allow_none=True, load_default=None)
    decision_date = _date(allow_none=True, load_default=None)
    grant_due_date = _date(allow_none=True, load_default=None)
    payment_date = _date(allow_none=True, load_default=None)
    reference = _text(128, allow_none=True, load_default=None)
    note = _text(255, allow_none=True, load_default=None)


class GrantReviewSchema(_Input):
    class Meta(_Input.Meta):
        model = GrantReview
        exclude = ("grant_id", "reviewer_id", "reviewer_name", "created_at", "modified_at")

    id = fields.Integer(dump_only=True)
    score = _int(0, 10, allow_none=True, load_default=None)
    comment = _text(10000, allow_none=True, load_default=None)
    reviewer_name = fields.String(dump_only=True)
    modified_at = fields.DateTime(dump_only=True)

    @validates_schema
    def _something(self, data, **_kw):
        if data.get("score") is None and not data.get("comment"):
            raise SchemaError(gettext("Give a score or a comment."), "score")


class GrantPaymentSchema(_Input):
    class Meta(_Input.Meta):
        model = GrantPayment
        exclude = ("grant_id", "user_id", "created_at")

    id = fields.Integer(dump_only=True)
    payment_date = _date(required=True)
    amount = _money(required=True)
    reference = _text(128, allow_none=True, load_default=None)

    @validates_schema
    def _positive(self, data, **_kw):
        if data.get("amount") is not None and data["amount"] <= 0:
            raise SchemaError(gettext("Give an amount over 0."), "amount")


class GrantAttachmentSchema(_Plain):
    id = fields.Integer()
    file_name = fields.String()
    mime_type = fields.String()
    size = fields.Integer()
    uploaded_at = fields.DateTime()


class FundingApplicationSchema(_Input):
    """Funding the organisation applies for, from ``funder_contact_id`` (an organisation)."""

    class Meta(_Input.Meta):
        model = FundingApplication

    id = fields.Integer(dump_only=True)
    funder_contact_id = _int(1, required=True)
    title = _name(255)
    status = _choice(FUNDING_STATUSES, load_default="Draft")
    deadline = _date(allow_none=True, load_default=None)
    submitted_date = _date(allow_none=True, load_default=None)
    decision_date = _date(allow_none=True, load_default=None)
    amount_requested = _money(required=True)
    amount_obtained = _money(allow_none=True, load_default=None)
    currency = _currency(load_default="EUR")
    notes = _text(10000, allow_none=True, load_default=None)
    funder = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    modified_at = fields.DateTime(dump_only=True)


class FundingReportSchema(_Input):
    class Meta(_Input.Meta):
        model = FundingReport
        exclude = ("funding_application_id",)

    id = fields.Integer(dump_only=True)
    title = _name(255)
    due_date = _date(allow_none=True, load_default=None)
    submitted_date = _date(allow_none=True, load_default=None)
    notes = _text(10000, allow_none=True, load_default=None)


class FundingIndicatorSchema(_Input):
    """A figure of a report: typed (``value``) or pulled from a core report
    (``source_report``, its ``source_filters``)."""

    class Meta(_Input.Meta):
        model = FundingIndicator
        exclude = ("report_id", "figures", "pulled_at")

    id = fields.Integer(dump_only=True)
    label = _name(255)
    target = _text(255, allow_none=True, load_default=None)
    value = _text(255, allow_none=True, load_default=None)
    source_report = _text(128, allow_none=True, load_default=None)
    source_filters = fields.Dict(load_default=dict)


class FundingIndicatorOutSchema(_Plain):
    id = fields.Integer()
    label = fields.String()
    target = fields.String(allow_none=True)
    value = fields.String(allow_none=True)
    source_report = fields.String(allow_none=True)
    source_filters = fields.Dict()
    figures = fields.Dict(allow_none=True)
    pulled_at = fields.DateTime(allow_none=True)


class FundingReportOutSchema(_Plain):
    """A report a funder requires, with its indicators."""

    id = fields.Integer()
    title = fields.String()
    due_date = fields.Date(allow_none=True)
    submitted_date = fields.Date(allow_none=True)
    notes = fields.String(allow_none=True)
    indicators = fields.List(fields.Nested(FundingIndicatorOutSchema))


class ProgrammeListArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE

    active = fields.Boolean(load_default=None, metadata={"description": "Only active ones"})


class GrantListArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE

    contact_id = fields.Integer(load_default=None, metadata={"description": "Of this applicant"})
    status = fields.String(load_default=None, metadata={"description": "Status"})
    grant_type_id = fields.Integer(load_default=None, metadata={"description": "Grant type"})
    programme_id = fields.Integer(load_default=None, metadata={"description": "Programme"})
    amount_min = fields.Decimal(load_default=None, as_string=True)
    amount_max = fields.Decimal(load_default=None, as_string=True)
    decided_from = fields.Date(load_default=None, metadata={"description": "Decision from"})
    decided_to = fields.Date(load_default=None, metadata={"description": "Decision until"})


class FundingListArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE

    funder_contact_id = fields.Integer(load_default=None, metadata={"description": "Funder"})
    status = fields.String(load_default=None, metadata={"description": "Status"})
    deadline_from = fields.Date(load_default=None)
    deadline_to = fields.Date(load_default=None)


GrantTypePage = page_schema("GrantTypePage", GrantTypeSchema)
GrantProgrammePage = page_schema("GrantProgrammePage", GrantProgrammeSchema)
GrantPage = page_schema("GrantPage", GrantOutSchema)
FundingApplicationPage = page_schema("FundingApplicationPage", FundingApplicationSchema)
