"""Inherited memberships: the members of a household get the household's membership through
their relationship, and lose it when the relationship ends."""

from datetime import date

from sqlalchemy import select

from amicale_membership import services
from amicale_membership.models import Membership, MembershipStatus


def relate(in_app, person_id: int, household_id: int, **more) -> int:
    from amicale.relationships.services import create_relationship

    with in_app() as s:
        rel = create_relationship(
            s,
            {
                "relationship_type": "household_member_of",
                "contact_id_a": person_id,
                "contact_id_b": household_id,
                **more,
            },
        )
        s.commit()
        return rel.id


def inherited(in_app, owner_id: int) -> dict[int, tuple]:
    with in_app() as s:
        rows = s.execute(
            select(Membership, MembershipStatus.name)
            .join(MembershipStatus, MembershipStatus.id == Membership.status_id)
            .where(Membership.owner_membership_id == owner_id)
        ).all()
        return {m.contact_id: (m.end_date, name) for m, name in rows}


def test_household_members_inherit_the_household_membership(in_app, member, factories):
    family = factories.membership.type(name="Family", relationship_types=["household_member_of"])
    home = factories.household(household_name="Lovelace household")
    ada, bob = member("Ada"), member("Bob")
    relate(in_app, ada.id, home.id)
    owner = factories.membership.membership(contact_id=home.id, membership_type_id=family.id)
    assert set(inherited(in_app, owner.id)) == {ada.id}
    # a member who arrives later gets it when the relationship is recorded (post_save)
    relate(in_app, bob.id, home.id)
    found = inherited(in_app, owner.id)
    assert set(found) == {ada.id, bob.id}
    assert found[bob.id] == (owner.end_date, "New")


def test_the_inherited_membership_goes_when_the_relationship_ends_or_is_deleted(
    in_app, member, factories
):
    from amicale.relationships.services import delete_relationship, end_relationship

    family = factories.membership.type(relationship_types=["household_member_of"])
    home = factories.household()
    ada, bob = member("Ada"), member("Bob")
    ada_rel, bob_rel = relate(in_app, ada.id, home.id), relate(in_app, bob.id, home.id)
    owner = factories.membership.membership(contact_id=home.id, membership_type_id=family.id)
    assert set(inherited(in_app, owner.id)) == {ada.id, bob.id}
    with in_app() as s:
        end_relationship(s, ada_rel)
        s.commit()
    assert set(inherited(in_app, owner.id)) == {bob.id}
    with in_app() as s:
        delete_relationship(s, bob_rel)
        s.commit()
    assert inherited(in_app, owner.id) == {}


def test_a_relationship_past_its_end_date_no_longer_gives_it(in_app, member, factories):
    family = factories.membership.type(relationship_types=["household_member_of"])
    home, ada = factories.household(), member("Ada")
    relate(in_app, ada.id, home.id, end_date=date(2030, 6, 30))
    owner = factories.membership.membership(contact_id=home.id, membership_type_id=family.id)
    assert set(inherited(in_app, owner.id)) == {ada.id}
    with in_app() as s:
        services.sync_inherited(s, owner.id, today=date(2030, 7, 1))
        s.commit()
    assert inherited(in_app, owner.id) == {}


def test_an_inactive_relationship_gives_nothing_and_max_related_is_respected(
    in_app, member, factories
):
    family = factories.membership.type(relationship_types=["household_member_of"], max_related=1)
    home = factories.household()
    ada, bob, cy = member("Ada"), member("Bob"), member("Cy")
    relate(in_app, ada.id, home.id)
    relate(in_app, bob.id, home.id)
    relate(in_app, cy.id, home.id, is_active=False)
    owner = factories.membership.membership(contact_id=home.id, membership_type_id=family.id)
    assert set(inherited(in_app, owner.id)) == {ada.id}


def test_inherited_memberships_follow_renewal_and_cancellation(in_app, member, factories):
    family = factories.membership.type(relationship_types=["household_member_of"])
    home, ada = factories.household(), member("Ada")
    relate(in_app, ada.id, home.id)
    owner = factories.membership.membership(contact_id=home.id, membership_type_id=family.id)
    with in_app() as s:
        renewed = services.renew(s, owner.id)
        s.commit()
        end = renewed.end_date
    assert inherited(in_app, owner.id)[ada.id][0] == end
    with in_app() as s:
        services.cancel(s, owner.id)
        s.commit()
    assert inherited(in_app, owner.id)[ada.id][1] == "Cancelled"


def test_an_inherited_membership_cannot_be_renewed_on_its_own(in_app, member, factories):
    import pytest

    from amicale.api_for_plugins import ValidationError

    family = factories.membership.type(relationship_types=["household_member_of"])
    home, ada = factories.household(), member("Ada")
    relate(in_app, ada.id, home.id)
    owner = factories.membership.membership(contact_id=home.id, membership_type_id=family.id)
    with in_app() as s:
        child = s.scalar(select(Membership.id).where(Membership.owner_membership_id == owner.id))
        with pytest.raises(ValidationError, match="inherited"):
            services.renew(s, child)


def test_a_type_no_longer_inherited_takes_the_inherited_memberships_back(in_app, member, factories):
    family = factories.membership.type(relationship_types=["household_member_of"])
    home, ada = factories.household(), member("Ada")
    relate(in_app, ada.id, home.id)
    owner = factories.membership.membership(contact_id=home.id, membership_type_id=family.id)
    with in_app() as s:
        services.update_type(s, family.id, {"relationship_types": []})
        s.commit()
    assert inherited(in_app, owner.id) == {}
