"""The pages of Timebank, as staff and volunteers use them."""

from amicale_timebank.models import TimebankItem


def count_items(app) -> int:
    from sqlalchemy import func, select

    from amicale.api_for_plugins import session

    with app.app_context():
        return session().scalar(select(func.count()).select_from(TimebankItem))


def test_staff_add_an_item_with_the_form_and_find_it_in_the_list(login_as, factories):
    contact = factories.contact(first_name="Ada", last_name="Lovelace")
    staff = login_as("staff", locale="en")
    response = staff.post_form("/timebank/new", {"contact_id": contact.id, "title": "First item"})
    assert response.status_code == 302
    page = staff.get("/timebank/").get_data(as_text=True)
    assert "First item" in page
    assert "Ada Lovelace" in page


def test_the_form_shows_what_is_wrong_and_saves_nothing(app, login_as, factories):
    contact = factories.contact()
    staff = login_as("staff", locale="en")
    response = staff.post_form("/timebank/new", {"contact_id": contact.id, "title": "  "})
    assert response.status_code == 422
    assert 'id="f-title-error"' in response.get_data(as_text=True)
    response = staff.post_form("/timebank/new", {"contact_id": 999999, "title": "Lost"})
    assert response.status_code == 422
    assert "No contact with the number 999999" in response.get_data(as_text=True)
    assert count_items(app) == 0


def test_an_item_is_edited_and_deleted(app, login_as, factories):
    item = factories.timebank.item(title="Draft")
    staff = login_as("staff", locale="en")
    assert "Draft" in staff.get(f"/timebank/{item.id}/edit").get_data(as_text=True)
    response = staff.post_form(
        f"/timebank/{item.id}/edit", {"contact_id": item.contact_id, "title": "Final"}
    )
    assert response.status_code == 302
    assert "Final" in staff.get("/timebank/").get_data(as_text=True)
    assert staff.post_form(f"/timebank/{item.id}/delete").status_code == 302
    assert count_items(app) == 0


def test_the_contact_page_has_a_tab_with_the_contacts_items(login_as, factories):
    item = factories.timebank.item(title="On the tab")
    staff = login_as("staff", locale="en")
    contact_page = staff.get(f"/contacts/{item.contact_id}").get_data(as_text=True)
    assert f'href="/timebank/contact/{item.contact_id}"' in contact_page
    tab = staff.get(f"/timebank/contact/{item.contact_id}").get_data(as_text=True)
    assert "On the tab" in tab


def test_the_menu_leads_to_the_list(login_as):
    staff = login_as("staff", locale="en")
    assert 'href="/timebank/"' in staff.get("/dashboard").get_data(as_text=True)


def test_read_only_users_see_the_items_but_cannot_change_them(login_as, factories):
    item = factories.timebank.item()
    reader = login_as("readonly", locale="en")
    assert reader.get("/timebank/").status_code == 200
    assert reader.get("/timebank/new").status_code == 403
    assert reader.post_form(f"/timebank/{item.id}/delete").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/timebank/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
