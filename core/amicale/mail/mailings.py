"""Mailings: a bulk email to groups and mailing lists, for those who accept bulk mail.

Recipients are found with one set-based query: members of the included groups (static or smart),
minus the members of the excluded groups, minus whoever is in the trash, deceased, marked
do-not-email or opted out of bulk mail, minus addresses on hold; one message per address even
when several contacts share it. Sending inserts them all in one ``INSERT .. SELECT``, then a
background job delivers them in batches: tokens for a whole batch at once, a pace limit, retries
for temporary SMTP failures, and a status per recipient (queued, sent, failed with the reason,
bounced, unsubscribed). Each message carries the RFC 8058 headers and a signed link to
unsubscribe.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import escape
from sqlalchemy import delete, func, insert, literal, select, union, update
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..contacts.models import Contact, Email
from ..errors import Conflict, DomainError, NotFound, ValidationError
from ..groups.models import Group
from ..groups.services import group_contact_ids_query, remove_contacts
from ..jobs import enqueue, job
from .models import (
    CANCELLED,
    DELIVERED,
    DRAFT,
    FAILED,
    QUEUED,
    SCHEDULED,
    SENDING,
    SENT,
    UNSUBSCRIBED,
    Mailing,
    MailingGroup,
    MailingRecipient,
)
from .services import (
    UnsendableAddress,
    build_message,
    chosen_template,
    header_address,
    sender_address,
)
from .subscriptions import PREFERENCES_SALT
from .tokens import check_tokens, render, token_values, tokens_in
from .transport import current_transport

log = logging.getLogger(__name__)

STATUS_LABELS = {
    DRAFT: _l("Draft"),
    SCHEDULED: _l("Scheduled"),
    SENDING: _l("Sending"),
    SENT: _l("Sent out"),
    CANCELLED: _l("Cancelled"),
}

BATCH = 500
MAX_ATTEMPTS = 3
RETRY_DELAY = 300  # seconds before trying temporary failures again
UNSUBSCRIBE_SALT = "amicale-unsubscribe"


# -- drafting ------------------------------------------------------------------------------------


def get_mailing(session: Session, mailing_id: int) -> Mailing:
    mailing = session.get(Mailing, mailing_id)
    if mailing is None:
        raise NotFound(str(_l("No mailing with the number %(id)s.", id=mailing_id)))
    return mailing


def list_mailings(session: Session, *, page: int = 1, page_size: int = 25):
    total = session.scalar(select(func.count()).select_from(Mailing)) or 0
    rows = session.scalars(
        select(Mailing)
        .order_by(Mailing.created_at.desc(), Mailing.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return list(rows), total


def groups_of(session: Session, mailing_ids: list[int]) -> dict[int, tuple[list[int], list[int]]]:
    """``{mailing_id: (included group ids, excluded group ids)}`` in one query."""
    out: dict[int, tuple[list[int], list[int]]] = {m: ([], []) for m in mailing_ids}
    rows = session.execute(
        select(MailingGroup.mailing_id, MailingGroup.group_id, MailingGroup.include)
        .where(MailingGroup.mailing_id.in_(mailing_ids))
        .order_by(MailingGroup.group_id)
    )
    for mailing_id, group_id, include in rows:
        out[mailing_id][0 if include else 1].append(group_id)
    return out


def mailing_groups(session: Session, mailing_id: int) -> tuple[list[int], list[int]]:
    return groups_of(session, [mailing_id])[mailing_id]


def save_mailing(
    session: Session, values: dict, mailing_id: int | None = None, *, user_id: int | None = None
) -> Mailing:
    """Create or change a draft. ``values`` (loaded by MailingSchema): name, subject,
    body_text, body_html, template_id, include_group_ids, exclude_group_ids."""
    mailing = get_mailing(session, mailing_id) if mailing_id else None
    if mailing is not None and mailing.status != DRAFT:
        raise Conflict(str(_l("Only a draft can be changed.")))
    if values.get("template_id"):
        template = chosen_template(session, values["template_id"])
        values.setdefault("subject", None)
        values["subject"] = values.get("subject") or template.subject
        values["body_text"] = values.get("body_text") or template.body_text
        if values.get("body_html") is None:
            values["body_html"] = template.body_html
    check_tokens({k: values.get(k) for k in ("subject", "body_text", "body_html") if k in values})
    includes = values.pop("include_group_ids", None)
    excludes = values.pop("exclude_group_ids", None)
    for field, ids in (("include_group_ids", includes), ("exclude_group_ids", excludes)):
        if ids:
            found = set(session.scalars(select(Group.id).where(Group.id.in_(ids))))
            missing = [i for i in ids if i not in found]
            if missing:
                raise ValidationError(
                    str(_l("No group with the number %(id)s.", id=missing[0])), field=field
                )
    if includes is not None and excludes and set(includes) & set(excludes):
        raise ValidationError(
            str(_l("A group cannot be both included and excluded.")), field="exclude_group_ids"
        )
    for key in ("subject", "body_text"):
        if key in values and values[key] is None:
            values[key] = ""
    if mailing is None:
        mailing = Mailing(created_by=user_id, **values)
        session.add(mailing)
        session.flush()
    else:
        for key, value in values.items():
            setattr(mailing, key, value)
        mailing.modified_at = utcnow()
    if includes is not None or excludes is not None:
        current_in, current_out = mailing_groups(session, mailing.id)
        includes = current_in if includes is None else includes
        excludes = current_out if excludes is None else excludes
        session.execute(delete(MailingGroup).where(MailingGroup.mailing_id == mailing.id))
        session.add_all(
            [MailingGroup(mailing_id=mailing.id, group_id=g, include=True) for g in includes]
            + [MailingGroup(mailing_id=mailing.id, group_id=g, include=False) for g in excludes]
        )
    session.flush()
    return mailing


def delete_mailing(session: Session, mailing_id: int) -> None:
    mailing = get_mailing(session, mailing_id)
    if mailing.status in (SENDING, SENT):
        raise Conflict(str(_l("A mailing that was sent is kept with its figures.")))
    session.delete(mailing)
    session.flush()


# -- recipients ----------------------------------------------------------------------------------


def recipients_query(session: Session, mailing: Mailing):
    """``select(contact_id, email)``: one row per address the mailing goes to."""
    includes, excludes = mailing_groups(session, mailing.id)
    groups = {
        g.id: g for g in session.scalars(select(Group).where(Group.id.in_(includes + excludes)))
    }
    if not includes:
        return select(Contact.id.label("contact_id"), Email.email.label("email")).where(
            literal(False)
        )
    included = union(*[group_contact_ids_query(session, groups[g]) for g in includes]).subquery()
    address = func.lower(Email.email)
    eligible = (
        select(Contact.id.label("contact_id"), address.label("email"))
        .join(Email, (Email.contact_id == Contact.id) & Email.is_primary)
        .where(
            Contact.id.in_(select(included.c.id)),
            Contact.is_deleted.is_(False),
            Contact.is_deceased.is_(False),
            Contact.do_not_email.is_(False),
            Contact.is_opt_out.is_(False),
            Email.on_hold.is_(False),
        )
    )
    if excludes:
        excluded = union(
            *[group_contact_ids_query(session, groups[g]) for g in excludes]
        ).subquery()
        eligible = eligible.where(Contact.id.not_in(select(excluded.c.id)))
    # An address on hold anywhere stays on hold (several contacts may share it).
    held = select(func.lower(Email.email)).where(Email.on_hold.is_(True))
    eligible = eligible.where(address.not_in(held)).subquery()
    return select(func.min(eligible.c.contact_id).label("contact_id"), eligible.c.email).group_by(
        eligible.c.email
    )


def count_recipients(session: Session, mailing: Mailing) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(recipients_query(session, mailing).subquery())
        )
        or 0
    )


# -- sending -------------------------------------------------------------------------------------


def _check_ready(session: Session, mailing: Mailing) -> None:
    errors = {}
    if not mailing.subject:
        errors["subject"] = [str(_l("Give the mailing a subject."))]
    if not mailing.body_text:
        errors["body_text"] = [str(_l("Write the message."))]
    if not mailing_groups(session, mailing.id)[0]:
        errors["include_group_ids"] = [str(_l("Choose at least one group or mailing list."))]
    if errors:
        raise ValidationError(str(_l("The mailing is not ready.")), errors=errors)
    sender_address(session)


def read_schedule(text: str | None) -> datetime | None:
    """The time a form gives (``2026-12-24T09:00``, UTC when it names no zone); None for none."""
    if not text or not text.strip():
        return None
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValidationError(str(_l("Give a date and time.")), field="scheduled_at") from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def send_test(session: Session, mailing_id: int, email: str, *, contact_id: int | None = None):
    """Send the mailing to ``email`` only (tokens of ``contact_id`` when given)."""
    mailing = get_mailing(session, mailing_id)
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationError(str(_l("This is not a valid email address.")), field="email") from exc
    sender = sender_address(session)
    used = tokens_in(mailing.subject, mailing.body_text, mailing.body_html)
    values = token_values(session, [contact_id], used).get(contact_id, {}) if contact_id else {}
    try:
        header_address("", email)
    except UnsendableAddress as exc:
        raise ValidationError(str(exc), field="email") from exc
    message = build_message(
        sender,
        ("", email),
        "[TEST] " + render(mailing.subject, values),
        render(mailing.body_text, values),
        render(mailing.body_html, values, html=True) if mailing.body_html else None,
    )
    with current_transport() as transport:
        result = transport.send(message)
    if not result.ok:
        raise ValidationError(
            str(_l("The test could not be sent: %(reason)s", reason=result.error)), field="email"
        )
    return result


def send_mailing(session: Session, mailing_id: int, *, when: datetime | None = None) -> Mailing:
    """Queue the mailing now (every recipient inserted at once) or schedule it for ``when``;
    the caller commits, then the delivery job runs (``start_delivery``)."""
    mailing = get_mailing(session, mailing_id)
    if mailing.status not in (DRAFT, SCHEDULED):
        raise Conflict(str(_l("This mailing was already sent.")))
    _check_ready(session, mailing)
    now = utcnow()
    if when is not None and when > now + timedelta(seconds=30):
        mailing.status, mailing.scheduled_at = SCHEDULED, when
        session.flush()
        return mailing
    source = recipients_query(session, mailing).subquery()
    session.execute(
        insert(MailingRecipient).from_select(
            ["mailing_id", "contact_id", "email", "status", "attempts", "changed_at"],
            select(
                literal(mailing.id),
                source.c.contact_id,
                source.c.email,
                literal(QUEUED),
                literal(0),
                literal(now, MailingRecipient.__table__.c.changed_at.type),
            ),
        )
    )
    mailing.recipients_total = session.scalar(
        select(func.count()).where(MailingRecipient.mailing_id == mailing.id)
    )
    mailing.status, mailing.started_at, mailing.scheduled_at = SENDING, now, None
    session.flush()
    return mailing


def start_delivery(mailing_id: int, *, delay: float | None = None) -> None:
    """After the commit of ``send_mailing``: hand the delivery to the job queue."""
    enqueue("mail.deliver", mailing_id=mailing_id, delay=delay)


def cancel_mailing(session: Session, mailing_id: int) -> Mailing:
    mailing = get_mailing(session, mailing_id)
    if mailing.status not in (SCHEDULED, SENDING):
        raise Conflict(str(_l("Only a scheduled or sending mailing can be cancelled.")))
    mailing.status = CANCELLED
    mailing.finished_at = utcnow()
    session.flush()
    return mailing


def message_links():
    """``links(recipient_id, contact_id) -> (unsubscribe URL, preferences URL or None)``: the
    signed links of a mailing message, with their signers made once per delivery."""
    config = current_app.config
    base = config.get("AMICALE_BASE_URL", "").rstrip("/")
    unsubscribe = URLSafeSerializer(config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)
    preferences = URLSafeSerializer(config["SECRET_KEY"], salt=PREFERENCES_SALT)

    def links(recipient_id: int, contact_id: int | None) -> tuple[str, str | None]:
        prefs = f"{base}/preferences/{preferences.dumps(contact_id)}" if contact_id else None
        return f"{base}/unsubscribe/{unsubscribe.dumps(recipient_id)}", prefs

    return links


def recipient_from_token(session: Session, token: str) -> MailingRecipient:
    try:
        recipient_id = URLSafeSerializer(
            current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT
        ).loads(token)
    except BadSignature as exc:
        raise NotFound(str(_l("This link is not valid."))) from exc
    recipient = session.get(MailingRecipient, recipient_id)
    if recipient is None:
        raise NotFound(str(_l("This link is not valid.")))
    return recipient


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    retry: int = 0
    seconds: float = 0.0


class _Pace:
    """At most ``rate`` messages per second over all the connections (0: no limit)."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate else 0.0
        self.next = time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            slot = max(self.next, now)
            self.next = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


