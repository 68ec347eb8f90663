"""``amicale sdk check`` finds nothing wrong: hooks, route permissions, models and migrations."""

from pathlib import Path

from amicale_sdk.check import check_extension


def test_the_component_passes_the_sdk_check():
    problems = check_extension(Path(__file__).parents[1])
    assert [str(p) for p in problems] == []
