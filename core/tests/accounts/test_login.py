"""Staff log in and out; wrong passwords slow down then lock; forms need their CSRF token;
cookies are HttpOnly and SameSite; a password change ends the other sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from amicale.accounts import services
from amicale.accounts.models import LoginAttempt
from amicale.clock import utcnow
from amicale.db import session
from amicale_sdk.pytest_plugin import TEST_PASSWORD


def login(client, email, password, **kw):
    return client.post_form("/login", {"email": email, "password": password}, **kw)


def test_an_admin_logs_in_sees_the_dashboard_and_logs_out(app, client, make_user):
    user = make_user(("administrator",), email="sophie@example.org", locale="en")
    response = login(client, "Sophie@Example.org ", TEST_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "sophie@example.org" in page and 'data-menu-id="admin.components"' in page
    assert client.post_form("/logout").status_code == 302
    assert client.get("/dashboard").status_code == 302
    with app.app_context():
        assert session().get(type(user), user.id).last_login_at is not None


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(client, make_user):
    make_user(("staff",), email="a@example.org")
    response = client.post_form(
        "/login?next=/account", {"email": "a@example.org", "password": TEST_PASSWORD}
    )
    assert response.headers["Location"] == "/account"
    client.post_form("/logout")
    response = client.post_form(
        "/login?next=https://evil.example/x", {"email": "a@example.org", "password": TEST_PASSWORD}
    )
    assert response.headers["Location"] == "/dashboard"


def test_a_wrong_password_is_refused_with_a_message_and_nothing_else_leaks(client, make_user):
    make_user(("staff",), email="a@example.org")
    response = login(client, "a@example.org", "wrong password!")
    assert response.status_code == 401
    unknown = login(client, "nobody@example.org", "wrong password!")
    # the same answer for an unknown account: no way to learn who has one
    assert unknown.status_code == 401
    assert response.get_data(as_text=True).count('class="flash flash-error"') == 1
    assert client.get("/dashboard").status_code == 302


def test_an_inactive_user_cannot_log_in(app, client, make_user):
    user = make_user(("staff",), email="gone@example.org")
    with app.app_context():
        s = session()
        u = s.get(type(user), user.id)
        u.is_active = False
        s.commit()
    assert login(client, "gone@example.org", TEST_PASSWORD).status_code == 401


def test_forms_without_their_csrf_token_are_refused(client, make_user):
    make_user(("staff",), email="a@example.org")
    response = client.post("/login", data={"email": "a@example.org", "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert client.get("/dashboard").status_code == 302  # not logged in


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    make_user(("staff",), email="a@example.org")
    response = login(client, "a@example.org", TEST_PASSWORD)
    cookie = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("amicale_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookies_are_secure_when_configured(amicale_database_url, tmp_path):
    from amicale.app import create_app
    from amicale.config import Settings

    settings = Settings.from_env(
        {"AMICALE_COOKIE_SECURE": "true"},
        instance_path=tmp_path,
        database_url=amicale_database_url,
        secret_key="k",
    )
    app = create_app(settings, testing=True)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    app.extensions["amicale"].db.dispose()


def test_changing_the_password_ends_the_other_sessions(app, login_as):
    first = login_as("staff", locale="en")
    second = app.test_client()
    with first.session_transaction() as sess:
        cookie_user = sess["_user_id"]
    with second.session_transaction() as sess:
        sess["_user_id"] = cookie_user
    assert second.get("/account").status_code == 200
    response = first.post_form(
        "/account",
        {
            "action": "password",
            "password-current_password": TEST_PASSWORD,
            "password-new_password": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert first.get("/account").status_code == 200  # this session goes on
    assert second.get("/account").status_code == 302  # the other one is logged out


def test_a_short_new_password_is_refused_on_the_field(login_as):
    client = login_as("staff", locale="en")
    response = client.post_form(
        "/account",
        {
            "action": "password",
            "password-current_password": TEST_PASSWORD,
            "password-new_password": "short",
        },
    )
    assert response.status_code == 200
    assert "at least 10 characters" in response.get_data(as_text=True)


# -- throttling (the service, with a clock in hand) ----------------------------------------------


@pytest.fixture
def s(app):
    # an English-speaking visitor, whatever the machine's language
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield session()


def attempt(s, email, password, ip="10.0.0.1", now=None):
    try:
        user = services.authenticate(s, email, password, ip, now=now)
        s.commit()
        return user
    except services.LoginRefused as exc:
        s.commit()
        return exc.message


def test_failed_logins_slow_down_then_lock_the_account_for_a_while(app, s, make_user):
    make_user(("staff",), email="a@example.org", locale="en")
    t0 = utcnow()
    for i in range(services.ACCOUNT_SLOW_AFTER):
        assert attempt(s, "a@example.org", "bad", now=t0 + timedelta(seconds=i)) == (
            "Wrong email or password."
        )
    # now each try must wait: even the right password is not heard at once
    too_soon = attempt(s, "a@example.org", TEST_PASSWORD, now=t0 + timedelta(seconds=2))
    assert "Too many failed attempts" in too_soon
    # after the wait, the right password works and the count starts again
    user = attempt(s, "a@example.org", TEST_PASSWORD, now=t0 + timedelta(seconds=10))
    assert user.email == "a@example.org"
    assert (
        s.get(LoginAttempt, 1) is None
        or s.exec(select(LoginAttempt).where(LoginAttempt.key == "account:a@example.org")).first()
        is None
    )

    # many failures lock the account for LOCK_MINUTES
    t = t0 + timedelta(minutes=1)
    for _ in range(services.ACCOUNT_LOCK_AFTER):
        t += timedelta(minutes=2)  # patient attacker, past every slow-down
        attempt(s, "a@example.org", "bad", ip=f"10.0.1.{_}", now=t)
    locked = attempt(s, "a@example.org", TEST_PASSWORD, now=t + timedelta(minutes=5))
    assert "try again in" in locked and "minutes" in locked
    assert (
        attempt(
            s, "a@example.org", TEST_PASSWORD, now=t + timedelta(minutes=services.LOCK_MINUTES + 1)
        ).email
        == "a@example.org"
    )


def test_one_address_trying_many_accounts_is_locked_too(app, s, make_user):
    make_user(("staff",), email="victim@example.org", locale="en")
    t = utcnow()
    for i in range(services.ADDRESS_LOCK_AFTER):
        t += timedelta(minutes=2)
        attempt(s, f"guess{i}@example.org", "bad", ip="192.0.2.9", now=t)
    refused = attempt(s, "victim@example.org", TEST_PASSWORD, ip="192.0.2.9", now=t)
    assert "Too many failed attempts" in refused
    # the real user, from another address, is not locked out
    assert attempt(s, "victim@example.org", TEST_PASSWORD, ip="198.51.100.4", now=t).email


def test_the_web_login_counts_failures_and_says_to_wait(app, client, make_user):
    make_user(("staff",), email="a@example.org", locale="en")
    for _ in range(services.ACCOUNT_SLOW_AFTER):
        login(client, "a@example.org", "bad")
    with app.app_context():
        s = session()
        attempt = s.exec(
            select(LoginAttempt).where(LoginAttempt.key == "account:a@example.org")
        ).one()
        assert attempt.failures == services.ACCOUNT_SLOW_AFTER  # the web login counted them
        # a few more failures, so that the wait outlasts a slow machine (32 s, not 1 s)
        attempt.failures = services.ACCOUNT_SLOW_AFTER + 5
        attempt.last_failure_at = utcnow()
        s.commit()
    response = login(client, "a@example.org", TEST_PASSWORD)
    assert response.status_code == 401
    assert "Too many failed attempts" in response.get_data(
        as_text=True
    ) or "Trop de tentatives" in response.get_data(as_text=True)
