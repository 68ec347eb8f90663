"""The Activities tab of a contact's page: the timeline (filterable by type, paginated) and the
form to record an activity, without JavaScript."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError as SchemaError

from ..accounts.permissions import permission_required
from ..clock import utcnow
from ..contacts.models import Contact
from ..db import session
from ..errors import DomainError, NotFound
from . import services
from .models import STATUSES
from .schemas import ActivityCreateSchema

bp = Blueprint("activities", __name__, template_folder="templates")

PAGE_SIZE = 25
FORM_FIELDS = ("activity_type_id", "subject", "activity_date", "duration", "status", "details")


def _placed(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Errors on the record form's fields, with the others shown above the form."""
    out: dict[str, list[str]] = {}
    for key, messages in errors.items():
        if key == "activity_type":
            key = "activity_type_id"
        elif key == "assignee_contact_ids":
            key = "assignee_name"
        elif key not in FORM_FIELDS:
            key = ""
        out.setdefault(key, []).extend(str(m) for m in messages)
    return out


def _local_input(value: datetime) -> str:
    """An aware datetime as a ``datetime-local`` input shows it, in the user's timezone."""
    return value.astimezone(get_timezone()).strftime("%Y-%m-%dT%H:%M")


def _parse_local(value: str) -> str:
    """The ``datetime-local`` input (the user's timezone) as ISO 8601 with its offset."""
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        return value  # the schema says what is wrong
    if naive.tzinfo is not None:
        return naive.isoformat()
    tz = get_timezone()
    aware = tz.localize(naive) if hasattr(tz, "localize") else naive.replace(tzinfo=tz)
    return aware.isoformat()


def _tab(
    contact_id: int,
    *,
    values: dict | None = None,
    errors: dict | None = None,
    candidates: list[Contact] | None = None,
    status: int = 200,
):
    from ..contacts.views import contact_page_context

    s = session()
    context = contact_page_context(contact_id, active_tab="activities")
    type_filter = request.args.get("activity_type", "").strip() or None
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    filter_error = None
    try:
        entries, total = services.timeline(
            s, contact_id, activity_type=type_filter, page=page, page_size=PAGE_SIZE
        )
    except DomainError as exc:
        entries, total, filter_error = [], 0, exc.message
    if values is None:
        values = {"status": "Completed", "activity_date": _local_input(utcnow())}
    return render_template(
        "activities/tab.html",
        entries=entries,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        type_filter=type_filter,
        filter_error=filter_error,
        types=services.list_activity_types(s),
        active_types=services.list_activity_types(s, is_active=True),
        statuses=STATUSES,
        values=values,
        errors=errors or {},
        candidates=candidates,
        now=utcnow(),
        **context,
    ), status


@bp.route("/contacts/<int:contact_id>/activities")
@permission_required("view_contacts")
def contact_tab(contact_id: int):
    return _tab(contact_id)


@bp.route("/contacts/<int:contact_id>/activities/new", methods=["POST"])
@permission_required("edit_contacts")
def record(contact_id: int):
    """Record an activity with this contact (the target), by the logged-in user's contact (the
    source); assignees are found by name, with a list to choose from when several match."""
    from ..contacts.search import quick_search

    s = session()
    contact = s.get(Contact, contact_id)
    if contact is None:
        raise NotFound(_("No contact with the number %(id)s.", id=contact_id))
    form = request.form
    values: dict[str, Any] = form.to_dict(flat=True)
    assignee_ids = [int(i) for i in form.getlist("assignee_ids") if i.isdigit()]
    name = (form.get("assignee_name") or "").strip()
    if name and not assignee_ids:
        matches = quick_search(s, name, limit=30)
        if not matches:
            return _tab(
                contact_id,
                values=values,
                status=422,
                errors={"assignee_name": [_("No contact matches “%(q)s”.", q=name)]},
            )
        if len(matches) > 1:
            return _tab(contact_id, values=values, candidates=matches)
        assignee_ids = [matches[0].id]
    raw = {k: form.get(k, "").strip() for k in FORM_FIELDS if form.get(k, "").strip()}
    if "activity_date" in raw:
        raw["activity_date"] = _parse_local(raw["activity_date"])
    try:
        data = ActivityCreateSchema().load(raw)
    except SchemaError as exc:
        return _tab(
            contact_id,
            values=values,
            status=422,
            errors=_placed(exc.messages),
        )
    data.update(
        target_contact_ids=[contact_id],
        assignee_contact_ids=assignee_ids,
        source_contact_id=current_user.contact_id,
    )
    try:
        services.create_activity(s, data, user_id=current_user.id)
        s.commit()
    except DomainError as exc:
        s.rollback()
        return _tab(
            contact_id, values=values, status=422, errors=_placed(exc.errors or {"": [exc.message]})
        )
    flash(_("The activity is recorded."), "success")
    return redirect(url_for("activities.contact_tab", contact_id=contact_id))


def _own_activity(contact_id: int, activity_id: int) -> services.ActivityEntry:
    entry = services.entry(session(), activity_id)
    ids = {p.id for p in entry.targets + entry.assignees + ([entry.source] if entry.source else [])}
    if contact_id not in ids:
        raise NotFound(_("No activity with the number %(id)s.", id=activity_id))
    return entry


@bp.route("/contacts/<int:contact_id>/activities/<int:activity_id>/complete", methods=["POST"])
@permission_required("edit_contacts")
def complete(contact_id: int, activity_id: int):
    s = session()
    _own_activity(contact_id, activity_id)
    services.update_activity(s, activity_id, {"status": "Completed"}, user_id=current_user.id)
    s.commit()
    flash(_("The activity is marked as completed."), "success")
    if request.form.get("next") == "dashboard":  # from the "My follow-ups" widget
        return redirect(url_for("web.dashboard"))
    return redirect(url_for("activities.contact_tab", contact_id=contact_id))


@bp.route("/contacts/<int:contact_id>/activities/<int:activity_id>/delete", methods=["POST"])
@permission_required("edit_contacts")
def delete(contact_id: int, activity_id: int):
    s = session()
    _own_activity(contact_id, activity_id)
    services.delete_activity(s, activity_id, user_id=current_user.id)
    s.commit()
    flash(_("The activity is deleted."), "success")
    return redirect(url_for("activities.contact_tab", contact_id=contact_id))
