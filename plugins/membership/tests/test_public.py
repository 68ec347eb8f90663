"""The public join and renew pages: no login, CSRF, a honeypot, the contact found by email or
created, Pending while the fee waits (asked of the payment component, else "pay later"), a
confirmation email, and the form again with messages beside the fields on bad input."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from amicale.api_for_plugins import Contact, session
from amicale_membership import reminders, services
from amicale_membership.models import Membership

from . import fake_payments


@pytest.fixture
def client(client):
    """An anonymous visitor whose browser asks for English."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def offered(factories):
    return {
        "free": factories.membership.type(name="Friend", is_public=True),
        "paid": factories.membership.type(name="Member", minimum_fee="20", is_public=True),
        "hidden": factories.membership.type(name="Board", is_public=False),
    }


def _status(app, membership_id: int) -> str:
    with app.app_context():
        s = session()
        return services.get_status(s, s.get(Membership, membership_id).status_id).name


def test_the_join_page_offers_only_the_public_types(client, offered):
    page = client.get("/membership/join")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Friend" in text and "Member" in text and "Board" not in text
    assert 'name="website"' in text  # the honeypot


def test_bad_input_shows_the_form_again_and_writes_nothing(client, offered, count_rows):
    before = count_rows(Contact), count_rows(Membership)
    bad = client.post_form(
        "/membership/join",
        {"membership_type_id": offered["hidden"].id, "first_name": "", "email": "nope"},
    )
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    for name in ("membership_type_id", "first_name", "last_name", "email"):
        assert f'id="f-{name}-error"' in text
    assert 'value="nope"' in text
    assert (count_rows(Contact), count_rows(Membership)) == before
    assert client.post("/membership/join", data={"email": "a@b.org"}).status_code == 400  # CSRF


def test_a_robot_filling_the_honeypot_is_thanked_and_nothing_is_written(
    client, offered, count_rows
):
    before = count_rows(Contact)
    done = client.post_form(
        "/membership/join",
        {
            "membership_type_id": offered["free"].id,
            "first_name": "Bot",
            "last_name": "Bot",
            "email": "bot@example.org",
            "website": "http://spam.example.org",
        },
    )
    assert done.status_code == 200 and 'id="membership-thanks"' in done.get_data(as_text=True)
    assert count_rows(Contact) == before


def test_joining_a_free_type_creates_the_contact_is_current_and_confirms_by_email(
    app, client, offered, organisation, smtp_server
):
    done = client.post_form(
        "/membership/join",
        {
            "membership_type_id": offered["free"].id,
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "Ada@Example.org",
            "city": "Paris",
        },
    )
    assert done.status_code == 200 and 'id="membership-thanks"' in done.get_data(as_text=True)
    with app.app_context():
        s = session()
        contact = s.scalar(select(Contact).where(Contact.last_name == "Lovelace"))
        (m,) = s.scalars(select(Membership).where(Membership.contact_id == contact.id)).all()
        mid = m.id
    assert _status(app, mid) == "New"
    (received,) = smtp_server.messages
    assert received.envelope_to == ["ada@example.org"] or received.envelope_to == [
        "Ada@example.org"
    ]
    text = received.get_content()
    assert "Hello Ada" in text and "Friend" in text and "Les Amis du Parc" in text


def test_a_fee_without_a_payment_component_is_pending_pay_later_on_the_known_contact(
    app, client, offered, organisation, smtp_server, factories, message_template
):
    ada = factories.contact(
        first_name="Ada", last_name="Lovelace", emails=[{"email": "ada@example.org"}]
    )
    template = message_template(
        "Welcome", "Welcome {contact.first_name}", "Your {membership.type}: {membership.status}"
    )
    with app.app_context():
        s = session()
        services.update_type(s, offered["paid"].id, {"confirmation_template_id": template})
        s.commit()
    done = client.post_form(
        "/membership/join",
        {
            "membership_type_id": offered["paid"].id,
            "first_name": "A",
            "last_name": "L",
            "email": "ada@example.org",
        },
    )
    assert done.status_code == 200
    assert "once the fee is paid" in done.get_data(as_text=True)
    with app.app_context():
        (m,) = session().scalars(select(Membership).where(Membership.contact_id == ada.id)).all()
        assert m.paid_amount is None and "pay later" in m.source
        mid = m.id
    assert _status(app, mid) == "Pending"
    (received,) = smtp_server.messages
    assert received["Subject"] == "Welcome Ada"
    assert received.get_content().strip() == "Your Member: Pending"


