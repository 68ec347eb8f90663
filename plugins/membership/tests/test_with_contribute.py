"""Membership with the Contributions component enabled: dues are real Member Dues
contributions, a Pending membership waits for its contribution, and the payment's later changes
come back through ``payment_status_changed``."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from amicale.api_for_plugins import session
from amicale_contribute import services as contribute
from amicale_contribute.models import Contribution, FinancialType
from amicale_membership import services
from amicale_membership.models import Membership


@pytest.fixture
def amicale_components():
    return ["membership", "contribute"]


def _status(app, membership_id: int) -> str:
    with app.app_context():
        s = session()
        return services.get_status(s, s.get(Membership, membership_id).status_id).name


def _dues(app, membership_id: int) -> list[Contribution]:
    with app.app_context():
        s = session()
        rows = s.scalars(
            select(Contribution).where(
                Contribution.for_entity == "membership",
                Contribution.for_entity_id == membership_id,
            )
        ).all()
        for row in rows:
            s.expunge(row)
        return list(rows)


def test_a_join_with_its_fee_records_a_member_dues_contribution(app, factories, in_app):
    kind = factories.membership.type(minimum_fee="30", financial_type="Member Dues")
    ada = factories.contact()
    with in_app() as s:
        m = services.join(
            s,
            {
                "contact_id": ada.id,
                "membership_type_id": kind.id,
                "payment_instrument": "cheque",
                "check_number": "4471",
            },
        )
        s.commit()
        mid = m.id
    (dues,) = _dues(app, mid)
    assert (dues.amount, dues.status, dues.check_number) == (Decimal("30.00"), "Completed", "4471")
    assert dues.contact_id == ada.id
    with app.app_context():
        ftype = session().get(FinancialType, dues.financial_type_id)
        assert ftype.name == "Member Dues"


def test_a_pending_membership_waits_for_its_contribution(app, client, factories, in_app):
    paid = factories.membership.type(name="Member", minimum_fee="20", is_public=True)
    page = client.post_form(
        "/membership/join",
        {
            "membership_type_id": paid.id,
            "first_name": "Bob",
            "last_name": "Martin",
            "email": "bob@example.org",
        },
    )
    assert page.status_code == 200
    with app.app_context():
        m = session().scalar(select(Membership))
        mid = m.id
    (dues,) = _dues(app, mid)
    assert dues.status == "Pending" and _status(app, mid) == "Pending"
    with in_app() as s:
        contribute.record_payment(s, dues.id, {"amount": "20.00"})
        s.commit()
    assert _status(app, mid) in ("New", "Current")
    with app.app_context():
        assert session().get(Membership, mid).paid_amount == Decimal("20.00")


def test_recording_the_payment_from_the_membership_completes_the_contribution(
    app, factories, in_app, login_as
):
    kind = factories.membership.type(minimum_fee="25")
    bob = factories.contact()
    with in_app() as s:
        m = services.join(
            s,
            {
                "contact_id": bob.id,
                "membership_type_id": kind.id,
                "status": "Pending",
                "record_payment": False,
            },
        )
        from amicale.api_for_plugins import hook

        hook.request_payment(
            entity="membership",
            entity_id=m.id,
            contact_id=bob.id,
            amount=Decimal("25"),
            currency="EUR",
            financial_type="Member Dues",
            status="Pending",
            source="test",
            details=None,
        )
        s.commit()
        mid = m.id
    web = login_as("staff", locale="en")
    tab = web.get(f"/membership/contact/{bob.id}").get_data(as_text=True)
    assert "Record the payment" in tab and "not paid" in tab
    done = web.post_form(
        f"/membership/{mid}/pay",
        {"fee_amount": "25", "paid_date": "2026-01-10", "payment_instrument": "transfer"},
    )
    assert done.status_code == 302
    (dues,) = _dues(app, mid)  # the pending one completed, not a second one
    assert dues.status == "Completed" and dues.receive_date == date(2026, 1, 10)
    assert _status(app, mid) in ("New", "Current")


def test_a_cancelled_payment_cancels_the_pending_membership(app, client, factories, in_app):
    paid = factories.membership.type(name="Member", minimum_fee="20", is_public=True)
    client.post_form(
        "/membership/join",
        {
            "membership_type_id": paid.id,
            "first_name": "Eve",
            "last_name": "Roux",
            "email": "eve@example.org",
        },
    )
    with app.app_context():
        mid = session().scalar(select(Membership.id))
    (dues,) = _dues(app, mid)
    with in_app() as s:
        contribute.set_status(s, dues.id, "Cancelled", reason="cheque never came")
        s.commit()
    assert _status(app, mid) == "Cancelled"


def test_a_renewal_with_its_payment_in_one_form(app, factories, login_as):
    kind = factories.membership.type(minimum_fee="40")
    ada = factories.contact()
    m = factories.membership.membership(
        contact_id=ada.id,
        membership_type_id=kind.id,
        join_date=(date.today() - timedelta(days=300)).isoformat(),
    )
    web = login_as("staff", locale="en")
    done = web.post_form(
        f"/membership/{m.id}/renew",
        {"fee_amount": "40,00", "record_payment": "1", "payment_instrument": "cash"},
    )
    assert done.status_code == 302
    dues = _dues(app, m.id)
    assert [d.amount for d in dues] == [Decimal("40.00"), Decimal("40.00")]
    assert all(d.status == "Completed" for d in dues)
