"""Batch data entry of gifts that arrive by post, deposit slips, and the accounting journal.

The area's answers to the hooks ``plugin`` gathers: its pages (``batch_views``), its API
(``batch_api``), its menu entries and the ``amicale contribute journal`` command. The rules are
in ``batch_services`` and ``batch_journal``.
"""

from __future__ import annotations

from pathlib import Path

from amicale.api_for_plugins import MenuItem, gettext, session
from amicale.api_for_plugins import lazy_gettext as _l

from .perms import VIEW


def blueprints() -> list:
    from .batch_views import bp

    return [bp]


def api_blueprints() -> list:
    from .batch_api import bp

    return [bp]


def menu_items(user) -> list[MenuItem]:
    return [
        MenuItem(
            "contribute.batches", _l("Batches"), "contribute_batches.index", "contribute", 52, VIEW
        ),
        MenuItem(
            "contribute.journal",
            _l("Accounting journal"),
            "contribute_batches.journal",
            "contribute",
            53,
            VIEW,
        ),
    ]


def commands(group) -> None:
    import click

    @group.command("journal")
    @click.option(
        "--from",
        "date_from",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="First day of the period (YYYY-MM-DD).",
    )
    @click.option(
        "--to",
        "date_to",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Last day of the period (YYYY-MM-DD).",
    )
    @click.option("--batch", "batch_id", type=int, default=None, help="Only this batch.")
    @click.option(
        "--output",
        type=click.Path(dir_okay=False, writable=True, path_type=Path),
        default=None,
        help="Write the CSV to this file (default: the standard output).",
    )
    def journal(date_from, date_to, batch_id, output):
        """The accounting journal of the counted contributions as CSV (double entry)."""
        from amicale.api_for_plugins import ValidationError

        from . import batch_journal

        try:
            entries = batch_journal.journal(
                session(),
                {
                    "date_from": date_from.date().isoformat() if date_from else None,
                    "date_to": date_to.date().isoformat() if date_to else None,
                    "batch_id": batch_id,
                },
            )
        except ValidationError as exc:
            details = "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in exc.errors.items()
            )
            raise click.ClickException(f"{exc.message} {details}".strip()) from exc
        body = batch_journal.journal_csv(entries)
        if output is None:
            click.echo(body.decode("utf-8-sig"), nl=False)
            return
        output.write_bytes(body)
        click.echo(
            gettext(
                "%(count)s lines written to %(file)s (debit %(debit)s, credit %(credit)s).",
                count=len(entries.lines),
                file=str(output),
                debit=entries.total_debit,
                credit=entries.total_credit,
            ),
            err=True,
        )
