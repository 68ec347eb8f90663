"""What Membership gives the rest of Amicale: merging, a person's data and its erasure, the mail
tokens, the search criteria, the import of memberships, the summary and the widget."""

import io
import re
from datetime import date, timedelta

from sqlalchemy import select

from amicale.api_for_plugins import hook, session
from amicale_membership import services
from amicale_membership.models import Membership, MembershipLog


def merged(results) -> dict:
    out: dict = {}
    for result in results:
        for key, value in (result or {}).items():
            out.setdefault(key, {}).update(value)
    return out


def test_merging_moves_the_memberships_to_the_kept_contact(app, member, factories):
    kept, away = member(), member()
    kind = factories.membership.type(owner_contact_id=away.id)
    m = factories.membership.membership(contact_id=away.id, membership_type_id=kind.id)
    with app.app_context():
        s = session()
        hook.merge_contacts(winner_id=kept.id, loser_id=away.id, session=s)
        s.commit()
        assert s.get(Membership, m.id).contact_id == kept.id
        assert services.get_type(s, kind.id).owner_contact_id == kept.id
        assert s.scalar(select(MembershipLog.id).where(MembershipLog.membership_id == m.id))


def test_a_persons_data_has_their_memberships_and_erasure_removes_them(app, member, factories):
    ada, bob = member("Ada"), member("Bob")
    kind = factories.membership.type(name="Individual")
    factories.membership.membership(
        contact_id=ada.id, membership_type_id=kind.id, join_date="2024-01-10", source="Fair"
    )
    kept = factories.membership.membership(contact_id=bob.id, membership_type_id=kind.id)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        export = merged(
            [
                {k: {"rows": v}}
                for r in hook.contact_data(contact_id=ada.id, session=session())
                for k, v in (r or {}).items()
            ]
        )
        nothing = [r for r in hook.contact_data(contact_id=member().id, session=session()) if r]
    (row,) = export["Memberships"]["rows"]
    assert (row["membership_type"], row["join_date"], row["source"]) == (
        "Individual",
        "2024-01-10",
        "Fair",
    )
    assert not nothing
    with app.app_context():
        s = session()
        hook.erase_contact(contact_id=ada.id, session=s)
        s.commit()
        assert s.scalars(select(Membership.id)).all() == [kept.id]


def test_the_mail_tokens_give_each_members_main_membership(app, member, factories):
    ada, bob, nobody = member(), member(), member()
    kind = factories.membership.type(name="Individual")
    factories.membership.membership(
        contact_id=ada.id, membership_type_id=kind.id, join_date="2020-01-01"
    )  # expired long ago
    factories.membership.membership(contact_id=ada.id, membership_type_id=kind.id)
    factories.membership.membership(
        contact_id=bob.id, membership_type_id=kind.id, join_date="2020-01-01"
    )
    tokens = ["membership.type", "membership.status", "membership.end_date"]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        offered = {k for r in hook.mail_tokens() for k in r}
        assert set(tokens) <= offered
        values = merged(
            hook.mail_token_values(contact_ids=[ada.id, bob.id, nobody.id], tokens=tokens)
        )
        assert merged(hook.mail_token_values(contact_ids=[ada.id], tokens=["x.y"])) == {}
    assert values[ada.id]["membership.type"] == "Individual"
    assert values[ada.id]["membership.status"] == "New"
    assert values[bob.id]["membership.status"] == "Expired"
    assert values[bob.id]["membership.end_date"] == "December 31, 2020"
    assert nobody.id not in values


def found_contacts(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'<a href="/contacts/(\d+)">', page)}


def test_the_advanced_search_finds_members_by_status_type_end_and_lapse(
    login_as, member, factories
):
    ada, bob, cy = member("Ada", "A"), member("Bob", "B"), member("Cy", "C")
    family = factories.membership.type(name="Family")
    factories.membership.membership(contact_id=ada.id, membership_type_id=family.id)
    factories.membership.membership(contact_id=bob.id, join_date="2020-03-01")
    half_a_year_ago = services.add_units(date.today(), "month", -6).isoformat()
    factories.membership.membership(contact_id=cy.id, join_date=half_a_year_ago)  # Current
    staff = login_as("staff", locale="en")
    form = staff.get("/contacts/").get_data(as_text=True)
    assert "Membership status" in form and "Family" in form
    assert found_contacts(staff.get("/contacts/?membership_status=New").get_data(as_text=True)) == {
        ada.id
    }
    assert found_contacts(
        staff.get("/contacts/?membership_type=Family").get_data(as_text=True)
    ) == {ada.id}
    assert found_contacts(
        staff.get(
            "/contacts/?membership_end_date-from=2021-01-01&membership_end_date-to=2021-12-31"
        ).get_data(as_text=True)
    ) == {bob.id}
    assert found_contacts(
        staff.get("/contacts/?membership_lapsed_months=12").get_data(as_text=True)
    ) == {bob.id}
    bad = staff.get("/contacts/?membership_lapsed_months=many").get_data(as_text=True)
    assert "Give a number of months." in bad


