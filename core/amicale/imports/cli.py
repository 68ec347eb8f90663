"""``amicale import``: import a file from the command line with the same rules, report and
rejected rows as the pages; list, resume and undo imports."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..cli import with_app


@click.group("import")
def import_command():
    """Import contacts (and activities, relationships, components' records) from CSV or XLSX."""


def _report(job) -> str:
    return (
        f"{job.created} created, {job.updated} updated, {job.skipped} skipped, "
        f"{job.rejected} rejected"
    )


def _import(
    target: str, file: Path, mapping, rule, on_duplicate, dry_run, groups, as_json, rejected_to
):
    from ..db import session
    from ..dedupe.services import find_rule
    from . import services

    s = session()
    with open(file, "rb") as fh:
        job = services.start(s, fh, file.name, target=target)
    options: dict = {}
    if mapping:
        services.apply_mapping(s, job.id, mapping)
    if rule is not None:
        options["rule_id"] = None if rule.lower() in ("", "none") else find_rule(s, rule).id
    if on_duplicate:
        options["on_duplicate"] = on_duplicate
    if groups:
        options["groups"] = [int(g) for g in groups]
    if options:
        services.configure(s, job.id, options)
    if not job.options.get("mapping"):
        s.rollback()
        raise click.ClickException(
            "No column could be mapped to a field: give --mapping NAME (a mapping saved on the "
            "import page or through the API)."
        )
    s.commit()
    if not as_json:
        mapped = ", ".join(f"{m['header']} -> {m['field']}" for m in job.options["mapping"])
        click.echo(f"Import {job.id}: {file.name} ({mapped})", err=True)
    total = None
    with click.progressbar(length=1, label="Rows", file=sys.stderr) as bar:

        def progress(done: int, all_rows: int) -> None:
            nonlocal total
            if total is None:
                total = all_rows
                bar.length = max(all_rows, 1)
            bar.update(done - bar.pos)

        job = services.run(s, job.id, dry_run=dry_run, progress=progress)
    if dry_run:
        report = job.dry_run or {}
        counts = {k: report.get(k, 0) for k in ("created", "updated", "skipped", "rejected")}
    else:
        counts = {k: getattr(job, k) for k in ("created", "updated", "skipped", "rejected")}
    if rejected_to and counts["rejected"]:
        with open(rejected_to, "w", encoding="utf-8", newline="") as out:
            for chunk in services.rejects_csv(s, job.id, dry=dry_run):
                out.write(chunk)
    if as_json:
        click.echo(
            json.dumps({"import": job.id, "dry_run": dry_run, "status": job.status, **counts})
        )
    else:
        word = "Would be" if dry_run else "Done"
        click.echo(
            f"{word}: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['skipped']} skipped, {counts['rejected']} rejected."
        )
        if job.group_id and not dry_run:
            click.echo(f"The contacts of this import are in group {job.group_id}.")
        if counts["rejected"]:
            where = rejected_to or f"amicale import rejected {job.id}"
            click.echo(f"Rejected rows with their reason: {where}")
    if counts["rejected"] and not dry_run and counts["created"] + counts["updated"] == 0:
        raise SystemExit(1)  # nothing imported at all: say so with the exit code


_COMMON = [
    click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
    click.option("--mapping", help="A saved mapping (name or number)."),
    click.option("--dry-run", is_flag=True, help="Say what would happen; write nothing."),
    click.option("--json", "as_json", is_flag=True, help="Print the report as JSON."),
    click.option(
        "--rejected-to",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write the rejected rows (with the reason) to this CSV file.",
    ),
]


def _common(fn):
    for decorator in reversed(_COMMON):
        fn = decorator(fn)
    return fn


@import_command.command("contacts")
@_common
@click.option(
    "--rule",
    help="Duplicate rule (name or number; 'none' for no check). Default: the default rule.",
)
@click.option(
    "--on-duplicate",
    type=click.Choice(["skip", "update", "fill", "create"]),
    help="What to do with a duplicate (default skip).",
)
@click.option("--group", "groups", multiple=True, type=int, help="Add every contact to this group.")
@with_app
def import_contacts(app, file, mapping, dry_run, as_json, rejected_to, rule, on_duplicate, groups):
    """Import contacts from FILE (CSV or XLSX). Without --mapping, the columns are mapped from
    their headers (Nom, Prénom, Courriel, Code postal...)."""
    _import("contacts", file, mapping, rule, on_duplicate, dry_run, groups, as_json, rejected_to)


@import_command.command("records")
@click.argument("target")
@_common
@with_app
def import_records(app, target, file, mapping, dry_run, as_json, rejected_to):
    """Import records of TARGET (activities, relationships, or a component's: see `amicale import
    targets`) from FILE with a saved --mapping."""
    if not mapping:
        raise click.UsageError("Give --mapping NAME: a mapping saved for this kind of import.")
    _import(target, file, mapping, None, None, dry_run, (), as_json, rejected_to)


@import_command.command("targets")
@with_app
def import_targets(app):
    """List what can be imported."""
    from . import services

    for name in services.targets():
        click.echo(f"{name}\t{services.target_label(name)}")


@import_command.command("list")
@with_app
def import_list(app):
    """The last imports."""
    from ..db import session
    from . import services

    for job in services.list_jobs(session()):
        click.echo(f"{job.id:>6}  {job.status:<8} {job.target:<14} {job.file_name}  {_report(job)}")


@import_command.command("resume")
@click.argument("import_id", type=int)
@with_app
def import_resume(app, import_id):
    """Go on with an interrupted import from where it stopped."""
    from ..db import session
    from . import services

    s = session()
    job = services.get_job(s, import_id)
    if job.status not in ("running", "queued", "failed"):
        raise click.ClickException(f"Import {import_id} is {job.status}: nothing to resume.")
    job = services.run(s, import_id)
    click.echo(f"Done: {_report(job)}.")


@import_command.command("undo")
@click.argument("import_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_app
def import_undo(app, import_id, yes):
    """Delete the contacts an import created and put back what it changed."""
    from ..db import session
    from . import services

    s = session()
    job = services.get_job(s, import_id)
    if not yes and not click.confirm(
        f"Undo import {import_id} ({job.file_name}: {job.created} created, {job.updated} updated)?"
    ):
        raise click.ClickException("Nothing was changed.")
    services.undo(s, import_id)
    click.echo(f"Import {import_id} undone.")


@import_command.command("rejected")
@click.argument("import_id", type=int)
@click.option("--dry", is_flag=True, help="Those of the last dry run.")
@with_app
def import_rejected(app, import_id, dry):
    """Print the rejected rows of an import as CSV, the reason in the last column."""
    from ..db import session
    from . import services

    for chunk in services.rejects_csv(session(), import_id, dry=dry):
        click.echo(chunk, nl=False)
