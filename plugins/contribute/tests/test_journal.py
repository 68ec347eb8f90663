"""The accounting journal: counted contributions as balanced double-entry lines on the right
accounts, as CSV from the page, the batch and the command line."""

from decimal import Decimal

import pytest
from click.testing import CliRunner

from amicale.api_for_plugins import ValidationError
from amicale_contribute import batch_journal, batch_services


@pytest.fixture
def gifts(factories):
    """A cheque donation, a cash membership fee, a partly paid event fee, a cancelled gift and
    one outside the period."""
    ada = factories.contact(first_name="Ada", last_name="Lovelace")
    alan = factories.contact(first_name="Alan", last_name="Turing")
    c = factories.contribute.contribution
    return {
        "cheque": c(ada.id, amount="40.00", receive_date="2026-03-02", payment_instrument="cheque"),
        "cash": c(
            alan.id,
            amount="25.00",
            receive_date="2026-03-05",
            payment_instrument="cash",
            financial_type="Member Dues",
        ),
        "partial": c(
            ada.id,
            amount="100.00",
            status="Partially paid",
            paid_amount="30.00",
            receive_date="2026-03-10",
            payment_instrument="transfer",
            financial_type="Event Fee",
        ),
        "cancelled": c(alan.id, amount="999.00", status="Cancelled", receive_date="2026-03-11"),
        "april": c(alan.id, amount="7.00", receive_date="2026-04-01", payment_instrument="cash"),
    }


