"""Every duplicate page and endpoint states its permission: anonymous visitors are sent to the
login page (401 from the API), users without the permission get 403."""

from __future__ import annotations

from amicale.accounts.permissions import view_requirement

OWN = ("dedupe.", "api_dedupe-rules.", "api_duplicates.", "api_contact-merge.")


def test_every_duplicate_route_refuses_anonymous_visitors_and_users_without_permission(
    app, login_as, api_client
):
    anonymous = app.test_client()
    web, api = login_as(None), api_client("norole")
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(OWN):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            is_public, permission = view_requirement(app.view_functions[rule.endpoint], method)
            assert not is_public and permission, f"{method} {rule.rule}"
            url = rule.build({a: 1 for a in rule.arguments}, append_unknown=False)[1]
            if rule.rule.startswith("/api/"):
                assert anonymous.open(url, method=method).status_code == 401, url
                assert api.open(method, url).status_code == 403, url
            else:
                assert anonymous.open(url, method=method).status_code == 302, url
                data = {"csrf_token": web.csrf_token()} if method != "GET" else None
                assert web.open(url, method=method, data=data).status_code == 403, url
            checked += 1
    assert checked == 19
