"""Recording exchanges of hours with the forms, and the balances they make."""

import re

import pytest

from amicale_timebank.models import TimebankExchange


def exchange_form(provider, receiver, category, **values):
    return {
        "provider_id": provider.id,
        "receiver_id": receiver.id,
        "category_id": category.id,
        "hours": "1.5",
        "exchange_date": "2024-05-02",
        "description": "Pruned the apple trees",
        **values,
    }


def balance_cell(page: str, contact_id: int) -> str:
    """The balance shown on the overview's row of a member."""
    row = re.search(rf'<tr data-contact-id="{contact_id}">(.*?)</tr>', page, re.S)
    assert row, f"no balance row for contact {contact_id}"
    return re.search(r'data-balance="([^"]+)"', row.group(1)).group(1)


def test_staff_record_an_exchange_and_see_it_with_the_balances(login_as, member, factories):
    ada, bob = member("Ada", "Lovelace"), member("Bob", "Marley")
    gardening = factories.timebank.category(name="Gardening")
    staff = login_as("staff", locale="en")
    form = staff.get("/timebank/exchanges/new").get_data(as_text=True)
    assert "Gardening" in form
    response = staff.post_form("/timebank/exchanges/new", exchange_form(ada, bob, gardening))
    assert response.status_code == 302
    listed = staff.get("/timebank/exchanges").get_data(as_text=True)
    assert "Pruned the apple trees" in listed
    assert "1.5&nbsp;h" in listed
    assert "May 2, 2024" in listed  # the date filter, in English
    overview = staff.get("/timebank/").get_data(as_text=True)
    assert "Ada Lovelace" in overview and "Bob Marley" in overview
    assert balance_cell(overview, ada.id) == "1.50"
    assert balance_cell(overview, bob.id) == "-1.50"


def test_balances_add_up_given_and_received_hours(login_as, member, factories):
    ada, bob, cy = member("Ada", "A"), member("Bob", "B"), member("Cy", "C")
    factories.timebank.exchange(provider_id=ada.id, receiver_id=bob.id, hours="2")
    factories.timebank.exchange(provider_id=bob.id, receiver_id=ada.id, hours="0.5")
    factories.timebank.exchange(provider_id=cy.id, receiver_id=ada.id, hours="0.25")
    overview = login_as("readonly", locale="en").get("/timebank/").get_data(as_text=True)
    assert balance_cell(overview, ada.id) == "1.25"
    assert balance_cell(overview, bob.id) == "-1.50"
    assert balance_cell(overview, cy.id) == "0.25"


