"""Bounces: delivery status notifications (RFC 3464) read from a Maildir, an mbox or a single
message, recorded against the address and the mailing; after ``HOLD_AFTER`` hard bounces the
address is put on hold (no more bulk mail to it until someone checks it).

A report is recognised by its ``message/delivery-status`` part: each recipient block gives the
``Final-Recipient`` (or ``Original-Recipient``), the ``Action`` and the ``Status``. 5.x.x with
``Action: failed`` is a hard bounce; 4.x.x or ``delayed`` a soft one; ``delivered`` is ignored.
The mailing and its recipient come from the ``X-Amicale-Mailing`` / ``X-Amicale-Recipient``
headers of the returned message, when the report quotes them.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..contacts.models import Email
from ..errors import ValidationError
from ..organisation.services import get_setting
from .models import HARD, SOFT, EmailBounce, Mailing, MailingRecipient

HOLD_AFTER = 3  # hard bounces; setting mail.bounce_hold_after


@dataclass
class Bounce:
    email: str
    kind: str
    status: str | None
    diagnostic: str | None
    mailing_id: int | None
    recipient_id: int | None


@dataclass
class BounceReport:
    messages: int = 0
    not_reports: int = 0
    hard: int = 0
    soft: int = 0
    put_on_hold: list[str] = field(default_factory=list)


def read_messages(source: str | Path, stdin: bytes | None = None) -> Iterator[Message]:
    """The messages of a Maildir folder, an mbox file, or one message (a file or ``stdin``)."""
    if stdin is not None:
        yield message_from_bytes(stdin, policy=policy.default)
        return
    path = Path(source)
    if path.is_dir():
        if not all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
            raise ValidationError(
                f"{path} is not a Maildir (it has no cur, new and tmp folders).", field="source"
            )
        box = mailbox.Maildir(str(path), factory=None, create=False)
        for key in box.iterkeys():
            yield message_from_bytes(box.get_bytes(key), policy=policy.default)
        return
    raw = path.read_bytes()
    if raw.startswith(b"From "):
        for message in mailbox.mbox(str(path), create=False):
            yield message_from_bytes(message.as_bytes(), policy=policy.default)
        return
    yield message_from_bytes(raw, policy=policy.default)


def _header_of_returned(message: Message, name: str) -> str | None:
    for part in message.walk():
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) else inner
            if inner is not None and inner.get(name):
                return str(inner.get(name)).strip()
        elif ctype == "text/rfc822-headers":
            payload = part.get_payload(decode=True) or b""
            headers = message_from_bytes(payload, policy=policy.default)
            if headers.get(name):
                return str(headers.get(name)).strip()
    return None


def parse_report(message: Message) -> list[Bounce] | None:
    """The bounces an RFC 3464 report gives, or None when the message is not such a report."""
    status_part = next(
        (p for p in message.walk() if p.get_content_type() == "message/delivery-status"), None
    )
    if status_part is None:
        return None
    blocks = status_part.get_payload()
    if isinstance(blocks, str | bytes):  # some parsers leave the fields as text
        raw = blocks.encode() if isinstance(blocks, str) else blocks
        blocks = [message_from_bytes(chunk, policy=policy.default) for chunk in raw.split(b"\n\n")]
    mailing = _header_of_returned(message, "X-Amicale-Mailing")
    recipient = _header_of_returned(message, "X-Amicale-Recipient")
    out = []
    for block in blocks[1:] if len(blocks) > 1 else blocks:  # the first block is per message
        address = block.get("Final-Recipient") or block.get("Original-Recipient")
        if not address:
            continue
        address = str(address).split(";", 1)[-1].strip().strip("<>").lower()
        action = str(block.get("Action") or "").strip().lower()
        status = str(block.get("Status") or "").strip() or None
        if action == "delivered" or action == "relayed" or action == "expanded":
            continue
        hard = action == "failed" and (status or "5").startswith("5")
        out.append(
            Bounce(
                email=address,
                kind=HARD if hard else SOFT,
                status=status,
                diagnostic=(str(block.get("Diagnostic-Code") or "").strip() or None),
                mailing_id=int(mailing) if mailing and mailing.isdigit() else None,
                recipient_id=int(recipient) if recipient and recipient.isdigit() else None,
            )
        )
    return out


def record_bounces(session: Session, messages: Iterable[Message | EmailMessage]) -> BounceReport:
    """Record every bounce of ``messages`` and put on hold the addresses that reached the
    threshold of hard bounces; the caller commits."""
    report = BounceReport()
    hold_after = int(get_setting(session, "mail.bounce_hold_after", HOLD_AFTER) or HOLD_AFTER)
    touched: set[str] = set()
    known_mailings = set()
    for message in messages:
        report.messages += 1
        bounces = parse_report(message)
        if bounces is None:
            report.not_reports += 1
            continue
        for b in bounces:
            mailing_id = b.mailing_id
            if mailing_id is not None and mailing_id not in known_mailings:
                if session.get(Mailing, mailing_id) is None:
                    mailing_id = None
                else:
                    known_mailings.add(mailing_id)
            session.add(
                EmailBounce(
                    email=b.email,
                    kind=b.kind,
                    status=b.status,
                    diagnostic=(b.diagnostic or "")[:1000] or None,
                    mailing_id=mailing_id,
                )
            )
            if b.kind == HARD:
                report.hard += 1
                touched.add(b.email)
                if mailing_id is not None:
                    condition = MailingRecipient.mailing_id == mailing_id
                    if b.recipient_id is not None:
                        condition &= MailingRecipient.id == b.recipient_id
                    else:
                        condition &= MailingRecipient.email == b.email
                    session.execute(
                        update(MailingRecipient)
                        .where(condition)
                        .values(
                            status="bounced",
                            error=f"{b.status or ''} {b.diagnostic or ''}".strip()[:1000],
                            changed_at=utcnow(),
                        )
                    )
            else:
                report.soft += 1
    session.flush()
    if touched:
        counts = session.execute(
            select(EmailBounce.email, func.count())
            .where(EmailBounce.email.in_(touched), EmailBounce.kind == HARD)
            .group_by(EmailBounce.email)
        ).all()
        to_hold = sorted(email for email, n in counts if n >= hold_after)
        if to_hold:
            held = session.execute(
                select(func.lower(Email.email)).where(
                    func.lower(Email.email).in_(to_hold), Email.on_hold.is_(False)
                )
            ).scalars()
            report.put_on_hold = sorted(set(held))
            session.execute(
                update(Email)
                .where(func.lower(Email.email).in_(to_hold))
                .values(on_hold=True)
                .execution_options(synchronize_session=False)
            )
    session.flush()
    return report
