"""The ``amicale`` command: scriptable (no prompt when options give the values), clear exit codes.

Exit codes: 0 done; 1 refused (bad value, conflict: the message says why); 2 wrong usage;
3 the instance cannot start (configuration, database unreachable or not migrated).
"""

from __future__ import annotations

import functools
import json
import sys

import click
from flask import Flask

from .config import Settings
from .errors import ConfigurationError, DomainError

EXIT_REFUSED, EXIT_CONFIG = 1, 3
TOOL_ENTRY_POINT_GROUP = "amicale.cli"


class AmicaleGroup(click.Group):
    """Adds the commands of the enabled components (``register_commands``) when asked for."""

    def _component_commands(self, ctx) -> dict:
        if "component_commands" not in ctx.meta:
            ctx.meta["component_commands"] = {}
            if not isinstance(ctx.find_root().obj, Flask):
                try:
                    settings = Settings.from_env()
                except ConfigurationError:
                    return {}
                if settings.sqlite_file and not settings.sqlite_file.exists():
                    return {}  # no instance yet: nothing is enabled
            try:
                app = _get_app(ctx)
            except (ConfigurationError, click.ClickException):
                return {}
            with app.app_context():
                from .plugins import hook

                group = click.Group()
                try:
                    hook.register_commands(cli=group)
                except Exception:  # an unmigrated database: no component commands yet
                    return {}
                ctx.meta["component_commands"] = {
                    n: _in_app_context(c) for n, c in group.commands.items()
                }
        return ctx.meta["component_commands"]

    def _tool_commands(self) -> dict:
        """Commands of installed tools (entry-point group ``amicale.cli``, e.g. ``amicale sdk``
        from amicale-sdk): they need no instance, so they are there even without a database."""
        from importlib.metadata import entry_points

        commands = {}
        for ep in entry_points(group=TOOL_ENTRY_POINT_GROUP):
            if ep.name in commands or ep.name in self.commands:
                continue
            try:
                commands[ep.name] = ep.load()
            except Exception as exc:  # a broken tool must not break the other commands
                click.echo(f"Warning: the command '{ep.name}' cannot be loaded: {exc}", err=True)
        return commands

    def list_commands(self, ctx):
        return sorted(
            set(super().list_commands(ctx))
            | set(self._tool_commands())
            | set(self._component_commands(ctx))
        )

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name) or self._tool_commands().get(name)
        return command or self._component_commands(ctx).get(name)


def _get_app(ctx: click.Context) -> Flask:
    root = ctx.find_root()
    if isinstance(root.obj, Flask):  # given by a caller (tests: CliRunner.invoke(obj=app))
        return root.obj
    app = root.meta.get("app")
    if app is None:
        from .app import create_app

        try:
            app = create_app(Settings.from_env())
        except ConfigurationError as exc:
            raise ConfigError(str(exc)) from exc
        root.meta["app"] = app
    return app


class ConfigError(click.ClickException):
    exit_code = EXIT_CONFIG


def _in_app_context(cmd: click.Command) -> click.Command:
    """Run a component's command (and its sub-commands) inside the app context."""
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            _in_app_context(sub)
        return cmd
    callback = cmd.callback

    @functools.wraps(callback)
    def wrapper(*args, **kwargs):
        app = _get_app(click.get_current_context())
        with app.app_context():
            return _refuse_on_domain_error(callback)(*args, **kwargs)

    cmd.callback = wrapper
    return cmd


