"""The contribute component as an Amicale plugin (entry point `amicale.plugins`: contribute)."""

from amicale import hookimpl
from amicale.api_for_plugins import Manifest
from amicale.api_for_plugins import lazy_gettext as _l


@hookimpl
def amicale_component():
    return Manifest(
        name="contribute",
        label=_l("Contributions"),
        version="0.1.0",
        description=_l(
            "Donations, campaigns, pledges, recurring gifts, cheque batches and tax receipts."
        ),
        requires=(),
        optional=(),
    )
