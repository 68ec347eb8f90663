"""What a valid category, listing and exchange are, for the forms and the API alike: derived
from the models, with by hand only what differs (messages a member understands, in their
language; bounds). The rules that need the database (the members exist, the category is
active, the date is not in the future) are in ``services``."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import EXCLUDE, Schema, fields, post_load, pre_load, validate
from marshmallow import ValidationError as SchemaError
from marshmallow_sqlalchemy import SQLAlchemyAutoSchema

from amicale.api_for_plugins import PageArgs, gettext, page_schema
from amicale.api_for_plugins import lazy_gettext as _l

from .models import KINDS, MAX_HOURS, TimebankCategory, TimebankExchange, TimebankListing

REQUIRED = {"required": _l("This field is required."), "null": _l("This field is required.")}


def _messages(invalid=None, **more) -> dict:
    out = dict(REQUIRED)
    if invalid is not None:
        out["invalid"] = invalid
    out.update(more)
    return out


def _number(**kw) -> fields.Integer:
    return fields.Integer(
        error_messages=_messages(_l("Give a whole number.")),
        validate=validate.Range(min=1, error=_l("Give a whole number.")),
        **kw,
    )


def _contact(**kw) -> fields.Integer:
    return fields.Integer(
        error_messages=_messages(_l("Give the member's contact number.")),
        validate=validate.Range(min=1, error=_l("Give the member's contact number.")),
        **kw,
    )


def _text(max_length: int, **kw) -> fields.String:
    return fields.String(
        error_messages=_messages(_l("Give a text.")),
        validate=validate.Length(
            max=max_length, error=_l("At most %(max)d characters.", max=max_length)
        ),
        **kw,
    )


def _hours_range(value: Decimal) -> None:
    if not 0 < value <= MAX_HOURS:
        raise SchemaError(gettext("Give more than 0 and at most %(max)s hours.", max=MAX_HOURS))


def _two_decimals(value: Decimal) -> None:
    if value != value.quantize(Decimal("0.01")):
        raise SchemaError(gettext("Give hours to the hundredth at most (such as 1.25)."))


class _Input(SQLAlchemyAutoSchema):
    """Text inputs are trimmed, and an empty one means "nothing" (so that a blank required
    field is reported as required, in the forms as in the API)."""

    class Meta:
        include_fk = True
        unknown = EXCLUDE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Messages are lazy (in the language of whoever reads them): marshmallow wants text.
        for field in self.fields.values():
            field.error_messages = {k: str(v) for k, v in field.error_messages.items()}

    @pre_load
    def _clean(self, data, **_kw):
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for key, value in out.items():
            if isinstance(value, str):
                value = value.strip()
                out[key] = value or None
        return out


class TimebankCategorySchema(_Input):
    """A skill of the list: ``name`` is unique."""

    class Meta(_Input.Meta):
        model = TimebankCategory

    id = fields.Integer(dump_only=True)
    name = fields.String(
        required=True,
        error_messages=_messages(_l("Give a text.")),
        validate=validate.Length(
            min=1, max=100, error=_l("Give a name of 100 characters at most.")
        ),
    )
    description = _text(2000, allow_none=True, load_default=None)
    is_active = fields.Boolean(
        load_default=True, error_messages=_messages(_l("Give true or false."))
    )
    weight = fields.Integer(
        load_default=0,
        error_messages=_messages(_l("Give a whole number.")),
        validate=validate.Range(min=-1000, max=1000, error=_l("Between -1000 and 1000.")),
    )


class TimebankCategoryPatchSchema(TimebankCategorySchema):
    """The same fields, each optional (PATCH)."""


class TimebankListingSchema(_Input):
    """An offer (``kind``: ``offer``) or a request (``request``) of a member."""

    class Meta(_Input.Meta):
        model = TimebankListing

    id = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    contact_id = _contact(required=True)
    category_id = _number(required=True)
    kind = fields.String(
        required=True,
        error_messages=_messages(_l("Choose offer or request.")),
        validate=validate.OneOf(KINDS, error=_l("Choose offer or request.")),
    )
    description = _text(2000, allow_none=True, load_default=None)
    is_active = fields.Boolean(
        load_default=True, error_messages=_messages(_l("Give true or false."))
    )


class TimebankListingPatchSchema(TimebankListingSchema):
    """The same fields, each optional (PATCH)."""


class TimebankExchangeSchema(_Input):
    """``hours`` (up to 100, in hundredths: "1.5", "0.25") of a skill that ``provider_id``
    gave ``receiver_id`` on ``exchange_date``. Hours are exact decimals, written as strings."""

    class Meta(_Input.Meta):
        model = TimebankExchange

    id = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    provider_id = _contact(required=True)
    receiver_id = _contact(required=True)
    category_id = _number(required=True)
    hours = fields.Decimal(
        required=True,
        as_string=True,
        error_messages=_messages(
            _l("Give a number of hours, such as 1.5."),
            special=_l("Give a number of hours, such as 1.5."),
        ),
        # A plain function rather than validate.Range: apispec would write the bounds of a
        # Decimal shown as a string as strings, which OpenAPI refuses.
        validate=[_hours_range, _two_decimals],
        metadata={"description": f"More than 0 and at most {MAX_HOURS}, to the hundredth"},
    )
    exchange_date = fields.Date(
        required=True, error_messages=_messages(_l("Give a date as YYYY-MM-DD."))
    )
    description = _text(2000, allow_none=True, load_default=None)

    @post_load
    def _hundredths(self, data, **_kw):
        """1.5 is kept as 1.50, as the database will give it back."""
        if data.get("hours") is not None:
            data["hours"] = data["hours"].quantize(Decimal("0.01"))
        return data

    @pre_load
    def _decimal_comma(self, data, **_kw):
        """ "1,5" as French members write it is 1.5."""
        if isinstance(data, dict) and isinstance(data.get("hours"), str):
            data = {**data, "hours": data["hours"].replace(",", ".")}
        return data


class TimebankExchangePatchSchema(TimebankExchangeSchema):
    """The same fields, each optional (PATCH)."""


class TimebankBalanceSchema(Schema):
    """A member's hours: given to others, received from others, and the difference."""

    contact_id = fields.Integer()
    display_name = fields.String()
    hours_given = fields.Decimal(as_string=True)
    hours_received = fields.Decimal(as_string=True)
    balance = fields.Decimal(as_string=True)


class TimebankCategoryListArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE

    active = fields.Boolean(load_default=None, metadata={"description": "Only active ones"})


class TimebankListingListArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE

    contact_id = fields.Integer(load_default=None, metadata={"description": "Only this member's"})
    category_id = fields.Integer(load_default=None, metadata={"description": "Of this category"})
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    active = fields.Boolean(load_default=None, metadata={"description": "Only active ones"})


class TimebankExchangeListArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE

    contact_id = fields.Integer(
        load_default=None, metadata={"description": "Where this member gave or received"}
    )
    category_id = fields.Integer(load_default=None, metadata={"description": "Of this category"})
    date_from = fields.Date(load_default=None)
    date_to = fields.Date(load_default=None)


TimebankCategoryPage = page_schema("TimebankCategoryPage", TimebankCategorySchema)
TimebankListingPage = page_schema("TimebankListingPage", TimebankListingSchema)
TimebankExchangePage = page_schema("TimebankExchangePage", TimebankExchangeSchema)
TimebankBalancePage = page_schema("TimebankBalancePage", TimebankBalanceSchema)
