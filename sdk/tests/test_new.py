"""``amicale sdk new``: a complete extension that passes its own tests and shows its pages."""

from __future__ import annotations

import importlib
import subprocess
import sys
import tomllib

import pytest

from .conftest import run_cli

EXPECTED_FILES = {
    "pyproject.toml",
    "README.md",
    "amicale_my_extension/__init__.py",
    "amicale_my_extension/plugin.py",
    "amicale_my_extension/models.py",
    "amicale_my_extension/schemas.py",
    "amicale_my_extension/services.py",
    "amicale_my_extension/views.py",
    "amicale_my_extension/api.py",
    "amicale_my_extension/testing.py",
    "amicale_my_extension/migrations/0001_my_extension.py",
    "amicale_my_extension/templates/my_extension/index.html",
    "amicale_my_extension/templates/my_extension/edit.html",
    "amicale_my_extension/templates/my_extension/contact_tab.html",
    "tests/conftest.py",
    "tests/test_pages.py",
    "tests/test_api.py",
    "tests/test_hooks.py",
    "tests/test_check.py",
}


def test_new_writes_a_complete_package_with_its_entry_point_and_manifest(generated):
    files = {
        str(p.relative_to(generated.source)) for p in generated.source.rglob("*") if p.is_file()
    }
    assert EXPECTED_FILES <= files
    project = tomllib.loads((generated.source / "pyproject.toml").read_text())
    assert project["project"]["name"] == "amicale-my-extension"
    assert project["project"]["entry-points"]["amicale.plugins"] == {
        "my_extension": "amicale_my_extension.plugin"
    }
    plugin = (generated.source / "amicale_my_extension/plugin.py").read_text()
    for part in (
        "name=NAME",
        'label="My extension"',
        'version="0.1.0"',
        "plugin_api=",
        "requires=",
        "optional=",
    ):
        assert part in plugin
    migration = (
        generated.source / "amicale_my_extension/migrations/0001_my_extension.py"
    ).read_text()
    assert 'branch_labels: str | Sequence[str] | None = ("my_extension",)' in migration
    assert "pip install -e" in generated.output
    assert "amicale components enable my_extension" in generated.output


def test_the_generated_tests_pass_right_after_generation(generated):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(generated.source)],
        cwd=generated.source.parent,
        env=generated.env("amicale_sdkgen"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    assert "failed" not in result.stdout and "error" not in result.stdout.lower()


@pytest.fixture
def amicale_plugins(generated, monkeypatch):
    """The generated extension is installed (its wheel on the path) before the app starts."""
    monkeypatch.syspath_prepend(str(generated.site))
    importlib.invalidate_caches()
    return {}


def test_enabling_the_generated_extension_shows_its_pages(app, login_as):
    admin = login_as("administrator", locale="en")
    assert admin.get("/my_extension/").status_code == 404
    result = run_cli("components", "enable", "my_extension", obj=app)
    assert result.exit_code == 0, result.output
    assert "My extension (my_extension 0.1.0) is enabled." in result.output
    page = admin.get("/my_extension/")
    assert page.status_code == 200
    assert "No item yet." in page.get_data(as_text=True)
    assert 'href="/my_extension/"' in admin.get("/dashboard").get_data(as_text=True)
    assert admin.get("/my_extension/new").status_code == 200


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("My Extension!", "cannot name an extension"),
        ("1st", "cannot name an extension"),
        ("contacts", "taken by Amicale itself"),
        ("api", "taken by Amicale itself"),
    ],
)
def test_a_name_that_cannot_be_a_component_is_refused(tmp_path, name, message):
    result = run_cli("sdk", "new", name, "--directory", str(tmp_path))
    assert result.exit_code == 1
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(tmp_path):
    (tmp_path / "garden").mkdir()
    (tmp_path / "garden" / "notes.txt").write_text("mine")
    result = run_cli("sdk", "new", "garden", "--directory", str(tmp_path))
    assert result.exit_code == 1
    assert "exists and is not empty" in result.output
    assert [p.name for p in (tmp_path / "garden").iterdir()] == ["notes.txt"]