def test_the_api_search_takes_a_period_as_from_dot_dot_to(api_client, member, factories):
    ada, bob = member("Ada", "A"), member("Bob", "B")
    factories.membership.membership(contact_id=ada.id, join_date="2020-03-01")
    factories.membership.membership(contact_id=bob.id)
    found = (
        api_client("staff").get("/api/v1/contacts?membership_end_date=2021-01-01..2021-12-31").json
    )
    assert [c["id"] for c in found["items"]] == [ada.id]


def test_memberships_are_imported_from_a_file(app, member, factories):
    from amicale.imports import services as imports

    ada = factories.contact(first_name="Ada", emails=[{"email": "ada@example.org"}])
    factories.membership.type(name="Individual")
    data = (
        b"email;type;since;start;end;status\r\n"
        b"ada@example.org;Individual;2019-05-01;2024-05-01;2025-04-30;\r\n"
        b"nobody@example.org;Individual;2019-05-01;;;\r\n"
        b"ada@example.org;Nope;2019-05-01;;;\r\n"
        b"ada@example.org;Individual;2019-05-01;2019-05-01;2020-04-30;Cancelled\r\n"
    )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        s = session()
        job = imports.start(s, io.BytesIO(data), "members.csv", target="memberships")
        imports.configure(
            s,
            job.id,
            {
                "mapping": [
                    {"column": 0, "field": "contact_id:email"},
                    {"column": 1, "field": "membership_type"},
                    {"column": 2, "field": "join_date"},
                    {"column": 3, "field": "start_date"},
                    {"column": 4, "field": "end_date"},
                    {"column": 5, "field": "status"},
                ]
            },
        )
        s.commit()
        job = imports.run(s, job.id)
        assert (job.created, job.rejected) == (2, 2)
        rows = s.execute(
            select(Membership.join_date, Membership.end_date, Membership.status_id)
            .where(Membership.contact_id == ada.id)
            .order_by(Membership.id)
        ).all()
        assert [(r[0], r[1]) for r in rows] == [
            (date(2019, 5, 1), date(2025, 4, 30)),
            (date(2019, 5, 1), date(2020, 4, 30)),
        ]
        assert services.get_status(s, rows[1][2]).name == "Cancelled"


def test_the_summary_and_the_dashboard_widget(login_as, member, factories):
    ada = member("Ada", "Lovelace")
    factories.membership.membership(contact_id=ada.id, join_date="2019-06-01")
    factories.membership.membership(contact_id=ada.id)
    end_of_month = services.add_units(date.today().replace(day=1), "month", 1, overflow=True)
    end_of_month -= timedelta(days=1)
    start = services.add_units(end_of_month, "year", -1) + timedelta(days=1)
    factories.membership.membership(  # Current, ends this month
        join_date=start.isoformat(), start_date=start.isoformat(), end_date=end_of_month.isoformat()
    )
    staff = login_as("staff", locale="en")
    page = staff.get(f"/contacts/{ada.id}").get_data(as_text=True)
    assert "Member since 2019 · New" in page
    assert f'href="/membership/contact/{ada.id}" data-tab="membership"' in page
    dashboard = staff.get("/dashboard").get_data(as_text=True)
    widget = dashboard.split('id="membership-widget"', 1)[1].split("</dl>", 1)[0]
    assert '<dt>New</dt><dd data-status="New">1</dd>' in widget
    assert '<dt>Expired</dt><dd data-status="Expired">1</dd>' in widget
    assert '<dd data-status="Current">1</dd>' in widget
    assert "<dd data-due>1</dd>" in widget


def test_the_widget_is_one_group_by(app, factories):
    from sqlalchemy import event

    for _ in range(3):
        factories.membership.membership()
    with app.app_context():
        s = session()
        statements = []
        engine = s.get_bind()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            counts = services.widget_counts(s)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    assert sum(c.members for c in counts) == 3
    assert len([x for x in statements if "membership_membership" in x]) == 1


def test_the_activity_types_are_there_once_enabled(app):
    from amicale.activities.services import list_activity_types

    with app.app_context():
        names = {t.name for t in list_activity_types(session())}
    assert {
        "membership_signup",
        "membership_renewal",
        "membership_type_change",
        "membership_cancellation",
    } <= names


def test_the_demo_has_members_of_every_kind(app, in_app):
    from amicale.organisation.demo import load_demo
    from amicale_membership import demo

    with in_app() as s:
        load_demo(s)
        demo.demo_data(s)
        s.commit()
        names = {
            services.get_status(s, m.status_id).name for m in s.scalars(select(Membership)).all()
        }
    assert {"Pending", "Expired"} <= names and names & {"New", "Current", "Grace"}