def _send_all(transports, messages, pace: _Pace) -> list:
    """Send ``messages`` [(recipient id, message)] over the transports, one thread per
    connection; results in the same order."""
    results: list = [None] * len(messages)

    def work(index: int, transport) -> None:
        for i in range(index, len(messages), len(transports)):
            pace.wait()
            results[i] = transport.send(messages[i][1])

    if len(transports) == 1:
        work(0, transports[0])
    else:
        with ThreadPoolExecutor(max_workers=len(transports)) as pool:
            list(pool.map(work, range(len(transports)), transports))
    return results


def deliver(
    session: Session,
    mailing_id: int,
    *,
    transport=None,
    rate: float | None = None,
    connections: int | None = None,
):
    """Deliver what is queued, batch by batch (each batch committed): the batch's tokens at
    once, its messages built, then sent over ``connections`` SMTP connections in parallel
    (AMICALE_MAIL_CONNECTIONS, 8 by default), at most ``rate`` messages per second in all.
    Temporary failures stay queued for a later try (up to MAX_ATTEMPTS). A ``transport`` given
    is used alone (one connection). Returns a DeliveryReport."""
    started = time.perf_counter()
    report = DeliveryReport()
    mailing = get_mailing(session, mailing_id)
    if mailing.status != SENDING:
        return report
    config = current_app.config
    sender = sender_address(session)
    used = tokens_in(mailing.subject, mailing.body_text, mailing.body_html)
    rate = rate if rate is not None else float(config.get("AMICALE_MAIL_RATE") or 0)
    if transport is not None:
        transports = [transport]
    else:
        count = connections or int(config.get("AMICALE_MAIL_CONNECTIONS") or 8)
        transports = [current_transport() for _ in range(max(1, count))]
    pace = _Pace(rate)
    subject, text, html = mailing.subject, mailing.body_text, mailing.body_html
    # Computed once per delivery, not per message.
    links = message_links()
    unsubscribe_line = gettext("Unsubscribe: %(url)s")
    preferences_line = gettext("Choose what you receive: %(url)s")
    unsubscribe_word = str(escape(gettext("Unsubscribe")))
    preferences_words = str(escape(gettext("Choose what you receive")))
    last_id = 0
    try:
        while True:
            batch = session.execute(
                select(
                    MailingRecipient.id,
                    MailingRecipient.contact_id,
                    MailingRecipient.email,
                    MailingRecipient.attempts,
                )
                .where(
                    MailingRecipient.mailing_id == mailing_id,
                    MailingRecipient.status == QUEUED,
                    MailingRecipient.id > last_id,
                )
                .order_by(MailingRecipient.id)
                .limit(BATCH)
            ).all()
            if not batch:
                break
            last_id = batch[-1].id
            contact_ids = [r.contact_id for r in batch if r.contact_id]
            names = dict(
                session.execute(
                    select(Contact.id, Contact.display_name).where(Contact.id.in_(contact_ids))
                ).all()
            )
            values = token_values(session, contact_ids, used)
            messages = []
            unsendable = []
            for r in batch:
                tokens = values.get(r.contact_id, {})
                link, prefs = links(r.id, r.contact_id)
                footer = "\n\n--\n" + unsubscribe_line % {"url": link}
                footer_html = f'<p style="font-size:small"><a href="{link}">{unsubscribe_word}</a>'
                if prefs:
                    footer += "\n" + preferences_line % {"url": prefs}
                    footer_html += f' · <a href="{prefs}">{preferences_words}</a>'
                try:
                    header_address(names.get(r.contact_id, ""), r.email)
                except UnsendableAddress as exc:
                    unsendable.append((r, str(exc)))
                    continue
                message = build_message(
                    sender,
                    (names.get(r.contact_id, ""), r.email),
                    render(subject, tokens).replace("\n", " "),
                    render(text, tokens) + footer,
                    render(html, tokens, html=True) + footer_html + "</p>" if html else None,
                    headers={
                        "List-Unsubscribe": f"<{link}>",
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                        "Precedence": "bulk",
                        # read back from bounces (RFC 3464 reports quote the headers)
                        "X-Amicale-Mailing": str(mailing_id),
                        "X-Amicale-Recipient": str(r.id),
                    },
                )
                messages.append((r, message))
            outcomes = [(r.id, FAILED, r.attempts + 1, error) for r, error in unsendable]
            report.failed += len(unsendable)
            results = _send_all(transports, messages, pace)
            for (r, _message), result in zip(messages, results, strict=True):
                if result.ok:
                    outcomes.append((r.id, DELIVERED, r.attempts + 1, None))
                    report.sent += 1
                elif result.temporary and r.attempts + 1 < MAX_ATTEMPTS:
                    outcomes.append((r.id, QUEUED, r.attempts + 1, result.error))
                    report.retry += 1
                else:
                    outcomes.append((r.id, FAILED, r.attempts + 1, result.error))
                    report.failed += 1
            now = utcnow()
            session.execute(
                update(MailingRecipient),
                [
                    {
                        "id": rid,
                        "status": status,
                        "attempts": attempts,
                        "error": (error or "")[:1000] or None,
                        "sent_at": now if status == DELIVERED else None,
                        "changed_at": now,
                    }
                    for rid, status, attempts, error in outcomes
                ],
            )
            session.commit()
            if session.get(Mailing, mailing_id).status == CANCELLED:
                break
    finally:
        for t in transports:
            t.close()
    mailing = session.get(Mailing, mailing_id)
    if mailing.status == SENDING and not report.retry:
        mailing.status, mailing.finished_at = SENT, utcnow()
        session.commit()
    report.seconds = time.perf_counter() - started
    return report


