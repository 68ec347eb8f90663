"""Custom values through the services: every type checked and typed (from strings too), every
error at once, required fields and defaults, storing and reading many records without a query
per record, the change log, erasure, display, and the admin's definitions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from amicale.contacts import services as contacts
from amicale.customfields import services
from amicale.customfields.models import CustomValue
from amicale.errors import NotFound, ValidationError


def check(s, values, **kw):
    return services.validate_values(s, "contact", values, contact_type="Individual", **kw)


# -- validation ----------------------------------------------------------------------------


def test_a_web_form_sends_strings_and_gets_typed_values(db, fields, person):
    marie = person("Marie")
    with db() as s:
        cleaned = check(
            s,
            {
                "nickname": "  Mimi ",
                "biography": "Born in Warsaw.",
                "children": "2",
                "height": "1,62",
                "pledge": "12,50",
                "first_visit": "14/03/2026",
                "vegetarian": "oui",
                "diet": "veggie",
                "skills": ["it", "cook"],
                "referrer": str(marie),
            },
        )
    assert cleaned == {
        "nickname": "Mimi",
        "biography": "Born in Warsaw.",
        "children": 2,
        "height": Decimal("1.62"),
        "pledge": Decimal("12.50"),
        "first_visit": date(2026, 3, 14),
        "vegetarian": True,
        "diet": "veggie",
        "skills": ["cook", "it"],  # in the options' order
        "referrer": marie,
    }


@pytest.mark.parametrize(
    "name, raw, expected",
    [
        ("pledge", "12.50", Decimal("12.50")),
        ("pledge", "12,5", Decimal("12.50")),
        ("pledge", 12.5, Decimal("12.50")),
        ("pledge", "1 234,56", Decimal("1234.56")),
        ("pledge", "1.234,56", Decimal("1234.56")),
        ("height", "12.5", Decimal("12.5")),
        ("children", 3, 3),
        ("children", "4,0", 4),
        ("first_visit", "2026-03-14", date(2026, 3, 14)),
        ("first_visit", "14/03/2026", date(2026, 3, 14)),
        ("vegetarian", "1", True),
        ("vegetarian", "0", False),
        ("vegetarian", "true", True),
        ("vegetarian", "false", False),
        ("vegetarian", "non", False),
        ("vegetarian", False, False),
        ("diet", "Vegan", "vegan"),  # the label, as typed in a spreadsheet
        ("skills", "drive,cook", ["cook", "drive"]),
        ("skills", [], None),
        ("nickname", "", None),
        ("nickname", None, None),
    ],
)
def test_each_type_accepts_what_people_type(db, fields, name, raw, expected):
    with db() as s:
        assert check(s, {name: raw}) == {name: expected}


@pytest.mark.parametrize(
    "name, raw, message",
    [
        ("nickname", "far too long a nickname", "At most 10 characters."),
        ("nickname", ["a"], "Enter some text."),
        ("children", "two", "Enter a whole number."),
        ("children", "2.5", "Enter a whole number."),
        ("height", "tall", "Enter a number, such as 12.5 or 12,5."),
        ("height", "NaN", "Enter a number, such as 12.5 or 12,5."),
        ("height", "1e20", "This number is too large."),
        ("pledge", "12.505", "An amount has at most two decimals."),
        ("pledge", True, "Enter a number, such as 12.5 or 12,5."),
        ("first_visit", "31/02/2026", "Enter a date such as 2026-03-14 or 14/03/2026."),
        ("first_visit", "March 14", "Enter a date such as 2026-03-14 or 14/03/2026."),
        ("vegetarian", "maybe", "Answer yes or no (1/0, true/false, oui/non)."),
        (
            "diet",
            "carnivore",
            "“carnivore” is not one of the options: omni, veggie, vegan.",
        ),
        ("diet", ["omni"], "Choose one option."),
        ("skills", ["cook", "fly"], "“fly” is not one of the options: cook, drive, it."),
        ("skills", 3, "Give a list of options."),
        ("referrer", "Marie", "Give the number of a contact."),
        ("referrer", 99999, "No contact with the number 99999."),
    ],
)
def test_a_bad_value_is_refused_with_a_clear_message_on_its_field(db, fields, name, raw, message):
    with db() as s, pytest.raises(ValidationError) as caught:
        check(s, {name: raw})
    assert caught.value.errors == {f"custom.{name}": [message]}
    assert caught.value.message == message


def test_every_problem_is_reported_at_once(db, fields, person):
    with db() as s, pytest.raises(ValidationError) as caught:
        check(
            s,
            {
                "children": "many",
                "diet": "raw",
                "no_such_field": 1,
                "siret": "123",  # for organisations only
                "badge_number": 12,  # for volunteers only
                "nickname": "ok",
            },
        )
    errors = caught.value.errors
    assert set(errors) == {
        "custom.children",
        "custom.diet",
        "custom.no_such_field",
        "custom.siret",
        "custom.badge_number",
    }
    assert errors["custom.no_such_field"] == ["Unknown custom field: no_such_field"]
    assert errors["custom.siret"] == ["The field “SIRET” does not apply to this kind of contact."]
    assert caught.value.message == "Some custom fields are not valid."


def test_a_set_for_a_subtype_applies_only_to_contacts_of_that_subtype(db, fields):
    with db() as s:
        assert check(s, {"badge_number": "7"}, subtypes=("volunteer",)) == {"badge_number": 7}
        with pytest.raises(ValidationError):
            check(s, {"badge_number": "7"}, subtypes=("donor",))
        assert services.validate_values(
            s, "contact", {"siret": "552 100 554"}, contact_type="Organization"
        ) == {"siret": "552 100 554"}


def test_fields_of_a_deactivated_set_or_deactivated_fields_are_refused(db, fields):
    with db() as s:
        services.update_group(s, fields["set:company"], {"is_active": False})
        services.update_field(s, fields["nickname"], {"is_active": False})
        s.commit()
        with pytest.raises(ValidationError) as caught:
            services.validate_values(
                s, "contact", {"siret": "1", "nickname": "Mimi"}, contact_type="Organization"
            )
    assert caught.value.errors == {
        "custom.siret": ["The field “SIRET” is no longer in use."],
        "custom.nickname": ["The field “Nickname” is no longer in use."],
    }


def test_custom_values_must_be_an_object(db, fields):
    with db() as s, pytest.raises(ValidationError) as caught:
        check(s, ["nickname"])
    assert caught.value.field == "custom"


def test_a_new_volunteer_gets_the_defaults_and_needs_the_required_fields(db, fields):
    with db() as s:
        # Created without custom values (values None): defaults, and the required field is asked.
        with pytest.raises(ValidationError) as caught:
            check(s, None, subtypes=("volunteer",))
        assert caught.value.errors == {"custom.badge_number": ["“Badge number” is required."]}
        # Created with some values: the defaults fill in what was not given.
        cleaned = check(s, {"badge_number": "12"}, subtypes=("volunteer",), creating=True)
        assert cleaned == {"badge_number": 12, "shirt_size": "M"}
        with pytest.raises(ValidationError) as caught:
            check(s, {"nickname": "Jo"}, subtypes=("volunteer",), creating=True)
        assert set(caught.value.errors) == {"custom.badge_number"}
        # A contact to whom no set with a required field applies needs nothing.
        assert check(s, None) == {}


def test_an_update_checks_only_the_fields_given_but_a_required_field_cannot_be_emptied(db, fields):
    with db() as s:
        assert check(s, {"nickname": "Jo"}, subtypes=("volunteer",)) == {"nickname": "Jo"}
        with pytest.raises(ValidationError) as caught:
            check(s, {"badge_number": ""}, subtypes=("volunteer",))
    assert caught.value.errors == {"custom.badge_number": ["“Badge number” is required."]}


# -- storing and reading -------------------------------------------------------------------


BIOGRAPHY = " ".join(["Born in Warsaw, she moved to Paris."] * 150)  # longer than 255


def test_values_are_stored_and_read_back_as_the_api_shows_them(db, fields, person):
    marie, pierre = person("Marie"), person("Pierre")
    with db() as s:
        values = check(
            s,
            {
                "nickname": "Pierrot",
                "biography": BIOGRAPHY,
                "children": "3",
                "height": "1,80",
                "pledge": "12,50",
                "first_visit": "2026-03-14",
                "vegetarian": "non",
                "diet": "vegan",
                "skills": ["drive", "it"],
                "referrer": marie,
            },
        )
        changes = services.save_values(s, "contact", pierre, values)
        s.commit()
        assert changes["pledge"] == (None, "12.50")
        assert changes["skills"] == (None, "drive, it")
        assert changes["vegetarian"] == (None, False)
        assert services.values_for(s, "contact", [pierre, marie]) == {
            pierre: {
                "nickname": "Pierrot",
                "biography": BIOGRAPHY,
                "children": 3,
                "height": 1.8,
                "pledge": 12.5,
                "first_visit": "2026-03-14",
                "vegetarian": False,
                "diet": "vegan",
                "skills": ["drive", "it"],
                "referrer": marie,
            },
            marie: {},
        }
        # one row per chosen option
        assert (
            s.execute(
                select(func.count())
                .select_from(CustomValue)
                .where(CustomValue.field_id == fields["skills"], CustomValue.entity_id == pierre)
            ).scalar()
            == 2
        )


def test_saving_again_reports_only_what_changed_and_none_clears_a_value(db, fields, person):
    pierre = person("Pierre")
    with db() as s:
        services.save_values(
            s, "contact", pierre, check(s, {"nickname": "P", "skills": ["cook"], "children": 1})
        )
        changes = services.save_values(
            s,
            "contact",
            pierre,
            check(s, {"nickname": "P", "skills": ["cook", "it"], "children": None}),
        )
        assert changes == {"skills": ("cook", "cook, it"), "children": (1, None)}
        assert services.save_values(s, "contact", pierre, check(s, {"nickname": "P"})) == {}
        assert services.values_for(s, "contact", [pierre])[pierre] == {
            "nickname": "P",
            "skills": ["cook", "it"],
        }


def test_many_records_are_written_and_read_without_a_query_per_record(
    db, fields, person, count_queries
):
    with db() as s:
        ids = [contacts.create_contact(s, {"last_name": f"P{i}"}).id for i in range(40)]
        s.commit()
        cleaned = check(s, {"diet": "omni", "skills": ["cook", "it"], "children": "2"})
        with count_queries(s) as seen:
            services.save_values(s, "contact", ids[0], cleaned)
        assert len(seen) <= 4  # definitions, current rows, delete, one insert of all rows
        for cid in ids[1:]:
            services.save_values(s, "contact", cid, cleaned)
        s.commit()
        with count_queries(s) as seen:
            values = services.values_for(s, "contact", ids)
        assert len(seen) == 1
    assert all(
        v == {"diet": "omni", "skills": ["cook", "it"], "children": 2} for v in values.values()
    )
    assert len(values) == 40


def test_values_of_a_deactivated_field_are_kept_but_not_shown(db, fields, person):
    pierre = person("Pierre", custom={"nickname": "P", "diet": "vegan"})
    with db() as s:
        services.update_field(s, fields["nickname"], {"is_active": False})
        s.commit()
        assert services.values_for(s, "contact", [pierre])[pierre] == {"diet": "vegan"}
        services.update_field(s, fields["nickname"], {"is_active": True})
        s.commit()
        assert services.values_for(s, "contact", [pierre])[pierre]["nickname"] == "P"


def test_staff_record_a_contact_with_custom_values_and_the_change_log_keeps_them(
    db, fields, person
):
    from amicale.changelog.services import contact_changes

    pierre = person("Pierre", custom={"diet": "Vegan", "pledge": "10"})
    with db() as s:
        rep = contacts.represent(s, [contacts.get_contact(s, pierre)])[0]
        assert rep["custom"] == {"diet": "vegan", "pledge": 10.0}
        contacts.update_contact(s, pierre, {"custom": {"pledge": "12,50", "nickname": "Pierrot"}})
        s.commit()
        logged = {
            (c.field, c.old_value, c.new_value)
            for c in contact_changes(s, pierre)
            if (c.field or "").startswith("custom.")
        }
    assert ("custom.pledge", "10.00", "12.50") in logged
    assert ("custom.nickname", None, "Pierrot") in logged
    assert ("custom.diet", None, "vegan") in logged


def test_a_contact_with_a_bad_custom_value_is_not_created_at_all(db, fields):
    from amicale.contacts.models import Contact

    with db() as s:
        before = s.execute(select(func.count()).select_from(Contact)).scalar()
        with pytest.raises(ValidationError) as caught:
            contacts.create_contact(
                s, {"first_name": "Zoé", "custom": {"children": "x", "diet": "raw"}}
            )
        s.rollback()
        assert set(caught.value.errors) == {"custom.children", "custom.diet"}
        assert s.execute(select(func.count()).select_from(Contact)).scalar() == before


def test_a_new_volunteer_without_the_required_badge_is_refused(db, fields):
    with db() as s, pytest.raises(ValidationError) as caught:
        contacts.create_contact(s, {"first_name": "Léa", "subtypes": ["volunteer"]})
    assert caught.value.errors == {"custom.badge_number": ["“Badge number” is required."]}


def test_a_contact_created_without_custom_values_gets_the_defaults(db, fields):
    with db() as s:
        services.create_field(
            s,
            {
                "custom_group_id": fields["set:profile"],
                "name": "mail_format",
                "label": "Mail format",
                "data_type": "select",
                "options": [{"value": "email"}, {"value": "paper"}],
                "default_value": "email",
            },
        )
        zoe = contacts.create_contact(s, {"first_name": "Zoé"})
        s.commit()
        assert services.values_for(s, "contact", [zoe.id])[zoe.id] == {"mail_format": "email"}


def test_a_contact_deleted_for_good_takes_its_values_and_the_references_to_it(db, fields, person):
    marie = person("Marie", custom={"nickname": "Mimi"})
    pierre = person("Pierre", custom={"referrer": marie, "nickname": "P"})
    with db() as s:
        contacts.trash_contact(s, marie)
        contacts.purge_contact(s, marie)
        s.commit()
        assert (
            s.execute(
                select(func.count())
                .select_from(CustomValue)
                .where(CustomValue.entity == "contact", CustomValue.entity_id == marie)
            ).scalar()
            == 0
        )
        assert services.values_for(s, "contact", [pierre])[pierre] == {"nickname": "P"}


# -- display -------------------------------------------------------------------------------


def test_values_are_shown_in_the_reader_s_language(db, fields):
    with db() as s:
        by_name = {f.name: f for f in services.list_fields(s)}
        show = services.display_value
        assert show(by_name["vegetarian"], True, "en") == "Yes"
        assert show(by_name["vegetarian"], False, "en") == "No"
        assert show(by_name["first_visit"], "2026-03-14", "en") == "Mar 14, 2026"
        assert show(by_name["first_visit"], date(2026, 3, 14), "fr") == "14 mars 2026"
        assert show(by_name["height"], 1234.5, "fr") == "1\u202f234,5"
        assert show(by_name["height"], 1234.5, "en") == "1,234.5"
        assert show(by_name["pledge"], 12.5, "fr") == "12,50\xa0€"
        assert show(by_name["diet"], "veggie", "en") == "Vegetarian"
        assert show(by_name["skills"], ["cook", "it"], "en") == "Cooking, Computers"
        assert show(by_name["nickname"], None, "en") == ""
        assert show(by_name["skills"], [], "en") == ""


def test_a_contact_reference_shows_the_contact_s_name(db, fields, person):
    marie = person("Marie", "Curie")
    with db() as s:
        field = services.get_field(s, fields["referrer"])
        assert services.display_value(field, marie) == "Marie Curie"


# -- definitions ---------------------------------------------------------------------------


def test_definitions_follow_the_contact_type_and_subtypes_in_order(db, fields):
    with db() as s:
        plain = services.definitions_for(s, "contact", "Individual")
        volunteer = services.definitions_for(s, "contact", "Individual", ("volunteer",))
        company = services.definitions_for(s, "contact", "Organization")
        assert [g.name for g, _f in plain] == ["profile"]
        assert [g.name for g, _f in volunteer] == ["profile", "volunteering"]
        assert [g.name for g, _f in company] == ["profile", "company"]
        assert [f.name for f in volunteer[1][1]] == ["shirt_size", "badge_number"]
        assert services.definitions_for(s, "activity") == []


def test_the_admin_s_mistakes_in_a_set_are_all_refused_at_once(db, fields):
    with db() as s, pytest.raises(ValidationError) as caught:
        services.create_group(
            s,
            {
                "name": "Profile!",
                "title": " ",
                "extends": "spaceship",
            },
        )
    assert set(caught.value.errors) == {"name", "title", "extends"}
    with db() as s, pytest.raises(ValidationError) as caught:
        services.create_group(s, {"name": "profile", "title": "Again"})
    assert caught.value.errors == {"name": ["Another set already has this name."]}
    with db() as s, pytest.raises(ValidationError) as caught:
        services.create_group(
            s,
            {
                "name": "kids",
                "title": "Kids",
                "extends_contact_type": "Individual",
                "extends_subtypes": ["volunteer", "astronaut"],
            },
        )
    assert caught.value.errors == {
        "extends_subtypes": ["Unknown subtype for this kind of contact: astronaut"]
    }
    with db() as s, pytest.raises(ValidationError) as caught:
        services.create_group(
            s,
            {
                "name": "act",
                "title": "Act",
                "extends": "activity",
                "extends_contact_type": "Individual",
            },
        )
    assert "extends_contact_type" in caught.value.errors


def test_a_component_s_entity_accepts_custom_fields(app, db, fields, monkeypatch):
    monkeypatch.setitem(services.CORE_ENTITIES, "contribute_contribution", "Contribution")
    with db() as s:
        group = services.create_group(
            s, {"name": "gift", "title": "Gift", "extends": "contribute_contribution"}
        )
        services.create_field(
            s,
            {
                "custom_group_id": group.id,
                "name": "in_memory_of",
                "label": "In memory of",
                "data_type": "text",
            },
        )
        cleaned = services.validate_values(s, "contribute_contribution", {"in_memory_of": "Jeanne"})
        services.save_values(s, "contribute_contribution", 7, cleaned)
        assert services.values_for(s, "contribute_contribution", [7]) == {
            7: {"in_memory_of": "Jeanne"}
        }
        # the same id on another entity has nothing
        assert services.values_for(s, "contact", [7]).get(7) == {}


def test_the_admin_s_mistakes_in_a_field_are_all_refused_at_once(db, fields):
    with db() as s, pytest.raises(ValidationError) as caught:
        services.create_field(
            s,
            {
                "custom_group_id": fields["set:profile"],
                "name": "diet",
                "label": "",
                "data_type": "select",
                "options": [{"value": "a"}, {"value": "a"}],
            },
        )
    assert caught.value.errors == {
        "name": ["Another custom field already has this name."],
        "label": ["Give the field a label."],
        "options": ["The option “a” is given twice."],
    }
    with db() as s, pytest.raises(ValidationError) as caught:
        services.create_field(
            s,
            {
                "custom_group_id": 9999,
                "name": "age",
                "label": "Age",
                "data_type": "integer",
                "default_value": "old",
                "options": [{"value": "x"}],
            },
        )
    assert set(caught.value.errors) == {"custom_group_id", "default_value", "options"}
    with db() as s, pytest.raises(ValidationError) as caught:
        services.create_field(
            s,
            {
                "custom_group_id": fields["set:profile"],
                "name": "mood",
                "label": "Mood",
                "data_type": "select",
            },
        )
    assert caught.value.errors == {"options": ["Give at least one option."]}


def test_a_field_s_default_is_stored_in_its_plain_form(db, fields):
    with db() as s:
        field = services.create_field(
            s,
            {
                "custom_group_id": fields["set:profile"],
                "name": "joined",
                "label": "Joined",
                "data_type": "date",
                "default_value": "01/09/2025",
            },
        )
        assert field.default_value == "2025-09-01"
        flag = services.create_field(
            s,
            {
                "custom_group_id": fields["set:profile"],
                "name": "newsletter",
                "label": "Newsletter",
                "data_type": "boolean",
                "default_value": "oui",
            },
        )
        assert flag.default_value == "1"


def test_an_option_in_use_cannot_be_removed_and_a_used_field_keeps_its_type(db, fields, person):
    person("Pierre", custom={"diet": "vegan", "children": 2})
    with db() as s:
        with pytest.raises(ValidationError) as caught:
            services.update_field(
                s, fields["diet"], {"options": [{"value": "omni"}, {"value": "veggie"}]}
            )
        assert caught.value.errors == {"options": ["Records still use these options: vegan."]}
        s.rollback()
        with pytest.raises(ValidationError) as caught:
            services.update_field(s, fields["children"], {"data_type": "text"})
        assert "data_type" in caught.value.errors
        s.rollback()
        # unused options may go, labels may change
        field = services.update_field(
            s,
            fields["diet"],
            {"options": [{"value": "veggie", "label": "Veggie"}, {"value": "vegan"}]},
        )
        s.commit()
        assert field.options == [
            {"value": "veggie", "label": "Veggie"},
            {"value": "vegan", "label": "vegan"},
        ]
        # an unused field may change its type
        assert (
            services.update_field(s, fields["nickname"], {"data_type": "memo"}).max_length is None
        )


def test_unknown_definitions_are_not_found(db, fields):
    with db() as s:
        with pytest.raises(NotFound):
            services.get_group(s, 9999)
        with pytest.raises(NotFound):
            services.get_field(s, 9999)
        with pytest.raises(NotFound):
            services.option_counts(s, "nothing")


# -- reports -------------------------------------------------------------------------------


def test_contacts_are_broken_down_by_an_option_field_in_one_query(
    db, fields, person, count_queries
):
    for diet in ("vegan", "vegan", "omni", None):
        person("P", custom={"diet": diet} if diet else {})
    for skills in (["cook"], ["cook", "it"]):
        person("S", custom={"skills": skills})
    trashed = person("T", custom={"diet": "vegan"})
    with db() as s:
        contacts.trash_contact(s, trashed)
        s.commit()
        with count_queries(s) as seen:
            counts = services.option_counts(s, "diet")
        assert len(seen) <= 3  # the field, its set, the GROUP BY
        assert sum("GROUP BY" in q for q in seen) == 1
        assert counts == [
            ("omni", "Eats everything", 1),
            ("veggie", "Vegetarian", 0),
            ("vegan", "Vegan", 2),
        ]
        assert services.option_counts(s, "skills") == [
            ("cook", "Cooking", 2),
            ("drive", "Driving", 0),
            ("it", "Computers", 1),
        ]
        with pytest.raises(ValidationError):
            services.option_counts(s, "nickname")


# -- merging and the person's data ---------------------------------------------------------


def test_merged_contacts_keep_the_winner_s_values_and_take_the_others(db, fields, person):
    winner = person("Pierre", custom={"nickname": "Pierrot", "skills": ["cook"]})
    loser = person("Pierre", custom={"nickname": "Pete", "diet": "vegan", "skills": ["it"]})
    fan = person("Fan", custom={"referrer": loser})
    with db() as s:
        services.merge_contact_values(s, winner, loser)
        s.commit()
        values = services.values_for(s, "contact", [winner, loser, fan])
    assert values == {
        winner: {"nickname": "Pierrot", "skills": ["cook"], "diet": "vegan"},
        loser: {},
        fan: {"referrer": winner},
    }


def test_a_person_s_data_export_lists_their_custom_values_as_they_read_them(db, fields, person):
    from amicale.plugins import hook

    pierre = person("Pierre", custom={"diet": "vegan", "vegetarian": True})
    nobody = person("Nobody")
    with db() as s:
        exported = [r for r in hook.contact_data(contact_id=pierre, session=s) if r]
        assert {
            "Custom fields": [
                {"field": "Vegetarian", "value": "Yes"},
                {"field": "Diet", "value": "Vegan"},
            ]
        } in exported
        assert services.contact_data(s, nobody) is None
