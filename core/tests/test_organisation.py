"""An admin keeps the organisation's details; its country is the default region of phones."""

from __future__ import annotations

from amicale.contacts import services as contacts
from amicale.db import session


def test_an_admin_sets_the_organisation_and_phones_follow_its_country(app, login_as):
    admin = login_as("administrator", locale="en")
    response = admin.post_form(
        "/admin/organisation",
        {
            "name": "Les Amis de Bruxelles",
            "country": "be",
            "currency": "EUR",
            "default_locale": "fr",
            "email": "info@amis.example.be",
        },
    )
    assert response.status_code == 302
    assert 'value="Les Amis de Bruxelles"' in admin.get("/admin/organisation").get_data(
        as_text=True
    )
    with app.test_request_context():
        s = session()
        c = contacts.create_contact(
            s, {"last_name": "Peeters", "phones": [{"phone": "0470 12 34 56"}]}
        )
        assert contacts.represent(s, [c])[0]["phones"][0].phone_normalized == "+32470123456"


def test_bad_details_are_refused_each_on_its_field(app, login_as):
    admin = login_as("administrator", locale="en")
    response = admin.post_form(
        "/admin/organisation",
        {"name": "", "country": "ZZ", "currency": "EURO", "default_locale": "de", "email": "nope"},
    )
    html = response.get_data(as_text=True)
    for message in (
        "needs a name",
        "Unknown country code ZZ",
        "Unknown currency EURO",
        "Choose French or English",
        "not a valid email",
    ):
        assert message in html, message
    assert login_as("staff").get("/admin/organisation").status_code == 403