@job("mail.deliver")
def deliver_job(mailing_id: int) -> None:
    from ..db import session

    report = deliver(session(), mailing_id)
    if report.retry:
        start_delivery(mailing_id, delay=RETRY_DELAY)


def send_due(session: Session) -> list[int]:
    """Queue the scheduled mailings whose time has come (run by the scheduler every minute)."""
    due = session.scalars(
        select(Mailing.id).where(Mailing.status == SCHEDULED, Mailing.scheduled_at <= utcnow())
    ).all()
    started = []
    for mailing_id in due:
        try:
            with session.begin_nested():
                send_mailing(session, mailing_id)
        except DomainError as exc:  # no longer ready: back to draft, for staff to see why
            log.warning("scheduled mailing %s not sent: %s", mailing_id, exc.message)
            session.execute(update(Mailing).where(Mailing.id == mailing_id).values(status=DRAFT))
        else:
            started.append(mailing_id)
    session.commit()
    for mailing_id in started:
        start_delivery(mailing_id)
    return started


# -- figures and unsubscribing -------------------------------------------------------------------


def figures(session: Session, mailing_id: int) -> dict[str, int]:
    rows = session.execute(
        select(MailingRecipient.status, func.count())
        .where(MailingRecipient.mailing_id == mailing_id)
        .group_by(MailingRecipient.status)
    ).all()
    counts = {status: 0 for status in (QUEUED, DELIVERED, FAILED, "bounced", UNSUBSCRIBED)}
    counts.update(dict(rows))
    counts["total"] = sum(v for k, v in counts.items() if k != "total")
    return counts


def unsubscribe(session: Session, recipient: MailingRecipient, *, everything: bool, source: str):
    """Take the person off the mailing lists this mailing went to, or (``everything``) off all
    bulk mail; recorded in the group history (method Email) and on the recipient."""
    mailing = get_mailing(session, recipient.mailing_id)
    includes, _excludes = mailing_groups(session, mailing.id)
    lists = session.scalars(
        select(Group.id).where(Group.id.in_(includes), Group.is_mailing_list.is_(True))
    ).all()
    if recipient.contact_id is not None:
        if everything or not lists:
            contact = session.get(Contact, recipient.contact_id)
            contact.is_opt_out = True
        for group_id in lists:
            remove_contacts(
                session,
                group_id,
                [recipient.contact_id],
                method="Email",
                tracking=f"mailing {mailing.id} ({source})",
            )
    recipient.status = UNSUBSCRIBED
    recipient.changed_at = utcnow()
    session.flush()
    return lists
