"""Every registered web route and API endpoint states its permission; anonymous visitors are sent
to the login page (web) or get 401 (API); a user without the permission gets 403. Only an explicit
allow-list of routes is public."""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from amicale.accounts.permissions import view_requirement
from amicale.components.services import enable_component

pytestmark = pytest.mark.extensions("sample_ext")

PUBLIC = {
    "_root",  # redirects to the dashboard (which asks for a login)
    "static",
    "web.static",
    "accounts.login",
    "accounts.set_language",
    "api-docs.openapi_json",
    "mail.unsubscribe",  # the signed link of every mailing message (404 without a valid token)
    "mail.subscribe",  # the public subscription form (double opt-in)
    "mail.confirm_subscription",  # the signed link of the confirmation email
    "mail.preferences",  # the signed link of every mailing message
    "membership.public_join",  # the public join form (CSRF, honeypot)
    "membership.public_renew",  # the signed renewal link of the reminders
    "contribute_public.give",  # a donation page (CSRF, honeypot)
    "contribute_public.thanks",  # its thank-you page (by the attempt's random token)
    "contribute_public.pay",  # the signed link to pay a pending contribution (dues)
    "contribute_public.paid",  # where a processor sends the payer back (random token)
    "contribute_public.test_pay",  # the test processor's card page (random token)
    "event.public_list",  # the public events
    "event.public_register",  # an event's registration form (CSRF, honeypot)
    "event.public_event_ics",  # an event's iCalendar file
    "event.public_feed",  # the iCalendar feed of public events
    "event.public_cancel",  # the signed self-service cancellation link
    "grant.public_apply",  # a programme's public application form (CSRF, honeypot)
}


def route_cases(app):
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def build(rule: Rule) -> str:
    values = {
        arg: 1 if rule._converters[arg].__class__.__name__ == "IntegerConverter" else "x"
        for arg in rule.arguments
    }
    if "name" in rule.arguments:
        values["name"] = "sample_ext"
    return rule.build(values, append_unknown=False)[1]


@pytest.fixture
def enabled_app(app):
    """Every installed component enabled (the sample extension and whatever is installed, such
    as the timebank example): a disabled component's routes answer 404 to everyone."""
    state = app.extensions["amicale"]
    for name in state.registry.ordered(state.registry.usable()):
        enable_component(state.db, state.registry, name)
    return app


def test_every_route_states_a_permission_or_is_in_the_public_allow_list(enabled_app):
    undeclared, public = [], set()
    for rule, method in route_cases(enabled_app):
        view = enabled_app.view_functions[rule.endpoint]
        if rule.endpoint in {"static", "web.static"} or rule.endpoint.endswith(".static"):
            public.add(rule.endpoint)
            continue
        is_public, permission = view_requirement(view, method)
        if is_public:
            public.add(rule.endpoint)
        elif permission is None:
            undeclared.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert undeclared == []
    assert public - {e for e in public if e.endswith(".static")} <= PUBLIC
    assert {"accounts.login", "api-docs.openapi_json"} <= public


def test_anonymous_visitors_are_sent_to_login_or_get_401(enabled_app):
    client = enabled_app.test_client()
    checked = 0
    for rule, method in route_cases(enabled_app):
        if rule.endpoint in PUBLIC or rule.endpoint.endswith("static"):
            continue
        url = build(rule)
        response = client.open(url, method=method)
        if rule.rule.startswith("/api/"):
            assert response.status_code == 401, f"{method} {url}"
            assert response.get_json()["code"] == 401
        else:
            assert response.status_code == 302, f"{method} {url}: {response.status_code}"
            assert "/login" in response.headers["Location"], f"{method} {url}"
        checked += 1
    assert checked > 15


def test_a_user_without_the_permission_gets_403(enabled_app, login_as, api_client):
    web = login_as(None)  # logged in, but no role at all
    api = api_client("norole")
    checked = 0
    for rule, method in route_cases(enabled_app):
        if rule.endpoint in PUBLIC or rule.endpoint.endswith("static"):
            continue
        if rule.endpoint == "accounts.logout":  # would end the session of the walk
            continue
        _public, permission = view_requirement(enabled_app.view_functions[rule.endpoint], method)
        url = build(rule)
        if rule.rule.startswith("/api/"):
            response = api.open(method, url)
        else:
            data = {"csrf_token": web.csrf_token()}
            response = web.open(url, method=method, data=data if method != "GET" else None)
        if permission == "":  # any logged-in user: one's own account, logout
            assert response.status_code != 403, f"{method} {url}"
        else:
            assert response.status_code == 403, f"{method} {url}: {response.status_code}"
            checked += 1
    assert checked > 10


def test_a_readonly_user_sees_the_extension_page_but_cannot_add(enabled_app, login_as):
    reader = login_as("readonly")
    assert reader.get("/sample_ext/").status_code == 200
    assert reader.post_form("/sample_ext/add", {"name": "x"}).status_code == 403
    assert reader.get("/admin/components/").status_code == 403
