"""Relationships as the services keep them: read from both sides, kinds of contact that fit,
dates, duplicates, types the admin and the components add, the one-step shortcuts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select

from amicale.changelog.models import ChangeLog
from amicale.contacts.models import Contact
from amicale.errors import NotFound, ValidationError
from amicale.relationships import services
from amicale.relationships.models import Relationship, RelationshipType

TODAY = date.today()


def count(s) -> int:
    return s.execute(select(func.count()).select_from(Relationship)).scalar_one()


def test_marie_works_at_le_grain_de_sel_and_each_page_reads_it_from_its_own_side(db, people):
    with db() as s:
        services.create_relationship(
            s,
            {
                "contact_id_a": people["marie"],
                "contact_id_b": people["grain"],
                "relationship_type": "employee_of",
                "start_date": date(2021, 9, 1),
            },
        )
        s.commit()
        marie = services.contact_relationships(s, people["marie"])
        grain = services.contact_relationships(s, people["grain"])
    assert [(r.label, r.other.display_name) for r in marie] == [("Employee of", "Le Grain de SEL")]
    assert [(r.label, r.other.display_name) for r in grain] == [("Employer of", "Marie Dupont")]
    assert marie[0].is_current and marie[0].relationship.start_date == date(2021, 9, 1)


def test_seeded_types_are_there_with_both_labels_and_their_kinds_of_contact(db):
    with db() as s:
        types = {t.name: t for t in services.list_relationship_types(s)}
    assert {
        "employee_of",
        "spouse_of",
        "partner_of",
        "child_of",
        "sibling_of",
        "household_member_of",
        "head_of_household",
        "volunteer_for",
    } <= set(types)
    child = types["child_of"]
    assert (child.label_a_b, child.label_b_a) == ("Child of", "Parent of")
    household = types["household_member_of"]
    assert (household.contact_type_a, household.contact_type_b) == ("Individual", "Household")
    assert all(t.is_reserved for t in types.values())


def test_an_organisation_cannot_be_the_employee_and_nothing_is_written(db, people):
    with db() as s:
        with pytest.raises(ValidationError) as exc:
            services.create_relationship(
                s,
                {
                    "contact_id_a": people["grain"],
                    "contact_id_b": people["marie"],
                    "relationship_type": "employee_of",
                },
            )
        s.rollback()
        assert exc.value.field == "contact_id_a"
        assert "Le Grain de SEL" in exc.value.message
        assert count(s) == 0


def test_a_contact_cannot_be_related_to_itself(db, people, rtype):
    with db() as s:
        with pytest.raises(ValidationError) as exc:
            services.create_relationship(
                s,
                {
                    "contact_id_a": people["marie"],
                    "contact_id_b": people["marie"],
                    "relationship_type_id": rtype("sibling_of"),
                },
            )
        assert exc.value.field == "contact_id_b"
        assert count(s) == 0


def test_unknown_contacts_and_types_are_refused(db, people, rtype):
    with db() as s:
        with pytest.raises(ValidationError) as exc:
            services.create_relationship(
                s,
                {
                    "contact_id_a": people["marie"],
                    "contact_id_b": 99999,
                    "relationship_type_id": rtype("sibling_of"),
                },
            )
        assert exc.value.field == "contact_id_b"
        with pytest.raises(ValidationError) as exc:
            services.create_relationship(
                s,
                {
                    "contact_id_a": people["marie"],
                    "contact_id_b": people["jean"],
                    "relationship_type_id": 99999,
                },
            )
        assert exc.value.field == "relationship_type_id"
        with pytest.raises(ValidationError):
            services.create_relationship(
                s,
                {
                    "contact_id_a": people["marie"],
                    "contact_id_b": people["jean"],
                    "relationship_type": "cousin_of",
                },
            )
        assert count(s) == 0


def test_the_end_date_cannot_come_before_the_start_date(db, people):
    with db() as s:
        with pytest.raises(ValidationError) as exc:
            services.create_relationship(
                s,
                {
                    "contact_id_a": people["marie"],
                    "contact_id_b": people["grain"],
                    "relationship_type": "employee_of",
                    "start_date": date(2022, 1, 1),
                    "end_date": date(2021, 1, 1),
                },
            )
        assert exc.value.field == "end_date" and "before" in exc.value.message
        assert count(s) == 0


def test_the_same_active_relationship_twice_is_refused_but_a_past_one_can_start_again(db, people):
    data = {
        "contact_id_a": people["marie"],
        "contact_id_b": people["grain"],
        "relationship_type": "employee_of",
    }
    with db() as s:
        first = services.create_relationship(s, dict(data))
        s.commit()
        with pytest.raises(ValidationError) as exc:
            services.create_relationship(s, dict(data))
        s.rollback()
        assert "already" in exc.value.message
        services.end_relationship(s, first.id)
        services.create_relationship(s, dict(data))  # she is hired again
        s.commit()
        assert count(s) == 2


def test_spouses_are_spouses_both_ways_so_the_reverse_is_a_duplicate(db, people):
    with db() as s:
        services.create_relationship(
            s,
            {
                "contact_id_a": people["marie"],
                "contact_id_b": people["jean"],
                "relationship_type": "spouse_of",
            },
        )
        s.commit()
        with pytest.raises(ValidationError):
            services.create_relationship(
                s,
                {
                    "contact_id_a": people["jean"],
                    "contact_id_b": people["marie"],
                    "relationship_type": "spouse_of",
                },
            )
        s.rollback()
        # not so for child/parent: Jean child of Marie and Marie child of Jean differ
        services.create_relationship(
            s,
            {
                "contact_id_a": people["jean"],
                "contact_id_b": people["marie"],
                "relationship_type": "child_of",
            },
        )
        s.commit()
        jean = services.contact_relationships(s, people["jean"])
        assert sorted(r.label for r in jean) == ["Child of", "Spouse of"]


def test_a_relationship_whose_end_date_is_past_reads_as_inactive_and_comes_last(db, people):
    with db() as s:
        old = services.create_relationship(
            s,
            {
                "contact_id_a": people["marie"],
                "contact_id_b": people["grain"],
                "relationship_type": "volunteer_for",
                "start_date": date(2015, 1, 1),
                "end_date": TODAY - timedelta(days=1),
            },
        )
        services.create_relationship(
            s,
            {
                "contact_id_a": people["marie"],
                "contact_id_b": people["jean"],
                "relationship_type": "sibling_of",
            },
        )
        s.commit()
        assert old.is_active  # stored as such, but its end date is past
        rows = services.contact_relationships(s, people["marie"])
        assert [(r.label, r.is_current) for r in rows] == [
            ("Sibling of", True),
            ("Volunteer for", False),
        ]
        assert services.count_current_relationships(s, people["marie"]) == 1
        assert services.represent(s, [old])[0]["is_active"] is False


def test_ending_a_relationship_dates_it_today_and_keeps_it_among_the_past_ones(db, people):
    with db() as s:
        rel = services.create_relationship(
            s,
            {
                "contact_id_a": people["marie"],
                "contact_id_b": people["grain"],
                "relationship_type": "employee_of",
            },
        )
        s.commit()
        services.end_relationship(s, rel.id)
        s.commit()
        s.refresh(rel)
        assert rel.end_date == services.today() and rel.is_active is False
        assert [r.is_current for r in services.contact_relationships(s, people["grain"])] == [False]


def test_updating_checks_the_dates_again(db, people):
    with db() as s:
        rel = services.create_relationship(
            s,
            {
                "contact_id_a": people["marie"],
                "contact_id_b": people["grain"],
                "relationship_type": "employee_of",
                "start_date": date(2020, 1, 1),
            },
        )
        s.commit()
        with pytest.raises(ValidationError):
            services.update_relationship(s, rel.id, {"end_date": date(2019, 1, 1)})
        s.rollback()
        services.update_relationship(s, rel.id, {"description": "  Accountant  "})
        s.commit()
        s.refresh(rel)
        assert rel.end_date is None and rel.description == "Accountant"


def test_deleting_a_relationship_and_unknown_ones(db, people):
    with db() as s:
        rel = services.create_relationship(
            s,
            {
                "contact_id_a": people["marie"],
                "contact_id_b": people["grain"],
                "relationship_type": "employee_of",
            },
        )
        s.commit()
        services.delete_relationship(s, rel.id)
        s.commit()
        assert count(s) == 0
        with pytest.raises(NotFound):
            services.delete_relationship(s, rel.id)


def test_the_change_log_of_both_contacts_shows_the_new_relationship(db, people):
    with db() as s:
        rel = services.create_relationship(
            s,
            {
                "contact_id_a": people["marie"],
                "contact_id_b": people["grain"],
                "relationship_type": "employee_of",
            },
        )
        s.commit()
        logged = set(
            s.execute(
                select(ChangeLog.contact_id).where(
                    ChangeLog.entity == "relationship", ChangeLog.entity_id == rel.id
                )
            ).scalars()
        )
    assert logged == {people["marie"], people["grain"]}


def test_a_contact_deleted_for_good_takes_its_relationships_along(db, people):
    with db() as s:
        services.create_relationship(
            s,
            {
                "contact_id_a": people["marie"],
                "contact_id_b": people["grain"],
                "relationship_type": "employee_of",
            },
        )
        s.commit()
        s.execute(delete(Contact).where(Contact.id == people["grain"]))
        s.commit()
        assert count(s) == 0
        assert services.contact_relationships(s, people["marie"]) == []


# -- types ---------------------------------------------------------------------------------------


def test_the_admin_adds_a_mentoring_type_and_bad_types_are_refused(db):
    with db() as s:
        mentor = services.create_relationship_type(
            s,
            {
                "name": "mentor_of",
                "label_a_b": "Mentor of",
                "label_b_a": "Mentee of",
                "contact_type_a": "Individual",
                "contact_type_b": None,
            },
        )
        s.commit()
        assert not mentor.is_reserved and mentor.contact_type_b is None
        for data, field in [
            ({"name": "mentor_of", "label_a_b": "x", "label_b_a": "y"}, "name"),
            ({"name": "bad name!", "label_a_b": "x", "label_b_a": "y"}, "name"),
            ({"name": "coach_of", "label_a_b": " ", "label_b_a": "y"}, "label_a_b"),
            (
                {"name": "coach_of", "label_a_b": "x", "label_b_a": "y", "contact_type_a": "Robot"},
                "contact_type_a",
            ),
        ]:
            with pytest.raises(ValidationError) as exc:
                services.create_relationship_type(s, data)
            assert exc.value.field == field
            s.rollback()
        assert (
            s.execute(select(func.count()).where(RelationshipType.name == "coach_of")).scalar_one()
            == 0
        )


def test_a_deactivated_type_is_no_longer_offered_nor_accepted(db, people, rtype):
    with db() as s:
        services.update_relationship_type(
            s, rtype("partner_of"), {"is_active": False, "label_a_b": "Companion of"}
        )
        s.commit()
        assert "partner_of" not in {
            t.name for t in services.list_relationship_types(s, is_active=True)
        }
        with pytest.raises(ValidationError) as exc:
            services.create_relationship(
                s,
                {
                    "contact_id_a": people["marie"],
                    "contact_id_b": people["jean"],
                    "relationship_type": "partner_of",
                },
            )
        assert "Companion of" in exc.value.message


def test_built_in_types_and_types_in_use_cannot_be_deleted(db, people, rtype):
    with db() as s:
        with pytest.raises(ValidationError):
            services.delete_relationship_type(s, rtype("spouse_of"))
        mentor = services.create_relationship_type(
            s, {"name": "mentor_of", "label_a_b": "Mentor of", "label_b_a": "Mentee of"}
        )
        rel = services.create_relationship(
            s,
            {
                "contact_id_a": people["marie"],
                "contact_id_b": people["jean"],
                "relationship_type_id": mentor.id,
            },
        )
        s.commit()
        with pytest.raises(ValidationError) as exc:
            services.delete_relationship_type(s, mentor.id)
        assert "deactivate" in exc.value.message
        services.delete_relationship(s, rel.id)
        services.delete_relationship_type(s, mentor.id)
        s.commit()
        assert s.get(RelationshipType, mentor.id) is None
        assert s.get(RelationshipType, rtype("spouse_of")) is not None


def test_a_component_s_types_are_created_once_and_the_admin_s_changes_stay(db, rtype):
    definitions = [
        {
            "name": "member_of",
            "label_a_b": "Member of",
            "label_b_a": "Has member",
            "contact_type_a": None,
            "contact_type_b": "Organization",
        },
        {
            "name": "employee_of",
            "label_a_b": "Works at",
            "label_b_a": "Employs",
            "contact_type_a": "Individual",
            "contact_type_b": "Organization",
        },
    ]
    with db() as s:
        created = services.ensure_relationship_types(s, definitions)
        s.commit()
        assert [t.name for t in created] == ["member_of"] and created[0].is_reserved
        assert services.ensure_relationship_types(s, definitions) == []
        assert s.get(RelationshipType, rtype("employee_of")).label_a_b == "Employee of"
        assert services.ensure_relationship_types(s, []) == []


# -- the one-step shortcuts ----------------------------------------------------------------------


def test_adding_an_employer_by_name_links_the_existing_organisation(db, people):
    with db() as s:
        rel, org, created = services.add_employer(s, people["marie"], "  Le Grain de  SEL ")
        s.commit()
        assert (org.id, created) == (people["grain"], False)
        assert (rel.contact_id_a, rel.contact_id_b) == (people["marie"], people["grain"])


def test_adding_an_unknown_employer_creates_the_organisation_once(db, people):
    with db() as s:
        _rel, org, created = services.add_employer(s, people["marie"], "Les Restos du Cœur")
        s.commit()
        assert created and org.contact_type == "Organization"
        _rel, again, created_again = services.add_employer(s, people["jean"], "Les Restos du Cœur")
        s.commit()
        assert again.id == org.id and not created_again
        assert [r.other.display_name for r in services.contact_relationships(s, org.id)] == [
            "Jean Dupont",
            "Marie Dupont",
        ]


def test_joining_a_household_by_name(db, people):
    with db() as s:
        rel, household, created = services.add_household(s, people["jean"], "Famille Dupont")
        s.commit()
        assert household.id == people["foyer"] and not created
        rows = services.contact_relationships(s, people["foyer"])
        assert [(r.label, r.other.display_name) for r in rows] == [("Household of", "Jean Dupont")]
        assert (
            rel.relationship_type_id
            == services.relationship_type_by_name(s, "household_member_of").id
        )


def test_an_organisation_cannot_get_an_employer_and_an_empty_name_is_refused(db, people):
    with db() as s:
        with pytest.raises(ValidationError):
            services.add_employer(s, people["grain"], "Someone")
        with pytest.raises(ValidationError) as exc:
            services.add_household(s, people["marie"], "   ")
        assert exc.value.field == "name"
        s.rollback()
        assert count(s) == 0
        assert (
            s.execute(select(func.count()).where(Contact.display_name == "Someone")).scalar_one()
            == 0
        )
