"""Writing contacts as vCard 4.0 and reading vCard 3.0 and 4.0 files back; the import that
creates, skips or updates contacts found by email and lists the cards it refuses."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from amicale.contacts.models import Contact
from amicale.contacts.services import contact_details, create_contact, get_contact
from amicale.vcard.services import (
    CardError,
    ReadCard,
    fold_line,
    import_vcards,
    read_vcards,
    write_vcards,
)


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def make(db, data: dict) -> int:
    with db() as s:
        cid = create_contact(s, data).id
        s.commit()
    return cid


def vcard_of(db, *ids) -> str:
    with db() as s:
        return "".join(write_vcards(s, list(ids)))


HELENE = {
    "contact_type": "Individual",
    "prefix": "Mme",
    "first_name": "Hélène",
    "last_name": "Lefèvre-Çelik",
    "nick_name": "Léna",
    "job_title": "Trésorière, secrétaire; archiviste",
    "birth_date": "1984-02-29",
    "gender": "female",
    "preferred_language": "fr",
    "emails": [
        {"email": "helene@example.org", "location_type": "Home", "is_primary": True},
        {"email": "h.lefevre@travail.example", "location_type": "Work"},
    ],
    "phones": [{"phone": "06 12 34 56 78", "phone_type": "Mobile", "location_type": "Home"}],
    "addresses": [
        {
            "street_address": "12, rue de l'Église; bât. B",
            "supplemental_address_1": "Résidence Les Tilleuls",
            "postal_code": "69001",
            "city": "Lyon",
            "country": "FR",
            "location_type": "Home",
        }
    ],
    "websites": [{"url": "https://helene.example.org/", "website_type": "Main"}],
}


def test_a_contact_written_and_read_back_is_the_same_contact(db):
    cid = make(db, HELENE)
    text = vcard_of(db, cid)
    lines = unfold(text)
    assert (
        lines[0] == "BEGIN:VCARD" and lines[1] == "VERSION:4.0" and text.endswith("END:VCARD\r\n")
    )
    assert "KIND:individual" in lines
    assert "N:Lefèvre-Çelik;Hélène;;Mme;" in lines
    assert "TITLE:Trésorière\\, secrétaire\\; archiviste" in lines
    assert "BDAY:19840229" in lines and "GENDER:F" in lines and "LANG:fr" in lines
    assert "EMAIL;TYPE=home;PREF=1:helene@example.org" in lines
    assert "TEL;VALUE=uri;TYPE=cell,home;PREF=1:tel:+33612345678" in lines
    assert any(line.startswith("UID:urn:uuid:") for line in lines)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))

    [card] = read_vcards(text)
    assert isinstance(card, ReadCard) and card.warnings == []
    with db() as s:
        copy = create_contact(s, card.data)
        s.flush()
        details = contact_details(s, [cid, copy.id])
        original = get_contact(s, cid)
        fields = ("prefix", "first_name", "last_name", "nick_name", "job_title", "birth_date")
        fields += ("gender", "preferred_language", "display_name", "contact_type")
        assert {f: getattr(copy, f) for f in fields} == {f: getattr(original, f) for f in fields}

        def shape(kind, keys):
            return [
                [{k: getattr(r, k) for k in keys} for r in details[i][kind]] for i in (cid, copy.id)
            ]

        a, b = shape("emails", ("email", "location_type", "is_primary"))
        assert a == b and len(a) == 2
        a, b = shape("phones", ("phone", "phone_normalized", "phone_type", "location_type"))
        assert a == b
        keys = ("street_address", "supplemental_address_1", "postal_code", "city", "country")
        a, b = shape("addresses", keys + ("location_type",))
        assert a == b and a[0]["street_address"] == "12, rue de l'Église; bât. B"
        a, b = shape("websites", ("url", "website_type"))
        assert a == b
        s.rollback()


def test_organisations_and_households_have_their_kind(db):
    org = make(db, {"contact_type": "Organization", "organization_name": "Le Grain de SEL"})
    home = make(db, {"contact_type": "Household", "household_name": "Famille Martin"})
    lines = unfold(vcard_of(db, org, home))
    assert "KIND:org" in lines and "ORG:Le Grain de SEL" in lines
    assert "KIND:group" in lines and "FN:Famille Martin" in lines
    cards = read_vcards(vcard_of(db, org, home))
    assert [c.data["contact_type"] for c in cards] == ["Organization", "Household"]
    assert cards[0].data["organization_name"] == "Le Grain de SEL"
    assert cards[1].data["household_name"] == "Famille Martin"


def test_a_long_line_with_accents_is_folded_at_75_octets_without_splitting_a_character():
    value = "NOTE:" + "Élève à l'école, où l'été s'achève ; " * 6
    folded = fold_line(value)
    assert folded.endswith("\r\n")
    parts = folded[:-2].split("\r\n")
    assert len(parts) > 3
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0]] + [p[1:] for p in parts[1:]]) == value
    assert fold_line("FN:Court") == "FN:Court\r\n"


def test_a_long_contact_name_survives_the_folding(db):
    cid = make(db, {"first_name": "Marie-Éléonore-Géraldine-Françoise", "last_name": "Dé" * 40})
    text = vcard_of(db, cid)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    [card] = read_vcards(text)
    assert card.data["last_name"] == "Dé" * 40


GOOGLE_AND_APPLE = """BEGIN:VCARD
VERSION:3.0
FN:Jean-Pierre Dubois
N:Dubois;Jean-Pierre;;;
EMAIL;TYPE=INTERNET;TYPE=HOME:jp.dubois@example.com
EMAIL;TYPE=INTERNET;TYPE=WORK;TYPE=pref:JP.Dubois@Boulot.example
TEL;TYPE=CELL:+33 6 98 76 54 32
TEL;TYPE=WORK;TYPE=VOICE:04 78 00 00 00
ADR;TYPE=HOME:;;3 place Bellecour;Lyon;;69002;France
ORG:Boulangerie Dubois
TITLE:Boulanger
BDAY:1975-06-21
item1.URL:http\\://www.dubois.example
item1.X-ABLabel:_$!<HomePage>!$_
CATEGORIES:myContacts
END:VCARD
BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//iPhone OS 17.0//EN
N:Nguyễn;Thị Mai;;;
FN:Thị Mai Nguyễn
NICKNAME:Mai
item1.EMAIL;type=INTERNET;type=pref:mai.nguyen@example.net
item1.X-ABLabel:_$!<Other>!$_
TEL;type=IPHONE;type=CELL;type=VOICE;type=pref:+32 470 12 34 56
item2.ADR;type=WORK;type=pref:;;Rue Neuve 1\\nBoîte 4;Bruxelles;;1000;Belgique
item2.X-ABADR:be
BDAY;VALUE=date:--0412
END:VCARD
BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//macOS 14.0//EN
N:;;;;
FN:Les Amis du Parc
ORG:Les Amis du Parc;
X-ABShowAs:COMPANY
EMAIL;type=INTERNET;type=WORK:contact@amisduparc.example
END:VCARD
"""


def test_a_vcard_3_file_from_google_and_apple_is_read(db):
    jp, mai, park = read_vcards(GOOGLE_AND_APPLE)
    assert jp.data["first_name"] == "Jean-Pierre" and jp.data["last_name"] == "Dubois"
    assert "organization_name" not in jp.data  # an employer is a relationship, not a field
    assert jp.data["emails"] == [
        {"email": "jp.dubois@example.com", "location_type": "Home", "is_primary": False},
        {"email": "jp.dubois@boulot.example", "location_type": "Work", "is_primary": True},
    ]
    assert [(p["phone_type"], p["location_type"]) for p in jp.data["phones"]] == [
        ("Mobile", "Other"),
        ("Phone", "Work"),
    ]
    assert jp.data["addresses"][0]["country"] == "FR"
    assert jp.data["birth_date"] == "1975-06-21" and jp.data["job_title"] == "Boulanger"
    assert jp.data["websites"] == [{"url": "http://www.dubois.example", "website_type": "Main"}]

    assert mai.data["last_name"] == "Nguyễn" and mai.data["nick_name"] == "Mai"
    assert mai.data["phones"][0]["phone_type"] == "Mobile" and mai.data["phones"][0]["is_primary"]
    address = mai.data["addresses"][0]
    assert address["street_address"] == "Rue Neuve 1"
    assert address["supplemental_address_1"] == "Boîte 4"
    assert address["country"] == "BE" and address["location_type"] == "Work"
    assert "birth_date" not in mai.data and mai.warnings  # no year: said, not guessed

    assert park.data["contact_type"] == "Organization"
    assert park.data["organization_name"] == "Les Amis du Parc"

    with db() as s:
        report = import_vcards(s, GOOGLE_AND_APPLE, user_id=None)
        s.commit()
    assert (len(report.created), len(report.rejected)) == (3, 0)
    with db() as s:
        created = get_contact(s, report.created[0])
        assert created.birth_date == date(1975, 6, 21)
        assert created.display_name == "Jean-Pierre Dubois"


THUNDERBIRD_4 = (
    "BEGIN:VCARD\r\nVERSION:4.0\r\nN:Roux;Anne;;;\r\nFN:Anne Roux\r\n"
    'EMAIL;PREF=1:anne@example.org\r\nTEL;TYPE="work,voice";VALUE=TEXT:+33 4 72 00 00 01\r\n'
    "NOTE:Rencontrée au forum\r\nUID:1c7a4b4e-0000-4000-8000-000000000001\r\nEND:VCARD\r\n"
)


def test_a_vcard_4_file_from_thunderbird_is_read():
    [card] = read_vcards(THUNDERBIRD_4)
    assert card.data["emails"][0]["is_primary"] is True
    assert card.data["phones"] == [
        {
            "phone": "+33 4 72 00 00 01",
            "phone_type": "Phone",
            "location_type": "Work",
            "is_primary": False,
        }
    ]


def count(db) -> int:
    with db() as s:
        return s.execute(select(func.count()).select_from(Contact)).scalar_one()


def test_a_card_whose_email_is_a_contacts_is_skipped_or_updates_it(db):
    cid = make(
        db,
        {
            "first_name": "Anne",
            "last_name": "Roux",
            "emails": [{"email": "anne@example.org"}],
            "phones": [{"phone": "06 11 22 33 44"}],
        },
    )
    before = count(db)
    with db() as s:
        report = import_vcards(s, THUNDERBIRD_4, on_duplicate="skip")
        s.commit()
    assert report.skipped == [{"number": 1, "name": "Anne Roux", "contact_id": cid}]
    assert count(db) == before and not report.created

    with db() as s:
        report = import_vcards(s, THUNDERBIRD_4, on_duplicate="update")
        s.commit()
    assert report.updated == [cid] and count(db) == before
    with db() as s:
        details = contact_details(s, [cid])[cid]
        phones = sorted(p.phone_normalized for p in details["phones"])
        assert phones == ["+33472000001", "+33611223344"]  # the card's number added, none lost
        assert [e.email for e in details["emails"]] == ["anne@example.org"]

    with db() as s:
        report = import_vcards(s, THUNDERBIRD_4, on_duplicate="create")
        s.commit()
    assert len(report.created) == 1 and count(db) == before + 1


def test_two_cards_with_the_same_email_in_one_file_make_one_contact(db):
    with db() as s:
        report = import_vcards(s, THUNDERBIRD_4 + THUNDERBIRD_4)
        s.commit()
    assert len(report.created) == 1 and report.skipped[0]["number"] == 2


BAD_AND_GOOD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bon Premier\r\nN:Premier;Bon;;;\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Mauvais Numéro\r\nN:Numéro;Mauvais;;;\r\n"
    "EMAIL:mauvais@example.org\r\nTEL:12\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nEMAIL:sansnom@example.org\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Liste\r\nKIND:group\r\nMEMBER:urn:uuid:1\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bon Dernier\r\nN:Dernier;Bon;;;\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Coupée\r\n"
)


def test_bad_cards_are_rejected_with_their_reason_and_the_good_ones_created(db):
    before = count(db)
    with db() as s:
        report = import_vcards(s, BAD_AND_GOOD)
        s.commit()
    assert len(report.created) == 2 and count(db) == before + 2
    rejected = {r.number: r for r in report.rejected}
    assert set(rejected) == {2, 3, 4, 6}
    assert "not a valid phone number" in rejected[2].reason and rejected[2].name == "Mauvais Numéro"
    assert "first name or a last name" in rejected[3].reason
    assert "list of contacts" in rejected[4].reason
    assert "END:VCARD" in rejected[6].reason and rejected[6].name == "Coupée"
    with db() as s:  # the refused card left nothing behind, not even its email
        from amicale.contacts.models import Email

        assert s.execute(select(Email).where(Email.email == "mauvais@example.org")).first() is None


def test_a_file_without_any_card_is_refused():
    import pytest

    from amicale.errors import ValidationError

    assert read_vcards("first_name,last_name\nAnne,Roux\n") == []
    with pytest.raises(ValidationError):
        import_vcards(None, "not a vcard")  # refused before touching the database


def test_an_unreadable_card_is_an_error_entry():
    [bad] = read_vcards("BEGIN:VCARD\r\nVERSION:3.0\r\nFN Sans deux-points\r\nEND:VCARD\r\n")
    assert isinstance(bad, CardError) and bad.number == 1 and bad.reason


def test_writing_many_contacts_takes_the_same_few_queries_per_chunk(db, many):
    from sqlalchemy import event

    def queries_for(ids) -> int:
        seen = []
        with db() as s:
            engine = s.get_bind()

            def count_query(*_args):
                seen.append(1)

            event.listen(engine, "before_cursor_execute", count_query)
            try:
                text = "".join(write_vcards(s, ids))
            finally:
                event.remove(engine, "before_cursor_execute", count_query)
        assert text.count("BEGIN:VCARD") == len(ids)
        return len(seen)

    assert queries_for(many[:3]) == queries_for(many[:300])


def test_a_groups_cards_leave_out_the_members_in_the_trash_and_come_by_name(db):
    from amicale.contacts.services import trash_contact
    from amicale.groups import services as groups

    zoe = make(db, {"first_name": "Zoé", "last_name": "Arnaud"})
    bea = make(db, {"first_name": "Béa", "last_name": "Zed"})
    gone = make(db, {"first_name": "Parti", "last_name": "Ailleurs"})
    with db() as s:
        group = groups.create_group(s, {"title": "Chorale"})
        groups.add_contacts(s, group.id, [bea, zoe, gone])
        trash_contact(s, gone)
        s.commit()
        text = "".join(write_vcards(s, groups.member_ids_query(s, group)))
    names = [line[3:] for line in unfold(text) if line.startswith("FN:")]
    assert names == ["Zoé Arnaud", "Béa Zed"]
