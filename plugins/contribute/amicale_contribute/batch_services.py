"""The rules of batches: gifts typed in together (the cheques of a day's post) against an
expected count and total, and the deposit slip of their cheques.

A batch is Open while its entries are typed; it closes only when the count and the total of its
entries match the expected ones, and then takes no more entries (an administrator may reopen
it). Every function takes the session and leaves the commit to its caller.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from marshmallow import validates_schema
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from amicale.api_for_plugins import (
    Conflict,
    Contact,
    NotFound,
    ValidationError,
    get_setting,
    gettext,
    load_input,
    schemakit,
    utcnow,
)
from amicale.api_for_plugins import lazy_gettext as _l

from . import services
from .models import CLOSED, COMPLETED, OPEN, Batch, Contribution, PaymentInstrument
from .schemas import BatchSchema

CHEQUE = "cheque"
STATUS_LABELS = {OPEN: _l("Open"), CLOSED: _l("Closed")}
CHOICES_SHOWN = 10


def _positive(value) -> None:
    # a function rather than validate.Range: see schemakit.not_negative (OpenAPI document)
    if value is not None and value <= 0:
        raise schemakit.SchemaError(gettext("Give an amount above 0."))


class BatchEntrySchema(schemakit.PlainSchema):
    """One entry of a batch: the contact by number (``contact_id``) or as typed (``contact``: a
    name or a contact number, looked up); what the batch does not give is its default."""

    contact_id = schemakit.int_field(1, allow_none=True, load_default=None)
    contact = schemakit.text_field(255, allow_none=True, load_default=None)
    amount = schemakit.money_field(required=True, validate=_positive)
    check_number = schemakit.text_field(64, allow_none=True, load_default=None)
    receive_date = schemakit.date_field(allow_none=True, load_default=None)
    financial_type_id = schemakit.int_field(1, allow_none=True, load_default=None)
    payment_instrument_id = schemakit.int_field(1, allow_none=True, load_default=None)
    note = schemakit.text_field(5000, allow_none=True, load_default=None)

    @validates_schema(skip_on_field_errors=False)
    def _a_contact(self, data, **_kw):
        if not data.get("contact_id") and not data.get("contact"):
            raise schemakit.SchemaError(gettext("Type a name or a contact number."), "contact")


class ContactChoice(ValidationError):
    """Several contacts match what was typed: ``choices`` lists them (id, display name)."""

    def __init__(self, message: str, choices: list[tuple[int, str]]):
        super().__init__(message, field="contact")
        self.choices = choices


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


# -- batches -------------------------------------------------------------------------------------


def get_batch(session: Session, batch_id: int) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(gettext("No batch with the number %(id)s.", id=batch_id))
    return batch


def open_batch(session: Session, data: dict, *, user_id: int | None = None) -> Batch:
    """A new open batch (``BatchSchema``): its expected count and total, and the defaults of
    its entries (financial type, payment instrument, date received)."""
    values = load_input(BatchSchema(), data)
    if values.get("financial_type_id"):
        services.resolve_financial_type(session, values)
    if values.get("payment_instrument_id"):
        services.resolve_instrument(session, values)
    if values.get("expected_total") is None:
        values["expected_total"] = Decimal("0.00")
    batch = Batch(**values, status=OPEN, created_by=user_id)
    session.add(batch)
    session.flush()
    return batch


def _require_open(batch: Batch) -> None:
    if batch.status != OPEN:
        raise Conflict(
            gettext("The batch %(title)s is closed: reopen it first.", title=batch.title)
        )


@dataclass
class InstrumentTotal:
    label: str
    count: int
    total: Decimal


@dataclass
class BatchTotals:
    """What was typed in a batch against what was expected, and by payment instrument."""

    count: int
    total: Decimal
    expected_count: int
    expected_total: Decimal
    by_instrument: list[InstrumentTotal] = field(default_factory=list)

    @property
    def count_difference(self) -> int:
        return self.count - self.expected_count

    @property
    def total_difference(self) -> Decimal:
        return self.total - self.expected_total

    @property
    def matches(self) -> bool:
        return self.count_difference == 0 and self.total_difference == 0


def _instrument_labels(session: Session) -> dict[int | None, str]:
    labels: dict[int | None, str] = {
        i.id: services.instrument_label(i) for i in services.instruments(session)
    }
    labels[None] = gettext("Not given")
    return labels


def batch_totals(session: Session, batch: Batch) -> BatchTotals:
    """Count and total of a batch's entries, by payment instrument (one grouped query)."""
    rows = session.execute(
        select(
            Contribution.payment_instrument_id,
            func.count(Contribution.id),
            func.coalesce(func.sum(Contribution.amount), 0),
        )
        .where(Contribution.batch_id == batch.id)
        .group_by(Contribution.payment_instrument_id)
    ).all()
    labels = _instrument_labels(session) if rows else {}
    by_instrument = [
        InstrumentTotal(labels.get(iid, ""), count, services.money(total))
        for iid, count, total in rows
    ]
    by_instrument.sort(key=lambda t: t.label)
    return BatchTotals(
        count=sum(t.count for t in by_instrument),
        total=services.money(sum((t.total for t in by_instrument), Decimal("0.00"))),
        expected_count=batch.expected_count,
        expected_total=services.money(batch.expected_total),
        by_instrument=by_instrument,
    )


