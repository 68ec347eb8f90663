"""The REST resources of Grant under /api/v1/ (flask-smorest, in the OpenAPI document while the
component is enabled): grant-types, grant-programmes, grants (with their status, reviews and
payments), funding-applications.

The request bodies go as they came to the services, which validate them with the same schemas as
the forms (``load_input``): a bad field answers 422 with ``errors`` by field, and nothing is
written. A workflow step the key's user may not take answers 403.
"""

from __future__ import annotations

from flask import request, send_file, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from amicale.api_for_plugins import (
    PageArgs,
    ValidationError,
    apikit,
    current_user,
    gettext,
    permission_required,
    session,
)

from . import attachments, services
from .schemas import (
    FundingApplicationPage,
    FundingApplicationSchema,
    FundingIndicatorOutSchema,
    FundingIndicatorSchema,
    FundingListArgs,
    FundingReportOutSchema,
    FundingReportSchema,
    GrantListArgs,
    GrantOutSchema,
    GrantPage,
    GrantPaymentSchema,
    GrantProgrammePage,
    GrantProgrammeSchema,
    GrantReviewSchema,
    GrantSchema,
    GrantTransitionSchema,
    GrantTypePage,
    GrantTypeSchema,
    ProgrammeListArgs,
)
from .services import ADMINISTER, EDIT, EDIT_FUNDING, PAY, REVIEW, VIEW, VIEW_FUNDING

types = Blueprint("grant-types", __name__, url_prefix="/grant-types", description="Kinds of grants")
programmes = Blueprint(
    "grant-programmes",
    __name__,
    url_prefix="/grant-programmes",
    description="Grant programmes (calls for applications) and their budgets",
)
grants = Blueprint(
    "grants",
    __name__,
    url_prefix="/grants",
    description="Grants the organisation awards: applications, workflow, reviews, payments",
)
funding = Blueprint(
    "funding-applications",
    __name__,
    url_prefix="/funding-applications",
    description="Funding the organisation applies for, to funders",
)

_body = apikit.json_body
_doc = apikit.body_doc
_page = apikit.page_of


def _slice(rows: list, args: dict) -> dict:
    start = (args["page"] - 1) * args["page_size"]
    return _page(rows[start : start + args["page_size"]], len(rows), args)


# -- types -------------------------------------------------------------------------------------


@types.route("")
class Types(MethodView):
    @permission_required(VIEW)
    @types.arguments(PageArgs, location="query")
    @types.response(200, GrantTypePage)
    def get(self, args):
        """Grant types in the admin's order."""
        return _slice(services.list_types(session()), args)

    @permission_required(ADMINISTER)
    @types.doc(**_doc(GrantTypeSchema))
    @types.response(201, GrantTypeSchema)
    def post(self):
        """Create a grant type."""
        s = session()
        gtype = services.create_type(s, _body())
        s.commit()
        return gtype


# -- programmes --------------------------------------------------------------------------------


@programmes.route("")
class Programmes(MethodView):
    @permission_required(VIEW)
    @programmes.arguments(ProgrammeListArgs, location="query")
    @programmes.response(200, GrantProgrammePage)
    def get(self, args):
        """Grant programmes by name."""
        return _slice(services.list_programmes(session(), active=args["active"]), args)

    @permission_required(ADMINISTER)
    @programmes.doc(**_doc(GrantProgrammeSchema))
    @programmes.response(201, GrantProgrammeSchema)
    def post(self):
        """Create a programme."""
        s = session()
        programme = services.create_programme(s, _body())
        s.commit()
        return programme


@programmes.route("/<int:programme_id>")
class Programme(MethodView):
    @permission_required(VIEW)
    @programmes.response(200, GrantProgrammeSchema)
    def get(self, programme_id: int):
        """One programme."""
        return services.get_programme(session(), programme_id)

    @permission_required(ADMINISTER)
    @programmes.doc(**_doc(GrantProgrammeSchema))
    @programmes.response(200, GrantProgrammeSchema)
    def patch(self, programme_id: int):
        """Change some fields of a programme."""
        s = session()
        programme = services.update_programme(s, programme_id, _body())
        s.commit()
        return programme


# -- grants ------------------------------------------------------------------------------------


def _one(grant) -> dict:
    return services.represent(session(), [grant])[0]


