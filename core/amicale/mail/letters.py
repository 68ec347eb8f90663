"""Postal mail: personalised letters and address labels as PDF (WeasyPrint), for the contacts
without a usable email or who prefer post.

Letters use the same templates and tokens as emails (token values fetched for the whole batch),
are written in the organisation's language, and are recorded as one Letter activity whose
targets are the contacts who get one. Contacts who cannot get a letter are listed with the
reason, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask import render_template
from flask_babel import force_locale, format_date, get_timezone
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from marshmallow import EXCLUDE, Schema, validate
from marshmallow import fields as ma_fields
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..contacts.models import Address, Contact
from ..contacts.normalise import country_name
from ..errors import ValidationError
from ..organisation.services import get_settings
from ..validation import load_input
from .schemas import EmailSendSchema
from .services import chosen_template
from .tokens import check_tokens, render, token_values, tokens_in

MAX_LETTERS = 2000


@dataclass(frozen=True)
class LabelLayout:
    """An A4 sheet of labels: ``columns`` x ``rows`` labels of ``width`` x ``height`` mm, the
    first one at (``left``, ``top``) mm, the next ones every ``pitch_x`` / ``pitch_y`` mm."""

    name: str
    label: str
    columns: int
    rows: int
    width: float
    height: float
    top: float
    left: float
    pitch_x: float
    pitch_y: float

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows


LABEL_LAYOUTS = {
    layout.name: layout
    for layout in (
        # Avery Zweckform 3474 (and compatibles): 24 labels of 70 x 37 mm, edge to edge.
        LabelLayout("3x8", "Avery 3474 — 3 × 8, 70 × 37 mm", 3, 8, 70, 37, 0.5, 0, 70, 37),
        # Avery L7160 (and compatibles): 21 labels of 63.5 x 38.1 mm.
        LabelLayout(
            "3x7", "Avery L7160 — 3 × 7, 63.5 × 38.1 mm", 3, 7, 63.5, 38.1, 15.15, 7.25, 66.04, 38.1
        ),
    )
}


class LetterSchema(EmailSendSchema):
    """Letters to one or more contacts: a template, or a subject and a body written now."""


class LabelsSchema(Schema):
    """Address labels for one or more contacts."""

    class Meta:
        unknown = EXCLUDE

    contact_ids = ma_fields.List(
        ma_fields.Integer(validate=validate.Range(min=1)),
        required=True,
        validate=validate.Length(min=1),
    )
    layout = ma_fields.String(
        load_default="3x8",
        validate=validate.OneOf(list(LABEL_LAYOUTS)),
        metadata={
            "description": "3x8 (Avery 3474, 70 x 37 mm) or 3x7 (Avery L7160, 63.5 x 38.1 mm)"
        },
    )


@dataclass
class LetterRecipient:
    contact_id: int
    display_name: str
    address_lines: list[str] = field(default_factory=list)
    reason: str | None = None  # why no letter can be sent


def letter_recipients(session: Session, contact_ids: Iterable[int]) -> list[LetterRecipient]:
    """Each contact with its postal address as printed on an envelope (French style), or the
    reason it cannot get a letter (trash, deceased, does not want post, no usable address)."""
    ids = list(dict.fromkeys(contact_ids))
    org = get_settings(session, "organisation.")
    org_country = (org.get("organisation.country") or "FR").upper()
    locale = _organisation_locale(org)
    found: dict[int, tuple] = {}
    for start in range(0, len(ids), 5000):
        rows = session.execute(
            select(
                Contact.id,
                Contact.display_name,
                Contact.is_deleted,
                Contact.is_deceased,
                Contact.do_not_mail,
                Address.street_address,
                Address.supplemental_address_1,
                Address.supplemental_address_2,
                Address.postal_code,
                Address.city,
                Address.country,
            )
            .outerjoin(Address, (Address.contact_id == Contact.id) & Address.is_primary)
            .where(Contact.id.in_(ids[start : start + 5000]))
        )
        found.update({row[0]: tuple(row) for row in rows})
    out = []
    for cid in ids:
        row = found.get(cid)
        if row is None:
            out.append(LetterRecipient(cid, "", reason=str(_l("No contact with this number."))))
            continue
        _id, name, deleted, deceased, do_not_mail, street, sup1, sup2, postal, city, country = row
        reason = None
        if deleted:
            reason = _l("In the trash.")
        elif deceased:
            reason = _l("Deceased.")
        elif do_not_mail:
            reason = _l("Does not want postal mail.")
        elif not (street and postal and city):
            reason = _l("No postal address (street, postal code and city).")
        lines = (
            []
            if reason
            else _address_lines(
                name, street, sup1, sup2, postal, city, country, org_country, locale
            )
        )
        out.append(LetterRecipient(cid, name, lines, str(reason) if reason else None))
    return out


def _address_lines(
    name, street, sup1, sup2, postal, city, country, org_country, locale
) -> list[str]:
    """Name, street, supplemental lines, postal code and CITY, and the country (in capitals)
    when abroad: the order of La Poste's standard (NF Z10-011)."""
    lines = [name, street, sup1, sup2, f"{postal.strip()} {city.strip().upper()}"]
    if country and country.upper() != org_country:
        lines.append(country_name(country, locale).upper())
    return [line.strip() for line in lines if line and line.strip()]


def _organisation_locale(org: dict) -> str:
    """The language of what is printed: the organisation's, whoever prints it."""
    value = org.get("organisation.default_locale")
    return value if value in ("fr", "en") else "fr"


