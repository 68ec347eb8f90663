"""The REST resources of Timebank under /api/v1/timebank/ (flask-smorest, in the OpenAPI
document while the component is enabled): categories, listings (offers and requests),
exchanges, and balances.

The request bodies go as they came to the services, which validate them with the same schemas as
the forms (``load_input``): one set of rules and messages; a bad field answers 422 with
``errors`` by field, and nothing is written.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from amicale.api_for_plugins import (
    PageArgs,
    apikit,
    permission_required,
    session,
)

from . import services
from .schemas import (
    TimebankBalancePage,
    TimebankBalanceSchema,
    TimebankCategoryListArgs,
    TimebankCategoryPage,
    TimebankCategoryPatchSchema,
    TimebankCategorySchema,
    TimebankExchangeListArgs,
    TimebankExchangePage,
    TimebankExchangePatchSchema,
    TimebankExchangeSchema,
    TimebankListingListArgs,
    TimebankListingPage,
    TimebankListingPatchSchema,
    TimebankListingSchema,
)

api = Blueprint(
    "timebank",
    __name__,
    url_prefix="/timebank",
    description="Timebank: skill categories, members' offers and requests, exchanges of hours "
    "and balances",
)

VIEW, EDIT, ADMINISTER = "timebank.view", "timebank.edit", "timebank.administer"


_body = apikit.json_body
_doc = apikit.body_doc
_page = apikit.page_of


# -- categories ------------------------------------------------------------------------------------


@api.route("/categories")
class Categories(MethodView):
    @permission_required(VIEW)
    @api.arguments(TimebankCategoryListArgs, location="query")
    @api.response(200, TimebankCategoryPage)
    def get(self, args):
        """Skill categories in the admin's order."""
        rows, total = services.list_categories(
            session(), active=args["active"], page=args["page"], page_size=args["page_size"]
        )
        return _page(rows, total, args)

    @permission_required(ADMINISTER)
    @api.doc(**_doc(TimebankCategorySchema))
    @api.response(201, TimebankCategorySchema)
    def post(self):
        """Create a category (names are unique, whatever the case)."""
        s = session()
        category = services.create_category(s, _body())
        s.commit()
        return category


@api.route("/categories/<int:category_id>")
class Category(MethodView):
    @permission_required(VIEW)
    @api.response(200, TimebankCategorySchema)
    def get(self, category_id: int):
        """One category."""
        return services.get_category(session(), category_id)

    @permission_required(ADMINISTER)
    @api.doc(**_doc(TimebankCategoryPatchSchema))
    @api.response(200, TimebankCategorySchema)
    def patch(self, category_id: int):
        """Change some fields of a category (``is_active: false`` to deactivate it)."""
        s = session()
        category = services.update_category(s, category_id, _body())
        s.commit()
        return category

    @permission_required(ADMINISTER)
    @api.response(204)
    def delete(self, category_id: int):
        """Delete a category nobody uses (409 if one is in use: deactivate it instead)."""
        s = session()
        services.delete_category(s, category_id)
        s.commit()


# -- listings --------------------------------------------------------------------------------------


@api.route("/listings")
class Listings(MethodView):
    @permission_required(VIEW)
    @api.arguments(TimebankListingListArgs, location="query")
    @api.response(200, TimebankListingPage)
    def get(self, args):
        """Offers and requests, newest first, with optional filters."""
        rows, total = services.list_listings(
            session(),
            contact_id=args["contact_id"],
            category_id=args["category_id"],
            kind=args["kind"],
            active=args["active"],
            page=args["page"],
            page_size=args["page_size"],
        )
        return _page([r.listing for r in rows], total, args)

    @permission_required(EDIT)
    @api.doc(**_doc(TimebankListingSchema))
    @api.response(201, TimebankListingSchema)
    def post(self):
        """Record a member's offer or request."""
        s = session()
        listing = services.create_listing(s, _body())
        s.commit()
        return listing


@api.route("/listings/<int:listing_id>")
class Listing(MethodView):
    @permission_required(VIEW)
    @api.response(200, TimebankListingSchema)
    def get(self, listing_id: int):
        """One offer or request."""
        return services.get_listing(session(), listing_id)

    @permission_required(EDIT)
    @api.doc(**_doc(TimebankListingPatchSchema))
    @api.response(200, TimebankListingSchema)
    def patch(self, listing_id: int):
        """Change some fields (``is_active: false`` when it no longer stands)."""
        s = session()
        listing = services.update_listing(s, listing_id, _body())
        s.commit()
        return listing

    @permission_required(EDIT)
    @api.response(204)
    def delete(self, listing_id: int):
        """Delete an offer or request."""
        s = session()
        services.delete_listing(s, listing_id)
        s.commit()


# -- exchanges -------------------------------------------------------------------------------------


@api.route("/exchanges")
class Exchanges(MethodView):
    @permission_required(VIEW)
    @api.arguments(TimebankExchangeListArgs, location="query")
    @api.response(200, TimebankExchangePage)
    def get(self, args):
        """Exchanges, latest first; ``contact_id`` gives those where the member gave or
        received."""
        rows, total = services.list_exchanges(
            session(),
            contact_id=args["contact_id"],
            category_id=args["category_id"],
            date_from=args["date_from"],
            date_to=args["date_to"],
            page=args["page"],
            page_size=args["page_size"],
        )
        return _page([r.exchange for r in rows], total, args)

    @permission_required(EDIT)
    @api.doc(**_doc(TimebankExchangeSchema))
    @api.response(201, TimebankExchangeSchema)
    def post(self):
        """Record hours a member gave another."""
        s = session()
        exchange = services.create_exchange(s, _body())
        s.commit()
        return exchange


@api.route("/exchanges/<int:exchange_id>")
class Exchange(MethodView):
    @permission_required(VIEW)
    @api.response(200, TimebankExchangeSchema)
    def get(self, exchange_id: int):
        """One exchange."""
        return services.get_exchange(session(), exchange_id)

    @permission_required(EDIT)
    @api.doc(**_doc(TimebankExchangePatchSchema))
    @api.response(200, TimebankExchangeSchema)
    def patch(self, exchange_id: int):
        """Change some fields of an exchange."""
        s = session()
        exchange = services.update_exchange(s, exchange_id, _body())
        s.commit()
        return exchange

    @permission_required(EDIT)
    @api.response(204)
    def delete(self, exchange_id: int):
        """Delete an exchange (the balances of both members change)."""
        s = session()
        services.delete_exchange(s, exchange_id)
        s.commit()


# -- balances --------------------------------------------------------------------------------------


@api.route("/balances")
class Balances(MethodView):
    @permission_required(VIEW)
    @api.arguments(PageArgs, location="query")
    @api.response(200, TimebankBalancePage)
    def get(self, args):
        """The members who took part in an exchange, by name, with their hours."""
        rows, total = services.balance_table(
            session(), page=args["page"], page_size=args["page_size"]
        )
        return _page(rows, total, args)


@api.route("/balances/<int:contact_id>")
class Balance(MethodView):
    @permission_required(VIEW)
    @api.response(200, TimebankBalanceSchema)
    def get(self, contact_id: int):
        """A member's hours given, received, and their balance (given minus received)."""
        return services.balance_of(session(), contact_id)
