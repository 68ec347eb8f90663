"""API: /api/v1/dedupe-rules (CRUD), /api/v1/duplicates (pairs of a rule, paginated),
/api/v1/duplicates/exceptions ("not a duplicate") and /api/v1/contacts/{id}/merge."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from ..accounts.permissions import permission_required
from ..api.pagination import LongPageArgs, page_of, page_schema
from ..contacts import services as contacts
from ..contacts.schemas import ContactSchema
from ..db import session
from ..errors import ValidationError
from . import services
from .schemas import DuplicatesArgs, ExceptionSchema, MergeSchema, PairSchema, RuleSchema

rules_blp = Blueprint(
    "dedupe-rules", __name__, url_prefix="/dedupe-rules", description="Duplicate rules"
)
duplicates_blp = Blueprint(
    "duplicates", __name__, url_prefix="/duplicates", description="Likely duplicate contacts"
)
merge_blp = Blueprint(
    "contact-merge", __name__, url_prefix="/contacts", description="Merging two contacts"
)

RulePage = page_schema("DedupeRulePage", RuleSchema)
PairPage = page_schema("DuplicatePairPage", PairSchema)


def _json() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError("The body must be a JSON object.", field="json")
    return data


@rules_blp.route("")
class Rules(MethodView):
    @permission_required("merge_contacts")
    @rules_blp.arguments(LongPageArgs, location="query")
    @rules_blp.response(200, RulePage)
    def get(self, args):
        """Every duplicate rule with its fields."""
        s = session()
        return page_of(services.represent_rules(s, services.list_rules(s)), args)

    @permission_required("administer_settings")
    @rules_blp.doc(
        requestBody={"required": True, "content": {"application/json": {"schema": RuleSchema}}}
    )
    @rules_blp.response(201, RuleSchema)
    def post(self):
        """Create a rule: ``fields`` of ``{field, match, weight, cutoff}`` and a threshold."""
        s = session()
        rule = services.save_rule(s, _json())
        s.commit()
        return services.represent_rules(s, [rule])[0]


@rules_blp.route("/<int:rule_id>")
class RuleResource(MethodView):
    @permission_required("merge_contacts")
    @rules_blp.response(200, RuleSchema)
    def get(self, rule_id: int):
        """One rule."""
        s = session()
        return services.represent_rules(s, [services.get_rule(s, rule_id)])[0]

    @permission_required("administer_settings")
    @rules_blp.doc(
        requestBody={"required": True, "content": {"application/json": {"schema": RuleSchema}}}
    )
    @rules_blp.response(200, RuleSchema)
    def put(self, rule_id: int):
        """Replace a rule's definition (its kind of contact stays)."""
        s = session()
        rule = services.save_rule(s, _json(), rule_id)
        s.commit()
        return services.represent_rules(s, [rule])[0]

    @permission_required("administer_settings")
    @rules_blp.response(204)
    def delete(self, rule_id: int):
        """Delete a rule of the admin's (built-in rules cannot be deleted: 409)."""
        s = session()
        services.delete_rule(s, rule_id)
        s.commit()


@duplicates_blp.route("")
class Duplicates(MethodView):
    @permission_required("merge_contacts")
    @duplicates_blp.arguments(DuplicatesArgs, location="query")
    @duplicates_blp.response(200, PairPage)
    def get(self, args):
        """Pairs of likely duplicates found by a rule (the default one for individuals when
        ``rule`` is missing), within a group when ``group`` is given; best scores first."""
        s = session()
        rule = services.get_rule(s, args["rule"]) if args["rule"] else services.default_rule(s)
        pairs = services.find_duplicates(s, rule, group_id=args["group"]).pairs
        page, size = args["page"], args["page_size"]
        return {
            "items": services.describe_pairs(s, pairs[(page - 1) * size : page * size]),
            "total": len(pairs),
            "page": page,
            "page_size": size,
        }


@duplicates_blp.route("/exceptions")
class Exceptions(MethodView):
    @permission_required("merge_contacts")
    @duplicates_blp.arguments(ExceptionSchema)
    @duplicates_blp.response(201, ExceptionSchema)
    def post(self, data):
        """Mark a pair as not a duplicate: it is never proposed again."""
        s = session()
        services.mark_not_duplicate(
            s, data["contact_id_a"], data["contact_id_b"], user_id=current_user.id
        )
        s.commit()
        return data


@merge_blp.route("/<int:contact_id>/merge")
class Merge(MethodView):
    @permission_required("merge_contacts")
    @merge_blp.arguments(MergeSchema)
    @merge_blp.response(200, ContactSchema)
    def post(self, data, contact_id: int):
        """Merge ``loser_id`` into this contact with the field ``choices``; the loser goes to
        the trash. 422 on bad choices, 409 when a contact is in the trash."""
        s = session()
        winner = services.merge_contacts(
            s, contact_id, data["loser_id"], data["choices"], user_id=current_user.id
        )
        s.commit()
        return contacts.represent(s, [winner])[0]
