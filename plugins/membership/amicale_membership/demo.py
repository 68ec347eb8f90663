"""Sample memberships of the demo organisation (``amicale demo``, the ``demo_data`` hook)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from amicale.api_for_plugins import Contact, ContactType, gettext, utcnow

from . import services

TYPES = [
    # name, fee, public
    ("Adhésion individuelle", "20.00", True),
    ("Adhésion famille", "35.00", True),
    ("Membre bienfaiteur", "100.00", False),
]


def demo_data(session: Session) -> None:
    """Three types and a dozen members: current, in their grace month, lapsed, one whose dues
    are pending; the statuses brought to today."""
    people = session.scalars(
        select(Contact.id)
        .where(Contact.contact_type == ContactType.INDIVIDUAL, Contact.is_deleted.is_(False))
        .order_by(Contact.id)
        .limit(14)
    ).all()
    if not people:
        return
    types = [
        services.create_type(
            session,
            {
                "name": name,
                "minimum_fee": fee,
                "is_public": public,
                "financial_type": "Member Dues",
            },
        )
        for name, fee, public in TYPES
    ]
    today = utcnow().date()
    for n, contact_id in enumerate(people):
        kind = types[0] if n % 4 else types[1 if n % 8 else 2]
        joined = date(today.year - (n % 5), 1 + (n * 5) % 12, 1 + (n * 3) % 27)
        if joined > today:
            joined = joined.replace(year=joined.year - 1)
        values = {
            "contact_id": contact_id,
            "membership_type_id": kind.id,
            "join_date": joined.isoformat(),
            "source": gettext("Sample data"),
            "payment_instrument": ("cheque", "transfer", "cash")[n % 3],
        }
        if n == 3:  # a new member whose dues are still to pay
            values.update(join_date=today.isoformat(), status="Pending", record_payment=False)
        m = services.join(session, values, today=joined if n != 3 else today)
        if n % 3 == 0 and n != 3:  # a faithful member, renewed every year since
            while m.end_date is not None and m.end_date < today:
                m = services.renew(
                    session, m.id, {"payment_instrument": "cheque"}, today=m.end_date
                )
    services.update_statuses(session, today)
