"""Pages of email: message templates (Administer), and writing an email to a contact or to the
selected search results."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from ..accounts.permissions import permission_required, public, signed_link
from ..db import session
from ..errors import DomainError, ValidationError
from ..groups.models import Group
from . import mailings, services, subscriptions
from .schemas import MessageTemplateSchema
from .tokens import available_tokens
from .transport import current_transport

bp = Blueprint("mail", __name__, template_folder="templates")


# -- message templates ---------------------------------------------------------------------------


@bp.route("/admin/message-templates/", methods=["GET", "POST"])
@permission_required("edit_message_templates")
def templates():
    s = session()
    errors: dict = {}
    values: dict = {}
    if request.method == "POST":
        values = request.form.to_dict()
        values["is_active"] = "is_active" in request.form
        try:
            template = services.save_template(s, values)
            s.commit()
        except ValidationError as exc:
            s.rollback()
            errors = exc.errors or {"": [exc.message]}
        else:
            flash(_("The template %(name)s is saved.", name=template.name), "success")
            return redirect(url_for("mail.templates"))
    status = 422 if errors else 200
    return render_template(
        "mail/templates.html",
        templates=services.list_templates(s),
        values=values or {"is_active": True},
        errors=errors,
        tokens=available_tokens(),
    ), status


@bp.route("/admin/message-templates/<int:template_id>", methods=["GET", "POST"])
@permission_required("edit_message_templates")
def edit_template(template_id: int):
    s = session()
    template = services.get_template(s, template_id)
    errors: dict = {}
    if request.method == "POST":
        values = request.form.to_dict()
        values["is_active"] = "is_active" in request.form
        try:
            services.save_template(s, values, template_id)
            s.commit()
        except ValidationError as exc:
            s.rollback()
            errors = exc.errors or {"": [exc.message]}
        else:
            flash(_("The template %(name)s is saved.", name=template.name), "success")
            return redirect(url_for("mail.templates"))
    else:
        values = MessageTemplateSchema().dump(template)
    return render_template(
        "mail/template_edit.html",
        template=template,
        values=values,
        errors=errors,
        tokens=available_tokens(),
    ), (422 if errors else 200)


@bp.route("/admin/message-templates/<int:template_id>/delete", methods=["POST"])
@permission_required("edit_message_templates")
def delete_template(template_id: int):
    s = session()
    name = services.get_template(s, template_id).name
    services.delete_template(s, template_id)
    s.commit()
    flash(_("The template %(name)s is deleted.", name=name), "success")
    return redirect(url_for("mail.templates"))


# -- writing an email ----------------------------------------------------------------------------


def _compose(contact_ids: list[int], back: str):
    s = session()
    people = services.recipients(s, contact_ids)
    errors: dict = {}
    values = request.form.to_dict() if request.method == "POST" else {}
    template_id = request.values.get("template_id", type=int)
    loading = request.method == "GET" or request.form.get("load_template")
    if loading and template_id:
        try:
            values = services.template_form_values(s, template_id)
        except ValidationError as exc:
            errors = exc.errors
    if request.method == "POST" and request.form.get("send"):
        data = {
            "contact_ids": contact_ids,
            "template_id": values.get("template_id") or None,
            "subject": values.get("subject"),
            "body_text": values.get("body_text"),
            "body_html": values.get("body_html"),
        }
        try:
            report = services.send_email(s, data, user=current_user)
            s.commit()
        except ValidationError as exc:
            s.rollback()
            errors = exc.errors or {"": [exc.message]}
        else:
            _flash_report(report)
            return redirect(back)
    transport = current_transport()
    return render_template(
        "mail/compose.html",
        people=people,
        contact_ids=contact_ids,
        values=values,
        errors=errors,
        templates=services.list_templates(s, active_only=True),
        tokens=available_tokens(),
        transport=transport,
        back=back,
        max_direct=services.MAX_DIRECT,
    ), (422 if errors else 200)


def _flash_report(report: services.EmailReport) -> None:
    if report.sent:
        if report.transport == "outbox":
            flash(
                ngettext(
                    "%(num)d email written to the outbox folder (no SMTP server is configured).",
                    "%(num)d emails written to the outbox folder (no SMTP server is configured).",
                    len(report.sent),
                ),
                "warning",
            )
        else:
            flash(
                ngettext("%(num)d email sent.", "%(num)d emails sent.", len(report.sent)),
                "success",
            )
    for row in report.skipped:
        flash(
            _("Not sent to %(name)s: %(reason)s", name=row["display_name"], reason=row["reason"]),
            "error",
        )
    for row in report.failed:
        flash(
            _(
                "Could not send to %(name)s: %(reason)s",
                name=row["display_name"],
                reason=row["reason"],
            ),
            "error",
        )


def _local(url: str | None) -> str | None:
    """A URL of this site only (never send the user elsewhere after the form)."""
    from urllib.parse import urlsplit

    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


@bp.route("/contacts/<int:contact_id>/email", methods=["GET", "POST"])
@permission_required("send_email")
def compose_one(contact_id: int):
    return _compose([contact_id], url_for("contacts.view", contact_id=contact_id))


def from_selection(page):
    """``page(contact_ids, back)`` for the contacts posted by the search results' selection
    (then by the page's own form); back to where they came from when none is selected."""
    ids = [int(i) for i in request.form.getlist("contact_ids") if i.isdigit()]
    back = _local(request.form.get("back")) or _local(request.referrer) or url_for("contacts.index")
    if not ids:
        flash(_("Select at least one contact."), "error")
        return redirect(back)
    return page(list(dict.fromkeys(ids)), back)


@bp.route("/contacts/email", methods=["POST"])
@permission_required("send_email")
def compose_selection():
    """Reached from the search results' selection (its ``contact_ids``), then from its own form."""
    return from_selection(_compose)


# -- the public unsubscribe page (signed link of each mailing message) --------------------------


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@signed_link
def unsubscribe(token: str):
    """GET: what unsubscribing would do; POST: do it. A POST with
    ``List-Unsubscribe=One-Click`` (RFC 8058, sent by the mail client) needs no confirmation."""
    s = session()
    recipient = mailings.recipient_from_token(s, token)
    mailing = mailings.get_mailing(s, recipient.mailing_id)
    includes, _ = mailings.mailing_groups(s, mailing.id)
    lists = s.scalars(
        select(Group.title).where(Group.id.in_(includes), Group.is_mailing_list.is_(True))
    ).all()
    if request.method == "POST":
        one_click = request.form.get("List-Unsubscribe") == "One-Click"
        everything = request.form.get("scope") == "all"
        mailings.unsubscribe(
            s, recipient, everything=everything, source="one-click" if one_click else "web page"
        )
        s.commit()
        if one_click:
            return "", 200
        return render_template(
            "mail/unsubscribed.html", email=recipient.email, lists=lists, everything=everything
        )
    return render_template(
        "mail/unsubscribe.html",
        email=recipient.email,
        lists=lists,
        done=recipient.status == "unsubscribed",
    )


# -- mailings ------------------------------------------------------------------------------------


def _mailing_form_values(form) -> dict:
    def ids(name):
        return [int(v) for v in form.getlist(name) if str(v).isdigit()]

    return {
        "name": form.get("name", ""),
        "subject": form.get("subject", ""),
        "body_text": form.get("body_text", ""),
        "body_html": form.get("body_html", ""),
        "template_id": form.get("template_id") or None,
        "include_group_ids": ids("include_group_ids"),
        "exclude_group_ids": ids("exclude_group_ids"),
    }


def _save_from_form(s, mailing_id: int | None):
    from ..validation import load_input
    from .schemas import MailingSchema

    values = load_input(MailingSchema(), _mailing_form_values(request.form))
    return mailings.save_mailing(s, values, mailing_id, user_id=current_user.id)


@bp.route("/mailings/", methods=["GET", "POST"])
@permission_required("send_mailings")
def mailings_index():
    from ..groups.services import list_groups

    s = session()
    errors: dict = {}
    values: dict = {}
    if request.method == "POST":
        values = _mailing_form_values(request.form)
        try:
            mailing = _save_from_form(s, None)
            s.commit()
        except ValidationError as exc:
            s.rollback()
            errors = exc.errors or {"": [exc.message]}
        else:
            return redirect(url_for("mail.mailing", mailing_id=mailing.id))
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    items, total = mailings.list_mailings(s, page=page, page_size=50)
    return render_template(
        "mail/mailings.html",
        mailings=items,
        total=total,
        values=values,
        errors=errors,
        groups=list_groups(s, is_active=True),
        templates=services.list_templates(s, active_only=True),
        tokens=available_tokens(),
        status_labels=mailings.STATUS_LABELS,
    ), (422 if errors else 200)


@bp.route("/mailings/<int:mailing_id>", methods=["GET", "POST"])
@permission_required("send_mailings")
def mailing(mailing_id: int):
    from ..groups.services import list_groups

    s = session()
    item = mailings.get_mailing(s, mailing_id)
    errors: dict = {}
    action = request.form.get("action") if request.method == "POST" else None
    if action:
        try:
            if action == "save":
                _save_from_form(s, mailing_id)
                s.commit()
                flash(_("The draft is saved."), "success")
            elif action == "test":
                mailings.send_test(
                    s,
                    mailing_id,
                    request.form.get("test_email") or current_user.email,
                    contact_id=getattr(current_user, "contact_id", None),
                )
                flash(
                    _(
                        "A test was sent to %(email)s.",
                        email=request.form.get("test_email") or current_user.email,
                    ),
                    "success",
                )
            elif action == "send":
                when = mailings.read_schedule(request.form.get("scheduled_at"))
                item = mailings.send_mailing(s, mailing_id, when=when)
                s.commit()
                if item.status == "sending":
                    mailings.start_delivery(mailing_id)
                    flash(_("The mailing is being sent."), "success")
                else:
                    flash(_("The mailing is scheduled."), "success")
            elif action == "cancel":
                mailings.cancel_mailing(s, mailing_id)
                s.commit()
                flash(_("The mailing is cancelled."), "success")
            return redirect(url_for("mail.mailing", mailing_id=mailing_id))
        except ValidationError as exc:
            s.rollback()
            errors = exc.errors or {"": [exc.message]}
        except DomainError as exc:
            s.rollback()
            errors = {"": [exc.message]}
        item = mailings.get_mailing(s, mailing_id)
    includes, excludes = mailings.mailing_groups(s, mailing_id)
    values = (
        _mailing_form_values(request.form)
        if errors and action == "save"
        else {
            "name": item.name,
            "subject": item.subject,
            "body_text": item.body_text,
            "body_html": item.body_html,
            "template_id": item.template_id,
            "include_group_ids": includes,
            "exclude_group_ids": excludes,
        }
    )
    return render_template(
        "mail/mailing.html",
        mailing=item,
        values=values,
        errors=errors,
        figures=mailings.figures(s, mailing_id),
        recipients_now=mailings.count_recipients(s, item) if item.status == "draft" else None,
        groups=list_groups(s, is_active=True),
        templates=services.list_templates(s, active_only=True),
        tokens=available_tokens(),
        transport=current_transport(),
        status_labels=mailings.STATUS_LABELS,
    ), (422 if errors else 200)


# -- public subscription pages -------------------------------------------------------------------


def _origin() -> str:
    return f"from {request.remote_addr or 'unknown address'}"


@bp.route("/subscribe", methods=["GET", "POST"])
@public
def subscribe():
    """Choose the mailing lists to receive; a confirmation email follows (double opt-in)."""
    s = session()
    errors: dict = {}
    values: dict = {}
    if request.method == "POST":
        values = {
            "email": request.form.get("email", ""),
            "first_name": request.form.get("first_name", ""),
            "last_name": request.form.get("last_name", ""),
            "group_ids": request.form.getlist("group_ids"),
        }
        try:
            subscriptions.request_subscription(s, values, origin=_origin())
            s.commit()
        except ValidationError as exc:
            s.rollback()
            errors = exc.errors or {"": [exc.message]}
        else:
            return render_template("mail/subscribe_sent.html", email=values["email"])
    return render_template(
        "mail/subscribe.html",
        lists=subscriptions.public_lists(s),
        values=values,
        errors=errors,
    ), (422 if errors else 200)


@bp.route("/subscribe/confirm/<token>", methods=["GET", "POST"])
@signed_link
def confirm_subscription(token: str):
    """GET shows a button (mail scanners open links: a GET confirms nothing); POST confirms."""
    s = session()
    try:
        subscriptions.read_confirmation(token)
    except ValidationError as exc:
        return render_template("errors/error.html", code=410, message=exc.message), 410
    if request.method == "POST":
        titles = subscriptions.confirm(s, token, origin=_origin())
        s.commit()
        return render_template("mail/subscribe_confirmed.html", lists=titles)
    return render_template("mail/subscribe_confirm.html")


@bp.route("/preferences/<token>", methods=["GET", "POST"])
@signed_link
def preferences(token: str):
    """The lists a person receives, from the link in every mailing."""
    s = session()
    contact = subscriptions.contact_from_preferences_token(s, token)
    saved = False
    if request.method == "POST":
        ids = [int(v) for v in request.form.getlist("group_ids") if v.isdigit()]
        subscriptions.save_preferences(
            s, contact, ids, no_bulk_mail="no_bulk_mail" in request.form, origin=_origin()
        )
        s.commit()
        saved = True
        contact = subscriptions.contact_from_preferences_token(s, token)
    return render_template(
        "mail/preferences.html",
        lists=subscriptions.public_lists(s),
        chosen=subscriptions.current_choices(s, contact.id),
        no_bulk_mail=contact.is_opt_out,
        saved=saved,
    )
