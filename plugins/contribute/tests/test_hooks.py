"""The core's hooks answered by Contributions: import, merge, the person's data, erasure."""

import io
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from amicale.api_for_plugins import Contact, session
from amicale_contribute.models import Contribution, Recurring, SoftCredit


def test_contributions_are_imported_from_a_file_and_not_twice(app, factories):
    from amicale.imports import services as imports

    ada = factories.contact(first_name="Ada", emails=[{"email": "ada@example.org"}])
    factories.contribute.campaign(name="Toiture")
    data = (
        "courriel;montant;date;type;moyen;chèque;campagne;référence\r\n"
        "ada@example.org;12,50;03/02/2025;Donation;cheque;123;Toiture;T-1\r\n"
        "ada@example.org;abc;03/02/2025;Donation;cash;;;T-2\r\n"
        "nobody@example.org;5;03/02/2025;Donation;cash;;;T-3\r\n"
        "ada@example.org;7;04/02/2025;Member Dues;transfer;;Nope;T-4\r\n"
    ).encode()

    def run():
        s = session()
        job = imports.start(s, io.BytesIO(data), "dons.csv", target="contributions")
        imports.configure(
            s,
            job.id,
            {
                "mapping": [
                    {"column": 0, "field": "contact_id:email"},
                    {"column": 1, "field": "amount"},
                    {"column": 2, "field": "receive_date"},
                    {"column": 3, "field": "financial_type"},
                    {"column": 4, "field": "payment_instrument"},
                    {"column": 5, "field": "check_number"},
                    {"column": 6, "field": "campaign"},
                    {"column": 7, "field": "transaction_id"},
                ]
            },
        )
        s.commit()
        return imports.run(s, job.id)

    with app.test_request_context(headers={"Accept-Language": "en"}):
        job = run()
        assert (job.created, job.rejected) == (1, 3)
        (c,) = session().scalars(select(Contribution)).all()
        assert (c.amount, c.receive_date, c.check_number) == (
            Decimal("12.50"),
            date(2025, 2, 3),
            "123",
        )
        again = run()
        assert again.created == 0  # T-1 is already recorded
    assert ada.id == c.contact_id


def test_merge_moves_gifts_and_erasure_keeps_the_amounts(app, factories, in_app):
    from amicale.contacts.services import purge_contact, trash_contact
    from amicale.dedupe.services import merge_contacts

    keep, lose, friend = factories.contact(), factories.contact(), factories.contact()
    factories.contribute.contribution(lose.id, amount="20.00", note="called by phone")
    factories.contribute.contribution(
        keep.id, amount="5.00", soft_credits=[{"contact_id": friend.id, "kind": "in_honor"}]
    )
    factories.contribute.recurring(lose.id)
    with in_app() as s:
        merge_contacts(s, keep.id, lose.id)
        s.commit()
        assert set(s.scalars(select(Contribution.contact_id))) == {keep.id}
        assert s.scalar(select(Recurring.contact_id)) == keep.id
    with in_app() as s:
        from amicale.api_for_plugins import hook

        exported = [d for d in hook.contact_data(contact_id=keep.id, session=s) if d]
        gifts = next(d for d in exported if "contributions" in d)["contributions"]
        assert sorted(g["amount"] for g in gifts) == ["20.00", "5.00"]
    with in_app() as s:  # erasure: the person goes, the amounts stay
        trash_contact(s, keep.id)
        purge_contact(s, keep.id)
        s.commit()
        assert s.get(Contact, keep.id) is None
        rows = s.scalars(select(Contribution)).all()
        assert sorted(r.amount for r in rows) == [Decimal("5.00"), Decimal("20.00")]
        assert all(r.note is None for r in rows)
        (anonymous,) = {r.contact_id for r in rows}
        assert s.get(Contact, anonymous).display_name == "Erased donor"
        assert s.scalar(select(Recurring.status)) == "Cancelled"
    with in_app() as s:
        trash_contact(s, friend.id)
        purge_contact(s, friend.id)
        s.commit()
        assert s.scalar(select(SoftCredit)) is None


def test_the_demo_shows_gifts_a_campaign_a_batch_and_a_page(app, client, in_app):
    from amicale.organisation.demo import load_demo
    from amicale_contribute import demo
    from amicale_contribute.models import Batch, Campaign

    with in_app() as s:
        load_demo(s)
        demo.demo_data(s)
        s.commit()
        assert s.scalar(select(Batch.status)) == "Closed"
        (campaign,) = s.scalars(select(Campaign)).all()
        assert len(s.scalars(select(Contribution)).all()) >= 60
    assert client.get("/contribute/give/soutenir").status_code == 200
    assert campaign.goal_amount == Decimal("6000.00")
