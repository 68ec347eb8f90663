"""Public subscription pages: a person chooses the mailing lists they receive, with a double
opt-in (a confirmation email with a signed link), and changes their choice later from the link
in every mailing. The group history records when, how and from where consent was given or
withdrawn (method Web or Email, and a tracking note with the page and the address it came from).

Lists offered to the public are the active groups that are mailing lists with the visibility
"Public Pages". The pages never tell whether an address is already known.
"""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..contacts.models import Contact
from ..errors import NotFound, ValidationError
from ..groups.models import ADDED, PENDING, Group, GroupContact
from ..groups.services import add_contacts, remove_contacts, set_pending
from .services import UnsendableAddress, build_message, sender_address
from .transport import current_transport

CONFIRM_SALT = "amicale-subscribe-confirm"
PREFERENCES_SALT = "amicale-preferences"
CONFIRM_MAX_AGE = 7 * 24 * 3600  # a week to confirm


def public_lists(session: Session) -> list[Group]:
    return list(
        session.scalars(
            select(Group)
            .where(
                Group.is_mailing_list.is_(True),
                Group.is_active.is_(True),
                Group.visibility == "Public Pages",
            )
            .order_by(Group.title)
        )
    )


def _contact_for(session: Session, email: str, first_name: str, last_name: str) -> Contact:
    """The contact who has this address (the oldest, not in the trash), or a new one."""
    from ..contacts.services import contact_by_email, create_contact

    found = contact_by_email(session, email)
    if found is not None:
        return found
    return create_contact(
        session,
        {
            "contact_type": "Individual",
            "first_name": first_name or None,
            "last_name": last_name or None,
            "emails": [{"email": email, "is_primary": True}],
        },
    )


@dataclass
class SubscribeRequest:
    email: str
    contact_id: int
    group_ids: list[int]


def request_subscription(session: Session, form: dict, *, origin: str) -> SubscribeRequest:
    """Check the form, mark the person Pending in the chosen lists and email them the link to
    confirm. ``origin`` (the visitor's address) goes into the group history. The caller
    commits."""
    errors: dict[str, list[str]] = {}
    email = (form.get("email") or "").strip()
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        errors["email"] = [str(_l("This is not a valid email address."))]
    offered = {g.id: g for g in public_lists(session)}
    chosen = []
    for value in form.get("group_ids") or []:
        if str(value).isdigit() and int(value) in offered:
            chosen.append(int(value))
    if not chosen:
        errors["group_ids"] = [str(_l("Choose at least one list."))]
    first = (form.get("first_name") or "").strip()[:64]
    last = (form.get("last_name") or "").strip()[:64]
    if errors:
        raise ValidationError(str(_l("Some fields are not valid.")), errors=errors)
    sender = sender_address(session)
    contact = _contact_for(session, email, first, last)
    for group_id in chosen:
        set_pending(
            session, group_id, [contact.id], method="Web", tracking=f"subscribe page, {origin}"
        )
    token = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT).dumps(
        {"c": contact.id, "g": chosen, "e": email.lower()}
    )
    link = _absolute(f"/subscribe/confirm/{token}")
    names = ", ".join(offered[g].title for g in chosen)
    text = str(
        _l(
            "Hello,\n\nSomeone, probably you, asked to receive from %(org)s: %(lists)s.\n"
            "To confirm, open this link within a week:\n%(link)s\n\n"
            "If it was not you, ignore this message: nothing will be sent to you.",
            org=sender[0],
            lists=names,
            link=link,
        )
    )
    try:
        message = build_message(
            sender, ("", email), str(_l("Confirm your subscription")), text, None
        )
    except UnsendableAddress as exc:
        raise ValidationError(str(exc), field="email") from exc
    with current_transport() as transport:
        result = transport.send(message)
    if not result.ok:
        raise ValidationError(
            str(_l("The confirmation email could not be sent; try again later.")), field="email"
        )
    return SubscribeRequest(email, contact.id, chosen)


def _absolute(path: str) -> str:
    return current_app.config.get("AMICALE_BASE_URL", "").rstrip("/") + path


def read_confirmation(token: str) -> dict:
    try:
        return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT).loads(
            token, max_age=CONFIRM_MAX_AGE
        )
    except SignatureExpired as exc:
        raise ValidationError(
            str(_l("This link has expired: subscribe again to get a new one."))
        ) from exc
    except BadSignature as exc:
        raise NotFound(str(_l("This link is not valid."))) from exc


def confirm(session: Session, token: str, *, origin: str) -> list[str]:
    """Turn the Pending places of the link into Added; returns the lists' titles."""
    data = read_confirmation(token)
    contact = session.get(Contact, data["c"])
    if contact is None or contact.is_deleted:
        raise NotFound(str(_l("This link is not valid.")))
    pending = session.scalars(
        select(GroupContact.group_id).where(
            GroupContact.contact_id == contact.id,
            GroupContact.group_id.in_(data["g"]),
            GroupContact.status.in_((PENDING, ADDED)),
        )
    ).all()
    for group_id in pending:
        add_contacts(
            session, group_id, [contact.id], method="Email", tracking=f"confirmed, {origin}"
        )
    if pending and contact.is_opt_out:
        contact.is_opt_out = False  # asking for a list again is asking for bulk mail again
    session.flush()
    return [g.title for g in session.scalars(select(Group).where(Group.id.in_(pending)))]


# -- preferences (link in every mailing) ---------------------------------------------------------


def contact_from_preferences_token(session: Session, token: str) -> Contact:
    try:
        contact_id = URLSafeSerializer(
            current_app.config["SECRET_KEY"], salt=PREFERENCES_SALT
        ).loads(token)
    except BadSignature as exc:
        raise NotFound(str(_l("This link is not valid."))) from exc
    contact = session.get(Contact, contact_id)
    if contact is None or contact.is_deleted:
        raise NotFound(str(_l("This link is not valid.")))
    return contact


def current_choices(session: Session, contact_id: int) -> set[int]:
    return set(
        session.scalars(
            select(GroupContact.group_id).where(
                GroupContact.contact_id == contact_id, GroupContact.status == ADDED
            )
        )
    )


def save_preferences(
    session: Session, contact: Contact, group_ids: list[int], *, no_bulk_mail: bool, origin: str
) -> None:
    """Add to and remove from the public lists as chosen; ``no_bulk_mail`` opts out of all
    bulk mail. Recorded in the group history (method Web)."""
    offered = {g.id for g in public_lists(session)}
    wanted = {g for g in group_ids if g in offered}
    now_in = current_choices(session, contact.id) & offered
    tracking = f"preferences page, {origin}"
    for group_id in sorted(wanted - now_in):
        add_contacts(session, group_id, [contact.id], method="Web", tracking=tracking)
    for group_id in sorted(now_in - wanted):
        remove_contacts(session, group_id, [contact.id], method="Web", tracking=tracking)
    contact = session.get(Contact, contact.id)
    contact.is_opt_out = bool(no_bulk_mail)
    session.flush()
