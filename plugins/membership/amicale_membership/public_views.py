"""The public pages of Membership (no login, on the ``membership`` blueprint):

- ``/membership/join``: choose a type offered publicly and give one's name and email;
- ``/membership/renew/<token>``: renew the membership the signed link of a reminder names.

Both are CSRF-protected forms (``@public``, not ``@signed_link``: a person submits them, no mail
client does). A hidden field left empty by people catches the robots that fill every field.
"""

from __future__ import annotations

from flask import render_template, request

from amicale.api_for_plugins import DomainError, gettext, public, session

from . import reminders, services, signup
from .views import _errors, bp

HONEYPOT = "website"
FIELDS = (
    "membership_type_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "street_address",
    "postal_code",
    "city",
)


@bp.route("/join", methods=["GET", "POST"], endpoint="public_join")
@public
def join_page():
    s = session()
    types = signup.public_types(s)
    errors: dict = {}
    values: dict = {}
    if request.method == "POST":
        values = {key: request.form.get(key, "") for key in FIELDS}
        if request.form.get(HONEYPOT):
            # A robot: it is told nothing more than a person would be, and nothing is written.
            return render_template("membership/public_thanks.html", pending=False, renewal=False)
        try:
            result = signup.join_from_page(s, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
        else:
            signup.send_confirmation(s, result)
            s.commit()
            return render_template(
                "membership/public_thanks.html",
                pending=result.pending,
                renewal=False,
                membership=result.membership,
                pay_url=(result.payment or {}).get("pay_url"),
            )
    return render_template(
        "membership/public_join.html", types=types, values=values, errors=errors
    ), (422 if errors else 200)


@bp.route("/renew/<token>", methods=["GET", "POST"], endpoint="public_renew")
@public
def renew_page(token: str):
    s = session()
    membership_id = reminders.read_renewal_token(token)
    membership = services.get_membership(s, membership_id)
    mtype = services.get_type(s, membership.membership_type_id)
    errors: dict = {}
    if request.method == "POST":
        try:
            result = signup.renew_from_page(s, membership_id, request.form.get("end_date"))
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
            membership = services.get_membership(s, membership_id)
        else:
            if isinstance(result, signup.AlreadyRenewed):
                return render_template(
                    "membership/public_thanks.html",
                    pending=result.pending,
                    renewal=True,
                    membership=result.membership,
                )
            signup.send_confirmation(s, result, renewal=True)
            s.commit()
            return render_template(
                "membership/public_thanks.html",
                pending=result.pending,
                renewal=True,
                membership=result.membership,
                pay_url=(result.payment or {}).get("pay_url"),
            )
    status = services.get_status(s, membership.status_id)
    return render_template(
        "membership/public_renew.html",
        membership=membership,
        mtype=mtype,
        status_label=gettext(status.label),
        errors=errors,
    ), (422 if errors else 200)
