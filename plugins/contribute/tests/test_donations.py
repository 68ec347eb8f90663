"""Public donation pages: an anonymous visitor gives on a page (preset or other amount, once or
every month, the test or the "pay later" processor), the donor is found by email or created, the
thank-you email follows; bad input shows messages and writes nothing; the admin's pages."""

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from amicale.api_for_plugins import Contact, session
from amicale_contribute import donation_pages
from amicale_contribute.models import (
    Contribution,
    ContributionPage,
    FinancialType,
    PaymentAttempt,
    Recurring,
)


@pytest.fixture
def client(client):
    """An anonymous visitor whose browser asks for English."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def make_page(app, in_app):
    """``make_page(**values)`` -> a saved donation page (the test processor, 10/25/50, other
    amounts from 5 to 1000)."""

    def make(**values):
        with in_app() as s:
            donation = s.scalar(select(FinancialType).where(FinancialType.name == "Donation"))
            data = {
                "title": "Spring appeal",
                "slug": "spring",
                "financial_type_id": donation.id,
                "preset_amounts": "10, 25, 50",
                "allow_other_amount": True,
                "minimum_amount": "5",
                "maximum_amount": "1000",
                "processors": ["test"],
                "thankyou_text": "Every euro plants a tree.",
                **values,
            }
            page = donation_pages.create_page(s, data)
            s.commit()
            s.refresh(page)
            s.expunge(page)
        return page

    return make


def _form(client, url: str) -> dict:
    """The hidden fields of the page's form (its nonce)."""
    page = client.get(url)
    assert page.status_code == 200
    token = re.search(r'name="token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return {"token": token}


def _give(client, slug="spring", **fields):
    data = {
        **_form(client, f"/contribute/give/{slug}"),
        "amount": "25.00",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.org",
        **fields,
    }
    return client.post_form(f"/contribute/give/{slug}", data), data


def _contributions(app):
    with app.app_context():
        rows = session().scalars(select(Contribution).order_by(Contribution.id)).all()
        for row in rows:
            session().expunge(row)
        return rows


def test_a_visitor_gives_25_with_the_test_processor_and_is_thanked(
    app, client, make_page, organisation, smtp_server, count_rows
):
    make_page()
    page = client.get("/contribute/give/spring")
    text = page.get_data(as_text=True)
    assert "Spring appeal" in text and 'value="25.00"' in text and 'name="other_amount"' in text
    sent, _data = _give(client)
    assert sent.status_code == 302 and "/contribute/pay/test/" in sent.location
    (c,) = _contributions(app)
    assert (c.status, c.amount, c.source) == ("Pending", Decimal("25.00"), "Page: Spring appeal")
    assert smtp_server.messages == []  # not before the payment

    card = client.get(sent.location)
    assert card.status_code == 200 and "no money moves" in card.get_data(as_text=True)
    back = client.post_form(sent.location, {"action": "pay"})
    assert back.status_code == 302 and "/contribute/give/spring/thanks/" in back.location
    thanks = client.get(back.location).get_data(as_text=True)
    assert 'data-state="completed"' in thanks and "Every euro plants a tree." in thanks
    (c,) = _contributions(app)
    assert c.status == "Completed" and c.paid_amount == Decimal("25.00")
    assert c.transaction_id.startswith("test-") and c.thankyou_date is not None
    (received,) = smtp_server.messages
    assert received["Subject"] == "Thank you for your gift"
    body = received.get_content()
    assert "Hello Ada" in body and "25.00" in body and "Les Amis du Parc" in body

    # Paying twice changes nothing.
    client.post_form(sent.location, {"action": "pay"})
    assert len(smtp_server.messages) == 1 and len(_contributions(app)) == 1

    # A second gift with the same email finds the same contact.
    before = count_rows(Contact)
    _give(client, amount="other", other_amount="12,50", first_name="A", last_name="L")
    assert count_rows(Contact) == before
    first, second = _contributions(app)
    assert second.contact_id == first.contact_id and second.amount == Decimal("12.50")


def test_a_declined_card_fails_the_gift(app, client, make_page, organisation, smtp_server):
    make_page()
    sent, _data = _give(client)
    back = client.post_form(sent.location, {"action": "decline"})
    assert 'data-state="failed"' in client.get(back.location).get_data(as_text=True)
    (c,) = _contributions(app)
    assert c.status == "Failed" and c.cancel_reason
    assert smtp_server.messages == []


def test_pay_later_stays_pending_with_the_instructions(
    app, client, make_page, organisation, smtp_server, in_app
):
    from amicale.api_for_plugins import set_setting

    with in_app() as s:
        set_setting(s, "contribute.manual_instructions", "IBAN FR76 1234, reference GIFT.")
        s.commit()
    make_page(processors=["manual", "test"])
    page = client.get("/contribute/give/spring").get_data(as_text=True)
    assert "Pay later, by cheque or bank transfer" in page and "Test payment" in page
    refused, _data = _give(client)  # two ways to pay: one must be chosen
    assert refused.status_code == 422 and 'id="f-processor-error"' in refused.get_data(as_text=True)
    sent, _data = _give(client, processor="manual")
    assert sent.status_code == 302 and "/thanks/" in sent.location
    result = client.get(sent.location).get_data(as_text=True)
    assert 'data-state="pending"' in result and "IBAN FR76 1234" in result
    (c,) = _contributions(app)
    assert c.status == "Pending"
    (received,) = smtp_server.messages
    assert received["Subject"] == "Your gift: how to pay"
    assert "IBAN FR76 1234" in received.get_content()


def test_a_monthly_gift_creates_a_recurring_gift_that_runs_once_paid(
    app, client, make_page, organisation, smtp_server
):
    make_page(allow_recurring=True, recurring_units=["month", "year"])
    assert 'value="month"' in client.get("/contribute/give/spring").get_data(as_text=True)
    sent, _data = _give(client, frequency="month")
    with app.app_context():
        (r,) = session().scalars(select(Recurring)).all()
        assert (r.status, r.amount, r.frequency_unit, r.next_date) == (
            "Pending",
            Decimal("25.00"),
            "month",
            None,
        )
    client.post_form(sent.location, {"action": "pay"})
    with app.app_context():
        (r,) = session().scalars(select(Recurring)).all()
        assert r.status == "In Progress" and r.processor == "test" and r.next_date > r.start_date
        (c,) = session().scalars(select(Contribution)).all()
        assert c.recurring_id == r.id and c.status == "Completed"
    assert "repeated every month" in smtp_server.messages[0].get_content()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": "other", "other_amount": "2"}, "The smallest gift is"),
        ({"amount": "other", "other_amount": "5000"}, "The largest gift is"),
        ({"amount": "other", "other_amount": "lots"}, "Give an amount, such as 25.00."),
        ({"amount": "33.00"}, "Choose one of the amounts."),
        ({"amount": ""}, "Choose an amount."),
    ],
)
def test_a_bad_amount_is_refused_beside_the_field_and_nothing_is_written(
    client, make_page, count_rows, fields, message
):
    make_page()
    before = count_rows(Contact), count_rows(Contribution), count_rows(PaymentAttempt)
    refused, _data = _give(client, email="not-an-email", **fields)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert 'id="f-amount-error"' in text and message in text
    assert 'id="f-email-error"' in text and 'value="not-an-email"' in text
    assert (count_rows(Contact), count_rows(Contribution), count_rows(PaymentAttempt)) == before