def _refuse_on_domain_error(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc

    return wrapper


def with_app(fn):
    """Give the command the app, inside its app context; domain errors become exit code 1."""

    @functools.wraps(fn)
    @click.pass_context
    def wrapper(ctx, *args, **kwargs):
        app = _get_app(ctx)
        with app.app_context():
            return _refuse_on_domain_error(fn)(app, *args, **kwargs)

    return wrapper


@click.group(cls=AmicaleGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="amicale", prog_name="amicale")
def cli():
    """Amicale, the CRM of associations.

    Configuration comes from the environment: AMICALE_INSTANCE (folder, default ./instance),
    AMICALE_DATABASE_URL (default SQLite in the instance folder), AMICALE_SECRET_KEY,
    AMICALE_SMTP_URL.
    """


# -- init, serve, demo ---------------------------------------------------------------------------


def _state(app: Flask):
    return app.extensions["amicale"]


def _upgrade(app: Flask) -> list[str]:
    from .components.services import upgrade_database

    state = _state(app)
    return upgrade_database(state.db, state.registry)


def _require_migrated(app: Flask) -> None:
    from . import migrations
    from .components.services import enabled_names
    from .db import session

    state = _state(app)
    with state.db.engine.connect() as conn:
        pending = migrations.pending_branches(
            state.registry,
            conn,
            enabled_names(session(), state.registry)
            if migrations.applied_revisions(state.registry, conn)[1]
            else [],
        )
    session().close()
    if pending:
        raise ConfigError(
            f"The database needs an upgrade ({', '.join(pending)}): run 'amicale db upgrade'."
        )


@cli.command()
@click.option("--org-name", help="Name of the organisation.")
@click.option("--admin-email", help="Create a first administrator with this email.")
@click.option("--admin-password", help="Password of that administrator.")
@with_app
def init(app, org_name, admin_email, admin_password):
    """Create the instance: its folder, its database at the latest schema, the built-in roles."""
    from .accounts.services import create_user
    from .db import session
    from .organisation.services import set_setting

    _upgrade(app)
    s = session()
    if org_name:
        set_setting(s, "organisation.name", org_name)
    if admin_email:
        if not admin_password:
            admin_password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        create_user(s, admin_email, admin_password, ["administrator"])
    s.commit()
    click.echo(f"Amicale is ready in {_state(app).settings.instance_path}")


def _serve(app: Flask, host: str, port: int) -> None:
    from werkzeug.serving import run_simple

    if _state(app).settings.cookie_secure is None:
        # Secure cookies unless served on loopback (plain http for a local trial).
        loopback = host in {"127.0.0.1", "localhost", "::1"}
        app.config["SESSION_COOKIE_SECURE"] = not loopback
        app.config["REMEMBER_COOKIE_SECURE"] = not loopback
    stop = None
    if app.config.get("AMICALE_JOBS") == "queue" and not app.config.get("AMICALE_REDIS_URL"):
        # The embedded default: this process also runs the background jobs.
        import threading

        from .jobs import run_embedded

        stop = threading.Event()
        threading.Thread(target=run_embedded, args=(app, stop), daemon=True).start()
    click.echo(f"Amicale is running at http://{host}:{port}/ (Ctrl+C to stop)")
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        if stop is not None:
            stop.set()


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@with_app
def serve(app, host, port):
    """Serve the web UI and the API (use gunicorn 'amicale.wsgi:app' in production)."""
    _require_migrated(app)
    _serve(app, host, port)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Prepare the sample instance but do not serve it.")
@with_app
def demo(app, host, port, no_serve):
    """A ready instance with the sample organisation « Le Grain de SEL »; prints the admin login."""
    from .db import session
    from .organisation.demo import demo_exists, enable_demo_components, load_demo

    _upgrade(app)
    s = session()
    fresh = not demo_exists(s)
    email, password = load_demo(s)
    s.commit()
    if fresh:
        names = enable_demo_components(app)
        if names:
            click.echo("  Components enabled with sample data: " + ", ".join(names))
    click.echo("")
    click.echo("  Sample organisation: Le Grain de SEL")
    click.echo(f"  Log in at http://{host}:{port}/login")
    click.echo(f"    email:    {email}")
    click.echo(f"    password: {password}")
    click.echo("")
    if not no_serve:
        _serve(app, host, port)


# -- db ------------------------------------------------------------------------------------------


@cli.group()
def db():
    """The database schema."""


@db.command("upgrade")
@with_app
def db_upgrade(app):
    """Apply the migrations of the core and of every enabled component."""
    names = _upgrade(app)
    click.echo("Database upgraded: core" + "".join(f", {n}" for n in names))


@db.command("check")
@with_app
def db_check(app):
    """Compare the models with the migrated database; exit 1 when they differ."""
    from .migrations import compare

    state = _state(app)
    with state.db.engine.connect() as conn:
        diffs = compare(state.registry, conn)
    if diffs:
        for d in diffs:
            click.echo(f"  {d}")
        raise click.ClickException("The models and the migrations differ.")
    click.echo("The models and the migrations agree.")


# -- components ----------------------------------------------------------------------------------


@cli.group()
def components():
    """Installed components, enabled or not for this organisation."""


@components.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_app
def components_list(app, as_json):
    """Every installed component with its version and whether it is enabled."""
    from dataclasses import asdict

    from .components.services import list_components
    from .db import session

    rows = list_components(session(), _state(app).registry)
    if as_json:
        click.echo(json.dumps([asdict(r) for r in rows], indent=2, default=str))
        return
    if not rows:
        click.echo("No component is installed.")
    for r in rows:
        status = "broken" if r.error else ("enabled" if r.enabled else "disabled")
        requires = f"  requires: {', '.join(r.requires)}" if r.requires else ""
        click.echo(f"{r.name:<16} {r.version:<10} {status:<9} {r.label}{requires}")
        if r.error:
            click.echo(f"{'':<16} error: {r.error}")


@components.command("enable")
@click.argument("name")
@with_app
def components_enable(app, name):
    """Enable NAME: run its migrations and its on_enable."""
    from .components.services import enable_component

    state = _state(app)
    info = enable_component(state.db, state.registry, name)
    click.echo(f"{info.label} ({info.name} {info.version}) is enabled.")


@components.command("disable")
@click.argument("name")
@with_app
def components_disable(app, name):
    """Disable NAME: hide its pages, API and hooks; keep its data."""
    from .components.services import disable_component

    state = _state(app)
    info = disable_component(state.db, state.registry, name)
    click.echo(f"{info.label} ({info.name}) is disabled; its data is kept.")


@components.command("uninstall")
@click.argument("name")
@click.option("--purge", is_flag=True, help="Drop the component's tables and data.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_app
def components_uninstall(app, name, purge, yes):
    """Disable NAME and, with --purge, drop its tables (asks for confirmation)."""
    from .components.services import get_component_info, uninstall_component
    from .db import session

    state = _state(app)
    info = get_component_info(session(), state.registry, name)
    session().close()
    if not purge:
        raise click.UsageError("Uninstalling drops the component's data: add --purge.")
    if not yes and not click.confirm(
        f"Drop every table of {info.label} and all its data? This cannot be undone."
    ):
        raise click.ClickException("Nothing was changed.")
    uninstall_component(state.db, state.registry, name, purge=True)
    click.echo(f"{info.label} is uninstalled; its tables are dropped.")


# -- background jobs -----------------------------------------------------------------------------


@cli.command()
@click.option("--workers", default=1, show_default=True, help="Jobs run at the same time.")
@with_app
def worker(app, workers):
    """Run the background jobs (mailing delivery) until stopped: the instance's queue, or
    Redis when AMICALE_REDIS_URL is set."""
    from .jobs import run_worker

    _require_migrated(app)
    click.echo(
        f"Worker on {app.config.get('AMICALE_REDIS_URL') or app.instance_path + '/jobs.sqlite3'}"
    )
    run_worker(app, workers=workers)


@cli.group()
def jobs():
    """Periodic work."""


@jobs.command("run")
@click.option("--all", "everything", is_flag=True, help="Run every scheduled job now.")
@with_app
def jobs_run(app, everything):
    """Do the periodic work now (run it every minute from cron beside `amicale worker`; `amicale
    serve` does it by itself on the embedded default): send the mailings whose time has come and
    run the components' scheduled jobs due this minute (all of them with --all)."""
    from .db import session
    from .jobs import run_scheduled
    from .mail.mailings import send_due

    due = send_due(session())
    click.echo(f"{len(due)} scheduled mailing(s) started.")
    for name in run_scheduled(everything=everything):
        click.echo(f"ran {name}")


@cli.group()
def mail():
    """Email: bounces."""


@mail.command("bounces")
@click.argument("source", required=False)
@with_app
def mail_bounces(app, source):
    """Record the bounces (RFC 3464 reports) of SOURCE: a Maildir folder, an mbox file or one
    message; standard input when SOURCE is - or absent. Addresses with enough hard bounces are
    put on hold."""
    from pathlib import Path

    from .db import session
    from .mail.bounces import read_messages, record_bounces

    if source in (None, "-"):
        messages = read_messages("-", stdin=sys.stdin.buffer.read())
    else:
        if not Path(source).exists():
            raise click.UsageError(f"{source} does not exist.")
        messages = read_messages(source)
    s = session()
    report = record_bounces(s, messages)
    s.commit()
    click.echo(
        f"{report.messages} message(s) read: {report.hard} hard and {report.soft} soft "
        f"bounce(s) recorded, {report.not_reports} not a delivery report."
    )
    for email in report.put_on_hold:
        click.echo(f"On hold: {email}")


# -- users ---------------------------------------------------------------------------------------


@cli.group()
def user():
    """Staff users and their API tokens."""


@user.command("create")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    default=("staff",),
    show_default=True,
    help="Role (administrator, staff, volunteer, readonly or your own); repeatable.",
)
@click.option("--password", help="Password (asked for when missing).")
@click.option("--first-name")
@click.option("--last-name")
@with_app
def user_create(app, email, roles, password, first_name, last_name):
    """Create a staff user with EMAIL."""
    from .accounts.services import create_user
    from .db import session

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    s = session()
    u = create_user(s, email, password, roles, first_name=first_name, last_name=last_name)
    s.commit()
    click.echo(f"User {u.email} created with role {', '.join(roles)}.")


@user.command("token")
@click.argument("email")
@click.option("--name", default="cli", show_default=True, help="A name to recognise the token.")
@with_app
def user_token(app, email, name):
    """Make an API token for EMAIL; the token alone is printed on the last line."""
    from .accounts.services import create_token, find_user
    from .db import session

    s = session()
    u = find_user(s, email)
    if u is None:
        raise click.ClickException(f"No user with the email {email}.")
    if not u.is_active:
        raise click.ClickException(f"The user {email} is deactivated.")
    _key, token = create_token(s, u, name)
    s.commit()
    click.echo(f"API token '{name}' for {u.email} (shown once; use 'Authorization: Bearer'):")
    click.echo(token)


@user.command("list")
@with_app
def user_list(app):
    """Every user with their roles."""
    from sqlalchemy import select

    from .accounts.models import User
    from .accounts.services import user_role_names_in
    from .db import session

    s = session()
    for u in s.execute(select(User).order_by(User.email)).scalars():
        state = "" if u.is_active else " (inactive)"
        click.echo(f"{u.email}{state}: {', '.join(sorted(user_role_names_in(s, u.id)))}")


# -- dedupe --------------------------------------------------------------------------------------


@cli.group()
def dedupe():
    """Duplicate contacts: find them with a rule, merge them."""


def _dedupe_rule(session, name):
    from .dedupe.services import default_rule, find_rule

    return find_rule(session, name) if name else default_rule(session)


@dedupe.command("find")
@click.option("--rule", "rule_name", help="Rule name or number (default: the default rule).")
@click.option("--group", "group_id", type=int, help="Only the members of this group.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_app
def dedupe_find(app, rule_name, group_id, as_json):
    """Print the pairs of likely duplicates, best scores first."""
    from .db import session
    from .dedupe.services import describe_pairs, find_duplicates, rule_label

    s = session()
    rule = _dedupe_rule(s, rule_name)
    pairs = describe_pairs(s, find_duplicates(s, rule, group_id=group_id).pairs)
    if as_json:
        click.echo(json.dumps(pairs, indent=2, ensure_ascii=False))
        return
    click.echo(f"{len(pairs)} pair(s) with the rule '{rule_label(rule)}'.")
    for p in pairs:
        a, b = p["contact_a"], p["contact_b"]
        conflicts = f"  conflicts: {', '.join(p['conflicts'])}" if p["conflicts"] else ""
        click.echo(
            f"{a['id']:>8} {a['display_name']:<30} {b['id']:>8} {b['display_name']:<30} "
            f"{p['score']:>4}  {', '.join(p['matched'])}{conflicts}"
        )


@dedupe.command("merge")
@click.argument("winner", type=int, required=False)
@click.argument("loser", type=int, required=False)
@click.option("--batch", is_flag=True, help="Merge every pair of the rule without conflict.")
@click.option("--rule", "rule_name", help="With --batch: rule name or number.")
@click.option("--group", "group_id", type=int, help="With --batch: only this group's members.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_app
def dedupe_merge(app, winner, loser, batch, rule_name, group_id, yes):
    """Merge contact LOSER into WINNER (LOSER goes to the trash), or with --batch every pair of
    a rule that has no conflict (the older contact kept)."""
    from .contacts.services import get_contact
    from .db import session
    from .dedupe.services import batch_merge, merge_contacts, rule_label

    s = session()
    if batch:
        if winner is not None or loser is not None:
            raise click.UsageError("Give either WINNER LOSER or --batch, not both.")
        rule = _dedupe_rule(s, rule_name)
        if not yes and not click.confirm(
            f"Merge every pair without conflict found by '{rule_label(rule)}'?"
        ):
            raise click.ClickException("Nothing was changed.")
        result = batch_merge(s, rule, group_id=group_id)
        s.commit()
        for a, b in result.merged:
            click.echo(f"merged {b} into {a}")
        for a, b, why in result.skipped:
            click.echo(f"skipped {a} and {b}: {why}")
        click.echo(f"{len(result.merged)} pair(s) merged, {len(result.skipped)} skipped.")
        return
    if winner is None or loser is None:
        raise click.UsageError("Give WINNER and LOSER (contact numbers), or --batch.")
    kept, merged = get_contact(s, winner), get_contact(s, loser)
    if not yes and not click.confirm(
        f"Merge {merged.display_name} (n° {loser}) into {kept.display_name} (n° {winner})?"
    ):
        raise click.ClickException("Nothing was changed.")
    try:
        contact = merge_contacts(s, winner, loser)
        s.commit()
    except DomainError:
        s.rollback()
        raise
    click.echo(f"Merged {loser} into {contact.display_name} (n° {contact.id}).")


# -- export --------------------------------------------------------------------------------------


@cli.group()
def export():
    """Export contacts to CSV or XLSX files."""


@export.command("contacts")
@click.option("--group", "group_id", type=int, help="The members of this group.")
@click.option("--search", "search", help='Search criteria as JSON, e.g. \'{"city": "Lyon"}\'.')
@click.option(
    "--format",
    "fmt",
    default="csv",
    show_default=True,
    help="csv, excel-fr (semicolon, BOM, decimal comma, dd/mm/yyyy) or xlsx.",
)
@click.option("--columns", help="Column names, comma separated (default: a few usual ones).")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: stdout)."
)
@with_app
def export_contacts(app, group_id, search, fmt, columns, output):
    """Write the contacts of a search or a group (every contact by default), by number."""
    from .db import session
    from .errors import ValidationError
    from .exports import services

    s = session()
    try:
        criteria = json.loads(search) if search else {}
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="--search") from exc
    if not isinstance(criteria, dict):
        raise click.BadParameter("give a JSON object", param_hint="--search")
    try:
        fmt = services.check_format(fmt)
        chosen = services.choose_columns(
            s, columns.split(",") if columns else services.DEFAULT_COLUMNS
        )
        query = services.contacts_query(s, criteria=criteria, group_id=group_id)
    except ValidationError as exc:
        raise click.BadParameter(exc.message, param_hint=f"--{exc.field or 'search'}") from exc
    if fmt == "xlsx" and not output:
        raise click.UsageError("An XLSX file needs -o FILE.")
    body = services.export(s, query, chosen, fmt)
    if output:
        with open(output, "wb") as out:
            for piece in body:
                out.write(piece)
    else:
        stdout = sys.stdout.buffer
        for piece in body:
            stdout.write(piece)
        stdout.flush()


# -- import (core/amicale/imports/cli.py) ---------------------------------------------------------

from .imports.cli import import_command  # noqa: E402

cli.add_command(import_command)


def main() -> None:
    try:
        cli(prog_name="amicale")
    except ConfigurationError as exc:  # raised outside a command (should not happen)
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
