"""The PDF of receipts: the French tax receipt (Cerfa n° 11580, "Reçu au titre des dons à
certains organismes d'intérêt général"), always in French, one page per receipt; many receipts
go into one document (one WeasyPrint run), the pile to print."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import current_app
from num2words import num2words
from sqlalchemy.orm import Session

from amicale.api_for_plugins import utcnow

from . import receipt_services as rs
from .models import REPLACED, VOIDED, Receipt

# Mode de versement of the Cerfa, by payment instrument.
CASH, CHEQUE, OTHER = "especes", "cheque", "virement"
MODES = {"cash": CASH, "cheque": CHEQUE, "transfer": OTHER, "card": OTHER, "direct_debit": OTHER}


def amount_in_words(value: Decimal) -> str:
    """``Decimal("33.30")`` -> "trente-trois euros et trente centimes"."""
    value = Decimal(value).quantize(Decimal("0.01"))
    euros, cents = int(value), int((value % 1) * 100)
    text = f"{num2words(euros, lang='fr')} {'euro' if euros <= 1 else 'euros'}"
    if euros and euros % 1_000_000 == 0:
        text = f"{num2words(euros, lang='fr')} d'euros"
    if cents:
        text += f" et {num2words(cents, lang='fr')} {'centime' if cents == 1 else 'centimes'}"
    return text


def french_date(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _html(session: Session, receipts: list[Receipt]) -> str:
    details = rs.legal_details(session)
    items = rs.items_of(session, [r.id for r in receipts])
    replaced_numbers = rs.numbers_of(session, [r.replaces_id for r in receipts])
    pages = []
    for receipt in receipts:
        lines = items.get(receipt.id, [])
        modes = {MODES.get(line.instrument or "", None) for line in lines}
        pages.append(
            {
                "receipt": receipt,
                "lines": lines,
                "amount": rs.french_amount(receipt.total_amount),
                "words": amount_in_words(receipt.total_amount),
                "modes": modes,
                "address": (receipt.donor_address or "").split("\n"),
                "replaces": replaced_numbers.get(receipt.replaces_id),
                "invalid": (
                    "ANNULÉ"
                    if receipt.status == VOIDED
                    else "REMPLACÉ"
                    if receipt.status == REPLACED
                    else None
                ),
            }
        )
    template = current_app.jinja_env.get_template("contribute/receipts/cerfa.html")
    return template.render(
        pages=pages,
        details=details,
        body_kinds=rs.BODY_KINDS,
        articles=rs.ARTICLES,
        gift_forms=rs.GIFT_FORMS,
        address_lines=(details.get("address") or "").splitlines(),
        today=french_date(utcnow().date()),
        french_date=french_date,
        french_amount=rs.french_amount,
    )


_fonts = None


def _font_config():
    """One font configuration for the process: loading the fonts again for each receipt costs
    a third of the time of a one-page PDF."""
    global _fonts
    if _fonts is None:
        from weasyprint.text.fonts import FontConfiguration

        _fonts = FontConfiguration()
    return _fonts


def render_pdf(session: Session, receipts: list[Receipt]) -> bytes:
    """One PDF (A4) of these receipts, each on its own page."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Nothing is fetched: the receipt carries no image nor external style.
    fetcher = URLFetcher(allowed_protocols=("data",))
    return HTML(string=_html(session, receipts), url_fetcher=fetcher).write_pdf(
        font_config=_font_config()
    )
