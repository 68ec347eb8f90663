"""The SDK's fixtures (amicale-sdk's pytest plugin) with Grants enabled in every test app, and a
few helpers of these tests."""

from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from amicale.api_for_plugins import session
from amicale_grant.testing import Factories as GrantFactories


@pytest.fixture
def amicale_components():
    return ["grant"]


@pytest.fixture
def factories(factories, amicale_app):
    """The SDK's factories, with ``factories.grant`` even while the distribution's
    ``amicale.factories`` entry point is not installed (an editable install made before it)."""
    if "grant" not in factories._entry_points:
        factories._loaded["grant"] = GrantFactories(amicale_app, factories)
    return factories


@pytest.fixture
def count_rows(app):
    """``count_rows(Model)`` -> how many rows its table has now."""

    def count(model, *where) -> int:
        with app.app_context():
            return session().scalar(select(func.count()).select_from(model).where(*where))

    return count


@pytest.fixture
def in_app(app):
    """``with in_app() as s:`` a session in a request context in English."""

    @contextmanager
    def make():
        with app.test_request_context(headers={"Accept-Language": "en"}):
            yield session()

    return make


@pytest.fixture
def organisation(app):
    """The organisation's name and sending address (the mail needs them)."""
    # not in api_for_plugins (tests only): the organisation's settings
    from amicale.organisation.services import set_setting

    with app.app_context():
        s = session()
        set_setting(s, "organisation.name", "Les Amis du Parc")
        set_setting(s, "organisation.email", "bureau@amis-du-parc.example.org")
        s.commit()
