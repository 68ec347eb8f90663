"""Contributions: recording, statuses, payments, totals, soft credits, and what is refused."""

from datetime import date
from decimal import Decimal

import pytest

from amicale.api_for_plugins import Activity, ValidationError
from amicale_contribute import services
from amicale_contribute.models import Contribution, SoftCredit


def test_a_donation_is_recorded_with_exact_money_and_an_activity(factories, in_app):
    donor = factories.contact(first_name="Ada", last_name="Lovelace")
    c = factories.contribute.contribution(donor.id, amount="33.30", receive_date="2026-03-01")
    assert c.amount == Decimal("33.30") and isinstance(c.amount, Decimal)
    assert c.status == "Completed" and c.paid_amount == Decimal("33.30")
    assert c.currency == "EUR" and c.receive_date == date(2026, 3, 1)
    with in_app() as s:
        from sqlalchemy import select

        subjects = s.scalars(select(Activity.subject)).all()
    assert any("33.30" in subject for subject in subjects)


def test_bad_input_names_each_field_and_writes_nothing(factories, in_app, count_rows):
    donor = factories.contact()
    with in_app() as s, pytest.raises(ValidationError) as caught:
        services.create_contribution(
            s, {"contact_id": donor.id, "amount": "abc", "financial_type": "Donation"}
        )
    assert "amount" in caught.value.errors
    with in_app() as s, pytest.raises(ValidationError) as caught:
        services.create_contribution(
            s, {"contact_id": donor.id, "amount": "10", "financial_type": "Nope"}
        )
    assert caught.value.field == "financial_type_id"
    with in_app() as s, pytest.raises(ValidationError) as caught:
        services.create_contribution(
            s,
            {
                "contact_id": donor.id,
                "amount": "10",
                "non_deductible_amount": "11",
                "financial_type": "Donation",
            },
        )
    assert "non_deductible_amount" in caught.value.errors
    assert count_rows(Contribution) == 0


def test_partial_payments_complete_a_pending_contribution(factories, in_app):
    c = factories.contribute.contribution(amount="100.00", status="Pending")
    assert c.paid_amount is None
    with in_app() as s:
        c = services.record_payment(s, c.id, {"amount": "40", "payment_instrument": "cheque"})
        assert (c.status, c.paid_amount) == ("Partially paid", Decimal("40.00"))
        with pytest.raises(ValidationError):
            services.record_payment(s, c.id, {"amount": "70"})
        c = services.record_payment(s, c.id, {"amount": "60"})
        assert (c.status, c.paid_amount) == ("Completed", Decimal("100.00"))
        s.commit()


def test_totals_count_completed_and_what_was_paid(factories, in_app):
    donor = factories.contact()
    factories.contribute.contribution(donor.id, amount="10.00", receive_date="2025-06-01")
    factories.contribute.contribution(donor.id, amount="20.00", receive_date="2026-02-01")
    factories.contribute.contribution(donor.id, amount="99.00", status="Cancelled")
    factories.contribute.contribution(
        donor.id, amount="50.00", status="Partially paid", paid_amount="5.00"
    )
    with in_app() as s:
        totals = services.contact_totals(s, donor.id, today=date(2026, 11, 1))
    assert totals.count == 3
    assert totals.total == Decimal("35.00")
    assert totals.first == date(2025, 6, 1)


def test_soft_credits_and_pledge_instalments(factories, in_app, count_rows):
    donor, honoured = factories.contact(), factories.contact()
    factories.contribute.contribution(
        donor.id, soft_credits=[{"contact_id": honoured.id, "kind": "in_memory"}]
    )
    assert count_rows(SoftCredit, SoftCredit.contact_id == honoured.id) == 1
    pledge = factories.contribute.pledge(
        donor.id, amount="100.00", installments=3, start_date="2026-01-31"
    )
    with in_app() as s:
        payments = services.pledge_payments(s, pledge.id)
        assert [p.scheduled_amount for p in payments] == [
            Decimal("33.33"),
            Decimal("33.33"),
            Decimal("33.34"),
        ]
        assert [p.scheduled_date for p in payments] == [
            date(2026, 1, 31),
            date(2026, 2, 28),
            date(2026, 3, 31),
        ]
        for _ in range(3):
            services.pay_pledge(s, pledge.id, {})
        assert services.get_pledge(s, pledge.id).status == "Completed"
        s.commit()


def test_recurring_gifts_record_their_missed_instalments_once(factories, in_app, count_rows):
    r = factories.contribute.recurring(amount="10.00", start_date="2026-01-15", installments=12)
    with in_app() as s:
        run = services.record_due_recurring(s, date(2026, 3, 20))
        s.commit()
    assert run.recorded == 3
    with in_app() as s:
        again = services.record_due_recurring(s, date(2026, 3, 20))
        assert again.recorded == 0
        assert services.get_recurring(s, r.id).next_date == date(2026, 4, 15)
    assert count_rows(Contribution, Contribution.recurring_id == r.id) == 3


def test_a_closed_batch_keeps_its_amounts_but_a_cheque_may_bounce(factories, in_app):
    from amicale.api_for_plugins import Conflict
    from amicale_contribute import batch_services

    donor = factories.contact()
    with in_app() as s:
        batch = batch_services.open_batch(
            s, {"title": "Courrier du lundi", "expected_count": 1, "expected_total": "30.00"}
        )
        c = services.create_contribution(
            s,
            {
                "contact_id": donor.id,
                "amount": "30.00",
                "financial_type": "Donation",
                "payment_instrument": "cheque",
                "batch_id": batch.id,
            },
        )
        batch_services.close_batch(s, batch.id)
        s.commit()
        with pytest.raises(Conflict):
            services.update_contribution(s, c.id, {"amount": "300.00"})
        s.rollback()
        with pytest.raises(Conflict):
            services.delete_contribution(s, c.id)
        s.rollback()
        bounced = services.set_status(s, c.id, "Failed", reason="chèque impayé")
        assert bounced.status == "Failed" and bounced.amount == Decimal("30.00")
        s.commit()
