"""Every hook of ``amicale.hookspecs`` is documented and has a test named ``test_hook_<name>``;
each test checks that the hook is called, with the spec's arguments, only for enabled components.

Where the consumer of a hook arrives with a later issue (contacts, email, import, contribute), its
test here proves the calling contract; the consumer's own tests prove the feature.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from types import SimpleNamespace

import click
import pytest
from click.testing import CliRunner
from flask_login import AnonymousUserMixin

from amicale import hookimpl, hookspecs
from amicale.api_for_plugins import Manifest, MenuItem, Permission, Widget
from amicale.components.services import disable_component, enable_component
from amicale.hooktypes import ExportColumn
from amicale.plugins import hook

HOOKS = sorted(
    name for name, fn in vars(hookspecs).items() if callable(fn) and hasattr(fn, "amicale_spec")
)


class ProbeSpecs:
    @hookspecs.hookspec
    def probe_event(self, value):
        """A hook the probe component offers to others."""


class Probe:
    """A component implementing every hook, recording what it was called with."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []

    def _rec(self, name, **kw):
        self.calls.append((name, kw))
        return f"probe:{name}"

    @hookimpl
    def amicale_component(self):
        return Manifest(name="probe", label="Probe", version="1.0")

    @hookimpl
    def register_hookspecs(self, pm):
        pm.add_hookspecs(ProbeSpecs)

    @hookimpl
    def probe_event(self, value):
        return value * 2

    @hookimpl
    def register_models(self):
        return []

    @hookimpl
    def register_migrations(self):
        return None

    @hookimpl
    def register_blueprints(self):
        return []

    @hookimpl
    def register_api(self):
        return []

    @hookimpl
    def register_permissions(self):
        return [Permission("probe.use", "Use the probe", default_roles=("staff",))]

    @hookimpl
    def register_commands(self, cli):
        @cli.command("probe")
        def probe_cmd():
            """The probe's command."""
            click.echo("probe says hello")

    @hookimpl
    def register_activity_types(self):
        return [("probe_visit", "Probe visit")]

    @hookimpl
    def register_relationship_types(self):
        return [
            {
                "name": "probe_of",
                "label_a_b": "Probe of",
                "label_b_a": "Probed by",
                "contact_type_a": "Individual",
                "contact_type_b": "Individual",
            }
        ]

    @hookimpl
    def register_custom_field_entities(self):
        return [("probe_thing", "Probe thing")]

    @hookimpl
    def menu_items(self, user):
        return [MenuItem("probe", "Probe", "web.dashboard", "main", 90, "probe.use")]

    @hookimpl
    def contact_tabs(self, contact, user):
        return self._rec("contact_tabs", contact=contact, user=user)

    @hookimpl
    def contact_summary(self, contact, user):
        return self._rec("contact_summary", contact=contact, user=user)

    @hookimpl
    def dashboard_widgets(self, user):
        return [
            Widget(
                "probe",
                "Probe widget",
                "web/widget_organisation.html",
                {"settings": {"organisation.name": "Probe"}, "enabled": []},
                permission="probe.use",
            )
        ]

    @hookimpl
    def template_slot(self, name, context, **kwargs):
        return (5, f"<b>{name}</b>") if name == "probe.slot" else None

    @hookimpl
    def mail_tokens(self):
        return {"probe.code": "Probe code"}

    @hookimpl
    def mail_token_values(self, contact_ids, tokens):
        return {cid: {t: f"P{cid}" for t in tokens} for cid in contact_ids}

    @hookimpl
    def search_filters(self):
        return self._rec("search_filters")

    @hookimpl
    def reports(self):
        return self._rec("reports")

    @hookimpl
    def import_targets(self):
        return self._rec("import_targets")

    @hookimpl
    def export_columns(self):
        return [ExportColumn("code", "Probe code", lambda session, ids: {i: f"P{i}" for i in ids})]

    @hookimpl
    def request_payment(
        self, entity, entity_id, contact_id, amount, currency, financial_type, status, source
    ):
        return {"contribution_id": 7, "status": status, "amount": amount}

    @hookimpl
    def payment_status_changed(
        self, entity, entity_id, contribution_id, status, amount, receive_date, session
    ):
        return self._rec("payment_status_changed", entity=entity, status=status)

    @hookimpl
    def payment_processors(self):
        return self._rec("payment_processors")

    @hookimpl
    def pre_save(self, entity, action, values):
        values["probe"] = True
        return self._rec("pre_save", entity=entity, action=action)

    @hookimpl
    def post_save(self, entity, action, obj):
        return self._rec("post_save", entity=entity, action=action, obj=obj)

    @hookimpl
    def merge_contacts(self, winner_id, loser_id, session):
        return self._rec("merge_contacts", winner_id=winner_id, loser_id=loser_id)

    @hookimpl
    def contact_data(self, contact_id, session):
        return {"Probe": [{"contact_id": contact_id}]}

    @hookimpl
    def erase_contact(self, contact_id, session):
        return self._rec("erase_contact", contact_id=contact_id)

    @hookimpl
    def demo_data(self, session):
        return self._rec("demo_data")

    @hookimpl
    def scheduled_jobs(self):
        return self._rec("scheduled_jobs")

    @hookimpl
    def on_enable(self, session):
        return self._rec("on_enable")

    @hookimpl
    def on_disable(self, session):
        return self._rec("on_disable")

    @hookimpl
    def on_uninstall(self, session):
        return self._rec("on_uninstall")


