"""The Relationships tab of a contact's page and the admin page of relationship types, as staff,
volunteers, read-only users and admins use them (without JavaScript)."""

from __future__ import annotations

from sqlalchemy import func, select

from amicale.contacts.models import Contact
from amicale.relationships import services
from amicale.relationships.models import Relationship, RelationshipType


def relationships_of(db, contact_id):
    with db() as s:
        return [
            (r.label, r.other.display_name, r.is_current)
            for r in services.contact_relationships(s, contact_id)
        ]


def test_staff_sees_both_directions_each_from_the_contact_s_side(login_as, db, people):
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
    staff = login_as("staff", locale="en")
    marie = staff.get(f"/contacts/{people['marie']}/relationships").get_data(as_text=True)
    assert "Employee of" in marie and "Le Grain de SEL" in marie
    assert 'data-tab="relationships" aria-current="page"' in marie
    grain = staff.get(f"/contacts/{people['grain']}/relationships").get_data(as_text=True)
    assert "Employer of" in grain and "Marie Dupont" in grain
    # the tab shows how many current relationships there are
    summary = staff.get(f"/contacts/{people['grain']}").get_data(as_text=True)
    assert 'data-tab="relationships"' in summary and '<span class="count">1</span>' in summary


def test_unknown_contact_gives_404(login_as):
    assert login_as("staff", locale="en").get("/contacts/999/relationships").status_code == 404


def test_adding_a_relationship_with_the_only_contact_matching_the_name(login_as, db, people, rtype):
    staff = login_as("staff", locale="en")
    response = staff.post_form(
        f"/contacts/{people['marie']}/relationships/add",
        {
            "relation": f"{rtype('employee_of')}:a",
            "other_name": "grain",
            "start_date": "2021-09-01",
        },
    )
    assert response.status_code == 302
    assert relationships_of(db, people["grain"]) == [("Employer of", "Marie Dupont", True)]
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "The relationship is recorded." in page


def test_the_direction_can_be_chosen_from_the_organisation_s_page(login_as, db, people, rtype):
    staff = login_as("staff", locale="en")
    response = staff.post_form(
        f"/contacts/{people['grain']}/relationships/add",
        {"relation": f"{rtype('employee_of')}:b", "other_name": "Wei Lao"},
    )
    assert response.status_code == 302
    assert relationships_of(db, people["lao"]) == [("Employee of", "Le Grain de SEL", True)]


