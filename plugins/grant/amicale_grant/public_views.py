"""The public application page of a programme (no login, on the ``grant`` blueprint):
``/grant/apply/<programme_id>`` when the programme is active and flagged public.

The applicant is found by their email or becomes a new contact (``public_apply``); the form
has the custom fields of grants and takes attachments. A CSRF-protected form (``@public``); a
hidden field left empty by people catches the robots that fill every field.
"""

from __future__ import annotations

from flask import abort, render_template, request

from amicale.api_for_plugins import DomainError, public, session

from . import attachments, custom_fields, public_apply, services
from .views import bp, errors_of

HONEYPOT = "website"
FIELDS = (
    "first_name",
    "last_name",
    "organization_name",
    "email",
    "phone",
    "grant_type_id",
    "amount_total",
    "rationale",
)


@bp.route("/apply/<int:programme_id>", methods=["GET", "POST"], endpoint="public_apply")
@public
def apply_page(programme_id: int):
    s = session()
    programme = s.get(services.GrantProgramme, programme_id)
    if programme is None or not public_apply.is_open(programme):
        abort(404)
    sets = custom_fields.field_sets(s, public=True)
    errors: dict = {}
    values: dict = {}
    custom: dict = {}
    if request.method == "POST":
        values = {key: request.form.get(key, "") for key in FIELDS}
        custom = {
            custom_fields.PREFIX + k: v
            for k, v in custom_fields.form_values(request.form, sets).items()
        }
        if request.form.get(HONEYPOT):
            # A robot: it is told nothing more than a person would be, and nothing is written.
            return render_template("grant/public_thanks.html", programme=programme)
        stored: list[str] = []
        try:
            files = attachments.check(s, request.files.getlist(attachments.FIELD))
            values["custom"] = custom_fields.form_values(request.form, sets)
            grant = public_apply.apply(s, programme, values)
            stored = [a.stored_as for a in attachments.store(s, grant.id, files)]
            s.commit()
        except DomainError as exc:
            s.rollback()
            attachments.remove(stored)
            errors = errors_of(exc)
        else:
            public_apply.send_acknowledgement(s, grant, programme)
            s.commit()
            return render_template("grant/public_thanks.html", programme=programme, grant=grant)
    return render_template(
        "grant/public_apply.html",
        programme=programme,
        types=public_apply.type_choices(s, programme),
        sets=sets,
        values=values,
        custom=custom,
        errors=errors,
        max_mb=round(attachments.max_size(s) / 1024 / 1024, 1),
        kinds=", ".join(sorted(attachments.ALLOWED)),
    ), (422 if errors else 200)
