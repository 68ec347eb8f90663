"""The enabled set of the current organisation, re-read only when its version changes.

Every enable/disable bumps the ``components.version`` setting; each request reads that one row
and reloads the set when it moved, so several workers agree without a restart.
"""

from __future__ import annotations

import threading

from flask import current_app, g
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from ..db import session
from .models import ComponentState

VERSION_KEY = "components.version"


class EnabledCache:
    def __init__(self):
        self.version: object = None
        self.enabled: frozenset[str] = frozenset()
        self.lock = threading.Lock()

    def load(self, s, usable: set[str]) -> frozenset[str]:
        try:
            version = s.execute(
                text("SELECT value FROM setting WHERE key = :k"), {"k": VERSION_KEY}
            ).scalar()
        except DBAPIError:  # not migrated yet: nothing is enabled
            s.rollback()
            return frozenset()
        with self.lock:
            if version != self.version or version is None:
                names = s.execute(
                    select(ComponentState.name).where(ComponentState.is_enabled)
                ).scalars()
                self.enabled = frozenset(n for n in names if n in usable)
                self.version = version
            return self.enabled

    def forget(self):
        with self.lock:
            self.version = None


def enabled_components() -> frozenset[str]:
    """Names of the components enabled for the current organisation (cached per request)."""
    enabled = g.get("_amicale_enabled")
    if enabled is None:
        state = current_app.extensions["amicale"]
        enabled = state.enabled_cache.load(session(), set(state.registry.usable()))
        g._amicale_enabled = enabled
    return enabled


def forget_enabled() -> None:
    """After an enable/disable in this process: drop the cached set for this request and others."""
    current_app.extensions["amicale"].enabled_cache.forget()
    g.pop("_amicale_enabled", None)
    g.pop("_amicale_relay", None)
