"""The SDK's fixtures (amicale-sdk's pytest plugin) with Timebank enabled in every test app,
and a few helpers of these tests."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from amicale.api_for_plugins import session


@pytest.fixture
def amicale_components():
    return ["timebank"]


@pytest.fixture
def count_rows(app):
    """``count_rows(Model)`` -> how many rows its table has now."""

    def count(model) -> int:
        with app.app_context():
            return session().scalar(select(func.count()).select_from(model))

    return count


@pytest.fixture
def member(factories):
    """``member("Ada", "Lovelace")`` -> a new individual contact."""

    def make(first_name: str = "Test", last_name: str = "Member"):
        return factories.contact(first_name=first_name, last_name=last_name)

    return make


@pytest.fixture
def in_three_days() -> str:
    """A date in the future wherever the machine and the members are."""
    return (date.today() + timedelta(days=3)).isoformat()
