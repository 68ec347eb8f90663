"""Pages and API of postal mail: letters and address labels (PDF) for a contact or for the
selected search results."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint as ApiBlueprint

from ..accounts.permissions import permission_required
from ..clock import utcnow
from ..db import session
from ..errors import ValidationError
from . import letters, services
from .tokens import available_tokens
from .views import from_selection

bp = Blueprint("letters", __name__, template_folder="templates")


def _pdf_response(pdf: bytes, kind: str) -> Response:
    name = f"{kind}-{utcnow().date().isoformat()}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _letters_page(contact_ids: list[int], back: str):
    s = session()
    errors: dict = {}
    values = request.form.to_dict() if request.method == "POST" else {}
    template_id = request.values.get("template_id", type=int)
    loading = request.method == "GET" or request.form.get("load_template")
    if loading and template_id:
        try:
            values = services.template_form_values(s, template_id)
        except ValidationError as exc:
            errors = exc.errors
    action = request.form.get("download") if request.method == "POST" else None
    if action in ("letters", "labels"):
        try:
            if action == "letters":
                pdf = letters.render_letters(
                    s,
                    contact_ids,
                    template_id=values.get("template_id") or None,
                    subject=values.get("subject") or None,
                    body_text=values.get("body_text") or None,
                    body_html=values.get("body_html") or None,
                    user=current_user,
                )
            else:
                pdf = letters.render_labels(s, contact_ids, layout=values.get("layout") or "3x8")
            s.commit()
        except ValidationError as exc:
            s.rollback()
            errors = exc.errors or {"": [exc.message]}
        else:
            return _pdf_response(pdf, action)
    return render_template(
        "mail/letters/compose.html",
        people=letters.letter_recipients(s, contact_ids),
        contact_ids=contact_ids,
        values=values,
        errors=errors,
        templates=services.list_templates(s, active_only=True),
        tokens=available_tokens(),
        layouts=letters.LABEL_LAYOUTS,
        back=back,
        max_letters=letters.MAX_LETTERS,
    ), (422 if errors else 200)


@bp.route("/contacts/<int:contact_id>/letter", methods=["GET", "POST"])
@permission_required("print_letters")
def letter_one(contact_id: int):
    return _letters_page([contact_id], url_for("contacts.view", contact_id=contact_id))


@bp.route("/contacts/letters", methods=["POST"])
@permission_required("print_letters")
def letters_selection():
    """Reached from the search results' selection (its ``contact_ids``), then from its own form."""
    return from_selection(_letters_page)


# -- API -----------------------------------------------------------------------------------------

PDF = {"type": "string", "format": "binary"}  # the OpenAPI schema of a file answered as is
api_blp = ApiBlueprint(
    "postal-letters",
    __name__,
    url_prefix="/letters",
    description="Postal mail: personalised letters and address labels as PDF (A4)",
)


@api_blp.route("")
class Letters(MethodView):
    @permission_required("print_letters")
    @api_blp.arguments(letters.LetterSchema)
    @api_blp.response(
        200,
        PDF,
        description="A PDF (A4), one letter per contact who can get one, each on a new page",
        content_type="application/pdf",
    )
    def post(self, data: dict):
        """Letters to ``contact_ids`` (a template and/or a subject and body, with tokens), for
        a DL window envelope, recorded as a Letter activity. Contacts in the trash, deceased,
        who refuse post or lack a postal address are left out; 422 when nobody is left."""
        s = session()
        pdf = letters.render_letters(
            s,
            data["contact_ids"],
            template_id=data.get("template_id"),
            subject=data.get("subject"),
            body_text=data.get("body_text"),
            body_html=data.get("body_html"),
            user=current_user,
        )
        s.commit()
        return _pdf_response(pdf, "letters")


@api_blp.route("/labels")
class Labels(MethodView):
    @permission_required("print_letters")
    @api_blp.arguments(letters.LabelsSchema)
    @api_blp.response(
        200,
        PDF,
        description="A PDF of address labels on A4 sheets",
        content_type="application/pdf",
    )
    def post(self, data: dict):
        """Address labels for ``contact_ids`` (the same contacts as letters would reach), in
        ``layout`` 3x8 (Avery 3474, 70 x 37 mm, the default) or 3x7 (Avery L7160)."""
        pdf = letters.render_labels(session(), data["contact_ids"], layout=data["layout"])
        return _pdf_response(pdf, "labels")
