"""Sample contributions of the demo organisation (``amicale demo``, the ``demo_data`` hook)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from amicale.api_for_plugins import Contact, ContactType, get_setting, utcnow

from . import batch_services, donation_pages, receipt_services, services

LEGAL = {
    "legal_name": "Association Le Grain de SEL",
    "address": "12 rue des Tisserands, 69004 Lyon",
    "object": "Favoriser les échanges de savoirs et de services entre habitants du quartier",
    "identifier": "W691234567",
    "body_kind": "interet_general",
    "articles": ["200", "238 bis"],
    "gift_form": "don_manuel",
    "signatory_name": "Sophie Lambert",
    "signatory_title": "Présidente",
    "place": "Lyon",
}


def demo_data(session: Session) -> None:
    """A campaign with its goal, eighteen months of gifts (cheques, transfers, cash, some in a
    closed batch), a pledge, a monthly gift, a donation page and the receipts' legal details."""
    people = session.scalars(
        select(Contact.id)
        .where(Contact.contact_type == ContactType.INDIVIDUAL, Contact.is_deleted.is_(False))
        .order_by(Contact.id)
    ).all()
    if not people:
        return
    rng = random.Random(1901)
    today = utcnow().date()
    campaign = services.create_campaign(
        session,
        {
            "name": "Un nouveau local pour l'atelier",
            "goal_amount": "6000.00",
            "start_date": (today - timedelta(days=120)).isoformat(),
            "end_date": (today + timedelta(days=90)).isoformat(),
            "description": "Louer et équiper un local pour l'atelier de réparation.",
        },
    )
    for n in range(60):
        day = today - timedelta(days=rng.randint(0, 540))
        services.create_contribution(
            session,
            {
                "contact_id": rng.choice(people),
                "financial_type": "Donation",
                "amount": str(rng.choice((10, 15, 20, 30, 50, 50, 80, 100, 150))),
                "receive_date": day.isoformat(),
                "payment_instrument": rng.choice(("cheque", "transfer", "cash", "card")),
                "check_number": str(2040100 + n),
                "campaign_id": campaign.id if day >= campaign.start_date else None,
                "source": "Données d'exemple",
            },
        )
    batch = batch_services.open_batch(
        session,
        {
            "title": "Courrier de la semaine",
            "expected_count": 3,
            "expected_total": "95.00",
            "receive_date": today.isoformat(),
        },
    )
    for n, amount in enumerate(("20.00", "25.00", "50.00")):
        services.create_contribution(
            session,
            {
                "contact_id": people[n % len(people)],
                "financial_type": "Donation",
                "payment_instrument": "cheque",
                "check_number": str(3177000 + n),
                "amount": amount,
                "batch_id": batch.id,
                "campaign_id": campaign.id,
                "receive_date": today.isoformat(),
            },
        )
    batch_services.close_batch(session, batch.id)
    services.create_pledge(
        session,
        {
            "contact_id": people[1 % len(people)],
            "financial_type": "Donation",
            "campaign_id": campaign.id,
            "amount": "600.00",
            "installments": 6,
            "start_date": (today - timedelta(days=40)).isoformat(),
        },
    )
    services.create_recurring(
        session,
        {
            "contact_id": people[2 % len(people)],
            "financial_type": "Donation",
            "payment_instrument": "direct_debit",
            "amount": "15.00",
            "start_date": (today - timedelta(days=100)).isoformat(),
        },
    )
    services.record_due_recurring(session, today)
    donation = session.scalar(
        select(services.FinancialType.id).where(services.FinancialType.name == "Donation")
    )
    donation_pages.create_page(
        session,
        {
            "title": "Soutenez le Grain de SEL",
            "slug": "soutenir",
            "intro": "Votre don finance l'atelier de réparation et les ateliers du samedi.",
            "financial_type_id": donation,
            "campaign_id": campaign.id,
            "preset_amounts": "20, 50, 100",
            "allow_other_amount": True,
            "minimum_amount": "5.00",
            "allow_recurring": True,
            "recurring_units": ["month"],
            "processors": ["manual", "test"],
            "currency": get_setting(session, "organisation.currency", "EUR"),
        },
    )
    receipt_services.save_legal_details(session, LEGAL)
