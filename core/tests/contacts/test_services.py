"""Staff record people, households and organisations with their details; bad details are
refused on their field; deleting moves to the trash; every change is in the change log."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from amicale.changelog.models import ChangeLog
from amicale.changelog.services import contact_changes
from amicale.contacts import services
from amicale.contacts.models import Contact, Email
from amicale.db import session
from amicale.errors import NotFound, ValidationError


@pytest.fixture
def s(app):
    with app.test_request_context():
        yield session()


HELENE = {
    "first_name": "Hélène",
    "last_name": "Lao",
    "prefix": "Mme",
    "gender": "female",
    "birth_date": "1961-04-02",
    "preferred_language": "fr",
    "external_identifier": "SEL-042",
    "emails": [
        {"email": "Helene.Lao@Example.org", "location_type": "Home"},
        {"email": "h.lao@mairie.example.fr", "location_type": "Work", "is_primary": True},
    ],
    "phones": [{"phone": "06 12 34 56 78", "phone_type": "Mobile"}],
    "addresses": [
        {"street_address": "3 rue Burdeau", "postal_code": "69001", "city": "Lyon", "country": "fr"}
    ],
    "websites": [{"url": "https://helene.example.org"}],
    "do_not_phone": True,
}


def test_a_person_is_recorded_with_several_details_one_primary_each(s):
    contact = services.create_contact(s, HELENE, user_id=None)
    s.commit()
    rep = services.represent(s, [contact])[0]
    assert rep["display_name"] == "Mme Hélène Lao" and rep["sort_name"] == "Lao, Hélène"
    assert [e.email for e in rep["emails"]] == ["h.lao@mairie.example.fr", "helene.lao@example.org"]
    assert [e.is_primary for e in rep["emails"]] == [True, False]
    assert rep["phones"][0].phone == "+33 6 12 34 56 78"
    assert rep["phones"][0].phone_normalized == "+33612345678"
    assert rep["phones"][0].is_primary is True
    assert rep["addresses"][0].country == "FR"
    assert rep["do_not_phone"] is True and rep["do_not_email"] is False


def test_households_and_organisations_need_their_name(s):
    household = services.create_contact(
        s, {"contact_type": "Household", "household_name": "Famille Lao"}
    )
    org = services.create_contact(
        s, {"contact_type": "Organization", "organization_name": "Le Grain de SEL"}
    )
    assert (household.display_name, org.sort_name) == ("Famille Lao", "Le Grain de SEL")
    with pytest.raises(ValidationError) as exc:
        services.create_contact(s, {"contact_type": "Organization"})
    assert exc.value.field == "organization_name"
    with pytest.raises(ValidationError) as exc:
        services.create_contact(s, {"contact_type": "Individual"})
    assert exc.value.field == "last_name"


@pytest.mark.parametrize(
    "data, field",
    [
        ({"emails": [{"email": "not an email"}]}, "emails.0.email"),
        ({"phones": [{"phone": "12"}]}, "phones.0.phone"),
        ({"phones": [{"phone": "01 23"}]}, "phones.0.phone"),
        ({"addresses": [{"city": "Lyon", "country": "XX"}]}, "addresses.0.country"),
        ({"addresses": [{"city": "Lyon", "country": "FRA"}]}, "addresses.0.country"),
        ({"websites": [{"url": "javascript:alert(1)"}]}, "websites.0.url"),
        ({"birth_date": "31/02/1990"}, "birth_date"),
        ({"gender": "robot"}, "gender"),
        ({"contact_type": "Alien"}, "contact_type"),
        (
            {
                "emails": [
                    {"email": "a@example.org", "is_primary": True},
                    {"email": "b@example.org", "is_primary": True},
                ]
            },
            "emails.is_primary",
        ),
        ({"emails": [{"email": "a@example.org"}, {"email": "A@example.org"}]}, "emails"),
    ],
)
def test_bad_details_are_refused_on_their_field_and_nothing_is_written(s, data, field):
    before = s.execute(select(func.count()).select_from(Contact)).scalar()
    with pytest.raises(ValidationError) as exc:
        services.create_contact(s, {"first_name": "Jean", "last_name": "Test", **data})
    s.rollback()
    assert field in exc.value.errors, exc.value.errors
    assert s.execute(select(func.count()).select_from(Contact)).scalar() == before


def test_phones_are_read_in_the_organisations_country(s):
    from amicale.organisation.services import set_setting

    set_setting(s, "organisation.country", "BE")
    contact = services.create_contact(
        s, {"last_name": "Peeters", "phones": [{"phone": "0470 12 34 56"}]}
    )
    assert services.represent(s, [contact])[0]["phones"][0].phone_normalized == "+32470123456"


def test_external_identifiers_are_unique(s):
    services.create_contact(s, {"last_name": "Un", "external_identifier": "X1"})
    with pytest.raises(ValidationError) as exc:
        services.create_contact(s, {"last_name": "Deux", "external_identifier": "X1"})
    assert exc.value.field == "external_identifier"


def test_subtypes_defined_by_the_admin_apply_to_their_kind_of_contact(s):
    services.create_subtype(s, "volunteer", "Bénévole", "Individual")
    services.create_subtype(s, "family", "Famille", "Household")
    person = services.create_contact(s, {"last_name": "Lao", "subtypes": ["volunteer"]})
    assert services.represent(s, [person])[0]["subtypes"] == ["volunteer"]
    with pytest.raises(ValidationError) as exc:
        services.create_contact(s, {"last_name": "Lao", "subtypes": ["family"]})
    assert exc.value.field == "subtypes"
    with pytest.raises(ValidationError):
        services.create_subtype(s, "volunteer", "Encore", "Individual")


def test_an_update_changes_what_is_given_and_logs_each_field(s, make_user):
    contact = services.create_contact(s, HELENE)
    s.commit()
    services.update_contact(
        s,
        contact.id,
        {
            "last_name": "Lao-Martin",
            "emails": [{"email": "helene@lao.example.org"}],
            "do_not_phone": False,
        },
        user_id=None,
    )
    s.commit()
    rep = services.represent(s, [s.get(Contact, contact.id)])[0]
    assert rep["display_name"] == "Mme Hélène Lao-Martin"
    assert [e.email for e in rep["emails"]] == ["helene@lao.example.org"]
    assert rep["phones"][0].phone_normalized == "+33612345678"  # not given: kept
    log = {
        (r.entity, r.action, r.field): (r.old_value, r.new_value)
        for r in contact_changes(s, contact.id)
    }
    assert log[("contact", "update", "last_name")] == ("Lao", "Lao-Martin")
    assert log[("contact", "update", "do_not_phone")] == ("1", "0")
    replaced, gone = log[("email", "update", "email")], log[("email", "delete", "email")]
    assert replaced[1] == "helene@lao.example.org" and gone[1] is None
    assert {replaced[0], gone[0]} == {"h.lao@mairie.example.fr", "helene.lao@example.org"}
    assert log[("contact", "create", "first_name")] == (None, "Hélène")


def test_an_update_with_nothing_new_logs_nothing(s):
    contact = services.create_contact(s, {"last_name": "Calme"})
    s.commit()
    before = s.execute(select(func.count()).select_from(ChangeLog)).scalar()
    services.update_contact(s, contact.id, {"last_name": "Calme"})
    s.commit()
    assert s.execute(select(func.count()).select_from(ChangeLog)).scalar() == before


def test_trash_restore_and_delete_for_good(s):
    contact = services.create_contact(s, HELENE)
    s.commit()
    with pytest.raises(ValidationError):  # only from the trash
        services.purge_contact(s, contact.id)
    services.trash_contact(s, contact.id)
    s.commit()
    assert s.get(Contact, contact.id).is_deleted
    services.restore_contact(s, contact.id)
    s.commit()
    assert not s.get(Contact, contact.id).is_deleted
    services.trash_contact(s, contact.id)
    services.purge_contact(s, contact.id)
    s.commit()
    assert s.get(Contact, contact.id) is None
    assert s.execute(select(func.count()).select_from(Email)).scalar() == 0
    # the change log keeps the story of the erased contact
    actions = [r.action for r in contact_changes(s, contact.id)]
    assert actions[:4] == ["delete", "trash", "restore", "trash"]
    with pytest.raises(NotFound):
        services.get_contact(s, contact.id)


def test_many_contacts_go_to_the_trash_at_once(s):
    ids = [services.create_contact(s, {"last_name": f"N{i}"}).id for i in range(5)]
    s.commit()
    assert services.trash_contacts(s, ids[:3]) == 3
    assert services.trash_contacts(s, ids[:3]) == 0  # already there
    s.commit()
    assert s.execute(select(func.count()).where(Contact.is_deleted)).scalar() == 3
