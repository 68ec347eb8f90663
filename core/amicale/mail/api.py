"""API: message templates (``/api/v1/message-templates``) and sending an email now
(``POST /api/v1/emails``)."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from ..accounts.permissions import permission_required
from ..api.pagination import LongPageArgs, PageArgs, page_of, page_schema
from ..db import session
from . import mailings, services
from .schemas import (
    EmailReportSchema,
    EmailSendSchema,
    MailingFiguresSchema,
    MailingPatchSchema,
    MailingSchema,
    MailingSendSchema,
    MessageTemplatePatchSchema,
    MessageTemplateSchema,
)

templates_blp = Blueprint(
    "message-templates",
    __name__,
    url_prefix="/message-templates",
    description="Message templates: subject and body with tokens such as {contact.first_name}",
)
emails_blp = Blueprint(
    "emails",
    __name__,
    url_prefix="/emails",
    description="Emails sent now to one contact or a few (at most 100); more is a mailing",
)

MessageTemplatePage = page_schema("MessageTemplatePage", MessageTemplateSchema)


@templates_blp.route("")
class Templates(MethodView):
    @permission_required("send_email")
    @templates_blp.arguments(LongPageArgs, location="query")
    @templates_blp.response(200, MessageTemplatePage)
    def get(self, args: dict):
        """Every template, by name."""
        return page_of(services.list_templates(session()), args)

    @permission_required("edit_message_templates")
    @templates_blp.arguments(MessageTemplateSchema)
    @templates_blp.response(201, MessageTemplateSchema)
    def post(self, data: dict):
        """Create a template (unknown tokens are refused)."""
        s = session()
        template = services.save_template(s, data)
        s.commit()
        return template


@templates_blp.route("/<int:template_id>")
class Template(MethodView):
    @permission_required("send_email")
    @templates_blp.response(200, MessageTemplateSchema)
    def get(self, template_id: int):
        """One template."""
        return services.get_template(session(), template_id)

    @permission_required("edit_message_templates")
    @templates_blp.arguments(MessageTemplatePatchSchema(partial=True))
    @templates_blp.response(200, MessageTemplateSchema)
    def patch(self, data: dict, template_id: int):
        """Change some fields of a template."""
        s = session()
        template = services.save_template(s, data, template_id)
        s.commit()
        return template

    @permission_required("edit_message_templates")
    @templates_blp.response(204)
    def delete(self, template_id: int):
        """Delete a template (emails already sent keep their text)."""
        s = session()
        services.delete_template(s, template_id)
        s.commit()


@emails_blp.route("")
class Emails(MethodView):
    @permission_required("send_email")
    @emails_blp.arguments(EmailSendSchema)
    @emails_blp.response(200, EmailReportSchema)
    def post(self, data: dict):
        """Send an email now to ``contact_ids`` (a template and/or a subject and body), recorded
        as an Email activity. The answer lists who got it, who was skipped and why, and who
        could not be reached; ``transport`` is ``outbox`` when no SMTP server is configured."""
        s = session()
        report = services.send_email(s, data, user=current_user)
        s.commit()
        return report


mailings_blp = Blueprint(
    "mailings",
    __name__,
    url_prefix="/mailings",
    description="Mailings to groups and mailing lists, for those who accept bulk mail",
)
MailingPage = page_schema("MailingPage", MailingSchema)


def _shown(s, mailing, groups: tuple[list[int], list[int]] | None = None) -> dict:
    includes, excludes = groups or mailings.mailing_groups(s, mailing.id)
    return {**mailing.model_dump(), "include_group_ids": includes, "exclude_group_ids": excludes}


@mailings_blp.route("")
class Mailings(MethodView):
    @permission_required("send_mailings")
    @mailings_blp.arguments(PageArgs, location="query")
    @mailings_blp.response(200, MailingPage)
    def get(self, args: dict):
        """Mailings, newest first."""
        s = session()
        items, total = mailings.list_mailings(s, page=args["page"], page_size=args["page_size"])
        groups = mailings.groups_of(s, [m.id for m in items])
        return {
            "items": [_shown(s, m, groups[m.id]) for m in items],
            "total": total,
            "page": args["page"],
            "page_size": args["page_size"],
        }

    @permission_required("send_mailings")
    @mailings_blp.arguments(MailingSchema)
    @mailings_blp.response(201, MailingSchema)
    def post(self, data: dict):
        """Write a draft."""
        s = session()
        mailing = mailings.save_mailing(s, data, user_id=current_user.id)
        s.commit()
        return _shown(s, mailing)


@mailings_blp.route("/<int:mailing_id>")
class MailingResource(MethodView):
    @permission_required("send_mailings")
    @mailings_blp.response(200, MailingSchema)
    def get(self, mailing_id: int):
        """One mailing."""
        s = session()
        return _shown(s, mailings.get_mailing(s, mailing_id))

    @permission_required("send_mailings")
    @mailings_blp.arguments(MailingPatchSchema(partial=True))
    @mailings_blp.response(200, MailingSchema)
    def patch(self, data: dict, mailing_id: int):
        """Change a draft (409 once sent)."""
        s = session()
        mailing = mailings.save_mailing(s, data, mailing_id)
        s.commit()
        return _shown(s, mailing)

    @permission_required("send_mailings")
    @mailings_blp.response(204)
    def delete(self, mailing_id: int):
        """Delete a draft or a scheduled mailing (409 once sent)."""
        s = session()
        mailings.delete_mailing(s, mailing_id)
        s.commit()


@mailings_blp.route("/<int:mailing_id>/send")
class MailingSend(MethodView):
    @permission_required("send_mailings")
    @mailings_blp.arguments(MailingSendSchema)
    @mailings_blp.response(200, MailingSchema)
    def post(self, data: dict, mailing_id: int):
        """Send now (recipients fixed now, delivered by the job queue) or at ``scheduled_at``."""
        s = session()
        mailing = mailings.send_mailing(s, mailing_id, when=data.get("scheduled_at"))
        s.commit()
        if mailing.status == "sending":
            mailings.start_delivery(mailing_id)
        s.refresh(mailing)
        return _shown(s, mailing)


@mailings_blp.route("/<int:mailing_id>/figures")
class MailingFigures(MethodView):
    @permission_required("send_mailings")
    @mailings_blp.response(200, MailingFiguresSchema)
    def get(self, mailing_id: int):
        """How many are queued, sent, failed, bounced, unsubscribed; and, for a draft, how
        many it would reach now."""
        s = session()
        mailing = mailings.get_mailing(s, mailing_id)
        data = mailings.figures(s, mailing_id)
        data["recipients_now"] = mailings.count_recipients(s, mailing)
        return data
