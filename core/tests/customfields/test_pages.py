"""The admin pages of custom fields, as an admin uses them without JavaScript: the sets with
their fields, creating and editing a set and a field (options typed as "value|label" lines),
deactivating; refused to everyone without ``administer_settings``; and the contact's form and
page showing the fields."""

from __future__ import annotations

from sqlalchemy import func, select

from amicale.customfields import services
from amicale.customfields.models import CustomField, CustomGroup


def count(db, model) -> int:
    with db() as s:
        return s.execute(select(func.count()).select_from(model)).scalar()


def test_the_admin_sees_the_sets_with_their_fields_and_the_menu_entry(login_as, fields):
    admin = login_as("administrator", locale="en")
    page = admin.get("/admin/custom-fields").get_data(as_text=True)
    assert 'data-set="volunteering"' in page and 'data-field="badge_number"' in page
    assert "T-shirt size" in page and "Volunteer" in page
    dashboard = admin.get("/dashboard").get_data(as_text=True)
    assert 'data-menu-id="admin.custom_fields"' in dashboard


def test_an_admin_creates_a_set_for_volunteers_then_a_field_with_options(login_as, db, subtype):
    admin = login_as("administrator", locale="en")
    assert admin.get("/admin/custom-fields/sets/new").status_code == 200
    response = admin.post_form(
        "/admin/custom-fields/sets/new",
        {
            "title": "Availability",
            "name": "availability",
            "extends": "contact",
            "extends_contact_type": "Individual",
            "extends_subtypes": "volunteer",
            "weight": "5",
            "is_active": "1",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "The set “Availability” is created." in page
    with db() as s:
        group = s.execute(select(CustomGroup).where(CustomGroup.name == "availability")).scalar()
        assert (group.extends_contact_type, group.extends_subtypes, group.weight) == (
            "Individual",
            ["volunteer"],
            5,
        )
        group_id = group.id
    assert admin.get(f"/admin/custom-fields/sets/{group_id}/fields/new").status_code == 200
    response = admin.post_form(
        f"/admin/custom-fields/sets/{group_id}/fields/new",
        {
            "label": "Days",
            "name": "days",
            "data_type": "multiselect",
            "options": "mon|Monday\ntue|Tuesday\n\nsat\n",
            "is_searchable": "1",
            "is_active": "1",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with db() as s:
        field = services.get_field_by_name(s, "days")
        assert field.options == [
            {"value": "mon", "label": "Monday"},
            {"value": "tue", "label": "Tuesday"},
            {"value": "sat", "label": "sat"},
        ]
        assert field.is_searchable and not field.is_required


def test_a_bad_set_or_field_is_shown_again_with_the_messages_and_nothing_is_saved(
    login_as, db, fields
):
    admin = login_as("administrator", locale="en")
    groups = count(db, CustomGroup)
    response = admin.post_form(
        "/admin/custom-fields/sets/new",
        {"title": "", "name": "Bad name", "extends": "contact"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Use lower-case letters, digits and underscores" in page
    assert 'value="Bad name"' in page
    assert count(db, CustomGroup) == groups
    fields_before = count(db, CustomField)
    response = admin.post_form(
        f"/admin/custom-fields/sets/{fields['set:profile']}/fields/new",
        {
            "label": "Mood",
            "name": "diet",
            "data_type": "select",
            "options": "",
            "default_value": "",
            "is_active": "1",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Another custom field already has this name." in page
    assert "Give at least one option." in page
    assert count(db, CustomField) == fields_before


def test_an_admin_edits_a_field_and_its_options(login_as, db, fields):
    admin = login_as("administrator", locale="en")
    page = admin.get(f"/admin/custom-fields/fields/{fields['diet']}").get_data(as_text=True)
    assert "omni|Eats everything" in page and "vegan|Vegan" in page
    response = admin.post_form(
        f"/admin/custom-fields/fields/{fields['diet']}",
        {
            "label": "Diet",
            "data_type": "select",
            "options": "omni|Omnivore\nveggie|Vegetarian\nvegan|Vegan\nhalal|Halal",
            "is_searchable": "1",
            "is_active": "1",
            "custom_group_id": str(fields["set:profile"]),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with db() as s:
        field = services.get_field(s, fields["diet"])
        assert field.option_labels() == {
            "omni": "Omnivore",
            "veggie": "Vegetarian",
            "vegan": "Vegan",
            "halal": "Halal",
        }


def test_an_option_in_use_cannot_be_removed_from_the_form(login_as, db, fields, person):
    person("Pierre", custom={"diet": "vegan"})
    admin = login_as("administrator", locale="en")
    response = admin.post_form(
        f"/admin/custom-fields/fields/{fields['diet']}",
        {"label": "Diet", "data_type": "select", "options": "omni\nveggie", "is_active": "1"},
    )
    assert response.status_code == 422
    assert "Records still use these options: vegan." in response.get_data(as_text=True)
    with db() as s:
        assert "vegan" in services.get_field(s, fields["diet"]).option_labels()


def test_an_admin_edits_a_set(login_as, db, fields):
    admin = login_as("administrator", locale="en")
    url = f"/admin/custom-fields/sets/{fields['set:volunteering']}"
    page = admin.get(url).get_data(as_text=True)
    assert 'value="Volunteering"' in page
    response = admin.post_form(
        url,
        {
            "title": "Volunteers",
            "extends_contact_type": "Individual",
            "extends_subtypes": ["volunteer", "donor"],
            "is_active": "1",
        },
    )
    assert response.status_code == 302
    with db() as s:
        group = services.get_group(s, fields["set:volunteering"])
        assert group.title == "Volunteers"
        assert group.extends_subtypes == ["volunteer", "donor"]


def test_deactivating_hides_a_field_from_the_contact_page_and_keeps_its_values(
    login_as, db, fields, person
):
    pierre = person("Pierre", custom={"nickname": "Pierrot", "diet": "vegan"})
    admin = login_as("administrator", locale="en")
    page = admin.get(f"/contacts/{pierre}").get_data(as_text=True)
    assert "Pierrot" in page and "Vegan" in page
    response = admin.post_form(
        f"/admin/custom-fields/fields/{fields['nickname']}/active", {"is_active": "0"}
    )
    assert response.status_code == 302
    assert "is deactivated" in admin.get("/admin/custom-fields").get_data(as_text=True)
    page = admin.get(f"/contacts/{pierre}").get_data(as_text=True)
    assert "Pierrot" not in page and "Vegan" in page
    admin.post_form(f"/admin/custom-fields/sets/{fields['set:profile']}/active", {"is_active": "0"})
    assert "Vegan" not in admin.get(f"/contacts/{pierre}").get_data(as_text=True)
    admin.post_form(f"/admin/custom-fields/sets/{fields['set:profile']}/active", {"is_active": "1"})
    admin.post_form(f"/admin/custom-fields/fields/{fields['nickname']}/active", {"is_active": "1"})
    assert "Pierrot" in admin.get(f"/contacts/{pierre}").get_data(as_text=True)


def test_staff_fill_custom_fields_on_the_contact_form(login_as, db, fields):
    staff = login_as("staff", locale="en")
    form = staff.get("/contacts/new?contact_type=Individual").get_data(as_text=True)
    assert 'name="custom-diet"' in form and 'name="custom-siret"' not in form
    response = staff.post_form(
        "/contacts/new?contact_type=Individual",
        {
            "contact_type": "Individual",
            "first_name": "Zoé",
            "last_name": "Martin",
            "custom-pledge": "12,50",
            "custom-first_visit": "2026-03-14",
            "custom-diet": "vegan",
            "custom-skills": ["cook", "it"],
            "custom-vegetarian": "1",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "Vegan" in page and "Cooking, Computers" in page and "Mar 14, 2026" in page
    assert "€12.50" in page
    response = staff.post_form(
        "/contacts/new?contact_type=Individual",
        {"contact_type": "Individual", "last_name": "Bad", "custom-children": "two"},
    )
    assert response.status_code == 422
    assert "Enter a whole number." in response.get_data(as_text=True)


def test_only_admins_reach_the_custom_field_pages(login_as, fields):
    urls = [
        "/admin/custom-fields",
        "/admin/custom-fields/sets/new",
        f"/admin/custom-fields/sets/{fields['set:profile']}",
        f"/admin/custom-fields/sets/{fields['set:profile']}/fields/new",
        f"/admin/custom-fields/fields/{fields['diet']}",
    ]
    for role in ("staff", "volunteer", "readonly"):
        client = login_as(role, locale="en")
        for url in urls:
            assert client.get(url).status_code == 403, (role, url)
        response = client.post_form(
            f"/admin/custom-fields/fields/{fields['diet']}/active", {"is_active": "0"}
        )
        assert response.status_code == 403
        assert "admin.custom_fields" not in client.get("/dashboard").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_the_login_page(client, fields):
    response = client.get("/admin/custom-fields")
    assert response.status_code in (302, 401)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]


def test_unknown_sets_and_fields_give_404(login_as):
    admin = login_as("administrator", locale="en")
    assert admin.get("/admin/custom-fields/sets/999").status_code == 404
    assert admin.get("/admin/custom-fields/fields/999").status_code == 404
    assert admin.get("/admin/custom-fields/sets/999/fields/new").status_code == 404
    assert admin.post_form("/admin/custom-fields/fields/999/active", {}).status_code == 404