@grants.route("")
class Grants(MethodView):
    @permission_required(VIEW)
    @grants.arguments(GrantListArgs, location="query")
    @grants.response(200, GrantPage)
    def get(self, args):
        """Grants, newest first: by applicant, status, type, programme, amount requested
        (``amount_min``, ``amount_max``) and decision date (``decided_from``, ``decided_to``)."""
        filters = {k: v for k, v in args.items() if k not in ("page", "page_size")}
        s = session()
        rows, total = services.list_grants(
            s, page=args["page"], page_size=args["page_size"], **filters
        )
        return _page(services.represent(s, rows), total, args)

    @permission_required(EDIT)
    @grants.doc(**_doc(GrantSchema))
    @grants.response(201, GrantOutSchema)
    def post(self):
        """Record an application (status Submitted); ``custom``: its custom fields."""
        s = session()
        grant = services.create_grant(s, _body(), user=current_user)
        s.commit()
        return _one(grant)


@grants.route("/<int:grant_id>")
class GrantResource(MethodView):
    @permission_required(VIEW)
    @grants.response(200, GrantOutSchema)
    def get(self, grant_id: int):
        """One grant, with the amount paid and the reviewers' average score."""
        return _one(services.get_grant(session(), grant_id))

    @permission_required(EDIT)
    @grants.doc(**_doc(GrantSchema))
    @grants.response(200, GrantOutSchema)
    def patch(self, grant_id: int):
        """Change some fields of an application (the status changes through ``/status``)."""
        s = session()
        grant = services.update_grant(s, grant_id, _body(), user=current_user)
        s.commit()
        return _one(grant)


@grants.route("/<int:grant_id>/status")
class GrantStatus(MethodView):
    @permission_required(VIEW)
    @grants.doc(**_doc(GrantTransitionSchema))
    @grants.response(200, GrantOutSchema)
    def post(self, grant_id: int):
        """Take a step of the workflow; each needs its permission (403 otherwise), and a step
        not allowed from the current status answers 422."""
        s = session()
        grant = services.change_status(s, grant_id, _body(), user=current_user)
        s.commit()
        return _one(grant)


@grants.route("/<int:grant_id>/reviews")
class GrantReviews(MethodView):
    @permission_required(VIEW)
    @grants.response(200, GrantReviewSchema(many=True))
    def get(self, grant_id: int):
        """The reviewers' scores and comments."""
        s = session()
        services.get_grant(s, grant_id)
        return services.list_reviews(s, grant_id)

    @permission_required(REVIEW)
    @grants.doc(**_doc(GrantReviewSchema))
    @grants.response(201, GrantReviewSchema)
    def post(self, grant_id: int):
        """The key's user scores and comments the application (replacing their review)."""
        s = session()
        review = services.save_review(s, grant_id, _body(), user=current_user)
        s.commit()
        return review


@grants.route("/<int:grant_id>/payments")
class GrantPayments(MethodView):
    @permission_required(VIEW)
    @grants.response(200, GrantPaymentSchema(many=True))
    def get(self, grant_id: int):
        """The payments of a grant."""
        s = session()
        services.get_grant(s, grant_id)
        return services.list_payments(s, grant_id)

    @permission_required(PAY)
    @grants.doc(**_doc(GrantPaymentSchema))
    @grants.response(201, GrantPaymentSchema)
    def post(self, grant_id: int):
        """Record a payment of an approved grant; the grant is Paid once fully paid."""
        s = session()
        payment = services.record_payment(s, grant_id, _body(), user=current_user)
        s.commit()
        return payment


class AttachmentSchema(Schema):
    id = fields.Integer()
    file_name = fields.String()
    mime_type = fields.String()
    size = fields.Integer()
    uploaded_at = fields.DateTime()
    url = fields.Method("_url")

    def _url(self, a) -> str:
        return url_for("api_grants.GrantAttachmentFile", grant_id=a.grant_id, attachment_id=a.id)


@grants.route("/<int:grant_id>/attachments")
class GrantAttachments(MethodView):
    @permission_required(VIEW)
    @grants.response(200, AttachmentSchema(many=True))
    def get(self, grant_id: int):
        """The files joined to an application (their ``url`` downloads them)."""
        s = session()
        services.get_grant(s, grant_id)
        return services.list_attachments(s, grant_id)

    @permission_required(EDIT)
    @grants.doc(
        requestBody={
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {attachments.FIELD: {"type": "string", "format": "binary"}},
                    }
                }
            },
        }
    )
    @grants.response(201, AttachmentSchema(many=True))
    def post(self, grant_id: int):
        """Join files (multipart, field ``files``; size and kinds limited as on the page)."""
        s = session()
        services.get_grant(s, grant_id)
        stored: list[str] = []
        try:
            files = attachments.check(s, request.files.getlist(attachments.FIELD))
            if not files:
                raise ValidationError(gettext("Choose a file."), field=attachments.FIELD)
            added = attachments.store(s, grant_id, files, user_id=getattr(current_user, "id", None))
            stored = [a.stored_as for a in added]
            s.commit()
        except Exception:
            s.rollback()
            attachments.remove(stored)
            raise
        return added


