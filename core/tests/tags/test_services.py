"""Tags as the services make them: a hierarchy without cycles, tags put on and taken off many
contacts at once (set-based), a contact's tags, and what deleting a tag does."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from amicale.contacts.search import contact_ids_query
from amicale.errors import NotFound, ValidationError
from amicale.tags import services
from amicale.tags.models import EntityTag, Tag


def tagged(s, tag_id) -> set[int]:
    return set(s.execute(select(EntityTag.entity_id).where(EntityTag.tag_id == tag_id)).scalars())


@pytest.fixture
def tree(db) -> dict[str, int]:
    """Donors > (Major donor, Monthly donor); Volunteers."""
    with db() as s:
        donors = services.create_tag(s, {"name": "Donors", "is_selectable": False})
        major = services.create_tag(
            s, {"name": "Major donor", "parent_id": donors.id, "color": "#C62828"}
        )
        monthly = services.create_tag(s, {"name": "Monthly donor", "parent_id": donors.id})
        volunteers = services.create_tag(s, {"name": "Volunteers"})
        s.commit()
        return {
            "donors": donors.id,
            "major": major.id,
            "monthly": monthly.id,
            "volunteers": volunteers.id,
        }


def test_the_tree_lists_parents_before_their_children(db, tree):
    with db() as s:
        nodes = [(n.tag.name, n.depth, n.children) for n in services.tag_tree(s)]
        assert nodes == [
            ("Donors", 0, 2),
            ("Major donor", 1, 0),
            ("Monthly donor", 1, 0),
            ("Volunteers", 0, 0),
        ]
        assert s.get(Tag, tree["major"]).color == "#c62828"


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 65}, "name"),
        ({"name": "volunteers"}, "name"),  # the same name, whatever the case
        ({"name": "New", "parent_id": 999}, "parent_id"),
        ({"name": "New", "color": "red"}, "color"),
        ({"name": "New", "used_for": "planet"}, "used_for"),
    ],
)
def test_bad_tags_are_refused_with_the_field_to_fix(db, tree, data, field):
    with db() as s:
        with pytest.raises(ValidationError) as err:
            services.create_tag(s, data)
        assert err.value.field == field
        s.rollback()
        assert s.execute(select(func.count()).select_from(Tag)).scalar_one() == 4


def test_a_tag_cannot_move_under_itself_or_its_own_sub_tags(db, tree):
    with db() as s:
        with pytest.raises(ValidationError) as err:
            services.update_tag(s, tree["donors"], {"parent_id": tree["major"]})
        assert err.value.field == "parent_id"
        with pytest.raises(ValidationError):
            services.update_tag(s, tree["donors"], {"parent_id": tree["donors"]})
        s.rollback()
        moved = services.update_tag(
            s, tree["major"], {"parent_id": tree["volunteers"], "name": "Major"}
        )
        s.commit()
        assert (moved.parent_id, moved.name) == (tree["volunteers"], "Major")
        services.update_tag(s, tree["major"], {"parent_id": None})
        s.commit()
        assert s.get(Tag, tree["major"]).parent_id is None


def test_a_tag_with_sub_tags_cannot_be_deleted(db, tree, people):
    with db() as s:
        with pytest.raises(ValidationError) as err:
            services.delete_tag(s, tree["donors"])
        assert "Major donor" in err.value.message and "Monthly donor" in err.value.message
        services.tag_contacts(s, tree["major"], [people["lao"], people["marie"]])
        assert services.delete_tag(s, tree["major"]) == 2
        s.commit()
        assert s.get(Tag, tree["major"]) is None
        assert services.contact_tags(s, people["lao"]) == []
        with pytest.raises(NotFound):
            services.delete_tag(s, tree["major"])


def test_three_hundred_contacts_are_tagged_in_a_few_statements(db, tree, many):
    with db() as s:
        engine = s.get_bind()
        seen = []
        listener = lambda *a, **k: seen.append(a[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            added = services.tag_contacts(s, tree["volunteers"], many)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        s.commit()
        assert added == 300
        assert len([q for q in seen if not q.startswith(("BEGIN", "SAVEPOINT"))]) <= 6
        assert tagged(s, tree["volunteers"]) == set(many)
        assert services.tag_contacts(s, tree["volunteers"], many[:10] + [many[0]]) == 0
        assert services.untag_contacts(s, tree["volunteers"], many[:100]) == 100
        assert services.untag_contacts(s, tree["volunteers"], many[:100]) == 0
        s.commit()
        assert tagged(s, tree["volunteers"]) == set(many[100:])


def test_a_whole_search_can_be_tagged(db, tree, people):
    with db() as s:
        services.tag_contacts(s, tree["volunteers"], contact_ids_query(s, {"city": "Lyon"}))
        s.commit()
        assert tagged(s, tree["volunteers"]) == {people["helene"], people["grain"]}


def test_a_heading_tag_or_unknown_contacts_are_refused(db, tree, people):
    with db() as s:
        with pytest.raises(ValidationError) as err:
            services.tag_contacts(s, tree["donors"], [people["lao"]])
        assert err.value.field == "tag_id" and "only organises" in err.value.message
        with pytest.raises(ValidationError) as err:
            services.tag_contacts(s, tree["major"], [people["lao"], 999_999])
        assert "999999" in err.value.message
        s.rollback()
        assert s.execute(select(func.count()).select_from(EntityTag)).scalar_one() == 0


def test_a_contact_s_tags_by_name_and_counted(db, tree, people):
    with db() as s:
        services.tag_contacts(s, tree["volunteers"], [people["lao"]])
        services.tag_contacts(s, tree["major"], [people["lao"]])
        s.commit()
        assert [t.name for t in services.contact_tags(s, people["lao"])] == [
            "Major donor",
            "Volunteers",
        ]
        assert services.count_contact_tags(s, people["lao"]) == 2


def test_purging_a_contact_takes_their_tags_away(db, tree, people):
    from amicale.contacts.services import purge_contact, trash_contact

    with db() as s:
        services.tag_contacts(s, tree["volunteers"], [people["lao"], people["marie"]])
        trash_contact(s, people["lao"])
        purge_contact(s, people["lao"])
        s.commit()
        assert tagged(s, tree["volunteers"]) == {people["marie"]}


def test_the_tag_criterion_finds_the_contacts_of_sub_tags_too(db, tree, people):
    with db() as s:
        services.tag_contacts(s, tree["major"], [people["lao"]])
        services.tag_contacts(s, tree["monthly"], [people["marie"]])
        services.tag_contacts(s, tree["volunteers"], [people["jean"]])
        s.commit()

        def found(value):
            return set(s.execute(contact_ids_query(s, {"tag": value})).scalars())

        assert found([tree["donors"]]) == {people["lao"], people["marie"]}
        assert found(str(tree["major"])) == {people["lao"]}
        assert found([tree["major"], tree["volunteers"]]) == {people["lao"], people["jean"]}
        assert found([999]) == set()
        with pytest.raises(ValidationError):
            found(["donors"])
