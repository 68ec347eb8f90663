from __future__ import annotations

import pytest


@pytest.fixture
def organisation(app):
    """The organisation's name, address and sending address."""
    from amicale.db import session
    from amicale.organisation.services import set_setting

    with app.app_context():
        s = session()
        for key, value in {
            "name": "Le Grain de SEL",
            "email": "contact@grain-de-sel.example.org",
            "street_address": "12 rue des Lilas",
            "postal_code": "75020",
            "city": "Paris",
        }.items():
            set_setting(s, f"organisation.{key}", value)
        s.commit()
