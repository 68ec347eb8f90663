"""Public donation pages and the payment processors: what this area answers to ``plugin.py``.

- ``blueprints()``: the admin pages of donation pages (``contribute_donations``) and the public
  pages (``contribute_public``: give, thank you, the pay link, the test processor's card page);
- ``menu_items(user)``: "Donation pages" in the admin section;
- ``payment_processors()``: the built-in processors, "manual" and "test" (see ``processors``
  for the protocol an extension's processor follows);
- ``pay_url(contribution)``: the signed link where a Pending contribution is paid online.

The views are in ``donation_views`` (admin) and ``donation_public`` (public); the rules in
``donation_pages``, ``donation_give``, ``donation_mail`` and ``processors``.
"""

from __future__ import annotations

from amicale.api_for_plugins import MenuItem
from amicale.api_for_plugins import lazy_gettext as _l

from .perms import ADMINISTER
from .processors import BUILT_IN, complete_payment, fail_payment

__all__ = [
    "blueprints",
    "complete_payment",
    "fail_payment",
    "menu_items",
    "pay_url",
    "payment_processors",
]


def blueprints() -> list:
    from .donation_public import bp as public_bp
    from .donation_views import bp as admin_bp

    return [admin_bp, public_bp]


def menu_items(user) -> list[MenuItem]:
    return [
        MenuItem(
            "admin.contribute.donation_pages",
            _l("Donation pages"),
            "contribute_donations.pages",
            "admin",
            46,
            ADMINISTER,
        )
    ]


def payment_processors() -> list:
    return list(BUILT_IN)


def pay_url(contribution) -> str:
    """The absolute public address where whoever has it pays this Pending contribution."""
    from .donation_give import pay_url_of

    return pay_url_of(contribution.id)
