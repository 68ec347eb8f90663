"""Joining, renewing, changing the type, cancelling: each leaves its log row, its activity, and
the dues on the membership when no payment component answers."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from amicale.api_for_plugins import ValidationError, session
from amicale_membership import services
from amicale_membership.models import Membership, MembershipLog, MembershipStatus


def _load(name: str):
    """A module beside the tests (they are not a package)."""
    import importlib.util
    import sys
    from pathlib import Path

    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).parent / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


fake_payments = _load("fake_payments")


def activities_of(contact_id: int) -> list[tuple[str, str]]:
    from amicale.activities.models import Activity, ActivityContact, ActivityType

    return [
        (name, subject)
        for name, subject in session().execute(
            select(ActivityType.name, Activity.subject)
            .join(Activity, Activity.activity_type_id == ActivityType.id)
            .join(ActivityContact, ActivityContact.activity_id == Activity.id)
            .where(ActivityContact.contact_id == contact_id)
            .order_by(Activity.id)
        )
    ]


def log_of(membership_id: int) -> list[str]:
    return list(
        session().scalars(
            select(MembershipLog.action)
            .where(MembershipLog.membership_id == membership_id)
            .order_by(MembershipLog.id)
        )
    )


def status_name(s, m) -> str:
    return s.get(MembershipStatus, m.status_id).name


def test_joining_gives_the_period_the_status_the_log_the_activity_and_the_dues(
    in_app, member, factories
):
    ada = member("Ada", "Lovelace")
    kind = factories.membership.type(name="Individual", minimum_fee="30.00")
    with in_app() as s:
        m = services.join(
            s,
            {"contact_id": ada.id, "membership_type_id": kind.id, "join_date": "2024-03-10"},
            today=date(2024, 3, 10),
        )
        s.commit()
        assert (m.start_date, m.end_date) == (date(2024, 3, 10), date(2025, 3, 9))
        assert status_name(s, m) == "New"
        assert (m.paid_amount, m.paid_date) == (Decimal("30.00"), date(2024, 3, 10))
        assert log_of(m.id) == ["join"]
        assert activities_of(ada.id) == [("membership_signup", "Individual membership")]


def test_joining_is_refused_with_the_field_at_fault(in_app, member, factories):
    ada = member()
    closed = factories.membership.type(is_active=False)
    kind = factories.membership.type()
    with in_app() as s:
        with pytest.raises(ValidationError) as no_type:
            services.join(s, {"contact_id": ada.id})
        assert "membership_type_id" in no_type.value.errors
        with pytest.raises(ValidationError) as inactive:
            services.join(s, {"contact_id": ada.id, "membership_type_id": closed.id})
        assert "no longer offered" in inactive.value.errors["membership_type_id"][0]
        with pytest.raises(ValidationError) as nobody:
            services.join(s, {"contact_id": 999999, "membership_type": kind.name})
        assert "contact_id" in nobody.value.errors
        with pytest.raises(ValidationError) as dates:
            services.join(
                s,
                {
                    "contact_id": ada.id,
                    "membership_type_id": kind.id,
                    "start_date": "2024-05-01",
                    "end_date": "2024-04-01",
                },
            )
        assert "end_date" in dates.value.errors
        assert s.scalar(select(Membership.id)) is None


def test_a_status_given_at_joining_is_kept_as_an_override_or_an_admin_status(
    in_app, member, factories
):
    kind = factories.membership.type()
    ada, bob, cy = member(), member(), member()
    with in_app() as s:
        given = services.join(
            s,
            {"contact_id": ada.id, "membership_type_id": kind.id, "status": "Current"},
            today=date(2024, 1, 1),
        )
        pending = services.join(
            s,
            {"contact_id": bob.id, "membership_type_id": kind.id, "status": "pending"},
        )
        computed = services.join(
            s, {"contact_id": cy.id, "membership_type_id": kind.id, "status": "New"}
        )
        assert status_name(s, given) == "Current" and given.is_override
        assert status_name(s, pending) == "Pending" and not pending.is_override
        assert status_name(s, computed) == "New" and not computed.is_override


def test_renewing_a_current_membership_continues_from_its_end_date(in_app, factories):
    m = factories.membership.membership(join_date="2024-03-10", today=date(2024, 3, 10))
    with in_app() as s:
        renewed = services.renew(s, m.id, {}, today=date(2025, 2, 1))
        s.commit()
        assert (renewed.start_date, renewed.end_date) == (date(2024, 3, 10), date(2026, 3, 9))
        assert status_name(s, renewed) == "Current"
        assert log_of(m.id) == ["join", "renew"]
        assert [a for a, _ in activities_of(m.contact_id)] == [
            "membership_signup",
            "membership_renewal",
        ]


def test_renewing_in_the_grace_month_still_continues_from_the_end_date(in_app, factories):
    m = factories.membership.membership(join_date="2024-03-10", today=date(2024, 3, 10))
    with in_app() as s:
        renewed = services.renew(s, m.id, {}, today=date(2025, 3, 25))
        assert renewed.end_date == date(2026, 3, 9)


def test_a_lapsed_member_renewing_after_six_months_gets_a_new_period_from_today(in_app, factories):
    m = factories.membership.membership(join_date="2024-03-10", today=date(2024, 3, 10))
    with in_app() as s:
        renewed = services.renew(s, m.id, {}, today=date(2025, 9, 15))
        assert (renewed.start_date, renewed.end_date) == (date(2025, 9, 15), date(2026, 9, 14))
        assert renewed.join_date == date(2024, 3, 10)
        assert status_name(s, renewed) == "Current"


def test_a_cancelled_or_lifetime_membership_is_not_renewed(in_app, factories):
    m = factories.membership.membership()
    life = factories.membership.membership(
        membership_type_id=factories.membership.type(duration_unit="lifetime").id
    )
    with in_app() as s:
        services.cancel(s, m.id, {"reason": "Moved away"})
        s.commit()
        with pytest.raises(ValidationError, match="cannot be renewed"):
            services.renew(s, m.id)
        with pytest.raises(ValidationError, match="lifetime"):
            services.renew(s, life.id)


def test_cancelling_sets_the_admin_status_and_records_it(in_app, factories):
    m = factories.membership.membership(join_date="2024-03-10", today=date(2024, 3, 10))
    with in_app() as s:
        cancelled = services.cancel(s, m.id, {"reason": "Moved away"})
        s.commit()
        assert status_name(s, cancelled) == "Cancelled"
        assert log_of(m.id) == ["join", "cancel"]
        kinds = activities_of(m.contact_id)
        assert kinds[-1][0] == "membership_cancellation" and "Moved away" in kinds[-1][1]
        services.update_statuses(s, date(2030, 1, 1))
        assert status_name(s, s.get(Membership, m.id)) == "Cancelled"
        with pytest.raises(ValidationError, match="already cancelled"):
            services.cancel(s, m.id)


def test_changing_the_type_keeps_the_dates(in_app, factories):
    m = factories.membership.membership(join_date="2024-03-10", today=date(2024, 3, 10))
    family = factories.membership.type(name="Family")
    with in_app() as s:
        changed = services.change_type(s, m.id, {"membership_type_id": family.id})
        s.commit()
        assert changed.membership_type_id == family.id
        assert changed.end_date == date(2025, 3, 9)
        assert log_of(m.id) == ["join", "type_change"]
        assert activities_of(m.contact_id)[-1][0] == "membership_type_change"
        assert "to Family" in activities_of(m.contact_id)[-1][1]


def test_no_fee_no_dues_and_a_fee_given_wins(in_app, member, factories):
    free = factories.membership.type(minimum_fee="0")
    paid = factories.membership.type(minimum_fee="20")
    ada, bob, cy = member(), member(), member()
    with in_app() as s:
        nothing = services.join(s, {"contact_id": ada.id, "membership_type_id": free.id})
        more = services.join(
            s,
            {"contact_id": bob.id, "membership_type_id": paid.id, "fee_amount": "35.5"},
        )
        unpaid = services.join(
            s,
            {"contact_id": cy.id, "membership_type_id": paid.id, "record_payment": False},
        )
        assert nothing.paid_amount is None
        assert more.paid_amount == Decimal("35.50")
        assert unpaid.paid_amount is None


class TestWithAPaymentComponent:
    @pytest.fixture
    def amicale_plugins(self):
        fake_payments.asked.clear()
        return {"fakepay": fake_payments}

    @pytest.fixture
    def amicale_components(self):
        return ["membership", "fakepay"]

    def test_the_fee_goes_to_the_component_that_answers(self, in_app, member, factories):
        kind = factories.membership.type(minimum_fee="30", financial_type="Member Dues")
        ada = member()
        with in_app() as s:
            m = services.join(
                s,
                {
                    "contact_id": ada.id,
                    "membership_type_id": kind.id,
                    "payment_instrument": "cheque",
                    "check_number": "8812",
                    "paid_date": "2026-02-03",
                },
            )
            s.commit()
            # noted on the membership too: "dues not paid" reads it
            assert m.paid_amount == Decimal("30.00")
        (asked,) = fake_payments.asked
        assert asked["status"] == "Completed"
        assert asked["details"] == {
            "receive_date": date(2026, 2, 3),
            "payment_instrument": "cheque",
            "check_number": "8812",
        }
        assert asked["entity"] == "membership" and asked["entity_id"] == m.id
        assert (asked["contact_id"], asked["amount"]) == (ada.id, Decimal("30.00"))
        assert asked["financial_type"] == "Member Dues" and asked["currency"] == "EUR"
