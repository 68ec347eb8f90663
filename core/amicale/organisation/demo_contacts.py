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


def load_demo_contacts(session: Session, staff_contact_id: int | None = None) -> dict[str, int]:
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
    _network(session, ids, staff_contact_id)
    return ids


def _network(session: Session, ids: dict[str, int], staff_contact_id: int | None) -> None:
    """Households, employers, activities, groups, tags, notes and a custom field set."""
    from datetime import UTC, date, datetime, timedelta

    from ..activities.services import create_activity
    from ..customfields import services as custom
    from ..groups import services as groups
    from ..notes.services import create_note
    from ..relationships.services import create_relationship
    from ..tags import services as tags

    def rel(a: str, kind: str, b: str, start: date | None = None) -> None:
        create_relationship(
            session,
            {
                "contact_id_a": ids[a],
                "contact_id_b": ids[b],
                "relationship_type": kind,
                "start_date": start,
            },
        )

    rel("Mme Hélène Lao", "household_member_of", "Famille Lao", date(2015, 6, 1))
    rel("Mme Hélène Lao", "head_of_household", "Famille Lao")
    rel("M. Kofi Mensah", "household_member_of", "Famille Mensah-Diallo")
    rel("Mme Fatou Diallo", "household_member_of", "Famille Mensah-Diallo")
    rel("M. Kofi Mensah", "spouse_of", "Mme Fatou Diallo", date(2012, 9, 8))
    rel("Mme Inès Haddad", "employee_of", "Épicerie solidaire La Passerelle", date(2021, 1, 4))
    rel("M. Mathis Lefèvre", "volunteer_for", "Épicerie solidaire La Passerelle")
    rel("M. Raphaël Martin", "employee_of", "Mairie du 4e arrondissement", date(2019, 3, 1))

    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    stories = [
        ("phone_call", "Mme Hélène Lao", "Proposition d'atelier couture", 20, "Completed"),
        ("meeting", "M. Kofi Mensah", "Préparation de la bourse aux plantes", 32, "Completed"),
        ("email", "Mme Élodie Béranger", "Bienvenue au Grain de SEL", 15, "Completed"),
        ("meeting", "Mairie du 4e arrondissement", "Demande de subvention 2027", 9, "Completed"),
        (
            "follow_up",
            "Mme Élodie Béranger",
            "Rappeler pour la permanence du samedi",
            -2,
            "Scheduled",
        ),
        ("follow_up", "Fondation Entraide Rhône", "Envoyer le bilan d'activité", -6, "Scheduled"),
        ("letter", "Mme Marie-Thérèse Dupont", "Remerciement pour le don", 45, "Completed"),
    ]
    me = staff_contact_id or ids["Mme Hélène Lao"]
    for kind, who, subject, days_ago, status in stories:
        create_activity(
            session,
            {
                "activity_type": kind,
                "subject": subject,
                "status": status,
                "activity_date": now - timedelta(days=days_ago),
                "duration": 30,
                "target_contact_ids": [ids[who]],
                "source_contact_id": me,
                "assignee_contact_ids": [me] if status == "Scheduled" else [],
            },
        )

    volunteers = groups.create_group(session, {"title": "Bénévoles du samedi"})
    news = groups.create_group(
        session,
        {
            "title": "Informations ponctuelles",
            "is_mailing_list": True,
            "visibility": "Public Pages",
        },
    )
    events = groups.create_group(
        session,
        {"title": "Événements réguliers", "is_mailing_list": True, "visibility": "Public Pages"},
    )
    groups.add_contacts(
        session,
        volunteers.id,
        [
            ids[n]
            for n in ("Mme Hélène Lao", "M. Kofi Mensah", "M. Mathis Lefèvre", "Mme Inès Haddad")
        ],
    )
    people = [ids[f"{p[0]} {p[1]} {p[2]}"] for p in PEOPLE]
    groups.add_contacts(session, news.id, people, method="Web")
    groups.add_contacts(session, events.id, people[:6], method="Web")
    groups.save_search_as_group(session, "Contacts de Villeurbanne", {"city": "Villeurbanne"}, None)

    skills = tags.create_tag(session, {"name": "Compétences", "is_selectable": False})
    for name, who in (
        ("Jardinage", ["M. Kofi Mensah", "Mme Zoé Çelik"]),
        ("Couture", ["Mme Hélène Lao"]),
        ("Informatique", ["M. Mathis Lefèvre", "M. Raphaël Martin"]),
    ):
        tag = tags.create_tag(session, {"name": name, "parent_id": skills.id})
        tags.tag_contacts(session, tag.id, [ids[w] for w in who])

    create_note(
        session,
        {
            "contact_id": ids["Mme Hélène Lao"],
            "subject": "Atelier",
            "note": "Propose un atelier couture un mercredi sur deux.",
        },
        author_contact_id=None,
    )

    profile = custom.create_group(
        session,
        {
            "name": "profil",
            "title": "Profil",
            "extends": "contact",
            "extends_contact_type": "Individual",
        },
    )
    custom.create_field(
        session,
        {
            "custom_group_id": profile.id,
            "name": "quartier",
            "label": "Quartier",
            "data_type": "select",
            "is_searchable": True,
            "options": [
                {"value": "croix_rousse", "label": "Croix-Rousse"},
                {"value": "presquile", "label": "Presqu'île"},
                {"value": "villeurbanne", "label": "Villeurbanne"},
            ],
        },
    )
    custom.create_field(
        session,
        {
            "custom_group_id": profile.id,
            "name": "trocs",
            "label": "Trocs proposés",
            "data_type": "text",
            "is_searchable": True,
        },
    )
    from ..contacts.services import update_contact

    for name, district, offers in (
        ("Mme Hélène Lao", "presquile", "ourlets, retouches"),
        ("M. Kofi Mensah", "presquile", "confitures, boutures"),
        ("Mme Zoé Çelik", "croix_rousse", "cours de turc"),
        ("M. Mathis Lefèvre", "villeurbanne", "réparation d'ordinateurs"),
    ):
        update_contact(session, ids[name], {"custom": {"quartier": district, "trocs": offers}})
