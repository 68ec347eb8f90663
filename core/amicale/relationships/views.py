"""The Relationships tab of a contact's page (list both directions, add, end, delete, the
employer and household shortcuts) and the admin page of relationship types."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError as SchemaError

from ..accounts.permissions import permission_required
from ..contacts.models import Contact, ContactType
from ..db import session
from ..errors import DomainError, NotFound
from . import services
from .models import RelationshipType
from .schemas import RelationshipDatesSchema, RelationshipTypeSchema

bp = Blueprint("relationships", __name__, template_folder="templates")


def _blank_to_none(form, names) -> dict[str, Any]:
    return {n: (form.get(n) or "").strip() or None for n in names}


def _schema_errors(exc: SchemaError) -> dict[str, list[str]]:
    return {
        k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in exc.messages.items()
    }


ADD_FORM_FIELDS = {"relation", "other_name", "start_date", "end_date", "description"}


def _placed(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Errors on the add form's fields, with the others shown above the form."""
    out: dict[str, list[str]] = {}
    for key, messages in errors.items():
        if key.startswith("relationship_type"):
            key = "relation"
        elif key.startswith("contact_id"):
            key = "other_name"
        elif key not in ADD_FORM_FIELDS:
            key = ""
        out.setdefault(key, []).extend(messages)
    return out


def relation_choices(contact: Contact, types: list[RelationshipType]) -> list[tuple[str, str]]:
    """``(value, label)`` of the relationships this contact can have: ``"<type id>:a"`` makes
    the contact side A ("Employee of"), ``"<type id>:b"`` side B ("Employer of")."""
    out = []
    for t in types:
        if t.contact_type_a in (None, contact.contact_type):
            out.append((f"{t.id}:a", t.label_a_b))
        if not t.is_symmetric and t.contact_type_b in (None, contact.contact_type):
            out.append((f"{t.id}:b", t.label_b_a))
    out.sort(key=lambda c: c[1].lower())
    return out


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
    context = contact_page_context(contact_id, active_tab="relationships")
    contact = context["contact"]
    rows = services.contact_relationships(s, contact_id)
    types = services.list_relationship_types(s, is_active=True)
    return render_template(
        "relationships/tab.html",
        current=[r for r in rows if r.is_current],
        past=[r for r in rows if not r.is_current],
        choices=relation_choices(contact, types),
        values=values or {},
        errors=errors or {},
        candidates=candidates,
        is_person=contact.contact_type == ContactType.INDIVIDUAL,
        **context,
    ), status


@bp.route("/contacts/<int:contact_id>/relationships")
@permission_required("view_contacts")
def contact_tab(contact_id: int):
    return _tab(contact_id)


@bp.route("/contacts/<int:contact_id>/relationships/add", methods=["POST"])
@permission_required("edit_contacts")
def add(contact_id: int):
    """Add a relationship; the other contact is found by name (a list to choose from when
    several match), without JavaScript."""
    from ..contacts.search import quick_search

    s = session()
    contact = s.get(Contact, contact_id)
    if contact is None:
        raise NotFound(_("No contact with the number %(id)s.", id=contact_id))
    form = request.form
    values = form.to_dict(flat=True)
    relation = form.get("relation", "")
    type_id, _sep, side = relation.partition(":")
    if not type_id.isdigit() or side not in {"a", "b"}:
        return _tab(
            contact_id,
            values=values,
            status=422,
            errors={"relation": [_("Choose the kind of relationship.")]},
        )
    rtype = s.get(RelationshipType, int(type_id))
    if rtype is None:
        return _tab(
            contact_id,
            values=values,
            status=422,
            errors={"relation": [_("Choose the kind of relationship.")]},
        )
    other_type = rtype.contact_type_b if side == "a" else rtype.contact_type_a
    other_id = form.get("other_contact_id", "")
    if not other_id.isdigit():
        q = (form.get("other_name") or "").strip()
        if not q:
            return _tab(
                contact_id,
                values=values,
                status=422,
                errors={"other_name": [_("Type the name of the other contact.")]},
            )
        matches = [
            c
            for c in quick_search(s, q, limit=30)
            if c.id != contact_id and (other_type is None or c.contact_type == other_type)
        ]
        if not matches:
            return _tab(
                contact_id,
                values=values,
                status=422,
                errors={
                    "other_name": [
                        _("No contact matches “%(q)s”.", q=q)
                        if other_type is None
                        else _(
                            "No contact of the kind %(kind)s matches “%(q)s”.",
                            kind=_(other_type),
                            q=q,
                        )
                    ]
                },
            )
        if len(matches) > 1:
            return _tab(contact_id, values=values, candidates=matches)
        other_id = str(matches[0].id)
    try:
        dates = RelationshipDatesSchema().load(
            _blank_to_none(form, ("start_date", "end_date", "description"))
        )
    except SchemaError as exc:
        return _tab(contact_id, values=values, errors=_placed(_schema_errors(exc)), status=422)
    a_id, b_id = (contact_id, int(other_id)) if side == "a" else (int(other_id), contact_id)
    try:
        services.create_relationship(
            s,
            {"contact_id_a": a_id, "contact_id_b": b_id, "relationship_type_id": rtype.id, **dates},
            user_id=current_user.id,
        )
        s.commit()
    except DomainError as exc:
        s.rollback()
        errors = _placed(exc.errors or {"": [exc.message]})
        return _tab(contact_id, values=values, errors=errors, status=422)
    flash(_("The relationship is recorded."), "success")
    return redirect(url_for("relationships.contact_tab", contact_id=contact_id))


