"""The Activities tab of a contact's page and the "My follow-ups" dashboard widget."""

from __future__ import annotations

import re
from datetime import timedelta

from flask_babel import get_timezone

from amicale.activities import services
from amicale.clock import utcnow


def subjects(db, contact_id):
    with db() as s:
        return [
            (e.type.name, e.activity.subject, e.activity.status)
            for e in services.timeline(s, contact_id)[0]
        ]


def type_id(db, name):
    with db() as s:
        return str(services.activity_type_by_name(s, name).id)


def test_the_tab_answers_what_have_we_done_with_mr_lao(login_as, people, record):
    record("meeting", [people["lao"]], source=people["marie"], subject="Welcome meeting")
    record(
        "phone_call",
        [people["lao"]],
        subject="Rent question",
        when=utcnow() - timedelta(hours=1),
        status="Completed",
        details="Called back.",
    )
    staff = login_as("staff", locale="en")
    page = staff.get(f"/contacts/{people['lao']}/activities")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-tab="activities" aria-current="page"' in text
    assert text.index("Rent question") < text.index("Welcome meeting")  # newest first
    assert "Marie Dupont" in text and "Called back." in text and "2 activities" in text


def test_the_tab_filters_by_type_and_pages(login_as, people, record):
    for i in range(27):
        record("email", [people["lao"]], subject=f"mail {i:02d}", when=utcnow() - timedelta(days=i))
    record("meeting", [people["lao"]], subject="the meeting", when=utcnow() - timedelta(days=90))
    staff = login_as("staff", locale="en")
    first = staff.get(f"/contacts/{people['lao']}/activities").get_data(as_text=True)
    assert "28 activities" in first and "mail 00" in first and "the meeting" not in first
    assert 'rel="next"' in first
    second = staff.get(f"/contacts/{people['lao']}/activities?page=2").get_data(as_text=True)
    assert "the meeting" in second and "mail 00" not in second
    meetings = staff.get(f"/contacts/{people['lao']}/activities?activity_type=meeting").get_data(
        as_text=True
    )
    assert "1 activity" in meetings and "the meeting" in meetings and "mail 01" not in meetings
    unknown = staff.get(f"/contacts/{people['lao']}/activities?activity_type=nope")
    assert unknown.status_code == 200 and "Unknown activity type" in unknown.get_data(as_text=True)
    assert staff.get("/contacts/999/activities").status_code == 404


def test_recording_a_call_makes_the_contact_the_target_and_me_the_source(login_as, db, people):
    volunteer = login_as("volunteer", locale="en")
    response = volunteer.post_form(
        f"/contacts/{people['lao']}/activities/new",
        {
            "activity_type_id": type_id(db, "phone_call"),
            "subject": "Asked about the food bank",
            "activity_date": "2024-05-02T14:30",
            "duration": "10",
            "status": "Completed",
            "details": "Will come on Saturday.",
        },
    )
    assert response.status_code == 302
    assert "The activity is recorded." in volunteer.get(response.headers["Location"]).get_data(
        as_text=True
    )
    with db() as s:
        (entry,), _total = services.timeline(s, people["lao"])
        tz = get_timezone()
    assert entry.source.id == volunteer.user.contact_id
    assert [t.id for t in entry.targets] == [people["lao"]]
    assert (entry.activity.duration, entry.activity.details) == (10, "Will come on Saturday.")
    assert (
        entry.activity.activity_date.astimezone(tz).strftime("%Y-%m-%d %H:%M") == "2024-05-02 14:30"
    )


def test_an_assignee_found_by_name(login_as, db, people):
    staff = login_as("staff", locale="en")
    response = staff.post_form(
        f"/contacts/{people['lao']}/activities/new",
        {
            "activity_type_id": type_id(db, "follow_up"),
            "subject": "Call back",
            "status": "Scheduled",
            "assignee_name": "marie",
        },
    )
    assert response.status_code == 302
    with db() as s:
        (entry,), _ = services.timeline(s, people["lao"])
    assert [a.display_name for a in entry.assignees] == ["Marie Dupont"]


def test_several_possible_assignees_are_listed_to_choose_from(login_as, db, people):
    staff = login_as("staff", locale="en")
    data = {
        "activity_type_id": type_id(db, "follow_up"),
        "subject": "Send the form",
        "status": "Scheduled",
        "assignee_name": "dupont",
    }
    response = staff.post_form(f"/contacts/{people['lao']}/activities/new", data)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="assignee-candidates"' in text
    assert "Marie Dupont" in text and "Jean Dupont" in text
    assert 'value="Send the form"' in text  # what was typed is kept
    assert subjects(db, people["lao"]) == []
    response = staff.post_form(
        f"/contacts/{people['lao']}/activities/new",
        {**data, "assignee_ids": [str(people["jean"]), str(people["marie"])]},
    )
    assert response.status_code == 302
    with db() as s:
        (entry,), _ = services.timeline(s, people["lao"])
    assert sorted(a.display_name for a in entry.assignees) == ["Jean Dupont", "Marie Dupont"]


def test_nobody_matching_the_assignee_name_is_said_and_nothing_recorded(login_as, db, people):
    staff = login_as("staff", locale="en")
    response = staff.post_form(
        f"/contacts/{people['lao']}/activities/new",
        {"activity_type_id": type_id(db, "follow_up"), "assignee_name": "Zorglub"},
    )
    assert response.status_code == 422
    assert "No contact matches “Zorglub”." in response.get_data(as_text=True)
    assert subjects(db, people["lao"]) == []


