"""The tables of Contributions: every one is named with the prefix ``contribute_``.

- ``contribute_financial_type``: what money is given for (Donation, Member Dues, Event Fee...),
  tax-deductible or not, with its income account for the accounting export;
- ``contribute_payment_instrument``: how it is paid (cash, cheque, transfer, card, direct
  debit), with its debit account;
- ``contribute_campaign``: a fundraising campaign with a goal and dates;
- ``contribute_contribution``: one gift or payment of a contact, with its status; one made for
  another component's record (a membership fee) names it (``for_entity``, ``for_entity_id``);
- ``contribute_soft_credit``: a contribution also credited to someone else (in honour or memory
  of someone, a solicitor);
- ``contribute_pledge`` and ``contribute_pledge_payment``: a promise paid in instalments;
- ``contribute_recurring``: a recurring gift (amount, frequency, next date);
- ``contribute_batch``: gifts typed in by hand (cheques that arrive by post), with the expected
  count and total;
- ``contribute_receipt``, ``contribute_receipt_item``, ``contribute_receipt_sequence``: receipts
  issued (the French "reçu fiscal"), numbered without gaps, what they cover;
- ``contribute_page``: a public donation page.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Index,
    Integer,
    Numeric,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from amicale.api_for_plugins import utcnow

# Statuses of a contribution (CiviCRM's names).
PENDING, COMPLETED, CANCELLED, REFUNDED, FAILED, PARTIAL = (
    "Pending",
    "Completed",
    "Cancelled",
    "Refunded",
    "Failed",
    "Partially paid",
)
STATUSES = (PENDING, COMPLETED, CANCELLED, REFUNDED, FAILED, PARTIAL)
# Statuses whose money counts in totals, reports and receipts.
COUNTED = (COMPLETED, PARTIAL)

# Soft credits.
IN_HONOR, IN_MEMORY, SOLICITOR = "in_honor", "in_memory", "solicitor"
SOFT_CREDIT_KINDS = (IN_HONOR, IN_MEMORY, SOLICITOR)

# Frequencies of pledges and recurring gifts.
WEEK, MONTH, YEAR = "week", "month", "year"
FREQUENCY_UNITS = (WEEK, MONTH, YEAR)

# Pledges, their payments, and recurring gifts.
IN_PROGRESS, OVERDUE = "In Progress", "Overdue"
PLEDGE_STATUSES = (PENDING, IN_PROGRESS, COMPLETED, CANCELLED, OVERDUE)
PLEDGE_PAYMENT_STATUSES = (PENDING, COMPLETED, OVERDUE, CANCELLED)
RECURRING_STATUSES = (PENDING, IN_PROGRESS, COMPLETED, CANCELLED, FAILED)

# Batches.
OPEN, CLOSED = "Open", "Closed"
BATCH_STATUSES = (OPEN, CLOSED)

# Receipts.
SINGLE, YEARLY = "single", "yearly"
RECEIPT_KINDS = (SINGLE, YEARLY)
ISSUED, REPLACED, VOIDED = "issued", "replaced", "voided"
RECEIPT_STATUSES = (ISSUED, REPLACED, VOIDED)
EMAIL, PRINT = "email", "print"

MONEY = Numeric(12, 2)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class FinancialType(SQLModel, table=True):
    """What money is given for. ``is_deductible``: gifts of this type give a tax receipt.
    ``account_code``: the income account of the accounting export (754 "Dons", 756
    "Cotisations"...)."""

    __tablename__ = "contribute_financial_type"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    is_deductible: bool = Field(default=False)
    account_code: str | None = Field(default=None, max_length=32)
    is_active: bool = Field(default=True)
    is_reserved: bool = Field(default=False)
    weight: int = Field(default=0)


class PaymentInstrument(SQLModel, table=True):
    """How money is paid: ``name`` is fixed (cash, cheque, transfer, card, direct_debit),
    ``label`` is shown; ``account_code`` is the debit account of the accounting export (530
    "Caisse", 5112 "Chèques à encaisser", 512 "Banque")."""

    __tablename__ = "contribute_payment_instrument"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=32, unique=True)
    label: str = Field(max_length=64)
    account_code: str | None = Field(default=None, max_length=32)
    is_active: bool = Field(default=True)
    is_reserved: bool = Field(default=False)
    weight: int = Field(default=0)


class Campaign(SQLModel, table=True):
    """A fundraising campaign: a goal (None: no goal) between two dates (None: open)."""

    __tablename__ = "contribute_campaign"
    __table_args__ = (CheckConstraint("goal_amount IS NULL OR goal_amount >= 0", name="goal"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128, unique=True)
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    goal_amount: Decimal | None = Field(default=None, sa_column=Column(MONEY, nullable=True))
    start_date: date | None = None
    end_date: date | None = None
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)


class Contribution(SQLModel, table=True):
    """A gift or a payment of a contact.

    ``amount`` is what was given, ``non_deductible_amount`` the part that bought something
    (a dinner, a magazine) and gives no tax receipt, ``paid_amount`` what was received so far of
    a "Partially paid" one. ``for_entity``/``for_entity_id``: the record of another component
    this pays (``membership``, ``event.participant``), through ``request_payment``.
    """

    __tablename__ = "contribute_contribution"
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint("amount >= 0", name="amount_positive"),
        CheckConstraint("non_deductible_amount >= 0", name="non_deductible_positive"),
        # The contact tab and the contact's totals.
        Index("ix_contribute_contribution_contact_date", "contact_id", "receive_date"),
        # Totals by month, the widget and campaigns' progress read only these two indexes
        # (covering: what ``counted_amount`` and the donor counts need is in them).
        Index(
            "ix_contribute_contribution_date_totals",
            "receive_date",
            "status",
            "amount",
            "paid_amount",
            "contact_id",
            "financial_type_id",
        ),
        Index(
            "ix_contribute_contribution_campaign_date",
            "campaign_id",
            "receive_date",
            "status",
            "amount",
            "paid_amount",
            "contact_id",
        ),
        Index("ix_contribute_contribution_for", "for_entity", "for_entity_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="RESTRICT")
    financial_type_id: int = Field(
        foreign_key="contribute_financial_type.id", ondelete="RESTRICT", index=True
    )
    payment_instrument_id: int | None = Field(
        default=None, foreign_key="contribute_payment_instrument.id", ondelete="RESTRICT"
    )
    status: str = Field(default=COMPLETED, max_length=16)
    amount: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    non_deductible_amount: Decimal = Field(
        default=Decimal("0.00"), sa_column=Column(MONEY, nullable=False)
    )
    paid_amount: Decimal | None = Field(default=None, sa_column=Column(MONEY, nullable=True))
    currency: str = Field(default="EUR", max_length=3)
    receive_date: date
    campaign_id: int | None = Field(
        default=None, foreign_key="contribute_campaign.id", ondelete="SET NULL"
    )
    source: str | None = Field(default=None, max_length=255)
    transaction_id: str | None = Field(default=None, max_length=255, unique=True)
    check_number: str | None = Field(default=None, max_length=64)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    batch_id: int | None = Field(
        default=None, foreign_key="contribute_batch.id", ondelete="SET NULL", index=True
    )
    recurring_id: int | None = Field(
        default=None, foreign_key="contribute_recurring.id", ondelete="SET NULL", index=True
    )
    page_id: int | None = Field(
        default=None, foreign_key="contribute_page.id", ondelete="SET NULL", index=True
    )
    for_entity: str | None = Field(default=None, max_length=64)
    for_entity_id: int | None = None
    thankyou_date: datetime | None = None
    cancel_date: date | None = None
    cancel_reason: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    modified_at: datetime = Field(default_factory=utcnow)


class SoftCredit(SQLModel, table=True):
    """A contribution credited also to ``contact_id``: the person honoured or remembered, or
    the solicitor who raised it."""

    __tablename__ = "contribute_soft_credit"
    __table_args__ = (CheckConstraint(_in("kind", SOFT_CREDIT_KINDS), name="kind"),)

    id: int | None = Field(default=None, primary_key=True)
    contribution_id: int = Field(
        foreign_key="contribute_contribution.id", ondelete="CASCADE", index=True
    )
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE", index=True)
    amount: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    kind: str = Field(default=SOLICITOR, max_length=16)


class Pledge(SQLModel, table=True):
    """A promise of ``amount`` in ``installments`` payments, one every ``frequency_interval``
    ``frequency_unit`` from ``start_date``; reminders ``reminder_days`` before each is due."""

    __tablename__ = "contribute_pledge"
    __table_args__ = (
        CheckConstraint(_in("status", PLEDGE_STATUSES), name="status"),
        CheckConstraint(_in("frequency_unit", FREQUENCY_UNITS), name="frequency_unit"),
        CheckConstraint("installments > 0", name="installments_positive"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="RESTRICT", index=True)
    financial_type_id: int = Field(foreign_key="contribute_financial_type.id", ondelete="RESTRICT")
    campaign_id: int | None = Field(
        default=None, foreign_key="contribute_campaign.id", ondelete="SET NULL", index=True
    )
    amount: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    currency: str = Field(default="EUR", max_length=3)
    installments: int = Field(default=1)
    frequency_unit: str = Field(default=MONTH, max_length=8)
    frequency_interval: int = Field(default=1)
    start_date: date
    reminder_days: int | None = Field(default=7)
    status: str = Field(default=PENDING, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    modified_at: datetime = Field(default_factory=utcnow)


class PledgePayment(SQLModel, table=True):
    """One instalment of a pledge: due on ``scheduled_date``; ``contribution_id`` once paid."""

    __tablename__ = "contribute_pledge_payment"
    __table_args__ = (
        CheckConstraint(_in("status", PLEDGE_PAYMENT_STATUSES), name="status"),
        Index("ix_contribute_pledge_payment_due", "status", "scheduled_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pledge_id: int = Field(foreign_key="contribute_pledge.id", ondelete="CASCADE", index=True)
    contribution_id: int | None = Field(
        default=None, foreign_key="contribute_contribution.id", ondelete="SET NULL", index=True
    )
    scheduled_amount: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    scheduled_date: date
    status: str = Field(default=PENDING, max_length=16)
    reminder_date: date | None = None
    reminder_count: int = Field(default=0)


class Recurring(SQLModel, table=True):
    """A recurring gift: ``amount`` every ``frequency_interval`` ``frequency_unit``; the next
    one expected on ``next_date``; ``installments`` None: until cancelled. ``processor`` and
    ``processor_id``: the payment processor that collects it and its reference there."""

    __tablename__ = "contribute_recurring"
    __table_args__ = (
        CheckConstraint(_in("status", RECURRING_STATUSES), name="status"),
        CheckConstraint(_in("frequency_unit", FREQUENCY_UNITS), name="frequency_unit"),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_contribute_recurring_due", "status", "next_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="RESTRICT", index=True)
    financial_type_id: int = Field(foreign_key="contribute_financial_type.id", ondelete="RESTRICT")
    payment_instrument_id: int | None = Field(
        default=None, foreign_key="contribute_payment_instrument.id", ondelete="RESTRICT"
    )
    campaign_id: int | None = Field(
        default=None, foreign_key="contribute_campaign.id", ondelete="SET NULL"
    )
    amount: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    currency: str = Field(default="EUR", max_length=3)
    frequency_unit: str = Field(default=MONTH, max_length=8)
    frequency_interval: int = Field(default=1)
    installments: int | None = None
    start_date: date
    next_date: date | None = None
    end_date: date | None = None
    status: str = Field(default=IN_PROGRESS, max_length=16)
    processor: str | None = Field(default=None, max_length=64)
    processor_id: str | None = Field(default=None, max_length=255)
    cancel_date: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    modified_at: datetime = Field(default_factory=utcnow)


class Batch(SQLModel, table=True):
    """Gifts typed in together (the cheques of a day's post): it closes only when its count
    and total match the expected ones."""

    __tablename__ = "contribute_batch"
    __table_args__ = (CheckConstraint(_in("status", BATCH_STATUSES), name="status"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=128)
    status: str = Field(default=OPEN, max_length=8)
    expected_count: int = Field(default=0)
    expected_total: Decimal = Field(
        default=Decimal("0.00"), sa_column=Column(MONEY, nullable=False)
    )
    financial_type_id: int | None = Field(
        default=None, foreign_key="contribute_financial_type.id", ondelete="SET NULL"
    )
    payment_instrument_id: int | None = Field(
        default=None, foreign_key="contribute_payment_instrument.id", ondelete="SET NULL"
    )
    receive_date: date | None = None
    created_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class ReceiptSequence(SQLModel, table=True):
    """The last number given in a year's receipts: receipts are numbered without gaps."""

    __tablename__ = "contribute_receipt_sequence"

    year: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    last_number: int = Field(default=0)


class Receipt(SQLModel, table=True):
    """A receipt issued to a donor: one contribution (``single``) or a year's deductible gifts
    (``yearly``). The donor's name and address are kept as printed. Re-issuing one marks it
    ``replaced`` and the new one points to it (``replaces_id``): the numbers stay."""

    __tablename__ = "contribute_receipt"
    __table_args__ = (
        CheckConstraint(_in("kind", RECEIPT_KINDS), name="kind"),
        CheckConstraint(_in("status", RECEIPT_STATUSES), name="status"),
        UniqueConstraint("number"),
        Index("ix_contribute_receipt_contact_year", "contact_id", "year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32)
    year: int
    sequence_number: int
    kind: str = Field(default=YEARLY, max_length=8)
    status: str = Field(default=ISSUED, max_length=8)
    contact_id: int = Field(foreign_key="contact.id", ondelete="RESTRICT")
    donor_name: str = Field(max_length=255)
    donor_address: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    total_amount: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    currency: str = Field(default="EUR", max_length=3)
    period_start: date
    period_end: date
    method: str | None = Field(default=None, max_length=8)
    replaces_id: int | None = Field(
        default=None, foreign_key="contribute_receipt.id", ondelete="SET NULL"
    )
    issued_at: datetime = Field(default_factory=utcnow)
    issued_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    sent_at: datetime | None = None


class ReceiptItem(SQLModel, table=True):
    """A contribution a receipt covers, and the deductible amount of it."""

    __tablename__ = "contribute_receipt_item"
    __table_args__ = (UniqueConstraint("receipt_id", "contribution_id"),)

    id: int | None = Field(default=None, primary_key=True)
    receipt_id: int = Field(foreign_key="contribute_receipt.id", ondelete="CASCADE")
    contribution_id: int = Field(
        foreign_key="contribute_contribution.id", ondelete="RESTRICT", index=True
    )
    amount: Decimal = Field(sa_column=Column(MONEY, nullable=False))


class ContributionPage(SQLModel, table=True):
    """A public donation page at ``/contribute/give/<slug>``: preset amounts and, if allowed, a
    free one between ``minimum_amount`` and ``maximum_amount``; one-off or recurring; the
    payment processors offered (names answered by ``payment_processors``); the thank-you email
    (a core message template; None: a plain text)."""

    __tablename__ = "contribute_page"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=255)
    slug: str = Field(max_length=64, unique=True)
    intro: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    thankyou_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    financial_type_id: int = Field(foreign_key="contribute_financial_type.id", ondelete="RESTRICT")
    campaign_id: int | None = Field(
        default=None, foreign_key="contribute_campaign.id", ondelete="SET NULL"
    )
    preset_amounts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    allow_other_amount: bool = Field(default=True)
    minimum_amount: Decimal | None = Field(default=None, sa_column=Column(MONEY, nullable=True))
    maximum_amount: Decimal | None = Field(default=None, sa_column=Column(MONEY, nullable=True))
    allow_recurring: bool = Field(default=False)
    recurring_units: list[str] = Field(
        default_factory=lambda: [MONTH], sa_column=Column(JSON, nullable=False)
    )
    processors: list[str] = Field(
        default_factory=lambda: ["manual"], sa_column=Column(JSON, nullable=False)
    )
    thankyou_template_id: int | None = Field(
        default=None, foreign_key="message_template.id", ondelete="SET NULL"
    )
    currency: str = Field(default="EUR", max_length=3)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)


class PaymentAttempt(SQLModel, table=True):
    """A payment started on a public page (a donation, a membership fee): the processor that
    handles it, its state, and the token of the return URL. ``contribution_id``: the
    contribution it pays (Pending until the processor says it is paid)."""

    __tablename__ = "contribute_payment_attempt"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, unique=True)
    processor: str = Field(max_length=64)
    contribution_id: int = Field(
        foreign_key="contribute_contribution.id", ondelete="CASCADE", index=True
    )
    recurring_id: int | None = Field(
        default=None, foreign_key="contribute_recurring.id", ondelete="SET NULL"
    )
    state: str = Field(default="started", max_length=16)
    processor_reference: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


MODELS = (
    FinancialType,
    PaymentInstrument,
    Campaign,
    Batch,
    Recurring,
    ContributionPage,
    Contribution,
    SoftCredit,
    Pledge,
    PledgePayment,
    ReceiptSequence,
    Receipt,
    ReceiptItem,
    PaymentAttempt,
)
