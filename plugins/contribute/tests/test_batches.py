"""Batches: typing in the cheques of the post against the expected count and total, closing,
the entry page, the deposit slip, and the batches API."""

import io
from decimal import Decimal

import pytest
from sqlalchemy import select

from amicale.api_for_plugins import Conflict, ValidationError
from amicale_contribute import batch_services
from amicale_contribute.models import Batch, Contribution, FinancialType, PaymentInstrument


def ids(s) -> tuple[int, int, int]:
    """The seeded Donation type, the cheque and the cash instruments."""
    donation = s.scalar(select(FinancialType.id).where(FinancialType.name == "Donation"))
    cheque = s.scalar(select(PaymentInstrument.id).where(PaymentInstrument.name == "cheque"))
    cash = s.scalar(select(PaymentInstrument.id).where(PaymentInstrument.name == "cash"))
    return donation, cheque, cash


@pytest.fixture
def batch(in_app):
    """An open batch of 2 cheques for 80.00, of donations received on 3 March 2026."""
    with in_app() as s:
        donation, cheque, _cash = ids(s)
        b = batch_services.open_batch(
            s,
            {
                "title": "Post of 3 March",
                "expected_count": 2,
                "expected_total": "80.00",
                "financial_type_id": donation,
                "payment_instrument_id": cheque,
                "receive_date": "2026-03-03",
            },
        )
        s.commit()
        return b.id


def test_entries_take_the_batch_defaults_and_the_batch_closes_when_it_matches(
    factories, in_app, batch
):
    ada = factories.contact(first_name="Ada", last_name="Lovelace")
    alan = factories.contact(first_name="Alan", last_name="Turing")
    with in_app() as s:
        first = batch_services.add_entry(
            s, batch, {"contact": "lovelace", "amount": "30.00", "check_number": "1234567"}
        )
        assert first.contact_id == ada.id and first.status == "Completed"
        assert str(first.receive_date) == "2026-03-03" and first.batch_id == batch
        _donation, cheque, _cash = ids(s)
        assert first.payment_instrument_id == cheque
        batch_services.add_entry(s, batch, {"contact": str(alan.id), "amount": "45.00"})
        s.commit()
    with in_app() as s, pytest.raises(Conflict) as refused:
        batch_services.close_batch(s, batch)
    message = refused.value.message
    assert "2 entries for 2 expected (difference 0)" in message
    assert "a total of 75.00 for 80.00 expected (difference -5.00)" in message
    with in_app() as s:
        totals = batch_services.batch_totals(s, batch_services.get_batch(s, batch))
        assert (totals.count, totals.total, totals.total_difference) == (
            2,
            Decimal("75.00"),
            Decimal("-5.00"),
        )
        assert [(t.label, t.count) for t in totals.by_instrument] == [("Cheque", 2)]
        batch_services.add_entry(s, batch, {"contact_id": alan.id, "amount": "5"})
        with pytest.raises(Conflict) as refused:
            batch_services.close_batch(s, batch)
        assert "3 entries for 2 expected (difference +1)" in refused.value.message
        s.commit()
    with in_app() as s:
        typed = s.scalars(
            select(Contribution).where(Contribution.batch_id == batch).order_by(Contribution.id)
        ).all()
        for wrong in typed[1:]:
            batch_services.remove_entry(s, batch, wrong.id)
        batch_services.add_entry(s, batch, {"contact_id": alan.id, "amount": "50.00"})
        closed = batch_services.close_batch(s, batch)
        s.commit()
        assert closed.status == "Closed" and closed.closed_at is not None


def test_a_closed_batch_takes_no_entry_and_writes_nothing(factories, in_app, batch, count_rows):
    donor = factories.contact(first_name="Grace", last_name="Hopper")
    with in_app() as s:
        batch_services.add_entry(s, batch, {"contact_id": donor.id, "amount": "80.00"})
        b = batch_services.get_batch(s, batch)
        b.expected_count = 1
        batch_services.close_batch(s, batch)
        s.commit()
    before = count_rows(Contribution)
    with in_app() as s, pytest.raises(Conflict) as refused:
        batch_services.add_entry(s, batch, {"contact_id": donor.id, "amount": "10.00"})
    assert "closed" in refused.value.message
    with in_app() as s, pytest.raises(Conflict):
        entry = s.scalar(select(Contribution.id).where(Contribution.batch_id == batch))
        batch_services.remove_entry(s, batch, entry)
    assert count_rows(Contribution) == before
    with in_app() as s:
        batch_services.reopen_batch(s, batch)
        batch_services.add_entry(s, batch, {"contact_id": donor.id, "amount": "10.00"})
        s.commit()
    assert count_rows(Contribution) == before + 1


