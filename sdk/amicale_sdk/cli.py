"""``amicale sdk ...``: the commands of amicale-sdk (entry point group ``amicale.cli``).

Exit codes: 0 done; 1 problems found or refused (the message says why); 2 wrong usage.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .extension import SdkError


@click.group()
def sdk():
    """Build, check and document Amicale extensions."""


@sdk.command()
@click.argument("name")
@click.option(
    "--directory",
    "-d",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder in which to create the extension's folder.",
)
@click.option("--label", help="Name shown to users (default: from NAME).")
def new(name, directory, label):
    """Write a complete, working extension package named NAME (e.g. my-extension)."""
    from .scaffold import generate

    start = time.perf_counter()
    try:
        names, target = generate(name, directory, label=label)
    except SdkError as exc:
        raise click.ClickException(str(exc)) from exc
    files = sum(1 for p in target.rglob("*") if p.is_file())
    click.echo(
        f"Created {target} ({files} files, {time.perf_counter() - start:.2f} s): distribution "
        f"{names.dist}, package {names.package}, component '{names.name}'."
    )
    click.echo("Next:")
    click.echo(f"  pip install -e '{target}[test]'")
    click.echo(f"  pytest {target}")
    click.echo(f"  amicale components enable {names.name}")


@sdk.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-m", "--message", required=True, help="What the migration does.")
def migration(path, message):
    """Autogenerate the next migration of the extension at PATH, in its own branch."""
    from .migration import make_migration

    try:
        written = make_migration(path, message)
    except SdkError as exc:
        raise click.ClickException(str(exc)) from exc
    if written is None:
        click.echo("The models and the migrations agree: no migration was written.")
        return
    click.echo(f"Wrote {written}. Read it before you commit it.")


@sdk.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
def check(path):
    """Report what is wrong with the extension at PATH (exit code 1 when anything is)."""
    from .check import check_extension

    problems = check_extension(path)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    click.echo("No problem found.")


@sdk.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
)
@click.option(
    "--update",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Write the Markdown reference between the <!-- hooks:start/end --> markers of a file.",
)
def hooks(fmt, update):
    """Print the reference of every hook an extension can implement."""
    from .hookref import reference_markdown, reference_text, update_document

    if update:
        try:
            changed = update_document(update)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"{update}: {'updated' if changed else 'already up to date'}.")
        return
    click.echo(reference_markdown() if fmt == "markdown" else reference_text(), nl=False)
