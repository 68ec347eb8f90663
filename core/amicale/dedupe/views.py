"""Duplicate pages: the likely duplicates of a rule (filters, "not a duplicate", merge, merge
the pairs without conflict), the merge screen, and the admin pages of duplicate rules."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..accounts.permissions import permission_required
from ..contacts import services as contacts
from ..contacts.models import ContactType
from ..customfields import services as custom
from ..db import session
from ..errors import DomainError
from . import services
from .models import MATCHES, RULE_FIELDS

bp = Blueprint("dedupe", __name__, template_folder="templates")

PAGE_SIZE = 50
BATCH_LIMIT = 200  # pairs merged per click; click again for the next ones


def _rule_from_args(s) -> Any:
    rule_id = request.values.get("rule", type=int)
    return services.get_rule(s, rule_id) if rule_id else services.default_rule(s)


@bp.route("/dedupe/")
@permission_required("merge_contacts")
def index():
    from ..groups.services import group_options

    s = session()
    rule = _rule_from_args(s)
    group_id = request.args.get("group", type=int)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    found = services.find_duplicates(s, rule, group_id=group_id)
    total = len(found.pairs)
    pairs = services.describe_pairs(s, found.pairs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return render_template(
        "dedupe/index.html",
        rules=services.list_rules(s),
        rule=rule,
        rule_label=services.rule_label,
        group_id=group_id,
        groups=group_options(s),
        pairs=pairs,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        labels=services.field_labels(),
    )


@bp.route("/dedupe/not-duplicate", methods=["POST"])
@permission_required("merge_contacts")
def not_duplicate():
    s = session()
    back = request.form.get("next") or url_for("dedupe.index")
    try:
        services.mark_not_duplicate(
            s,
            request.form.get("contact_id_a", type=int) or 0,
            request.form.get("contact_id_b", type=int) or 0,
            user_id=current_user.id,
        )
        s.commit()
        flash(_("This pair will not be proposed again."), "success")
    except DomainError as exc:
        s.rollback()
        flash(exc.message, "error")
    return redirect(back if back.startswith("/") else url_for("dedupe.index"))


@bp.route("/dedupe/batch-merge", methods=["POST"])
@permission_required("merge_contacts")
def batch_merge():
    s = session()
    rule = _rule_from_args(s)
    group_id = request.form.get("group", type=int)
    result = services.batch_merge(
        s, rule, group_id=group_id, user_id=current_user.id, limit=BATCH_LIMIT
    )
    s.commit()
    flash(
        ngettext("%(num)d pair merged.", "%(num)d pairs merged.", len(result.merged))
        + " "
        + ngettext(
            "%(num)d pair left for a person to decide.",
            "%(num)d pairs left for a person to decide.",
            len(result.skipped),
        ),
        "success",
    )
    return redirect(url_for("dedupe.index", rule=rule.id, group=group_id))


def _merge_context(s, winner_id: int, loser_id: int) -> dict[str, Any]:
    winner = contacts.get_contact(s, winner_id)
    loser = contacts.get_contact(s, loser_id)
    details = contacts.contact_details(s, [winner.id, loser.id])
    customs = custom.values_for(s, "contact", [winner.id, loser.id])
    labels = services.field_labels()
    rows = [
        (f, labels.get(f, f), getattr(winner, f), getattr(loser, f))
        for f in services.MERGE_FIELDS
        if getattr(winner, f) not in (None, "") or getattr(loser, f) not in (None, "")
    ]
    custom_rows = []
    wc, lc = customs.get(winner.id, {}), customs.get(loser.id, {})
    fields = {
        f.name: f
        for _g, group_fields in custom.definitions_for(s, "contact", winner.contact_type, ())
        for f in group_fields
    }
    for name in sorted(set(wc) | set(lc)):
        field = fields.get(name)

        def show(v, f=field):
            return custom.display_value(f, v) if f and v is not None else v

        custom_rows.append(
            (name, field.label if field else name, show(wc.get(name)), show(lc.get(name)))
        )
    return {
        "winner": winner,
        "loser": loser,
        "rows": rows,
        "custom_rows": custom_rows,
        "details": details,
        "kinds": [
            ("emails", _("Emails")),
            ("phones", _("Phones")),
            ("addresses", _("Addresses")),
            ("websites", _("Websites")),
        ],
    }


def _choices_from_form(form) -> dict[str, Any]:
    choices: dict[str, Any] = {}
    for key, value in form.items():
        if key.startswith("field-") and value == "loser":
            choices[key.removeprefix("field-")] = "loser"
    for kind in services.DETAILS:
        choices[kind] = [int(v) for v in form.getlist(f"keep-{kind}") if v.isdigit()]
    for kind in services.PRIMARY_KINDS:
        chosen = form.get(f"primary-{kind}", "")
        if chosen.isdigit():
            choices[f"primary.{kind}"] = int(chosen)
    return choices


@bp.route("/contacts/<int:winner_id>/merge/<int:loser_id>", methods=["GET", "POST"])
@permission_required("merge_contacts")
def merge(winner_id: int, loser_id: int):
    s = session()
    errors: dict = {}
    if request.method == "POST":
        try:
            winner = services.merge_contacts(
                s, winner_id, loser_id, _choices_from_form(request.form), user_id=current_user.id
            )
            s.commit()
            flash(
                _("The two contacts are merged into %(name)s.", name=winner.display_name),
                "success",
            )
            return redirect(url_for("contacts.view", contact_id=winner_id))
        except DomainError as exc:
            s.rollback()
            errors = exc.errors or {"": [exc.message]}
            flash(exc.message, "error")
    context = _merge_context(s, winner_id, loser_id)
    return render_template("dedupe/merge.html", errors=errors, **context), (422 if errors else 200)


# -- rules (admin) -------------------------------------------------------------------------------


@bp.route("/admin/dedupe-rules")
@permission_required("administer_settings")
def rules():
    s = session()
    all_rules = services.list_rules(s)
    return render_template(
        "dedupe/rules.html",
        rules=services.represent_rules(s, all_rules),
        labels=services.field_labels(),
    )


def _rule_form_data(form) -> dict[str, Any]:
    rows = []
    for i in range(int(form.get("rows", 0) or 0)):
        name = form.get(f"fields-{i}-field", "")
        if not name:
            continue
        row = {"field": name, "match": form.get(f"fields-{i}-match", "exact")}
        for key in ("weight", "cutoff"):
            value = form.get(f"fields-{i}-{key}", "").strip()
            if value:
                row[key] = value  # missing: the schema's default
        rows.append(row)
    return {
        "name": form.get("name", ""),
        "contact_type": form.get("contact_type", ContactType.INDIVIDUAL.value),
        "threshold": form.get("threshold", ""),
        "is_default": bool(form.get("is_default")),
        "fields": rows,
    }


def _rule_page(rule_id: int | None):
    s = session()
    rule = services.get_rule(s, rule_id) if rule_id is not None else None
    errors: dict = {}
    if request.method == "POST":
        data = _rule_form_data(request.form)
        try:
            saved = services.save_rule(s, data, rule_id)
            s.commit()
            flash(_("The rule %(name)s is saved.", name=services.rule_label(saved)), "success")
            return redirect(url_for("dedupe.rules"))
        except DomainError as exc:
            s.rollback()
            errors = exc.errors or {"": [exc.message]}
            flash(exc.message, "error")
        values = data
        # a bad row keeps its place, so its error stays beside it
        values["fields"] = [
            {
                "field": request.form.get(f"fields-{i}-field", ""),
                "match": request.form.get(f"fields-{i}-match", "exact"),
                "weight": request.form.get(f"fields-{i}-weight", ""),
                "cutoff": request.form.get(f"fields-{i}-cutoff", ""),
            }
            for i in range(int(request.form.get("rows", 0) or 0))
        ]
    elif rule is not None:
        values = services.represent_rules(s, [rule])[0]
    else:
        values = {"contact_type": ContactType.INDIVIDUAL.value, "fields": [], "threshold": 10}
    values["fields"] = list(values["fields"]) + [{} for _i in range(3)]
    return render_template(
        "dedupe/rule_form.html",
        rule=rule,
        values=values,
        errors=errors,
        labels=services.field_labels(),
        field_names=RULE_FIELDS,
        matches=MATCHES,
        types=list(ContactType),
    ), (422 if errors else 200)


@bp.route("/admin/dedupe-rules/new", methods=["GET", "POST"])
@permission_required("administer_settings")
def rule_new():
    return _rule_page(None)


@bp.route("/admin/dedupe-rules/<int:rule_id>", methods=["GET", "POST"])
@permission_required("administer_settings")
def rule_edit(rule_id: int):
    return _rule_page(rule_id)


@bp.route("/admin/dedupe-rules/<int:rule_id>/delete", methods=["POST"])
@permission_required("administer_settings")
def rule_delete(rule_id: int):
    s = session()
    try:
        rule = services.get_rule(s, rule_id)
        label = services.rule_label(rule)
        services.delete_rule(s, rule_id)
        s.commit()
        flash(_("The rule %(name)s is deleted.", name=label), "success")
    except DomainError as exc:
        s.rollback()
        if exc.http_status == 404:
            abort(404)
        flash(exc.message, "error")
    return redirect(url_for("dedupe.rules"))
