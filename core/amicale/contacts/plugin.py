"""Contacts as a default plugin of the core (the contacts issue fills in pages and API)."""

from __future__ import annotations

from .. import hookimpl


@hookimpl
def register_models():
    from .models import Contact

    return [Contact]
