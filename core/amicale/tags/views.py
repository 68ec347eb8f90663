"""The admin page of tags (a tree: add, rename, move under another, delete) and the Tags tab of
a contact's page (its tags, add one, take one off), without JavaScript."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..accounts.permissions import permission_required
from ..contacts.models import Contact
from ..db import session
from ..errors import DomainError, NotFound
from . import services

bp = Blueprint("tags", __name__, template_folder="templates")


def _errors(exc: DomainError) -> dict[str, list[str]]:
    return exc.errors or {"": [exc.message]}


def _form_data(form) -> dict[str, Any]:
    return {
        "name": form.get("name", ""),
        "description": form.get("description", ""),
        "parent_id": form.get("parent_id") or None,
        "is_selectable": form.get("is_selectable") == "1",
        "color": form.get("color", ""),
    }


def _admin_page(*, errors=None, values=None, status=200):
    return render_template(
        "tags/admin.html",
        tree=services.tag_tree(session()),
        errors=errors or {},
        values=values if values is not None else {"is_selectable": "1"},
    ), status


@bp.route("/admin/tags", methods=["GET", "POST"])
@permission_required("administer_settings")
def admin():
    if request.method == "GET":
        return _admin_page()
    s = session()
    try:
        tag = services.create_tag(s, _form_data(request.form))
        s.commit()
    except DomainError as exc:
        s.rollback()
        return _admin_page(errors=_errors(exc), values=request.form, status=422)
    flash(_("The tag %(name)s is created.", name=tag.name), "success")
    return redirect(url_for("tags.admin"))


@bp.route("/admin/tags/<int:tag_id>", methods=["GET", "POST"])
@permission_required("administer_settings")
def edit(tag_id: int):
    s = session()
    tag = services.get_tag(s, tag_id)
    errors: dict = {}
    values: Any = None
    if request.method == "POST":
        try:
            services.update_tag(s, tag_id, _form_data(request.form))
            s.commit()
            flash(_("The tag %(name)s is saved.", name=tag.name), "success")
            return redirect(url_for("tags.admin"))
        except DomainError as exc:
            s.rollback()
            tag = services.get_tag(s, tag_id)
            errors, values = _errors(exc), request.form
    if values is None:
        values = {
            "name": tag.name,
            "description": tag.description or "",
            "parent_id": str(tag.parent_id or ""),
            "is_selectable": "1" if tag.is_selectable else "",
            "color": tag.color or "",
        }
    below = services.descendant_ids(s, [tag.id])
    parents = [n for n in services.tag_tree(s) if n.tag.id not in below]
    return render_template(
        "tags/edit.html", tag=tag, parents=parents, errors=errors, values=values
    ), 422 if errors else 200


@bp.route("/admin/tags/<int:tag_id>/delete", methods=["POST"])
@permission_required("administer_settings")
def delete(tag_id: int):
    s = session()
    tag = services.get_tag(s, tag_id)
    name = tag.name
    try:
        used = services.delete_tag(s, tag_id)
        s.commit()
    except DomainError as exc:
        s.rollback()
        flash(exc.message, "error")
        return redirect(url_for("tags.admin"))
    flash(
        _("The tag %(name)s is deleted (it was on %(n)d contacts).", name=name, n=used), "success"
    )
    return redirect(url_for("tags.admin"))


# -- the contact's tab ---------------------------------------------------------------------------


def _tab(contact_id: int, *, errors=None, status=200):
    from ..contacts.views import contact_page_context

    s = session()
    context = contact_page_context(contact_id, active_tab="tags")
    tags = services.contact_tags(s, contact_id)
    have = {t.id for t in tags}
    choices = [n for n in services.tag_tree(s) if n.tag.id not in have]
    return render_template(
        "tags/contact_tab.html", tags=tags, choices=choices, errors=errors or {}, **context
    ), status


@bp.route("/contacts/<int:contact_id>/tags")
@permission_required("view_contacts")
def contact_tab(contact_id: int):
    return _tab(contact_id)


@bp.route("/contacts/<int:contact_id>/tags/add", methods=["POST"])
@permission_required("edit_contacts")
def contact_add(contact_id: int):
    s = session()
    if s.get(Contact, contact_id) is None:
        raise NotFound(_("No contact with the number %(id)s.", id=contact_id))
    tag_ids = [int(t) for t in request.form.getlist("tag_id") if t.isdigit()]
    if not tag_ids:
        return _tab(contact_id, status=422, errors={"tag_id": [_("Choose a tag.")]})
    try:
        names = []
        for tag_id in tag_ids:  # the few tags ticked on the form
            if services.tag_contacts(s, tag_id, [contact_id]):
                names.append(services.get_tag(s, tag_id).name)
        s.commit()
    except DomainError as exc:
        s.rollback()
        errors = _errors(exc)
        if "tag_id" not in errors and exc.http_status == 404:
            errors = {"tag_id": [exc.message]}
        return _tab(contact_id, status=422, errors=errors)
    if names:
        flash(_("Tagged %(names)s.", names=", ".join(names)), "success")
    return redirect(url_for("tags.contact_tab", contact_id=contact_id))


@bp.route("/contacts/<int:contact_id>/tags/<int:tag_id>/remove", methods=["POST"])
@permission_required("edit_contacts")
def contact_remove(contact_id: int, tag_id: int):
    s = session()
    if s.get(Contact, contact_id) is None:
        raise NotFound(_("No contact with the number %(id)s.", id=contact_id))
    tag = services.get_tag(s, tag_id)
    if services.untag_contacts(s, tag_id, [contact_id]):
        flash(_("The tag %(name)s is taken off.", name=tag.name), "success")
    s.commit()
    return redirect(url_for("tags.contact_tab", contact_id=contact_id))
