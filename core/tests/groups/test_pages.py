"""The group pages and the Groups tab of a contact, as staff, volunteers and read-only users use
them (without JavaScript)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from amicale.groups import services
from amicale.groups.models import Group, GroupContactHistory


def make_group(db, title="Newsletter", members=(), **data) -> int:
    with db() as s:
        group = services.create_group(s, {"title": title, **data})
        if members:
            services.add_contacts(s, group.id, list(members))
        s.commit()
        return group.id


def member_ids(db, group_id) -> set[int]:
    with db() as s:
        return set(s.execute(services.group_contact_ids_query(s, s.get(Group, group_id))).scalars())


def test_the_groups_page_lists_groups_with_their_member_counts(login_as, db, people):
    make_group(db, "Newsletter", [people["lao"], people["marie"]], is_mailing_list=True)
    services_smart = None
    with db() as s:
        services_smart = services.save_search_as_group(s, "Lyonnais", {"city": "Lyon"}, None).id
        s.commit()
    page = login_as("readonly", locale="en").get("/groups").get_data(as_text=True)
    rows = dict(re.findall(r'data-group-id="(\d+)".*?class="member-count">(\d+)<', page, re.S))
    assert "Newsletter" in page and "mailing list" in page and "Lyonnais" in page
    assert rows[str(services_smart)] == "2"
    assert sorted(rows.values()) == ["2", "2"]
    assert 'data-menu-id="groups"' in page
    assert "New group" not in page  # read-only: nothing to create


def test_staff_creates_a_group_and_lands_on_its_page(login_as, db):
    staff = login_as("staff", locale="en")
    response = staff.post_form(
        "/groups/new",
        {
            "title": "Bénévoles du samedi",
            "description": "Market stall",
            "is_active": "1",
            "is_mailing_list": "1",
            "visibility": "Public Pages",
            "group_type": "static",
        },
    )
    assert response.status_code == 302
    with db() as s:
        group = s.execute(select(Group)).scalar_one()
        assert (group.name, group.is_mailing_list, group.visibility, group.created_by) == (
            "benevoles_du_samedi",
            True,
            "Public Pages",
            staff.user.id,
        )
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "The group Bénévoles du samedi is created." in page and "Market stall" in page


def test_a_group_without_title_is_refused_on_the_form(login_as, db):
    response = login_as("staff", locale="en").post_form(
        "/groups/new", {"title": " ", "is_active": "1"}
    )
    assert response.status_code == 422
    assert "A title is needed." in response.get_data(as_text=True)
    with db() as s:
        assert s.execute(select(func.count()).select_from(Group)).scalar_one() == 0


def test_a_smart_group_with_criteria_that_are_not_json_is_refused(login_as, db):
    response = login_as("staff", locale="en").post_form(
        "/groups/new", {"title": "Smart", "group_type": "smart", "criteria": "city=Lyon"}
    )
    assert response.status_code == 422
    assert "Write the criteria as JSON" in response.get_data(as_text=True)
    response = login_as("staff", locale="en").post_form(
        "/groups/new", {"title": "Smart", "group_type": "smart", "criteria": '{"city": "Lyon"}'}
    )
    assert response.status_code == 302


def test_staff_edits_a_group(login_as, db):
    group_id = make_group(db)
    staff = login_as("staff", locale="en")
    form = staff.get(f"/groups/{group_id}/edit").get_data(as_text=True)
    assert 'value="Newsletter"' in form
    response = staff.post_form(
        f"/groups/{group_id}/edit",
        {"title": "Lettre d'information", "name": "lettre", "is_active": "1"},
    )
    assert response.status_code == 302
    with db() as s:
        group = s.get(Group, group_id)
        assert (group.title, group.name, group.is_mailing_list) == (
            "Lettre d'information",
            "lettre",
            False,
        )
    bad = staff.post_form(f"/groups/{group_id}/edit", {"title": "", "is_active": "1"})
    assert bad.status_code == 422 and "A title is needed." in bad.get_data(as_text=True)


def test_a_group_s_page_shows_its_members_by_page(login_as, db, many):
    group_id = make_group(db, "Big", many[:30])
    reader = login_as("readonly", locale="en")
    first = reader.get(f"/groups/{group_id}").get_data(as_text=True)
    assert "30 members" in first and "Page 1 of 2" in first
    assert first.count("data-contact-id=") == 25
    second = reader.get(f"/groups/{group_id}?page=2").get_data(as_text=True)
    assert second.count("data-contact-id=") == 5
    assert "Remove the selected" not in first


def test_staff_adds_a_contact_found_by_name(login_as, db, people):
    group_id = make_group(db)
    staff = login_as("staff", locale="en")
    response = staff.post_form(f"/groups/{group_id}/add", {"name": "helene"})
    assert response.status_code == 302
    assert member_ids(db, group_id) == {people["helene"]}
    page = staff.get(f"/groups/{group_id}").get_data(as_text=True)
    assert "Hélène Martin is added to Newsletter." in page
    # the latest changes say who did it
    assert staff.user.email in page


def test_when_several_contacts_match_staff_chooses_one(login_as, db, people):
    group_id = make_group(db)
    staff = login_as("staff", locale="en")
    response = staff.post_form(f"/groups/{group_id}/add", {"name": "dupont"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="candidates"' in page
    assert "Marie Dupont" in page and "Jean Dupont" in page
    assert member_ids(db, group_id) == set()
    response = staff.post_form(f"/groups/{group_id}/add", {"contact_id": str(people["jean"])})
    assert response.status_code == 302
    assert member_ids(db, group_id) == {people["jean"]}


def test_adding_nobody_or_an_unknown_name_says_what_is_wrong(login_as, db, people):
    group_id = make_group(db)
    staff = login_as("staff", locale="en")
    empty = staff.post_form(f"/groups/{group_id}/add", {"name": ""})
    assert empty.status_code == 422
    assert "Type the name of the contact to add." in empty.get_data(as_text=True)
    unknown = staff.post_form(f"/groups/{group_id}/add", {"name": "zzzz"})
    assert unknown.status_code == 422 and "No contact matches" in unknown.get_data(as_text=True)
    assert member_ids(db, group_id) == set()


def test_staff_removes_ticked_members(login_as, db, people):
    group_id = make_group(db, "Newsletter", [people["lao"], people["marie"], people["jean"]])
    staff = login_as("staff", locale="en")
    response = staff.post(
        f"/groups/{group_id}/remove",
        data={
            "csrf_token": staff.csrf_token(),
            "contact_ids": [str(people["lao"]), str(people["jean"])],
        },
    )
    assert response.status_code == 302
    assert member_ids(db, group_id) == {people["marie"]}
    page = staff.get(f"/groups/{group_id}").get_data(as_text=True)
    assert "2 contacts removed from the group." in page


def test_staff_deletes_a_group(login_as, db, people):
    group_id = make_group(db, "Old", [people["lao"]])
    response = login_as("staff", locale="en").post_form(f"/groups/{group_id}/delete")
    assert response.status_code == 302
    with db() as s:
        assert s.get(Group, group_id) is None


def test_the_contact_s_groups_tab_shows_groups_status_and_history(login_as, db, people):
    news = make_group(db, "Newsletter", [people["lao"]])
    old = make_group(db, "Old list", [people["lao"]])
    make_group(db, "Volunteers")
    with db() as s:
        services.remove_contacts(s, old, [people["lao"]], method="Email", tracking="203.0.113.9")
        s.commit()
    reader = login_as("readonly", locale="en")
    page = reader.get(f"/contacts/{people['lao']}/groups").get_data(as_text=True)
    assert 'data-tab="groups" aria-current="page"' in page
    assert f'data-group-id="{news}" data-status="Added"' in page
    assert f'data-group-id="{old}" data-status="Removed"' in page
    assert "203.0.113.9" in page and "Email" in page
    assert "Add to a group" not in page  # read-only
    summary = reader.get(f"/contacts/{people['lao']}").get_data(as_text=True)
    assert re.search(r'data-tab="groups"[^>]*>Groups <span class="count">1</span>', summary)


def test_staff_adds_a_contact_to_a_group_and_removes_them_from_the_tab(login_as, db, people):
    news = make_group(db, "Newsletter")
    staff = login_as("staff", locale="en")
    page = staff.get(f"/contacts/{people['lao']}/groups").get_data(as_text=True)
    assert f'<option value="{news}">Newsletter</option>' in page
    response = staff.post_form(f"/contacts/{people['lao']}/groups/add", {"group_id": str(news)})
    assert response.status_code == 302
    assert member_ids(db, news) == {people["lao"]}
    assert "Added to Newsletter." in staff.get(response.headers["Location"]).get_data(as_text=True)
    response = staff.post_form(f"/contacts/{people['lao']}/groups/{news}/remove")
    assert response.status_code == 302
    assert member_ids(db, news) == set()
    with db() as s:
        rows = s.execute(
            select(GroupContactHistory.status, GroupContactHistory.user_id).order_by(
                GroupContactHistory.id
            )
        ).all()
        assert rows == [("Added", staff.user.id), ("Removed", staff.user.id)]


def test_adding_to_no_group_is_refused(login_as, people):
    response = login_as("staff", locale="en").post_form(
        f"/contacts/{people['lao']}/groups/add", {"group_id": "999"}
    )
    assert response.status_code == 422
    assert "Choose a group." in response.get_data(as_text=True)


def test_unknown_groups_and_contacts_give_404(login_as, people):
    staff = login_as("staff", locale="en")
    assert staff.get("/groups/999").status_code == 404
    assert staff.get("/groups/999/edit").status_code == 404
    assert staff.get("/contacts/999/groups").status_code == 404
    assert staff.post_form("/contacts/999/groups/add", {"group_id": "1"}).status_code == 404


def test_a_read_only_user_cannot_change_groups(login_as, db, people):
    group_id = make_group(db, "Newsletter", [people["lao"]])
    reader = login_as("readonly", locale="en")
    assert reader.get("/groups/new").status_code == 403
    assert reader.post_form("/groups/new", {"title": "X"}).status_code == 403
    assert reader.post_form(f"/groups/{group_id}/add", {"name": "marie"}).status_code == 403
    assert (
        reader.post_form(
            f"/groups/{group_id}/remove", {"contact_ids": str(people["lao"])}
        ).status_code
        == 403
    )
    assert reader.post_form(f"/groups/{group_id}/delete").status_code == 403
    assert (
        reader.post_form(
            f"/contacts/{people['marie']}/groups/add", {"group_id": str(group_id)}
        ).status_code
        == 403
    )
    assert member_ids(db, group_id) == {people["lao"]}