def test_another_amount_is_refused_when_the_page_does_not_allow_it(client, make_page, count_rows):
    make_page(allow_other_amount=False)
    assert 'name="other_amount"' not in client.get("/contribute/give/spring").get_data(as_text=True)
    refused, _data = _give(client, amount="other", other_amount="30")
    assert refused.status_code == 422
    assert "Choose one of the amounts." in refused.get_data(as_text=True)
    assert count_rows(Contribution) == 0


def test_an_inactive_or_unknown_page_is_not_found(client, make_page, in_app):
    page = make_page()
    with in_app() as s:
        donation_pages.set_active(s, page.id, False)
        s.commit()
    assert client.get("/contribute/give/spring").status_code == 404
    assert client.get("/contribute/give/nowhere").status_code == 404


def test_the_same_form_posted_twice_gives_once(app, client, make_page, count_rows):
    make_page()
    first, data = _give(client)
    again = client.post_form("/contribute/give/spring", data)
    assert again.status_code == 302 and "/thanks/" in again.location
    assert count_rows(Contribution) == 1 and count_rows(PaymentAttempt) == 1
    assert client.post("/contribute/give/spring", data=data).status_code == 400  # CSRF


def test_a_robot_filling_the_honeypot_writes_nothing(client, make_page, count_rows):
    make_page()
    done, _data = _give(client, website="http://spam.example.org")
    assert done.status_code == 200 and 'data-state="robot"' in done.get_data(as_text=True)
    assert count_rows(Contribution) == 0 and count_rows(Contact) == 0


def test_the_campaign_progress_shows_when_it_has_a_goal(client, make_page, factories):
    campaign = factories.contribute.campaign(name="Trees", goal_amount="1000")
    factories.contribute.contribution(amount="250", campaign_id=campaign.id)
    make_page(campaign_id=campaign.id)
    text = client.get("/contribute/give/spring").get_data(as_text=True)
    assert 'id="campaign-progress"' in text and 'value="25"' in text
    other = factories.contribute.campaign(name="No goal")
    make_page(slug="plain", campaign_id=other.id)
    assert 'id="campaign-progress"' not in client.get("/contribute/give/plain").get_data(
        as_text=True
    )