@pytest.fixture
def probe():
    return Probe()


@pytest.fixture
def amicale_plugins(probe):
    return {"probe": probe}


@pytest.fixture
def state(app):
    return app.extensions["amicale"]


def call_enabled_and_disabled(app, state, fn):
    """(result while enabled, result while disabled) of ``fn()`` inside a request."""
    enable_component(state.db, state.registry, "probe")
    with app.test_request_context():
        on = fn()
    disable_component(state.db, state.registry, "probe")
    with app.test_request_context():
        off = fn()
    return on, off


def results(values) -> list:
    return [v for v in values if v]


# -- the meta tests ------------------------------------------------------------------------------


def test_every_hook_has_a_docstring_that_says_what_it_returns():
    for name in HOOKS:
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert len(doc) > 60, f"hook {name} has no real docstring"
        assert re.search(r"\b(return|called|call)", doc, re.I), name


def test_every_hook_has_a_test_named_after_it():
    sources = "\n".join(
        p.read_text()
        for p in Path(__file__).parents[2].glob("**/test_*.py")
        if ".venv" not in p.parts
    )
    missing = [h for h in HOOKS if f"def test_hook_{h}(" not in sources]
    assert missing == []


def test_every_hook_of_the_design_table_is_specified():
    design_hooks = {
        "amicale_component",
        "register_hookspecs",
        "register_models",
        "register_migrations",
        "register_blueprints",
        "register_api",
        "register_permissions",
        "register_commands",
        "register_activity_types",
        "register_relationship_types",
        "register_custom_field_entities",
        "menu_items",
        "contact_tabs",
        "contact_summary",
        "dashboard_widgets",
        "template_slot",
        "mail_tokens",
        "mail_token_values",
        "search_filters",
        "reports",
        "import_targets",
        "request_payment",
        "payment_processors",
        "pre_save",
        "post_save",
        "merge_contacts",
        "contact_data",
        "erase_contact",
        "scheduled_jobs",
        "on_enable",
        "on_disable",
        "on_uninstall",
    }
    assert design_hooks <= set(HOOKS)


# -- one test per hook ---------------------------------------------------------------------------


def test_hook_amicale_component(state):
    assert state.registry.components["probe"].manifest.label == "Probe"


def test_hook_register_hookspecs(app, state):
    on, off = call_enabled_and_disabled(app, state, lambda: hook.probe_event(value=21))
    assert (on, off) == ([42], [])


def test_hook_register_models(state):
    assert state.registry.components["probe"].tables == ()
    from amicale.contacts.models import Contact

    assert Contact in state.registry.all_models()


def test_hook_register_migrations(state):
    assert state.registry.components["probe"].migrations is None


def test_hook_register_blueprints(app):
    assert "accounts.login" in app.view_functions  # the core's own pages come from the hook


def test_hook_register_api(app):
    assert "api_components.Components" in app.view_functions


def test_hook_register_permissions(app, state):
    from amicale.db import session

    enable_component(state.db, state.registry, "probe")
    with app.app_context():
        from sqlalchemy import text

        granted = (
            session()
            .execute(
                text(
                    "SELECT r.name FROM role_permission rp JOIN role r ON r.id = rp.role_id "
                    "WHERE rp.permission = 'probe.use'"
                )
            )
            .scalars()
            .all()
        )
    assert granted == ["staff"]


def test_hook_register_commands(app, state):
    from amicale.cli import cli

    runner = CliRunner()
    assert runner.invoke(cli, ["probe"], obj=app).exit_code == 2  # unknown while disabled
    enable_component(state.db, state.registry, "probe")
    result = runner.invoke(cli, ["probe"], obj=app)
    assert result.exit_code == 0 and "probe says hello" in result.output