def test_a_french_member_may_write_hours_with_a_comma(app, login_as, member, factories):
    ada, bob = member(), member()
    category = factories.timebank.category()
    staff = login_as("staff", locale="fr")
    response = staff.post_form(
        "/timebank/exchanges/new", exchange_form(ada, bob, category, hours="2,75")
    )
    assert response.status_code == 302
    page = staff.get("/timebank/exchanges").get_data(as_text=True)
    assert "2,75&nbsp;h" in page  # the number filter, in French


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"hours": "0"}, "hours", "Give more than 0 and at most 100 hours."),
        ({"hours": "100.5"}, "hours", "Give more than 0 and at most 100 hours."),
        ({"hours": "-1"}, "hours", "Give more than 0 and at most 100 hours."),
        ({"hours": "1.255"}, "hours", "Give hours to the hundredth at most"),
        ({"hours": "an hour"}, "hours", "Give a number of hours, such as 1.5."),
        ({"hours": ""}, "hours", "This field is required."),
        ({"exchange_date": "02/05/2024"}, "exchange_date", "Give a date as YYYY-MM-DD."),
        ({"provider_id": ""}, "provider_id", "This field is required."),
        ({"provider_id": "999999"}, "provider_id", "No contact with the number 999999."),
        ({"receiver_id": "abc"}, "receiver_id", "Give the member&#39;s contact number."),
        ({"category_id": "999999"}, "category_id", "No category with the number 999999."),
        ({"description": "x" * 2001}, "description", "At most 2000 characters."),
    ],
)
def test_the_form_shows_what_is_wrong_beside_the_field_and_saves_nothing(
    login_as, member, factories, count_rows, change, field, message
):
    ada, bob = member(), member()
    category = factories.timebank.category()
    staff = login_as("staff", locale="en")
    response = staff.post_form(
        "/timebank/exchanges/new", exchange_form(ada, bob, category, **change)
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="f-{field}-error">([^<]*)</p>', page)
    assert error, f"no error beside {field}"
    assert message in error.group(1)
    assert 'aria-invalid="true"' in page
    assert count_rows(TimebankExchange) == 0


def test_an_exchange_in_the_future_is_refused(
    login_as, member, factories, count_rows, in_three_days
):
    ada, bob = member(), member()
    category = factories.timebank.category()
    staff = login_as("staff", locale="en")
    response = staff.post_form(
        "/timebank/exchanges/new",
        exchange_form(ada, bob, category, exchange_date=in_three_days),
    )
    assert response.status_code == 422
    assert "An exchange cannot be recorded before it happens." in response.get_data(as_text=True)
    assert count_rows(TimebankExchange) == 0


def test_a_member_cannot_exchange_with_themselves(login_as, member, factories, count_rows):
    ada = member()
    category = factories.timebank.category()
    staff = login_as("staff", locale="en")
    response = staff.post_form("/timebank/exchanges/new", exchange_form(ada, ada, category))
    assert response.status_code == 422
    assert "A member cannot exchange with themselves." in response.get_data(as_text=True)
    assert count_rows(TimebankExchange) == 0


def test_a_member_in_the_trash_cannot_take_part(login_as, member, factories, count_rows):
    ada, bob = member(), member()
    category = factories.timebank.category()
    admin = login_as("administrator", locale="en")
    assert admin.post_form(f"/contacts/{bob.id}/delete").status_code == 302  # to the trash
    response = admin.post_form("/timebank/exchanges/new", exchange_form(ada, bob, category))
    assert response.status_code == 422
    assert f"No contact with the number {bob.id}." in response.get_data(as_text=True)
    assert count_rows(TimebankExchange) == 0


def test_an_inactive_category_is_not_offered_for_new_exchanges(login_as, member, factories):
    ada, bob = member(), member()
    old = factories.timebank.category(name="Knitting", is_active=False)
    staff = login_as("staff", locale="en")
    assert "Knitting" not in staff.get("/timebank/exchanges/new").get_data(as_text=True)
    response = staff.post_form("/timebank/exchanges/new", exchange_form(ada, bob, old))
    assert response.status_code == 422
    assert "The category Knitting is no longer in use." in response.get_data(as_text=True)


def test_an_exchange_is_corrected_then_deleted(app, login_as, member, factories, count_rows):
    ada, bob = member("Ada", "A"), member("Bob", "B")
    exchange = factories.timebank.exchange(provider_id=ada.id, receiver_id=bob.id, hours="1")
    staff = login_as("staff", locale="en")
    form = staff.get(f"/timebank/exchanges/{exchange.id}/edit").get_data(as_text=True)
    assert 'value="1.00"' in form
    response = staff.post_form(
        f"/timebank/exchanges/{exchange.id}/edit",
        {
            "provider_id": bob.id,
            "receiver_id": ada.id,
            "category_id": exchange.category_id,
            "hours": "3",
            "exchange_date": "2024-03-01",
            "description": "",
        },
    )
    assert response.status_code == 302
    overview = staff.get("/timebank/").get_data(as_text=True)
    assert balance_cell(overview, bob.id) == "3.00"
    assert balance_cell(overview, ada.id) == "-3.00"
    assert staff.post_form(f"/timebank/exchanges/{exchange.id}/delete").status_code == 302
    assert count_rows(TimebankExchange) == 0
    assert staff.post_form(f"/timebank/exchanges/{exchange.id}/delete").status_code == 404


def test_a_wrong_correction_keeps_the_exchange_as_it_was(app, login_as, member, factories):
    ada, bob = member(), member()
    exchange = factories.timebank.exchange(provider_id=ada.id, receiver_id=bob.id, hours="1")
    staff = login_as("staff", locale="en")
    response = staff.post_form(
        f"/timebank/exchanges/{exchange.id}/edit",
        {
            "provider_id": ada.id,
            "receiver_id": ada.id,
            "category_id": exchange.category_id,
            "hours": "5",
            "exchange_date": "2024-03-01",
        },
    )
    assert response.status_code == 422
    from amicale.api_for_plugins import session

    with app.app_context():
        kept = session().get(TimebankExchange, exchange.id)
        assert (kept.receiver_id, str(kept.hours)) == (bob.id, "1.00")


def test_the_list_of_exchanges_filters_by_member_and_category(login_as, member, factories):
    ada, bob, cy = member("Ada", "A"), member("Bob", "B"), member("Cy", "C")
    sewing = factories.timebank.category(name="Sewing")
    factories.timebank.exchange(provider_id=ada.id, receiver_id=bob.id, description="First")
    factories.timebank.exchange(
        provider_id=cy.id, receiver_id=bob.id, category_id=sewing.id, description="Second"
    )
    staff = login_as("readonly", locale="en")
    by_member = staff.get(f"/timebank/exchanges?contact_id={ada.id}").get_data(as_text=True)
    assert "First" in by_member and "Second" not in by_member
    by_category = staff.get(f"/timebank/exchanges?category={sewing.id}").get_data(as_text=True)
    assert "Second" in by_category and "First" not in by_category


def test_the_form_opened_from_a_contact_goes_back_there(login_as, member, factories):
    ada, bob = member(), member()
    category = factories.timebank.category()
    staff = login_as("staff", locale="en")
    form = staff.get(
        f"/timebank/exchanges/new?provider_id={ada.id}&next=/timebank/contact/{ada.id}"
    ).get_data(as_text=True)
    assert f'name="provider_id" min="1" list="timebank-members" value="{ada.id}"' in form
    data = {**exchange_form(ada, bob, category), "next": f"/timebank/contact/{ada.id}"}
    response = staff.post_form("/timebank/exchanges/new", data)
    assert response.headers["Location"].endswith(f"/timebank/contact/{ada.id}")
    data["next"] = "https://elsewhere.example/"
    response = staff.post_form("/timebank/exchanges/new", data)
    assert response.headers["Location"].endswith("/timebank/exchanges")
