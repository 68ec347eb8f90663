"""Sample grants of the demo organisation (``amicale demo``, the ``demo_data`` hook): a small
fund for neighbourhood initiatives with applications at every stage, and a grant the
association itself applies for."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from amicale.api_for_plugins import Contact, ContactType, utcnow

from . import services
from .models import GrantType


def demo_data(session: Session) -> None:
    people = session.scalars(
        select(Contact.id)
        .where(Contact.contact_type == ContactType.INDIVIDUAL, Contact.is_deleted.is_(False))
        .order_by(Contact.id)
        .limit(5)
    ).all()
    funders = session.scalars(
        select(Contact.id)
        .where(Contact.contact_type == ContactType.ORGANIZATION, Contact.is_deleted.is_(False))
        .order_by(Contact.id.desc())
        .limit(1)
    ).all()
    if not people:
        return
    today = utcnow().date()
    project = session.scalar(select(GrantType.id).where(GrantType.name == "Project grant"))
    fund = services.create_programme(
        session,
        {
            "name": "Fonds pour les initiatives du quartier",
            "description": "Jusqu'à 1 500 € pour un projet d'habitants du quartier.",
            "grant_type_id": project,
            "budget": "6000.00",
            "start_date": (today - timedelta(days=60)).isoformat(),
            "end_date": (today + timedelta(days=120)).isoformat(),
            "is_public": True,
        },
    )
    # amount requested, the steps it went through
    stages = [
        ("800.00", []),
        ("1500.00", [{"status": "Eligible"}]),
        ("1200.00", [{"status": "Eligible"}, {"status": "Approved", "amount_granted": "1000.00"}]),
        ("450.00", [{"status": "Ineligible", "note": "Hors du quartier"}]),
    ]
    for n, (amount, steps) in enumerate(stages):
        grant = services.create_grant(
            session,
            {
                "contact_id": people[n % len(people)],
                "grant_type_id": project,
                "programme_id": fund.id,
                "amount_total": amount,
                "application_received_date": (today - timedelta(days=40 - n)).isoformat(),
                "rationale": "Un projet pour le quartier (données d'exemple).",
            },
        )
        for step in steps:
            services.change_status(session, grant.id, step)
    if funders:
        services.create_funding(
            session,
            {
                "funder_contact_id": funders[0],
                "title": "Subvention de fonctionnement 2027",
                "status": "Submitted",
                "deadline": (today + timedelta(days=30)).isoformat(),
                "amount_requested": "8000.00",
            },
        )
