"""The contact's Memberships tab and its forms, the admin's pages, and who may do what."""

import re
from datetime import date

import pytest

from amicale.api_for_plugins import session
from amicale_membership.models import Membership


def test_the_tab_shows_current_and_past_memberships_the_owner_and_the_history(
    app, login_as, member, factories
):
    from amicale.relationships.services import create_relationship

    ada = member("Ada", "Lovelace")
    home = factories.household(household_name="Lovelace household")
    family = factories.membership.type(name="Family", relationship_types=["household_member_of"])
    with app.app_context():
        s = session()
        create_relationship(
            s,
            {
                "relationship_type": "household_member_of",
                "contact_id_a": ada.id,
                "contact_id_b": home.id,
            },
        )
        s.commit()
    factories.membership.membership(contact_id=home.id, membership_type_id=family.id)
    factories.membership.membership(contact_id=ada.id, join_date="2015-01-01")
    staff = login_as("staff", locale="en")
    tab = staff.get(f"/membership/contact/{ada.id}").get_data(as_text=True)
    current = tab.split('id="membership-current"', 1)[1].split("</table>", 1)[0]
    past = tab.split('id="membership-past"', 1)[1].split("</table>", 1)[0]
    assert "Family" in current and "inherited from" in current and "Lovelace household" in current
    assert "Expired" in past and "Joined" in past
    assert f"/membership/contact/{ada.id}/join" in tab


def test_joining_from_the_tab_and_errors_beside_the_fields(login_as, member, factories):
    ada = member()
    kind = factories.membership.type(name="Individual", minimum_fee="12")
    staff = login_as("staff", locale="en")
    bad = staff.post_form(
        f"/membership/contact/{ada.id}/join", {"membership_type_id": "", "join_date": "soon"}
    )
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert 'id="f-join_date-error"' in page and 'id="f-membership_type_id-error"' in page
    done = staff.post_form(
        f"/membership/contact/{ada.id}/join",
        {"membership_type_id": kind.id, "join_date": "2025-02-01", "record_payment": "1"},
    )
    assert done.status_code == 302
    tab = staff.get(f"/membership/contact/{ada.id}").get_data(as_text=True)
    assert "Individual" in tab and "12" in tab


def test_renew_change_type_override_and_cancel_from_the_forms(app, login_as, factories):
    m = factories.membership.membership(join_date=date.today().isoformat())
    other = factories.membership.type(name="Supporter")
    staff = login_as("staff", locale="en")
    for action in ("renew", "change-type", "cancel", "override"):
        assert staff.get(f"/membership/{m.id}/{action}").status_code == 200
    assert staff.get(f"/membership/{m.id}/explode").status_code == 404
    assert staff.post_form(f"/membership/{m.id}/renew", {"record_payment": "1"}).status_code == 302
    no_type = staff.post_form(f"/membership/{m.id}/change-type", {"membership_type_id": ""})
    assert no_type.status_code == 422 and 'id="f-membership_type_id-error"' in no_type.get_data(
        as_text=True
    )
    assert (
        staff.post_form(
            f"/membership/{m.id}/change-type", {"membership_type_id": other.id}
        ).status_code
        == 302
    )
    with app.app_context():
        from amicale_membership import services

        grace = services.status_by_name(session(), "Grace").id
    no_reason = staff.post_form(f"/membership/{m.id}/override", {"status_id": grace})
    assert no_reason.status_code == 422
    assert 'id="f-override_reason-error"' in no_reason.get_data(as_text=True)
    assert (
        staff.post_form(
            f"/membership/{m.id}/override", {"status_id": grace, "override_reason": "Board"}
        ).status_code
        == 302
    )
    assert staff.post_form(f"/membership/{m.id}/override", {"clear": "1"}).status_code == 302
    assert staff.post_form(f"/membership/{m.id}/cancel", {"reason": "Moved"}).status_code == 302
    with app.app_context():
        saved = session().get(Membership, m.id)
        assert saved.membership_type_id == other.id and not saved.is_override
    tab = staff.get(f"/membership/contact/{m.contact_id}").get_data(as_text=True)
    assert "Cancelled" in tab.split('id="membership-past"', 1)[1]


