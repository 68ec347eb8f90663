"""The payment processor interface: the built-in processors answered by ``payment_processors``,
what a processor is given (``PaymentRequest``), ``complete_payment`` and ``fail_payment``
(idempotent, through the services), and the pay link of a Pending contribution (``pay_url``)."""

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from amicale.api_for_plugins import NotFound, hook, session, set_setting
from amicale_contribute import donation_give, donation_pages, donations, processors
from amicale_contribute.models import Contribution, FinancialType, PaymentAttempt


@pytest.fixture
def client(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


class FakeGateway:
    """An online processor of an extension: it keeps what it is asked and sends the donor to
    its own checkout page."""

    name = "gateway"
    label = "Gateway"

    def __init__(self):
        self.requests = []

    def start(self, payment):
        self.requests.append(payment)
        return f"https://pay.example.com/checkout/{payment.token}"


@pytest.fixture
def gateway(monkeypatch):
    fake = FakeGateway()
    offered = {p.name: p for p in processors.BUILT_IN} | {fake.name: fake}
    monkeypatch.setattr(processors, "available", lambda: dict(offered))
    monkeypatch.setattr(donation_give, "available", lambda: dict(offered))
    monkeypatch.setattr(donation_pages.processors, "available", lambda: dict(offered))
    return fake


def _page(in_app, **values):
    with in_app() as s:
        donation = s.scalar(select(FinancialType).where(FinancialType.name == "Donation"))
        page = donation_pages.create_page(
            s,
            {
                "title": "Trees",
                "slug": "trees",
                "financial_type_id": donation.id,
                "preset_amounts": "25",
                "allow_recurring": True,
                "recurring_units": ["month"],
                **values,
            },
        )
        s.commit()
        return page.id


def _give(client, **fields):
    form = client.get("/contribute/give/trees").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', form).group(1)
    data = {
        "token": token,
        "amount": "25.00",
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "grace@example.org",
        **fields,
    }
    return client.post_form("/contribute/give/trees", data)


def _contribution(app, contribution_id=None) -> Contribution:
    with app.app_context():
        s = session()
        query = select(Contribution).order_by(Contribution.id.desc())
        if contribution_id:
            query = query.where(Contribution.id == contribution_id)
        c = s.scalars(query).first()
        s.expunge(c)
        return c


def test_the_hook_answers_the_manual_and_the_test_processors(app):
    with app.app_context():
        answered = [p for answer in hook.payment_processors() for p in answer]
    by_name = {p.name: p for p in answered}
    assert {"manual", "test"} <= set(by_name)
    assert "test" in str(by_name["test"].label).lower()
    assert all(isinstance(p, processors.PaymentProcessor) for p in by_name.values())
    assert by_name["manual"].start(None) is None


def test_an_extension_processor_gets_the_request_and_completes_it_once(
    app, client, in_app, gateway, organisation, smtp_server
):
    _page(in_app, processors=["gateway"])
    sent = _give(client, frequency="month")
    assert sent.status_code == 302
    assert sent.location.startswith("https://pay.example.com/checkout/")
    (request,) = gateway.requests
    assert request.amount == Decimal("25.00") and request.currency == "EUR"
    assert request.donor_email == "grace@example.org" and "Hopper" in request.donor_name
    assert request.description == "Trees" and request.recurring.unit == "month"
    assert (
        request.return_url.startswith("http") and f"/thanks/{request.token}" in request.return_url
    )
    assert request.cancel_url.endswith("/contribute/give/trees")

    # The gateway's webhook, delivered twice.
    for _ in range(2):
        with in_app() as s:
            processors.complete_payment(s, request.token, "ch_123")
            s.commit()
    c = _contribution(app, request.contribution_id)
    assert (c.status, c.paid_amount, c.transaction_id) == ("Completed", Decimal("25.00"), "ch_123")
    assert len(smtp_server.messages) == 1
    with in_app() as s:
        attempt = processors.get_attempt(s, request.token)
        assert (attempt.state, attempt.processor_reference) == ("completed", "ch_123")
        # A failure coming after the success changes nothing.
        processors.fail_payment(s, request.token, "late")
        s.commit()
    assert _contribution(app, request.contribution_id).status == "Completed"


def test_a_failed_payment_fails_the_gift_and_its_recurring_gift_once(app, client, in_app, gateway):
    from amicale_contribute.models import Recurring

    _page(in_app, processors=["gateway"])
    _give(client, frequency="month")
    token = gateway.requests[0].token
    with in_app() as s:
        processors.fail_payment(s, token, "card expired")
        processors.fail_payment(s, token, "again")
        processors.complete_payment(s, token, "too late")
        s.commit()
    c = _contribution(app)
    assert c.status == "Failed" and c.cancel_reason == "card expired"
    with app.app_context():
        (r,) = session().scalars(select(Recurring)).all()
        assert r.status == "Failed" and r.next_date is None


def test_a_processor_that_refuses_to_start_fails_the_gift_with_its_message(
    app, client, in_app, gateway, monkeypatch
):
    from amicale.api_for_plugins import ValidationError

    def refuse(payment):
        raise ValidationError("The gateway is down.")

    monkeypatch.setattr(gateway, "start", refuse)
    _page(in_app, processors=["gateway"])
    refused = _give(client)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert 'data-state="failed"' in text and "The gateway is down." in text
    assert _contribution(app).status == "Failed"


def test_an_unknown_token_is_not_found(in_app):
    with in_app() as s, pytest.raises(NotFound):
        processors.complete_payment(s, "nope", "x")
    with in_app() as s, pytest.raises(NotFound):
        processors.fail_payment(s, "", "x")


def test_the_test_card_page_only_serves_test_payments(client, in_app, gateway, app):
    _page(in_app, processors=["gateway"])
    _give(client)
    token = gateway.requests[0].token
    assert client.get(f"/contribute/pay/test/{token}").status_code == 404
    assert client.get("/contribute/pay/test/unknown").status_code == 404


# -- the pay link of a Pending contribution ------------------------------------------------------


def test_the_pay_link_pays_a_pending_contribution_and_then_says_it_is_paid(
    app, client, factories, in_app, organisation, smtp_server
):
    owed = factories.contribute.contribution(
        amount="30.00", status="Pending", financial_type="Member Dues", source="Membership"
    )
    with in_app() as s:
        set_setting(s, "contribute.pay_processors", ["test"])
        s.commit()
        url = donations.pay_url(s.get(Contribution, owed.id))
    assert url.startswith("http") and "/contribute/pay/" in url
    path = urlsplit(url).path
    page = client.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="payment-owed"' in text and "30.00" in text
    token = re.search(r'name="token" value="([^"]+)"', text).group(1)
    started = client.post_form(path, {"token": token, "processor": "test"})
    assert "/contribute/pay/test/" in started.location
    # Posting the same form again starts nothing new.
    again = client.post_form(path, {"token": token, "processor": "test"})
    assert "/contribute/pay/done/" in again.location
    with app.app_context():
        assert len(session().scalars(select(PaymentAttempt)).all()) == 1
    done = client.post_form(urlsplit(started.location).path, {"action": "pay"})
    assert "/contribute/pay/done/" in done.location
    assert 'data-state="completed"' in client.get(done.location).get_data(as_text=True)
    assert _contribution(app, owed.id).status == "Completed"
    (received,) = smtp_server.messages
    assert received["Subject"] == "Payment received" and "Member Dues" in received.get_content()
    second = client.get(path).get_data(as_text=True)
    assert 'id="payment-settled"' in second and "already made" in second
    assert client.get("/contribute/pay/not-a-token").status_code == 404


def test_a_declined_payment_of_dues_leaves_them_pending(app, client, factories, in_app):
    owed = factories.contribute.contribution(amount="30.00", status="Pending")
    with in_app() as s:
        set_setting(s, "contribute.pay_processors", ["test"])
        s.commit()
        path = urlsplit(donations.pay_url(s.get(Contribution, owed.id))).path
    text = client.get(path).get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', text).group(1)
    started = client.post_form(path, {"token": token})
    client.post_form(urlsplit(started.location).path, {"action": "decline"})
    assert _contribution(app, owed.id).status == "Pending"
    assert 'id="payment-owed"' in client.get(path).get_data(as_text=True)


def test_request_payment_answers_the_pay_link(app, factories, in_app):
    donor = factories.contact()
    with in_app() as s:
        answer = hook.request_payment(
            entity="membership",
            entity_id=7,
            contact_id=donor.id,
            amount=Decimal("20.00"),
            currency="EUR",
            financial_type="Member Dues",
            status="Pending",
            source="Public join page",
            details=None,
        )
        s.commit()
    assert answer["status"] == "Pending" and "/contribute/pay/" in answer["pay_url"]
