"""The SDK's fixtures (amicale-sdk's pytest plugin) with Events enabled in every test app, and
a few helpers of these tests."""

from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from amicale.api_for_plugins import session
from amicale_event.testing import Factories as EventFactories


@pytest.fixture
def amicale_components():
    return ["event"]


@pytest.fixture
def factories(factories, amicale_app):
    """The SDK's factories, with ``factories.event`` even while the distribution's
    ``amicale.factories`` entry point is not installed."""
    if "event" not in factories._entry_points:
        factories._loaded["event"] = EventFactories(amicale_app, factories)
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
    """The organisation's name and sending address (mail needs them)."""
    from amicale.api_for_plugins import set_setting

    with app.app_context():
        s = session()
        set_setting(s, "organisation.name", "Les Amis du Parc")
        set_setting(s, "organisation.email", "bureau@amis-du-parc.example.org")
        s.commit()
