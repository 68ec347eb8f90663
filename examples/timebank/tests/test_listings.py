"""Members' offers and requests: the form, deactivating one, and the overview's filters."""

import re

from amicale.api_for_plugins import session
from amicale_timebank.models import TimebankListing


def listing_rows(page: str) -> set[int]:
    section = page.split('id="timebank-listings"', 1)[1].split("</section>", 1)[0]
    return {int(i) for i in re.findall(r'data-listing-id="(\d+)"', section)}


def test_staff_add_an_offer_and_find_it_on_the_overview(login_as, member, factories):
    ada = member("Ada", "Lovelace")
    sewing = factories.timebank.category(name="Sewing")
    staff = login_as("staff", locale="en")
    response = staff.post_form(
        "/timebank/listings/new",
        {"contact_id": ada.id, "category_id": sewing.id, "kind": "offer", "description": "Hems"},
    )
    assert response.status_code == 302
    page = staff.get("/timebank/").get_data(as_text=True)
    section = page.split('id="timebank-listings"', 1)[1]
    assert "Ada Lovelace" in section and "Sewing" in section and "Hems" in section


def test_the_overview_filters_offers_and_requests_by_category_and_kind(login_as, factories):
    sewing, garden = factories.timebank.category(), factories.timebank.category()
    sewing_offer = factories.timebank.listing(category_id=sewing.id, kind="offer")
    sewing_request = factories.timebank.listing(category_id=sewing.id, kind="request")
    garden_offer = factories.timebank.listing(category_id=garden.id, kind="offer")
    reader = login_as("readonly", locale="en")
    everything = listing_rows(reader.get("/timebank/").get_data(as_text=True))
    assert everything == {sewing_offer.id, sewing_request.id, garden_offer.id}
    by_category = reader.get(f"/timebank/?category={sewing.id}").get_data(as_text=True)
    assert listing_rows(by_category) == {sewing_offer.id, sewing_request.id}
    both = reader.get(f"/timebank/?category={sewing.id}&kind=request").get_data(as_text=True)
    assert listing_rows(both) == {sewing_request.id}
    offers = reader.get("/timebank/?kind=offer").get_data(as_text=True)
    assert listing_rows(offers) == {sewing_offer.id, garden_offer.id}


def test_the_form_refuses_bad_input_beside_each_field(login_as, member, factories, count_rows):
    ada = member()
    category = factories.timebank.category()
    staff = login_as("staff", locale="en")
    response = staff.post_form(
        "/timebank/listings/new", {"contact_id": "", "category_id": category.id, "kind": "gift"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="f-contact_id-error">This field is required.<', page)
    assert re.search(r'id="f-kind-error">Choose offer or request.<', page)
    response = staff.post_form(
        "/timebank/listings/new", {"contact_id": ada.id, "category_id": 424242, "kind": "offer"}
    )
    assert response.status_code == 422
    assert "No category with the number 424242." in response.get_data(as_text=True)
    assert count_rows(TimebankListing) == 0


def test_a_listing_that_no_longer_stands_leaves_the_overview(app, login_as, factories):
    listing = factories.timebank.listing(description="Bike repairs")
    staff = login_as("volunteer", locale="en")
    assert "Bike repairs" in staff.get("/timebank/").get_data(as_text=True)
    response = staff.post_form(f"/timebank/listings/{listing.id}/deactivate")
    assert response.status_code == 302
    assert "Bike repairs" not in staff.get("/timebank/").get_data(as_text=True)
    with app.app_context():
        assert session().get(TimebankListing, listing.id).is_active is False
    tab = staff.get(f"/timebank/contact/{listing.contact_id}").get_data(as_text=True)
    assert "Bike repairs" in tab and "no longer stands" in tab


def test_a_listing_is_edited_and_made_to_stand_again(app, login_as, factories):
    listing = factories.timebank.listing(kind="offer", is_active=False)
    staff = login_as("staff", locale="en")
    form = staff.get(f"/timebank/listings/{listing.id}/edit").get_data(as_text=True)
    box = re.search(r'<input type="checkbox" name="is_active"[^>]*>', form).group(0)
    assert "checked" not in box
    response = staff.post_form(
        f"/timebank/listings/{listing.id}/edit",
        {
            "contact_id": listing.contact_id,
            "category_id": listing.category_id,
            "kind": "request",
            "description": "Now a request",
            "is_active": "1",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        saved = session().get(TimebankListing, listing.id)
        assert (saved.kind, saved.description, saved.is_active) == (
            "request",
            "Now a request",
            True,
        )


def test_a_listing_may_keep_a_category_since_deactivated(app, login_as, factories):
    category = factories.timebank.category(name="Old skill")
    listing = factories.timebank.listing(category_id=category.id)
    admin = login_as("administrator", locale="en")
    admin.post_form(
        f"/timebank/categories/{category.id}/edit", {"name": "Old skill", "weight": "0"}
    )
    form = admin.get(f"/timebank/listings/{listing.id}/edit").get_data(as_text=True)
    assert "Old skill" in form  # still offered for this one
    response = admin.post_form(
        f"/timebank/listings/{listing.id}/edit",
        {
            "contact_id": listing.contact_id,
            "category_id": category.id,
            "kind": "offer",
            "description": "Still",
            "is_active": "1",
        },
    )
    assert response.status_code == 302
    assert "Old skill" not in admin.get("/timebank/listings/new").get_data(as_text=True)
