"""The contact's Timebank tab, the menu, the dashboard, and who may do what."""

import re

import pytest


def test_the_contact_page_has_a_timebank_tab_with_everything_of_the_member(
    login_as, member, factories
):
    ada, bob = member("Ada", "Lovelace"), member("Bob", "Marley")
    factories.timebank.listing(contact_id=ada.id, kind="offer", description="Sews hems")
    factories.timebank.listing(contact_id=ada.id, kind="request", description="Needs a ladder")
    factories.timebank.exchange(provider_id=ada.id, receiver_id=bob.id, hours="2")
    factories.timebank.exchange(provider_id=bob.id, receiver_id=ada.id, hours="0.5")
    staff = login_as("staff", locale="en")
    contact_page = staff.get(f"/contacts/{ada.id}").get_data(as_text=True)
    assert f'href="/timebank/contact/{ada.id}" data-tab="timebank"' in contact_page
    assert "Timebank balance" in contact_page and "1.5 h" in contact_page  # summary block
    tab = staff.get(f"/timebank/contact/{ada.id}").get_data(as_text=True)
    offers = tab.split('id="timebank-offers"', 1)[1].split("</ul>", 1)[0]
    requests = tab.split('id="timebank-requests"', 1)[1].split("</ul>", 1)[0]
    assert "Sews hems" in offers and "Needs a ladder" in requests
    assert 'data-balance="1.50"' in tab.split('id="timebank-balance"', 1)[1]
    exchanges = tab.split('id="timebank-contact-exchanges"', 1)[1]
    assert "gave to" in exchanges and "received from" in exchanges
    assert "Bob Marley" in exchanges
    assert f"/timebank/listings/new?contact_id={ada.id}&amp;kind=offer" in tab
    assert f"/timebank/exchanges/new?provider_id={ada.id}" in tab
    assert f"/timebank/exchanges/new?receiver_id={ada.id}" in tab


def test_the_tab_of_a_member_without_anything_says_so(login_as, member):
    ada = member()
    tab = login_as("staff", locale="en").get(f"/timebank/contact/{ada.id}").get_data(as_text=True)
    assert "No exchange yet." in tab
    assert 'data-balance="0.00"' in tab


def test_a_reader_sees_the_tab_without_the_links_to_add(login_as, member, factories):
    ada = member()
    factories.timebank.listing(contact_id=ada.id)
    tab = (
        login_as("readonly", locale="en").get(f"/timebank/contact/{ada.id}").get_data(as_text=True)
    )
    assert "/timebank/exchanges/new" not in tab and "/timebank/listings/new" not in tab


def test_the_tab_of_no_contact_is_not_found(login_as):
    assert login_as("staff", locale="en").get("/timebank/contact/999999").status_code == 404


def test_the_menu_leads_to_the_overview_and_the_dashboard_sums_it_up(login_as, factories):
    factories.timebank.listing(kind="offer")
    factories.timebank.listing(kind="request")
    dashboard = login_as("staff", locale="en").get("/dashboard").get_data(as_text=True)
    entry = re.search(r'<a href="([^"]*)" data-menu-id="timebank"[^>]*>([^<]*)</a>', dashboard)
    assert entry and entry.groups() == ("/timebank/", "Timebank")
    widget = dashboard.split('id="timebank-widget"', 1)[1].split("</dl>", 1)[0]
    assert "<dt>Offers</dt><dd>1</dd>" in widget and "<dt>Requests</dt><dd>1</dd>" in widget


def test_users_without_the_permission_see_neither_the_pages_nor_the_menu(login_as):
    nobody = login_as(None, locale="en")
    assert nobody.get("/timebank/").status_code == 403
    assert 'data-menu-id="timebank"' not in nobody.get("/dashboard").get_data(as_text=True)


@pytest.mark.parametrize("role", ["staff", "volunteer", "readonly"])
def test_the_default_roles_see_the_timebank(login_as, role):
    assert login_as(role, locale="en").get("/timebank/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/timebank/exchanges/new",
        "/timebank/exchanges/1/edit",
        "/timebank/exchanges/1/delete",
        "/timebank/listings/new",
        "/timebank/listings/1/edit",
        "/timebank/listings/1/deactivate",
        "/timebank/categories",
        "/timebank/categories/1/delete",
    ],
)
def test_read_only_users_cannot_change_anything(login_as, factories, count_rows, url):
    factories.timebank.exchange()
    factories.timebank.listing()
    reader = login_as("readonly", locale="en")
    assert reader.post_form(url, {"name": "X", "hours": "1"}).status_code == 403
    if not url.endswith(("delete", "deactivate")):
        assert reader.get(url).status_code == 403


def test_read_only_users_see_no_edit_buttons(login_as, factories):
    factories.timebank.exchange()
    factories.timebank.listing()
    reader = login_as("readonly", locale="en")
    for url in ("/timebank/", "/timebank/exchanges"):
        page = reader.get(url).get_data(as_text=True)
        assert "/edit" not in page and "/delete" not in page and "/exchanges/new" not in page


@pytest.mark.parametrize(
    "url", ["/timebank/", "/timebank/exchanges", "/timebank/categories", "/timebank/contact/1"]
)
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_disabled_timebank_answers_not_found_and_keeps_its_data(login_as, factories):
    factories.timebank.listing(description="Kept while disabled")
    admin = login_as("administrator", locale="en")
    response = admin.post_form("/admin/components/timebank", {"enabled": "0"})
    assert response.status_code == 302
    assert admin.get("/timebank/").status_code == 404
    assert 'data-menu-id="timebank"' not in admin.get("/dashboard").get_data(as_text=True)
    admin.post_form("/admin/components/timebank", {"enabled": "1"})
    assert "Kept while disabled" in admin.get("/timebank/").get_data(as_text=True)
