"""The search filters "dues not paid" and "no activity for N months", and the seed question end
to end: "find the members who have not paid their dues or have been inactive for months, and
send them a specific email"."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from amicale.api_for_plugins import ValidationError, session


@pytest.fixture
def people(app, factories):
    """Ada paid; Bob has not; Chloé (free type) has had no activity for two years; Dan is active;
    Eve, inactive too, is no member."""
    from amicale.activities.models import Activity, ActivityContact

    dues = factories.membership.type(name="Individual", minimum_fee="12")
    free = factories.membership.type(name="Friend")
    made = {}
    for name in ("Ada", "Bob", "Chloé", "Dan", "Eve"):
        made[name] = factories.contact(
            first_name=name,
            last_name="Test",
            emails=[{"email": f"{name.lower().replace('é', 'e')}@example.org"}],
        )
    today = datetime.now(UTC).date().isoformat()
    factories.membership.membership(
        contact_id=made["Ada"].id, membership_type_id=dues.id, join_date=today
    )
    factories.membership.membership(
        contact_id=made["Bob"].id,
        membership_type_id=dues.id,
        join_date=today,
        record_payment=False,
    )
    for name in ("Chloé", "Dan"):
        factories.membership.membership(
            contact_id=made[name].id, membership_type_id=free.id, join_date=today
        )
    with app.app_context():
        s = session()
        long_ago = datetime.now(UTC) - timedelta(days=730)
        s.execute(
            update(Activity)
            .where(
                Activity.id.in_(
                    select(ActivityContact.activity_id).where(
                        ActivityContact.contact_id == made["Chloé"].id
                    )
                )
            )
            .values(activity_date=long_ago)
        )
        s.commit()
    return made


def _found(app, criteria) -> set[int]:
    from amicale.contacts.search import contact_ids_query

    with app.test_request_context():
        s = session()
        return set(s.scalars(contact_ids_query(s, criteria)))


def test_dues_not_paid(app, people):
    assert _found(app, {"membership_dues_unpaid": True}) == {people["Bob"].id}
    assert people["Ada"].id in _found(app, {"membership_dues_unpaid": "0", "name": "Ada"})


def test_no_activity_for_months(app, people):
    found = _found(app, {"membership_inactive_months": "6"})
    assert people["Chloé"].id in found and people["Eve"].id in found
    assert not {people[n].id for n in ("Ada", "Bob", "Dan")} & found
    with pytest.raises(ValidationError):
        _found(app, {"membership_inactive_months": "soon"})


def test_the_seed_question_end_to_end(app, people, organisation, smtp_server):
    from amicale.contacts.search import contact_ids_query
    from amicale.groups.services import save_search_as_group
    from amicale.mail.mailings import save_mailing, send_mailing, start_delivery

    with app.test_request_context(headers={"Accept-Language": "en"}):
        s = session()
        unpaid = {"membership_dues_unpaid": True}
        inactive = {
            "membership_status": ["New", "Current", "Grace"],
            "membership_inactive_months": "6",
        }
        assert set(s.scalars(contact_ids_query(s, inactive))) == {people["Chloé"].id}
        a = save_search_as_group(s, "Dues not paid", unpaid, None)
        b = save_search_as_group(s, "Inactive members", inactive, None)
        mailing = save_mailing(
            s,
            {
                "name": "Dues and news",
                "subject": "We miss you, {contact.first_name}",
                "body_text": "Your {membership.type} membership is {membership.status}.",
                "include_group_ids": [a.id, b.id],  # one message per address
            },
        )
        send_mailing(s, mailing.id)
        s.commit()
        start_delivery(mailing.id)
    received = {m.envelope_to[0]: m for m in smtp_server.messages}
    assert set(received) == {"bob@example.org", "chloe@example.org"}
    assert received["bob@example.org"]["Subject"] == "We miss you, Bob"
    assert "Your Individual membership is" in received["bob@example.org"].get_content()
