"""Email as a default plugin of the core."""

from __future__ import annotations

from .. import hookimpl


@hookimpl
def register_models():
    from .models import MessageTemplate

    return [MessageTemplate]
