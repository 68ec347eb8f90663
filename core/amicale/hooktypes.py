"""The values hooks return: manifests, permissions, menu entries, tabs, widgets.

Plain data, so that a service interprets them and a test can compare them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .hookspecs import PLUGIN_API_VERSION


@dataclass(frozen=True)
class Manifest:
    """What a component says of itself (``amicale_component`` hook)."""

    name: str
    label: str
    version: str
    description: str = ""
    plugin_api: str = PLUGIN_API_VERSION
    requires: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "requires", tuple(self.requires))
        object.__setattr__(self, "optional", tuple(self.optional))


@dataclass(frozen=True)
class Permission:
    """A permission a role can be given. ``default_roles`` get it when it first appears."""

    name: str
    label: str
    description: str = ""
    default_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class MenuItem:
    id: str
    label: str
    endpoint: str
    section: str = "main"  # "main" or "admin"
    weight: int = 50
    permission: str | None = None
    icon: str | None = None


@dataclass(frozen=True)
class ContactTab:
    id: str
    label: str
    url: str
    count: int | None = None
    weight: int = 50


@dataclass(frozen=True)
class SummaryBlock:
    label: str
    value: str
    weight: int = 50


@dataclass
class Widget:
    id: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    weight: int = 50
    permission: str | None = None
