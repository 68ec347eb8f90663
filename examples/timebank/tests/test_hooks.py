"""What Timebank gives the rest of Amicale: mail tokens, merge, data export and erasure."""

from sqlalchemy import select

from amicale.api_for_plugins import hook, session
from amicale_timebank.models import TimebankItem


def merged(results) -> dict:
    out: dict = {}
    for result in results:
        for key, value in (result or {}).items():
            out.setdefault(key, {}).update(value)
    return out


def test_the_mail_token_counts_each_contacts_items(app, factories):
    with_two, with_none = factories.contact(), factories.contact()
    factories.timebank.item(contact_id=with_two.id)
    factories.timebank.item(contact_id=with_two.id)
    with app.app_context():
        tokens = {k: v for r in hook.mail_tokens() for k, v in r.items()}
        assert "timebank.count" in tokens
        values = merged(
            hook.mail_token_values(
                contact_ids=[with_two.id, with_none.id], tokens=["timebank.count"]
            )
        )
    assert values[with_two.id]["timebank.count"] == "2"
    assert values[with_none.id]["timebank.count"] == "0"


def test_merging_two_contacts_moves_the_items_to_the_one_kept(app, factories):
    kept, merged_away = factories.contact(), factories.contact()
    item = factories.timebank.item(contact_id=merged_away.id)
    with app.app_context():
        s = session()
        hook.merge_contacts(winner_id=kept.id, loser_id=merged_away.id, session=s)
        s.commit()
        assert s.get(TimebankItem, item.id).contact_id == kept.id


def test_a_persons_data_export_and_erasure_include_the_items(app, factories):
    person = factories.contact()
    factories.timebank.item(contact_id=person.id, title="Personal")
    other = factories.timebank.item(title="Someone else's")
    with app.app_context():
        s = session()
        export = {
            k: v
            for r in hook.contact_data(contact_id=person.id, session=s)
            for k, v in (r or {}).items()
        }
        assert [row["title"] for row in export["Timebank"]] == ["Personal"]
        hook.erase_contact(contact_id=person.id, session=s)
        s.commit()
        left = s.scalars(select(TimebankItem.title)).all()
    assert left == [other.title]
