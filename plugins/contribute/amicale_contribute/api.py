"""The REST resources of Contributions under /api/v1/ (flask-smorest, in the OpenAPI document
while the component is enabled): financial-types, contributions, campaigns, pledges,
recurring-contributions (batches are in ``batches``).

Bodies go as they came to the services, which validate them with the same schemas as the forms:
a bad field answers 422 with ``errors`` by field, and nothing is written. Amounts are strings
with two decimals ("25.00"), never floats.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from amicale.api_for_plugins import (
    PageArgs,
    apikit,
    current_user,
    page_schema,
    permission_required,
    session,
)

from . import services
from .models import Pledge, Recurring
from .perms import ADMINISTER, EDIT, VIEW
from .schemas import (
    CampaignSchema,
    ContributionArgs,
    ContributionList,
    ContributionSchema,
    FinancialTypeSchema,
    PledgePaymentSchema,
    PledgeSchema,
    ReceivedPaymentSchema,
    RecurringSchema,
)

financial_types = Blueprint(
    "financial-types",
    __name__,
    url_prefix="/financial-types",
    description="Financial types: what money is given for (Donation, Member Dues...)",
)
contributions = Blueprint(
    "contributions",
    __name__,
    url_prefix="/contributions",
    description="Contributions: gifts and payments of contacts, their statuses and payments",
)
campaigns = Blueprint(
    "campaigns",
    __name__,
    url_prefix="/campaigns",
    description="Fundraising campaigns with a goal and their progress",
)
pledges = Blueprint(
    "pledges",
    __name__,
    url_prefix="/pledges",
    description="Pledges: promises paid in instalments",
)
recurring = Blueprint(
    "recurring-contributions",
    __name__,
    url_prefix="/recurring-contributions",
    description="Recurring contributions: an amount every week, month or year",
)


def api_blueprints():
    return [financial_types, contributions, campaigns, pledges, recurring]


def _user_id() -> int | None:
    return getattr(current_user, "id", None)


class ProgressSchema(Schema):
    raised = fields.Decimal(as_string=True)
    donors = fields.Integer()
    gifts = fields.Integer()
    percent = fields.Integer(allow_none=True)


class CampaignOut(CampaignSchema):
    progress = fields.Method("_progress")

    def _progress(self, campaign) -> dict:
        found = services.campaign_progress(session(), [campaign.id]).get(campaign.id)
        return ProgressSchema().dump(found) if found else None


class StatusChange(Schema):
    status = fields.String(required=True)
    reason = fields.String(allow_none=True)


class PledgeOut(PledgeSchema):
    payments = fields.Method("_payments")

    def _payments(self, pledge) -> list:
        rows = services.pledge_payments(session(), pledge.id)
        return PledgePaymentSchema(many=True).dump(rows)


FinancialTypeList = page_schema("FinancialTypeList", FinancialTypeSchema)
CampaignList = page_schema("CampaignList", CampaignOut)
PledgeList = page_schema("PledgeList", PledgeOut)
RecurringList = page_schema("RecurringList", RecurringSchema)


class ContactArgs(PageArgs):
    contact_id = fields.Integer()


def _slice(rows: list, args: dict) -> dict:
    start = (args["page"] - 1) * args["page_size"]
    return apikit.page_of(rows[start : start + args["page_size"]], len(rows), args)


# -- financial types --------------------------------------------------------------------------------


@financial_types.route("")
class FinancialTypes(MethodView):
    @permission_required(VIEW)
    @financial_types.arguments(PageArgs, location="query")
    @financial_types.response(200, FinancialTypeList)
    def get(self, args):
        """Financial types in the admin's order."""
        return _slice(services.financial_types(session()), args)

    @permission_required(ADMINISTER)
    @financial_types.doc(**apikit.body_doc(FinancialTypeSchema))
    @financial_types.response(201, FinancialTypeSchema)
    def post(self):
        """Create a financial type."""
        s = session()
        ftype = services.create_financial_type(s, apikit.json_body())
        s.commit()
        return ftype


