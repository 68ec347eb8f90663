"""Contact pages: the list and its search, a contact's page with its tabs, the form, the trash,
and the admin page of contact subtypes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..accounts.permissions import has_permission, permission_required
from ..customfields import services as custom
from ..db import session
from ..errors import DomainError, NotFound
from ..hooktypes import ContactTab
from . import services
from .forms import DETAIL_FIELDS, contact_to_form, form_to_data
from .models import GENDERS, LOCATION_TYPES, PHONE_TYPES, WEBSITE_TYPES, Contact, ContactType
from .normalise import country_name
from .search import available_filters, quick_search, search_contacts

bp = Blueprint("contacts", __name__, template_folder="templates")

PAGE_SIZES = (25, 50, 100)
COUNT_LIMIT = 10_000


@bp.app_template_filter("choices")
def choices(options) -> list[tuple[str, str]]:
    """Options for a select: plain values (translated) or {value, label} pairs."""
    out = []
    for option in options or []:
        if isinstance(option, dict):
            out.append((option["value"], option.get("label", option["value"])))
        elif hasattr(option, "value") and hasattr(option, "label"):
            out.append((option.value, option.label))
        else:
            out.append((option, _(option)))
    return out


def contact_page_context(contact_id: int, active_tab: str = "summary") -> dict[str, Any]:
    """What every tab of a contact's page needs: the contact, its summary blocks and tabs."""
    from ..plugins import hook

    s = session()
    contact = s.get(Contact, contact_id)
    if contact is None:
        raise NotFound(_("No contact with the number %(id)s.", id=contact_id))
    tabs = [
        ContactTab(
            "summary", _("Summary"), url_for("contacts.view", contact_id=contact_id), None, 0
        )
    ]
    for result in hook.contact_tabs(contact=contact, user=current_user):
        tabs.extend(result or [])
    tabs.sort(key=lambda t: (t.weight, str(t.label)))
    summary = [
        b
        for result in hook.contact_summary(contact=contact, user=current_user)
        for b in (result or [])
    ]
    summary.sort(key=lambda b: (b.weight, str(b.label)))
    return {
        "contact": contact,
        "tabs": tabs,
        "summary": summary,
        "active_tab": active_tab,
        "country_name": country_name,
    }


def _criteria_from_args(args) -> dict[str, Any]:
    filters = available_filters()
    criteria: dict[str, Any] = {}
    if args.get("q", "").strip():
        criteria["q"] = args["q"].strip()
    for name, f in filters.items():
        if f.field_type in {"date_range", "number_range"}:
            low, high = args.get(f"{name}-from", "").strip(), args.get(f"{name}-to", "").strip()
            if low or high:
                criteria[name] = {"from": low or None, "to": high or None}
        elif f.field_type == "multiselect":
            values = [v for v in args.getlist(name) if v]
            if values:
                criteria[name] = values
        else:
            value = args.get(name, "").strip()
            if value:
                criteria[name] = value
    return criteria