def _sender_lines(org: dict) -> list[str]:
    city_line = " ".join(
        v for v in (org.get("organisation.postal_code"), org.get("organisation.city")) if v
    )
    return [
        v
        for v in (
            org.get("organisation.name"),
            org.get("organisation.street_address"),
            city_line,
            org.get("organisation.email"),
        )
        if v
    ]


def _reachable(session: Session, contact_ids: list[int]) -> list[LetterRecipient]:
    if len(set(contact_ids)) > MAX_LETTERS:
        raise ValidationError(
            str(_l("At most %(max)d contacts at once.", max=MAX_LETTERS)), field="contact_ids"
        )
    people = letter_recipients(session, contact_ids)
    reachable = [p for p in people if p.reason is None]
    if not reachable:
        raise ValidationError(
            str(_l("Nobody among the chosen contacts can receive a letter.")),
            errors={
                "contact_ids": [f"{p.display_name or p.contact_id}: {p.reason}" for p in people]
            },
        )
    return reachable


def _content(session: Session, values: dict) -> tuple[str, str | None, str | None]:
    """Subject, text and HTML from a template and/or what was written: a body written now
    replaces the template's (text and HTML together), a subject written now its subject."""
    subject, text, html = values.get("subject"), values.get("body_text"), values.get("body_html")
    if values.get("template_id"):
        template = chosen_template(session, values["template_id"])
        subject = subject or template.subject
        if not text and not html:
            text, html = template.body_text, template.body_html
    errors = {}
    if not subject:
        errors["subject"] = [str(_l("Give the letter a subject."))]
    if not text and not html:
        errors["body_text"] = [str(_l("Write the letter."))]
    if errors:
        raise ValidationError(str(_l("Some fields are not valid.")), errors=errors)
    check_tokens({"subject": subject, "body_text": text, "body_html": html})
    return subject, text, html


def _text_as_html(text: str) -> Markup:
    """Paragraphs at blank lines, line breaks kept."""
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in p.split("\n")))
        for p in paragraphs
    )


def _pdf(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # A template's HTML may not make the server fetch anything (no file://, no intranet URL):
    # only inline data: images.
    fetcher = URLFetcher(allowed_protocols=("data",))
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def _today() -> date:
    return utcnow().astimezone(get_timezone()).date()


def render_letters(
    session: Session,
    contact_ids: list[int],
    *,
    template_id: int | None = None,
    subject: str | None = None,
    body_text: str | None = None,
    body_html: str | None = None,
    user=None,
) -> bytes:
    """One PDF (A4) of letters, each starting on a new page, to the contacts who can get one,
    and one Letter activity recording them (the caller commits). ValidationError, and nothing
    produced nor recorded, when the input is wrong or nobody has a postal address."""
    from ..activities.services import create_activity

    values = load_input(
        LetterSchema(),
        {
            "contact_ids": list(contact_ids),
            "template_id": template_id,
            "subject": subject,
            "body_text": body_text,
            "body_html": body_html,
        },
    )
    subject, text, html = _content(session, values)
    reachable = _reachable(session, values["contact_ids"])
    ids = [p.contact_id for p in reachable]
    filled = token_values(session, ids, tokens_in(subject, text, html))
    org = get_settings(session, "organisation.")
    locale = _organisation_locale(org)
    letters = []
    for person in reachable:
        tokens = filled.get(person.contact_id, {})
        body = (
            Markup(render(html, tokens, html=True)) if html else _text_as_html(render(text, tokens))
        )
        letters.append(
            {
                "recipient": person,
                "subject": render(subject, tokens).replace("\n", " "),
                "body": body,
            }
        )
    with force_locale(locale):
        page = render_template(
            "mail/letters/letters.html",
            letters=letters,
            sender=_sender_lines(org),
            city=org.get("organisation.city") or "",
            today=format_date(_today(), format="long"),
            lang=locale,
        )
    pdf = _pdf(page)
    create_activity(
        session,
        {
            "activity_type": "letter",
            "subject": subject[:255],
            "details": text or html,
            "status": "Completed",
            "source_contact_id": getattr(user, "contact_id", None),
            "target_contact_ids": ids,
        },
        user_id=getattr(user, "id", None),
    )
    return pdf


def render_labels(session: Session, contact_ids: list[int], *, layout: str = "3x8") -> bytes:
    """A PDF of address labels on A4 sheets (``LABEL_LAYOUTS``), in the order given, for the
    contacts who can get a letter. Nothing is recorded."""
    values = load_input(LabelsSchema(), {"contact_ids": list(contact_ids), "layout": layout})
    reachable = _reachable(session, values["contact_ids"])
    sheet = LABEL_LAYOUTS[values["layout"]]
    sheets = []
    for start in range(0, len(reachable), sheet.per_sheet):
        labels = []
        for n, person in enumerate(reachable[start : start + sheet.per_sheet]):
            row, column = divmod(n, sheet.columns)
            labels.append(
                {
                    "lines": person.address_lines,
                    "top": sheet.top + row * sheet.pitch_y,
                    "left": sheet.left + column * sheet.pitch_x,
                }
            )
        sheets.append(labels)
    page = render_template(
        "mail/letters/labels.html",
        sheets=sheets,
        layout=sheet,
        lang=_organisation_locale(get_settings(session, "organisation.")),
    )
    return _pdf(page)
