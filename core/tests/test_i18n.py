"""French first, English on request; dates and money in the reader's locale."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import force_locale

from amicale.i18n import money


def test_visitors_get_french_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Mot de passe" in page


def test_a_visitor_can_switch_to_english(client):
    client.post_form("/language", {"locale": "en", "next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Password" in page


def test_the_browser_language_is_honoured_for_visitors(client):
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="en">' in page.get_data(as_text=True)


def test_a_users_own_choice_wins(login_as):
    user = login_as("staff", locale="en")
    page = user.get("/dashboard", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Dashboard" in page


def test_dates_and_money_follow_the_locale(app):
    when = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
    fmt = app.jinja_env.filters
    with app.test_request_context():
        with force_locale("fr"):
            assert fmt["date"](when) == "14 mars 2026"
            assert money(1234.5, "EUR").replace("\u202f", " ").replace("\xa0", " ") == (
                "1 234,50 €"
            )
        with force_locale("en"):
            assert fmt["date"](when) == "Mar 14, 2026"
            assert money(1234.5, "EUR") == "€1,234.50"
        assert fmt["date"](None) == ""
