"""Membership speaks French, the core's default language: every message has its translation,
compiled. When this fails, run ``bash scripts/translations.sh`` (from the root of the
checkout), translate the empty entries of
amicale_membership/translations/fr/LC_MESSAGES/messages.po, and run it again."""

import gettext
import re
from io import BytesIO, StringIO
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "amicale_membership" / "translations" / "fr" / "LC_MESSAGES"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
# The mapping scripts/translations.sh extracts the components' messages with.
MAPPING = """
[python: amicale_*/**.py]
[jinja2: amicale_*/**/templates/**.html]
extensions = jinja2.ext.i18n
"""


def read_catalog():
    with open(CATALOG / "messages.po", "rb") as f:
        return read_po(f, locale="fr")


def test_every_message_has_its_french_translation():
    method_map, options_map = parse_mapping_cfg(StringIO(MAPPING))
    extracted = {
        (message if isinstance(message, str) else message[0]): f"{filename}:{lineno}"
        for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS
        )
    }
    assert "Renewals due this month" in extracted  # the templates are extracted too
    catalog = read_catalog()
    missing = [
        f"{msgid!r} ({where})"
        for msgid, where in extracted.items()
        if catalog.get(msgid) is None or not catalog.get(msgid).string or catalog.get(msgid).fuzzy
    ]
    assert not missing, "untranslated:\n  " + "\n  ".join(missing)
    assert not [(m.id, errors) for m, errors in catalog.check()]  # placeholders match


def test_the_compiled_catalog_is_up_to_date():
    compiled = BytesIO()
    write_mo(compiled, read_catalog())
    compiled.seek(0)
    expected = gettext.GNUTranslations(compiled)._catalog
    with open(CATALOG / "messages.mo", "rb") as f:
        assert gettext.GNUTranslations(f)._catalog == expected


def test_shared_words_are_translated_as_the_core_does():
    from amicale import api_for_plugins

    core_po = (
        Path(api_for_plugins.__file__).parent
        / "translations"
        / "fr"
        / "LC_MESSAGES"
        / "messages.po"
    )
    with open(core_po, "rb") as f:
        core = read_po(f, locale="fr")
    different = [
        (m.id, m.string, core.get(m.id).string)
        for m in read_catalog()
        if m.id and core.get(m.id) is not None and core.get(m.id).string != m.string
    ]
    assert not different


def test_a_french_user_sees_the_memberships_in_french(login_as, member, factories):
    ada = member()
    factories.membership.membership(contact_id=ada.id, join_date="2019-05-01")
    user = login_as("staff", locale="fr")
    dashboard = user.get("/dashboard").get_data(as_text=True)
    entry = re.search(r'data-menu-id="membership"[^>]*>([^<]*)</a>', dashboard)
    assert entry and entry.group(1) == "Adhésions"
    assert "Renouvellements attendus ce mois-ci" in dashboard
    tab = user.get(f"/membership/contact/{ada.id}").get_data(as_text=True)
    assert "Adhésions passées" in tab and "Expirée" in tab


def test_a_french_user_reads_form_errors_in_french(login_as, member):
    ada = member()
    response = login_as("staff", locale="fr").post_form(
        f"/membership/contact/{ada.id}/join", {"join_date": "hier"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Indiquez une date au format AAAA-MM-JJ." in page
    assert "Choisissez le type d&#39;adhésion." in page
