"""Applying from a programme's public page (no login): the applicant is found by their email
(the oldest contact with it, not in the trash) or becomes a new contact, a person or, when an
organisation's name is given, an organisation; the application is then recorded as any other
(Submitted) and the applicant gets an acknowledgement by email."""

from __future__ import annotations

from marshmallow import fields, validate
from sqlalchemy.orm import Session

from amicale.api_for_plugins import (
    Contact,
    ValidationError,
    contact_by_email,
    create_contact,
    format_money,
    gettext,
    load_input,
    schemakit,
    send_email,
)
from amicale.api_for_plugins import lazy_gettext as _l

from . import services
from .models import Grant, GrantProgramme

PUBLIC_SOURCE = "Public application page"


class PublicApplicationSchema(schemakit.PlainSchema):
    """What the public form asks; the type and custom fields are checked by the services."""

    first_name = schemakit.text_field(64, required=True)
    last_name = schemakit.text_field(64, required=True)
    organization_name = schemakit.text_field(128, allow_none=True, load_default=None)
    email = fields.String(
        required=True,
        error_messages=schemakit.messages(_l("Give a text.")),
        validate=[
            validate.Length(max=254, error=_l("At most %(max)d characters.", max=254)),
            validate.Email(error=_l("This is not a valid email address.")),
        ],
    )
    phone = schemakit.text_field(32, allow_none=True, load_default=None)
    amount_total = schemakit.money_field(required=True)
    rationale = schemakit.text_field(10000, required=True)


def is_open(programme: GrantProgramme) -> bool:
    """Active, public, and within its dates."""
    today = services.today_()
    return bool(
        programme.is_active
        and programme.is_public
        and (programme.start_date is None or programme.start_date <= today)
        and (programme.end_date is None or today <= programme.end_date)
    )


def type_choices(session: Session, programme: GrantProgramme) -> list[tuple[int, str]]:
    """The programme's type when it has one, else every active type."""
    if programme.grant_type_id:
        gtype = services.get_type(session, programme.grant_type_id)
        return [(gtype.id, gtype.name)]
    return services.type_options(session)


def _contact_for(session: Session, values: dict) -> Contact:
    """The contact with this email (the oldest, not in the trash), or a new one."""
    email = values["email"]
    found = contact_by_email(session, email)
    if found is not None:
        return found
    data: dict = {"emails": [{"email": email, "is_primary": True}]}
    if values.get("organization_name"):
        data.update(contact_type="Organization", organization_name=values["organization_name"])
    else:
        data.update(
            contact_type="Individual",
            first_name=values["first_name"],
            last_name=values["last_name"],
        )
    data["source"] = gettext("Grant application page")
    if values.get("phone"):
        data["phones"] = [{"phone": values["phone"], "is_primary": True}]
    try:
        return create_contact(session, data)
    except ValidationError as exc:  # a phone the core refuses
        errors = {}
        for key, messages in (exc.errors or {}).items():
            errors["phone" if key.startswith("phones") else key.rsplit(".", 1)[-1]] = messages
        raise ValidationError(exc.message, errors=errors or None) from None


def apply(session: Session, programme: GrantProgramme, data: dict) -> Grant:
    """Record the application of the form (every problem reported at once)."""
    offered = {str(i) for i, _name in type_choices(session, programme)}
    type_id = str(data.get("grant_type_id") or "").strip()
    if len(offered) == 1:
        type_id = next(iter(offered))
    errors: dict[str, list[str]] = {}
    values: dict = {}
    try:
        values = load_input(PublicApplicationSchema(), data)
    except ValidationError as exc:
        errors.update(exc.errors or {})
    if type_id not in offered:
        errors["grant_type_id"] = [gettext("Choose one of the options.")]
    if errors:
        raise ValidationError(gettext("Some fields are not valid."), errors=errors)
    from . import custom_fields

    custom_fields.check(session, data.get("custom"), creating=True)  # before a contact is made
    contact = _contact_for(session, values)
    return services.create_grant(
        session,
        {
            "contact_id": contact.id,
            "grant_type_id": int(type_id),
            "programme_id": programme.id,
            "amount_total": str(values["amount_total"]),
            "currency": programme.currency,
            "rationale": values["rationale"],
            "source": PUBLIC_SOURCE,
            "custom": data.get("custom") or None,
        },
    )


def send_acknowledgement(session: Session, grant: Grant, programme: GrantProgramme) -> bool:
    """Tell the applicant their application arrived; False when it could not be sent."""
    text = gettext(
        "Hello {contact.first_name},\n\nWe have received your application to %(programme)s "
        "for %(amount)s. We will let you know of our decision.",
        programme=programme.name,
        amount=format_money(grant.amount_total, grant.currency),
    )
    try:
        report = send_email(
            session,
            {
                "contact_ids": [grant.contact_id],
                "subject": gettext("Your application to %(programme)s", programme=programme.name),
                "body_text": text + "\n\n{organisation.name}",
            },
        )
    except ValidationError:
        return False
    return bool(report.sent)
