"""Building blocks of input schemas for components and extensions (``api_for_plugins``): the
fields every form has (a text, a whole number, an amount of money, a date, a choice) with
messages in the reader's language, and two bases that trim text inputs and treat an empty one
as nothing: ``InputSchema`` (derived from a table with marshmallow-sqlalchemy) and
``PlainSchema`` (an action's input, not tied to a table)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, fields, pre_load, validate
from marshmallow import ValidationError as SchemaError
from marshmallow_sqlalchemy import SQLAlchemyAutoSchema

__all__ = [
    "REQUIRED",
    "InputSchema",
    "PlainSchema",
    "SchemaError",
    "choice_field",
    "date_field",
    "int_field",
    "messages",
    "money_field",
    "not_negative",
    "text_field",
]

REQUIRED = {"required": _l("This field is required."), "null": _l("This field is required.")}


def messages(invalid=None, **more) -> dict:
    """The error messages of a field: "required" and "null", ``invalid`` and any other."""
    out = dict(REQUIRED)
    if invalid is not None:
        out["invalid"] = invalid
    out.update(more)
    return out


def int_field(low: int | None = None, high: int | None = None, **kw) -> fields.Integer:
    checks = []
    if low is not None or high is not None:
        checks.append(validate.Range(min=low, max=high, error=_l("Give a number in range.")))
    return fields.Integer(
        error_messages=messages(_l("Give a whole number.")), validate=checks, **kw
    )


def text_field(max_length: int, **kw) -> fields.String:
    return fields.String(
        error_messages=messages(_l("Give a text.")),
        validate=validate.Length(
            max=max_length, error=_l("At most %(max)d characters.", max=max_length)
        ),
        **kw,
    )


def date_field(**kw) -> fields.Date:
    return fields.Date(error_messages=messages(_l("Give a date as YYYY-MM-DD.")), **kw)


def not_negative(value) -> None:
    # a function rather than validate.Range: apispec would write Range's minimum as the
    # string "0.00" of a Decimal field, which is not valid OpenAPI
    if value is not None and value < 0:
        raise SchemaError(str(_l("Give an amount of 0 or more.")))


def money_field(**kw) -> fields.Decimal:
    """An amount of money: a Decimal with two places, never a float, written as a string."""
    kw.setdefault("validate", not_negative)
    return fields.Decimal(
        as_string=True,
        places=2,
        error_messages=messages(_l("Give an amount, such as 25.00.")),
        **kw,
    )


def choice_field(options, **kw) -> fields.String:
    return fields.String(
        error_messages=messages(_l("Choose one of the options.")),
        validate=validate.OneOf(options, error=_l("Choose one of the options.")),
        **kw,
    )


class _Cleaning:
    """Text inputs are trimmed, and an empty one means "nothing"; messages are lazy (in the
    language of whoever reads them) and marshmallow wants text."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages = {k: str(v) for k, v in field.error_messages.items()}
            for check in getattr(field, "validators", []):
                if getattr(check, "error", None) is not None:
                    check.error = str(check.error)

    @pre_load
    def _clean(self, data, **_kw):
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for key, value in out.items():
            if isinstance(value, str):
                out[key] = value.strip() or None
        return out


class InputSchema(_Cleaning, SQLAlchemyAutoSchema):
    """A table's input: set ``Meta.model`` in a subclass (``class Meta(InputSchema.Meta)``)."""

    class Meta:
        include_fk = True
        unknown = EXCLUDE


class PlainSchema(_Cleaning, Schema):
    """An action's input (not tied to a table)."""

    class Meta:
        unknown = EXCLUDE
