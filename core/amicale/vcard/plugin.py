"""vCard (RFC 6350) files of contacts as a default plugin of the core: the downloads of a
contact and of a group, the import page, the API, and the "vCard" link on a contact's page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from markupsafe import escape

from .. import hookimpl


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def register_api():
    from .api import contact_blp, group_blp

    return [contact_blp, group_blp]


@hookimpl
def template_slot(name, context, **kwargs):
    """On a contact's page, for those who may export contacts: the vCard download."""
    if name != "contact.actions":
        return None
    from flask import url_for
    from flask_login import current_user

    from ..accounts.permissions import has_permission

    contact = context.get("contact")
    if contact is None or not has_permission(current_user, "export_contacts"):
        return None
    url = url_for("vcard.contact_vcard", contact_id=contact.id)
    label = _l("vCard")
    title = _l("Download this contact as a vCard file")
    return (
        30,
        f'<a class="btn secondary" id="download-vcard" href="{escape(url)}" '
        f'title="{escape(title)}" download>{escape(label)}</a>',
    )
