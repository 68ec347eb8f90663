"""Who a visitor of the public pages is: the contact with their email, or a new one.

The duplicate rule is the core's for public pages (``contact_by_email``: the oldest contact
not in the trash with this email, case ignored).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from amicale.api_for_plugins import Contact, ValidationError, contact_by_email, create_contact


def contact_for(session: Session, values: dict, source: str) -> Contact:
    """The contact with ``values["email"]``, or a new individual with the names given."""
    email = values.get("email")
    found = contact_by_email(session, email)
    if found is not None:
        return found
    data: dict = {
        "contact_type": "Individual",
        "first_name": values["first_name"],
        "last_name": values["last_name"],
        "source": source,
    }
    if email:
        data["emails"] = [{"email": email, "is_primary": True}]
    if values.get("phone"):
        data["phones"] = [{"phone": values["phone"], "is_primary": True}]
    try:
        return create_contact(session, data)
    except ValidationError as exc:  # the phone the core refuses
        errors = {}
        for key, messages in (exc.errors or {}).items():
            name = "phone" if key.startswith("phones") else key.rsplit(".", 1)[-1]
            errors[name] = messages
        raise ValidationError(exc.message, errors=errors or None) from None