def list_batches(
    session: Session, *, page: int = 1, page_size: int = 50
) -> tuple[list[tuple[Batch, BatchTotals]], int]:
    """A page of batches, the open ones first, newest first; their totals in one query."""
    total = session.scalar(select(func.count(Batch.id)))
    batches = list(
        session.scalars(
            select(Batch)
            .order_by((Batch.status == OPEN).desc(), Batch.created_at.desc(), Batch.id.desc())
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
    )
    sums: dict[int, tuple[int, Decimal]] = {}
    if batches:
        sums = {
            bid: (count, services.money(amount))
            for bid, count, amount in session.execute(
                select(
                    Contribution.batch_id,
                    func.count(Contribution.id),
                    func.coalesce(func.sum(Contribution.amount), 0),
                )
                .where(Contribution.batch_id.in_([b.id for b in batches]))
                .group_by(Contribution.batch_id)
            )
        }
    out = []
    for b in batches:
        count, amount = sums.get(b.id, (0, Decimal("0.00")))
        out.append(
            (b, BatchTotals(count, amount, b.expected_count, services.money(b.expected_total)))
        )
    return out, total


def close_batch(session: Session, batch_id: int) -> Batch:
    """Close a batch whose count and total match the expected ones; Conflict naming the
    differences otherwise."""
    batch = get_batch(session, batch_id)
    _require_open(batch)
    totals = batch_totals(session, batch)
    if not totals.matches:
        raise Conflict(
            gettext(
                "The batch does not match what was expected: %(count)s entries for "
                "%(expected_count)s expected (difference %(count_difference)s), a total of "
                "%(total)s for %(expected_total)s expected (difference %(total_difference)s).",
                count=totals.count,
                expected_count=totals.expected_count,
                count_difference=signed(totals.count_difference),
                total=totals.total,
                expected_total=totals.expected_total,
                total_difference=signed(totals.total_difference),
            )
        )
    batch.status = CLOSED
    batch.closed_at = utcnow()
    session.flush()
    return batch


def signed(value) -> str:
    """A difference with its sign: +2, -15.00, 0."""
    return f"+{value}" if value > 0 else str(value)


def reopen_batch(session: Session, batch_id: int) -> Batch:
    """An administrator reopens a closed batch to correct it."""
    batch = get_batch(session, batch_id)
    if batch.status == OPEN:
        raise Conflict(gettext("The batch %(title)s is already open.", title=batch.title))
    batch.status = OPEN
    batch.closed_at = None
    session.flush()
    return batch


# -- entries -------------------------------------------------------------------------------------


def find_contacts(session: Session, text: str, *, limit: int = CHOICES_SHOWN + 1) -> list[Contact]:
    """The contacts (not in the trash) that ``text`` names: a contact number or external
    identifier, or words that all appear in the name."""
    text = " ".join(text.split())
    if not text:
        return []
    query = select(Contact).where(Contact.is_deleted.is_(False))
    if text.isdigit():
        query = query.where(or_(Contact.id == int(text), Contact.external_identifier == text))
    else:
        for word in text.split(" "):
            plain = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{plain}%"
            query = query.where(
                or_(
                    func.lower(Contact.display_name).like(pattern, escape="\\"),
                    func.lower(Contact.sort_name).like(pattern, escape="\\"),
                )
            )
    return list(session.scalars(query.order_by(Contact.sort_name, Contact.id).limit(limit)))


def resolve_contact(session: Session, values: dict) -> int:
    """The contact of an entry: by number, or the one contact matching what was typed (one
    whose name is exactly that wins over the others). ContactChoice when several match."""
    if values.get("contact_id"):
        return values["contact_id"]
    typed = values["contact"]
    found = find_contacts(session, typed)
    if not found:
        raise ValidationError(gettext("No contact matches %(text)s.", text=typed), field="contact")
    if len(found) > 1:
        exact = [c for c in found if c.display_name.lower() == typed.strip().lower()]
        if len(exact) == 1:
            return exact[0].id
        raise ContactChoice(
            gettext("Several contacts match %(text)s: choose one.", text=typed),
            [(c.id, c.display_name) for c in found[:CHOICES_SHOWN]],
        )
    return found[0].id


def add_entry(session: Session, batch_id: int, data: dict, *, user_id: int | None = None):
    """Record a contribution in an open batch (``BatchEntrySchema``), Completed, with the
    batch's financial type, payment instrument and date unless given."""
    batch = get_batch(session, batch_id)
    _require_open(batch)
    values = load_input(BatchEntrySchema(), data)
    contact_id = resolve_contact(session, values)
    financial_type_id = values.get("financial_type_id") or batch.financial_type_id
    if not financial_type_id:
        raise ValidationError(gettext("Choose the financial type."), field="financial_type_id")
    receive_date: date = values.get("receive_date") or batch.receive_date or services.today_()
    contribution = services.create_contribution(
        session,
        {
            "contact_id": contact_id,
            "amount": str(values["amount"]),
            "financial_type_id": financial_type_id,
            "payment_instrument_id": values.get("payment_instrument_id")
            or batch.payment_instrument_id,
            "check_number": values.get("check_number"),
            "receive_date": receive_date.isoformat(),
            "note": values.get("note"),
            "status": COMPLETED,
            "batch_id": batch.id,
            "source": gettext("Batch %(title)s", title=batch.title)[:255],
        },
        user_id=user_id,
    )
    return contribution


def remove_entry(session: Session, batch_id: int, contribution_id: int) -> None:
    """Delete an entry typed by mistake in an open batch."""
    batch = get_batch(session, batch_id)
    _require_open(batch)
    contribution = services.get_contribution(session, contribution_id)
    if contribution.batch_id != batch.id:
        raise NotFound(gettext("No contribution with the number %(id)s.", id=contribution_id))
    services.delete_contribution(session, contribution_id)


@dataclass
class Entry:
    id: int
    contact_id: int
    contact_name: str
    amount: Decimal
    check_number: str | None
    receive_date: date
    financial_type: str
    instrument: str


def entries(session: Session, batch_id: int) -> list[Entry]:
    """The entries of a batch, the latest first, with the names to show (one query)."""
    from .models import FinancialType

    rows = session.execute(
        select(
            Contribution.id,
            Contribution.contact_id,
            Contact.display_name,
            Contribution.amount,
            Contribution.check_number,
            Contribution.receive_date,
            FinancialType,
            Contribution.payment_instrument_id,
        )
        .join(Contact, Contact.id == Contribution.contact_id)
        .join(FinancialType, FinancialType.id == Contribution.financial_type_id)
        .where(Contribution.batch_id == batch_id)
        .order_by(Contribution.id.desc())
    ).all()
    labels = _instrument_labels(session) if rows else {}
    return [
        Entry(
            cid,
            contact_id,
            name,
            services.money(amount),
            check,
            received,
            services.financial_type_label(ftype),
            labels.get(iid, ""),
        )
        for cid, contact_id, name, amount, check, received, ftype, iid in rows
    ]


# -- deposit slip --------------------------------------------------------------------------------


@dataclass
class DepositSlip:
    organisation: str
    batch: Batch
    day: date
    cheques: list[tuple[str, str, Decimal]]  # drawer, cheque number, amount

    @property
    def count(self) -> int:
        return len(self.cheques)

    @property
    def total(self) -> Decimal:
        return services.money(sum((c[2] for c in self.cheques), Decimal("0.00")))


def deposit_slip(session: Session, batch_id: int) -> DepositSlip:
    """The cheques of a batch to hand to the bank: drawer, cheque number, amount (one query)."""
    batch = get_batch(session, batch_id)
    rows = session.execute(
        select(Contact.display_name, Contribution.check_number, Contribution.amount)
        .join(Contact, Contact.id == Contribution.contact_id)
        .join(PaymentInstrument, PaymentInstrument.id == Contribution.payment_instrument_id)
        .where(Contribution.batch_id == batch.id, PaymentInstrument.name == CHEQUE)
        .order_by(Contribution.id)
    ).all()
    return DepositSlip(
        organisation=get_setting(session, "organisation.name", "") or "",
        batch=batch,
        day=batch.receive_date or services.today_(),
        cheques=[(name, number or "", services.money(amount)) for name, number, amount in rows],
    )


def _defuse(text: str) -> str:
    """A cell a spreadsheet would take for a formula is written as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    """A CSV file for French spreadsheets: UTF-8 with a BOM, ``;`` between cells, amounts as
    written by Decimal (12.50)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [_defuse(v) if isinstance(v, str) else ("" if v is None else str(v)) for v in row]
        )
    return "\ufeff".encode() + buffer.getvalue().encode()


def deposit_slip_csv(slip: DepositSlip) -> bytes:
    rows: list[list] = [list(c) for c in slip.cheques]
    rows.append([gettext("Total (cheques: %(count)s)", count=slip.count), "", slip.total])
    return csv_bytes([gettext("Drawer"), gettext("Cheque number"), gettext("Amount")], rows)


def pdf_from_html(html: str) -> bytes:
    """A PDF of our own HTML; nothing is fetched from outside (only inline data: URLs)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()


def slug(text: str) -> str:
    """A file name's part from a title."""
    out = "".join(ch if ch.isalnum() else "-" for ch in text.lower())
    return "-".join(p for p in out.split("-") if p)[:60] or "batch"