@financial_types.route("/<int:type_id>")
class FinancialTypeOne(MethodView):
    @permission_required(VIEW)
    @financial_types.response(200, FinancialTypeSchema)
    def get(self, type_id: int):
        """One financial type."""
        return services.get_financial_type(session(), type_id)

    @permission_required(ADMINISTER)
    @financial_types.doc(**apikit.body_doc(FinancialTypeSchema))
    @financial_types.response(200, FinancialTypeSchema)
    def patch(self, type_id: int):
        """Change some fields (``is_active: false`` to stop using it)."""
        s = session()
        ftype = services.update_financial_type(s, type_id, apikit.json_body())
        s.commit()
        return ftype


# -- contributions ----------------------------------------------------------------------------------


@contributions.route("")
class Contributions(MethodView):
    @permission_required(VIEW)
    @contributions.arguments(ContributionArgs, location="query")
    @contributions.response(200, ContributionList)
    def get(self, args):
        """Contributions, newest first: filter by contact, status, type, campaign, batch and
        the dates received (``from``, ``to``)."""
        rows, total = services.list_contributions(
            session(), args, page=args["page"], page_size=args["page_size"]
        )
        return apikit.page_of(rows, total, args)

    @permission_required(EDIT)
    @contributions.doc(**apikit.body_doc(ContributionSchema))
    @contributions.response(201, ContributionSchema)
    def post(self):
        """Record a contribution (the financial type by ``financial_type_id`` or by name in
        ``financial_type``; ``soft_credits``: ``[{contact_id, amount, kind}]``)."""
        s = session()
        c = services.create_contribution(s, apikit.json_body(), user_id=_user_id())
        s.commit()
        return _with_credits(c)


def _with_credits(c):
    from sqlalchemy import select

    from .models import SoftCredit

    out = c.model_dump()
    out["custom"] = services.custom_values(session(), [c.id])[c.id]
    out["soft_credits"] = [
        sc.model_dump()
        for sc in session().scalars(select(SoftCredit).where(SoftCredit.contribution_id == c.id))
    ]
    return out


@contributions.route("/<int:contribution_id>")
class ContributionOne(MethodView):
    @permission_required(VIEW)
    @contributions.response(200, ContributionSchema)
    def get(self, contribution_id: int):
        """One contribution with its soft credits."""
        return _with_credits(services.get_contribution(session(), contribution_id))

    @permission_required(EDIT)
    @contributions.doc(**apikit.body_doc(ContributionSchema))
    @contributions.response(200, ContributionSchema)
    def patch(self, contribution_id: int):
        """Change some fields (a receipted one keeps its amount, date and donor: 409)."""
        s = session()
        c = services.update_contribution(s, contribution_id, apikit.json_body(), user_id=_user_id())
        s.commit()
        return _with_credits(c)

    @permission_required(EDIT)
    @contributions.response(204)
    def delete(self, contribution_id: int):
        """Delete a contribution typed in by mistake (409 when a receipt covers it)."""
        s = session()
        services.delete_contribution(s, contribution_id)
        s.commit()


@contributions.route("/<int:contribution_id>/payments")
class Payments(MethodView):
    @permission_required(EDIT)
    @contributions.doc(**apikit.body_doc(ReceivedPaymentSchema))
    @contributions.response(200, ContributionSchema)
    def post(self, contribution_id: int):
        """Money received for a Pending or Partially paid contribution."""
        s = session()
        c = services.record_payment(s, contribution_id, apikit.json_body(), user_id=_user_id())
        s.commit()
        return _with_credits(c)


@contributions.route("/<int:contribution_id>/status")
class Status(MethodView):
    @permission_required(EDIT)
    @contributions.arguments(StatusChange)
    @contributions.response(200, ContributionSchema)
    def post(self, body, contribution_id: int):
        """Complete, cancel, refund or fail a contribution (``reason`` kept)."""
        s = session()
        c = services.set_status(
            s, contribution_id, body["status"], reason=body.get("reason"), user_id=_user_id()
        )
        s.commit()
        return _with_credits(c)


# -- campaigns --------------------------------------------------------------------------------------


