"""The sample organisation of ``amicale demo`` is a living CRM: people, households,
organisations, relationships, activities, groups, tags, notes and custom fields."""

from __future__ import annotations

from sqlalchemy import func, select, text

from amicale.accounts.services import authenticate
from amicale.contacts.models import Contact
from amicale.contacts.search import quick_search
from amicale.db import session
from amicale.organisation.demo import load_demo


def test_the_sample_organisation_has_a_living_network(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        s = session()
        email, password = load_demo(s)
        s.commit()
        count = lambda sql: s.execute(text(sql)).scalar()  # noqa: E731
        assert s.execute(select(func.count()).select_from(Contact)).scalar() >= 18
        assert count("SELECT count(*) FROM relationship") >= 8
        assert count("SELECT count(*) FROM activity") >= 7
        assert count("SELECT count(*) FROM contact_group WHERE group_type = 'smart'") == 1
        assert count("SELECT count(*) FROM contact_group WHERE is_mailing_list") == 2
        assert count("SELECT count(*) FROM entity_tag") >= 5
        assert count("SELECT count(*) FROM custom_value") >= 8
        assert [c.display_name for c in quick_search(s, "helene")] == ["Mme Hélène Lao"]
        assert authenticate(s, email, password, "127.0.0.1").email == email
        # run again: the data stays, the admin gets a new password
        _email, again = load_demo(s)
        s.commit()
        assert again != password
        assert count("SELECT count(*) FROM activity") == 7


def test_the_admin_sees_the_follow_ups_on_the_dashboard(app, client):
    with app.test_request_context():
        s = session()
        email, password = load_demo(s)
        s.commit()
    client.post_form("/login", {"email": email, "password": password})
    page = client.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Rappeler pour la permanence du samedi" in page
