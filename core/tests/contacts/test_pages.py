"""Staff use the contact pages: search, create with the form, see the page and its tabs, edit,
trash and restore; bad input is shown on the field and changes nothing."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from amicale.contacts.models import Contact
from amicale.db import session


def count(app) -> int:
    with app.app_context():
        return session().execute(select(func.count()).select_from(Contact)).scalar()


def create_via_form(client, **fields):
    data = {
        "first_name": "Hélène",
        "last_name": "Lao",
        "emails-0-email": "helene@example.org",
        "emails-0-location_type": "Home",
        "emails-primary": "0",
        "phones-0-phone": "06 12 34 56 78",
        "phones-0-phone_type": "Mobile",
        "phones-0-location_type": "Home",
        "addresses-0-street_address": "3 rue Burdeau",
        "addresses-0-postal_code": "69001",
        "addresses-0-city": "Lyon",
        "addresses-0-country": "FR",
        "addresses-0-location_type": "Home",
        "do_not_phone": "1",
        **fields,
    }
    return client.post_form("/contacts/new?contact_type=Individual", data)


def test_a_volunteer_records_a_person_and_finds_her_again(app, login_as):
    web = login_as("volunteer", locale="en")
    response = create_via_form(web)
    assert response.status_code == 302
    page = web.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hélène Lao" in page and "helene@example.org" in page and "+33 6 12 34 56 78" in page
    assert "no phone calls" in page
    for tab in ("summary", "changelog"):
        assert f'data-tab="{tab}"' in page
    found = web.get("/contacts/?q=helene").get_data(as_text=True)
    assert "Lao, Hélène" in found and 'id="result-count">1 contact<' in found


def test_bad_input_is_shown_on_its_field_and_nothing_is_saved(app, login_as):
    web = login_as("staff", locale="en")
    before = count(app)
    response = create_via_form(
        web, **{"emails-0-email": "not-an-email", "addresses-0-country": "ZZ"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="err-emails-0-email"' in html and 'id="err-addresses-0-country"' in html
    assert 'value="Hélène"' in html  # what was typed is kept
    assert count(app) == before


def test_editing_replaces_details_and_the_change_log_tells(app, login_as):
    web = login_as("staff", locale="en")
    location = create_via_form(web).headers["Location"]
    contact_id = int(location.rstrip("/").split("/")[-1])
    form = web.get(f"/contacts/{contact_id}/edit").get_data(as_text=True)
    assert 'value="helene@example.org"' in form
    response = web.post_form(
        f"/contacts/{contact_id}/edit",
        {
            "first_name": "Hélène",
            "last_name": "Lao-Martin",
            "emails-0-email": "hl@example.org",
            "emails-0-location_type": "Work",
            "emails-primary": "0",
        },
    )
    assert response.status_code == 302
    page = web.get(f"/contacts/{contact_id}").get_data(as_text=True)
    assert "Hélène Lao-Martin" in page and "hl@example.org" in page
    assert "+33 6 12 34 56 78" not in page  # the form's lists replace the old ones
    log = web.get(f"/contacts/{contact_id}/changelog").get_data(as_text=True)
    assert "Lao-Martin" in log and "helene@example.org" in log


def test_trash_and_restore_from_the_pages(app, login_as):
    staff = login_as("staff", locale="en")
    contact_id = int(create_via_form(staff).headers["Location"].split("/")[-1])
    assert staff.post_form(f"/contacts/{contact_id}/delete").status_code == 302
    assert "This contact is in the trash" in staff.get(f"/contacts/{contact_id}").get_data(
        as_text=True
    )
    assert "Lao, Hélène" not in staff.get("/contacts/?q=helene").get_data(as_text=True)
    assert "Hélène Lao" in staff.get("/contacts/trash").get_data(as_text=True)
    # staff cannot delete for good; an administrator can
    assert staff.post_form(f"/contacts/{contact_id}/purge").status_code == 403
    staff.post_form(f"/contacts/{contact_id}/restore")
    assert "Lao, Hélène" in staff.get("/contacts/?q=helene").get_data(as_text=True)
    admin = login_as("administrator", locale="en")
    admin.post_form(f"/contacts/{contact_id}/delete")
    assert admin.post_form(f"/contacts/{contact_id}/purge").status_code == 302
    assert admin.get(f"/contacts/{contact_id}").status_code == 404


def test_bulk_trash_from_the_results(app, login_as):
    staff = login_as("staff", locale="en")
    ids = [
        int(
            create_via_form(staff, last_name=f"Bulk{i}", **{"emails-0-email": f"b{i}@example.org"})
            .headers["Location"]
            .split("/")[-1]
        )
        for i in range(3)
    ]
    response = staff.post_form("/contacts/bulk", {"action": "trash", "contact_ids": ids[:2]})
    assert response.status_code == 302
    listing = staff.get("/contacts/?q=bulk").get_data(as_text=True)
    assert re.search(r'id="result-count">1 contact<', listing)


def test_a_readonly_user_reads_but_cannot_write(app, login_as):
    staff = login_as("staff")
    contact_id = int(create_via_form(staff).headers["Location"].split("/")[-1])
    reader = login_as("readonly")
    assert reader.get(f"/contacts/{contact_id}").status_code == 200
    assert reader.get("/contacts/new").status_code == 403
    assert reader.post_form(f"/contacts/{contact_id}/delete").status_code == 403


def test_an_admin_defines_subtypes_offered_on_the_form(app, login_as):
    admin = login_as("administrator", locale="en")
    response = admin.post_form(
        "/admin/contact-subtypes",
        {"name": "volunteer", "label": "Bénévole", "contact_type": "Individual"},
    )
    assert response.status_code == 302
    form = admin.get("/contacts/new?contact_type=Individual").get_data(as_text=True)
    assert 'value="volunteer"' in form and "Bénévole" in form
    assert 'value="volunteer"' not in admin.get("/contacts/new?contact_type=Household").get_data(
        as_text=True
    )
    bad = admin.post_form(
        "/admin/contact-subtypes", {"name": "x y", "label": "", "contact_type": "Individual"}
    )
    assert "letters, digits and underscores" in bad.get_data(as_text=True)


def test_search_results_go_to_a_group_get_a_tag_and_the_search_becomes_a_smart_group(app, login_as):
    from amicale.groups.services import create_group, member_count
    from amicale.tags.services import create_tag

    staff = login_as("staff", locale="en")
    ids = [
        int(
            create_via_form(
                staff, last_name=f"Benevole{i}", **{"emails-0-email": f"v{i}@example.org"}
            )
            .headers["Location"]
            .split("/")[-1]
        )
        for i in range(3)
    ]
    with app.app_context():
        s = session()
        group = create_group(s, {"title": "Bénévoles du samedi"})
        tag = create_tag(s, {"name": "Jardinage"})
        s.commit()
        group_id, tag_id = group.id, tag.id
    listing = staff.get("/contacts/?q=benevole").get_data(as_text=True)
    assert "Bénévoles du samedi" in listing and "Jardinage" in listing
    assert (
        staff.post_form(
            "/contacts/bulk", {"action": "add_to_group", "target": group_id, "contact_ids": ids[:2]}
        ).status_code
        == 302
    )
    staff.post_form("/contacts/bulk", {"action": "tag", "target": tag_id, "contact_ids": ids})
    with app.app_context():
        s = session()
        from amicale.groups.services import get_group

        assert member_count(s, get_group(s, group_id)) == 2
    tagged = staff.get(f"/contacts/?tag={tag_id}").get_data(as_text=True)
    assert 'id="result-count">3 contacts<' in tagged
    refused = staff.post_form(
        "/contacts/bulk",
        {"action": "add_to_group", "target": "", "contact_ids": ids},
        follow_redirects=True,
    )
    assert "Choose a group or a tag" in refused.get_data(as_text=True)

    saved = staff.post_form(
        "/contacts/save-search", {"title": "Tous les Benevole", "query": "q=benevole"}
    )
    assert saved.status_code == 302 and "/groups/" in saved.headers["Location"]
    group_page = staff.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Benevole0" in group_page and "Benevole2" in group_page