def test_a_name_that_several_contacts_share_asks_which_one(factories, in_app, batch, count_rows):
    one = factories.contact(first_name="Jean", last_name="Martin")
    two = factories.contact(first_name="Jeanne", last_name="Martin")
    with in_app() as s, pytest.raises(batch_services.ContactChoice) as asked:
        batch_services.add_entry(s, batch, {"contact": "martin", "amount": "10"})
    assert {cid for cid, _name in asked.value.choices} == {one.id, two.id}
    with in_app() as s:
        exact = batch_services.add_entry(s, batch, {"contact": "jean martin", "amount": "10"})
        assert exact.contact_id == one.id  # the exact name wins over "Jeanne Martin"
        assert batch_services.find_contacts(s, "%") == []
        assert batch_services.find_contacts(s, "_ean") == []
        s.rollback()
    with in_app() as s, pytest.raises(ValidationError) as caught:
        batch_services.add_entry(s, batch, {"contact": "Nobody Here", "amount": "abc"})
    assert set(caught.value.errors) == {"amount"}
    with in_app() as s, pytest.raises(ValidationError) as caught:
        batch_services.add_entry(s, batch, {"contact": "Nobody Here", "amount": "10"})
    assert "No contact matches Nobody Here." in caught.value.errors["contact"]
    assert count_rows(Contribution) == 0


