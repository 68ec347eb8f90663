"""Email as a default plugin of the core: message templates, writing an email from a contact
or a selection, and its API."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import escape

from .. import hookimpl
from ..hooktypes import MenuItem, Permission


@hookimpl
def register_models():
    from .models import EmailBounce, Mailing, MailingGroup, MailingRecipient, MessageTemplate

    return [MessageTemplate, Mailing, MailingGroup, MailingRecipient, EmailBounce]


@hookimpl
def register_blueprints():
    from .letters_views import bp as letters_bp
    from .views import bp

    return [bp, letters_bp]


@hookimpl
def register_api():
    from .api import emails_blp, mailings_blp, templates_blp
    from .letters_views import api_blp as letters_blp

    return [templates_blp, emails_blp, mailings_blp, letters_blp]


@hookimpl
def register_permissions():
    return [
        Permission(
            "send_email",
            _l("Send emails"),
            _l("Write an email to a contact or to a few selected contacts."),
            default_roles=("staff",),
        ),
        Permission(
            "send_mailings",
            _l("Send mailings"),
            _l("Write mailings to groups and mailing lists and send them."),
            default_roles=("staff",),
        ),
        Permission(
            "edit_message_templates",
            _l("Edit message templates"),
            _l("Create and change the templates of emails, mailings and letters."),
            default_roles=("staff",),
        ),
        Permission(
            "print_letters",
            _l("Print letters"),
            _l("Produce personalised letters and address labels (PDF) for postal mail."),
            default_roles=("staff",),
        ),
    ]


@hookimpl
def menu_items(user):
    return [
        MenuItem("mailings", _l("Mailings"), "mail.mailings_index", "main", 45, "send_mailings"),
        MenuItem(
            "admin.message_templates",
            _l("Message templates"),
            "mail.templates",
            "admin",
            55,
            "edit_message_templates",
        ),
    ]


@hookimpl
def template_slot(name, context, **kwargs):
    if name != "contact.actions":
        return None
    from flask_login import current_user

    from ..accounts.permissions import has_permission

    contact = context.get("contact")
    if contact is None:
        return None
    links = []
    if has_permission(current_user, "send_email"):
        url = url_for("mail.compose_one", contact_id=contact.id)
        label = _l("Send an email")
        links.append(
            f'<a class="btn secondary" id="send-email" href="{escape(url)}">{escape(label)}</a>'
        )
    if has_permission(current_user, "print_letters"):
        url = url_for("letters.letter_one", contact_id=contact.id)
        label = _l("Write a letter")
        links.append(
            f'<a class="btn secondary" id="write-letter" href="{escape(url)}">{escape(label)}</a>'
        )
    return (20, "\n".join(links)) if links else None
