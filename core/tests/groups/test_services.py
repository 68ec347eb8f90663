"""Groups as the services make them: static and smart groups, adding and removing many
contacts at once (set-based), the history of every change, and the rules that keep a group
sound (titles, names, criteria that do not lead back to the group)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from amicale.contacts.search import contact_ids_query
from amicale.contacts.services import trash_contact
from amicale.errors import NotFound, ValidationError
from amicale.groups import services
from amicale.groups.models import Group, GroupContact, GroupContactHistory


def members(s, group_id) -> set[int]:
    group = s.get(Group, group_id)
    return set(s.execute(services.group_contact_ids_query(s, group)).scalars())


def history(s, group_id) -> list[tuple[int, str, str, int | None]]:
    return [
        (h.contact_id, h.status, h.method, h.user_id)
        for h in s.execute(
            select(GroupContactHistory)
            .where(GroupContactHistory.group_id == group_id)
            .order_by(GroupContactHistory.id)
        ).scalars()
    ]


class StatementCounter:
    def __init__(self, s):
        self.engine = s.get_bind()
        self.count = 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, *args, **kwargs):
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            self.count += 1


def test_a_static_group_gets_a_machine_name_made_from_its_title(db):
    with db() as s:
        group = services.create_group(s, {"title": "Bénévoles du samedi"}, user_id=None)
        again = services.create_group(s, {"title": "Bénévoles du samedi !"})
        s.commit()
        assert (group.name, group.group_type, group.is_active) == (
            "benevoles_du_samedi",
            "static",
            True,
        )
        assert again.name == "benevoles_du_samedi_2"  # made unique, not refused


@pytest.mark.parametrize(
    "data, field",
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"title": "Newsletter", "name": "Not a name!"}, "name"),
        ({"title": "Newsletter", "group_type": "dynamic"}, "group_type"),
        ({"title": "Newsletter", "visibility": "Everyone"}, "visibility"),
        ({"title": "Newsletter", "group_type": "smart"}, "criteria"),
        (
            {"title": "Newsletter", "group_type": "smart", "criteria": {"planet": "Mars"}},
            "criteria",
        ),
        ({"title": "Newsletter", "criteria": {"city": "Lyon"}}, "criteria"),
    ],
)
def test_bad_groups_are_refused_with_the_field_to_fix(db, data, field):
    with db() as s:
        with pytest.raises(ValidationError) as err:
            services.create_group(s, data)
        s.rollback()
        assert err.value.field == field
        assert s.execute(select(func.count()).select_from(Group)).scalar_one() == 0


def test_two_groups_cannot_share_a_title_or_a_name(db):
    with db() as s:
        services.create_group(s, {"title": "Newsletter", "name": "newsletter"})
        with pytest.raises(ValidationError) as err:
            services.create_group(s, {"title": "NEWSLETTER"})
        assert err.value.field == "title"
        with pytest.raises(ValidationError) as err:
            services.create_group(s, {"title": "Other", "name": "newsletter"})
        assert err.value.field == "name"


def test_staff_adds_three_hundred_contacts_at_once_in_a_few_statements(db, many):
    with db() as s:
        group = services.create_group(s, {"title": "Appel aux dons"})
        s.commit()
        with StatementCounter(s) as counter:
            added = services.add_contacts(s, group.id, many, user_id=None)
        s.commit()
        assert added == 300
        assert counter.count <= 8  # never one statement per contact
        assert members(s, group.id) == set(many)
        assert services.member_count(s, group) == 300
        assert len(history(s, group.id)) == 300


def test_adding_again_leaves_members_alone_and_logs_only_the_newcomers(db, many, make_user):
    user = make_user(roles=("staff",))
    with db() as s:
        group = services.create_group(s, {"title": "Newsletter"})
        services.add_contacts(s, group.id, many[:100], user_id=user.id)
        s.commit()
        added = services.add_contacts(s, group.id, many[50:150], user_id=user.id, method="Import")
        s.commit()
        assert added == 50
        rows = history(s, group.id)
        assert len(rows) == 150
        assert rows[-1] == (many[149], "Added", "Import", user.id)
        assert (
            s.execute(
                select(func.count())
                .select_from(GroupContact)
                .where(GroupContact.group_id == group.id)
            ).scalar_one()
            == 150
        )


def test_removing_many_keeps_their_rows_as_removed_and_logs_each_once(db, many):
    with db() as s:
        group = services.create_group(s, {"title": "Newsletter"})
        services.add_contacts(s, group.id, many[:200])
        s.commit()
        with StatementCounter(s) as counter:
            removed = services.remove_contacts(
                s, group.id, many[100:300], method="Email", tracking="unsubscribe link"
            )
        s.commit()
        assert removed == 100  # the other 100 were never members
        assert counter.count <= 10
        assert members(s, group.id) == set(many[:100])
        assert services.remove_contacts(s, group.id, many[100:200]) == 0  # already out
        statuses = dict(
            s.execute(
                select(GroupContact.contact_id, GroupContact.status).where(
                    GroupContact.group_id == group.id
                )
            ).all()
        )
        assert statuses[many[150]] == "Removed" and many[250] not in statuses
        removed_rows = [h for h in history(s, group.id) if h[1] == "Removed"]
        assert len(removed_rows) == 100 and removed_rows[0][2] == "Email"
        assert (
            s.execute(
                select(GroupContactHistory.tracking).where(GroupContactHistory.status == "Removed")
            )
            .scalars()
            .first()
            == "unsubscribe link"
        )


def test_a_removed_contact_can_be_added_back_and_the_history_tells_the_story(db, people, make_user):
    user = make_user(roles=("staff",))
    with db() as s:
        group = services.create_group(s, {"title": "Newsletter"})
        services.add_contacts(s, group.id, [people["lao"]], user_id=user.id)
        services.remove_contacts(s, group.id, [people["lao"]], user_id=user.id, method="Web")
        services.add_contacts(s, group.id, [people["lao"]], user_id=user.id, method="API")
        s.commit()
        assert members(s, group.id) == {people["lao"]}
        assert history(s, group.id) == [
            (people["lao"], "Added", "Admin", user.id),
            (people["lao"], "Removed", "Web", user.id),
            (people["lao"], "Added", "API", user.id),
        ]
        entries = services.contact_history(s, people["lao"])
        assert [(e.group_title, e.entry.status, e.user_email) for e in entries][0] == (
            "Newsletter",
            "Added",
            user.email,
        )


def test_a_whole_search_can_be_added_without_listing_the_ids(db, people):
    with db() as s:
        group = services.create_group(s, {"title": "Lyon"})
        added = services.add_contacts(s, group.id, contact_ids_query(s, {"city": "Lyon"}))
        s.commit()
        assert added == 2
        assert members(s, group.id) == {people["helene"], people["grain"]}


def test_unknown_contacts_or_groups_change_nothing(db, people):
    with db() as s:
        group = services.create_group(s, {"title": "Newsletter"})
        s.commit()
        with pytest.raises(ValidationError) as err:
            services.add_contacts(s, group.id, [people["lao"], 999_999])
        s.rollback()
        assert err.value.field == "contact_ids" and "999999" in err.value.message
        assert members(s, group.id) == set()
        with pytest.raises(NotFound):
            services.add_contacts(s, 12345, [people["lao"]])
        with pytest.raises(ValidationError):
            services.add_contacts(s, group.id, [people["lao"]], method="Carrier pigeon")


def test_contacts_in_the_trash_are_not_counted_as_members(db, people):
    with db() as s:
        group = services.create_group(s, {"title": "Newsletter"})
        services.add_contacts(s, group.id, [people["lao"], people["marie"]])
        trash_contact(s, people["marie"])
        s.commit()
        assert members(s, group.id) == {people["lao"]}
        assert services.member_counts(s, [group]) == {group.id: 1}


def test_a_smart_group_finds_the_contacts_of_its_search_when_used(db, people):
    from amicale.contacts.services import update_contact

    with db() as s:
        group = services.save_search_as_group(s, "Lyonnais", {"city": "Lyon"}, None)
        s.commit()
        assert group.group_type == "smart" and group.criteria == {"city": "Lyon"}
        assert members(s, group.id) == {people["helene"], people["grain"]}
        # someone moves to Lyon: the group sees it without being saved again
        update_contact(s, people["lao"], {"addresses": [{"city": "Lyon", "country": "FR"}]})
        s.commit()
        assert members(s, group.id) == {people["helene"], people["grain"], people["lao"]}


def test_a_smart_group_keeps_those_added_by_hand_and_leaves_out_those_removed(db, people):
    with db() as s:
        group = services.save_search_as_group(s, "Lyonnais", {"city": "Lyon"}, None)
        s.commit()
        assert services.add_contacts(s, group.id, [people["marie"]]) == 1
        assert services.remove_contacts(s, group.id, [people["grain"], people["jean"]]) == 1
        s.commit()
        assert members(s, group.id) == {people["helene"], people["marie"]}
        assert services.member_count(s, group) == 2
        # Jean was never a member: nothing recorded about him
        assert people["jean"] not in {h[0] for h in history(s, group.id)}


def test_a_smart_group_cannot_search_in_itself(db, people):
    with db() as s:
        base = services.create_group(s, {"title": "Static"})
        smart = services.save_search_as_group(s, "Smart", {"group": [base.id]}, None)
        other = services.save_search_as_group(s, "Other", {"group": [smart.id]}, None)
        s.commit()
        with pytest.raises(ValidationError) as err:
            services.update_group(s, smart.id, {"criteria": {"group": [smart.id]}})
        assert err.value.field == "criteria"
        with pytest.raises(ValidationError):  # through another smart group
            services.update_group(s, smart.id, {"criteria": {"group": [str(other.id)]}})
        with pytest.raises(ValidationError):
            services.update_group(s, smart.id, {"criteria": {"group": [424242]}})
        s.rollback()
        assert s.get(Group, smart.id).criteria == {"group": [base.id]}


def test_a_group_used_by_a_smart_group_cannot_be_deleted(db, people):
    with db() as s:
        base = services.create_group(s, {"title": "Static"})
        smart = services.save_search_as_group(s, "Smart", {"group": [base.id]}, None)
        services.add_contacts(s, base.id, [people["lao"]])
        s.commit()
        assert members(s, smart.id) == {people["lao"]}
        with pytest.raises(ValidationError) as err:
            services.delete_group(s, base.id)
        assert "Smart" in err.value.message
        services.delete_group(s, smart.id)
        services.delete_group(s, base.id)
        s.commit()
        assert s.execute(select(func.count()).select_from(GroupContact)).scalar_one() == 0
        assert s.execute(select(func.count()).select_from(GroupContactHistory)).scalar_one() == 0


def test_the_kind_of_a_group_cannot_change(db):
    with db() as s:
        group = services.create_group(s, {"title": "Static"})
        with pytest.raises(ValidationError) as err:
            services.update_group(s, group.id, {"group_type": "smart"})
        assert err.value.field == "group_type"
        with pytest.raises(ValidationError):
            services.update_group(s, group.id, {"criteria": {"city": "Lyon"}})


def test_member_counts_of_many_static_groups_take_one_query(db, many):
    with db() as s:
        groups = [services.create_group(s, {"title": f"Group {i}"}) for i in range(5)]
        for i, g in enumerate(groups):
            services.add_contacts(s, g.id, many[: (i + 1) * 10])
        s.commit()
        groups = list(s.execute(select(Group).order_by(Group.id)).scalars())
        with StatementCounter(s) as counter:
            counts = services.member_counts(s, groups)
        assert counter.count == 1
        assert [counts[g.id] for g in groups] == [10, 20, 30, 40, 50]


def test_a_contact_sees_the_groups_they_are_in_including_smart_ones(db, people):
    with db() as s:
        news = services.create_group(s, {"title": "Newsletter"})
        old = services.create_group(s, {"title": "Old list"})
        services.save_search_as_group(s, "Lyonnais", {"city": "Lyon"}, None)
        services.add_contacts(s, news.id, [people["helene"]])
        services.add_contacts(s, old.id, [people["helene"]])
        services.remove_contacts(s, old.id, [people["helene"]])
        s.commit()
        shown = [(cg.group.title, cg.status) for cg in services.contact_groups(s, people["helene"])]
        assert shown == [("Lyonnais", "Smart"), ("Newsletter", "Added"), ("Old list", "Removed")]
        assert services.count_contact_groups(s, people["helene"]) == 1
        assert services.contact_groups(s, people["jean"]) == []


def test_purging_a_contact_takes_their_memberships_and_history_away(db, people):
    from amicale.contacts.services import purge_contact

    with db() as s:
        group = services.create_group(s, {"title": "Newsletter"})
        services.add_contacts(s, group.id, [people["lao"], people["marie"]])
        trash_contact(s, people["lao"])
        purge_contact(s, people["lao"])
        s.commit()
        assert {h[0] for h in history(s, group.id)} == {people["marie"]}
        assert members(s, group.id) == {people["marie"]}
