"""Sample events of the demo organisation (``amicale demo``, the ``demo_data`` hook): the weekly
knitting evening of the seed documents, as a series, and a harvest dinner that asks each
participant's diet (the organiser's head count two days before)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from amicale.api_for_plugins import Contact, ContactType, get_setting

from . import services


def demo_data(session: Session) -> None:
    people = session.scalars(
        select(Contact.id)
        .where(Contact.contact_type == ContactType.INDIVIDUAL, Contact.is_deleted.is_(False))
        .order_by(Contact.id)
        .limit(10)
    ).all()
    now = datetime.now().replace(minute=0, second=0, microsecond=0)
    wednesday = now + timedelta(days=(2 - now.weekday()) % 7 or 7)
    services.create_event(
        session,
        {
            "title": "Soirée tricot",
            "summary": "Chaque mercredi, on tricote, on papote, on partage les patrons.",
            "start_date": wednesday.replace(hour=19).isoformat(timespec="minutes"),
            "end_date": wednesday.replace(hour=21, minute=30).isoformat(timespec="minutes"),
            "location": "Local associatif, 12 rue des Tisserands, Lyon",
            "max_participants": 12,
            "is_public": True,
            "is_online_registration": True,
            "repeat_rule": {"frequency": "weekly", "interval": 1, "count": 8},
        },
    )
    saturday = now + timedelta(days=(5 - now.weekday()) % 7 + 14)
    dinner = services.create_event(
        session,
        {
            "title": "Repas de la récolte",
            "summary": "Le repas partagé de l'automne, avec les légumes du jardin.",
            "start_date": saturday.replace(hour=19).isoformat(timespec="minutes"),
            "location": "Salle des fêtes, 3 place du Marché, Lyon",
            "max_participants": 40,
            "is_public": True,
            "is_online_registration": True,
            "fee_member": "10.00",
            "fee_non_member": "15.00",
            "participant_fields": [
                {
                    "name": "regime",
                    "label": "Régime alimentaire",
                    "options": ["végétarien", "omnivore"],
                    "required": True,
                }
            ],
            "organiser_email": get_setting(session, "organisation.email"),
            "summary_field": "regime",
            "summary_days": 2,
            "reminder_days": 3,
        },
    )
    for n, contact_id in enumerate(people[:6]):
        services.register(
            session,
            dinner.id,
            {
                "contact_id": contact_id,
                "fee_level": "member" if n % 2 else "non_member",
                "record_payment": n % 3 != 0,
                "field_values": {"regime": "végétarien" if n % 3 == 0 else "omnivore"},
            },
        )