def test_when_several_contacts_match_they_are_listed_to_choose_from(login_as, db, people, rtype):
    staff = login_as("staff", locale="en")
    sibling = f"{rtype('sibling_of')}:a"
    response = staff.post_form(
        f"/contacts/{people['lao']}/relationships/add",
        {"relation": sibling, "other_name": "dupont"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="candidates"' in page and "Marie Dupont" in page and "Jean Dupont" in page
    assert "Famille Dupont" not in page  # a household cannot be a sibling
    assert relationships_of(db, people["lao"]) == []
    response = staff.post_form(
        f"/contacts/{people['lao']}/relationships/add",
        {"relation": sibling, "other_name": "dupont", "other_contact_id": str(people["jean"])},
    )
    assert response.status_code == 302
    assert relationships_of(db, people["lao"]) == [("Sibling of", "Jean Dupont", True)]


def test_when_nobody_matches_the_page_says_so_and_nothing_changes(login_as, db, people, rtype):
    staff = login_as("staff", locale="en")
    response = staff.post_form(
        f"/contacts/{people['marie']}/relationships/add",
        {"relation": f"{rtype('sibling_of')}:a", "other_name": "Zorglub"},
    )
    assert response.status_code == 422
    assert "No contact" in response.get_data(as_text=True) and "Zorglub" in response.get_data(
        as_text=True
    )
    assert relationships_of(db, people["marie"]) == []


def test_bad_input_on_the_add_form_is_explained(login_as, db, people, rtype):
    staff = login_as("staff", locale="en")
    url = f"/contacts/{people['marie']}/relationships/add"
    no_type = staff.post_form(url, {"relation": "", "other_name": "grain"})
    assert no_type.status_code == 422
    assert "Choose the kind of relationship." in no_type.get_data(as_text=True)
    no_name = staff.post_form(url, {"relation": f"{rtype('employee_of')}:a", "other_name": ""})
    assert "Type the name of the other contact." in no_name.get_data(as_text=True)
    bad_dates = staff.post_form(
        url,
        {
            "relation": f"{rtype('employee_of')}:a",
            "other_name": "grain",
            "start_date": "2022-05-01",
            "end_date": "2021-05-01",
        },
    )
    assert bad_dates.status_code == 422
    assert "before the start date" in bad_dates.get_data(as_text=True)
    not_a_date = staff.post_form(
        url, {"relation": f"{rtype('employee_of')}:a", "other_name": "grain", "start_date": "soon"}
    )
    assert not_a_date.status_code == 422
    assert relationships_of(db, people["marie"]) == []


def test_the_employer_shortcut_creates_the_organisation_then_reuses_it(login_as, db, people):
    staff = login_as("staff", locale="en")
    response = staff.post_form(
        f"/contacts/{people['marie']}/relationships/employer", {"name": "Secours Populaire"}
    )
    assert response.status_code == 302
    assert "Secours Populaire is created and linked." in staff.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    response = staff.post_form(
        f"/contacts/{people['jean']}/relationships/employer", {"name": "Secours Populaire"}
    )
    assert "Linked to Secours Populaire." in staff.get(response.headers["Location"]).get_data(
        as_text=True
    )
    with db() as s:
        assert (
            s.execute(
                select(func.count()).where(Contact.display_name == "Secours Populaire")
            ).scalar_one()
            == 1
        )
    assert relationships_of(db, people["jean"]) == [("Employee of", "Secours Populaire", True)]


def test_the_household_shortcut_and_its_refusals(login_as, db, people):
    staff = login_as("staff", locale="en")
    response = staff.post_form(
        f"/contacts/{people['marie']}/relationships/household", {"name": "Famille Dupont"}
    )
    assert response.status_code == 302
    assert relationships_of(db, people["foyer"]) == [("Household of", "Marie Dupont", True)]
    empty = staff.post_form(f"/contacts/{people['jean']}/relationships/household", {"name": ""})
    assert empty.status_code == 422 and "A name is needed." in empty.get_data(as_text=True)
    # the shortcuts are offered on a person's page only
    assert 'id="add-employer"' in staff.get(f"/contacts/{people['marie']}/relationships").get_data(
        as_text=True
    )
    assert 'id="add-employer"' not in staff.get(
        f"/contacts/{people['grain']}/relationships"
    ).get_data(as_text=True)


def test_ending_then_deleting_a_relationship(login_as, db, people):
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
        rel_id = rel.id
    staff = login_as("staff", locale="en")
    base = f"/contacts/{people['grain']}/relationships/{rel_id}"
    assert staff.post_form(f"{base}/end").status_code == 302
    assert relationships_of(db, people["marie"]) == [("Employee of", "Le Grain de SEL", False)]
    page = staff.get(f"/contacts/{people['grain']}/relationships").get_data(as_text=True)
    assert 'id="past-relationships"' in page and "No current relationship." in page
    # a relationship is reached only through one of its contacts
    assert (
        staff.post_form(f"/contacts/{people['jean']}/relationships/{rel_id}/delete").status_code
        == 404
    )
    assert staff.post_form(f"{base}/delete").status_code == 302
    assert relationships_of(db, people["marie"]) == []


def test_a_read_only_user_sees_relationships_but_cannot_change_them(login_as, db, people, rtype):
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
        rel_id = rel.id
    reader = login_as("readonly", locale="en")
    page = reader.get(f"/contacts/{people['marie']}/relationships")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Le Grain de SEL" in text and 'id="add-relationship"' not in text
    assert (
        reader.post_form(
            f"/contacts/{people['marie']}/relationships/add",
            {"relation": f"{rtype('sibling_of')}:a", "other_name": "Jean"},
        ).status_code
        == 403
    )
    assert (
        reader.post_form(
            f"/contacts/{people['marie']}/relationships/employer", {"name": "X"}
        ).status_code
        == 403
    )
    assert (
        reader.post_form(f"/contacts/{people['marie']}/relationships/{rel_id}/delete").status_code
        == 403
    )
    assert relationships_of(db, people["marie"]) == [("Employee of", "Le Grain de SEL", True)]


def test_a_volunteer_may_add_relationships(login_as, db, people, rtype):
    volunteer = login_as("volunteer", locale="en")
    assert (
        volunteer.post_form(
            f"/contacts/{people['marie']}/relationships/add",
            {"relation": f"{rtype('spouse_of')}:a", "other_name": "Jean Dupont"},
        ).status_code
        == 302
    )
    assert relationships_of(db, people["jean"]) == [("Spouse of", "Marie Dupont", True)]


# -- admin page ----------------------------------------------------------------------------------


def test_the_admin_lists_adds_edits_and_deactivates_relationship_types(login_as, db):
    admin = login_as("administrator", locale="en")
    page = admin.get("/admin/relationship-types").get_data(as_text=True)
    assert "Employee of" in page and "Employer of" in page and 'data-type="spouse_of"' in page
    response = admin.post_form(
        "/admin/relationship-types",
        {
            "label_a_b": "Mentor of",
            "label_b_a": "Mentee of",
            "contact_type_a": "Individual",
            "contact_type_b": "",
        },
    )
    assert response.status_code == 302
    with db() as s:
        mentor = s.execute(
            select(RelationshipType).where(RelationshipType.name == "mentor_of")
        ).scalar_one()
        assert (mentor.contact_type_a, mentor.contact_type_b) == ("Individual", None)
    edit = admin.get(f"/admin/relationship-types/{mentor.id}").get_data(as_text=True)
    assert 'value="Mentor of"' in edit and 'name="is_active" value="1" checked' in edit
    response = admin.post_form(
        f"/admin/relationship-types/{mentor.id}",
        {"label_a_b": "Tutor of", "label_b_a": "Tutee of", "description": ""},
    )  # unticked
    assert response.status_code == 302
    with db() as s:
        mentor = s.get(RelationshipType, mentor.id)
        assert (mentor.label_a_b, mentor.label_b_a, mentor.is_active) == (
            "Tutor of",
            "Tutee of",
            False,
        )
    assert admin.post_form(f"/admin/relationship-types/{mentor.id}/delete").status_code == 302
    with db() as s:
        assert s.get(RelationshipType, mentor.id) is None


def test_the_admin_form_explains_what_is_wrong(login_as, db, rtype):
    admin = login_as("administrator", locale="en")
    response = admin.post_form("/admin/relationship-types", {"label_a_b": "", "label_b_a": ""})
    assert response.status_code == 422
    response = admin.post_form(
        "/admin/relationship-types",
        {"name": "spouse_of", "label_a_b": "Wife of", "label_b_a": "Husband of"},
    )
    assert response.status_code == 422
    assert "This name is already used." in response.get_data(as_text=True)
    response = admin.post_form(
        f"/admin/relationship-types/{rtype('spouse_of')}",
        {"label_a_b": " ", "label_b_a": "Spouse of", "is_active": "1"},
    )
    assert response.status_code == 422 and "A label is needed." in response.get_data(as_text=True)
    # a built-in type has no delete button, and deleting it anyway is refused
    page = admin.get("/admin/relationship-types").get_data(as_text=True)
    assert f"/admin/relationship-types/{rtype('spouse_of')}/delete" not in page
    response = admin.post_form(f"/admin/relationship-types/{rtype('spouse_of')}/delete")
    assert "deactivated, not deleted" in admin.get(response.headers["Location"]).get_data(
        as_text=True
    )
    with db() as s:
        assert s.get(RelationshipType, rtype("spouse_of")).label_a_b == "Spouse of"


def test_only_those_who_administer_settings_reach_the_types_page(login_as, db):
    staff = login_as("staff", locale="en")
    assert staff.get("/admin/relationship-types").status_code == 403
    assert (
        staff.post_form(
            "/admin/relationship-types", {"label_a_b": "Boss of", "label_b_a": "Bossed by"}
        ).status_code
        == 403
    )
    with db() as s:
        assert (
            s.execute(select(func.count()).where(RelationshipType.name == "boss_of")).scalar_one()
            == 0
        )
        assert s.execute(select(func.count()).select_from(Relationship)).scalar_one() == 0
