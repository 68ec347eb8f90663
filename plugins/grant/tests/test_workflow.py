"""A grant's life: Submitted → Eligible → Approved → Paid (or Ineligible, Withdrawn); only the
allowed steps are offered, each with its permission; reviews; payments in several parts."""

from datetime import date
from decimal import Decimal

import pytest

from amicale.api_for_plugins import PermissionDenied, ValidationError
from amicale_grant import services
from amicale_grant.models import GrantPayment, GrantStatusLog


def test_an_application_walks_to_paid_in_two_payments(factories, in_app, count_rows):
    grant = factories.grant.grant(amount_total="1500.00")
    assert grant.status == "Submitted"
    with in_app() as s:
        services.change_status(s, grant.id, {"status": "Eligible"})
        approved = services.change_status(
            s, grant.id, {"status": "Approved", "amount_granted": "1200.00"}
        )
        assert approved.amount_granted == Decimal("1200.00")
        assert approved.decision_date == services.today_()
        services.record_payment(
            s, grant.id, {"payment_date": "2026-03-01", "amount": "700.00", "reference": "VIR-1"}
        )
        assert services.get_grant(s, grant.id).status == "Approved"
        services.record_payment(s, grant.id, {"payment_date": "2026-04-01", "amount": "500.00"})
        paid = services.get_grant(s, grant.id)
        assert paid.status == "Paid"
        assert paid.money_transfer_date == date(2026, 4, 1)
        assert services.paid_total(s, grant.id) == Decimal("1200.00")
        s.commit()
    assert count_rows(GrantPayment) == 2
    assert count_rows(GrantStatusLog, GrantStatusLog.grant_id == grant.id) == 4


def test_the_amount_granted_defaults_to_the_amount_requested(factories, in_app):
    grant = factories.grant.grant(amount_total="800.50")
    with in_app() as s:
        services.change_status(s, grant.id, {"status": "Eligible"})
        done = services.change_status(s, grant.id, {"status": "Approved"})
        assert done.amount_granted == Decimal("800.50")


def test_paying_in_full_records_what_remains(factories, in_app):
    grant = factories.grant.grant(amount_total="1000.00")
    with in_app() as s:
        services.change_status(s, grant.id, {"status": "Eligible"})
        services.change_status(s, grant.id, {"status": "Approved"})
        services.record_payment(s, grant.id, {"payment_date": "2026-02-01", "amount": "400.00"})
        services.change_status(
            s, grant.id, {"status": "Paid", "payment_date": "2026-02-15", "reference": "CHQ 12"}
        )
        payments = services.list_payments(s, grant.id)
    assert [(p.amount, p.reference) for p in payments] == [
        (Decimal("400.00"), None),
        (Decimal("600.00"), "CHQ 12"),
    ]


def test_a_step_not_in_the_workflow_is_refused(factories, in_app):
    grant = factories.grant.grant()
    with in_app() as s:
        with pytest.raises(ValidationError) as caught:
            services.change_status(s, grant.id, {"status": "Paid"})
    assert "cannot go from Submitted to Paid" in caught.value.message


def test_paying_more_than_granted_is_refused(factories, in_app):
    grant = factories.grant.grant(amount_total="100.00")
    with in_app() as s:
        services.change_status(s, grant.id, {"status": "Eligible"})
        services.change_status(s, grant.id, {"status": "Approved"})
        with pytest.raises(ValidationError) as caught:
            services.record_payment(s, grant.id, {"payment_date": "2026-02-01", "amount": "150.00"})
    assert caught.value.errors["amount"] == ["Only 100.00 remains to be paid."]


def test_an_unapproved_grant_is_not_paid(factories, in_app):
    grant = factories.grant.grant()
    with in_app() as s:
        with pytest.raises(ValidationError):
            services.record_payment(s, grant.id, {"payment_date": "2026-02-01", "amount": "1.00"})


def test_the_steps_offered_follow_the_permissions(factories, make_user, in_app, app):
    staff = make_user(roles=("staff",))
    admin = make_user(roles=("administrator",))
    grant = factories.grant.grant()
    with in_app() as s:
        from amicale.accounts.models import User  # tests only: the users as the services see them

        staff_user, admin_user = s.get(User, staff.id), s.get(User, admin.id)
        g = services.get_grant(s, grant.id)
        assert services.allowed_transitions(g, staff_user) == [
            "Eligible",
            "Ineligible",
            "Withdrawn",
        ]
        services.change_status(s, grant.id, {"status": "Eligible"}, user=staff_user)
        # staff reviews but does not approve: the board does
        assert services.allowed_transitions(g, staff_user) == ["Ineligible", "Withdrawn"]
        assert services.allowed_transitions(g, admin_user) == [
            "Approved",
            "Ineligible",
            "Withdrawn",
        ]
        with pytest.raises(PermissionDenied):
            services.change_status(s, grant.id, {"status": "Approved"}, user=staff_user)
        services.change_status(s, grant.id, {"status": "Approved"}, user=admin_user)
        with pytest.raises(PermissionDenied):
            services.record_payment(
                s, grant.id, {"payment_date": "2026-01-01", "amount": "1.00"}, user=staff_user
            )


def test_an_ineligible_application_can_be_reconsidered(factories, in_app):
    grant = factories.grant.grant()
    with in_app() as s:
        g = services.change_status(s, grant.id, {"status": "Ineligible", "note": "Out of scope"})
        assert g.decision_date is not None
        g = services.change_status(s, grant.id, {"status": "Submitted"})
        assert g.decision_date is None
        notes = [h.note for h in services.status_history(s, grant.id)]
    assert notes == [None, "Out of scope", None]


def test_reviewers_each_give_one_score(factories, make_user, in_app):
    a, b = make_user(roles=("staff",)), make_user(roles=("staff",))
    grant = factories.grant.grant()
    with in_app() as s:
        from amicale.accounts.models import User

        ua, ub = s.get(User, a.id), s.get(User, b.id)
        services.save_review(s, grant.id, {"score": 6, "comment": "Clear budget"}, user=ua)
        services.save_review(s, grant.id, {"score": 8}, user=ua)  # changes their mind
        services.save_review(s, grant.id, {"score": 9, "comment": "Strong"}, user=ub)
        reviews = services.list_reviews(s, grant.id)
        row = services.represent(s, [services.get_grant(s, grant.id)])[0]
        assert [r.score for r in reviews] == [8, 9]
        assert row["average_score"] == 8.5
        with pytest.raises(ValidationError) as caught:
            services.save_review(s, grant.id, {"score": 11}, user=ua)
        assert "score" in caught.value.errors


def test_a_decided_application_is_no_longer_reviewed(factories, in_app, make_user):
    grant = factories.grant.grant()
    reviewer = make_user(roles=("staff",))
    with in_app() as s:
        from amicale.accounts.models import User

        services.change_status(s, grant.id, {"status": "Withdrawn"})
        with pytest.raises(ValidationError):
            services.save_review(s, grant.id, {"score": 5}, user=s.get(User, reviewer.id))


def test_a_grant_needs_an_applicant_a_type_and_an_amount(in_app):
    with in_app() as s:
        with pytest.raises(ValidationError) as caught:
            services.create_grant(s, {"contact_id": 99999, "grant_type_id": 99999})
    errors = caught.value.errors
    assert errors["amount_total"] == ["This field is required."]
    with in_app() as s:
        with pytest.raises(ValidationError) as caught:
            services.create_grant(
                s, {"contact_id": 99999, "grant_type_id": 99999, "amount_total": "-5"}
            )
    assert "amount_total" in caught.value.errors
