"""The event component as an Amicale plugin (entry point `amicale.plugins`: event)."""

from amicale import hookimpl
from amicale.api_for_plugins import Manifest
from amicale.api_for_plugins import lazy_gettext as _l


@hookimpl
def amicale_component():
    return Manifest(
        name="event",
        label=_l("Events"),
        version="0.1.0",
        description=_l("Events, registrations, waitlists, fees, check-in and reminders."),
        requires=(),
        optional=("contribute",),
    )
