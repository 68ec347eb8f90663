"""The accounting journal of contributions: every counted contribution of a period or of a batch
as two double-entry lines, a debit on its payment instrument's account (5112 "Chèques à
encaisser") and a credit on its financial type's income account (754 "Dons"), for the
association's accounting software."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from marshmallow import validates_schema
from sqlalchemy import select
from sqlalchemy.orm import Session

from amicale.api_for_plugins import Contact, get_setting, gettext, load_input, schemakit

from . import services
from .batch_services import csv_bytes, get_batch
from .models import COUNTED, Contribution, FinancialType, PaymentInstrument

DEFAULT_JOURNAL_CODE = "BQ"


class JournalArgs(schemakit.PlainSchema):
    """A period (``date_from`` to ``date_to``, both given) or a batch, or both."""

    date_from = schemakit.date_field(allow_none=True, load_default=None)
    date_to = schemakit.date_field(allow_none=True, load_default=None)
    batch_id = schemakit.int_field(1, allow_none=True, load_default=None)

    @validates_schema
    def _period_or_batch(self, data, **_kw):
        start, end = data.get("date_from"), data.get("date_to")
        if not data.get("batch_id"):
            errors = {}
            if start is None:
                errors["date_from"] = [gettext("Give the first day of the period.")]
            if end is None:
                errors["date_to"] = [gettext("Give the last day of the period.")]
            if errors:
                raise schemakit.SchemaError(errors)
        if start and end and end < start:
            raise schemakit.SchemaError(
                gettext("The end date is before the start date."), "date_to"
            )


@dataclass
class JournalLine:
    day: date
    journal: str
    account: str
    label: str
    debit: Decimal
    credit: Decimal
    contribution_id: int


@dataclass
class Journal:
    lines: list[JournalLine]
    date_from: date | None
    date_to: date | None
    batch_id: int | None

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), Decimal("0.00"))

    @property
    def total_credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), Decimal("0.00"))

    @property
    def balanced(self) -> bool:
        return self.total_debit == self.total_credit

    @property
    def missing_accounts(self) -> int:
        """Lines without an account: a type or an instrument whose account is not set."""
        return sum(1 for line in self.lines if not line.account)


def journal_code(session: Session) -> str:
    return get_setting(session, "contribute.journal_code", None) or DEFAULT_JOURNAL_CODE


def set_journal_code(session: Session, code: str | None) -> str:
    """The code of the journal the lines are written in (your accounting software's bank or
    sales journal: "BQ", "VT"...): 1 to 8 letters or digits."""
    import re

    from amicale.api_for_plugins import ValidationError, set_setting

    code = (code or "").strip().upper()
    if not re.fullmatch(r"[A-Z0-9]{1,8}", code):
        raise ValidationError(
            gettext("Give a journal code of 1 to 8 letters or digits, such as BQ."),
            field="journal_code",
        )
    set_setting(session, "contribute.journal_code", code)
    return code


def journal(session: Session, data: dict) -> Journal:
    """The journal of the counted contributions (Completed; Partially paid for what was paid)
    of a period and/or a batch (``JournalArgs``), by date: one query for every line."""
    args = load_input(JournalArgs(), data)
    if args.get("batch_id"):
        get_batch(session, args["batch_id"])
    code = journal_code(session)
    amount = services.counted_amount()
    query = (
        select(
            Contribution.id,
            Contribution.receive_date,
            amount,
            Contact.display_name,
            FinancialType.account_code,
            PaymentInstrument.account_code,
        )
        .join(Contact, Contact.id == Contribution.contact_id)
        .join(FinancialType, FinancialType.id == Contribution.financial_type_id)
        .outerjoin(PaymentInstrument, PaymentInstrument.id == Contribution.payment_instrument_id)
        .where(Contribution.status.in_(COUNTED), amount > 0)
        .order_by(Contribution.receive_date, Contribution.id)
    )
    if args.get("date_from"):
        query = query.where(Contribution.receive_date >= args["date_from"])
    if args.get("date_to"):
        query = query.where(Contribution.receive_date <= args["date_to"])
    if args.get("batch_id"):
        query = query.where(Contribution.batch_id == args["batch_id"])
    zero = Decimal("0.00")
    lines: list[JournalLine] = []
    for cid, day, value, name, income, debit_account in session.execute(query):
        value = services.money(value)
        label = gettext("%(name)s, contribution %(number)s", name=name, number=cid)
        lines.append(JournalLine(day, code, debit_account or "", label, value, zero, cid))
        lines.append(JournalLine(day, code, income or "", label, zero, value, cid))
    return Journal(lines, args.get("date_from"), args.get("date_to"), args.get("batch_id"))


def journal_csv(entries: Journal) -> bytes:
    """The journal as CSV (UTF-8 with a BOM, ``;``, ISO dates, amounts as 12.50)."""
    header = [
        gettext("Date"),
        gettext("Journal"),
        gettext("Account"),
        gettext("Label"),
        gettext("Debit"),
        gettext("Credit"),
    ]
    rows = [
        [
            line.day.isoformat(),
            line.journal,
            line.account,
            line.label,
            line.debit,
            line.credit,
        ]
        for line in entries.lines
    ]
    return csv_bytes(header, rows)


def journal_filename(entries: Journal) -> str:
    if entries.batch_id and not entries.date_from:
        return f"journal-batch-{entries.batch_id}.csv"
    return f"journal-{entries.date_from}-{entries.date_to}.csv"
