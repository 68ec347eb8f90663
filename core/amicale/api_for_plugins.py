"""The public surface of the core for components and extensions.

A component imports from here (and ``from amicale import hookimpl``) and nothing else of the core:
everything else may change between releases. The plugin API version is ``PLUGIN_API_VERSION``.
"""

from __future__ import annotations

from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user

from . import hookimpl
from .accounts.permissions import has_permission, login_only, permission_required, public
from .clock import utcnow
from .components.state import enabled_components
from .contacts.models import Contact, ContactType
from .db import session
from .errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError
from .hookspecs import PLUGIN_API_VERSION
from .hooktypes import ContactTab, Manifest, MenuItem, Permission, SummaryBlock, Widget
from .organisation.services import get_setting
from .plugins import hook

__all__ = [
    "PLUGIN_API_VERSION",
    "Conflict",
    "Contact",
    "ContactTab",
    "ContactType",
    "DomainError",
    "Manifest",
    "MenuItem",
    "NotFound",
    "Permission",
    "PermissionDenied",
    "SummaryBlock",
    "ValidationError",
    "Widget",
    "current_user",
    "enabled_components",
    "get_setting",
    "gettext",
    "has_permission",
    "hook",
    "hookimpl",
    "lazy_gettext",
    "login_only",
    "ngettext",
    "permission_required",
    "public",
    "session",
    "utcnow",
]
