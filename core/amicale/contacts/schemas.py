"""What a valid contact is, for the API and the forms alike: schemas derived from the models,
with by hand only what differs."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates
from marshmallow.experimental.context import Context
from marshmallow_sqlalchemy import SQLAlchemyAutoSchema

from ..api.pagination import PageArgs, page_schema
from .models import (
    GENDERS,
    LOCATION_TYPES,
    PHONE_TYPES,
    WEBSITE_TYPES,
    Address,
    Contact,
    ContactType,
    Email,
    Phone,
    Website,
)
from .normalise import PhoneError, is_country_code, normalise_phone


class _Auto(SQLAlchemyAutoSchema):
    class Meta:
        unknown = EXCLUDE
        include_fk = False


class EmailSchema(_Auto):
    class Meta(_Auto.Meta):
        model = Email
        exclude = ("contact_id",)

    id = fields.Integer(dump_only=True)
    email = fields.Email(required=True)
    location_type = fields.String(load_default="Home", validate=validate.OneOf(LOCATION_TYPES))


class PhoneSchema(_Auto):
    class Meta(_Auto.Meta):
        model = Phone
        exclude = ("contact_id",)

    id = fields.Integer(dump_only=True)
    phone = fields.String(required=True, validate=validate.Length(min=1, max=40))
    phone_normalized = fields.String(dump_only=True)
    phone_type = fields.String(load_default="Phone", validate=validate.OneOf(PHONE_TYPES))
    location_type = fields.String(load_default="Home", validate=validate.OneOf(LOCATION_TYPES))

    @validates("phone")
    def _possible_number(self, value: str, **_kw) -> None:
        region = Context.get({}).get("region", "FR")
        try:
            normalise_phone(value, region)
        except PhoneError as exc:
            raise ValidationError(
                str(_l("This is not a valid phone number (region %(region)s).", region=region))
            ) from exc


class AddressSchema(_Auto):
    class Meta(_Auto.Meta):
        model = Address
        exclude = ("contact_id",)

    id = fields.Integer(dump_only=True)
    location_type = fields.String(load_default="Home", validate=validate.OneOf(LOCATION_TYPES))
    country = fields.String(allow_none=True)

    @validates("country")
    def _iso_country(self, value: str | None, **_kw) -> None:
        if value and not is_country_code(value.strip()):
            raise ValidationError(
                str(
                    _l(
                        "Unknown country code %(code)s (use ISO codes such as FR, BE, CH).",
                        code=value,
                    )
                )
            )


class WebsiteSchema(_Auto):
    class Meta(_Auto.Meta):
        model = Website
        exclude = ("contact_id",)

    id = fields.Integer(dump_only=True)
    url = fields.Url(required=True, schemes={"http", "https"})
    website_type = fields.String(load_default="Main", validate=validate.OneOf(WEBSITE_TYPES))


class ContactSchema(_Auto):
    """A contact with its details nested as lists and its custom values as ``custom``."""

    class Meta(_Auto.Meta):
        model = Contact
        dump_only = ("id", "display_name", "sort_name", "created_at", "modified_at", "is_deleted")

    contact_type = fields.String(
        load_default=ContactType.INDIVIDUAL, validate=validate.OneOf([t.value for t in ContactType])
    )
    gender = fields.String(allow_none=True, validate=validate.OneOf(GENDERS))
    preferred_language = fields.String(allow_none=True, validate=validate.Length(max=10))
    subtypes = fields.List(fields.String(), load_default=None)
    emails = fields.List(fields.Nested(EmailSchema), load_default=None)
    phones = fields.List(fields.Nested(PhoneSchema), load_default=None)
    addresses = fields.List(fields.Nested(AddressSchema), load_default=None)
    websites = fields.List(fields.Nested(WebsiteSchema), load_default=None)
    custom = fields.Dict(keys=fields.String(), load_default=None)


class ContactListArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default=None, metadata={"description": "quick search"})
    contact_type = fields.String(
        load_default=None, validate=validate.OneOf([t.value for t in ContactType])
    )
    include_deleted = fields.Boolean(load_default=False)
    only_deleted = fields.Boolean(load_default=False)
    sort = fields.String(
        load_default="sort_name",
        validate=validate.OneOf(
            [
                "sort_name",
                "-sort_name",
                "created_at",
                "-created_at",
                "modified_at",
                "-modified_at",
                "id",
                "-id",
            ]
        ),
    )


class ContactSummarySchema(Schema):
    id = fields.Integer()
    contact_type = fields.String()
    display_name = fields.String()
    sort_name = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    is_deleted = fields.Boolean()


ContactPageSchema = page_schema("ContactPageSchema", ContactSummarySchema)