def test_bad_input_on_the_record_form_is_explained(login_as, db, people):
    staff = login_as("staff", locale="en")
    url = f"/contacts/{people['lao']}/activities/new"
    for data, message in [
        (
            {"activity_type_id": type_id(db, "meeting"), "activity_date": "someday"},
            "Not a valid datetime.",
        ),
        ({"activity_type_id": type_id(db, "meeting"), "duration": "-3"}, "greater than"),
        ({"activity_type_id": type_id(db, "meeting"), "status": "Maybe"}, "Must be one of"),
        ({"activity_type_id": "9999"}, "Unknown activity type."),
    ]:
        response = staff.post_form(url, data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), data
    assert subjects(db, people["lao"]) == []


def test_marking_completed_and_deleting_from_the_timeline(login_as, db, people, record):
    activity_id = record("follow_up", [people["lao"]], subject="Call back")
    staff = login_as("staff", locale="en")
    base = f"/contacts/{people['lao']}/activities/{activity_id}"
    assert (
        staff.post_form(f"/contacts/{people['jean']}/activities/{activity_id}/complete").status_code
        == 404
    )  # not one of Jean's
    assert staff.post_form(f"{base}/complete").status_code == 302
    assert subjects(db, people["lao"]) == [("follow_up", "Call back", "Completed")]
    assert staff.post_form(f"{base}/delete").status_code == 302
    assert subjects(db, people["lao"]) == []
    assert staff.post_form(f"{base}/delete").status_code == 404


def test_a_read_only_user_reads_the_timeline_but_cannot_record(login_as, db, people, record):
    activity_id = record("meeting", [people["lao"]], subject="Visit")
    reader = login_as("readonly", locale="en")
    text = reader.get(f"/contacts/{people['lao']}/activities").get_data(as_text=True)
    assert "Visit" in text and 'id="record-activity"' not in text
    assert (
        reader.post_form(
            f"/contacts/{people['lao']}/activities/new",
            {"activity_type_id": type_id(db, "meeting")},
        ).status_code
        == 403
    )
    assert (
        reader.post_form(f"/contacts/{people['lao']}/activities/{activity_id}/delete").status_code
        == 403
    )
    assert subjects(db, people["lao"]) == [("meeting", "Visit", "Scheduled")]


def test_the_tab_counts_the_timeline(login_as, people, record):
    record("meeting", [people["lao"]])
    record("email", [people["lao"]])
    page = login_as("staff", locale="en").get(f"/contacts/{people['lao']}").get_data(as_text=True)
    assert re.search(r'data-tab="activities"\s*>Activities <span class="count">2</span>', page)


# -- the dashboard -------------------------------------------------------------------------------


def test_my_follow_ups_on_the_dashboard_soonest_first_overdue_marked(login_as, db, people, record):
    staff = login_as("staff", locale="en")
    me = staff.user.contact_id
    now = utcnow()
    record(
        "follow_up",
        [people["lao"]],
        assignees=[me],
        subject="Send receipt",
        when=now - timedelta(days=3),
    )
    record(
        "phone_call",
        [people["jean"]],
        assignees=[me],
        subject="Call Jean",
        when=now + timedelta(days=2),
    )
    record(
        "phone_call",
        [people["jean"]],
        assignees=[people["marie"]],
        subject="Not mine",
        when=now + timedelta(days=1),
    )
    record(
        "phone_call", [people["jean"]], assignees=[me], subject="Already done", status="Completed"
    )
    text = staff.get("/dashboard").get_data(as_text=True)
    widget = text[text.index('id="widget-my_follow_ups"') :]
    assert "My follow-ups" in text
    assert widget.index("Send receipt") < widget.index("Call Jean")
    assert "Not mine" not in widget and "Already done" not in widget
    overdue = widget[: widget.index("Call Jean")]
    assert 'class="overdue"' in overdue and "overdue" in overdue.split("Send receipt")[0]
    assert widget.count('class="badge overdue"') == 1


def test_done_from_the_dashboard_completes_the_follow_up(login_as, db, people, record):
    staff = login_as("staff", locale="en")
    activity_id = record(
        "follow_up", [people["lao"]], assignees=[staff.user.contact_id], subject="Send receipt"
    )
    response = staff.post_form(
        f"/contacts/{staff.user.contact_id}/activities/{activity_id}/complete",
        {"next": "dashboard"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    assert "Nothing scheduled for you." in staff.get("/dashboard").get_data(as_text=True)
    assert subjects(db, people["lao"]) == [("follow_up", "Send receipt", "Completed")]


def test_a_user_without_view_contacts_has_no_follow_ups_widget(db, login_as):
    from amicale.accounts.services import create_role, set_role_permissions

    with db() as s:
        role = create_role(s, "doorkeeper", "Doorkeeper")
        set_role_permissions(s, role, {"access_amicale"}, {"access_amicale"})
        s.commit()
    doorkeeper = login_as("doorkeeper", locale="en")
    response = doorkeeper.get("/dashboard")
    assert response.status_code == 200
    assert 'id="widget-my_follow_ups"' not in response.get_data(as_text=True)
