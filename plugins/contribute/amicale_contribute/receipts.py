"""Receipts and yearly tax receipts (reçu fiscal, Cerfa n° 11580), numbered without gaps: the
hooks of this area (pages, menu entries, the ``amicale contribute receipts`` command). The rules
are in ``receipt_services``, the PDF in ``receipt_pdf``, the pages in ``receipt_views``."""

from __future__ import annotations

from amicale.api_for_plugins import MenuItem
from amicale.api_for_plugins import lazy_gettext as _l

from .perms import ADMINISTER, VIEW
from .receipt_services import receipts_for_contact  # noqa: F401  (for the contact's tab)


def blueprints():
    from .receipt_views import bp

    return [bp]


def menu_items(user):
    return [
        MenuItem(
            "contribute.receipts",
            _l("Receipts"),
            "contribute_receipts.register",
            "contribute",
            47,
            VIEW,
        ),
        MenuItem(
            "admin.contribute.receipts.yearly",
            _l("Yearly tax receipts"),
            "contribute_receipts.yearly",
            "admin",
            46,
            ADMINISTER,
        ),
        MenuItem(
            "admin.contribute.receipts.settings",
            _l("Receipts' legal details"),
            "contribute_receipts.settings",
            "admin",
            47,
            ADMINISTER,
        ),
    ]


def _send_waiting_job(s):
    from .receipt_services import send_waiting_receipts

    return send_waiting_receipts(s)


def scheduled_jobs():
    from amicale.api_for_plugins import ScheduledJob

    return [
        ScheduledJob(
            "contribute.send_receipts",
            _l("Email the tax receipts waiting to be sent"),
            "*/5 * * * *",
            _send_waiting_job,
        )
    ]


def commands(group):
    import click

    from amicale.api_for_plugins import DomainError, format_money, gettext, ngettext, session

    from . import receipt_services as rs

    @group.group("receipts")
    def receipts():
        """Receipts and yearly tax receipts (Cerfa n° 11580)."""

    @receipts.command("issue")
    @click.option("--year", type=int, required=True, help="The year of the gifts (YYYY).")
    @click.option("--dry-run", is_flag=True, help="Count what would be issued; write nothing.")
    @click.option(
        "--send",
        is_flag=True,
        help="Email each receipt to its donor; the others wait in the pile to print.",
    )
    def issue(year: int, dry_run: bool, send: bool):
        """Issue the yearly tax receipts of the deductible gifts of YEAR not receipted yet."""
        s = session()
        try:
            rs.require_legal_details(s)
            if dry_run:
                preview = rs.preview_yearly(s, year)
                s.rollback()
                click.echo(
                    gettext(
                        "Dry run for %(year)s: %(donors)s donors, %(gifts)s gifts, %(total)s.",
                        year=year,
                        donors=preview.donors,
                        gifts=preview.gifts,
                        total=format_money(preview.total),
                    )
                )
                return
            run = rs.issue_yearly(s, year)
            sent = rs.send_receipts(s, run.receipt_ids) if send and run.receipt_ids else None
            s.commit()
        except DomainError as exc:
            s.rollback()
            raise click.ClickException(exc.message) from exc
        if not run.count:
            click.echo(gettext("No new receipt to issue for %(year)s.", year=year))
            return
        click.echo(
            ngettext(
                "%(num)s receipt issued for %(year)s (%(first)s to %(last)s), %(total)s.",
                "%(num)s receipts issued for %(year)s (%(first)s to %(last)s), %(total)s.",
                run.count,
                year=year,
                first=run.numbers[0],
                last=run.numbers[-1],
                total=format_money(run.total),
            )
        )
        if sent is not None:
            click.echo(
                gettext(
                    "%(emailed)s sent by email, %(printed)s to print.",
                    emailed=len(sent.emailed),
                    printed=len(sent.to_print),
                )
            )
