"""What a column of a contacts file can be mapped to, and the automatic mapping of a header
("Nom", "Prénom", "Courriel", "Code postal"...) to a field.

Field keys:
- a contact column: ``first_name``, ``birth_date``, ``do_not_email``...
- ``email:<Location>``, ``phone:<Location>:<Phone type>``, ``website:<Type>``,
  ``address:<Location>:<part>`` (street_address, postal_code, city, country...);
- ``custom:<name>`` for an admin-defined field of contacts;
- ``groups``, ``tags``, ``subtypes``: names or titles separated by commas or semicolons;
- ``contact_type`` (Individual, Organization, Household; "Particulier", "Organisation" work too).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from ..contacts.models import LOCATION_TYPES, PHONE_TYPES, WEBSITE_TYPES
from ..contacts.normalise import fold

ADDRESS_PARTS = (
    "street_address",
    "supplemental_address_1",
    "supplemental_address_2",
    "postal_code",
    "city",
    "state_province",
    "country",
)
TEXT_FIELDS = (
    "prefix",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "nick_name",
    "organization_name",
    "household_name",
    "legal_name",
    "job_title",
    "preferred_language",
    "external_identifier",
    "source",
)
DATE_FIELDS = ("birth_date", "deceased_date")
BOOL_FIELDS = (
    "is_deceased",
    "do_not_email",
    "do_not_phone",
    "do_not_mail",
    "do_not_sms",
    "is_opt_out",
)


@dataclass(frozen=True)
class FieldChoice:
    key: str
    label: str
    section: str


def _labels() -> dict[str, object]:
    from ..contacts.labels import ADDRESS_PART_LABELS, CONTACT_FIELD_LABELS

    return {
        **CONTACT_FIELD_LABELS,
        **ADDRESS_PART_LABELS,
        "groups": _l("Groups"),
        "tags": _l("Tags"),
        "subtypes": _l("Contact subtypes"),
    }


def contact_fields(session: Session) -> list[FieldChoice]:
    """Every field a column can be mapped to, in the order the mapping page lists them."""
    from ..customfields import services as custom

    labels = _labels()
    out = [
        FieldChoice(k, str(labels[k]), str(_l("Contact")))
        for k in ("contact_type", *TEXT_FIELDS[:6], "gender", *DATE_FIELDS, *TEXT_FIELDS[6:])
    ]
    out += [FieldChoice(k, str(labels[k]), str(_l("Contact"))) for k in BOOL_FIELDS]
    out += [
        FieldChoice(k, str(labels[k]), str(_l("Groups and tags")))
        for k in ("groups", "tags", "subtypes")
    ]
    for loc in LOCATION_TYPES:
        out.append(FieldChoice(f"email:{loc}", f"{_l('Email')} ({_l(loc)})", str(_l("Emails"))))
    for loc in LOCATION_TYPES:
        for kind in PHONE_TYPES:
            out.append(
                FieldChoice(f"phone:{loc}:{kind}", f"{_l(kind)} ({_l(loc)})", str(_l("Phones")))
            )
    for loc in LOCATION_TYPES:
        for part in ADDRESS_PARTS:
            out.append(
                FieldChoice(
                    f"address:{loc}:{part}",
                    f"{labels[part]} ({_l(loc)})",
                    str(_l("Addresses")),
                )
            )
    for kind in WEBSITE_TYPES:
        out.append(
            FieldChoice(f"website:{kind}", f"{_l('Website')} ({_l(kind)})", str(_l("Websites")))
        )
    for f, _g in custom._entity_fields(session, "contact").values():
        if f.is_active and _g.is_active:
            out.append(FieldChoice(f"custom:{f.name}", f.label, str(_l("Custom fields"))))
    return out


# Header words (accent-free, lower case, no punctuation) -> field key.
HEADER_WORDS = {
    "prenom": "first_name",
    "first name": "first_name",
    "firstname": "first_name",
    "given name": "first_name",
    "nom": "last_name",
    "nom de famille": "last_name",
    "last name": "last_name",
    "lastname": "last_name",
    "surname": "last_name",
    "family name": "last_name",
    "civilite": "prefix",
    "titre": "prefix",
    "prefix": "prefix",
    "title": "prefix",
    "sexe": "gender",
    "genre": "gender",
    "gender": "gender",
    "date de naissance": "birth_date",
    "naissance": "birth_date",
    "ne le": "birth_date",
    "nee le": "birth_date",
    "birth date": "birth_date",
    "birthdate": "birth_date",
    "date of birth": "birth_date",
    "email": "email:Home",
    "e mail": "email:Home",
    "mail": "email:Home",
    "courriel": "email:Home",
    "adresse email": "email:Home",
    "adresse mail": "email:Home",
    "adresse e mail": "email:Home",
    "email pro": "email:Work",
    "email professionnel": "email:Work",
    "courriel professionnel": "email:Work",
    "work email": "email:Work",
    "telephone": "phone:Home:Phone",
    "tel": "phone:Home:Phone",
    "phone": "phone:Home:Phone",
    "telephone fixe": "phone:Home:Phone",
    "fixe": "phone:Home:Phone",
    "portable": "phone:Home:Mobile",
    "mobile": "phone:Home:Mobile",
    "telephone portable": "phone:Home:Mobile",
    "telephone mobile": "phone:Home:Mobile",
    "tel portable": "phone:Home:Mobile",
    "cell": "phone:Home:Mobile",
    "adresse": "address:Home:street_address",
    "rue": "address:Home:street_address",
    "address": "address:Home:street_address",
    "street": "address:Home:street_address",
    "street address": "address:Home:street_address",
    "complement d adresse": "address:Home:supplemental_address_1",
    "complement": "address:Home:supplemental_address_1",
    "adresse 2": "address:Home:supplemental_address_1",
    "code postal": "address:Home:postal_code",
    "cp": "address:Home:postal_code",
    "postal code": "address:Home:postal_code",
    "zip": "address:Home:postal_code",
    "zip code": "address:Home:postal_code",
    "ville": "address:Home:city",
    "commune": "address:Home:city",
    "city": "address:Home:city",
    "town": "address:Home:city",
    "region": "address:Home:state_province",
    "pays": "address:Home:country",
    "country": "address:Home:country",
    "organisation": "organization_name",
    "organization": "organization_name",
    "structure": "organization_name",
    "association": "organization_name",
    "raison sociale": "organization_name",
    "entreprise": "organization_name",
    "societe": "organization_name",
    "company": "organization_name",
    "fonction": "job_title",
    "metier": "job_title",
    "profession": "job_title",
    "poste": "job_title",
    "job title": "job_title",
    "identifiant": "external_identifier",
    "id": "external_identifier",
    "numero": "external_identifier",
    "numero adherent": "external_identifier",
    "n adherent": "external_identifier",
    "reference": "external_identifier",
    "external id": "external_identifier",
    "external identifier": "external_identifier",
    "site web": "website:Main",
    "site": "website:Main",
    "website": "website:Main",
    "groupes": "groups",
    "groupe": "groups",
    "groups": "groups",
    "etiquettes": "tags",
    "etiquette": "tags",
    "tags": "tags",
    "langue": "preferred_language",
    "language": "preferred_language",
    "source": "source",
    "origine": "source",
    "type": "contact_type",
    "type de contact": "contact_type",
    "contact type": "contact_type",
}


def _header_key(header: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in fold(header)).split())


def guess_mapping(session: Session, headers: list[str]) -> list[dict]:
    """A first mapping from the headers: known words, field keys, labels of fields (custom
    ones included). A field is used once; "Civilité" gives the prefix and the gender."""
    choices = contact_fields(session)
    by_label = {_header_key(c.label): c.key for c in choices}
    by_label.update({_header_key(c.key): c.key for c in choices})
    custom_names = {
        _header_key(c.key.split(":", 1)[1]): c.key for c in choices if c.key.startswith("custom:")
    }
    used: set[str] = set()
    out = []
    for i, header in enumerate(headers):
        key = _header_key(header)
        field = HEADER_WORDS.get(key) or by_label.get(key) or custom_names.get(key)
        if field and field not in used:
            used.add(field)
            out.append({"column": i, "header": header, "field": field, "values": {}})
            if field == "prefix" and "gender" not in used:
                used.add("gender")
                out.append({"column": i, "header": header, "field": "gender", "values": {}})
    return out
