"""The admin pages of custom data: the sets with their fields, a set's form, a field's form
(options typed as lines "value|label"), deactivating and activating again."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError as SchemaError

from ..accounts.permissions import permission_required
from ..contacts.models import ContactType
from ..contacts.services import list_subtypes
from ..db import session
from ..errors import DomainError
from . import services
from .models import DATA_TYPES, CustomField, CustomGroup
from .schemas import (
    CustomFieldPatchSchema,
    CustomFieldSchema,
    CustomGroupPatchSchema,
    CustomGroupSchema,
)

bp = Blueprint("customfields", __name__, template_folder="templates")

FLAGS = ("is_active", "is_required", "is_searchable")


def _schema_errors(exc: SchemaError) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in exc.messages.items():
        if isinstance(value, dict):  # nested (options.0.value): shown on the list
            out.setdefault(key, []).extend(
                str(m) for msgs in value.values() for m in _flat_messages(msgs)
            )
        else:
            out[key] = [str(m) for m in _flat_messages(value)]
    return out


def _flat_messages(value: Any) -> list:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _flat_messages(v)]
    return value if isinstance(value, list) else [value]


def _blank(value: str | None) -> str | None:
    return (value or "").strip() or None


def parse_options(text: str | None) -> list[dict[str, str]]:
    """Lines "value|label" (or "value" alone: the label is the value) -> option dicts."""
    options = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        value, _sep, label = line.partition("|")
        options.append({"value": value.strip(), "label": label.strip() or value.strip()})
    return options


def options_text(options: list[dict] | None) -> str:
    return "\n".join(f"{o['value']}|{o.get('label') or o['value']}" for o in options or [])


def _group_data(form) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": (form.get("title") or "").strip(),
        "extends_contact_type": _blank(form.get("extends_contact_type")),
        "extends_subtypes": form.getlist("extends_subtypes"),
        "is_active": form.get("is_active") == "1",
        "weight": _blank(form.get("weight")) or 0,
        "help_pre": _blank(form.get("help_pre")),
    }
    return data


def _field_data(form) -> dict[str, Any]:
    data: dict[str, Any] = {
        "label": (form.get("label") or "").strip(),
        "data_type": form.get("data_type") or "text",
        "weight": _blank(form.get("weight")) or 0,
        "help_text": _blank(form.get("help_text")),
        "default_value": _blank(form.get("default_value")),
        "max_length": _blank(form.get("max_length")),
        "options": parse_options(form.get("options")) or None,
    }
    for flag in FLAGS:
        data[flag] = form.get(flag) == "1"
    return data


def _group_form_context(group: CustomGroup | None, values: dict, errors: dict) -> dict:
    return {
        "group": group,
        "values": values,
        "errors": errors,
        "entities": services.entities(),
        "contact_types": [t.value for t in ContactType],
        "subtypes": list_subtypes(session()),
    }


@bp.route("/admin/custom-fields")
@permission_required("administer_settings")
def index():
    s = session()
    groups = services.list_groups(s)
    return render_template(
        "customfields/index.html",
        groups=groups,
        fields=services.fields_by_group(s, groups),
        entities=services.entities(),
    )


@bp.route("/admin/custom-fields/sets/new", methods=["GET", "POST"])
@permission_required("administer_settings")
def new_group():
    values: dict[str, Any] = {"is_active": True, "extends": "contact", "extends_subtypes": []}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = _group_data(request.form)
        values["name"] = (request.form.get("name") or "").strip()
        values["extends"] = request.form.get("extends") or "contact"
        s = session()
        try:
            data = CustomGroupSchema().load(values)
            group = services.create_group(s, data)
            s.commit()
            flash(_("The set “%(title)s” is created.", title=group.title), "success")
            return redirect(url_for("customfields.index"))
        except SchemaError as exc:
            errors = _schema_errors(exc)
        except DomainError as exc:
            s.rollback()
            errors = exc.errors or {"": [exc.message]}
    status = 422 if errors else 200
    return render_template(
        "customfields/group_form.html", **_group_form_context(None, values, errors)
    ), status


@bp.route("/admin/custom-fields/sets/<int:group_id>", methods=["GET", "POST"])
@permission_required("administer_settings")
def edit_group(group_id: int):
    s = session()
    group = services.get_group(s, group_id)
    values: dict[str, Any] = group.model_dump()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = _group_data(request.form)
        try:
            data = CustomGroupPatchSchema().load(values)
            services.update_group(s, group_id, data)
            s.commit()
            flash(_("The set “%(title)s” is saved.", title=group.title), "success")
            return redirect(url_for("customfields.index"))
        except SchemaError as exc:
            errors = _schema_errors(exc)
        except DomainError as exc:
            s.rollback()
            errors = exc.errors or {"": [exc.message]}
        values.update(name=group.name, extends=group.extends)
    status = 422 if errors else 200
    return render_template(
        "customfields/group_form.html", **_group_form_context(group, values, errors)
    ), status


@bp.route("/admin/custom-fields/sets/<int:group_id>/active", methods=["POST"])
@permission_required("administer_settings")
def toggle_group(group_id: int):
    s = session()
    active = request.form.get("is_active") == "1"
    group = services.update_group(s, group_id, {"is_active": active})
    s.commit()
    if active:
        flash(_("The set “%(title)s” is active again.", title=group.title), "success")
    else:
        flash(
            _(
                "The set “%(title)s” is deactivated: its fields are hidden, their values kept.",
                title=group.title,
            ),
            "success",
        )
    return redirect(url_for("customfields.index"))


def _field_form_context(
    group: CustomGroup, field: CustomField | None, values: dict, errors: dict
) -> dict:
    return {
        "group": group,
        "field": field,
        "values": values,
        "errors": errors,
        "data_types": DATA_TYPES,
        "groups": services.list_groups(session()),
    }


@bp.route("/admin/custom-fields/sets/<int:group_id>/fields/new", methods=["GET", "POST"])
@permission_required("administer_settings")
def new_field(group_id: int):
    s = session()
    group = services.get_group(s, group_id)
    values: dict[str, Any] = {"is_active": True, "data_type": "text", "options_text": ""}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = _field_data(request.form)
        values["name"] = (request.form.get("name") or "").strip()
        values["custom_group_id"] = group.id
        try:
            data = CustomFieldSchema().load(values)
            field = services.create_field(s, data)
            s.commit()
            flash(_("The field “%(label)s” is created.", label=field.label), "success")
            return redirect(url_for("customfields.index"))
        except SchemaError as exc:
            errors = _schema_errors(exc)
        except DomainError as exc:
            s.rollback()
            errors = exc.errors or {"": [exc.message]}
        values["options_text"] = request.form.get("options", "")
    status = 422 if errors else 200
    return render_template(
        "customfields/field_form.html", **_field_form_context(group, None, values, errors)
    ), status


@bp.route("/admin/custom-fields/fields/<int:field_id>", methods=["GET", "POST"])
@permission_required("administer_settings")
def edit_field(field_id: int):
    s = session()
    field = services.get_field(s, field_id)
    group = services.get_group(s, field.custom_group_id)
    values: dict[str, Any] = field.model_dump()
    values["options_text"] = options_text(field.options)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = _field_data(request.form)
        if request.form.get("custom_group_id"):
            values["custom_group_id"] = request.form.get("custom_group_id")
        try:
            data = CustomFieldPatchSchema().load(values)
            services.update_field(s, field_id, data)
            s.commit()
            flash(_("The field “%(label)s” is saved.", label=field.label), "success")
            return redirect(url_for("customfields.index"))
        except SchemaError as exc:
            errors = _schema_errors(exc)
        except DomainError as exc:
            s.rollback()
            errors = exc.errors or {"": [exc.message]}
        values["name"] = field.name
        values["options_text"] = request.form.get("options", "")
    status = 422 if errors else 200
    return render_template(
        "customfields/field_form.html", **_field_form_context(group, field, values, errors)
    ), status


@bp.route("/admin/custom-fields/fields/<int:field_id>/active", methods=["POST"])
@permission_required("administer_settings")
def toggle_field(field_id: int):
    s = session()
    active = request.form.get("is_active") == "1"
    field = services.update_field(s, field_id, {"is_active": active})
    s.commit()
    if active:
        flash(_("The field “%(label)s” is active again.", label=field.label), "success")
    else:
        flash(
            _(
                "The field “%(label)s” is deactivated: it is hidden, its values kept.",
                label=field.label,
            ),
            "success",
        )
    return redirect(url_for("customfields.index"))
