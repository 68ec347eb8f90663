"""Donation pages (``ContributionPage``): what a valid one is, and creating, changing and
deactivating them. Every refusal names its field, all at once, and nothing is written."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from marshmallow import fields, validate
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amicale.api_for_plugins import (
    MessageTemplate,
    NotFound,
    ValidationError,
    gettext,
    load_input,
    schemakit,
)
from amicale.api_for_plugins import lazy_gettext as _l

from . import processors, services
from .models import FREQUENCY_UNITS, MONTH, Campaign, ContributionPage, FinancialType

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_PRESETS = 8


class PageSchema(schemakit.PlainSchema):
    """A donation page as typed in the admin form (lists as lists; ``preset_amounts`` may be a
    text "10, 25, 50")."""

    title = fields.String(
        required=True,
        error_messages=schemakit.messages(_l("Give a text.")),
        validate=validate.Length(min=1, max=255, error=_l("At most %(max)d characters.", max=255)),
    )
    slug = fields.String(
        required=True,
        error_messages=schemakit.messages(_l("Give a text.")),
        validate=validate.Regexp(
            SLUG,
            error=_l(
                "Use lower-case letters, digits and hyphens (at most 64), such as spring-appeal."
            ),
        ),
    )
    intro = schemakit.text_field(10000, allow_none=True, load_default=None)
    thankyou_text = schemakit.text_field(10000, allow_none=True, load_default=None)
    financial_type_id = schemakit.int_field(1, required=True)
    campaign_id = schemakit.int_field(1, allow_none=True, load_default=None)
    allow_other_amount = fields.Boolean(load_default=False)
    minimum_amount = schemakit.money_field(allow_none=True, load_default=None)
    maximum_amount = schemakit.money_field(allow_none=True, load_default=None)
    allow_recurring = fields.Boolean(load_default=False)
    thankyou_template_id = schemakit.int_field(1, allow_none=True, load_default=None)
    currency = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^[A-Z]{3}$", error=_l("Give a currency code such as EUR.")),
    )
    is_active = fields.Boolean(load_default=True)


def parse_amounts(raw) -> tuple[list[str], list[str]]:
    """``"10, 25, 50"`` (or a list) -> (["10.00", "25.00", "50.00"], error messages)."""
    items = raw if isinstance(raw, list | tuple) else re.split(r"[,;\s]+", str(raw or ""))
    amounts: list[str] = []
    errors: list[str] = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        try:
            value = Decimal(item).quantize(services.CENT)
        except InvalidOperation:
            errors.append(gettext("%(text)s is not an amount.", text=item))
            continue
        if not value.is_finite() or value <= 0:
            errors.append(gettext("Give amounts above 0."))
            continue
        if str(value) not in amounts:
            amounts.append(str(value))
    if len(amounts) > MAX_PRESETS:
        errors.append(gettext("At most %(max)d amounts.", max=MAX_PRESETS))
    return sorted(amounts, key=Decimal), errors


def _clean(session: Session, data: dict, own_id: int | None) -> dict:
    """The page's values, every refusal at once (``ValidationError`` with ``errors``)."""
    errors: dict[str, list[str]] = {}
    try:
        values = load_input(PageSchema(), data)
    except ValidationError as exc:
        values = {}
        errors.update(exc.errors or {})
    presets, preset_errors = parse_amounts(data.get("preset_amounts"))
    if preset_errors:
        errors["preset_amounts"] = preset_errors
    units = [u for u in data.get("recurring_units") or [] if u]
    if any(u not in FREQUENCY_UNITS for u in units):
        errors["recurring_units"] = [gettext("Choose one of the options.")]
    offered = processors.available()
    chosen = [p for p in data.get("processors") or [] if p]
    if not chosen:
        errors["processors"] = [gettext("Choose at least one way to pay.")]
    elif any(p not in offered for p in chosen):
        errors["processors"] = [gettext("Choose one of the options.")]
    if values:
        if values.get("slug") and session.scalar(
            select(ContributionPage.id).where(
                func.lower(ContributionPage.slug) == values["slug"].lower(),
                ContributionPage.id != (own_id or 0),
            )
        ):
            errors.setdefault("slug", []).append(gettext("Another page has this address."))
        ftype = session.get(FinancialType, values["financial_type_id"])
        if ftype is None or not ftype.is_active:
            errors.setdefault("financial_type_id", []).append(gettext("Choose one of the options."))
        if values.get("campaign_id") and session.get(Campaign, values["campaign_id"]) is None:
            errors.setdefault("campaign_id", []).append(gettext("Choose one of the options."))
        template_id = values.get("thankyou_template_id")
        if template_id and session.get(MessageTemplate, template_id) is None:
            errors.setdefault("thankyou_template_id", []).append(
                gettext("Choose one of the options.")
            )
        low, high = values.get("minimum_amount"), values.get("maximum_amount")
        if low is not None and high is not None and high < low:
            errors.setdefault("maximum_amount", []).append(
                gettext("The maximum is below the minimum.")
            )
        if high is not None and high <= 0:
            errors.setdefault("maximum_amount", []).append(gettext("Give an amount above 0."))
        if not presets and not values.get("allow_other_amount") and "preset_amounts" not in errors:
            errors["preset_amounts"] = [
                gettext("Give at least one amount, or let donors choose their own.")
            ]
        if values.get("allow_recurring") and not units and "recurring_units" not in errors:
            errors["recurring_units"] = [gettext("Choose how often donors may give.")]
    if errors:
        first = next(iter(errors.values()))[0]
        message = first if len(errors) == 1 else gettext("Some fields are not valid.")
        raise ValidationError(message, errors=errors)
    values["preset_amounts"] = presets
    values["recurring_units"] = [u for u in FREQUENCY_UNITS if u in units] or [MONTH]
    values["processors"] = list(dict.fromkeys(chosen))
    values["currency"] = values.get("currency") or services.currency_of(session)
    return values


