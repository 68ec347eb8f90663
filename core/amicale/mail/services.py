"""Message templates and one-to-one emails.

An email to one contact or to a selection (at most ``MAX_DIRECT`` recipients; more is a
mailing's work) is rendered with its tokens for the whole batch at once, sent through the
transport (SMTP or the outbox), and recorded as one Email activity whose targets are the
contacts it reached. Contacts it cannot reach are listed with the reason, never dropped silently.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from email import charset as _charset
from email import encoders
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..contacts.models import Contact, Email
from ..errors import NotFound, ValidationError
from ..organisation.services import get_settings
from ..validation import load_input
from .models import MessageTemplate
from .schemas import EmailSendSchema, MessageTemplateSchema
from .tokens import check_tokens, render, token_values, tokens_in
from .transport import SendResult, current_transport

MAX_DIRECT = 100
_UTF8_QP = _charset.Charset("utf-8")
_UTF8_QP.body_encoding = _charset.QP


# -- templates -----------------------------------------------------------------------------------


def list_templates(session: Session, *, active_only: bool = False) -> list[MessageTemplate]:
    query = select(MessageTemplate).order_by(func.lower(MessageTemplate.name))
    if active_only:
        query = query.where(MessageTemplate.is_active)
    return list(session.scalars(query))


def get_template(session: Session, template_id: int) -> MessageTemplate:
    template = session.get(MessageTemplate, template_id)
    if template is None:
        raise NotFound(str(_l("No message template with the number %(id)s.", id=template_id)))
    return template


def chosen_template(session: Session, template_id: int) -> MessageTemplate:
    """The template an email, a mailing or a letter starts from: a wrong number is a mistake
    in the input (ValidationError on ``template_id``), not a missing page."""
    template = session.get(MessageTemplate, template_id)
    if template is None:
        raise ValidationError(
            str(_l("No message template with the number %(id)s.", id=template_id)),
            field="template_id",
        )
    return template


def template_form_values(session: Session, template_id: int) -> dict:
    """What a form shows when the user starts from a template."""
    template = chosen_template(session, template_id)
    return {
        "template_id": template.id,
        "subject": template.subject,
        "body_text": template.body_text,
        "body_html": template.body_html or "",
    }


def save_template(session: Session, data: dict, template_id: int | None = None) -> MessageTemplate:
    """Create (``template_id`` None) or change a template; unknown tokens are refused."""
    template = get_template(session, template_id) if template_id else None
    values = load_input(MessageTemplateSchema(), data, partial=template is not None)
    check_tokens({k: values.get(k) for k in ("subject", "body_text", "body_html") if k in values})
    if "name" in values:
        clash = session.scalar(
            select(MessageTemplate.id).where(
                func.lower(MessageTemplate.name) == values["name"].lower(),
                MessageTemplate.id != (template.id if template else -1),
            )
        )
        if clash:
            raise ValidationError(str(_l("This name is already used.")), field="name")
    if template is None:
        template = MessageTemplate(**values)
        session.add(template)
    else:
        for key, value in values.items():
            setattr(template, key, value)
        template.modified_at = utcnow()
    session.flush()
    return template


def delete_template(session: Session, template_id: int) -> None:
    session.delete(get_template(session, template_id))
    session.flush()


# -- one-to-one email ----------------------------------------------------------------------------


@dataclass
class Recipient:
    contact_id: int
    display_name: str
    email: str | None
    reason: str | None = None  # why it cannot be emailed


@dataclass
class EmailReport:
    sent: list[int] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    activity_id: int | None = None
    transport: str = "smtp"
    where: str | None = None


def recipients(session: Session, contact_ids: list[int]) -> list[Recipient]:
    """Each contact with its primary email, or the reason it cannot get an email."""
    rows = session.execute(
        select(
            Contact.id,
            Contact.display_name,
            Contact.is_deleted,
            Contact.is_deceased,
            Contact.do_not_email,
            Email.email,
            Email.on_hold,
        )
        .outerjoin(Email, (Email.contact_id == Contact.id) & Email.is_primary)
        .where(Contact.id.in_(contact_ids))
    ).all()
    found = {r[0]: r for r in rows}
    out = []
    for cid in dict.fromkeys(contact_ids):
        row = found.get(cid)
        if row is None:
            out.append(Recipient(cid, "", None, str(_l("No contact with this number."))))
            continue
        _id, name, deleted, deceased, do_not_email, email, on_hold = row
        reason = None
        if deleted:
            reason = _l("In the trash.")
        elif deceased:
            reason = _l("Deceased.")
        elif do_not_email:
            reason = _l("Does not want emails.")
        elif not email:
            reason = _l("No email address.")
        elif on_hold:
            reason = _l("The email address is on hold (it bounced).")
        out.append(Recipient(cid, name, email, str(reason) if reason else None))
    return out


def sender_address(session: Session) -> tuple[str, str]:
    org = get_settings(session, "organisation.")
    address = org.get("organisation.email")
    if not address:
        raise ValidationError(
            str(
                _l(
                    "The organisation has no email address to send from: set it in "
                    "Administer → Organisation."
                )
            ),
            field="from",
        )
    return org.get("organisation.name") or "", address


class UnsendableAddress(ValueError):
    """An address this server cannot write in a message: accents before the @ need SMTPUTF8,
    which the messages here do not use. The recipient is reported, the others still get
    theirs."""


def header_address(name: str, address: str) -> str:
    """``Name <address>`` for a header: the name encoded as needed, a domain with accents
    written in IDNA (``café.fr`` → ``xn--caf-dma.fr``); UnsendableAddress when the part before
    the @ has accents."""
    local, at, domain = (address or "").rpartition("@")
    if not at or not local.isascii():
        raise UnsendableAddress(
            str(
                _l(
                    "The address %(address)s has accents before the @: it cannot be sent to.",
                    address=address,
                )
            )
        )
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise UnsendableAddress(
                str(_l("The address %(address)s is not valid.", address=address))
            ) from exc
    return formataddr((name, f"{local}@{domain}"))


def build_message(
    sender: tuple[str, str],
    to: tuple[str, str],
    subject: str,
    text: str,
    html: str | None,
    *,
    reply_to: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> Message:
    """A MIME message: the text part, and the HTML part as its alternative when there is one;
    with ``attachments`` ((filename, content, mimetype), e.g. a PDF receipt), the body and the
    files together in a ``multipart/mixed``.

    Built with the ``compat32`` classes (``email.mime``): three times faster than
    ``EmailMessage`` with the modern policy, which parses every header again; it matters for a
    mailing of thousands. Text is UTF-8, quoted-printable (readable in the raw message)."""
    text_part = MIMEText(text, "plain", _UTF8_QP)
    if html:
        # A boundary of our own: the generator would otherwise compile a regular expression
        # per message to make one (an eighth of the time of a mailing).
        message = MIMEMultipart("alternative", boundary=f"=_amicale_{uuid.uuid4().hex}")
        message.attach(text_part)
        message.attach(MIMEText(html, "html", _UTF8_QP))
    else:
        message = text_part
    if attachments:
        body = message
        message = MIMEMultipart("mixed", boundary=f"=_amicale_{uuid.uuid4().hex}")
        message.attach(body)
        for filename, content, mimetype in attachments:
            maintype, _, subtype = (mimetype or "application/octet-stream").partition("/")
            part = MIMEBase(maintype, subtype or "octet-stream")
            part.set_payload(content)
            encoders.encode_base64(part)
            part.add_header("Content-Disposition", "attachment", filename=filename)
            message.attach(part)
    message["From"] = header_address(*sender)
    message["To"] = header_address(*to)
    message["Subject"] = Header(subject, "utf-8") if not subject.isascii() else subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender[1].rsplit("@", 1)[-1])
    if reply_to:
        message["Reply-To"] = reply_to
    for key, value in (headers or {}).items():
        message[key] = value
    return message


def _content(session: Session, values: dict) -> tuple[str, str, str | None]:
    """Subject, text and HTML from a template and/or what was written (written text wins)."""
    subject, text, html = values.get("subject"), values.get("body_text"), values.get("body_html")
    if values.get("template_id"):
        template = chosen_template(session, values["template_id"])
        subject = subject or template.subject
        text = text or template.body_text
        html = html if html is not None else template.body_html
    errors = {}
    if not subject:
        errors["subject"] = [str(_l("Give the email a subject."))]
    if not text:
        errors["body_text"] = [str(_l("Write the message."))]
    if errors:
        raise ValidationError(str(_l("Some fields are not valid.")), errors=errors)
    check_tokens({"subject": subject, "body_text": text, "body_html": html})
    return subject, text, html


def send_email(
    session: Session,
    data: dict,
    *,
    user=None,
    transport=None,
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> EmailReport:
    """Send an email (``EmailSendSchema``: ``contact_ids`` and a template and/or a subject and
    body) now, and record it as an Email activity. Refused as a whole (ValidationError) when
    the input is wrong or nobody can be reached; the caller commits. ``attachments``: files
    ((filename, content, mimetype)) every recipient gets with the message."""
    from ..activities.services import create_activity

    values = load_input(EmailSendSchema(), data)
    if len(set(values["contact_ids"])) > MAX_DIRECT:
        raise ValidationError(
            str(
                _l(
                    "An email goes to at most %(max)d contacts at once: for more, send a mailing.",
                    max=MAX_DIRECT,
                )
            ),
            field="contact_ids",
        )
    subject, text, html = _content(session, values)
    sender = sender_address(session)
    people = recipients(session, values["contact_ids"])
    reachable = [p for p in people if p.reason is None]
    report = EmailReport(
        skipped=[
            {"contact_id": p.contact_id, "display_name": p.display_name, "reason": p.reason}
            for p in people
            if p.reason
        ]
    )
    if not reachable:
        raise ValidationError(
            str(_l("Nobody among the chosen contacts can receive an email.")),
            errors={
                "contact_ids": [f"{p.display_name or p.contact_id}: {p.reason}" for p in people]
            },
        )
    used = tokens_in(subject, text, html)
    values_by_contact = token_values(session, [p.contact_id for p in reachable], used)
    reply_to = getattr(user, "email", None)
    transport = transport or current_transport()
    report.transport = transport.kind
    with transport:
        for person in reachable:
            tokens = values_by_contact.get(person.contact_id, {})
            try:
                message = build_message(
                    sender,
                    (person.display_name, person.email),
                    render(subject, tokens).replace("\n", " "),
                    render(text, tokens),
                    render(html, tokens, html=True) if html else None,
                    reply_to=reply_to,
                    attachments=attachments,
                )
            except UnsendableAddress as exc:
                result = SendResult(False, str(exc))
            else:
                result = transport.send(message)
            if result.ok:
                report.sent.append(person.contact_id)
                report.where = result.where or report.where
            else:
                report.failed.append(
                    {
                        "contact_id": person.contact_id,
                        "display_name": person.display_name,
                        "reason": result.error,
                    }
                )
    if report.sent:
        activity = create_activity(
            session,
            {
                "activity_type": "email",
                "subject": subject[:255],
                "details": text,
                "status": "Completed",
                "source_contact_id": getattr(user, "contact_id", None),
                "target_contact_ids": report.sent,
            },
            user_id=getattr(user, "id", None),
        )
        report.activity_id = activity.id
    return report
