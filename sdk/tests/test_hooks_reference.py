"""``amicale sdk hooks`` and the reference in docs/extensions.md, both read from the hookspecs."""

from __future__ import annotations

from pathlib import Path

from amicale import hookspecs
from amicale_sdk.hookref import document_reference, hook_specs, reference_markdown

from .conftest import run_cli

DOC = Path(__file__).parents[2] / "docs" / "extensions.md"


def test_every_hook_is_printed_with_its_arguments_and_its_whole_docstring():
    names = [s.name for s in hook_specs()]
    specs = [n for n, f in vars(hookspecs).items() if getattr(f, "amicale_spec", None)]
    assert sorted(names) == sorted(specs)
    result = run_cli("sdk", "hooks")
    assert result.exit_code == 0
    assert "contact_tabs(contact, user)" in result.output
    assert "request_payment(entity, entity_id, contact_id" in result.output
    assert "[firstresult]" in result.output
    for line in hookspecs.merge_contacts.__doc__.strip().splitlines():
        assert line.strip() in result.output


def test_the_markdown_reference_has_a_heading_per_hook():
    result = run_cli("sdk", "hooks", "--format", "markdown")
    assert result.output == reference_markdown()
    assert "### `mail_token_values(contact_ids, tokens)`" in result.output
    assert result.output.count("\n### ") == len(hook_specs())


def test_the_guide_includes_the_current_reference():
    assert document_reference(DOC) == reference_markdown(), (
        "docs/extensions.md is out of date: run `amicale sdk hooks --update docs/extensions.md`"
    )


def test_the_guide_walks_from_nothing_to_a_published_package():
    text = DOC.read_text()
    for step in (
        "amicale sdk new my-extension",
        "pip install -e 'my-extension[test]'",
        "pytest my-extension",
        "amicale components enable my_extension",
        "amicale sdk migration my-extension",
        "amicale sdk check my-extension",
        "python -m build",
        "twine upload",
    ):
        assert step in text, step


def test_update_refuses_a_file_without_markers(tmp_path):
    target = tmp_path / "notes.md"
    target.write_text("# Notes\n")
    result = run_cli("sdk", "hooks", "--update", str(target))
    assert result.exit_code == 1
    assert "markers" in result.output
    assert target.read_text() == "# Notes\n"
