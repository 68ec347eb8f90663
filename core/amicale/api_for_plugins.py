"""The public surface of the core for components and extensions.

A component imports from here (and ``from amicale import hookimpl``) and nothing else of the core:
everything else may change between releases. The plugin API version is ``PLUGIN_API_VERSION``.
"""

from __future__ import annotations

from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    gettext,
    lazy_gettext,
    ngettext,
)
from flask_login import current_user

from . import hookimpl, schemakit
from .accounts.permissions import has_permission, login_only, permission_required, public
from .activities.models import Activity, ActivityContact
from .activities.services import create_activity
from .api import kit as apikit
from .api.pagination import PageArgs, page_schema
from .clock import utcnow
from .components.state import enabled_components
from .contacts.models import Address, Contact, ContactType, Email, Phone
from .contacts.services import contact_by_email, create_contact, update_contact
from .customfields.services import (
    definitions_for,
    delete_values,
    form_input,
    save_values,
    validate_values,
    values_for,
)
from .db import begin_write, session
from .errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError
from .hookspecs import PLUGIN_API_VERSION
from .hooktypes import (
    ContactTab,
    ExportColumn,
    ImportField,
    ImportResult,
    ImportTarget,
    Manifest,
    MenuItem,
    Permission,
    Report,
    ReportFilter,
    ReportResult,
    ScheduledJob,
    SearchFilter,
    SummaryBlock,
    Widget,
)
from .i18n import money as format_money
from .imports.targets import import_each
from .mail.models import MessageTemplate
from .mail.services import send_email
from .organisation.services import get_setting, set_setting
from .plugins import hook
from .relationships.models import Relationship, RelationshipType
from .validation import load_input


def contact_page_context(contact_id: int, tab: str) -> dict:
    """What a contact tab's template needs to extend ``contacts/contact_base.html``: the contact,
    the tabs (``tab`` marked as the current one) and the summary. NotFound for no such contact."""
    from .contacts.views import contact_page_context as context

    return context(contact_id, active_tab=tab)


__all__ = [
    "contact_by_email",
    "begin_write",
    "definitions_for",
    "delete_values",
    "form_input",
    "save_values",
    "validate_values",
    "values_for",
    "apikit",
    "schemakit",
    "PLUGIN_API_VERSION",
    "Conflict",
    "Contact",
    "ContactTab",
    "ContactType",
    "ExportColumn",
    "ImportField",
    "ImportResult",
    "ImportTarget",
    "import_each",
    "PageArgs",
    "page_schema",
    "Report",
    "ReportFilter",
    "ReportResult",
    "Activity",
    "ActivityContact",
    "Address",
    "Email",
    "MessageTemplate",
    "Phone",
    "create_contact",
    "send_email",
    "update_contact",
    "Relationship",
    "RelationshipType",
    "ScheduledJob",
    "create_activity",
    "SearchFilter",
    "contact_page_context",
    "format_date",
    "format_datetime",
    "format_decimal",
    "format_money",
    "get_locale",
    "load_input",
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
    "set_setting",
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
