"""A stand-in payment component for the tests: it answers ``request_payment`` as contribute
would, and keeps what it was asked."""

from amicale import hookimpl
from amicale.api_for_plugins import Manifest

asked: list[dict] = []


@hookimpl
def amicale_component():
    return Manifest(name="fakepay", label="Fake payments", version="0.1.0")


@hookimpl
def request_payment(
    entity, entity_id, contact_id, amount, currency, financial_type, status, source, details
):
    asked.append(
        {
            "entity": entity,
            "entity_id": entity_id,
            "contact_id": contact_id,
            "amount": amount,
            "currency": currency,
            "financial_type": financial_type,
            "status": status,
            "details": details,
        }
    )
    return {"contribution_id": len(asked), "status": status}
