"""What Timebank gives the rest of Amicale: the mail token, the search criteria, merging two
contacts, a person's data export and erasure."""

import re

from sqlalchemy import select

from amicale.api_for_plugins import hook, session
from amicale_timebank.models import TimebankExchange, TimebankListing


def merged(results) -> dict:
    out: dict = {}
    for result in results:
        for key, value in (result or {}).items():
            out.setdefault(key, {}).update(value)
    return out


def balance_in_api(api_client, contact_id) -> str:
    return api_client("readonly").get(f"/api/v1/timebank/balances/{contact_id}").json["balance"]


# -- mail token ----------------------------------------------------------------------------------


def test_the_mail_token_gives_each_members_balance(app, member, factories):
    ada, bob, nobody = member(), member(), member()
    factories.timebank.exchange(provider_id=ada.id, receiver_id=bob.id, hours="3.5")
    factories.timebank.exchange(provider_id=bob.id, receiver_id=ada.id, hours="1.5")
    with app.app_context():
        tokens = {k: v for r in hook.mail_tokens() for k, v in r.items()}
        assert "timebank.balance" in tokens
        values = merged(
            hook.mail_token_values(
                contact_ids=[ada.id, bob.id, nobody.id], tokens=["timebank.balance"]
            )
        )
        assert merged(hook.mail_token_values(contact_ids=[ada.id], tokens=["other.token"])) == {}
    assert values[ada.id]["timebank.balance"] == "2"
    assert values[bob.id]["timebank.balance"] == "-2"
    assert values[nobody.id]["timebank.balance"] == "0"


def test_the_balances_of_a_whole_batch_come_from_one_query(app, member, factories):
    from sqlalchemy import event

    people = [member() for _ in range(4)]
    for giver, taker in zip(people, people[1:], strict=False):
        factories.timebank.exchange(provider_id=giver.id, receiver_id=taker.id, hours="0.75")
    with app.app_context():
        s = session()
        statements = []
        engine = s.get_bind()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            values = merged(
                hook.mail_token_values(
                    contact_ids=[p.id for p in people], tokens=["timebank.balance"]
                )
            )
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    assert [values[p.id]["timebank.balance"] for p in people] == ["0.75", "0", "0", "-0.75"]
    assert len([s for s in statements if "timebank_exchange" in s]) == 1


# -- search criteria -----------------------------------------------------------------------------


def found_contacts(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'<a href="/contacts/(\d+)">', page)}


def test_the_advanced_search_finds_who_offers_a_skill(login_as, member, factories):
    sewing, garden = factories.timebank.category(name="Sewing"), factories.timebank.category()
    ada, bob, cy, dan = member("Ada", "A"), member("Bob", "B"), member("Cy", "C"), member()
    factories.timebank.listing(contact_id=ada.id, category_id=sewing.id, kind="offer")
    factories.timebank.listing(contact_id=bob.id, category_id=sewing.id, kind="request")
    factories.timebank.listing(contact_id=cy.id, category_id=garden.id, kind="offer")
    factories.timebank.listing(
        contact_id=dan.id, category_id=sewing.id, kind="offer", is_active=False
    )
    staff = login_as("staff", locale="en")
    form = staff.get("/contacts/").get_data(as_text=True)
    assert "Offers the skill (timebank)" in form and "Sewing" in form
    assert found_contacts(
        staff.get(f"/contacts/?timebank_offers={sewing.id}").get_data(as_text=True)
    ) == {ada.id}
    assert found_contacts(
        staff.get(f"/contacts/?timebank_requests={sewing.id}").get_data(as_text=True)
    ) == {bob.id}
    page = staff.get("/contacts/?timebank_offers=sewing")
    assert "Choose one of the categories." in page.get_data(as_text=True)


def test_the_api_search_finds_who_offers_a_skill(api_client, member, factories):
    sewing = factories.timebank.category()
    ada, bob = member("Ada", "A"), member("Bob", "B")
    factories.timebank.listing(contact_id=ada.id, category_id=sewing.id, kind="offer")
    factories.timebank.listing(contact_id=bob.id, kind="offer")
    found = api_client("staff").get(f"/api/v1/contacts?timebank_offers={sewing.id}").json
    assert [c["id"] for c in found["items"]] == [ada.id]
    assert found["total"] == 1


# -- merging two contacts ------------------------------------------------------------------------


def test_merging_moves_listings_and_both_sides_of_exchanges(app, api_client, member, factories):
    kept, merged_away, other = member(), member(), member()
    listing = factories.timebank.listing(contact_id=merged_away.id)
    gave = factories.timebank.exchange(provider_id=merged_away.id, receiver_id=other.id, hours="2")
    got = factories.timebank.exchange(provider_id=other.id, receiver_id=merged_away.id, hours="0.5")
    factories.timebank.exchange(provider_id=kept.id, receiver_id=other.id, hours="1")
    with app.app_context():
        s = session()
        hook.merge_contacts(winner_id=kept.id, loser_id=merged_away.id, session=s)
        s.commit()
        assert s.get(TimebankListing, listing.id).contact_id == kept.id
        assert s.get(TimebankExchange, gave.id).provider_id == kept.id
        assert s.get(TimebankExchange, got.id).receiver_id == kept.id
    assert balance_in_api(api_client, kept.id) == "2.50"
    assert balance_in_api(api_client, merged_away.id) == "0.00"
    assert balance_in_api(api_client, other.id) == "-2.50"


