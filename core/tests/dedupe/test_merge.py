"""Merging two contacts: field choices, details, every area's rows, the trash with a link,
the change log, and one transaction (a failing component cancels everything)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from amicale import hookimpl
from amicale.activities.models import ActivityContact
from amicale.changelog.models import ChangeLog
from amicale.contacts.models import Contact, Email
from amicale.dedupe import services
from amicale.errors import Conflict, ValidationError
from amicale.groups.models import GroupContact
from amicale.notes.models import Note
from amicale.relationships.models import Relationship
from amicale.tags.models import EntityTag


@pytest.fixture
def two(person):
    """The same woman recorded twice, the second time with a birth date and a mobile."""
    winner = person("Hélène", "Martin", email="helene@example.org", postal_code="69001")
    loser = person(
        "Helene",
        "Martin",
        email="h.martin@example.org",
        postal_code="69001",
        birth_date="1980-04-02",
        job_title="Trésorière",
        phones=[{"phone": "06 12 34 56 78"}],
    )
    return winner, loser


def test_choices_are_applied_and_both_emails_kept_the_loser_in_the_trash_linked(db, two):
    winner, loser = two
    with db() as s:
        merged = services.merge_contacts(
            s, winner, loser, {"first_name": "winner", "birth_date": "loser"}, user_id=None
        )
        s.commit()
        assert merged.first_name == "Hélène" and merged.birth_date == date(1980, 4, 2)
        assert merged.job_title is None  # not chosen: the winner's (empty) value stays
        emails = s.execute(
            select(Email.email, Email.is_primary)
            .where(Email.contact_id == winner)
            .order_by(Email.id)
        ).all()
        assert emails == [("helene@example.org", True), ("h.martin@example.org", False)]
        assert s.get(Contact, loser).is_deleted
        assert services.merged_into(s, loser).id == winner
        actions = {
            (r.contact_id, r.action, r.field)
            for r in s.execute(select(ChangeLog).where(ChangeLog.action == "merge")).scalars()
        }
        assert actions == {(winner, "merge", "merged_from"), (loser, "merge", "merged_into")}


def test_the_loser_s_email_can_become_the_primary_one(db, two, login_as):
    winner, loser = two
    with db() as s:
        theirs = s.execute(select(Email.id).where(Email.contact_id == loser)).scalar_one()
        with pytest.raises(ValidationError) as refused:
            services.merge_contacts(s, winner, loser, {"primary.emails": 999999})
        assert "choices.primary.emails" in refused.value.errors
        s.rollback()
    web = login_as("staff", locale="en")
    screen = web.get(f"/contacts/{winner}/merge/{loser}").get_data(as_text=True)
    assert f'name="primary-emails" value="{theirs}"' in screen
    done = web.post_form(
        f"/contacts/{winner}/merge/{loser}",
        {"keep-emails": str(theirs), "primary-emails": str(theirs)},
    )
    assert done.status_code == 302
    with db() as s:
        emails = s.execute(
            select(Email.email, Email.is_primary)
            .where(Email.contact_id == winner)
            .order_by(Email.id)
        ).all()
        assert emails == [("helene@example.org", False), ("h.martin@example.org", True)]


def test_details_of_the_loser_can_be_left_behind(db, two):
    winner, loser = two
    with db() as s:
        services.merge_contacts(s, winner, loser, {"emails": [], "phones": "all"})
        s.commit()
        assert [e for (e,) in s.execute(select(Email.email).where(Email.contact_id == winner))] == [
            "helene@example.org"
        ]
        # the mobile moved and, the only phone of the winner, became its primary one
        from amicale.contacts.models import Phone

        assert s.execute(
            select(Phone.is_primary).where(Phone.contact_id == winner)
        ).scalars().all() == [True]


def test_every_kind_of_row_moves_to_the_kept_contact(db, two, person):
    from amicale.activities.services import create_activity
    from amicale.groups.services import add_contacts, create_group, remove_contacts
    from amicale.notes.services import create_note
    from amicale.relationships.services import create_relationship
    from amicale.tags.services import create_tag, tag_contacts

    winner, loser = two
    org = person("Other", "Person")
    with db() as s:
        meeting = create_activity(
            s,
            {
                "activity_type": "meeting",
                "subject": "AG",
                "target_contact_ids": [winner, loser],
                "assignee_contact_ids": [loser],
                "source_contact_id": loser,
            },
        )
        create_relationship(
            s, {"relationship_type": "spouse_of", "contact_id_a": winner, "contact_id_b": loser}
        )
        create_relationship(
            s, {"relationship_type": "sibling_of", "contact_id_a": loser, "contact_id_b": org}
        )
        both = create_group(s, {"title": "Both"})
        only_loser = create_group(s, {"title": "Only the loser"})
        add_contacts(s, both.id, [winner, loser])
        remove_contacts(s, both.id, [winner])
        add_contacts(s, only_loser.id, [loser])
        tag = create_tag(s, {"name": "Donor"})
        other_tag = create_tag(s, {"name": "Volunteer"})
        tag_contacts(s, tag.id, [winner, loser])
        tag_contacts(s, other_tag.id, [loser])
        create_note(
            s, {"contact_id": loser, "note": "Prefers phone calls."}, author_contact_id=loser
        )
        s.commit()
        meeting_id, both_id, only_id = meeting.id, both.id, only_loser.id

    with db() as s:
        services.merge_contacts(s, winner, loser)
        s.commit()
        assert set(
            s.execute(
                select(ActivityContact.contact_id, ActivityContact.role).where(
                    ActivityContact.activity_id == meeting_id
                )
            ).all()
        ) == {(winner, "target"), (winner, "assignee"), (winner, "source")}
        rels = s.execute(select(Relationship.contact_id_a, Relationship.contact_id_b)).all()
        assert rels == [(winner, org)]  # the one between the two is gone
        statuses = dict(
            s.execute(
                select(GroupContact.group_id, GroupContact.status).where(
                    GroupContact.contact_id == winner
                )
            ).all()
        )
        assert statuses == {both_id: "Removed", only_id: "Added"}  # the winner's status kept
        assert (
            s.execute(select(func.count()).where(EntityTag.entity_id == winner)).scalar_one() == 2
        )
        note = s.execute(select(Note)).scalar_one()
        assert (note.entity_id, note.author_contact_id) == (winner, winner)
        for _model, column in (
            (ActivityContact, ActivityContact.contact_id),
            (GroupContact, GroupContact.contact_id),
        ):
            assert s.execute(select(func.count()).where(column == loser)).scalar_one() == 0


def test_custom_values_follow_the_choices(db, two):
    from amicale.customfields import services as custom

    winner, loser = two
    with db() as s:
        group = custom.create_group(s, {"name": "profile", "title": "Profile"})
        for name in ("diet", "shirt"):
            custom.create_field(
                s,
                {"custom_group_id": group.id, "name": name, "label": name, "data_type": "text"},
            )
        custom.save_values(s, "contact", winner, {"diet": "vegan", "shirt": "M"})
        custom.save_values(s, "contact", loser, {"diet": "omnivore", "shirt": "L"})
        s.commit()
        services.merge_contacts(s, winner, loser, {"custom.diet": "loser"})
        s.commit()
        assert custom.values_for(s, "contact", [winner])[winner] == {
            "diet": "omnivore",
            "shirt": "M",
        }


def test_bad_choices_and_trashed_contacts_are_refused_and_change_nothing(db, two):
    from amicale.contacts.services import trash_contact

    winner, loser = two
    with db() as s:
        with pytest.raises(ValidationError) as bad:
            services.merge_contacts(
                s,
                winner,
                loser,
                {"first_name": "both", "shoe_size": "loser", "emails": [999999]},
            )
        assert set(bad.value.errors) == {
            "choices.first_name",
            "choices.shoe_size",
            "choices.emails",
        }
        s.rollback()
        with pytest.raises(ValidationError):
            services.merge_contacts(s, winner, winner)
        trash_contact(s, loser)
        s.commit()
        with pytest.raises(Conflict):
            services.merge_contacts(s, winner, loser)
        s.rollback()
        assert s.execute(select(func.count()).select_from(services.DedupeMerge)).scalar_one() == 0


class Refuses:
    """A component that cannot move its rows."""

    @hookimpl
    def amicale_component(self):
        from amicale.api_for_plugins import Manifest

        return Manifest(name="refuses", label="Refuses", version="1.0")

    @hookimpl
    def merge_contacts(self, winner_id, loser_id, session):
        raise RuntimeError("the component's table is locked")


@pytest.fixture
def amicale_plugins():
    return {"refuses": Refuses()}


def test_a_component_failing_cancels_the_whole_merge(app, db, two):
    from amicale.activities.services import create_activity
    from amicale.components.services import enable_component

    state = app.extensions["amicale"]
    enable_component(state.db, state.registry, "refuses")
    winner, loser = two
    with db() as s:
        create_activity(s, {"activity_type": "meeting", "target_contact_ids": [loser]})
        s.commit()
    with db() as s:
        with pytest.raises(RuntimeError):
            services.merge_contacts(s, winner, loser, {"birth_date": "loser"})
        s.rollback()
    with db() as s:
        assert not s.get(Contact, loser).is_deleted
        assert s.get(Contact, winner).birth_date is None
        assert (
            s.execute(select(func.count()).where(ActivityContact.contact_id == loser)).scalar_one()
            == 1
        )
        assert s.execute(select(func.count()).where(Email.contact_id == winner)).scalar_one() == 1
