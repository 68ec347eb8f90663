"""Fixtures of the core's tests: the amicale-sdk pytest plugin, plus sample extensions installed
with a real entry point (a dist-info on a temporary path)."""

from __future__ import annotations

import importlib
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from amicale_sdk.testing import install_entry_point

EXTENSIONS = Path(__file__).parent / "extensions"


def install_extension(site: Path, name: str) -> None:
    """Make ``amicale_<name>`` discoverable through the ``amicale.plugins`` entry point."""
    install_entry_point(site, name, f"amicale_{name}.plugin")


@pytest.fixture
def extensions(request) -> list[str]:
    marker = request.node.get_closest_marker("extensions")
    return list(marker.args) if marker else []


@pytest.fixture
def amicale_plugins(extensions, tmp_path, monkeypatch) -> dict:
    """Installs the extensions named by ``@pytest.mark.extensions(...)`` before the app starts."""
    if extensions:
        site = tmp_path / "site"
        for name in extensions:
            install_extension(site, name)
        monkeypatch.syspath_prepend(str(EXTENSIONS))
        monkeypatch.syspath_prepend(str(site))
        importlib.invalidate_caches()
    return {}


@pytest.fixture
def state(amicale_app):
    return amicale_app.extensions["amicale"]


@pytest.fixture
def sample_calls():
    """The lifecycle calls recorded by the sample extension during the test."""
    if str(EXTENSIONS) not in sys.path:
        sys.path.insert(0, str(EXTENSIONS))
    from amicale_sample_ext import plugin

    plugin.CALLS.clear()
    yield plugin.CALLS
    plugin.CALLS.clear()


# -- shared by the groups, tags and notes tests: a session in a request, a few contacts ----------


@pytest.fixture
def db(app):
    """``with db() as s:`` a session inside an app and request context."""

    @contextmanager
    def open_session():
        import amicale.db

        with app.test_request_context(headers={"Accept-Language": "en"}):
            yield amicale.db.session()

    return open_session


@pytest.fixture
def people(db) -> dict[str, int]:
    from amicale.contacts.services import create_contact

    rows = {
        "lao": {"contact_type": "Individual", "first_name": "Wei", "last_name": "Lao"},
        "marie": {"contact_type": "Individual", "first_name": "Marie", "last_name": "Dupont"},
        "jean": {"contact_type": "Individual", "first_name": "Jean", "last_name": "Dupont"},
        "helene": {
            "contact_type": "Individual",
            "first_name": "Hélène",
            "last_name": "Martin",
            "addresses": [{"city": "Lyon", "country": "FR", "is_primary": True}],
        },
        "grain": {
            "contact_type": "Organization",
            "organization_name": "Le Grain de SEL",
            "addresses": [{"city": "Lyon", "country": "FR", "is_primary": True}],
        },
    }
    with db() as s:
        ids = {key: create_contact(s, data).id for key, data in rows.items()}
        s.commit()
    return ids


@pytest.fixture
def many(db) -> list[int]:
    """Three hundred contacts made in one go, for the bulk operations."""
    from sqlalchemy import insert, select

    from amicale.contacts.models import Contact

    with db() as s:
        s.execute(
            insert(Contact),
            [
                {
                    "contact_type": "Individual",
                    "first_name": f"Person{i}",
                    "last_name": "Bulk",
                    "display_name": f"Person{i} Bulk",
                    "sort_name": f"Bulk, Person{i:03d}",
                }
                for i in range(300)
            ],
        )
        s.commit()
        return list(
            s.execute(
                select(Contact.id).where(Contact.last_name == "Bulk").order_by(Contact.id)
            ).scalars()
        )
