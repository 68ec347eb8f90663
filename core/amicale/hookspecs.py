"""Every hook of Amicale. Each docstring is the reference: when it is called, what it receives,
what it returns (``amicale sdk hooks`` prints them).

Implementations may accept fewer arguments than the spec names, so a hook can grow without breaking
anyone. Hooks of a component are called only while it is enabled for the organisation; the core's
own features are default plugins that are always enabled.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("amicale")

#: The plugin API version this core implements; a manifest targets one of SUPPORTED_PLUGIN_API.
PLUGIN_API_VERSION = "1"
SUPPORTED_PLUGIN_API = {"1"}


@hookspec(firstresult=True)
def amicale_component():
    """Return the component's manifest, an ``amicale.api_for_plugins.Manifest``.

    Called once per plugin when the plugins are loaded (not only when enabled), to list installed
    components. The manifest gives ``name`` (equal to the entry point's name), ``label``,
    ``version``, ``description``, ``plugin_api`` (the plugin API version it targets), ``requires``
    (components that must be enabled first) and ``optional`` (companions it works with when they
    are enabled).
    """


@hookspec(historic=True)
def register_hookspecs(pm):
    """Add hook specifications that this component offers to others.

    ``pm`` is the pluggy ``PluginManager``; call ``pm.add_hookspecs(module)``. Historic: called for
    every plugin whenever it is registered, enabled or not, so that others' implementations validate.
    Name the hooks with the component's prefix (``membership_status_changed``).
    """


@hookspec
def register_models():
    """Return the SQLModel table classes the component owns.

    Called at start-up for every installed component, enabled or not, so the metadata and Alembic
    know every table. Table names must start with the component's name and an underscore
    (``event_participant``); the loader refuses a component whose tables stray.
    """


@hookspec
def register_migrations():
    """Return ``(branch_label, versions_folder)`` of the component's Alembic branch.

    The branch label is the component's name; its first revision has ``depends_on`` set to a core
    revision. ``amicale db upgrade`` and enabling the component upgrade the branch to its head.
    """


@hookspec
def register_blueprints():
    """Return the Flask blueprints of the component's web UI.

    Called once at start-up for every installed component. A blueprint without its own
    ``url_prefix`` is mounted under ``/<component>/``. Every view must state its permission with
    ``@permission_required(...)`` or ``@public``; the routes of a disabled component answer 404.
    """


@hookspec
def register_api():
    """Return flask-smorest ``Blueprint`` objects mounted under ``/api/v1/``.

    Every method view states its permission with ``@permission_required`` (or ``@public``).
    Requests carry ``Authorization: Bearer <token>``. A disabled component's endpoints answer 404
    and leave the OpenAPI document.
    """


@hookspec
def register_permissions():
    """Return a list of ``Permission(name, label, description, default_roles)``.

    Called when permissions are listed and when the component is enabled: the roles named in
    ``default_roles`` (``administrator``, ``staff``, ``volunteer``, ``readonly``) are granted the
    permission the first time. Administrators always have every permission.
    """


@hookspec
def register_commands(cli):
    """Add click commands to ``cli`` (the ``amicale`` group), under ``amicale <component> ...``.

    Called when the ``amicale`` command starts, for enabled components only. Commands run inside an
    app context: ``amicale.db.session()`` works.
    """


@hookspec
def register_activity_types():
    """Return the activity types the component records, as ``(name, label)`` pairs
    (``("membership_signup", "Membership Signup")``). Called when the component is enabled and
    by ``amicale db upgrade``: the missing types are created."""


@hookspec
def register_relationship_types():
    """Return relationship types the component needs, as dicts with ``name``, ``label_a_b``,
    ``label_b_a``, ``contact_type_a``, ``contact_type_b``. Created on enable if missing."""


@hookspec
def register_custom_field_entities():
    """Return the entities of the component that accept admin-defined custom fields, as
    ``(entity_name, label)`` pairs (``("contribute_contribution", "Contribution")``)."""


@hookspec
def menu_items(user):
    """Return entries of the navigation menu for ``user`` (the logged-in ``User``).

    Each entry is a ``MenuItem(id, label, endpoint, section, weight, permission)``; the menu keeps
    only those whose ``permission`` the user has, groups them by ``section`` and sorts by ``weight``.
    ``main`` entries are links of the menu bar, ``admin`` ones are under "Administer"; any other
    section (a component's name) is a dropdown of its own, titled by its first entry.
    """


@hookspec
def contact_tabs(contact, user):
    """Return tabs of the contact page: ``ContactTab(id, label, url, count, weight)``.

    ``contact`` is the ``Contact`` shown, ``user`` the viewer. ``count`` may be None.
    """


@hookspec
def contact_summary(contact, user):
    """Return small blocks for the contact summary, as ``SummaryBlock(label, value, weight)``
    ("Membership", "Member since 2019, Current")."""


@hookspec
def dashboard_widgets(user):
    """Return dashboard blocks for ``user``: ``Widget(id, title, template, context, weight,
    permission)``. ``template`` is a Jinja template name rendered with ``context``."""


@hookspec
def template_slot(name, context):
    """Return markup for the named slot of a page, or None.

    ``name`` is the slot (``contact.sidebar``, ``event.public.after_form``), ``context`` a dict of
    what the page knows. Return a string of safe HTML, or ``(priority, html)``; lower priorities
    come first. Implementations should accept ``**kwargs`` so a slot can grow.
    """


@hookspec
def mail_tokens():
    """Return the tokens the component offers to mail templates: a dict
    ``{"membership.end_date": "Membership end date"}`` (token without braces -> label)."""


@hookspec
def mail_token_values(contact_ids, tokens):
    """Return ``{contact_id: {token: value}}`` for the given contacts and the tokens in use.

    Called once per batch of recipients (never per contact); answer with set-based queries and
    include only the tokens you declared.
    """


@hookspec
def search_filters():
    """Return criteria for the advanced search and smart groups: ``SearchFilter(name, label,
    field_type, options, apply)`` where ``apply(query, value)`` narrows a select of contact ids."""


@hookspec
def reports():
    """Return report definitions: ``Report(name, label, filters, group_by, columns, chart, run)``.
    ``run(session, filters)`` returns the rows the report page shows as a table, chart and CSV."""


@hookspec
def import_targets():
    """Return entities the component can import from a file, as ``ImportTarget(name, label,
    fields, import_rows)``; ``import_rows(session, rows)`` writes one batch and returns the results
    row by row (created, updated, rejected with a reason)."""


@hookspec
def export_columns():
    """Return the columns the component adds to contact exports (CSV, XLSX): a list of
    ``amicale.hooktypes.ExportColumn(name, label, values, weight)``. Called when the export page
    lists its columns and when a file is written, for enabled components only; the column is
    offered as ``<component>.<name>``. ``values(session, contact_ids)`` is called once per chunk
    of contacts (about 2,000) and returns ``{contact_id: value}`` in one set-based query; a
    contact left out gets an empty cell. Values may be str, int, float, Decimal, bool, date or
    datetime."""


@hookspec(firstresult=True)
def request_payment(
    entity, entity_id, contact_id, amount, currency, financial_type, status, source, details
):
    """Record a payment owed or made for another component's record (a membership fee, an
    event fee). ``status`` is "Pending" (owed: the payer may pay it online) or "Completed"
    (received; when the record already has a pending payment, that one is completed).
    ``details`` is None or a dict of what is known of the payment: ``receive_date`` (a date),
    ``payment_instrument`` (cash, cheque, transfer, card, direct_debit), ``check_number``,
    ``transaction_id``. Firstresult: the payment component (contribute) answers with a dict
    ``{"contribution_id": ..., "status": ...}`` and, for a pending one, ``"pay_url"`` (the
    public page where it is paid); when nobody answers (None), the caller notes the fee on
    its own record. Later changes of the payment's status come back through
    ``payment_status_changed``."""


@hookspec
def payment_status_changed(
    entity, entity_id, contribution_id, status, amount, receive_date, session
):
    """Called by the payment component when a payment it recorded for another component's
    record (``request_payment``) changes status: ``status`` is the new one (Completed,
    Cancelled, Failed, Refunded, Partially paid), in the payment's transaction (``session``).
    The owner of ``entity`` acts on it (a Pending membership becomes current once its dues
    are Completed); the others ignore it. Returns nothing; raising cancels the change."""


@hookspec
def payment_processors():
    """Return payment processors usable on public pages: objects with ``name``, ``label`` and
    ``start(payment) -> redirect URL or None``."""


@hookspec
def pre_save(entity, action, values):
    """Called before an entity is written (``action`` is create, update or delete). ``values`` is
    the dict about to be written; an implementation may change it in place or raise
    ``ValidationError`` to refuse the write (the whole write is then cancelled)."""


@hookspec
def post_save(entity, action, obj):
    """Called after an entity is written, inside the same transaction: ``obj`` is the saved
    record. Raising cancels the whole write."""


@hookspec
def merge_contacts(winner_id, loser_id, session):
    """Called when two contacts are merged, in the merge's transaction (``session``): move the
    component's rows from contact ``loser_id`` to ``winner_id``. Returns nothing; raising cancels
    the merge."""


@hookspec
def contact_data(contact_id, session):
    """Called when a person asks what data is held on them. Return the component's part of the
    export: ``{section_label: [rows as dicts]}``."""


@hookspec
def erase_contact(contact_id, session):
    """Called when a person's data must be erased (right to erasure), inside the erasure's
    transaction: erase or anonymise the component's personal data about ``contact_id``.
    Returns nothing; raising cancels the whole erasure."""


@hookspec
def demo_data(session):
    """Add the component's sample records to the demo organisation of ``amicale demo`` (after
    the core's sample contacts, in ``session``; the caller commits): a few records that show
    what the component does, on the sample contacts. Called once, when the demo is first made,
    for enabled components. Returns nothing."""


@hookspec
def scheduled_jobs():
    """Return periodic jobs: ``ScheduledJob(name, label, schedule, run)`` with ``schedule`` a cron
    expression and ``run(session)`` the work. ``amicale jobs run`` and the worker call them."""


@hookspec
def on_enable(session):
    """Called on the component alone when an admin enables it, after its migrations ran, in the same
    transaction (``session``): raising cancels the enabling and rolls everything back."""


@hookspec
def on_disable(session):
    """Called on the component alone when it is disabled, in the disabling transaction. Data stays."""


@hookspec
def on_uninstall(session):
    """Called on the component alone before ``amicale components uninstall --purge`` drops its
    tables, in the same transaction."""
