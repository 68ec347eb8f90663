"""Contributions imported from a file (the ``import_targets`` hook): a spreadsheet of past
gifts becomes contributions of the contacts the importer finds. A row whose transaction number
is already recorded is rejected, so that importing the same file twice adds nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from amicale.api_for_plugins import (
    ImportField,
    ImportTarget,
    gettext,
    import_each,
    session,
)
from amicale.api_for_plugins import lazy_gettext as _l

from . import services
from .models import STATUSES
from .perms import EDIT

FIELDS = (
    "amount",
    "receive_date",
    "financial_type",
    "payment_instrument",
    "check_number",
    "status",
    "campaign",
    "source",
    "transaction_id",
    "non_deductible_amount",
    "note",
)


def _type_options() -> list[tuple[str, str]]:
    return [
        (t.name, services.financial_type_label(t))
        for t in services.financial_types(session(), active_only=True)
    ]


def _instrument_options() -> list[tuple[str, str]]:
    return [
        (i.name, services.instrument_label(i))
        for i in services.instruments(session(), active_only=True)
    ]


def _status_options() -> list[tuple[str, str]]:
    return [(name, gettext(name)) for name in STATUSES]


def _campaign_options() -> list[tuple[str, str]]:
    return [(c.name, c.name) for c in services.campaigns(session())]


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def import_contributions(s, rows: list[dict]):
    campaigns = {c.name.lower(): c.id for c in services.campaigns(s)}

    def create(s2, row: dict):
        data = {key: _plain(row.get(key)) for key in FIELDS if row.get(key) not in (None, "")}
        data["contact_id"] = row["contact_id"]
        data.setdefault("financial_type", "Donation")
        data.setdefault("source", gettext("Import"))
        name = data.pop("campaign", None)
        if name:
            if name.lower() not in campaigns:
                from amicale.api_for_plugins import ValidationError

                raise ValidationError(
                    gettext("No campaign named %(name)s.", name=name), field="campaign"
                )
            data["campaign_id"] = campaigns[name.lower()]
        return services.create_contribution(s2, data)

    return import_each(s, rows, create)


def import_targets():
    return [
        ImportTarget(
            "contributions",
            _l("Contributions"),
            (
                ImportField("contact_id", _l("Donor"), required=True, field_type="contact"),
                ImportField("amount", _l("Amount"), required=True, field_type="decimal"),
                ImportField("receive_date", _l("Date received"), field_type="date"),
                ImportField(
                    "financial_type",
                    _l("Financial type"),
                    field_type="choice",
                    options=_type_options,
                ),
                ImportField(
                    "payment_instrument",
                    _l("Paid by"),
                    field_type="choice",
                    options=_instrument_options,
                ),
                ImportField("check_number", _l("Cheque number")),
                ImportField("status", _l("Status"), field_type="choice", options=_status_options),
                ImportField(
                    "campaign", _l("Campaign"), field_type="choice", options=_campaign_options
                ),
                ImportField("source", _l("Source")),
                ImportField("transaction_id", _l("Transaction number")),
                ImportField(
                    "non_deductible_amount", _l("Non-deductible part"), field_type="decimal"
                ),
                ImportField("note", _l("Note")),
            ),
            import_contributions,
            permission=EDIT,
            weight=45,
        )
    ]