def test_the_journal_balances_on_the_right_accounts(gifts, in_app):
    with in_app() as s:
        journal = batch_journal.journal(s, {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    lines = [(str(x.day), x.journal, x.account, x.debit, x.credit) for x in journal.lines]
    zero = Decimal("0.00")
    assert lines == [
        ("2026-03-02", "BQ", "5112", Decimal("40.00"), zero),
        ("2026-03-02", "BQ", "754", zero, Decimal("40.00")),
        ("2026-03-05", "BQ", "530", Decimal("25.00"), zero),
        ("2026-03-05", "BQ", "756", zero, Decimal("25.00")),
        ("2026-03-10", "BQ", "512", Decimal("30.00"), zero),
        ("2026-03-10", "BQ", "706", zero, Decimal("30.00")),
    ]
    assert journal.balanced and journal.total_debit == Decimal("95.00")
    number = gifts["cheque"].id
    assert journal.lines[0].label == f"Ada Lovelace, contribution {number}"


def test_the_journal_code_is_a_setting_and_the_csv_is_exact(gifts, in_app, app):
    from amicale.api_for_plugins import session, set_setting

    with app.app_context():
        set_setting(session(), "contribute.journal_code", "CM")
        session().commit()
    with in_app() as s:
        journal = batch_journal.journal(s, {"date_from": "2026-04-01", "date_to": "2026-04-30"})
        body = batch_journal.journal_csv(journal)
    n = gifts["april"].id
    assert body.decode("utf-8") == (
        "\ufeffDate;Journal;Account;Label;Debit;Credit\r\n"
        f"2026-04-01;CM;530;Alan Turing, contribution {n};7.00;0.00\r\n"
        f"2026-04-01;CM;754;Alan Turing, contribution {n};0.00;7.00\r\n"
    )


def test_a_period_is_required_unless_a_batch_is_given(in_app, factories):
    with in_app() as s, pytest.raises(ValidationError) as caught:
        batch_journal.journal(s, {"date_from": "2026-03-01"})
    assert set(caught.value.errors) == {"date_to"}
    with in_app() as s, pytest.raises(ValidationError) as caught:
        batch_journal.journal(s, {"date_from": "2026-03-31", "date_to": "2026-03-01"})
    assert "date_to" in caught.value.errors
    donor = factories.contact(first_name="Grace", last_name="Hopper")
    with in_app() as s:
        batch = batch_services.open_batch(s, {"title": "B", "financial_type_id": 1})
        batch_services.add_entry(s, batch.id, {"contact_id": donor.id, "amount": "12.00"})
        s.commit()
        journal = batch_journal.journal(s, {"batch_id": batch.id})
    assert [line.credit for line in journal.lines] == [Decimal("0.00"), Decimal("12.00")]
    assert journal.lines[0].account == "" and journal.missing_accounts == 1


def test_the_journal_page_shows_the_lines_and_downloads_the_csv(gifts, login_as, client):
    assert client.get("/contribute/journal").status_code in (302, 401)
    web = login_as("staff", locale="en")
    assert web.get("/contribute/journal").status_code == 200
    page = web.get("/contribute/journal?date_from=2026-03-01&date_to=2026-03-31")
    html = page.get_data(as_text=True)
    assert "5112" in html and "756" in html and "Alan Turing" in html
    footer = html[html.index('id="total-debit"') :]
    assert "95.00" in footer
    bad = web.get("/contribute/journal?date_from=2026-03-31&date_to=2026-03-01")
    assert bad.status_code == 422 and "The end date is before the start date." in bad.get_data(
        as_text=True
    )
    csv = web.get("/contribute/journal?date_from=2026-03-01&date_to=2026-03-31&format=csv")
    assert csv.status_code == 200 and csv.data.startswith("\ufeff".encode())
    assert 'filename="journal-2026-03-01-2026-03-31.csv"' in csv.headers["Content-Disposition"]
    assert csv.data.decode("utf-8").count("\r\n") == 7


def test_the_batch_journal_downloads_from_the_batch_page(login_as, factories, in_app):
    donor = factories.contact(first_name="Ada", last_name="Lovelace")
    with in_app() as s:
        batch = batch_services.open_batch(
            s, {"title": "B", "financial_type_id": 1, "receive_date": "2026-05-02"}
        )
        batch_services.add_entry(
            s, batch.id, {"contact_id": donor.id, "amount": "20.00", "payment_instrument_id": 2}
        )
        s.commit()
        batch_id = batch.id
    csv = login_as("staff", locale="en").get(f"/contribute/batches/{batch_id}/journal.csv")
    rows = csv.data.decode("utf-8-sig").splitlines()
    assert rows[1].startswith("2026-05-02;BQ;5112;Ada Lovelace") and rows[1].endswith(";20.00;0.00")
    assert rows[2].startswith("2026-05-02;BQ;754;") and rows[2].endswith(";0.00;20.00")


def test_the_command_writes_the_journal_and_refuses_bad_dates(gifts, app, tmp_path):
    from amicale.cli import cli

    out = tmp_path / "journal.csv"
    done = CliRunner().invoke(
        cli,
        [
            "contribute",
            "journal",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--output",
            str(out),
        ],
        obj=app,
    )
    assert done.exit_code == 0, done.output
    assert out.read_bytes().decode("utf-8-sig").count("\n") == 7
    printed = CliRunner().invoke(
        cli, ["contribute", "journal", "--from", "2026-04-01", "--to", "2026-04-30"], obj=app
    )
    assert printed.exit_code == 0 and ";7.00;0.00" in printed.output
    bad = CliRunner().invoke(cli, ["contribute", "journal", "--from", "March"], obj=app)
    assert bad.exit_code == 2
    reversed_ = CliRunner().invoke(
        cli, ["contribute", "journal", "--from", "2026-03-31", "--to", "2026-03-01"], obj=app
    )
    assert reversed_.exit_code == 1 and "antérieure à la date de début" in reversed_.output
    missing = CliRunner().invoke(cli, ["contribute", "journal", "--batch", "999"], obj=app)
    assert missing.exit_code == 1 and "Aucun lot ne porte le numéro 999." in missing.output


def test_the_administrator_sets_the_journal_code_on_the_page(login_as, app):
    from amicale.api_for_plugins import get_setting, session

    admin = login_as("administrator", locale="en")
    page = admin.get("/contribute/journal").get_data(as_text=True)
    assert 'id="journal-code-form"' in page and 'value="BQ"' in page
    bad = admin.post_form("/contribute/journal/code", {"journal_code": "banque postale"})
    assert bad.status_code == 422 and "1 to 8 letters or digits" in bad.get_data(as_text=True)
    assert admin.post_form("/contribute/journal/code", {"journal_code": "bq2"}).status_code == 302
    with app.app_context():
        assert get_setting(session(), "contribute.journal_code") == "BQ2"
    staff = login_as("staff", locale="en")
    assert 'id="journal-code-form"' not in staff.get("/contribute/journal").get_data(as_text=True)
    assert staff.post_form("/contribute/journal/code", {"journal_code": "X"}).status_code == 403
