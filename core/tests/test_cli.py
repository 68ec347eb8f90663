"""The ``amicale`` command, run as a real process: scriptable, clear messages, exit codes
(0 done, 1 refused, 2 wrong usage, 3 the instance cannot start)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import EXTENSIONS, install_extension


@pytest.fixture
def run(amicale_database_url, tmp_path):
    site = tmp_path / "site"
    install_extension(site, "sample_ext")
    env = {
        **os.environ,
        "AMICALE_INSTANCE": str(tmp_path / "instance"),
        "AMICALE_DATABASE_URL": amicale_database_url,
        "AMICALE_LOCALE": "en",
        "PYTHONPATH": os.pathsep.join([str(site), str(EXTENSIONS)]),
    }

    def run(*args: str, input: str | None = None, **extra_env) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "amicale", *args],
            env={**env, **extra_env},
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
        )

    run.database_url = amicale_database_url
    return run


def test_an_admin_scripts_an_instance_from_nothing(run):
    assert run("init", "--org-name", "Le Grain de SEL").returncode == 0
    created = run(
        "user",
        "create",
        "sophie@example.org",
        "--role",
        "administrator",
        "--password",
        "une phrase assez longue",
    )
    assert created.returncode == 0, created.stderr
    token = run("user", "token", "sophie@example.org", "--name", "script")
    assert token.returncode == 0
    last_line = token.stdout.strip().splitlines()[-1]
    assert last_line.startswith("amc_") and " " not in last_line

    listed = run("components", "list")
    assert "sample_ext" in listed.stdout and "disabled" in listed.stdout
    enabled = run("components", "enable", "sample_ext")
    assert enabled.returncode == 0 and "is enabled" in enabled.stdout
    assert "enabled" in run("components", "list").stdout.split("sample_ext")[1].splitlines()[0]
    as_json = run("components", "list", "--json")
    assert '"name": "sample_ext"' in as_json.stdout

    disabled = run("components", "disable", "sample_ext")
    assert disabled.returncode == 0 and "data is kept" in disabled.stdout


def test_uninstall_asks_for_confirmation_then_drops_the_tables(run, amicale_database_url):
    from sqlalchemy import create_engine, inspect

    run("init")
    run("components", "enable", "sample_ext")
    no_purge = run("components", "uninstall", "sample_ext")
    assert no_purge.returncode == 2 and "--purge" in no_purge.stderr
    declined = run("components", "uninstall", "sample_ext", "--purge", input="n\n")
    assert declined.returncode == 1 and "Nothing was changed" in declined.stderr
    engine = create_engine(amicale_database_url)
    assert "sample_ext_item" in inspect(engine).get_table_names()
    confirmed = run("components", "uninstall", "sample_ext", "--purge", input="y\n")
    assert confirmed.returncode == 0, confirmed.stderr
    assert "sample_ext_item" not in inspect(engine).get_table_names()
    engine.dispose()


def test_bad_input_gets_a_message_and_an_exit_code(run):
    run("init")
    cases = [
        (("components", "enable", "nope"), 1, "No component named 'nope'"),
        (
            ("user", "create", "not-an-email", "--password", "long enough pass"),
            1,
            "not a valid email",
        ),
        (("user", "create", "a@example.org", "--password", "short"), 1, "at least 10"),
        (
            ("user", "create", "a@example.org", "--role", "king", "--password", "long enough!"),
            1,
            "Unknown role: king",
        ),
        (("user", "token", "ghost@example.org"), 1, "No user with the email"),
        (("serve", "--port", "99999"), 2, "99999"),
        (("frobnicate",), 2, "No such command"),
    ]
    for args, code, message in cases:
        result = run(*args)
        assert result.returncode == code, (args, result.stdout, result.stderr)
        assert message in result.stderr, (args, result.stderr)


def test_a_wrong_database_url_is_explained(run):
    bad = run("components", "list", AMICALE_DATABASE_URL="mysql://x@localhost/y")
    assert bad.returncode == 3 and "SQLite or PostgreSQL" in bad.stderr
    unreachable = run(
        "components", "list", AMICALE_DATABASE_URL="postgresql://nobody@127.0.0.1:1/none"
    )
    assert unreachable.returncode == 3 and "Cannot connect to the database" in unreachable.stderr
    garbage = run("db", "upgrade", AMICALE_DATABASE_URL="::not a url::")
    assert garbage.returncode == 3 and "is not a database URL" in garbage.stderr


def test_serve_refuses_an_unmigrated_database(run, tmp_path):
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    result = run("serve", AMICALE_DATABASE_URL=fresh)
    assert result.returncode == 3 and "amicale db upgrade" in result.stderr


def test_every_command_has_help(run):
    for args in (
        ["--help"],
        ["components", "--help"],
        ["user", "create", "--help"],
        ["user", "token", "--help"],
        ["db", "upgrade", "--help"],
        ["demo", "--help"],
        ["serve", "--help"],
        ["init", "--help"],
        ["components", "uninstall", "--help"],
    ):
        result = run(*args)
        assert result.returncode == 0 and "Usage:" in result.stdout, args


def test_demo_prepares_the_sample_organisation_and_prints_a_login_that_works(run, tmp_path):
    result = run("demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    email = next(line.split()[-1] for line in result.stdout.splitlines() if "email:" in line)
    password = next(line.split()[-1] for line in result.stdout.splitlines() if "password:" in line)
    assert "Le Grain de SEL" in result.stdout
    check = run("user", "list")
    assert f"{email}: administrator" in check.stdout
    # and the printed password is the real one
    from amicale.accounts.services import authenticate
    from amicale.app import create_app
    from amicale.config import Settings
    from amicale.db import session

    settings = Settings.from_env(
        {}, instance_path=tmp_path / "instance", database_url=run.database_url, secret_key="k"
    )
    app = create_app(settings, testing=True)
    with app.test_request_context():
        assert authenticate(session(), email, password, "127.0.0.1").email == email
    app.extensions["amicale"].db.dispose()
