"""An extension whose hook name is misspelt: it must be refused with check_pending's message."""

from amicale import hookimpl
from amicale.api_for_plugins import Manifest


@hookimpl
def amicale_component():
    return Manifest(name="sample_broken", label="Broken sample", version="0.1")


@hookimpl
def menu_itemz(user):  # misspelt on purpose
    return []
