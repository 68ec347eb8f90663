"""Personal API tokens: shown once, stored hashed, revocable, used as Authorization: Bearer."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import text

from amicale.db import session


def test_a_user_creates_a_token_sees_it_once_uses_it_and_revokes_it(app, login_as):
    web = login_as("staff", email="claire@example.org", locale="en")
    page = web.post_form("/account", {"action": "token", "token-name": "Tableur"})
    html = page.get_data(as_text=True)
    token = re.search(r'id="new-token">(amc_[^<]+)<', html).group(1)
    assert "will not be shown again" in html
    assert token not in web.get("/account").get_data(as_text=True)  # shown once only

    with app.app_context():
        stored = session().execute(text("SELECT token_hash, prefix FROM api_key")).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(stored.prefix) and len(stored.prefix) < len(token)

    api = app.test_client()
    me = api.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.get_json()["email"] == "claire@example.org"
    assert me.get_json()["roles"] == ["staff"]
    assert "access_amicale" in me.get_json()["permissions"]

    with app.app_context():
        key_id = session().execute(text("SELECT id FROM api_key")).scalar()
    assert web.post_form(f"/account/tokens/{key_id}/revoke").status_code == 302
    again = api.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 401
    assert again.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_of_someone_else_cannot_be_revoked(app, login_as, api_client):
    owner = api_client("staff")
    other = login_as("staff")
    with app.app_context():
        key_id = session().execute(text("SELECT id FROM api_key")).scalar()
    assert other.post_form(f"/account/tokens/{key_id}/revoke").status_code == 404
    assert owner.get("/api/v1/users/me").status_code == 200


def test_a_token_needs_a_name(login_as):
    web = login_as("staff", locale="en")
    response = web.post_form("/account", {"action": "token", "token-name": ""})
    assert response.status_code == 200
    assert 'id="new-token"' not in response.get_data(as_text=True)


def test_the_api_ignores_the_session_cookie(app, login_as):
    """A logged-in browser is not an API client: no CSRF-able API calls."""
    web = login_as("administrator")
    assert web.get("/api/v1/users/me").status_code == 401


def test_bad_tokens_get_401(api_client, app):
    client = app.test_client()
    for header in ("Bearer nope", "Bearer amc_forged", "Basic abc", "Bearer "):
        response = client.get("/api/v1/users/me", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.get_json()["status"] == "Unauthorized"
