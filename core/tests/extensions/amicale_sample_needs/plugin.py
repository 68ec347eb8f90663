"""An extension that requires sample_ext to be enabled first."""

from amicale import hookimpl
from amicale.api_for_plugins import Manifest


@hookimpl
def amicale_component():
    return Manifest(
        name="sample_needs", label="Needs the sample", version="0.1", requires=("sample_ext",)
    )