def test_hook_register_activity_types_creates_them_on_enable(app, state):
    from sqlalchemy import text

    from amicale.db import session

    enable_component(state.db, state.registry, "probe")
    with app.app_context():
        row = (
            session()
            .execute(text("SELECT label, component FROM activity_type WHERE name = 'probe_visit'"))
            .one()
        )
    assert tuple(row) == ("Probe visit", "probe")


def test_hook_register_relationship_types_creates_them_on_enable(app, state):
    from sqlalchemy import text

    from amicale.db import session

    enable_component(state.db, state.registry, "probe")
    with app.app_context():
        labels = (
            session()
            .execute(
                text("SELECT label_a_b, label_b_a FROM relationship_type WHERE name = 'probe_of'")
            )
            .one()
        )
    assert tuple(labels) == ("Probe of", "Probed by")


def test_hook_register_activity_types(app, state):
    on, off = call_enabled_and_disabled(app, state, lambda: hook.register_activity_types())
    assert [("probe_visit", "Probe visit")] in on and [("probe_visit", "Probe visit")] not in off


def test_hook_register_relationship_types(app, state):
    on, off = call_enabled_and_disabled(app, state, lambda: hook.register_relationship_types())
    assert any(r[0]["name"] == "probe_of" for r in on if r) and not results(off)


def test_hook_register_custom_field_entities(app, state):
    on, off = call_enabled_and_disabled(app, state, lambda: hook.register_custom_field_entities())
    assert [("probe_thing", "Probe thing")] in on and not results(off)


def test_hook_menu_items(app, state, login_as):
    staff = login_as("staff")
    enable_component(state.db, state.registry, "probe")
    assert 'data-menu-id="probe"' in staff.get("/dashboard").get_data(as_text=True)
    reader = login_as("readonly")  # lacks probe.use
    assert 'data-menu-id="probe"' not in reader.get("/dashboard").get_data(as_text=True)
    disable_component(state.db, state.registry, "probe")
    assert 'data-menu-id="probe"' not in staff.get("/dashboard").get_data(as_text=True)


def test_hook_contact_tabs(app, state, probe):
    contact = SimpleNamespace(id=1)
    on, off = call_enabled_and_disabled(
        app, state, lambda: hook.contact_tabs(contact=contact, user=AnonymousUserMixin())
    )
    assert "probe:contact_tabs" in on and "probe:contact_tabs" not in off
    assert [c[1]["contact"] for c in probe.calls if c[0] == "contact_tabs"] == [contact]


def test_hook_contact_summary(app, state):
    on, off = call_enabled_and_disabled(
        app, state, lambda: hook.contact_summary(contact=SimpleNamespace(id=1), user=None)
    )
    assert "probe:contact_summary" in on and "probe:contact_summary" not in off


def test_hook_dashboard_widgets(app, state):
    on, off = call_enabled_and_disabled(app, state, lambda: hook.dashboard_widgets(user=None))
    assert any(w.id == "probe" for ws in on for w in ws)
    assert not any(w.id == "probe" for ws in off for w in ws)


def test_hook_template_slot(app, state):
    from amicale.web.setup import _slot

    on, off = call_enabled_and_disabled(app, state, lambda: str(_slot("probe.slot", x=1)))
    assert (on, off) == ("<b>probe.slot</b>", "")


def test_hook_mail_tokens(app, state):
    on, off = call_enabled_and_disabled(app, state, lambda: hook.mail_tokens())
    assert {"probe.code": "Probe code"} in on and not results(off)


def test_hook_mail_token_values(app, state):
    on, _off = call_enabled_and_disabled(
        app, state, lambda: hook.mail_token_values(contact_ids=[1, 2], tokens=["probe.code"])
    )
    assert on == [{1: {"probe.code": "P1"}, 2: {"probe.code": "P2"}}]


def test_hook_search_filters(app, state):
    on, off = call_enabled_and_disabled(app, state, lambda: hook.search_filters())
    assert "probe:search_filters" in on and "probe:search_filters" not in off


def test_hook_reports(app, state):
    on, off = call_enabled_and_disabled(app, state, lambda: hook.reports())
    assert "probe:reports" in on and "probe:reports" not in off


def test_hook_import_targets(app, state):
    on, off = call_enabled_and_disabled(app, state, lambda: hook.import_targets())
    assert "probe:import_targets" in on and "probe:import_targets" not in off


