"""The rules of receipts: the legal details they print, their numbers without gaps, issuing one
for a contribution or a year's tax receipts (reçu fiscal, Cerfa n° 11580) for every donor at
once, re-issuing, voiding, and sending them.

A contribution counts for a receipt when its financial type is deductible and its status is
Completed or Partially paid (for what was paid), less its non-deductible part, and it is not on
an ``issued`` receipt already (a voided or replaced one frees it). Numbers are ``YYYY-000001``,
one sequence per year in ``contribute_receipt_sequence``: the row of the year is locked first
(``UPDATE ... RETURNING``), so that two runs wait for each other instead of numbering twice or
receipting the same gift twice, and a run that fails rolls back its numbers with its receipts.
Every function takes the session and leaves the commit to its caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from amicale.api_for_plugins import (
    Address,
    Conflict,
    Contact,
    Email,
    NotFound,
    ValidationError,
    begin_write,
    get_setting,
    gettext,
    set_setting,
    utcnow,
)
from amicale.api_for_plugins import lazy_gettext as _l

from .models import (
    COUNTED,
    EMAIL,
    ISSUED,
    PARTIAL,
    PRINT,
    RECEIPT_STATUSES,
    REPLACED,
    SINGLE,
    VOIDED,
    YEARLY,
    Contribution,
    FinancialType,
    PaymentInstrument,
    Receipt,
    ReceiptItem,
    ReceiptSequence,
)

CENT = Decimal("0.01")
PREFIX = "contribute.receipt."

# -- legal details ------------------------------------------------------------------------------

# The kinds of body of the Cerfa's "Bénéficiaire des versements" (code, label printed in French).
BODY_KINDS = (
    ("interet_general", "Œuvre ou organisme d'intérêt général"),
    ("rup", "Association ou fondation reconnue d'utilité publique"),
    ("fondation_universitaire", "Fondation universitaire ou fondation partenariale"),
    ("fondation_entreprise", "Fondation d'entreprise"),
    ("musee", "Musée de France"),
    ("enseignement", "Établissement d'enseignement supérieur ou d'enseignement artistique"),
    ("cultuelle", "Association cultuelle ou de bienfaisance ou établissement public des cultes"),
    ("aide", "Association fournissant gratuitement une aide alimentaire ou des soins médicaux"),
    ("recherche", "Établissement de recherche public ou privé, d'intérêt général"),
    ("autre", "Autre organisme"),
)
ARTICLES = ("200", "238 bis", "978")
# Forme du don (code, French label).
GIFT_FORMS = (
    ("authentique", "Acte authentique"),
    ("seing_prive", "Acte sous seing privé"),
    ("don_manuel", "Déclaration de don manuel"),
    ("autres", "Autres"),
)

# key, label, required
LEGAL_FIELDS = (
    ("legal_name", _l("Legal name"), True),
    ("address", _l("Address"), True),
    ("object", _l("Object of the organisation"), True),
    ("identifier", _l("RNA or SIREN number"), True),
    ("body_kind", _l("Kind of body"), True),
    (
        "recognition",
        _l("Recognised of public utility by (decree, date of the Journal officiel)"),
        False,
    ),
    ("articles", _l("Articles of the French tax code (CGI)"), True),
    ("gift_form", _l("Form of the gifts"), True),
    ("signatory_name", _l("Signatory's name"), True),
    ("signatory_title", _l("Signatory's title"), True),
    ("place", _l("Place of signature"), True),
)
DEFAULTS = {"articles": ["200"], "gift_form": "don_manuel", "body_kind": "interet_general"}


def legal_details(session: Session) -> dict:
    """The legal details the receipts print (``contribute.receipt.*`` settings)."""
    return {
        key: get_setting(session, PREFIX + key, DEFAULTS.get(key))
        for key, _label, _required in LEGAL_FIELDS
    }


def save_legal_details(session: Session, form: dict) -> dict:
    """Check and save the legal details (a form's values: ``articles`` a list); ValidationError
    naming every bad field. Blank required fields are allowed here: issuing refuses until they
    are filled in, and says which."""
    values: dict = {}
    errors: dict[str, list[str]] = {}
    for key, _label, _required in LEGAL_FIELDS:
        if key == "articles":
            chosen = form.get("articles") or []
            if isinstance(chosen, str):
                chosen = [chosen]
            unknown = [a for a in chosen if a not in ARTICLES]
            if unknown:
                errors[key] = [gettext("Unknown article: %(names)s.", names=", ".join(unknown))]
            values[key] = [a for a in ARTICLES if a in chosen]
            continue
        value = (form.get(key) or "").strip()
        if len(value) > 1000:
            errors[key] = [gettext("At most %(n)d characters.", n=1000)]
        values[key] = value
    if values["body_kind"] and values["body_kind"] not in dict(BODY_KINDS):
        errors["body_kind"] = [gettext("Choose a kind of body from the list.")]
    if values["gift_form"] and values["gift_form"] not in dict(GIFT_FORMS):
        errors["gift_form"] = [gettext("Choose a form from the list.")]
    if errors:
        raise ValidationError(gettext("Some fields are not valid."), errors=errors)
    for key, value in values.items():
        set_setting(session, PREFIX + key, value)
    return values


def missing_legal_details(details: dict) -> list[str]:
    """The labels of the required legal details that are blank."""
    return [str(label) for key, label, required in LEGAL_FIELDS if required and not details[key]]


def require_legal_details(session: Session) -> dict:
    """The legal details, or ValidationError naming the missing ones: no receipt without
    them."""
    details = legal_details(session)
    missing = missing_legal_details(details)
    if missing:
        raise ValidationError(
            gettext(
                "Receipts cannot be issued until the receipts' legal details are complete; "
                "missing: %(names)s.",
                names=", ".join(missing),
            ),
            field="legal_details",
        )
    return details


# -- numbers ------------------------------------------------------------------------------------


def format_number(year: int, sequence_number: int) -> str:
    return f"{year}-{sequence_number:06d}"


def _ensure_sequence(session: Session, year: int) -> None:
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert
        session.execute(
            upsert(ReceiptSequence)
            .values(year=year, last_number=0)
            .on_conflict_do_nothing(index_elements=["year"])
        )
    elif session.get(ReceiptSequence, year) is None:
        session.add(ReceiptSequence(year=year, last_number=0))
        session.flush()


def lock_sequence(session: Session, year: int) -> int:
    """Lock the year's sequence until the transaction ends and answer its last number: a
    second run (another process) waits here, then sees what the first one issued."""
    _ensure_sequence(session, year)
    return session.execute(
        update(ReceiptSequence)
        .where(ReceiptSequence.year == year)
        .values(last_number=ReceiptSequence.last_number)
        .returning(ReceiptSequence.last_number)
    ).scalar_one()


def allocate_numbers(session: Session, year: int, count: int) -> list[tuple[int, str]]:
    """``count`` consecutive numbers of ``year`` ((sequence number, "YYYY-000001")), taken in
    one ``UPDATE ... RETURNING``; rolled back with the transaction that uses them."""
    if count <= 0:
        return []
    _ensure_sequence(session, year)
    last = session.execute(
        update(ReceiptSequence)
        .where(ReceiptSequence.year == year)
        .values(last_number=ReceiptSequence.last_number + count)
        .returning(ReceiptSequence.last_number)
    ).scalar_one()
    return [(n, format_number(year, n)) for n in range(last - count + 1, last + 1)]


# -- what can be receipted ----------------------------------------------------------------------


@dataclass
class Gift:
    contribution_id: int
    contact_id: int
    receive_date: date
    amount: Decimal  # the deductible amount
    currency: str
    instrument: str | None


def _not_receipted():
    return ~exists(
        select(ReceiptItem.id)
        .join(Receipt, Receipt.id == ReceiptItem.receipt_id)
        .where(ReceiptItem.contribution_id == Contribution.id, Receipt.status == ISSUED)
    )


def _gifts_query(*where):
    return (
        select(
            Contribution.id,
            Contribution.contact_id,
            Contribution.receive_date,
            Contribution.status,
            Contribution.amount,
            Contribution.paid_amount,
            Contribution.non_deductible_amount,
            Contribution.currency,
            PaymentInstrument.name,
        )
        .join(FinancialType, FinancialType.id == Contribution.financial_type_id)
        .join(Contact, Contact.id == Contribution.contact_id)
        .outerjoin(PaymentInstrument, PaymentInstrument.id == Contribution.payment_instrument_id)
        .where(FinancialType.is_deductible, Contribution.status.in_(COUNTED), *where)
        .order_by(Contribution.contact_id, Contribution.receive_date, Contribution.id)
    )


def deductible(status: str, amount, paid_amount, non_deductible) -> Decimal:
    """What of a contribution gives a tax reduction: what was received (what was paid of a
    partially paid one), less the part that bought something; never below zero."""
    received = Decimal(paid_amount or 0) if status == PARTIAL else Decimal(amount)
    return max(received - Decimal(non_deductible or 0), Decimal(0)).quantize(CENT)


def _gifts(session: Session, *where) -> list[Gift]:
    out = []
    for cid, contact_id, day, status, amount, paid, nd, currency, instrument in session.execute(
        _gifts_query(*where)
    ):
        value = deductible(status, amount, paid, nd)
        if value > 0:
            out.append(Gift(cid, contact_id, day, value, currency, instrument))
    return out


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def yearly_gifts(session: Session, year: int) -> list[Gift]:
    """Every deductible gift of ``year`` not on an issued receipt yet, by donor (one query)."""
    start, end = _year_bounds(year)
    return _gifts(
        session,
        Contribution.receive_date >= start,
        Contribution.receive_date <= end,
        Contact.is_deleted.is_(False),
        _not_receipted(),
    )


@dataclass
class Preview:
    year: int
    donors: int
    gifts: int
    total: Decimal


def preview_yearly(session: Session, year: int) -> Preview:
    """What issuing the yearly receipts of ``year`` would do (nothing is written)."""
    gifts = yearly_gifts(session, year)
    return Preview(
        year,
        len({g.contact_id for g in gifts}),
        len(gifts),
        sum((g.amount for g in gifts), Decimal("0.00")),
    )


# -- donors -------------------------------------------------------------------------------------


def address_lines(address) -> list[str]:
    lines = [
        address.street_address,
        address.supplemental_address_1,
        address.supplemental_address_2,
        " ".join(p for p in (address.postal_code, address.city) if p),
    ]
    if address.country and address.country.upper() != "FR":
        lines.append(address.country.upper())
    return [line for line in lines if line]


def donors(session: Session, contact_ids) -> dict[int, tuple[str, str | None]]:
    """Name and postal address (lines joined by newlines) of each contact: ``contact_ids`` a
    list or a subquery of ids; two queries whatever their number."""
    names = dict(
        session.execute(
            select(Contact.id, Contact.display_name).where(Contact.id.in_(contact_ids))
        ).all()
    )
    addresses: dict[int, str | None] = {}
    for a in session.scalars(
        select(Address)
        .where(Address.contact_id.in_(contact_ids))
        .order_by(Address.contact_id, Address.is_primary.desc(), Address.id)
    ):
        if a.contact_id not in addresses:
            addresses[a.contact_id] = "\n".join(address_lines(a)) or None
    return {cid: (name or "", addresses.get(cid)) for cid, name in names.items()}


# -- issuing ------------------------------------------------------------------------------------


@dataclass
class IssueRun:
    year: int
    receipt_ids: list[int] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    gifts: int = 0
    total: Decimal = Decimal("0.00")

    @property
    def count(self) -> int:
        return len(self.receipt_ids)


def _insert_receipts(
    session: Session,
    year: int,
    kind: str,
    groups: list[tuple[int, list[Gift]]],
    people: dict[int, tuple[str, str | None]],
    *,
    user_id: int | None,
    period: tuple[date, date] | None = None,
    replaces_id: int | None = None,
) -> IssueRun:
    """One receipt per (contact, gifts) with consecutive numbers, and its items: two
    ``INSERT``s whatever their number."""
    run = IssueRun(year)
    if not groups:
        return run
    numbers = allocate_numbers(session, year, len(groups))
    now = utcnow()
    rows = []
    for (contact_id, gifts), (seq, number) in zip(groups, numbers, strict=True):
        name, address = people.get(contact_id, ("", None))
        start, end = period or (
            min(g.receive_date for g in gifts),
            max(g.receive_date for g in gifts),
        )
        rows.append(
            {
                "number": number,
                "year": year,
                "sequence_number": seq,
                "kind": kind,
                "status": ISSUED,
                "contact_id": contact_id,
                "donor_name": name[:255],
                "donor_address": address,
                "total_amount": sum((g.amount for g in gifts), Decimal("0.00")),
                "currency": gifts[0].currency,
                "period_start": start,
                "period_end": end,
                "method": None,
                "replaces_id": replaces_id,
                "issued_at": now,
                "issued_by": user_id,
                "sent_at": None,
            }
        )
    ids = session.scalars(
        insert(Receipt).returning(Receipt.id, sort_by_parameter_order=True), rows
    ).all()
    items = [
        {"receipt_id": rid, "contribution_id": g.contribution_id, "amount": g.amount}
        for rid, (_cid, gifts) in zip(ids, groups, strict=True)
        for g in gifts
    ]
    session.execute(insert(ReceiptItem), items)
    run.receipt_ids = list(ids)
    run.numbers = [n for _s, n in numbers]
    run.gifts = len(items)
    run.total = sum((r["total_amount"] for r in rows), Decimal("0.00"))
    return run


def _grouped(gifts: list[Gift]) -> list[tuple[int, list[Gift]]]:
    groups: dict[int, list[Gift]] = {}
    for g in gifts:
        groups.setdefault(g.contact_id, []).append(g)
    return list(groups.items())


def issue_yearly(session: Session, year: int, *, user_id: int | None = None) -> IssueRun:
    """One yearly receipt per donor for the deductible gifts of ``year`` not receipted yet,
    numbered in the order of the donors' numbers; a second run issues only what came since.
    It starts a transaction of its own (a writer from the start: two runs at once wait for
    each other rather than fail); the caller commits."""
    begin_write(session)
    require_legal_details(session)
    lock_sequence(session, year)
    gifts = yearly_gifts(session, year)
    people = donors(session, _donor_ids_subquery(year)) if gifts else {}
    return _insert_receipts(
        session,
        year,
        YEARLY,
        _grouped(gifts),
        people,
        user_id=user_id,
        period=_year_bounds(year),
    )


def _donor_ids_subquery(year: int):
    start, end = _year_bounds(year)
    return (
        select(Contribution.contact_id)
        .join(FinancialType, FinancialType.id == Contribution.financial_type_id)
        .where(
            FinancialType.is_deductible,
            Contribution.status.in_(COUNTED),
            Contribution.receive_date >= start,
            Contribution.receive_date <= end,
            _not_receipted(),
        )
        .distinct()
    )


def issue_single(session: Session, contribution_id: int, *, user_id: int | None = None) -> Receipt:
    """A receipt for one contribution; Conflict when it gives none or has one already. Like
    ``issue_yearly``, a writer from the start."""
    begin_write(session)
    require_legal_details(session)
    contribution = session.get(Contribution, contribution_id)
    if contribution is None:
        raise NotFound(gettext("No contribution with the number %(id)s.", id=contribution_id))
    year = contribution.receive_date.year
    lock_sequence(session, year)
    gifts = _gifts(session, Contribution.id == contribution_id, _not_receipted())
    if not gifts:
        if receipts_for_contribution(session, contribution_id, status=ISSUED):
            raise Conflict(gettext("A receipt was already issued for this contribution."))
        raise Conflict(
            gettext(
                "This contribution gives no tax receipt: its type is not deductible, it is not "
                "paid, or nothing of it is deductible."
            )
        )
    run = _insert_receipts(
        session,
        year,
        SINGLE,
        _grouped(gifts),
        donors(session, [contribution.contact_id]),
        user_id=user_id,
    )
    return session.get(Receipt, run.receipt_ids[0])


def get_receipt(session: Session, receipt_id: int) -> Receipt:
    receipt = session.get(Receipt, receipt_id)
    if receipt is None:
        raise NotFound(gettext("No receipt with the number %(id)s.", id=receipt_id))
    return receipt


def _issued(session: Session, receipt_id: int) -> Receipt:
    receipt = get_receipt(session, receipt_id)
    if receipt.status != ISSUED:
        raise Conflict(gettext("The receipt %(number)s is no longer valid.", number=receipt.number))
    return receipt


def void_receipt(session: Session, receipt_id: int) -> Receipt:
    """Void a receipt: it stays in the register with its number, and its contributions can be
    receipted again."""
    receipt = _issued(session, receipt_id)
    receipt.status = VOIDED
    session.flush()
    return receipt


def reissue_receipt(session: Session, receipt_id: int, *, user_id: int | None = None) -> Receipt:
    """Replace a receipt by a new one with a new number (``replaces_id``) for the same
    contributions as they are now (amounts corrected, the cancelled left out) and the donor's
    current name and address; the old one stays in the register as ``replaced``."""
    require_legal_details(session)
    old = _issued(session, receipt_id)
    lock_sequence(session, old.year)
    old.status = REPLACED  # frees its contributions for the new one
    session.flush()
    ids = select(ReceiptItem.contribution_id).where(ReceiptItem.receipt_id == old.id)
    gifts = _gifts(session, Contribution.id.in_(ids), _not_receipted())
    if not gifts:
        raise Conflict(
            gettext(
                "None of the contributions of this receipt gives a tax receipt any more: void "
                "it instead."
            )
        )
    period = (old.period_start, old.period_end) if old.kind == YEARLY else None
    run = _insert_receipts(
        session,
        old.year,
        old.kind,
        [(old.contact_id, gifts)],
        donors(session, [old.contact_id]),
        user_id=user_id,
        period=period,
        replaces_id=old.id,
    )
    return session.get(Receipt, run.receipt_ids[0])


# -- reading ------------------------------------------------------------------------------------


@dataclass
class ItemLine:
    contribution_id: int
    receive_date: date
    amount: Decimal
    instrument: str | None


def items_of(session: Session, receipt_ids: list[int]) -> dict[int, list[ItemLine]]:
    """The lines of each receipt (date, deductible amount, payment instrument), one query."""
    out: dict[int, list[ItemLine]] = {rid: [] for rid in receipt_ids}
    if not receipt_ids:
        return out
    rows = session.execute(
        select(
            ReceiptItem.receipt_id,
            ReceiptItem.contribution_id,
            Contribution.receive_date,
            ReceiptItem.amount,
            PaymentInstrument.name,
        )
        .join(Contribution, Contribution.id == ReceiptItem.contribution_id)
        .outerjoin(PaymentInstrument, PaymentInstrument.id == Contribution.payment_instrument_id)
        .where(ReceiptItem.receipt_id.in_(receipt_ids))
        .order_by(ReceiptItem.receipt_id, Contribution.receive_date, Contribution.id)
    )
    for rid, cid, day, amount, instrument in rows:
        out[rid].append(ItemLine(cid, day, amount, instrument))
    return out


def receipts_by_ids(session: Session, receipt_ids: list[int]) -> list[Receipt]:
    found = {r.id: r for r in session.scalars(select(Receipt).where(Receipt.id.in_(receipt_ids)))}
    return [found[i] for i in receipt_ids if i in found]


def list_receipts(
    session: Session,
    *,
    year: int | None = None,
    status: str | None = None,
    donor: str | None = None,
    kind: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[Receipt], int]:
    """The register: every receipt ever numbered (replaced and voided ones too), newest number
    first; ``donor`` matches the name printed or the contact's number."""
    where = []
    if year:
        where.append(Receipt.year == year)
    if status in RECEIPT_STATUSES:
        where.append(Receipt.status == status)
    if kind:
        where.append(Receipt.kind == kind)
    if donor:
        text = donor.strip()
        clause = func.lower(Receipt.donor_name).contains(text.lower(), autoescape=True)
        if text.isdigit():
            clause = or_(clause, Receipt.contact_id == int(text), Receipt.number.endswith(text))
        else:
            clause = or_(clause, Receipt.number == text)
        where.append(clause)
    total = session.scalar(select(func.count()).select_from(Receipt).where(*where)) or 0
    rows = session.scalars(
        select(Receipt)
        .where(*where)
        .order_by(Receipt.year.desc(), Receipt.sequence_number.desc())
        .offset((max(page, 1) - 1) * page_size)
        .limit(page_size)
    ).all()
    return list(rows), total


def receipt_years(session: Session) -> list[int]:
    return list(session.scalars(select(Receipt.year).distinct().order_by(Receipt.year.desc())))


def receipts_for_contact(session: Session, contact_id: int) -> list[Receipt]:
    """A contact's receipts, newest first (every status), for the contact's tab."""
    return list(
        session.scalars(
            select(Receipt)
            .where(Receipt.contact_id == contact_id)
            .order_by(Receipt.year.desc(), Receipt.sequence_number.desc())
        )
    )


def receipts_for_contribution(
    session: Session, contribution_id: int, *, status: str | None = None
) -> list[Receipt]:
    query = (
        select(Receipt)
        .join(ReceiptItem, ReceiptItem.receipt_id == Receipt.id)
        .where(ReceiptItem.contribution_id == contribution_id)
        .order_by(Receipt.year.desc(), Receipt.sequence_number.desc())
    )
    if status:
        query = query.where(Receipt.status == status)
    return list(session.scalars(query))


def replaced_by(session: Session, receipt_ids: list[int]) -> dict[int, str]:
    """For each replaced receipt among these, the number of the one that replaces it."""
    if not receipt_ids:
        return {}
    return dict(
        session.execute(
            select(Receipt.replaces_id, Receipt.number).where(Receipt.replaces_id.in_(receipt_ids))
        ).all()
    )


def numbers_of(session: Session, receipt_ids: list[int]) -> dict[int, str]:
    ids = [i for i in receipt_ids if i]
    if not ids:
        return {}
    return dict(
        session.execute(select(Receipt.id, Receipt.number).where(Receipt.id.in_(ids))).all()
    )


# -- sending ------------------------------------------------------------------------------------

SUBJECT = "Votre reçu fiscal n° {number}"
BODY = (
    "Bonjour,\n\n"
    "Merci de votre soutien. Vous trouverez ci-joint votre reçu au titre des dons "
    "(n° {number}, {amount}) à joindre à votre déclaration de revenus ou à conserver.\n\n"
    "{organisation}\n"
)


@dataclass
class SendRun:
    emailed: list[int] = field(default_factory=list)
    to_print: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    queued: list[int] = field(default_factory=list)  # to be emailed by the scheduled job


def emailable(session: Session, contact_ids: list[int]) -> set[int]:
    """Among these contacts, those who can get an email (a primary address not on hold, not in
    the trash, nor deceased, nor refusing emails): one query."""
    if not contact_ids:
        return set()
    return set(
        session.scalars(
            select(Contact.id)
            .join(Email, and_(Email.contact_id == Contact.id, Email.is_primary))
            .where(
                Contact.id.in_(contact_ids),
                Contact.is_deleted.is_(False),
                Contact.is_deceased.is_(False),
                Contact.do_not_email.is_(False),
                Email.on_hold.is_(False),
            )
        )
    )


def french_amount(value: Decimal) -> str:
    """``1 234,50 €``: the French way, whatever the user's language."""
    text = f"{Decimal(value):,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text} €"


def send_receipts(
    session: Session, receipt_ids: list[int], *, user=None, now_at_most: int | None = None
) -> SendRun:
    """Email each issued receipt (its PDF attached) to its donor when the donor can get one;
    the others are left to print (``method`` print). Each sent email is an Email activity.

    A PDF takes a tenth of a second or more to make: with more than ``now_at_most`` to email,
    none is sent now; they wait (``method`` email, no ``sent_at``) for the scheduled job
    ``send_waiting_receipts``, a page's request never lasting minutes."""
    from amicale.api_for_plugins import send_email

    from .receipt_pdf import render_pdf

    run = SendRun()
    receipts = [r for r in receipts_by_ids(session, receipt_ids) if r.status == ISSUED]
    reachable = emailable(session, list({r.contact_id for r in receipts}))
    organisation = get_setting(session, "contribute.receipt.legal_name") or get_setting(
        session, "organisation.name", ""
    )
    for receipt in receipts:
        if receipt.contact_id not in reachable:
            receipt.method = PRINT
            run.to_print.append(receipt.id)
    receipts = [r for r in receipts if r.contact_id in reachable]
    if now_at_most is not None and len(receipts) > now_at_most:
        for receipt in receipts:
            receipt.method, receipt.sent_at = EMAIL, None
            run.queued.append(receipt.id)
        session.flush()
        return run
    for receipt in receipts:
        pdf = render_pdf(session, [receipt])
        try:
            report = send_email(
                session,
                {
                    "contact_ids": [receipt.contact_id],
                    "subject": SUBJECT.format(number=receipt.number),
                    "body_text": BODY.format(
                        number=receipt.number,
                        amount=french_amount(receipt.total_amount),
                        organisation=organisation,
                    ),
                },
                user=user,
                attachments=[(f"recu-{receipt.number}.pdf", pdf, "application/pdf")],
            )
        except ValidationError as exc:
            report, reason = None, exc.message
        else:
            reason = str(report.failed[0]["reason"]) if report.failed else ""
        if report is not None and report.sent:
            receipt.method, receipt.sent_at = EMAIL, utcnow()
            run.emailed.append(receipt.id)
        else:
            receipt.method = PRINT
            run.to_print.append(receipt.id)
            run.failed.append((receipt.id, reason))
    session.flush()
    return run


def send_waiting_receipts(session: Session, *, limit: int = 200) -> SendRun:
    """Email up to ``limit`` receipts waiting to be emailed (the scheduled job; the caller
    commits)."""
    ids = list(
        session.scalars(
            select(Receipt.id)
            .where(Receipt.status == ISSUED, Receipt.method == EMAIL, Receipt.sent_at.is_(None))
            .order_by(Receipt.id)
            .limit(limit)
        )
    )
    return send_receipts(session, ids) if ids else SendRun()


def waiting_to_send(session: Session, year: int | None = None) -> int:
    where = [Receipt.status == ISSUED, Receipt.method == EMAIL, Receipt.sent_at.is_(None)]
    if year:
        where.append(Receipt.year == year)
    return session.scalar(select(func.count()).select_from(Receipt).where(*where)) or 0


def to_print(session: Session, year: int) -> list[int]:
    """The issued receipts of ``year`` that go by post (no email could take them)."""
    return list(
        session.scalars(
            select(Receipt.id)
            .where(Receipt.year == year, Receipt.status == ISSUED, Receipt.method == PRINT)
            .order_by(Receipt.sequence_number)
        )
    )
