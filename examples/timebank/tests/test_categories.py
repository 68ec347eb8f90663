"""The admin's list of skill categories."""

from sqlalchemy import select

from amicale.api_for_plugins import session
from amicale_timebank.models import TimebankCategory


def test_an_administrator_creates_and_renames_categories(app, login_as):
    admin = login_as("administrator", locale="en")
    response = admin.post_form(
        "/timebank/categories",
        {"name": "Computer repair", "description": "PCs", "weight": "5", "is_active": "1"},
    )
    assert response.status_code == 302
    page = admin.get("/timebank/categories").get_data(as_text=True)
    assert "Computer repair" in page
    with app.app_context():
        category = session().scalars(select(TimebankCategory)).one()
    response = admin.post_form(
        f"/timebank/categories/{category.id}/edit",
        {"name": "Computers", "weight": "5", "is_active": "1"},
    )
    assert response.status_code == 302
    assert "Computers" in admin.get("/timebank/categories").get_data(as_text=True)


def test_a_name_is_required_and_unique_whatever_the_case(login_as, factories, count_rows):
    factories.timebank.category(name="Gardening")
    admin = login_as("administrator", locale="en")
    response = admin.post_form("/timebank/categories", {"name": "  ", "is_active": "1"})
    assert response.status_code == 422
    assert 'id="f-name-error">This field is required.<' in response.get_data(as_text=True)
    response = admin.post_form("/timebank/categories", {"name": "gardening", "is_active": "1"})
    assert response.status_code == 422
    assert "A category named gardening already exists." in response.get_data(as_text=True)
    response = admin.post_form("/timebank/categories", {"name": "Baking", "weight": "first"})
    assert response.status_code == 422
    assert 'id="f-weight-error">Give a whole number.<' in response.get_data(as_text=True)
    assert count_rows(TimebankCategory) == 1


def test_a_category_in_use_cannot_be_deleted_but_can_be_deactivated(app, login_as, factories):
    used = factories.timebank.category(name="Sewing")
    factories.timebank.listing(category_id=used.id)
    unused = factories.timebank.category(name="Juggling")
    admin = login_as("administrator", locale="en")
    response = admin.post_form(f"/timebank/categories/{used.id}/delete", follow_redirects=True)
    assert "The category Sewing is used by offers, requests or exchanges" in response.get_data(
        as_text=True
    )
    response = admin.post_form(
        f"/timebank/categories/{used.id}/edit", {"name": "Sewing", "weight": "0"}
    )
    assert response.status_code == 302
    assert admin.post_form(f"/timebank/categories/{unused.id}/delete").status_code == 302
    with app.app_context():
        s = session()
        assert s.get(TimebankCategory, used.id).is_active is False
        assert s.get(TimebankCategory, unused.id) is None
    page = admin.get("/timebank/categories").get_data(as_text=True)
    assert "no longer offered" in page


def test_a_category_used_by_an_exchange_only_cannot_be_deleted(login_as, factories, count_rows):
    exchange = factories.timebank.exchange()
    admin = login_as("administrator", locale="en")
    admin.post_form(f"/timebank/categories/{exchange.category_id}/delete")
    assert count_rows(TimebankCategory) == 1


def test_only_those_who_administer_the_timebank_see_the_categories(login_as):
    assert login_as("staff", locale="en").get("/timebank/categories").status_code == 403
    staff = login_as("staff", locale="en")
    assert staff.post_form("/timebank/categories", {"name": "X"}).status_code == 403
    admin_menu = login_as("administrator", locale="en").get("/dashboard").get_data(as_text=True)
    assert 'href="/timebank/categories"' in admin_menu
    staff_menu = login_as("staff", locale="en").get("/dashboard").get_data(as_text=True)
    assert 'href="/timebank/categories"' not in staff_menu
