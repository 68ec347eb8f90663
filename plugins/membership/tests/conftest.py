"""The SDK's fixtures (amicale-sdk's pytest plugin) with Membership enabled in every test app,
and a few helpers of these tests."""

from datetime import date

import pytest
from sqlalchemy import func, select

from amicale.api_for_plugins import session
from amicale_membership.testing import Factories as MembershipFactories


@pytest.fixture
def amicale_components():
    return ["membership"]


@pytest.fixture
def factories(factories, amicale_app):
    """The SDK's factories, with ``factories.membership`` even while the distribution's
    ``amicale.factories`` entry point is not installed (an editable install made before it)."""
    if "membership" not in factories._entry_points:
        factories._loaded["membership"] = MembershipFactories(amicale_app, factories)
    return factories


@pytest.fixture
def count_rows(app):
    """``count_rows(Model)`` -> how many rows its table has now."""

    def count(model, *where) -> int:
        with app.app_context():
            return session().scalar(select(func.count()).select_from(model).where(*where))

    return count


@pytest.fixture
def member(factories):
    """``member("Ada", "Lovelace")`` -> a new individual contact."""

    def make(first_name: str = "Test", last_name: str = "Member"):
        return factories.contact(first_name=first_name, last_name=last_name)

    return make


@pytest.fixture
def in_app(app):
    """``with in_app() as s:`` a session in an app context (committed by the test if needed)."""
    from contextlib import contextmanager

    @contextmanager
    def make():
        with app.test_request_context(headers={"Accept-Language": "en"}):
            yield session()

    return make


D = date
