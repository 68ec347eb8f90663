"""The sample organisation of ``amicale demo``: « Le Grain de SEL », a local exchange association."""

from __future__ import annotations

import secrets

from sqlmodel import Session

from ..accounts import services as accounts
from ..contacts.services import create_contact
from .demo_contacts import load_demo_contacts
from .services import get_setting, set_setting

ORGANISATION = {
    "organisation.name": "Le Grain de SEL",
    "organisation.legal_name": "Association Le Grain de SEL (loi 1901)",
    "organisation.street_address": "12 rue des Tisserands",
    "organisation.postal_code": "69004",
    "organisation.city": "Lyon",
    "organisation.country": "FR",
    "organisation.email": "contact@grain-de-sel.example.org",
    "organisation.default_locale": "fr",
    "organisation.currency": "EUR",
}

ADMIN_EMAIL = "admin@grain-de-sel.example.org"

SAMPLE_USERS = [
    ("claire.martin@grain-de-sel.example.org", "Claire", "Martin", "staff"),
    ("karim.benali@grain-de-sel.example.org", "Karim", "Benali", "volunteer"),
]


def demo_exists(session: Session) -> bool:
    return accounts.find_user(session, ADMIN_EMAIL) is not None


def enable_demo_components(app) -> list[str]:
    """Enable every installed component on a new demo and let each add its sample records
    (``demo_data``); returns the names enabled. A component that cannot be enabled is left
    off with a warning, the demo goes on."""
    from ..components.services import enable_component
    from ..db import session as current_session

    state = app.extensions["amicale"]
    registry = state.registry
    enabled = []
    for name in registry.ordered(registry.usable()):
        try:
            enable_component(state.db, registry, name)
        except Exception as exc:  # one broken component must not take the demo down
            app.logger.warning("demo: component %s not enabled: %s", name, exc)
            continue
        enabled.append(name)
    with app.test_request_context():
        s = current_session()
        for name in enabled:
            registry.only(name).demo_data(session=s)
            s.commit()
    return enabled


def load_demo(session: Session) -> tuple[str, str]:
    """Fill an empty, migrated database with the sample organisation; return the admin login.

    Run again, it keeps the data and gives the admin a new password.
    """
    password = secrets.token_urlsafe(9)
    admin = accounts.find_user(session, ADMIN_EMAIL)
    if admin is not None:
        accounts.set_password(session, admin, password)
        return ADMIN_EMAIL, password
    for key, value in ORGANISATION.items():
        set_setting(session, key, value)
    admin = accounts.create_user(
        session, ADMIN_EMAIL, password, ["administrator"], first_name="Sophie", last_name="Lambert"
    )
    for email, first, last, role in SAMPLE_USERS:
        accounts.create_user(
            session, email, secrets.token_urlsafe(16), [role], first_name=first, last_name=last
        )
    create_contact(
        session,
        {
            "contact_type": "Organization",
            "organization_name": get_setting(session, "organisation.name"),
            "legal_name": get_setting(session, "organisation.legal_name"),
            "emails": [
                {"email": get_setting(session, "organisation.email"), "location_type": "Work"}
            ],
            "addresses": [
                {
                    "street_address": get_setting(session, "organisation.street_address"),
                    "postal_code": get_setting(session, "organisation.postal_code"),
                    "city": get_setting(session, "organisation.city"),
                    "country": "FR",
                    "location_type": "Work",
                }
            ],
        },
    )
    load_demo_contacts(session, admin.contact_id)
    return ADMIN_EMAIL, password
