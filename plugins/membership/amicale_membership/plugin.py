"""The membership component as an Amicale plugin (entry point `amicale.plugins`: membership)."""

from amicale import hookimpl
from amicale.api_for_plugins import Manifest
from amicale.api_for_plugins import lazy_gettext as _l


@hookimpl
def amicale_component():
    return Manifest(
        name="membership",
        label=_l("Membership"),
        version="0.1.0",
        description=_l(
            "Membership types, statuses computed from dates, renewals, dues and reminders."
        ),
        requires=(),
        optional=("contribute",),
    )