def _shortcut(contact_id: int, action, kind_label: str):
    s = session()
    values = request.form.to_dict(flat=True)
    name = request.form.get("name", "")
    field = f"{kind_label}_name"
    try:
        start = RelationshipDatesSchema(only=("start_date",)).load(
            _blank_to_none(request.form, ("start_date",))
        )["start_date"]
    except SchemaError as exc:
        return _tab(
            contact_id,
            values=values,
            status=422,
            errors={f"{kind_label}_start_date": _schema_errors(exc)["start_date"]},
        )
    try:
        _rel, other, created = action(
            s, contact_id, name, start_date=start, user_id=current_user.id
        )
        s.commit()
    except DomainError as exc:
        s.rollback()
        return _tab(
            contact_id,
            values=values,
            status=422,
            errors={field: [m for ms in (exc.errors or {"": [exc.message]}).values() for m in ms]},
        )
    if created:
        flash(_("%(name)s is created and linked.", name=other.display_name), "success")
    else:
        flash(_("Linked to %(name)s.", name=other.display_name), "success")
    return redirect(url_for("relationships.contact_tab", contact_id=contact_id))


@bp.route("/contacts/<int:contact_id>/relationships/employer", methods=["POST"])
@permission_required("edit_contacts")
def employer(contact_id: int):
    """One step: the person's employer, found by its exact name or created."""
    return _shortcut(contact_id, services.add_employer, "employer")


@bp.route("/contacts/<int:contact_id>/relationships/household", methods=["POST"])
@permission_required("edit_contacts")
def household(contact_id: int):
    """One step: the person's household, found by its exact name or created."""
    return _shortcut(contact_id, services.add_household, "household")


def _own_relationship(contact_id: int, relationship_id: int):
    rel = services.get_relationship(session(), relationship_id)
    if contact_id not in (rel.contact_id_a, rel.contact_id_b):
        raise NotFound(_("No relationship with the number %(id)s.", id=relationship_id))
    return rel


@bp.route("/contacts/<int:contact_id>/relationships/<int:relationship_id>/end", methods=["POST"])
@permission_required("edit_contacts")
def end(contact_id: int, relationship_id: int):
    s = session()
    _own_relationship(contact_id, relationship_id)
    try:
        services.end_relationship(s, relationship_id, user_id=current_user.id)
        s.commit()
        flash(_("The relationship is ended."), "success")
    except DomainError as exc:
        s.rollback()
        flash(exc.message, "error")
    return redirect(url_for("relationships.contact_tab", contact_id=contact_id))


@bp.route("/contacts/<int:contact_id>/relationships/<int:relationship_id>/delete", methods=["POST"])
@permission_required("edit_contacts")
def delete(contact_id: int, relationship_id: int):
    s = session()
    _own_relationship(contact_id, relationship_id)
    services.delete_relationship(s, relationship_id, user_id=current_user.id)
    s.commit()
    flash(_("The relationship is deleted."), "success")
    return redirect(url_for("relationships.contact_tab", contact_id=contact_id))


# -- admin: relationship types -------------------------------------------------------------------


def machine_name(label: str | None) -> str | None:
    """ "Mentor of" -> "mentor_of": the name the admin may leave to us."""
    ascii_label = unicodedata.normalize("NFKD", label or "").encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9]+", "_", ascii_label.lower()).strip("_")[:64]
    return name or None


def _type_form(form) -> dict[str, Any]:
    data = _blank_to_none(
        form, ("name", "label_a_b", "label_b_a", "contact_type_a", "contact_type_b", "description")
    )
    data["name"] = (data["name"] or "").lower() or machine_name(data["label_a_b"])
    return data


@bp.route("/admin/relationship-types", methods=["GET", "POST"])
@permission_required("administer_settings")
def types():
    s = session()
    errors: dict = {}
    if request.method == "POST":
        try:
            data = RelationshipTypeSchema().load(_type_form(request.form))
            rtype = services.create_relationship_type(s, data)
            s.commit()
            flash(
                _("The relationship type %(label)s is created.", label=rtype.label_a_b), "success"
            )
            return redirect(url_for("relationships.types"))
        except SchemaError as exc:
            errors = _schema_errors(exc)
        except DomainError as exc:
            s.rollback()
            errors = exc.errors or {"": [exc.message]}
    return render_template(
        "relationships/types.html",
        types=services.list_relationship_types(s),
        errors=errors,
        values=request.form,
        contact_types=list(ContactType),
    ), 422 if errors else 200


@bp.route("/admin/relationship-types/<int:type_id>", methods=["GET", "POST"])
@permission_required("administer_settings")
def edit_type(type_id: int):
    s = session()
    rtype = services.get_relationship_type(s, type_id)
    errors: dict = {}
    if request.method == "POST":
        data = _blank_to_none(request.form, ("label_a_b", "label_b_a", "description"))
        data["is_active"] = request.form.get("is_active") == "1"
        try:
            services.update_relationship_type(s, type_id, data)
            s.commit()
            flash(_("The relationship type %(label)s is saved.", label=rtype.label_a_b), "success")
            return redirect(url_for("relationships.types"))
        except DomainError as exc:
            s.rollback()
            rtype = services.get_relationship_type(s, type_id)
            errors = exc.errors or {"": [exc.message]}
    return render_template(
        "relationships/type_form.html",
        rtype=rtype,
        errors=errors,
        values=request.form if errors else None,
    ), 422 if errors else 200


@bp.route("/admin/relationship-types/<int:type_id>/delete", methods=["POST"])
@permission_required("administer_settings")
def delete_type(type_id: int):
    s = session()
    try:
        services.delete_relationship_type(s, type_id)
        s.commit()
        flash(_("The relationship type is deleted."), "success")
    except DomainError as exc:
        s.rollback()
        if exc.http_status == 404:
            raise
        flash(exc.message, "error")
    return redirect(url_for("relationships.types"))
