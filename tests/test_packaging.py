"""Every distribution builds on its own, and the wheels carry what a fresh install needs
(templates, static files, migrations, translations) and the entry points."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
DISTRIBUTIONS = {
    "core": "amicale",
    "sdk": "amicale_sdk",
    "plugins/membership": "amicale_membership",
    "plugins/contribute": "amicale_contribute",
    "plugins/event": "amicale_event",
    "plugins/grant": "amicale_grant",
    "examples/timebank": "amicale_timebank",
}


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> dict[str, zipfile.ZipFile]:
    # Built from copies: setuptools writes build/ and *.egg-info into the source folder, and two
    # test workers building the same folders at once break each other's builds.
    sources = tmp_path_factory.mktemp("sources")
    ignore = shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".venv", "*.pyc")
    copies = []
    for d in DISTRIBUTIONS:
        copy = sources / d
        shutil.copytree(ROOT / d, copy, ignore=ignore)
        copies.append(str(copy))
    out = tmp_path_factory.mktemp("wheels")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            *copies,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    found = {}
    for wheel in out.glob("*.whl"):
        names = zipfile.ZipFile(wheel).namelist()
        package = next(
            p for p in DISTRIBUTIONS.values() if any(n.startswith(p + "/") for n in names)
        )
        found[package] = zipfile.ZipFile(wheel)
    return found


def test_every_distribution_builds_a_wheel(wheels):
    assert set(wheels) == set(DISTRIBUTIONS.values())


def test_the_core_wheel_carries_templates_static_migrations_and_translations(wheels):
    names = set(wheels["amicale"].namelist())
    for expected in (
        "amicale/web/templates/base.html",
        "amicale/accounts/templates/accounts/login.html",
        "amicale/components/templates/components/index.html",
        "amicale/web/static/amicale.css",
        "amicale/migrations/env.py",
        "amicale/migrations/script.py.mako",
        "amicale/migrations/versions/0001_core.py",
        "amicale/translations/fr/LC_MESSAGES/messages.mo",
    ):
        assert expected in names, expected


def test_components_declare_their_entry_point(wheels):
    for package in ("amicale_membership", "amicale_contribute", "amicale_event", "amicale_grant"):
        wheel = wheels[package]
        entry_points = next(n for n in wheel.namelist() if n.endswith("entry_points.txt"))
        text = wheel.read(entry_points).decode()
        name = package.removeprefix("amicale_")
        assert f"[amicale.plugins]\n{name} = {package}.plugin" in text


def test_the_sdk_declares_its_pytest_plugin_and_command_and_carries_its_templates(wheels):
    wheel = wheels["amicale_sdk"]
    entry_points = next(n for n in wheel.namelist() if n.endswith("entry_points.txt"))
    text = wheel.read(entry_points).decode()
    assert "[pytest11]\namicale = amicale_sdk.pytest_plugin" in text
    assert "[amicale.cli]\nsdk = amicale_sdk.cli:sdk" in text
    names = set(wheel.namelist())
    for expected in (
        "amicale_sdk/scaffold/pyproject.toml.tmpl",
        "amicale_sdk/scaffold/package/plugin.py.tmpl",
        "amicale_sdk/scaffold/package/migrations/0001_@@name@@.py.tmpl",
        "amicale_sdk/scaffold/package/templates/@@name@@/contact_tab.html.tmpl",
        "amicale_sdk/scaffold/tests/test_pages.py.tmpl",
    ):
        assert expected in names, expected


def test_the_timebank_example_carries_its_templates_migrations_and_translations(wheels):
    wheel = wheels["amicale_timebank"]
    names = set(wheel.namelist())
    assert any(n.startswith("amicale_timebank/templates/timebank/") for n in names)
    assert any(n.startswith("amicale_timebank/migrations/0001_") for n in names)
    assert "amicale_timebank/translations/fr/LC_MESSAGES/messages.mo" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = wheel.read(entry_points).decode()
    assert "[amicale.plugins]\ntimebank = amicale_timebank.plugin" in text
    assert "[amicale.factories]\ntimebank = amicale_timebank.testing:Factories" in text