@campaigns.route("")
class Campaigns(MethodView):
    @permission_required(VIEW)
    @campaigns.arguments(PageArgs, location="query")
    @campaigns.response(200, CampaignList)
    def get(self, args):
        """Campaigns with their progress (raised, donors, gifts, % of the goal)."""
        return _slice(services.campaigns(session()), args)

    @permission_required(EDIT)
    @campaigns.doc(**apikit.body_doc(CampaignSchema))
    @campaigns.response(201, CampaignOut)
    def post(self):
        """Create a campaign."""
        s = session()
        campaign = services.create_campaign(s, apikit.json_body())
        s.commit()
        return campaign


@campaigns.route("/<int:campaign_id>")
class CampaignOne(MethodView):
    @permission_required(VIEW)
    @campaigns.response(200, CampaignOut)
    def get(self, campaign_id: int):
        """One campaign and its progress."""
        return services.get_campaign(session(), campaign_id)

    @permission_required(EDIT)
    @campaigns.doc(**apikit.body_doc(CampaignSchema))
    @campaigns.response(200, CampaignOut)
    def patch(self, campaign_id: int):
        """Change some fields of a campaign."""
        s = session()
        campaign = services.update_campaign(s, campaign_id, apikit.json_body())
        s.commit()
        return campaign


# -- pledges and recurring contributions ------------------------------------------------------------


def _of_contact(model, args):
    from sqlalchemy import func, select

    query = select(model)
    if args.get("contact_id"):
        query = query.where(model.contact_id == args["contact_id"])
    s = session()
    total = s.scalar(select(func.count()).select_from(query.subquery()))
    rows = s.scalars(
        query.order_by(model.id.desc())
        .limit(args["page_size"])
        .offset((args["page"] - 1) * args["page_size"])
    ).all()
    return apikit.page_of(list(rows), total, args)


@pledges.route("")
class Pledges(MethodView):
    @permission_required(VIEW)
    @pledges.arguments(ContactArgs, location="query")
    @pledges.response(200, PledgeList)
    def get(self, args):
        """Pledges, newest first (``contact_id`` to filter)."""
        return _of_contact(Pledge, args)

    @permission_required(EDIT)
    @pledges.doc(**apikit.body_doc(PledgeSchema))
    @pledges.response(201, PledgeOut)
    def post(self):
        """Record a pledge: its instalments are scheduled."""
        s = session()
        pledge = services.create_pledge(s, apikit.json_body(), user_id=_user_id())
        s.commit()
        return pledge


@pledges.route("/<int:pledge_id>")
class PledgeOne(MethodView):
    @permission_required(VIEW)
    @pledges.response(200, PledgeOut)
    def get(self, pledge_id: int):
        """One pledge and its instalments."""
        return services.get_pledge(session(), pledge_id)


@pledges.route("/<int:pledge_id>/payments")
class PledgePay(MethodView):
    @permission_required(EDIT)
    @pledges.doc(**apikit.body_doc(ContributionSchema))
    @pledges.response(201, ContributionSchema)
    def post(self, pledge_id: int):
        """Pay the next instalment (the contribution's fields; amount: the instalment's)."""
        s = session()
        c = services.pay_pledge(s, pledge_id, apikit.json_body(optional=True), user_id=_user_id())
        s.commit()
        return _with_credits(c)


@recurring.route("")
class Recurrings(MethodView):
    @permission_required(VIEW)
    @recurring.arguments(ContactArgs, location="query")
    @recurring.response(200, RecurringList)
    def get(self, args):
        """Recurring contributions, newest first (``contact_id`` to filter)."""
        return _of_contact(Recurring, args)

    @permission_required(EDIT)
    @recurring.doc(**apikit.body_doc(RecurringSchema))
    @recurring.response(201, RecurringSchema)
    def post(self):
        """Record a recurring contribution."""
        s = session()
        r = services.create_recurring(s, apikit.json_body(), user_id=_user_id())
        s.commit()
        return r


@recurring.route("/<int:recurring_id>")
class RecurringOne(MethodView):
    @permission_required(VIEW)
    @recurring.response(200, RecurringSchema)
    def get(self, recurring_id: int):
        """One recurring contribution."""
        return services.get_recurring(session(), recurring_id)

    @permission_required(EDIT)
    @recurring.response(200, RecurringSchema)
    def delete(self, recurring_id: int):
        """Cancel a recurring contribution (kept, with its cancel date)."""
        s = session()
        r = services.cancel_recurring(s, recurring_id)
        s.commit()
        return r
