"""vCard (RFC 6350) files of contacts as a default plugin of the core."""

from __future__ import annotations
