"""Events with the Contributions component enabled: a paid registration becomes an Event Fee
contribution, the visitor gets the page where they pay it, and "pay later" keeps them Pending
payment until the contribution is Completed."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from amicale.api_for_plugins import session
from amicale_contribute import services as contribute
from amicale_contribute.models import Contribution, FinancialType
from amicale_event import services
from amicale_event.models import Participant


@pytest.fixture
def amicale_components():
    return ["event", "contribute"]


def _fees(app, participant_id):
    with app.app_context():
        s = session()
        rows = s.scalars(
            select(Contribution).where(
                Contribution.for_entity == "participant",
                Contribution.for_entity_id == participant_id,
            )
        ).all()
        for row in rows:
            s.expunge(row)
        return list(rows)


def test_a_paid_registration_waits_for_its_event_fee(app, client, factories, in_app):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    gala = factories.event.event(title="Gala", fee_member="15.00", fee_non_member="25.00")
    page = client.post_form(
        f"/event/public/{gala.id}",
        {
            "first_name": "Bob",
            "last_name": "Martin",
            "email": "bob@example.org",
            "fee_level": "non_member",
        },
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Pay now" in text
    with app.app_context():
        p = session().scalar(select(Participant))
        pid, contribution_id = p.id, p.contribution_id
        assert p.status == "Pending payment"
    (fee,) = _fees(app, pid)
    assert (fee.id, fee.amount, fee.status) == (contribution_id, Decimal("25.00"), "Pending")
    with app.app_context():
        assert session().get(FinancialType, fee.financial_type_id).name == "Event Fee"
    with in_app() as s:
        contribute.record_payment(s, fee.id, {"amount": "25.00"})
        s.commit()
    with app.app_context():
        p = session().get(Participant, pid)
        assert (p.status, p.fee_paid) == ("Registered", True)


def test_staff_records_a_fee_paid_at_once(app, factories, in_app):
    workshop = factories.event.event(fee_member="8.00")
    ada = factories.contact()
    with in_app() as s:
        result = services.register(
            s,
            workshop.id,
            {"contact_id": ada.id, "record_payment": True, "payment_instrument": "cash"},
        )
        s.commit()
        pid = result.main.id
        assert result.main.status == "Registered"
    (fee,) = _fees(app, pid)
    assert (fee.status, fee.amount, fee.contact_id) == ("Completed", Decimal("8.00"), ada.id)