def test_an_exchange_between_the_two_merged_contacts_is_deleted(app, api_client, member, factories):
    kept, merged_away = member(), member()
    between = factories.timebank.exchange(
        provider_id=merged_away.id, receiver_id=kept.id, hours="2"
    )
    back = factories.timebank.exchange(provider_id=kept.id, receiver_id=merged_away.id, hours="1")
    factories.timebank.exchange(provider_id=merged_away.id, hours="3")
    before = sum(float(balance_in_api(api_client, c.id)) for c in (kept, merged_away))
    with app.app_context():
        s = session()
        hook.merge_contacts(winner_id=kept.id, loser_id=merged_away.id, session=s)
        s.commit()
        assert s.get(TimebankExchange, between.id) is None
        assert s.get(TimebankExchange, back.id) is None
    assert balance_in_api(api_client, kept.id) == "3.00"
    assert float(balance_in_api(api_client, kept.id)) == before


# -- a person's data -----------------------------------------------------------------------------


def test_a_persons_data_export_has_their_listings_and_exchanges(app, member, factories):
    ada, bob = member("Ada", "Lovelace"), member("Bob", "Marley")
    sewing = factories.timebank.category(name="Sewing")
    factories.timebank.listing(contact_id=ada.id, category_id=sewing.id, description="Hems")
    factories.timebank.listing(contact_id=bob.id, description="Not Ada's")
    factories.timebank.exchange(
        provider_id=ada.id,
        receiver_id=bob.id,
        category_id=sewing.id,
        hours="1.5",
        exchange_date="2024-04-01",
    )
    # The section labels are in the language of the request (English here, whatever the
    # machine's); a plain app context would take the organisation's, French.
    with app.test_request_context(headers={"Accept-Language": "en"}):
        export = {
            k: v
            for r in hook.contact_data(contact_id=ada.id, session=session())
            for k, v in (r or {}).items()
        }
        nothing = [r for r in hook.contact_data(contact_id=member().id, session=session()) if r]
    listings = export["Timebank: offers and requests"]
    assert [(r["kind"], r["category"], r["description"]) for r in listings] == [
        ("offer", "Sewing", "Hems")
    ]
    (exchange,) = export["Timebank: exchanges"]
    assert exchange["role"] == "provider" and exchange["other_member"] == "Bob Marley"
    assert (exchange["hours"], exchange["exchange_date"]) == ("1.50", "2024-04-01")
    assert not any(k.startswith("Timebank") for r in nothing for k in r)


def test_erasing_a_person_keeps_the_other_members_balance(app, api_client, member, factories):
    ada, bob = member(), member()
    factories.timebank.listing(contact_id=ada.id)
    kept_listing = factories.timebank.listing(contact_id=bob.id)
    exchange = factories.timebank.exchange(
        provider_id=ada.id, receiver_id=bob.id, hours="2", description="Ada fixed Bob's bike"
    )
    with app.app_context():
        s = session()
        hook.erase_contact(contact_id=ada.id, session=s)
        s.commit()
        assert s.scalars(select(TimebankListing.id)).all() == [kept_listing.id]
        erased = s.get(TimebankExchange, exchange.id)
        assert (erased.provider_id, erased.receiver_id) == (None, bob.id)
        assert erased.description is None
    assert balance_in_api(api_client, bob.id) == "-2.00"
    assert balance_in_api(api_client, ada.id) == "0.00"


def test_deleting_a_contact_for_good_erases_their_timebank_data(app, login_as, member, factories):
    ada, bob = member("Ada", "Lovelace"), member("Bob", "Marley")
    factories.timebank.listing(contact_id=ada.id, description="Ada's offer")
    exchange = factories.timebank.exchange(
        provider_id=bob.id, receiver_id=ada.id, hours="1", description="About Ada"
    )
    admin = login_as("administrator", locale="en")
    assert admin.post_form(f"/contacts/{ada.id}/delete").status_code == 302
    assert admin.post_form(f"/contacts/{ada.id}/purge").status_code == 302
    tab = admin.get(f"/timebank/contact/{bob.id}").get_data(as_text=True)
    assert "erased member" in tab and "About Ada" not in tab
    assert 'data-balance="1.00"' in tab.split('id="timebank-balance"', 1)[1]
    form = admin.get(f"/timebank/exchanges/{exchange.id}/edit").get_data(as_text=True)
    assert 'name="receiver_id"' not in form  # the erased side stays empty
    response = admin.post_form(
        f"/timebank/exchanges/{exchange.id}/edit",
        {
            "provider_id": bob.id,
            "category_id": exchange.category_id,
            "hours": "1.25",
            "exchange_date": "2024-03-01",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        saved = session().get(TimebankExchange, exchange.id)
        assert (saved.receiver_id, str(saved.hours)) == (None, "1.25")
    assert "Ada's offer" not in admin.get("/timebank/").get_data(as_text=True)
