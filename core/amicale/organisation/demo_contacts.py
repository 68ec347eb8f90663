"""The people of « Le Grain de SEL » for ``amicale demo``: members, volunteers, households and
partner organisations, with their details, so a newcomer sees a living CRM."""

from __future__ import annotations

from sqlmodel import Session

from ..contacts import services as contacts

SUBTYPES = [
    ("volunteer", "Bénévole", "Individual"),
    ("donor", "Donateur", "Individual"),
    ("family", "Famille", "Household"),
    ("partner", "Partenaire", "Organization"),
]

PEOPLE = [
    (
        "Mme",
        "Hélène",
        "Lao",
        "helene.lao@example.org",
        "06 12 34 56 78",
        "3 rue Burdeau",
        "69001",
        "Lyon",
        ["volunteer"],
    ),
    (
        "M.",
        "Kofi",
        "Mensah",
        "kofi.mensah@example.org",
        "06 23 45 67 89",
        "18 montée de la Grande Côte",
        "69001",
        "Lyon",
        ["volunteer", "donor"],
    ),
    (
        "Mme",
        "Élodie",
        "Béranger",
        "elodie.beranger@example.org",
        "07 81 22 33 44",
        "5 place Sathonay",
        "69001",
        "Lyon",
        [],
    ),
    (
        "M.",
        "Jean-Baptiste",
        "Nguyễn",
        "jb.nguyen@example.org",
        "06 98 76 54 32",
        "42 rue d'Austerlitz",
        "69004",
        "Lyon",
        ["donor"],
    ),
    (
        "Mme",
        "Zoé",
        "Çelik",
        "zoe.celik@example.org",
        "06 11 22 33 44",
        "7 rue Dumenge",
        "69004",
        "Lyon",
        [],
    ),
    (
        "M.",
        "Mathis",
        "Lefèvre",
        "mathis.lefevre@example.org",
        "06 55 44 33 22",
        "12 avenue Roger Salengro",
        "69100",
        "Villeurbanne",
        ["volunteer"],
    ),
    (
        "Mme",
        "Fatou",
        "Diallo",
        "fatou.diallo@example.org",
        "07 66 55 44 33",
        "9 rue Francis de Pressensé",
        "69100",
        "Villeurbanne",
        [],
    ),
    (
        "Mme",
        "Marie-Thérèse",
        "Dupont",
        "mt.dupont@example.org",
        "04 78 00 11 22",
        "1 quai Saint-Vincent",
        "69001",
        "Lyon",
        ["donor"],
    ),
    (
        "M.",
        "Raphaël",
        "Martin",
        "raphael.martin@example.org",
        "06 01 02 03 04",
        "30 rue Hénon",
        "69004",
        "Lyon",
        [],
    ),
    (
        "Mme",
        "Inès",
        "Haddad",
        "ines.haddad@example.org",
        "06 09 08 07 06",
        "2 place de la Croix-Rousse",
        "69004",
        "Lyon",
        ["volunteer"],
    ),
]

HOUSEHOLDS = [
    ("Famille Lao", "3 rue Burdeau", "69001", "Lyon"),
    ("Famille Mensah-Diallo", "18 montée de la Grande Côte", "69001", "Lyon"),
]

ORGANISATIONS = [
    (
        "Mairie du 4e arrondissement",
        "mairie4@example.fr",
        "04 72 98 23 50",
        "133 boulevard de la Croix-Rousse",
        "69004",
        "Lyon",
        ["partner"],
    ),
    (
        "Épicerie solidaire La Passerelle",
        "contact@passerelle.example.org",
        "04 78 39 12 12",
        "8 rue Pailleron",
        "69004",
        "Lyon",
        ["partner"],
    ),
    (
        "Fondation Entraide Rhône",
        "dons@entraide-rhone.example.org",
        "04 72 00 00 01",
        "20 rue de la République",
        "69002",
        "Lyon",
        [],
    ),
]


def load_demo_contacts(session: Session) -> dict[str, int]:
    """Create the sample contacts; returns their ids by display name."""
    for name, label, kind in SUBTYPES:
        contacts.create_subtype(session, name, label, kind)
    ids: dict[str, int] = {}
    for prefix, first, last, email, phone, street, postal, city, subtypes in PEOPLE:
        c = contacts.create_contact(
            session,
            {
                "prefix": prefix,
                "first_name": first,
                "last_name": last,
                "gender": "female" if prefix == "Mme" else "male",
                "preferred_language": "fr",
                "subtypes": subtypes,
                "source": "Fichier adhérents 2024",
                "emails": [{"email": email}],
                "phones": [{"phone": phone, "phone_type": "Mobile"}],
                "addresses": [
                    {"street_address": street, "postal_code": postal, "city": city, "country": "FR"}
                ],
            },
        )
        ids[c.display_name] = c.id
    for name, street, postal, city in HOUSEHOLDS:
        c = contacts.create_contact(
            session,
            {
                "contact_type": "Household",
                "household_name": name,
                "subtypes": ["family"],
                "addresses": [
                    {"street_address": street, "postal_code": postal, "city": city, "country": "FR"}
                ],
            },
        )
        ids[c.display_name] = c.id
    for name, email, phone, street, postal, city, subtypes in ORGANISATIONS:
        c = contacts.create_contact(
            session,
            {
                "contact_type": "Organization",
                "organization_name": name,
                "subtypes": subtypes,
                "emails": [{"email": email, "location_type": "Work"}],
                "phones": [{"phone": phone, "location_type": "Work"}],
                "addresses": [
                    {
                        "street_address": street,
                        "postal_code": postal,
                        "city": city,
                        "country": "FR",
                        "location_type": "Work",
                    }
                ],
            },
        )
        ids[c.display_name] = c.id
    return ids
