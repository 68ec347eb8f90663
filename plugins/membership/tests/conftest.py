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


@pytest.fixture
def organisation(app):
    """The organisation's name and sending address (the mail needs them)."""
    from amicale.api_for_plugins import session as current_session

    # not in api_for_plugins yet (tests only): the organisation's settings
    from amicale.organisation.services import set_setting

    with app.app_context():
        s = current_session()
        set_setting(s, "organisation.name", "Les Amis du Parc")
        set_setting(s, "organisation.email", "bureau@amis-du-parc.example.org")
        s.commit()


@pytest.fixture
def message_template(app):
    """``message_template(name, subject, body_text)`` -> the id of a core message template."""

    def make(name: str, subject: str, body_text: str, body_html: str | None = None) -> int:
        from amicale.mail.services import save_template

        with app.app_context():
            s = session()
            template = save_template(
                s,
                {
                    "name": name,
                    "subject": subject,
                    "body_text": body_text,
                    "body_html": body_html,
                },
            )
            s.commit()
            return template.id

    return make