def test_the_custom_fields_of_contributions_are_asked_and_saved(app, client, make_page, in_app):
    from amicale.customfields import services as custom

    with in_app() as s:
        group = custom.create_group(
            s,
            {"name": "gift", "title": "About your gift", "extends": "contribute_contribution"},
        )
        custom.create_field(
            s,
            {
                "custom_group_id": group.id,
                "name": "dedication",
                "label": "In honour of",
                "data_type": "text",
                "is_required": True,
            },
        )
        s.commit()
    make_page()
    assert "In honour of" in client.get("/contribute/give/spring").get_data(as_text=True)
    refused, _data = _give(client)
    assert refused.status_code == 422
    assert 'id="f-custom.dedication-error"' in refused.get_data(as_text=True)
    sent, _data = _give(client, **{"custom-dedication": "Grandma"})
    assert sent.status_code == 302
    (c,) = _contributions(app)
    with in_app() as s:
        values = custom.values_for(s, "contribute_contribution", [c.id])
    assert values[c.id]["dedication"] == "Grandma"


# -- the admin's pages ------------------------------------------------------------------------


def test_the_admin_creates_edits_and_closes_a_page(login_as, client, app, in_app):
    admin = login_as("administrator", locale="en")
    with in_app() as s:
        donation = s.scalar(select(FinancialType).where(FinancialType.name == "Donation"))
    listing = admin.get("/contribute/pages")
    assert listing.status_code == 200 and "Donation pages" in listing.get_data(as_text=True)
    assert "Test payment" in admin.get("/contribute/pages/new").get_data(as_text=True)
    created = admin.post_form(
        "/contribute/pages/new",
        {
            "title": "Winter appeal",
            "slug": "winter",
            "financial_type_id": donation.id,
            "preset_amounts": "50, 20",
            "allow_other_amount": "1",
            "processors": ["test", "manual"],
            "currency": "EUR",
            "is_active": "1",
        },
    )
    assert created.status_code == 302
    with in_app() as s:
        page = s.scalar(select(ContributionPage).where(ContributionPage.slug == "winter"))
        assert page.preset_amounts == ["20.00", "50.00"] and page.processors == ["test", "manual"]
        page_id = page.id
    assert client.get("/contribute/give/winter").status_code == 200
    edited = admin.post_form(
        f"/contribute/pages/{page_id}/edit",
        {
            "title": "Winter appeal 2027",
            "slug": "winter",
            "financial_type_id": donation.id,
            "preset_amounts": "30",
            "processors": ["test"],
            "is_active": "1",
        },
    )
    assert edited.status_code == 302
    with in_app() as s:
        page = s.get(ContributionPage, page_id)
        assert page.title == "Winter appeal 2027" and page.allow_other_amount is False
    admin.post_form(f"/contribute/pages/{page_id}/deactivate")
    assert client.get("/contribute/give/winter").status_code == 404


def test_the_admin_form_shows_every_mistake_and_writes_nothing(login_as, count_rows, make_page):
    make_page()
    admin = login_as("administrator", locale="en")
    refused = admin.post_form(
        "/contribute/pages/new",
        {
            "title": "",
            "slug": "Spring Appeal!",
            "financial_type_id": "",
            "preset_amounts": "10, ten",
            "minimum_amount": "50",
            "maximum_amount": "5",
            "processors": [],
            "allow_recurring": "1",
        },
    )
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    for name in ("title", "slug", "financial_type_id", "preset_amounts", "processors"):
        assert f'id="f-{name}-error"' in text, name
    assert "ten is not an amount." in text
    assert count_rows(ContributionPage) == 1
    with_clash = admin.post_form(
        "/contribute/pages/new",
        {
            "title": "Again",
            "slug": "spring",
            "financial_type_id": "1",
            "preset_amounts": "10",
            "minimum_amount": "50",
            "maximum_amount": "5",
            "processors": ["nope"],
            "allow_recurring": "1",
        },
    )
    text = with_clash.get_data(as_text=True)
    assert "Another page has this address." in text
    assert "The maximum is below the minimum." in text
    assert "Choose how often donors may give." in text
    assert 'id="f-processors-error"' in text
    assert count_rows(ContributionPage) == 1


def test_only_administrators_see_the_admin_pages(login_as):
    staff = login_as("staff", locale="en")
    assert staff.get("/contribute/pages").status_code == 403
    assert staff.post_form("/contribute/pages/new", {"title": "x"}).status_code == 403


def test_the_menu_offers_donation_pages_in_the_admin_section(app):
    from amicale.api_for_plugins import hook

    with app.test_request_context():
        items = [i for answer in hook.menu_items(user=None) for i in answer or []]
    (item,) = [i for i in items if i.endpoint == "contribute_donations.pages"]
    assert (str(item.label), item.section, item.permission) == (
        "Donation pages",
        "admin",
        "administer_contribute",
    )
