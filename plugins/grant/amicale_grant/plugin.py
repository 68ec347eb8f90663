"""The grant component as an Amicale plugin (entry point `amicale.plugins`: grant)."""

from amicale import hookimpl
from amicale.api_for_plugins import Manifest
from amicale.api_for_plugins import lazy_gettext as _l


@hookimpl
def amicale_component():
    return Manifest(
        name="grant",
        label=_l("Grants"),
        version="0.1.0",
        description=_l("Grants the organisation awards and the funding it applies for."),
        requires=(),
        optional=(),
    )
