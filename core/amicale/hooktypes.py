"""The values hooks return: manifests, permissions, menu entries, tabs, widgets.

Plain data, so that a service interprets them and a test can compare them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .hookspecs import PLUGIN_API_VERSION


@dataclass(frozen=True)
class Manifest:
    """What a component says of itself (``amicale_component`` hook)."""

    name: str
    label: str
    version: str
    description: str = ""
    plugin_api: str = PLUGIN_API_VERSION
    requires: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "requires", tuple(self.requires))
        object.__setattr__(self, "optional", tuple(self.optional))


@dataclass(frozen=True)
class Permission:
    """A permission a role can be given. ``default_roles`` get it when it first appears."""

    name: str
    label: str
    description: str = ""
    default_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class MenuItem:
    id: str
    label: str
    endpoint: str
    section: str = "main"  # "main" or "admin"
    weight: int = 50
    permission: str | None = None
    icon: str | None = None


@dataclass(frozen=True)
class ContactTab:
    id: str
    label: str
    url: str
    count: int | None = None
    weight: int = 50


@dataclass(frozen=True)
class SummaryBlock:
    label: str
    value: str
    weight: int = 50


@dataclass
class Widget:
    id: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    weight: int = 50
    permission: str | None = None


@dataclass(frozen=True)
class SearchFilter:
    """A criterion of the advanced search and of smart groups (``search_filters`` hook).

    ``apply(query, value)`` receives a ``select(Contact.id)`` and returns it narrowed, with
    set-based SQL (a join or ``Contact.id.in_(subquery)``), never a query per contact.
    ``field_type`` tells the form how to ask: text, select, multiselect, boolean, date_range,
    number_range, contact. ``options()`` gives ``[(value, label)]`` for the select types.
    """

    name: str
    label: str
    field_type: str
    apply: Callable[[Any, Any], Any]
    options: Callable[[], list[tuple[str, str]]] | None = None
    weight: int = 50


@dataclass(frozen=True)
class ReportFilter:
    """A filter of a report's form: ``field_type`` is date, select or text."""

    name: str
    label: str
    field_type: str = "text"
    options: Callable[[], list[tuple[str, str]]] | None = None
    default: Any = None


@dataclass
class ReportResult:
    """What a report found: a table (``columns``, ``rows``) and what its chart draws: ``labels``
    along the axis and one or more named ``series`` of numbers."""

    columns: list[str]
    rows: list[tuple]
    labels: list[str] = field(default_factory=list)
    series: dict[str, list[float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    """A report of the ``reports`` hook: ``run(session, filters)`` returns a ReportResult with
    set-based queries (GROUP BY), never a query per row."""

    name: str
    label: str
    run: Callable[[Any, dict], ReportResult]
    description: str = ""
    filters: tuple[ReportFilter, ...] = ()
    chart: str = "bar"  # bar, line, pie or none
    permission: str = "view_contacts"
    weight: int = 50


@dataclass(frozen=True)
class ImportField:
    """A column an import target accepts: ``field_type`` is text, date, decimal, boolean,
    integer or choice (with ``options``, a callable giving ``(value, label)`` pairs)."""

    name: str
    label: str
    required: bool = False
    field_type: str = "text"
    options: Callable[[], list[tuple[str, str]]] | None = None


@dataclass(frozen=True)
class ImportResult:
    """What became of one row: ``created``, ``updated``, ``skipped`` or ``rejected`` (with the
    reason shown to the user and written beside the row in the file of rejected rows)."""

    action: str
    reason: str = ""
    entity_id: int | None = None


@dataclass(frozen=True)
class ImportTarget:
    """Records a component can import from a file (the ``import_targets`` hook). The importer
    reads the file, applies the mapping and the value mapping, finds each row's contact (by its
    number, external identifier, email or a duplicate rule) and hands ``import_rows(session,
    rows)`` a batch of dicts keyed by field name, with ``contact_id`` set; it returns one
    ImportResult per row, in order. A batch runs in one transaction (a savepoint per row is the
    target's choice): a rejected row must leave nothing behind."""

    name: str
    label: str
    fields: tuple[ImportField, ...]
    import_rows: Callable[[Any, list[dict]], list[ImportResult]]
    permission: str = "import_contacts"
    weight: int = 50


@dataclass(frozen=True)
class ExportColumn:
    """A column a component adds to contact exports (the ``export_columns`` hook):
    ``values(session, contact_ids)`` returns ``{contact_id: value}`` for one chunk of contacts,
    in one set-based query."""

    name: str
    label: str
    values: Callable[[Any, list[int]], dict[int, Any]]
    weight: int = 50


@dataclass(frozen=True)
class ScheduledJob:
    """A periodic job of the ``scheduled_jobs`` hook: ``schedule`` is a cron expression (minute
    hour day month day-of-week, server time), ``run(session)`` the work (the caller commits)."""

    name: str
    label: str
    schedule: str
    run: Callable[[Any], Any]
