"""Receipts and the yearly tax receipts (Cerfa n° 11580): numbered without gaps, only deductible
money, the PDF a donor gets, re-issuing and voiding, the legal details they need, sending by
email or for print, the pages and the command."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from sqlalchemy import select

from amicale.api_for_plugins import Conflict, ValidationError
from amicale.cli import cli
from amicale_contribute import receipt_services as rs
from amicale_contribute.models import Receipt, ReceiptItem, ReceiptSequence
from amicale_contribute.receipt_pdf import amount_in_words, render_pdf

LEGAL = {
    "legal_name": "Association Les Amis du Parc",
    "address": "3 allée des Tilleuls\n69003 Lyon",
    "object": "Entretien et animation du parc municipal",
    "identifier": "W691234567",
    "body_kind": "interet_general",
    "articles": ["200", "238 bis"],
    "gift_form": "don_manuel",
    "signatory_name": "Hélène Durand",
    "signatory_title": "Trésorière",
    "place": "Lyon",
}


@pytest.fixture
def legal(app, organisation):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        from amicale.api_for_plugins import session

        s = session()
        rs.save_legal_details(s, LEGAL)
        s.commit()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def issue_year(in_app, year: int) -> rs.IssueRun:
    with in_app() as s:
        run = rs.issue_yearly(s, year)
        s.commit()
    return run


def numbers(in_app, year: int | None = None) -> list[str]:
    with in_app() as s:
        query = select(Receipt.number).order_by(Receipt.number)
        if year:
            query = query.where(Receipt.year == year)
        return list(s.scalars(query))


# -- numbers ------------------------------------------------------------------------------------


def test_numbers_follow_each_other_across_batches_and_start_again_each_year(
    factories, in_app, legal
):
    ada, bob, cleo = (factories.contact() for _ in range(3))
    factories.contribute.contribution(ada.id, amount="10", receive_date="2025-05-01")
    factories.contribute.contribution(bob.id, amount="20", receive_date="2025-06-01")
    factories.contribute.contribution(ada.id, amount="30", receive_date="2026-01-15")
    first = issue_year(in_app, 2025)
    assert first.numbers == ["2025-000001", "2025-000002"]
    # A gift typed in late gets its own receipt, the next number; a single receipt too.
    factories.contribute.contribution(cleo.id, amount="5", receive_date="2025-12-31")
    late = factories.contribute.contribution(bob.id, amount="7", receive_date="2025-03-01")
    with in_app() as s:
        rs.issue_single(s, late.id)
        s.commit()
    second = issue_year(in_app, 2025)
    assert second.numbers == ["2025-000004"]
    assert issue_year(in_app, 2026).numbers == ["2026-000001"]
    assert numbers(in_app, 2025) == [f"2025-00000{n}" for n in range(1, 5)]


def test_a_batch_that_fails_halfway_leaves_no_gap(factories, in_app, legal, monkeypatch):
    for amount in ("10", "20", "30"):
        factories.contribute.contribution(amount=amount, receive_date="2026-02-01")
    real_insert = rs.insert

    def failing_insert(table):
        if table is ReceiptItem:
            raise RuntimeError("the disk is full")
        return real_insert(table)

    monkeypatch.setattr(rs, "insert", failing_insert)
    with in_app() as s, pytest.raises(RuntimeError):
        try:
            rs.issue_yearly(s, 2026)
        finally:
            s.rollback()
    monkeypatch.setattr(rs, "insert", real_insert)
    assert numbers(in_app) == []
    assert issue_year(in_app, 2026).numbers == ["2026-000001", "2026-000002", "2026-000003"]
    with in_app() as s:
        assert s.get(ReceiptSequence, 2026).last_number == 3


def test_numbers_given_at_once_by_two_sessions_never_clash(app, factories, in_app, legal):
    """Two sessions (two workers) issue at the same time: the second waits for the first."""
    import threading

    from amicale.api_for_plugins import session

    gifts = [factories.contribute.contribution(receive_date="2026-04-01") for _ in range(6)]
    errors: list = []

    def worker(ids):
        try:
            with app.test_request_context(headers={"Accept-Language": "en"}):
                s = session()
                for cid in ids:
                    rs.issue_single(s, cid)
                    s.commit()
        except Exception as exc:  # pragma: no cover - shown by the assertion
            errors.append(exc)

    threads = [
        threading.Thread(target=worker, args=([g.id for g in gifts[i::2]],)) for i in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert numbers(in_app) == [f"2026-00000{n}" for n in range(1, 7)]


def test_two_yearly_runs_at_once_receipt_each_gift_once(app, factories, in_app, legal):
    import threading

    from amicale.api_for_plugins import session

    for _ in range(20):
        factories.contribute.contribution(receive_date="2026-04-01")
    counts: list[int] = []
    start = threading.Barrier(2)

    def worker():
        with app.test_request_context(headers={"Accept-Language": "en"}):
            s = session()
            start.wait()
            counts.append(rs.issue_yearly(s, 2026).count)
            s.commit()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(counts) == [0, 20]
    assert numbers(in_app) == [rs.format_number(2026, n) for n in range(1, 21)]


# -- what is receipted --------------------------------------------------------------------------


def test_only_deductible_money_that_came_in_is_receipted(factories, in_app, legal):
    donor = factories.contact(first_name="Ada", last_name="Lovelace")
    gift = factories.contribute.contribution
    gift(donor.id, amount="100.00", non_deductible_amount="25.00", receive_date="2026-03-01")
    gift(donor.id, amount="40.00", receive_date="2026-09-01", financial_type="Member Dues")
    gift(donor.id, amount="50.00", receive_date="2026-04-01", financial_type="Event Fee")
    gift(donor.id, amount="60.00", receive_date="2026-05-01", status="Cancelled")
    gift(donor.id, amount="70.00", receive_date="2026-05-02", status="Pending")
    gift(
        donor.id,
        amount="80.00",
        receive_date="2026-06-01",
        status="Partially paid",
        paid_amount="30.00",
    )
    gift(donor.id, amount="90.00", receive_date="2025-12-31")
    with in_app() as s:
        preview = rs.preview_yearly(s, 2026)
    assert (preview.donors, preview.gifts, preview.total) == (1, 3, Decimal("145.00"))
    run = issue_year(in_app, 2026)
    assert run.count == 1 and run.total == Decimal("145.00")
    with in_app() as s:
        receipt = s.get(Receipt, run.receipt_ids[0])
        amounts = sorted(line.amount for line in rs.items_of(s, [receipt.id])[receipt.id])
        assert receipt.donor_name == "Ada Lovelace" and receipt.kind == "yearly"
    assert amounts == [Decimal("30.00"), Decimal("40.00"), Decimal("75.00")]


def test_a_second_yearly_run_issues_nothing_new(factories, in_app, legal, count_rows):
    factories.contribute.contribution(receive_date="2026-03-01")
    assert issue_year(in_app, 2026).count == 1
    assert issue_year(in_app, 2026).count == 0
    assert count_rows(Receipt) == 1


def test_a_single_receipt_is_refused_twice_and_for_a_gift_that_gives_none(factories, in_app, legal):
    gift = factories.contribute.contribution(receive_date="2026-03-01")
    fee = factories.contribute.contribution(receive_date="2026-03-01", financial_type="Event Fee")
    with in_app() as s:
        receipt = rs.issue_single(s, gift.id)
        s.commit()
        assert (receipt.kind, receipt.number) == ("single", "2026-000001")
        with pytest.raises(Conflict, match="already"):
            rs.issue_single(s, gift.id)
        with pytest.raises(Conflict, match="gives no tax receipt"):
            rs.issue_single(s, fee.id)


# -- the PDF ------------------------------------------------------------------------------------


def test_the_receipt_pdf_is_the_cerfa_with_the_amount_in_words(factories, in_app, legal):
    donor = factories.contact(
        first_name="Émile",
        last_name="Zola",
        addresses=[
            {"street_address": "21 bis rue de Bruxelles", "postal_code": "75009", "city": "Paris"}
        ],
    )
    gift = factories.contribute.contribution(
        donor.id, amount="33.30", receive_date="2026-03-14", payment_instrument="cheque"
    )
    with in_app() as s:
        receipt = rs.issue_single(s, gift.id)
        s.commit()
        text = pdf_text(render_pdf(s, [receipt]))
    flat = " ".join(text.split())
    assert "Reçu au titre des dons à certains organismes d'intérêt général" in flat
    assert "11580" in flat and "2026-000001" in flat
    assert "Émile Zola" in flat and "21 bis rue de Bruxelles" in flat and "75009 Paris" in flat
    assert "33,30 €" in flat
    assert "trente-trois euros et trente centimes" in flat
    assert "14/03/2026" in flat
    assert "Association Les Amis du Parc" in flat and "W691234567" in flat
    assert "Hélène Durand" in flat and "Trésorière" in flat and "Fait à Lyon" in flat


def test_amounts_in_words():
    assert amount_in_words(Decimal("33.30")) == "trente-trois euros et trente centimes"
    assert amount_in_words(Decimal("50.00")) == "cinquante euros"
    assert amount_in_words(Decimal("1.01")) == "un euro et un centime"


# -- re-issuing and voiding ---------------------------------------------------------------------


def test_reissuing_gives_a_new_number_and_keeps_the_old_one_visible(
    factories, in_app, legal, login_as
):
    gift = factories.contribute.contribution(amount="40.00", receive_date="2026-03-01")
    run = issue_year(in_app, 2026)
    admin = login_as("administrator", locale="en")
    response = admin.post_form(f"/contribute/receipts/{run.receipt_ids[0]}/reissue")
    assert response.status_code == 302
    with in_app() as s:
        old = s.get(Receipt, run.receipt_ids[0])
        new = s.scalar(select(Receipt).where(Receipt.replaces_id == old.id))
        assert (old.status, old.number) == ("replaced", "2026-000001")
        assert (new.status, new.number, new.total_amount) == (
            "issued",
            "2026-000002",
            Decimal("40.00"),
        )
    page = admin.get("/contribute/receipts/?year=2026").get_data(as_text=True)
    assert "2026-000001" in page and "2026-000002" in page
    assert "replaced" in page and "replaces 2026-000001" in page
    replaced = admin.get("/contribute/receipts/?status=replaced").get_data(as_text=True)
    assert replaced.count("data-receipt-id=") == 1 and 'data-status="issued"' not in replaced
    assert "by 2026-000002" in replaced
    # The old one's PDF says it is replaced.
    assert "REMPLACÉ" in pdf_text(admin.get(f"/contribute/receipts/{old.id}.pdf").data)
    assert gift.id in [i.contribution_id for i in rs_items(in_app, new.id)]


def rs_items(in_app, receipt_id):
    with in_app() as s:
        return rs.items_of(s, [receipt_id])[receipt_id]


def test_a_voided_receipt_frees_its_gifts_for_a_new_one(factories, in_app, legal, login_as):
    factories.contribute.contribution(amount="40.00", receive_date="2026-03-01")
    first = issue_year(in_app, 2026)
    admin = login_as("administrator", locale="en")
    assert admin.post_form(f"/contribute/receipts/{first.receipt_ids[0]}/void").status_code == 302
    with in_app() as s:
        assert s.get(Receipt, first.receipt_ids[0]).status == "voided"
    again = issue_year(in_app, 2026)
    assert again.numbers == ["2026-000002"] and again.total == Decimal("40.00")
    page = admin.get("/contribute/receipts/?year=2026").get_data(as_text=True)
    assert "2026-000001" in page and "voided" in page


# -- legal details ------------------------------------------------------------------------------


def test_without_legal_details_nothing_is_issued_and_the_message_says_what_is_missing(
    app, factories, in_app, login_as, count_rows
):
    gift = factories.contribute.contribution(receive_date="2026-03-01")
    with in_app() as s:
        with pytest.raises(ValidationError) as caught:
            rs.issue_yearly(s, 2026)
        s.rollback()
    assert "Legal name" in caught.value.message and "Signatory's name" in caught.value.message
    staff = login_as("staff", locale="en")
    response = staff.post_form(f"/contribute/receipts/contribution/{gift.id}", {"send": "1"})
    assert response.status_code == 422
    assert "missing: Legal name" in response.get_data(as_text=True)
    result = CliRunner(env={"AMICALE_LOCALE": "en"}).invoke(
        cli, ["contribute", "receipts", "issue", "--year", "2026"], obj=app
    )
    assert result.exit_code != 0
    assert "legal details" in result.output and "RNA or SIREN number" in result.output
    assert count_rows(Receipt) == 0 and count_rows(ReceiptSequence) == 0


def test_the_admin_fills_in_the_legal_details(app, login_as, in_app):
    admin = login_as("administrator", locale="en")
    page = admin.get("/contribute/receipts/settings").get_data(as_text=True)
    assert "Missing:" in page
    bad = admin.post_form("/contribute/receipts/settings", {**LEGAL, "body_kind": "club"})
    assert bad.status_code == 422 and "Choose a kind of body" in bad.get_data(as_text=True)
    ok = admin.post_form("/contribute/receipts/settings", LEGAL)
    assert ok.status_code == 302
    with in_app() as s:
        details = rs.legal_details(s)
    assert details["articles"] == ["200", "238 bis"] and details["place"] == "Lyon"
    assert rs.missing_legal_details(details) == []


def test_who_may_do_what(factories, login_as, legal, in_app):
    gift = factories.contribute.contribution(receive_date="2026-03-01")
    staff = login_as("staff", locale="en")
    assert staff.get("/contribute/receipts/").status_code == 200
    assert staff.get(f"/contribute/receipts/contribution/{gift.id}").status_code == 200
    assert staff.get("/contribute/receipts/yearly").status_code == 403
    assert staff.get("/contribute/receipts/settings").status_code == 403
    readonly = login_as("readonly", locale="en")
    assert readonly.get("/contribute/receipts/").status_code == 200
    assert readonly.get(f"/contribute/receipts/contribution/{gift.id}").status_code == 403


# -- sending ------------------------------------------------------------------------------------


def test_yearly_receipts_go_by_email_and_the_others_to_one_pdf_to_print(
    app, factories, in_app, legal, login_as, smtp_server
):
    ada = factories.contact(
        first_name="Ada", last_name="Lovelace", emails=[{"email": "ada@example.org"}]
    )
    noe = factories.contact(
        first_name="Noé",
        last_name="Sansmail",
        emails=[],
        addresses=[{"street_address": "1 rue Haute", "postal_code": "69001", "city": "Lyon"}],
    )
    rita = factories.contact(
        first_name="Rita",
        last_name="Refus",
        emails=[{"email": "rita@example.org"}],
        do_not_email=True,
    )
    for person in (ada, noe, rita):
        factories.contribute.contribution(person.id, amount="33.30", receive_date="2026-05-01")
    admin = login_as("administrator", locale="en")
    dry = admin.post_form("/contribute/receipts/yearly", {"year": "2026", "action": "preview"})
    assert "3 donors, 3 gifts" in dry.get_data(as_text=True)
    assert not numbers(in_app)
    done = admin.post_form(
        "/contribute/receipts/yearly", {"year": "2026", "action": "issue", "send": "1"}
    )
    page = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "3 receipts issued (2026-000001 to 2026-000003)" in page
    assert "1 sent by email, 2 to print" in page
    (message,) = smtp_server.to("ada@example.org")
    assert smtp_server.to("rita@example.org") == []
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert "Ada Lovelace" in pdf_text(attachment.get_content())
    pile = admin.get("/contribute/receipts/yearly/2026/print.pdf")
    assert pile.status_code == 200 and pile.mimetype == "application/pdf"
    text = pdf_text(pile.data)
    assert "Noé Sansmail" in text and "Rita Refus" in text and "Ada Lovelace" not in text
    assert len(PdfReader(io.BytesIO(pile.data)).pages) == 2


def test_a_single_receipt_is_issued_and_emailed_from_the_contribution(
    factories, in_app, legal, login_as, smtp_server
):
    donor = factories.contact(emails=[{"email": "donor@example.org"}])
    gift = factories.contribute.contribution(donor.id, amount="33.30", receive_date="2026-05-01")
    staff = login_as("staff", locale="en")
    response = staff.post_form(f"/contribute/receipts/contribution/{gift.id}", {"send": "1"})
    assert response.status_code == 302
    page = staff.get(f"/contribute/receipts/contribution/{gift.id}").get_data(as_text=True)
    assert "2026-000001" in page and "by email" in page and "Issue a receipt" not in page
    (message,) = smtp_server.to("donor@example.org")
    assert "2026-000001" in message["Subject"]
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "recu-2026-000001.pdf"
    assert "trente-trois euros et trente centimes" in " ".join(
        pdf_text(attachment.get_content()).split()
    )
    with in_app() as s:
        receipt = s.scalar(select(Receipt))
        assert receipt.method == "email" and receipt.sent_at is not None
    download = staff.get(f"/contribute/receipts/{receipt.id}.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"


# -- the command and the contact ----------------------------------------------------------------


def test_the_command_counts_issues_and_sends(app, factories, legal, smtp_server, in_app):
    factories.contribute.contribution(amount="12.50", receive_date="2026-05-01")
    factories.contribute.contribution(amount="20.00", receive_date="2026-06-01")
    runner = CliRunner(env={"AMICALE_LOCALE": "en"})
    args = ["contribute", "receipts", "issue", "--year", "2026"]
    dry = runner.invoke(cli, [*args, "--dry-run"], obj=app)
    assert dry.exit_code == 0, dry.output
    assert "Dry run for 2026: 2 donors, 2 gifts" in dry.output
    assert numbers(in_app) == []
    done = runner.invoke(cli, [*args, "--send"], obj=app)
    assert done.exit_code == 0, done.output
    assert "2 receipts issued for 2026 (2026-000001 to 2026-000002)" in done.output
    assert "2 sent by email, 0 to print" in done.output
    again = runner.invoke(cli, args, obj=app)
    assert again.exit_code == 0 and "No new receipt to issue for 2026" in again.output


def test_a_contacts_receipts_for_its_tab(factories, in_app, legal):
    donor = factories.contact()
    other = factories.contact()
    factories.contribute.contribution(donor.id, receive_date="2025-05-01")
    factories.contribute.contribution(donor.id, receive_date="2026-05-01")
    factories.contribute.contribution(other.id, receive_date="2026-05-01")
    issue_year(in_app, 2025)
    issue_year(in_app, 2026)
    with in_app() as s:
        mine = rs.receipts_for_contact(s, donor.id)
    assert [r.number for r in mine] == ["2026-000001", "2025-000001"]


def test_the_register_filters_by_year_status_and_donor(factories, in_app, legal, login_as):
    ada = factories.contact(first_name="Ada", last_name="Lovelace")
    bob = factories.contact(first_name="Bob", last_name="Martin")
    factories.contribute.contribution(ada.id, receive_date="2025-05-01")
    factories.contribute.contribution(bob.id, receive_date="2026-05-01")
    issue_year(in_app, 2025)
    issue_year(in_app, 2026)
    viewer = login_as("readonly", locale="en")

    def shown(query: str) -> str:
        page = viewer.get(f"/contribute/receipts/?{query}").get_data(as_text=True)
        return " ".join(name for name in ("Ada Lovelace", "Bob Martin") if f">{name}</a>" in page)

    assert shown("") == "Ada Lovelace Bob Martin"
    assert shown("year=2025") == "Ada Lovelace"
    assert shown("donor=martin") == "Bob Martin"
    assert shown("donor=2026-000001") == "Bob Martin"
    assert shown("status=voided") == ""


def test_many_receipts_wait_for_the_job_that_emails_them(
    app, factories, in_app, legal, smtp_server
):
    from amicale_contribute import receipts

    people = [factories.contact(emails=[{"email": f"d{i}@example.org"}]) for i in range(3)]
    for person in people:
        factories.contribute.contribution(person.id, receive_date="2026-05-01")
    run = issue_year(in_app, 2026)
    with in_app() as s:
        sent = rs.send_receipts(s, run.receipt_ids, now_at_most=2)
        s.commit()
        assert (sent.emailed, len(sent.queued)) == ([], 3)
        assert rs.waiting_to_send(s, 2026) == 3
    assert smtp_server.messages == []
    (job,) = [j for j in receipts.scheduled_jobs() if j.name == "contribute.send_receipts"]
    with in_app() as s:
        done = job.run(s)
        s.commit()
        assert len(done.emailed) == 3 and rs.waiting_to_send(s, 2026) == 0
    assert len(smtp_server.messages) == 3
