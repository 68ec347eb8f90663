"""The public pages of Contributions (``contribute_public``, no login, CSRF-protected forms):

- ``/contribute/give/<slug>``: a donation page (an inactive one is not found);
- ``/contribute/give/<slug>/thanks/<token>``: how the gift went (paid, to pay later, failed);
- ``/contribute/pay/<signed token>``: pay a Pending contribution (a membership's dues);
- ``/contribute/pay/done/<token>``: how that payment went;
- ``/contribute/pay/test/<token>``: the test processor's fake card page.

The random tokens of payments are the keys of their pages: whoever does not have one sees
nothing. A hidden field left empty by people catches the robots that fill every field.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from amicale.api_for_plugins import DomainError, NotFound, gettext, public, session

from . import donation_fields, donation_give, donation_mail, donation_pages, services
from .models import COMPLETED, ContributionPage
from .processors import ManualProcessor, TestProcessor, get_attempt, label_of, manual_instructions

bp = Blueprint("contribute_public", __name__, template_folder="templates")

HONEYPOT = "website"


def _errors(exc: DomainError) -> dict[str, list[str]]:
    return exc.errors or {"": [exc.message]}


def _progress(s, page: ContributionPage):
    if not page.campaign_id:
        return None
    progress = services.campaign_progress(s, [page.campaign_id]).get(page.campaign_id)
    if progress is None or not progress.goal:
        return None
    return progress


def _start(s, started: donation_give.Started):
    """Start the processor of a committed attempt: its page, or the result page at once."""
    attempt = started.attempt
    try:
        url = started.processor.start(started.request)
    except DomainError as exc:
        s.rollback()
        _fail(s, attempt.token, exc.message)
        return render_template(
            "contribute/donations/result.html",
            message=exc.message,
            **_result_context(s, attempt.token),
        ), 422
    if url:
        return redirect(url)
    # Nothing to do online: the donor is thanked now (with how to pay, for "pay later").
    donation_mail.send_thanks(s, get_attempt(s, attempt.token))
    s.commit()
    return redirect(started.request.return_url)


def _fail(s, token: str, reason: str) -> None:
    from .processors import fail_payment

    fail_payment(s, token, reason)
    s.commit()


@bp.route("/give/<slug>", methods=["GET", "POST"], endpoint="give")
@public
def give(slug: str):
    s = session()
    page = donation_pages.active_page(s, slug)
    sets = donation_fields.public_sets(s)
    offered = donation_give.offered_processors(list(page.processors or []))
    errors: dict = {}
    values: dict = {"frequency": donation_give.ONCE}
    token = donation_give.new_token()
    if request.method == "POST":
        token = donation_give.valid_token(request.form.get("token")) or token
        values = {key: request.form.get(key, "") for key in donation_give.FORM_FIELDS}
        custom = donation_fields.form_values(request.form, sets)
        values.update({donation_fields.PREFIX + k: v for k, v in custom.items()})
        if request.form.get(HONEYPOT):
            # A robot: thanked like a person, and nothing is written.
            return render_template("contribute/donations/result.html", robot=True, page=page)
        done = donation_give.existing_attempt(s, token)
        if done is not None:  # the same form posted again: the gift is already made
            return redirect(url_for("contribute_public.thanks", slug=slug, token=done.token))
        try:
            started = donation_give.give(s, page, values, custom, token)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
        except IntegrityError:  # a second post raced the first one: it made the gift
            s.rollback()
            return redirect(url_for("contribute_public.thanks", slug=slug, token=token))
        else:
            return _start(s, started)
    return render_template(
        "contribute/donations/give.html",
        page=page,
        sets=sets,
        offered=[(p.name, label_of(p)) for p in offered],
        progress=_progress(s, page),
        values=values,
        errors=errors,
        token=token,
    ), (422 if errors else 200)


def _result_context(s, token: str) -> dict:
    attempt = get_attempt(s, token)
    contribution = services.get_contribution(s, attempt.contribution_id)
    page = s.get(ContributionPage, contribution.page_id) if contribution.page_id else None
    instructions = None
    if attempt.processor == ManualProcessor.name and contribution.status != COMPLETED:
        instructions = manual_instructions(s)
    return {
        "attempt": attempt,
        "contribution": contribution,
        "page": page,
        "instructions": instructions,
        "recurring": donation_mail.token_values(s, attempt)["payment.recurring"],
    }


@bp.route("/give/<slug>/thanks/<token>", endpoint="thanks")
@public
def thanks(slug: str, token: str):
    s = session()
    context = _result_context(s, token)
    if context["page"] is None or context["page"].slug != slug:
        abort(404)
    return render_template("contribute/donations/result.html", **context)


@bp.route("/pay/done/<token>", endpoint="paid")
@public
def paid(token: str):
    s = session()
    return render_template("contribute/donations/result.html", **_result_context(s, token))


@bp.route("/pay/<token>", methods=["GET", "POST"], endpoint="pay")
@public
def pay(token: str):
    s = session()
    contribution_id = donation_give.read_pay_token(token)
    try:
        contribution = services.get_contribution(s, contribution_id)
    except NotFound:
        abort(404)
    names = donation_give.pay_processors(s)
    offered = donation_give.offered_processors(names)
    errors: dict = {}
    nonce = donation_give.new_token()
    if request.method == "POST" and contribution.status != COMPLETED:
        nonce = donation_give.valid_token(request.form.get("token")) or nonce
        done = donation_give.existing_attempt(s, nonce)
        if done is not None:
            return redirect(url_for("contribute_public.paid", token=done.token))
        try:
            started = donation_give.start_paying(s, contribution_id, request.form, nonce)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
            contribution = services.get_contribution(s, contribution_id)
        except IntegrityError:
            s.rollback()
            return redirect(url_for("contribute_public.paid", token=nonce))
        else:
            return _start(s, started)
    ftype = services.get_financial_type(s, contribution.financial_type_id)
    return render_template(
        "contribute/donations/pay.html",
        contribution=contribution,
        owed=services.money(contribution.amount) - services.money(contribution.paid_amount),
        what=contribution.source or services.financial_type_label(ftype),
        settled=contribution.status not in ("Pending", "Partially paid"),
        offered=[(p.name, label_of(p)) for p in offered],
        values={"processor": request.form.get("processor", "")},
        errors=errors,
        token=nonce,
    ), (422 if errors else 200)


@bp.route("/pay/test/<token>", methods=["GET", "POST"], endpoint="test_pay")
@public
def test_pay(token: str):
    """The test processor's card page: "Pay" completes the payment, "Decline" fails it."""
    from .processors import complete_payment, fail_payment

    s = session()
    attempt = get_attempt(s, token)
    if attempt.processor != TestProcessor.name:
        abort(404)
    if request.method == "POST":
        if request.form.get("action") == "pay":
            complete_payment(s, token, f"test-{token}")
        else:
            fail_payment(s, token, gettext("Declined on the test payment page."))
        s.commit()
        attempt = get_attempt(s, token)
        return redirect(donation_give.return_url(s, attempt))
    contribution = services.get_contribution(s, attempt.contribution_id)
    request_ = donation_give.payment_request(s, attempt)
    return render_template(
        "contribute/donations/test_pay.html",
        attempt=attempt,
        contribution=contribution,
        payment=request_,
    )
