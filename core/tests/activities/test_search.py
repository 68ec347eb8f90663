"""The "activity_type" and "activity_date" search criteria: contacts with an activity of a
type, or in a period, on their timeline."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from amicale.activities import services
from amicale.contacts.search import available_filters, contact_ids_query
from amicale.errors import ValidationError


def found(db, criteria) -> set[int]:
    with db() as s:
        return set(s.execute(contact_ids_query(s, criteria)).scalars())


@pytest.fixture
def history(people, record):
    record("meeting", [people["lao"]], when=datetime(2024, 3, 10, 9, tzinfo=UTC))
    record("phone_call", [people["marie"]], when=datetime(2024, 5, 31, 23, 30, tzinfo=UTC))
    record(
        "email",
        [people["jean"]],
        source=people["grain"],
        when=datetime(2024, 6, 1, 0, 30, tzinfo=UTC),
    )
    return people


def test_contacts_with_a_meeting_or_a_call(db, history):
    assert found(db, {"activity_type": "meeting"}) == {history["lao"]}
    assert found(db, {"activity_type": ["meeting", "phone_call"]}) == {
        history["lao"],
        history["marie"],
    }
    # the sender of an email has it on their timeline too
    assert found(db, {"activity_type": "email"}) == {history["jean"], history["grain"]}


def test_contacts_with_an_activity_in_a_period_both_days_included(db, history):
    assert found(db, {"activity_date": {"from": "2024-05-01", "to": "2024-05-31"}}) == {
        history["marie"]
    }
    assert found(db, {"activity_date": {"from": "2024-06-01"}}) == {
        history["jean"],
        history["grain"],
    }
    assert found(db, {"activity_date": {"to": "2024-03-10"}}) == {history["lao"]}
    assert found(db, {"activity_date": {"from": None, "to": None}}) == set(history.values())


def test_both_criteria_combine(db, history):
    assert (
        found(
            db,
            {
                "activity_type": "phone_call",
                "activity_date": {"from": "2024-01-01", "to": "2024-04-30"},
            },
        )
        == set()
    )
    assert found(
        db,
        {
            "activity_type": "email",
            "contact_type": "Individual",
            "activity_date": {"from": "2024-06-01", "to": "2024-06-01"},
        },
    ) == {history["jean"]}


def test_deleted_activities_do_not_count(db, history, record):
    activity_id = record("letter", [history["lao"]])
    assert found(db, {"activity_type": "letter"}) == {history["lao"]}
    with db() as s:
        services.delete_activity(s, activity_id)
        s.commit()
    assert found(db, {"activity_type": "letter"}) == set()


@pytest.mark.parametrize(
    "criteria",
    [
        {"activity_type": "seance"},
        {"activity_date": {"from": "1st of May"}},
        {"activity_date": {"from": "2024-06-01", "to": "2024-05-01"}},
        {"activity_date": "2024-05-01"},
    ],
)
def test_bad_criteria_are_refused_with_a_message(db, history, criteria):
    with pytest.raises(ValidationError) as exc:
        found(db, criteria)
    assert exc.value.field in criteria and exc.value.message


def test_the_criteria_describe_themselves_for_the_search_form(db):
    with db():
        filters = available_filters()
        options = dict(filters["activity_type"].options())
    assert filters["activity_type"].field_type == "select" and options["phone_call"] == (
        "Phone Call"
    )
    assert filters["activity_date"].field_type == "date_range"


def test_the_contacts_search_page_uses_the_period(login_as, history):
    page = login_as("staff", locale="en").get(
        "/contacts/?activity_date-from=2024-05-01&activity_date-to=2024-05-31"
    )
    text = page.get_data(as_text=True)
    links = {key: f'href="/contacts/{cid}"' in text for key, cid in history.items()}
    assert links == {"lao": False, "marie": True, "jean": False, "grain": False}