@bp.route("/contacts/")
@permission_required("view_contacts")
def index():
    s = session()
    criteria = _criteria_from_args(request.args)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    page_size = request.args.get("page_size", 25, type=int)
    page_size = page_size if page_size in PAGE_SIZES else 25
    sort = request.args.get("sort", "sort_name")
    if sort.lstrip("-") not in {"sort_name", "created_at", "modified_at"}:
        sort = "sort_name"
    error = None
    try:
        contacts, total = search_contacts(
            s, criteria, page=page, page_size=page_size, sort=sort, count_limit=COUNT_LIMIT
        )
    except DomainError as exc:
        contacts, total, error = [], 0, exc.message
    details = services.contact_details(s, [c.id for c in contacts])
    filters = sorted(available_filters().values(), key=lambda f: (f.weight, str(f.label)))
    from ..groups.services import group_options
    from ..tags.services import tag_options

    targets = {"groups": group_options(s), "tags": tag_options(s)}
    args = request.args.to_dict(flat=False)
    return render_template(
        "contacts/index.html",
        contacts=contacts,
        total=total,
        page=page,
        page_size=page_size,
        sort=sort,
        criteria=criteria,
        filters=filters,
        details=details,
        error=error,
        pages=max((min(total, COUNT_LIMIT) + page_size - 1) // page_size, 1),
        capped=total > COUNT_LIMIT,
        count_limit=COUNT_LIMIT,
        args=args,
        advanced=any(k != "q" for k in criteria),
        targets=targets,
        query_string=request.query_string.decode(),
    )


@bp.route("/contacts/quick")
@permission_required("view_contacts")
def quick():
    """The quick search box's suggestions: the first matches, as JSON."""
    s = session()
    contacts = quick_search(s, request.args.get("q", ""), limit=10)
    emails, cities = services.primary_email_and_city(s, [c.id for c in contacts])
    return {
        "items": [
            {
                "id": c.id,
                "display_name": c.display_name,
                "contact_type": c.contact_type,
                "email": emails.get(c.id),
                "city": cities.get(c.id),
                "url": url_for("contacts.view", contact_id=c.id),
            }
            for c in contacts
        ]
    }


@bp.route("/contacts/trash")
@permission_required("delete_contacts")
def trash():
    s = session()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    from sqlalchemy import func, select

    total = s.execute(select(func.count()).where(Contact.is_deleted)).scalar_one()
    contacts = (
        s.execute(
            select(Contact)
            .where(Contact.is_deleted)
            .order_by(Contact.modified_at.desc())
            .limit(50)
            .offset((page - 1) * 50)
        )
        .scalars()
        .all()
    )
    return render_template("contacts/trash.html", contacts=contacts, total=total, page=page)


def _form_context(contact_type: str, values: dict, errors: dict, contact=None) -> dict:
    s = session()
    counts = {kind: max(values.get(f"{kind}-count", 0) or 0, 0) + 1 for kind in DETAIL_FIELDS}
    for key in values:
        for kind in DETAIL_FIELDS:
            if key.startswith(f"{kind}-") and key.split("-")[1].isdigit():
                counts[kind] = max(counts[kind], int(key.split("-")[1]) + 2)
    return {
        "contact": contact,
        "contact_type": contact_type,
        "values": values,
        "errors": errors,
        "subtypes": services.list_subtypes(s, contact_type),
        "counts": counts,
        "custom_sets": custom.definitions_for(
            s, "contact", contact_type, tuple(values.get("subtypes") or ())
        ),
        "LOCATION_TYPES": LOCATION_TYPES,
        "PHONE_TYPES": PHONE_TYPES,
        "WEBSITE_TYPES": WEBSITE_TYPES,
        "GENDERS": GENDERS,
    }


def _custom_fields(contact_type: str, subtypes) -> list:
    return [
        f
        for _g, fields in custom.definitions_for(
            session(), "contact", contact_type, tuple(subtypes or ())
        )
        for f in fields
    ]


@bp.route("/contacts/new", methods=["GET", "POST"])
@permission_required("edit_contacts")
def new():
    contact_type = request.values.get("contact_type", ContactType.INDIVIDUAL)
    if contact_type not in {t.value for t in ContactType}:
        abort(404)
    values: dict = {"contact_type": contact_type}
    errors: dict = {}
    if request.method == "POST":
        values = request.form.to_dict(flat=True)
        values["subtypes"] = request.form.getlist("subtypes")
        data = form_to_data(
            request.form,
            custom_fields=_custom_fields(contact_type, request.form.getlist("subtypes")),
        )
        data["contact_type"] = contact_type
        s = session()
        try:
            contact = services.create_contact(s, data, user_id=current_user.id)
            s.commit()
            flash(_("%(name)s is recorded.", name=contact.display_name), "success")
            return redirect(url_for("contacts.view", contact_id=contact.id))
        except DomainError as exc:
            s.rollback()
            errors = exc.errors or {"": [exc.message]}
            flash(exc.message, "error")
    return render_template("contacts/form.html", **_form_context(contact_type, values, errors)), (
        422 if errors else 200
    )


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@permission_required("edit_contacts")
def edit(contact_id: int):
    s = session()
    contact = services.get_contact(s, contact_id)
    errors: dict = {}
    if request.method == "POST":
        values = request.form.to_dict(flat=True)
        values["subtypes"] = request.form.getlist("subtypes")
        data = form_to_data(
            request.form,
            custom_fields=_custom_fields(contact.contact_type, request.form.getlist("subtypes")),
        )
        data.pop("contact_type", None)
        try:
            services.update_contact(s, contact_id, data, user_id=current_user.id)
            s.commit()
            flash(_("%(name)s is saved.", name=contact.display_name), "success")
            return redirect(url_for("contacts.view", contact_id=contact_id))
        except DomainError as exc:
            s.rollback()
            contact = services.get_contact(s, contact_id)
            errors = exc.errors or {"": [exc.message]}
            flash(exc.message, "error")
    else:
        rep = services.represent(s, [contact])[0]
        details = services.contact_details(s, [contact.id])[contact.id]
        values = contact_to_form(contact, details, rep["subtypes"], rep["custom"])
    return render_template(
        "contacts/form.html", **_form_context(contact.contact_type, values, errors, contact)
    ), (422 if errors else 200)


@bp.route("/contacts/<int:contact_id>")
@permission_required("view_contacts")
def view(contact_id: int):
    s = session()
    context = contact_page_context(contact_id, "summary")
    contact = context["contact"]
    rep = services.represent(s, [contact])[0]
    sets = custom.definitions_for(s, "contact", contact.contact_type, tuple(rep["subtypes"]))
    labels = {st.name: st.label for st in services.list_subtypes(s, contact.contact_type)}
    return render_template(
        "contacts/view.html",
        rep=rep,
        custom_sets=sets,
        subtype_labels=[labels.get(n, n) for n in rep["subtypes"]],
        display_value=custom.display_value,
        **context,
    )


@bp.route("/contacts/<int:contact_id>/delete", methods=["POST"])
@permission_required("delete_contacts")
def delete(contact_id: int):
    s = session()
    contact = services.trash_contact(s, contact_id, user_id=current_user.id)
    s.commit()
    flash(
        _("%(name)s is in the trash; it can be restored from there.", name=contact.display_name),
        "success",
    )
    return redirect(url_for("contacts.view", contact_id=contact_id))


@bp.route("/contacts/<int:contact_id>/restore", methods=["POST"])
@permission_required("delete_contacts")
def restore(contact_id: int):
    s = session()
    contact = services.restore_contact(s, contact_id, user_id=current_user.id)
    s.commit()
    flash(_("%(name)s is restored.", name=contact.display_name), "success")
    return redirect(url_for("contacts.view", contact_id=contact_id))


@bp.route("/contacts/<int:contact_id>/purge", methods=["POST"])
@permission_required("purge_contacts")
def purge(contact_id: int):
    s = session()
    contact = services.get_contact(s, contact_id)
    name = contact.display_name
    try:
        services.purge_contact(s, contact_id, user_id=current_user.id)
        s.commit()
    except DomainError as exc:
        s.rollback()
        flash(exc.message, "error")
        return redirect(url_for("contacts.view", contact_id=contact_id))
    flash(_("%(name)s is deleted for good.", name=name), "success")
    return redirect(
        url_for("contacts.trash")
        if has_permission(current_user, "delete_contacts")
        else url_for("contacts.index")
    )


@bp.route("/contacts/bulk", methods=["POST"])
@permission_required("edit_contacts")
def bulk():
    """Bulk actions on the selected search results."""
    s = session()
    ids = [int(i) for i in request.form.getlist("contact_ids") if i.isdigit()]
    action = request.form.get("action", "")
    back = request.referrer or url_for("contacts.index")
    if not ids:
        flash(_("Select at least one contact."), "error")
        return redirect(back)
    if action == "trash":
        if not has_permission(current_user, "delete_contacts"):
            abort(403)
        count = services.trash_contacts(s, ids, user_id=current_user.id)
        s.commit()
        flash(
            ngettext(
                "%(num)d contact moved to the trash.", "%(num)d contacts moved to the trash.", count
            ),
            "success",
        )
        return redirect(back)
    from ..groups import services as groups
    from ..tags import services as tags

    target = request.form.get("target", "")
    if not target.isdigit():
        flash(_("Choose a group or a tag for this action."), "error")
        return redirect(back)
    target_id = int(target)
    try:
        if action == "add_to_group":
            n = groups.add_contacts(s, target_id, ids, user_id=current_user.id)
            message = ngettext(
                "%(num)d contact added to the group.", "%(num)d contacts added to the group.", n
            )
        elif action == "remove_from_group":
            n = groups.remove_contacts(s, target_id, ids, user_id=current_user.id)
            message = ngettext(
                "%(num)d contact removed from the group.",
                "%(num)d contacts removed from the group.",
                n,
            )
        elif action == "tag":
            n = tags.tag_contacts(s, target_id, ids)
            message = ngettext("%(num)d contact tagged.", "%(num)d contacts tagged.", n)
        elif action == "untag":
            n = tags.untag_contacts(s, target_id, ids)
            message = ngettext(
                "The tag is taken off %(num)d contact.", "The tag is taken off %(num)d contacts.", n
            )
        else:
            flash(_("Unknown action."), "error")
            return redirect(back)
        s.commit()
        flash(message, "success")
    except DomainError as exc:
        s.rollback()
        flash(exc.message, "error")
    return redirect(back)


@bp.route("/contacts/save-search", methods=["POST"])
@permission_required("edit_contacts")
def save_search():
    """Keep the current advanced search as a smart group."""
    from urllib.parse import parse_qs

    from werkzeug.datastructures import MultiDict

    from ..groups.services import save_search_as_group

    s = session()
    query = MultiDict(
        [(k, v) for k, values in parse_qs(request.form.get("query", "")).items() for v in values]
    )
    criteria = _criteria_from_args(query)
    back = url_for("contacts.index", **query.to_dict(flat=False))
    if not criteria:
        flash(_("Search for something before saving the search."), "error")
        return redirect(back)
    try:
        group = save_search_as_group(s, request.form.get("title", ""), criteria, current_user.id)
        s.commit()
    except DomainError as exc:
        s.rollback()
        flash(exc.message, "error")
        return redirect(back)
    flash(_("The search is saved as the smart group %(title)s.", title=group.title), "success")
    return redirect(url_for("groups.view", group_id=group.id))


# -- contact subtypes (admin) --------------------------------------------------------------------


@bp.route("/admin/contact-subtypes", methods=["GET", "POST"])
@permission_required("administer_settings")
def subtypes():
    s = session()
    errors: dict = {}
    if request.method == "POST":
        try:
            subtype = services.create_subtype(
                s,
                request.form.get("name", ""),
                request.form.get("label", ""),
                request.form.get("contact_type", ""),
            )
            s.commit()
            flash(_("The subtype %(label)s is created.", label=subtype.label), "success")
            return redirect(url_for("contacts.subtypes"))
        except DomainError as exc:
            s.rollback()
            errors = exc.errors
    return render_template(
        "contacts/subtypes.html",
        subtypes=services.list_subtypes(s),
        errors=errors,
        values=request.form,
        types=list(ContactType),
    )