def test_the_entry_page_records_a_row_and_shows_the_running_totals(
    login_as, factories, batch, count_rows
):
    factories.contact(first_name="Ada", last_name="Lovelace")
    web = login_as("staff", locale="en")
    page = web.get(f"/contribute/batches/{batch}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="f-contact"' in html and "autofocus" in html
    added = web.post_form(
        f"/contribute/batches/{batch}/entries",
        {"contact": "Ada Lovelace", "amount": "30,50", "check_number": "0001234"},
        follow_redirects=True,
    )
    assert added.status_code == 200
    html = added.get_data(as_text=True)
    assert "0001234" in html and "Lovelace" in html
    totals = html[
        html.index('id="totals-amount"') : html.index("</tr>", html.index('id="totals-amount"'))
    ]
    assert "30.50" in totals and "80.00" in totals and "-49.50" in totals
    assert 'name="contact" value=""' in html  # an empty row for the next cheque
    assert count_rows(Contribution, Contribution.batch_id == batch) == 1
    bad = web.post_form(f"/contribute/batches/{batch}/entries", {"contact": "", "amount": "x"})
    assert bad.status_code == 422
    assert "Type a name or a contact number." in bad.get_data(as_text=True)
    closing = web.post_form(f"/contribute/batches/{batch}/close", follow_redirects=True)
    assert "difference -1" in closing.get_data(as_text=True)


def test_the_entry_page_lists_the_contacts_to_choose_from(login_as, factories, batch):
    one = factories.contact(first_name="Jean", last_name="Martin")
    factories.contact(first_name="Jeanne", last_name="Martin")
    web = login_as("staff", locale="en")
    asked = web.post_form(
        f"/contribute/batches/{batch}/entries", {"contact": "martin", "amount": "12"}
    )
    assert asked.status_code == 422
    html = asked.get_data(as_text=True)
    assert f'name="contact_id" value="{one.id}"' in html and 'value="12"' in html
    chosen = web.post_form(
        f"/contribute/batches/{batch}/entries",
        {"contact": "martin", "contact_id": str(one.id), "amount": "12"},
    )
    assert chosen.status_code == 302


def test_the_batch_pages_need_a_login_and_list_open_batches_first(client, login_as, in_app, batch):
    assert client.get("/contribute/batches/").status_code in (302, 401)
    assert client.get(f"/contribute/batches/{batch}/deposit-slip.pdf").status_code in (302, 401)
    web = login_as("staff", locale="en")
    opened = web.post_form(
        "/contribute/batches/new",
        {"title": "Gala cheques", "expected_count": "3", "expected_total": "1 200,00"},
    )
    assert opened.status_code == 302
    with in_app() as s:
        gala = s.scalar(select(Batch).where(Batch.title == "Gala cheques"))
        assert gala.expected_total == Decimal("1200.00")
        gala.status = "Closed"
        s.commit()
    html = web.get("/contribute/batches/").get_data(as_text=True)
    html = html[html.index('id="batch-list"') :]
    assert html.index("Post of 3 March") < html.index("Gala cheques")
    refused = web.post_form("/contribute/batches/new", {"title": "", "expected_total": "abc"})
    assert refused.status_code == 422


def test_the_deposit_slip_lists_the_cheques_in_pdf_and_csv(
    login_as, factories, in_app, batch, organisation
):
    from pypdf import PdfReader

    ada = factories.contact(first_name="Ada", last_name="Lovelace")
    eq = factories.contact(first_name="=cmd", last_name="Formula")
    with in_app() as s:
        _donation, _cheque, cash = ids(s)
        batch_services.add_entry(
            s, batch, {"contact_id": ada.id, "amount": "30.00", "check_number": "7654321"}
        )
        batch_services.add_entry(
            s, batch, {"contact_id": eq.id, "amount": "50.5", "check_number": "0000042"}
        )
        batch_services.add_entry(
            s, batch, {"contact_id": ada.id, "amount": "9.00", "payment_instrument_id": cash}
        )
        s.commit()
    web = login_as("staff", locale="en")
    pdf = web.get(f"/contribute/batches/{batch}/deposit-slip.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Les Amis du Parc" in text and "Post of 3 March" in text
    assert "7654321" in text and "0000042" in text and "Ada Lovelace" in text
    assert "80.50" in text and "Number of cheques: 2" in text
    csv = web.get(f"/contribute/batches/{batch}/deposit-slip.csv")
    assert csv.status_code == 200 and "attachment" in csv.headers["Content-Disposition"]
    assert csv.data.decode("utf-8") == (
        "\ufeffDrawer;Cheque number;Amount\r\n"
        "Ada Lovelace;7654321;30.00\r\n"
        "'=cmd Formula;0000042;50.50\r\n"
        "Total (cheques: 2);;80.50\r\n"
    )


def test_the_batches_api_opens_adds_and_closes(api_client, factories, in_app, count_rows):
    donor = factories.contact(first_name="Ada", last_name="Lovelace")
    api = api_client("staff")
    with in_app() as s:
        donation, cheque, _cash = ids(s)
    opened = api.post(
        "/api/v1/batches",
        json={
            "title": "API batch",
            "expected_count": 1,
            "expected_total": "25.00",
            "financial_type_id": donation,
            "payment_instrument_id": cheque,
        },
    )
    assert opened.status_code == 201, opened.json
    batch_id = opened.json["id"]
    assert opened.json["status"] == "Open" and opened.json["totals"]["count"] == 0
    entry = api.post(
        f"/api/v1/batches/{batch_id}/entries",
        json={"contact": "Lovelace", "amount": "25.00", "check_number": "99"},
    )
    assert entry.status_code == 201, entry.json
    assert entry.json["amount"] == "25.00" and entry.json["contact_id"] == donor.id
    one = api.get(f"/api/v1/batches/{batch_id}").json
    assert one["totals"]["total"] == "25.00" and one["totals"]["matches"] is True
    assert api.get("/api/v1/batches").json["items"][0]["id"] == batch_id
    closed = api.post(f"/api/v1/batches/{batch_id}/close")
    assert closed.status_code == 200 and closed.json["status"] == "Closed"
    refused = api.post(
        f"/api/v1/batches/{batch_id}/entries", json={"contact_id": donor.id, "amount": "1"}
    )
    assert refused.status_code == 409
    assert count_rows(Contribution) == 1
    assert api.post(f"/api/v1/batches/{batch_id}/reopen").status_code == 403


def test_the_batches_api_answers_422_on_bad_input(api_client, in_app, batch, count_rows):
    api = api_client("staff")
    bad = api.post(
        "/api/v1/batches", json={"title": "", "expected_count": "many", "expected_total": "-4"}
    )
    assert bad.status_code == 422
    assert {"title", "expected_count", "expected_total"} <= set(bad.json["errors"])
    bad_entry = api.post(f"/api/v1/batches/{batch}/entries", json={"amount": "0"})
    assert bad_entry.status_code == 422
    assert {"contact", "amount"} <= set(bad_entry.json["errors"])
    assert count_rows(Batch) == 1 and count_rows(Contribution) == 0
    not_matching = api.post(f"/api/v1/batches/{batch}/close")
    assert not_matching.status_code == 409
    assert api_client(None).get("/api/v1/batches").status_code == 401
    assert "/batches/{batch_id}/entries" in str(api.get("/api/v1/openapi.json").json["paths"])


def test_the_menu_offers_batches_and_the_journal(login_as):
    html = login_as("staff", locale="en").get("/contribute/batches/").get_data(as_text=True)
    assert 'data-menu-id="contribute.batches"' in html
    assert 'data-menu-id="contribute.journal"' in html
