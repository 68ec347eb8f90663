"""The staff pages of Events (mounted under /event/): thin, the rules are in ``services``.

- ``/event/``: the events, filtered; ``/event/new``, ``/event/<id>/edit``, copy, delete;
- ``/event/<id>``: an event, its participants, the forms to register one person or a group;
- ``/event/participant/<id>/...``: change a status, cancel, transfer, note a fee paid;
- ``/event/<id>/check-in``: the attendance screen for a phone at the door;
- ``/event/<id>/badges.pdf`` and ``/event/<id>/participants.csv``;
- ``/event/types``: the admin's event types; ``/event/contact/<id>``: a contact's tab.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from amicale.api_for_plugins import (
    DomainError,
    contact_page_context,
    current_user,
    gettext,
    permission_required,
    session,
)
from amicale.api_for_plugins import lazy_gettext as _l

from . import badges, mail, services, signup
from .dates import when
from .models import FREQUENCIES, PRICE_LEVELS, ROLES, STATUSES, WAITLIST

bp = Blueprint("event", __name__, template_folder="templates")

VIEW, EDIT, ADMINISTER = "view_events", "edit_events", "administer_events"
PAGE_SIZE = 25
ROLE_LABELS = {
    "attendee": _l("Attendee"),
    "volunteer": _l("Volunteer"),
    "speaker": _l("Speaker"),
    "host": _l("Host"),
}
PRICE_LABELS = {
    "member": _l("Member"),
    "non_member": _l("Non-member"),
    "reduced": _l("Reduced"),
    "free": _l("Free"),
}
FREQUENCY_LABELS = {
    "daily": _l("Every day"),
    "weekly": _l("Every week"),
    "monthly": _l("Every month"),
}


def _status_labels() -> list:
    """The statuses, listed so that the catalogue translates them (shown with ``|tr``)."""
    return [
        _l("Registered"),
        _l("Attended"),
        _l("No-show"),
        _l("Cancelled"),
        _l("On waitlist"),
        _l("Pending payment"),
        _l("Pending approval"),
    ]


def _errors(exc: DomainError) -> dict[str, list[str]]:
    return exc.errors or {"": [exc.message]}


def _user_id() -> int | None:
    return getattr(current_user, "id", None)


def _common() -> dict:
    return {
        "role_labels": ROLE_LABELS,
        "price_labels": PRICE_LABELS,
        "roles": ROLES,
        "statuses": STATUSES,
        "price_levels": PRICE_LEVELS,
    }


@bp.app_template_filter("event_when")
def event_when(value, style: str = "full") -> str:
    return when(value, style)


@bp.app_template_filter("fill_rate")
def fill_rate(event) -> str:
    if not event.max_participants:
        return str(event.taken)
    return f"{event.taken} / {event.max_participants}"


# -- events ----------------------------------------------------------------------------------------


@bp.route("/")
@permission_required(VIEW)
def index():
    s = session()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    when = request.args.get("when", "upcoming")
    type_id = request.args.get("type", type=int)
    q = request.args.get("q") or None
    rows, total = services.list_events(
        s,
        event_type_id=type_id,
        q=q,
        upcoming=when == "upcoming",
        page=page,
        page_size=PAGE_SIZE,
    )
    return render_template(
        "event/index.html",
        rows=rows,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        types=services.type_options(s),
        type_names=dict(services.type_options(s)),
        type_id=type_id,
        when=when,
        q=q or "",
    )


def _questions_text(questions: list[dict]) -> str:
    lines = []
    for q in questions or []:
        parts = [q["name"], q["label"], ", ".join(q.get("options") or [])]
        if q.get("required"):
            parts.append("required")
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def _parse_questions(text: str) -> list[dict]:
    """ "diet | Dietary preference | vegetarian, omnivore | required", one question a line."""
    out = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not parts[0]:
            continue
        options = [o.strip() for o in parts[2].split(",") if o.strip()] if len(parts) > 2 else []
        out.append(
            {
                "name": parts[0],
                "label": parts[1] if len(parts) > 1 and parts[1] else parts[0],
                "options": options,
                "required": len(parts) > 3 and parts[3].lower() in ("required", "obligatoire"),
            }
        )
    return out


EVENT_FIELDS = (
    "title",
    "summary",
    "description",
    "event_type_id",
    "start_date",
    "end_date",
    "location",
    "online_url",
    "max_participants",
    "registration_start",
    "registration_end",
    "fee_member",
    "fee_non_member",
    "fee_reduced",
    "financial_type",
    "organiser_email",
    "reminder_days",
    "summary_field",
    "summary_days",
)
EVENT_CHECKS = (
    "is_public",
    "is_active",
    "is_online_registration",
    "requires_approval",
    "has_waitlist",
)


def _event_values(form) -> dict:
    values: dict = {key: form.get(key, "") for key in EVENT_FIELDS}
    for key in ("fee_member", "fee_non_member", "fee_reduced"):
        values[key] = (values[key] or "").replace(",", ".")
    for key in EVENT_CHECKS:
        values[key] = form.get(key) == "1"
    values["participant_fields"] = _parse_questions(form.get("participant_fields_text", ""))
    if form.get("repeat_frequency"):
        values["repeat_rule"] = {
            "frequency": form.get("repeat_frequency"),
            "interval": form.get("repeat_interval") or 1,
            "count": form.get("repeat_count") or None,
        }
    return values


def _form_values(event) -> dict:
    values = {key: getattr(event, key) for key in EVENT_FIELDS + EVENT_CHECKS}
    for key in ("start_date", "end_date", "registration_start", "registration_end"):
        if values[key]:
            values[key] = values[key].strftime("%Y-%m-%dT%H:%M")
    values["participant_fields_text"] = _questions_text(event.participant_fields)
    return values


def _event_form(template: str, **context):
    s = session()
    return render_template(
        template,
        types=services.type_options(s),
        frequencies=[(f, FREQUENCY_LABELS[f]) for f in FREQUENCIES],
        **context,
    )


@bp.route("/new", methods=["GET", "POST"])
@permission_required(ADMINISTER)
def new_event():
    s = session()
    values: dict = {"is_active": True, "has_waitlist": True}
    errors: dict = {}
    if request.method == "POST":
        values = _event_values(request.form)
        try:
            event = services.create_event(s, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
            values["participant_fields_text"] = request.form.get("participant_fields_text", "")
        else:
            flash(gettext("Event created."), "success")
            return redirect(url_for("event.detail", event_id=event.id))
    return _event_form("event/event_form.html", values=values, errors=errors, event=None), (
        422 if errors else 200
    )


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@permission_required(ADMINISTER)
def edit_event(event_id: int):
    s = session()
    event = services.get_event(s, event_id)
    values, errors = _form_values(event), {}
    if request.method == "POST":
        values = _event_values(request.form)
        values.pop("repeat_rule", None)
        scope = request.form.get("scope", "one")
        try:
            _, promoted = services.update_event(s, event_id, values, scope=scope)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
            values["participant_fields_text"] = request.form.get("participant_fields_text", "")
        else:
            mail.send_promotions(s, promoted)
            s.commit()
            flash(gettext("Event saved."), "success")
            return redirect(url_for("event.detail", event_id=event_id))
    return _event_form("event/event_form.html", values=values, errors=errors, event=event), (
        422 if errors else 200
    )


@bp.route("/<int:event_id>/copy", methods=["POST"])
@permission_required(ADMINISTER)
def copy_event(event_id: int):
    s = session()
    copy = services.copy_event(s, event_id)
    s.commit()
    flash(gettext("Event copied: change its dates and title."), "success")
    return redirect(url_for("event.edit_event", event_id=copy.id))


@bp.route("/<int:event_id>/delete", methods=["POST"])
@permission_required(ADMINISTER)
def delete_event(event_id: int):
    s = session()
    services.delete_event(s, event_id)
    s.commit()
    flash(gettext("Event deleted."), "success")
    return redirect(url_for("event.index"))


@bp.route("/<int:event_id>")
@permission_required(VIEW)
def detail(event_id: int):
    return _detail(event_id)


def _detail(event_id: int, errors: dict | None = None, values: dict | None = None, status=200):
    s = session()
    event = services.get_event(s, event_id)
    status_filter = request.args.get("status") or None
    rows, _ = services.list_participants(
        s, event_id=event_id, status=status_filter, q=request.args.get("q") or None
    )
    summary = None
    if event.summary_field:
        summary = services.field_summary(s, event_id, event.summary_field)
    return render_template(
        "event/detail.html",
        event=event,
        rows=rows,
        names=services.display_names(s, [p.contact_id for p in rows]),
        counts=services.counts_by_status(s, event_id),
        type_name=dict(services.type_options(s)).get(event.event_type_id),
        fees=services.fee_options(event),
        summary=summary,
        status_filter=status_filter,
        errors=errors or {},
        values=values or {},
        sets=services.custom_sets(s),
        **_common(),
    ), status


# -- registering -----------------------------------------------------------------------------------


def _register_values(form) -> dict:
    values = {
        "contact_id": form.get("contact_id", ""),
        "contact_ids": form.get("contact_ids", ""),
        "additional_contact_ids": form.get("additional_contact_ids", ""),
        "role": form.get("role") or "attendee",
        "status": form.get("status", ""),
        "fee_level": form.get("fee_level", ""),
        "record_payment": form.get("record_payment") == "1",
        "payment_instrument": form.get("payment_instrument", ""),
        "note": form.get("note", ""),
    }
    values["field_values"] = {
        key[6:]: value for key, value in form.items() if key.startswith("field_")
    }
    if values["contact_id"]:  # one person: the admin's custom fields of participants too
        values["custom"] = services.custom_input(form, services.custom_sets(session()))
    return values


@bp.route("/<int:event_id>/register", methods=["POST"])
@permission_required(EDIT)
def register(event_id: int):
    s = session()
    values = _register_values(request.form)
    user_id = _user_id()
    try:
        result = signup.registering(
            s, event_id, lambda: services.register(s, event_id, values, user_id=user_id)
        )
    except DomainError as exc:
        s.rollback()
        if request.form.get("back") == "contact" and values["contact_id"]:
            flash(exc.message, "error")
            return redirect(url_for("event.contact_tab", contact_id=values["contact_id"]))
        return _detail(event_id, _errors(exc), dict(request.form), 422)
    if request.form.get("send_confirmation") == "1":
        for p in result.participants[:1]:
            mail.send_confirmation(s, p, result.payment)
        s.commit()
    n = len(result.participants)
    waiting = sum(p.status == WAITLIST for p in result.participants)
    flash(
        gettext("%(n)d registered, %(w)d on the waitlist.", n=n - waiting, w=waiting),
        "success",
    )
    if request.form.get("back") == "contact":
        return redirect(url_for("event.contact_tab", contact_id=result.main.contact_id))
    return redirect(url_for("event.detail", event_id=event_id))


def _participant_action(participant_id: int, action):
    s = session()
    p = services.get_participant(s, participant_id)
    event_id = p.event_id
    try:
        promoted = action(s, p) or []
        s.commit()
    except DomainError as exc:
        s.rollback()
        flash(exc.message, "error")
    else:
        if promoted:
            mail.send_promotions(s, promoted)
            s.commit()
            flash(
                gettext(
                    "A place freed up: %(n)d person(s) moved from the waitlist and told by email.",
                    n=len(promoted),
                ),
                "success",
            )
        else:
            flash(gettext("Saved."), "success")
    target = request.form.get("next") or url_for("event.detail", event_id=event_id)
    if not target.startswith("/"):
        target = url_for("event.detail", event_id=event_id)
    return redirect(target)


@bp.route("/participant/<int:participant_id>/status", methods=["POST"])
@permission_required(EDIT)
def participant_status(participant_id: int):
    def act(s, p):
        data = {"status": request.form.get("status", ""), "note": request.form.get("note", "")}
        return services.set_status(s, p.id, data, user_id=_user_id())[1]

    return _participant_action(participant_id, act)


@bp.route("/participant/<int:participant_id>/cancel", methods=["POST"])
@permission_required(EDIT)
def participant_cancel(participant_id: int):
    def act(s, p):
        note = request.form.get("note") or None
        return services.cancel(s, p.id, user_id=_user_id(), note=note)[1]

    return _participant_action(participant_id, act)


@bp.route("/participant/<int:participant_id>/transfer", methods=["POST"])
@permission_required(EDIT)
def participant_transfer(participant_id: int):
    def act(s, p):
        data = {"contact_id": request.form.get("contact_id", ""), "note": request.form.get("note")}
        services.transfer(s, p.id, data, user_id=_user_id())
        return []

    return _participant_action(participant_id, act)


@bp.route("/participant/<int:participant_id>/paid", methods=["POST"])
@permission_required(EDIT)
def participant_paid(participant_id: int):
    return _participant_action(
        participant_id, lambda s, p: services.mark_paid(s, p.id, user_id=_user_id()) and []
    )


@bp.route("/<int:event_id>/no-shows", methods=["POST"])
@permission_required(EDIT)
def no_shows(event_id: int):
    s = session()
    n = services.mark_no_shows(s, event_id, user_id=_user_id())
    s.commit()
    flash(gettext("%(n)d participant(s) marked as no-show.", n=n), "success")
    return redirect(url_for("event.detail", event_id=event_id))


# -- at the door -----------------------------------------------------------------------------------


@bp.route("/<int:event_id>/check-in")
@permission_required(EDIT)
def check_in(event_id: int):
    s = session()
    event = services.get_event(s, event_id)
    rows, _ = services.list_participants(s, event_id=event_id)
    rows = [p for p in rows if p.status in services.HOLDING]
    names = services.sort_names(s, [p.contact_id for p in rows])
    rows.sort(key=lambda p: (names.get(p.contact_id) or "").lower())
    return render_template(
        "event/check_in.html",
        event=event,
        rows=rows,
        names=names,
        arrived=sum(p.status == "Attended" for p in rows),
    )


@bp.route("/participant/<int:participant_id>/check-in", methods=["POST"])
@permission_required(EDIT)
def participant_check_in(participant_id: int):
    s = session()
    undo = request.form.get("undo") == "1"
    try:
        if undo:
            p = services.undo_check_in(s, participant_id, user_id=_user_id())
        else:
            p = services.check_in(s, participant_id, user_id=_user_id())
        s.commit()
    except DomainError as exc:
        s.rollback()
        if request.accept_mimetypes.best == "application/json":
            return {"error": exc.message}, 409
        flash(exc.message, "error")
        p = services.get_participant(s, participant_id)
    if request.accept_mimetypes.best == "application/json":
        return {"id": p.id, "status": p.status, "label": gettext(p.status)}
    return redirect(url_for("event.check_in", event_id=p.event_id) + f"#p{p.id}")


@bp.route("/<int:event_id>/badges.pdf")
@permission_required(VIEW)
def badges_pdf(event_id: int):
    s = session()
    pdf = badges.render_badges(s, event_id)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="badges-{event_id}.pdf"'},
    )


@bp.route("/<int:event_id>/participants.csv")
@permission_required(VIEW)
def participants_csv(event_id: int):
    s = session()
    text = services.export_csv(s, event_id)
    return Response(
        "\ufeff" + text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="participants-{event_id}.csv"'},
    )


@bp.route("/<int:event_id>/head-count", methods=["POST"])
@permission_required(EDIT)
def send_head_count(event_id: int):
    s = session()
    event = services.get_event(s, event_id)
    if not (event.summary_field and event.organiser_email):
        flash(gettext("Give the organiser's email and the question to count first."), "error")
    elif mail.send_summary(s, event):
        s.commit()
        flash(gettext("Head count sent to %(email)s.", email=event.organiser_email), "success")
    else:
        s.rollback()
        flash(gettext("The head count could not be sent."), "error")
    return redirect(url_for("event.detail", event_id=event_id))


# -- types (administration) ------------------------------------------------------------------------


@bp.route("/types", methods=["GET", "POST"])
@permission_required(ADMINISTER)
def types():
    s = session()
    errors, values = {}, {}
    if request.method == "POST":
        values = {
            "name": request.form.get("name", ""),
            "description": request.form.get("description", ""),
            "weight": request.form.get("weight") or "0",
            "is_active": True,
        }
        try:
            services.create_type(s, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
        else:
            flash(gettext("Event type created."), "success")
            return redirect(url_for("event.types"))
    rows, _ = services.list_types(s)
    return render_template("event/types.html", rows=rows, errors=errors, values=values), (
        422 if errors else 200
    )


@bp.route("/types/<int:type_id>", methods=["POST"])
@permission_required(ADMINISTER)
def type_update(type_id: int):
    s = session()
    try:
        if request.form.get("delete") == "1":
            services.delete_type(s, type_id)
        else:
            services.update_type(
                s,
                type_id,
                {
                    "name": request.form.get("name", ""),
                    "is_active": request.form.get("is_active") == "1",
                },
            )
        s.commit()
        flash(gettext("Saved."), "success")
    except DomainError as exc:
        s.rollback()
        flash(exc.message, "error")
    return redirect(url_for("event.types"))


# -- a contact's tab -------------------------------------------------------------------------------


@bp.route("/contact/<int:contact_id>")
@permission_required(VIEW)
def contact_tab(contact_id: int):
    s = session()
    context = contact_page_context(contact_id, "event")
    upcoming, _ = services.list_events(s, upcoming=True, page_size=100)
    return render_template(
        "event/contact_tab.html",
        rows=services.for_contact(s, contact_id),
        upcoming=upcoming,
        **context,
        **_common(),
    )