def list_pages(session: Session) -> list[ContributionPage]:
    return list(
        session.scalars(
            select(ContributionPage).order_by(
                ContributionPage.is_active.desc(), ContributionPage.title
            )
        )
    )


def get_page(session: Session, page_id: int) -> ContributionPage:
    page = session.get(ContributionPage, page_id)
    if page is None:
        raise NotFound(gettext("No donation page with the number %(id)s.", id=page_id))
    return page


def active_page(session: Session, slug: str) -> ContributionPage:
    """The active page at this address; NotFound for an unknown or inactive one."""
    page = session.scalar(select(ContributionPage).where(ContributionPage.slug == slug))
    if page is None or not page.is_active:
        raise NotFound(gettext("This donation page does not exist or is closed."))
    return page


def create_page(session: Session, data: dict) -> ContributionPage:
    page = ContributionPage(**_clean(session, data, None))
    session.add(page)
    session.flush()
    return page


def update_page(session: Session, page_id: int, data: dict) -> ContributionPage:
    page = get_page(session, page_id)
    for key, value in _clean(session, data, page.id).items():
        setattr(page, key, value)
    session.flush()
    return page


def set_active(session: Session, page_id: int, active: bool) -> ContributionPage:
    page = get_page(session, page_id)
    page.is_active = active
    session.flush()
    return page


def form_values(page: ContributionPage) -> dict:
    """A page as the admin form shows it."""
    return {
        "title": page.title,
        "slug": page.slug,
        "intro": page.intro,
        "thankyou_text": page.thankyou_text,
        "financial_type_id": page.financial_type_id,
        "campaign_id": page.campaign_id,
        "preset_amounts": ", ".join(page.preset_amounts or []),
        "allow_other_amount": page.allow_other_amount,
        "minimum_amount": page.minimum_amount,
        "maximum_amount": page.maximum_amount,
        "allow_recurring": page.allow_recurring,
        "recurring_units": list(page.recurring_units or []),
        "processors": list(page.processors or []),
        "thankyou_template_id": page.thankyou_template_id,
        "currency": page.currency,
        "is_active": page.is_active,
    }