@grants.route("/<int:grant_id>/attachments/<int:attachment_id>")
class GrantAttachmentFile(MethodView):
    @permission_required(VIEW)
    @grants.response(
        200, {"format": "binary", "type": "string"}, content_type="application/octet-stream"
    )
    def get(self, grant_id: int, attachment_id: int):
        """The file itself."""
        found = services.get_attachment(session(), grant_id, attachment_id)
        return send_file(
            attachments.path_of(found),
            mimetype=found.mime_type,
            as_attachment=True,
            download_name=found.file_name,
            max_age=0,
        )

    @permission_required(EDIT)
    @grants.response(204)
    def delete(self, grant_id: int, attachment_id: int):
        """Delete a file."""
        s = session()
        stored = attachments.delete(s, grant_id, attachment_id)
        s.commit()
        attachments.remove([stored])


# -- funding applications -----------------------------------------------------------------------


@funding.route("")
class FundingApplications(MethodView):
    @permission_required(VIEW_FUNDING)
    @funding.arguments(FundingListArgs, location="query")
    @funding.response(200, FundingApplicationPage)
    def get(self, args):
        """Funding applications, latest deadline first: by funder, status, deadline."""
        filters = {k: v for k, v in args.items() if k not in ("page", "page_size")}
        s = session()
        rows, total = services.list_funding(
            s, page=args["page"], page_size=args["page_size"], **filters
        )
        return _page(services.represent_funding(s, rows), total, args)

    @permission_required(EDIT_FUNDING)
    @funding.doc(**_doc(FundingApplicationSchema))
    @funding.response(201, FundingApplicationSchema)
    def post(self):
        """Record an application to a funder (an organisation contact)."""
        s = session()
        application = services.create_funding(s, _body())
        s.commit()
        return services.represent_funding(s, [application])[0]


@funding.route("/<int:application_id>")
class FundingApplicationResource(MethodView):
    @permission_required(VIEW_FUNDING)
    @funding.response(200, FundingApplicationSchema)
    def get(self, application_id: int):
        """One funding application."""
        s = session()
        return services.represent_funding(s, [services.get_funding(s, application_id)])[0]

    @permission_required(EDIT_FUNDING)
    @funding.doc(**_doc(FundingApplicationSchema))
    @funding.response(200, FundingApplicationSchema)
    def patch(self, application_id: int):
        """Change some fields (``status: Awarded`` with ``amount_obtained``)."""
        s = session()
        application = services.update_funding(s, application_id, _body())
        s.commit()
        return services.represent_funding(s, [application])[0]


def _reports_of(application_id: int) -> list[dict]:
    s = session()
    reports = services.list_funding_reports(s, application_id)
    indicators = services.indicators_of(s, [r.id for r in reports])
    return [
        {**{c: getattr(r, c) for c in type(r).model_fields}, "indicators": indicators[r.id]}
        for r in reports
    ]


@funding.route("/<int:application_id>/reports")
class FundingReports(MethodView):
    @permission_required(VIEW_FUNDING)
    @funding.response(200, FundingReportOutSchema(many=True))
    def get(self, application_id: int):
        """The reports the funder requires, with their indicators and the figures pulled."""
        services.get_funding(session(), application_id)
        return _reports_of(application_id)

    @permission_required(EDIT_FUNDING)
    @funding.doc(**_doc(FundingReportSchema))
    @funding.response(201, FundingReportOutSchema)
    def post(self, application_id: int):
        """Add a report the funder requires (``title``, ``due_date``)."""
        s = session()
        report = services.add_funding_report(s, application_id, _body())
        s.commit()
        return {**{c: getattr(report, c) for c in type(report).model_fields}, "indicators": []}


@funding.route("/reports/<int:report_id>/indicators")
class FundingIndicators(MethodView):
    @permission_required(EDIT_FUNDING)
    @funding.doc(**_doc(FundingIndicatorSchema))
    @funding.response(201, FundingIndicatorOutSchema)
    def post(self, report_id: int):
        """Add an indicator: typed (``value``) or pulled from a report (``source_report``, the
        name of a report of ``/reports``, with its ``source_filters``)."""
        s = session()
        indicator = services.add_indicator(s, report_id, _body())
        s.commit()
        return indicator


@funding.route("/indicators/<int:indicator_id>/pull")
class FundingIndicatorPull(MethodView):
    @permission_required(EDIT_FUNDING)
    @funding.response(200, FundingIndicatorOutSchema)
    def post(self, indicator_id: int):
        """Run the indicator's report again and keep its figures."""
        s = session()
        indicator = services.pull_figures(s, indicator_id)
        s.commit()
        return indicator
