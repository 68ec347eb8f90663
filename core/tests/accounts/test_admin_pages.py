"""An admin adds users, gives roles, and chooses what each role may do."""

from __future__ import annotations

from sqlalchemy import text

from amicale.db import session


def test_an_admin_adds_a_volunteer_who_can_then_log_in(app, login_as):
    admin = login_as("administrator", locale="en")
    response = admin.post_form(
        "/admin/users/new",
        {
            "email": "karim@example.org",
            "first_name": "Karim",
            "last_name": "Benali",
            "password": "une longue phrase secrète",
            "roles": ["volunteer"],
            "locale": "fr",
        },
    )
    assert response.status_code == 302
    listing = admin.get("/admin/users").get_data(as_text=True)
    assert "karim@example.org" in listing and "Karim Benali" in listing

    newcomer = app.test_client()
    ok = newcomer.post_form(
        "/login", {"email": "karim@example.org", "password": "une longue phrase secrète"}
    )
    assert ok.status_code == 302
    assert newcomer.get("/dashboard").status_code == 200
    assert newcomer.get("/admin/users").status_code == 403


def test_bad_user_input_is_shown_on_the_fields_and_changes_nothing(app, login_as):
    admin = login_as("administrator", locale="en")
    with app.app_context():
        before = session().execute(text("SELECT count(*) FROM user_account")).scalar()
    for data, message in [
        ({"email": "not-an-email", "password": "long enough pass"}, "not a valid email"),
        ({"email": "x@example.org", "password": "short"}, "at least 10 characters"),
        ({"email": admin.user.email, "password": "long enough pass"}, "already exists"),
        (
            {"email": "y@example.org", "password": "long enough pass", "roles": ["king"]},
            "is not a valid choice",
        ),
    ]:
        response = admin.post_form("/admin/users/new", {"roles": ["staff"], **data})
        assert response.status_code == 200
        assert message in response.get_data(as_text=True), message
    with app.app_context():
        assert session().execute(text("SELECT count(*) FROM user_account")).scalar() == before


def test_the_last_administrator_cannot_lose_the_role_or_be_deactivated(app, login_as):
    admin = login_as("administrator", locale="en")
    url = f"/admin/users/{admin.user.id}"
    response = admin.post_form(
        url, {"email": admin.user.email, "roles": ["staff"], "is_active": "y"}
    )
    assert "remove your own Administrator role" in response.get_data(as_text=True)
    response = admin.post_form(url, {"email": admin.user.email, "roles": ["administrator"]})
    assert "cannot deactivate yourself" in response.get_data(as_text=True)
    assert admin.get("/admin/components/").status_code == 200


def test_an_admin_deactivates_a_user_whose_session_ends(app, login_as):
    admin = login_as("administrator", locale="en")
    staff = login_as("staff")
    assert staff.get("/dashboard").status_code == 200
    response = admin.post_form(
        f"/admin/users/{staff.user.id}", {"email": staff.user.email, "roles": ["staff"]}
    )  # is_active unchecked
    assert response.status_code == 302
    assert staff.get("/dashboard").status_code == 302


def test_roles_are_made_of_permissions_the_admin_chooses(app, login_as):
    admin = login_as("administrator", locale="en")
    volunteer = login_as("volunteer")
    assert volunteer.get("/admin/components/").status_code == 403
    with app.app_context():
        role_id = session().execute(text("SELECT id FROM role WHERE name='volunteer'")).scalar()
    page = admin.get(f"/admin/roles/{role_id}").get_data(as_text=True)
    assert 'value="administer_components"' in page
    response = admin.post_form(
        f"/admin/roles/{role_id}", {"permissions": ["access_amicale", "administer_components"]}
    )
    assert response.status_code == 302
    assert volunteer.get("/admin/components/").status_code == 200
    bad = admin.post_form(f"/admin/roles/{role_id}", {"permissions": ["fly"]})
    assert bad.status_code == 200 and "is not a valid choice" in bad.get_data(as_text=True)


def test_an_admin_creates_a_role(app, login_as):
    admin = login_as("administrator", locale="en")
    response = admin.post_form("/admin/roles", {"name": "treasurer", "label": "Trésorier"})
    assert response.status_code == 302
    assert "Trésorier" in admin.get("/admin/roles").get_data(as_text=True)
    dup = admin.post_form("/admin/roles", {"name": "treasurer", "label": "Encore"})
    assert "already exists" in dup.get_data(as_text=True)
    bad = admin.post_form("/admin/roles", {"name": "tré sorier!", "label": "X"})
    assert "letters, digits and underscores" in bad.get_data(as_text=True)


def test_users_pick_their_language(app, login_as):
    user = login_as("staff", locale="en")
    assert (
        user.post_form("/account", {"action": "profile", "profile-locale": "fr"}).status_code == 302
    )
    assert '<html lang="fr">' in user.get("/dashboard").get_data(as_text=True)
    user.post_form("/account", {"action": "profile", "profile-locale": "en"})
    assert '<html lang="en">' in user.get("/dashboard").get_data(as_text=True)
