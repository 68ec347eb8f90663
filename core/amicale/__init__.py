"""Amicale: a free CRM for associations, federations, NGOs and foundations.

A plugin writes ``from amicale import hookimpl``; everything else it may use is in
``amicale.api_for_plugins``.
"""

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("amicale")

__all__ = ["hookimpl", "__version__"]
