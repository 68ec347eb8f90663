"""The "Change log" tab of a contact."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from ..accounts.models import User
from ..accounts.permissions import permission_required
from ..db import session
from .services import contact_changes

bp = Blueprint("changelog", __name__, template_folder="templates")

PAGE = 100


@bp.route("/contacts/<int:contact_id>/changelog")
@permission_required("view_contacts")
def contact_log(contact_id: int):
    from ..contacts.views import contact_page_context

    context = contact_page_context(contact_id, "changelog")
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows = contact_changes(session(), contact_id, limit=PAGE + 1, offset=(page - 1) * PAGE)
    user_ids = {r.user_id for r in rows if r.user_id}
    users = (
        dict(session().execute(select(User.id, User.email).where(User.id.in_(user_ids))).all())
        if user_ids
        else {}
    )
    return render_template(
        "changelog/contact.html",
        rows=rows[:PAGE],
        users=users,
        page=page,
        more=len(rows) > PAGE,
        **context,
    )
