"""An extension whose second migration fails half way: enabling must change nothing."""

from pathlib import Path

from amicale import hookimpl
from amicale.api_for_plugins import Manifest

from .models import BadThing


@hookimpl
def amicale_component():
    return Manifest(name="sample_badmig", label="Bad migration sample", version="0.1")


@hookimpl
def register_models():
    return [BadThing]


@hookimpl
def register_migrations():
    return ("sample_badmig", Path(__file__).parent / "migrations")