class TestWithAPaymentComponent:
    @pytest.fixture
    def amicale_plugins(self):
        return {"fakepay": fake_payments}

    @pytest.fixture
    def amicale_components(self):
        return ["membership", "fakepay"]

    def test_the_fee_is_asked_of_it_as_pending(self, app, client, offered):
        fake_payments.asked.clear()
        done = client.post_form(
            "/membership/join",
            {
                "membership_type_id": offered["paid"].id,
                "first_name": "Bob",
                "last_name": "Martin",
                "email": "bob@example.org",
            },
        )
        assert done.status_code == 200
        (asked,) = fake_payments.asked
        assert asked["status"] == "Pending" and str(asked["amount"]) == "20.00"
        assert _status(app, asked["entity_id"]) == "Pending"


def test_renewing_through_the_signed_link(app, client, factories, organisation, smtp_server):
    kind = factories.membership.type(name="Friend")
    ada = factories.contact(first_name="Ada", emails=[{"email": "ada@example.org"}])
    today = date.today()
    m = factories.membership.membership(
        contact_id=ada.id,
        membership_type_id=kind.id,
        join_date=(today - timedelta(days=350)).isoformat(),
    )
    with app.test_request_context():
        token = reminders.renewal_token(m.id)
    page = client.get(f"/membership/renew/{token}")
    assert page.status_code == 200 and "Friend" in page.get_data(as_text=True)
    assert client.get("/membership/renew/not-a-token").status_code == 404
    done = client.post_form(f"/membership/renew/{token}", {})
    assert done.status_code == 200 and "renewed" in done.get_data(as_text=True)
    with app.app_context():
        renewed = session().get(Membership, m.id)
        assert renewed.end_date > m.end_date
    assert _status(app, m.id) in ("Current", "New")
    assert smtp_server.messages[0]["Subject"] == "Your membership is renewed"


def test_a_cancelled_membership_cannot_be_renewed_from_the_link(app, client, factories):
    m = factories.membership.membership(join_date=date.today().isoformat())
    with app.app_context():
        s = session()
        services.cancel(s, m.id)
        s.commit()
    with app.test_request_context():
        token = reminders.renewal_token(m.id)
    refused = client.post_form(f"/membership/renew/{token}", {})
    assert refused.status_code == 422 and "cannot be renewed" in refused.get_data(as_text=True)


class TestDisabled:
    @pytest.fixture
    def amicale_components(self):
        return []

    def test_the_public_pages_do_not_exist_while_the_component_is_disabled(self, client):
        assert client.get("/membership/join").status_code == 404
        assert client.get("/membership/renew/x").status_code == 404


def test_the_admin_offers_a_type_publicly_from_its_form(login_as, client, message_template):
    template = message_template("Welcome", "Welcome", "Hello {contact.first_name}")
    admin = login_as("administrator", locale="en")
    form = admin.get("/membership/types").get_data(as_text=True)
    assert 'name="is_public"' in form and 'name="confirmation_template_id"' in form
    created = admin.post_form(
        "/membership/types",
        {
            "name": "Supporter",
            "duration_unit": "year",
            "duration_interval": "1",
            "period_type": "rolling",
            "is_active": "1",
            "is_public": "1",
            "confirmation_template_id": template,
        },
    )
    assert created.status_code == 302
    assert "Supporter" in client.get("/membership/join").get_data(as_text=True)


def test_a_renewal_form_sent_twice_renews_once(app, client, factories):
    import re

    kind = factories.membership.type(name="Friend")
    m = factories.membership.membership(
        membership_type_id=kind.id, join_date=(date.today() - timedelta(days=350)).isoformat()
    )
    with app.test_request_context():
        token = reminders.renewal_token(m.id)
    page = client.get(f"/membership/renew/{token}").get_data(as_text=True)
    seen = re.search(r'name="end_date" value="([^"]*)"', page).group(1)
    assert seen == m.end_date.isoformat()
    first = client.post_form(f"/membership/renew/{token}", {"end_date": seen})
    second = client.post_form(f"/membership/renew/{token}", {"end_date": seen})
    assert first.status_code == second.status_code == 200
    with app.app_context():
        renewed = session().get(Membership, m.id)
    assert renewed.end_date.year == m.end_date.year + 1  # one more year, not two
