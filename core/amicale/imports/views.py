"""Import pages: the list of imports with the upload form; one import's page, which is its
mapping (preview, columns to fields, value mappings, duplicate rule, options, dry run), then
its progress, then its report (counts, rejected rows to download, undo)."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import permission_required
from ..db import session
from ..errors import DomainError
from . import reading, services
from .models import DONE, FAILED, ON_DUPLICATE, QUEUED, READY, RUNNING, UNDONE

bp = Blueprint("imports", __name__, template_folder="templates")


def _errors(exc: DomainError) -> dict[str, list[str]]:
    errors = dict(getattr(exc, "errors", None) or {})
    if not errors:
        errors[getattr(exc, "field", None) or "_"] = [str(exc)]
    return errors


@bp.route("/imports/", methods=["GET", "POST"])
@permission_required("import_contacts")
def index():
    s = session()
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            job = services.start(
                s,
                upload.stream if upload else None,
                upload.filename if upload else "",
                target=request.form.get("target") or "contacts",
                user_id=current_user.id,
            )
        except DomainError as exc:
            s.rollback()
            errors, status = _errors(exc), 422
        else:
            s.commit()
            return redirect(url_for("imports.view", import_id=job.id))
    from sqlalchemy import select

    from ..accounts.models import User

    jobs = services.list_jobs(s)
    user_ids = {j.user_id for j in jobs if j.user_id}
    users = (
        dict(s.execute(select(User.id, User.email).where(User.id.in_(user_ids))).all())
        if user_ids
        else {}
    )
    return (
        render_template(
            "imports/index.html",
            jobs=jobs,
            users=users,
            targets={name: services.target_label(name) for name in services.targets()},
            errors=errors,
        ),
        status,
    )


def _values_text(values: dict[str, str]) -> str:
    return "\n".join(f"{k} = {v}" for k, v in values.items())


def _parse_values(text: str) -> dict[str, str]:
    out = {}
    for line in (text or "").splitlines():
        if "=" in line:
            raw, _sep, value = line.partition("=")
            if raw.strip():
                out[raw.strip()] = value.strip()
    return out


def _form_data(form) -> dict[str, Any]:
    """The configuration posted by the mapping page: per column two (field, values) slots."""
    mapping = []
    n = form.get("columns", 0, type=int)
    for column in range(n):
        for slot in ("a", "b"):
            field = form.get(f"field-{column}-{slot}")
            if field:
                mapping.append(
                    {
                        "column": column,
                        "field": field,
                        "values": _parse_values(form.get(f"values-{column}-{slot}", "")),
                    }
                )
    return {
        "dialect": {
            k: form.get(k)
            for k in ("encoding", "delimiter", "date_format", "decimal")
            if form.get(k)
        },
        "mapping": mapping,
        "rule_id": form.get("rule_id") or None,
        "on_duplicate": form.get("on_duplicate", "skip"),
        "contact_type": form.get("contact_type", "Individual"),
        "groups": form.getlist("groups"),
        "tags": form.getlist("tags"),
        "save_as": form.get("save_as", ""),
    }


def _page(job, *, errors=None, status=200):
    from ..dedupe.services import list_rules, rule_label
    from ..groups.services import group_options
    from ..tags.services import tag_options

    s = session()
    try:
        headers, sample = services.headers_and_sample(job)
    except DomainError as exc:
        headers, sample = [], []
        errors = {**(errors or {}), **_errors(exc)}
    slots: dict[int, list[dict]] = {i: [] for i in range(len(headers))}
    for m in job.options.get("mapping") or []:
        if m["column"] in slots and len(slots[m["column"]]) < 2:
            slots[m["column"]].append(
                {"field": m["field"], "values_text": _values_text(m.get("values") or {})}
            )
    fields: dict[str, list[tuple[str, str]]] = {}
    for key, label, section in services.target_fields(s, job.target):
        fields.setdefault(section, []).append((key, label))
    return (
        render_template(
            "imports/view.html",
            job=job,
            target_label=services.target_label(job.target),
            headers=headers,
            sample=sample,
            slots=slots,
            fields=fields,
            rules=list_rules(s),
            rule_label=rule_label,
            groups=group_options(s),
            tags=tag_options(s),
            mappings=services.list_mappings(s, job.target),
            encodings=reading.ENCODINGS,
            delimiters=reading.DELIMITERS,
            date_formats=list(reading.DATE_FORMATS),
            on_duplicate=ON_DUPLICATE,
            rejects=services.reject_sample(
                s, job.id, dry=job.status in (READY, FAILED) and not job.rows_done
            ),
            stalled=services.is_stalled(job),
            statuses={
                "ready": READY,
                "queued": QUEUED,
                "running": RUNNING,
                "done": DONE,
                "failed": FAILED,
                "undone": UNDONE,
            },
            errors=errors or {},
        ),
        status,
    )


@bp.route("/imports/<int:import_id>/")
@permission_required("import_contacts")
def view(import_id: int):
    return _page(services.get_job(session(), import_id))


@bp.route("/imports/<int:import_id>/", methods=["POST"])
@permission_required("import_contacts")
def configure(import_id: int):
    """Save the mapping, then try it (dry run) or start the import."""
    s = session()
    job = services.get_job(s, import_id)
    try:
        if request.form.get("use_mapping"):
            services.apply_mapping(s, job.id, request.form["apply_mapping"])
            s.commit()
            return redirect(url_for("imports.view", import_id=job.id))
        services.configure(s, job.id, _form_data(request.form))
        s.commit()
        if request.form.get("action") == "run":
            services.queue(s, job.id)
            flash(_("The import has started."), "success")
        else:
            services.run(s, job.id, dry_run=True)
    except DomainError as exc:
        s.rollback()
        return _page(services.get_job(s, import_id), errors=_errors(exc), status=422)
    return redirect(url_for("imports.view", import_id=job.id))


@bp.route("/imports/<int:import_id>/resume", methods=["POST"])
@permission_required("import_contacts")
def resume(import_id: int):
    s = session()
    try:
        services.queue(s, import_id)
    except DomainError as exc:
        s.rollback()
        flash(str(exc), "error")
    return redirect(url_for("imports.view", import_id=import_id))


@bp.route("/imports/<int:import_id>/undo", methods=["POST"])
@permission_required("import_contacts")
def undo(import_id: int):
    s = session()
    try:
        services.undo(s, import_id, user_id=current_user.id)
        flash(_("The import has been undone."), "success")
    except DomainError as exc:
        s.rollback()
        flash(str(exc), "error")
    return redirect(url_for("imports.view", import_id=import_id))


@bp.route("/imports/<int:import_id>/rejected.csv")
@permission_required("import_contacts")
def rejected(import_id: int):
    s = session()
    job = services.get_job(s, import_id)
    dry = request.args.get("dry") == "1"
    name = f"{job.file_name.rsplit('.', 1)[0]}-{_('rejected')}.csv"
    return Response(
        stream_with_context(services.rejects_csv(s, job.id, dry=dry)),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(name)}"},
    )


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