def test_hook_export_columns(app, state, make_contact):
    """The column is offered as ``probe.code`` while enabled, and its values fill the rows."""
    from sqlalchemy import select

    from amicale.contacts.models import Contact
    from amicale.db import session
    from amicale.exports.services import available_columns, choose_columns, rows

    contact = make_contact(first_name="Ada", last_name="Probe")

    def export():
        s = session()
        names = [c.name for c in available_columns(s)]
        if "probe.code" not in names:
            return names, []
        columns = choose_columns(s, ["id", "probe.code"])
        return names, list(rows(s, select(Contact.id), columns))

    (on_names, on_rows), (off_names, _off_rows) = call_enabled_and_disabled(app, state, export)
    assert "probe.code" in on_names and "probe.code" not in off_names
    assert [contact.id, f"P{contact.id}"] in on_rows


def test_hook_request_payment(app, state):
    """firstresult: the one payment provider answers; with none enabled the caller gets None."""

    def ask():
        return hook.request_payment(
            entity="membership",
            entity_id=3,
            contact_id=1,
            amount="25.00",
            currency="EUR",
            financial_type="Member Dues",
            status="Pending",
            source="test",
            details=None,
        )

    on, off = call_enabled_and_disabled(app, state, ask)
    assert on == {"contribution_id": 7, "status": "Pending", "amount": "25.00"}
    assert off is None


def test_hook_payment_status_changed(app, state):
    """The payment component tells the owner of the paid record; disabled, nobody hears."""

    def tell():
        return hook.payment_status_changed(
            entity="membership",
            entity_id=3,
            contribution_id=7,
            status="Completed",
            amount="25.00",
            receive_date=None,
            session=None,
        )

    on, off = call_enabled_and_disabled(app, state, tell)
    assert "probe:payment_status_changed" in on and "probe:payment_status_changed" not in off


def test_hook_payment_processors(app, state):
    on, off = call_enabled_and_disabled(app, state, lambda: hook.payment_processors())
    assert "probe:payment_processors" in on and "probe:payment_processors" not in off


def test_hook_pre_save(app, state):
    values: dict = {}
    enable_component(state.db, state.registry, "probe")
    with app.test_request_context():
        hook.pre_save(entity="contact", action="create", values=values)
    assert values == {"probe": True}


def test_hook_post_save(app, state, probe):
    call_enabled_and_disabled(
        app, state, lambda: hook.post_save(entity="contact", action="update", obj="O")
    )
    assert [c for c in probe.calls if c[0] == "post_save"] == [
        ("post_save", {"entity": "contact", "action": "update", "obj": "O"})
    ]


def test_hook_merge_contacts(app, state):
    from amicale.db import session

    on, off = call_enabled_and_disabled(
        app, state, lambda: hook.merge_contacts(winner_id=1, loser_id=2, session=session())
    )
    assert "probe:merge_contacts" in on and "probe:merge_contacts" not in off


def test_hook_contact_data(app, state):
    from amicale.db import session

    on, off = call_enabled_and_disabled(
        app, state, lambda: hook.contact_data(contact_id=5, session=session())
    )
    assert {"Probe": [{"contact_id": 5}]} in on
    assert {"Probe": [{"contact_id": 5}]} not in off


def test_hook_erase_contact(app, state):
    from amicale.db import session

    on, off = call_enabled_and_disabled(
        app, state, lambda: hook.erase_contact(contact_id=5, session=session())
    )
    assert "probe:erase_contact" in on and "probe:erase_contact" not in off


def test_hook_demo_data(app, state, probe):
    """``amicale demo`` enables the installed components of a new demo and calls theirs."""
    from amicale.organisation.demo import enable_demo_components

    probe.calls.clear()
    enabled = enable_demo_components(app)
    assert "probe" in enabled
    assert ("demo_data", {}) in probe.calls


def test_hook_scheduled_jobs(app, state):
    on, off = call_enabled_and_disabled(app, state, lambda: hook.scheduled_jobs())
    assert "probe:scheduled_jobs" in on and "probe:scheduled_jobs" not in off


def test_hook_on_enable(state, probe):
    enable_component(state.db, state.registry, "probe")
    enable_component(state.db, state.registry, "probe")  # already enabled: not called again
    assert [c[0] for c in probe.calls] == ["on_enable"]


def test_hook_on_disable(state, probe):
    enable_component(state.db, state.registry, "probe")
    disable_component(state.db, state.registry, "probe")
    assert [c[0] for c in probe.calls] == ["on_enable", "on_disable"]


def test_hook_on_uninstall(state, probe):
    from amicale.components.services import uninstall_component

    enable_component(state.db, state.registry, "probe")
    uninstall_component(state.db, state.registry, "probe", purge=True)
    assert [c[0] for c in probe.calls] == ["on_enable", "on_disable", "on_uninstall"]
