"""The contribute component as an Amicale plugin (entry point `amicale.plugins`: contribute).

The component is written in areas, each a module that answers the hooks of its part under the
hook's own name (``menu_items``, ``search_filters``, ``scheduled_jobs``...), plus ``blueprints()``,
``api_blueprints()``, ``permissions()`` and ``commands(group)``:

- ``views`` and ``api``: contributions, financial types, instruments, campaigns, pledges and
  recurring gifts (pages and REST API);
- ``batches``: batch data entry, deposit slips and the accounting journal;
- ``receipts``: receipts and the yearly tax receipts (Cerfa n° 11580);
- ``donations``: public donation pages and the payment processors;
- ``insights``: search filters, mail tokens, the dashboard widget and the reports;
- ``schedule``: the daily jobs (recurring instalments, overdue pledges, pledge reminders).

This module gathers what the areas answer, so that each area stays in its own files.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from amicale import hookimpl
from amicale.api_for_plugins import Manifest, Permission, session
from amicale.api_for_plugins import lazy_gettext as _l

from . import services
from .models import MODELS
from .perms import ADMINISTER, EDIT, VIEW

NAME = "contribute"

AREAS = ("views", "api", "schedule", "importing", "batches", "receipts", "donations", "insights")


def _areas():
    return [import_module(f"{__package__}.{name}") for name in AREAS]


def _gather(hook: str, *args, **kwargs) -> list:
    out: list = []
    for area in _areas():
        answer = getattr(area, hook, None)
        if answer is not None:
            out.extend(answer(*args, **kwargs) or [])
    return out


@hookimpl
def amicale_component():
    return Manifest(
        name=NAME,
        label=_l("Contributions"),
        version="0.1.0",
        description=_l(
            "Donations, campaigns, pledges, recurring gifts, cheque batches and tax receipts."
        ),
        requires=(),
        optional=("membership", "event"),
    )


@hookimpl
def register_models():
    return list(MODELS)


@hookimpl
def register_migrations():
    return (NAME, Path(__file__).parent / "migrations")


@hookimpl
def register_blueprints():
    return _gather("blueprints")


@hookimpl
def register_api():
    return _gather("api_blueprints")


@hookimpl
def register_permissions():
    return [
        Permission(
            VIEW,
            _l("See contributions"),
            _l("Contributions, campaigns, pledges, recurring gifts and receipts."),
            default_roles=("staff", "readonly"),
        ),
        Permission(
            EDIT,
            _l("Record contributions"),
            _l("Record and change contributions, pledges, recurring gifts and batches."),
            default_roles=("staff",),
        ),
        Permission(
            ADMINISTER,
            _l("Administer contributions"),
            _l(
                "Financial types, payment instruments, donation pages, the receipts' legal "
                "details and issuing tax receipts."
            ),
            default_roles=(),
        ),
        *_gather("permissions"),
    ]


@hookimpl
def register_activity_types():
    return [(services.ACTIVITY_CONTRIBUTION, "Contribution")]


@hookimpl
def register_custom_field_entities():
    return [("contribute_contribution", _l("Contribution"))]


@hookimpl
def register_commands(cli):
    @cli.group(NAME)
    def group():
        """Contributions."""

    for area in _areas():
        commands = getattr(area, "commands", None)
        if commands is not None:
            commands(group)


@hookimpl
def menu_items(user):
    return _gather("menu_items", user)


@hookimpl
def contact_tabs(contact, user):
    return _gather("contact_tabs", contact, user)


@hookimpl
def contact_summary(contact, user):
    return _gather("contact_summary", contact, user)


@hookimpl
def dashboard_widgets(user):
    return _gather("dashboard_widgets", user)


@hookimpl
def scheduled_jobs():
    return _gather("scheduled_jobs")


@hookimpl
def search_filters():
    return _gather("search_filters")


@hookimpl
def reports():
    return _gather("reports")


@hookimpl
def import_targets():
    return _gather("import_targets")


@hookimpl
def export_columns():
    return _gather("export_columns")


@hookimpl
def payment_processors():
    return _gather("payment_processors")


@hookimpl
def mail_tokens():
    out: dict = {}
    for area in _areas():
        if hasattr(area, "mail_tokens"):
            out.update(area.mail_tokens())
    return out


@hookimpl
def mail_token_values(contact_ids, tokens):
    out: dict = {}
    for area in _areas():
        if hasattr(area, "mail_token_values"):
            for cid, values in (area.mail_token_values(contact_ids, tokens) or {}).items():
                out.setdefault(cid, {}).update(values)
    return out


@hookimpl
def request_payment(
    entity, entity_id, contact_id, amount, currency, financial_type, status, source, details
):
    """Another component's fee (a membership's dues) becomes a contribution; a Pending one
    comes with the page where the payer pays it online (``pay_url``)."""
    s = session()
    contribution = services.payment_for(
        s,
        entity=entity,
        entity_id=entity_id,
        contact_id=contact_id,
        amount=amount,
        currency=currency,
        financial_type=financial_type,
        status=status,
        source=source,
        details=details,
    )
    answer = {"contribution_id": contribution.id, "status": contribution.status}
    donations = import_module(f"{__package__}.donations")
    pay_url = getattr(donations, "pay_url", None)
    if contribution.status == "Pending" and pay_url is not None:
        answer["pay_url"] = pay_url(contribution)
    return answer


@hookimpl
def demo_data(session):
    from .demo import demo_data as sample

    sample(session)


@hookimpl
def merge_contacts(winner_id, loser_id, session):
    services.merge_contacts(session, winner_id, loser_id)


@hookimpl
def contact_data(contact_id, session):
    return services.contact_data(session, contact_id)


@hookimpl
def erase_contact(contact_id, session):
    services.erase_contact(session, contact_id)
