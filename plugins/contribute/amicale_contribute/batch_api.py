"""The REST resource of batches under /api/v1/batches (flask-smorest): list and open batches,
one batch with its totals, add an entry, close and reopen.

The request bodies go as they came to the services, which validate them with the same schemas as
the pages (``load_input``): a bad field answers 422 with ``errors`` by field, and nothing is
written; closing a batch whose count or total differ answers 409 with the differences.
"""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from amicale.api_for_plugins import (
    PageArgs,
    ValidationError,
    current_user,
    gettext,
    page_schema,
    permission_required,
    session,
)

from . import batch_services
from .batch_services import BatchEntrySchema
from .models import Batch
from .perms import ADMINISTER, EDIT, VIEW
from .schemas import BatchSchema, ContributionSchema

bp = Blueprint(
    "batches",
    __name__,
    url_prefix="/batches",
    description="Batches of contributions typed in together, checked against an expected count "
    "and total",
)


def _money(**kw) -> fields.Decimal:
    return fields.Decimal(as_string=True, places=2, **kw)


class BatchInstrumentTotalSchema(Schema):
    label = fields.String()
    count = fields.Integer()
    total = _money()


class BatchTotalsSchema(Schema):
    count = fields.Integer()
    total = _money()
    expected_count = fields.Integer()
    expected_total = _money()
    count_difference = fields.Integer()
    total_difference = _money()
    matches = fields.Boolean()
    by_instrument = fields.List(fields.Nested(BatchInstrumentTotalSchema))


class BatchDetailSchema(BatchSchema):
    """A batch with its running totals against the expected ones."""

    totals = fields.Nested(BatchTotalsSchema, dump_only=True)


BatchPage = page_schema("BatchPage", BatchDetailSchema)


def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError(gettext("The body must be a JSON object."), field="json")
    return data


def _doc(schema) -> dict:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _user_id() -> int | None:
    return getattr(current_user, "id", None)


def _detail(batch: Batch, totals=None) -> dict:
    values = {column.name: getattr(batch, column.name) for column in Batch.__table__.columns}
    values["totals"] = totals or batch_services.batch_totals(session(), batch)
    return values


@bp.route("")
class Batches(MethodView):
    @permission_required(VIEW)
    @bp.arguments(PageArgs, location="query")
    @bp.response(200, BatchPage)
    def get(self, args):
        """Batches, the open ones first, newest first, with their totals."""
        rows, total = batch_services.list_batches(
            session(), page=args["page"], page_size=args["page_size"]
        )
        return {
            "items": [_detail(batch, totals) for batch, totals in rows],
            "total": total,
            "page": args["page"],
            "page_size": args["page_size"],
        }

    @permission_required(EDIT)
    @bp.doc(**_doc(BatchSchema))
    @bp.response(201, BatchDetailSchema)
    def post(self):
        """Open a batch: title, expected count and total, the defaults of its entries."""
        s = session()
        batch = batch_services.open_batch(s, _body(), user_id=_user_id())
        s.commit()
        return _detail(batch)


@bp.route("/<int:batch_id>")
class OneBatch(MethodView):
    @permission_required(VIEW)
    @bp.response(200, BatchDetailSchema)
    def get(self, batch_id: int):
        """One batch with its totals (count, total, by payment instrument) and differences."""
        return _detail(batch_services.get_batch(session(), batch_id))


@bp.route("/<int:batch_id>/entries")
class Entries(MethodView):
    @permission_required(EDIT)
    @bp.doc(**_doc(BatchEntrySchema))
    @bp.response(201, ContributionSchema)
    def post(self, batch_id: int):
        """Add a contribution to an open batch: the contact by ``contact_id`` or as typed
        (``contact``: a name or number; 422 listing the ``choices`` when several match), the
        batch's financial type, instrument and date unless given. 409 on a closed batch."""
        s = session()
        try:
            contribution = batch_services.add_entry(s, batch_id, _body(), user_id=_user_id())
        except batch_services.ContactChoice as exc:
            exc.errors = {
                "contact": [exc.message],
                "choices": [f"{cid}: {name}" for cid, name in exc.choices],
            }
            raise
        s.commit()
        return contribution


@bp.route("/<int:batch_id>/entries/<int:contribution_id>")
class OneEntry(MethodView):
    @permission_required(EDIT)
    @bp.response(204)
    def delete(self, batch_id: int, contribution_id: int):
        """Delete an entry of an open batch."""
        s = session()
        batch_services.remove_entry(s, batch_id, contribution_id)
        s.commit()


@bp.route("/<int:batch_id>/close")
class Close(MethodView):
    @permission_required(EDIT)
    @bp.response(200, BatchDetailSchema)
    def post(self, batch_id: int):
        """Close a batch whose count and total match the expected ones (409 with the
        differences otherwise)."""
        s = session()
        batch = batch_services.close_batch(s, batch_id)
        s.commit()
        return _detail(batch)


@bp.route("/<int:batch_id>/reopen")
class Reopen(MethodView):
    @permission_required(ADMINISTER)
    @bp.response(200, BatchDetailSchema)
    def post(self, batch_id: int):
        """Reopen a closed batch to correct it (administrators)."""
        s = session()
        batch = batch_services.reopen_batch(s, batch_id)
        s.commit()
        return _detail(batch)