def test_the_admin_pages_of_types_and_status_rules(login_as):
    admin = login_as("administrator", locale="en")
    assert "Household member of" in admin.get("/membership/types").get_data(as_text=True)
    bad = admin.post_form(
        "/membership/types", {"name": "", "period_type": "fixed", "duration_unit": "year"}
    )
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert 'id="f-name-error"' in page and 'id="f-fixed_period_start_day-error"' in page
    created = admin.post_form(
        "/membership/types",
        {
            "name": "School year",
            "period_type": "fixed",
            "fixed_period_start_day": "0901",
            "duration_unit": "year",
            "duration_interval": "1",
            "minimum_fee": "15,50",
            "relationship_types": "household_member_of",
            "is_active": "1",
        },
    )
    assert created.status_code == 302
    listing = admin.get("/membership/types").get_data(as_text=True)
    type_id = re.search(r'data-type-id="(\d+)"', listing).group(1)
    assert "School year" in listing
    form = admin.get(f"/membership/types/{type_id}/edit").get_data(as_text=True)
    assert 'value="household_member_of" checked' in form
    statuses = admin.get("/membership/statuses").get_data(as_text=True)
    assert "Grace" in statuses and "set by hand" in statuses
    status_id = re.search(r'data-status-id="(\d+)"', statuses).group(1)
    assert admin.get(f"/membership/statuses/{status_id}/edit").status_code == 200
    no_rule = admin.post_form("/membership/statuses", {"name": "Odd", "label": "Odd"})
    assert no_rule.status_code == 422
    assert admin.post_form(f"/membership/types/{type_id}/delete").status_code == 302
    assert "School year" not in admin.get("/membership/types").get_data(as_text=True)


def test_the_menu_has_the_memberships_and_the_admin_entries(login_as):
    dashboard = login_as("administrator", locale="en").get("/dashboard").get_data(as_text=True)
    assert 'data-menu-id="membership"' in dashboard
    assert 'data-menu-id="admin.membership.types"' in dashboard
    staff = login_as("staff", locale="en").get("/dashboard").get_data(as_text=True)
    assert 'data-menu-id="membership"' in staff
    assert 'data-menu-id="admin.membership.types"' not in staff


def test_the_list_of_memberships_filters_by_status(login_as, member, factories):
    ada = member("Ada", "Lovelace")
    factories.membership.membership(contact_id=ada.id, join_date="2018-01-01")
    staff = login_as("staff", locale="en")
    assert "Ada Lovelace" in staff.get("/membership/?status=Expired").get_data(as_text=True)
    assert "Ada Lovelace" not in staff.get("/membership/?status=New").get_data(as_text=True)


ROUTES = [
    ("get", "/membership/", "view"),
    ("get", "/membership/contact/{contact}", "view"),
    ("get", "/membership/contact/{contact}/join", "edit"),
    ("post", "/membership/contact/{contact}/join", "edit"),
    ("get", "/membership/{membership}/renew", "edit"),
    ("post", "/membership/{membership}/cancel", "edit"),
    ("get", "/membership/types", "administer"),
    ("post", "/membership/types", "administer"),
    ("get", "/membership/types/{type}/edit", "administer"),
    ("post", "/membership/types/{type}/delete", "administer"),
    ("get", "/membership/statuses", "administer"),
    ("get", "/membership/statuses/1/edit", "administer"),
]


@pytest.mark.parametrize(("method", "url", "needs"), ROUTES)
def test_every_page_refuses_who_may_not_see_it(client, login_as, factories, method, url, needs):
    m = factories.membership.membership()
    url = url.format(contact=m.contact_id, membership=m.id, type=m.membership_type_id)

    def call(c):
        return c.get(url) if method == "get" else c.post_form(url, {})

    anonymous = call(client)
    assert anonymous.status_code in (302, 401) and "/login" in anonymous.headers.get(
        "Location", "/login"
    )
    assert call(login_as(None)).status_code == 403
    reader = call(login_as("readonly"))
    assert (reader.status_code == 403) == (needs != "view")
    staff = call(login_as("staff"))
    assert (staff.status_code == 403) == (needs == "administer")


def test_the_tab_of_no_contact_is_not_found(login_as):
    assert login_as("staff").get("/membership/contact/999999").status_code == 404
    assert login_as("staff").get("/membership/999999/renew").status_code == 404


class TestDisabled:
    @pytest.fixture
    def amicale_components(self):
        return []

    def test_a_disabled_component_answers_404(self, login_as, api_client):
        assert login_as("administrator").get("/membership/types").status_code == 404
        assert api_client("administrator").get("/api/v1/memberships").status_code == 404
