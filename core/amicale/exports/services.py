"""Contact exports: the catalogue of columns a user can pick, the rows of a search or a group
walked by keyset chunks (a constant number of set-based queries per chunk, never one per row),
and the CSV, "Excel, French" CSV and XLSX writers, generators of bytes whose memory does not
grow with the number of rows."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlmodel import Session

from ..contacts.labels import ADDRESS_PART_LABELS, CONTACT_FIELD_LABELS
from ..contacts.models import Address, Contact, Email, Phone
from ..customfields import services as custom
from ..errors import ValidationError

CHUNK = 2_000  # contacts per keyset step: a few IN (...) lists of this size per step
FLUSH_ROWS = 500  # CSV rows gathered before a piece of the file is handed on
XLSX_PIECE = 64 * 1024

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "excel-fr": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
FORMAT_LABELS = {
    "csv": _l("CSV (comma, UTF-8)"),
    "excel-fr": _l("CSV for Excel in French (semicolon, decimal comma, dd/mm/yyyy)"),
    "xlsx": _l("Excel workbook (XLSX)"),
}
SECTIONS = {
    "contact": _l("Contact"),
    "details": _l("Email, phone and address"),
    "custom": _l("Custom fields"),
    "components": _l("Components"),
}


# name -> (model, attribute): the contact's primary email, phone and address.
DETAIL_FIELDS: dict[str, tuple[Any, str, Any]] = {
    "email": (Email, "email", _l("Email")),
    "phone": (Phone, "phone", _l("Phone")),
    **{
        part: (Address, part, ADDRESS_PART_LABELS[part])
        for part in (
            "street_address",
            "supplemental_address_1",
            "postal_code",
            "city",
            "state_province",
            "country",
        )
    },
}

DEFAULT_COLUMNS = ("id", "display_name", "email", "phone", "postal_code", "city")


@dataclass(frozen=True)
class Column:
    """A column the user can pick: ``section`` groups it on the page (contact, details, custom,
    components); ``values(session, ids)`` is set for the columns of components."""

    name: str
    label: str
    section: str
    values: Callable[[Session, list[int]], dict[int, Any]] | None = None
    field: Any = None  # the CustomField of a custom column


def _component_columns() -> list[Column]:
    """The ``export_columns`` of the enabled components, named ``<component>.<name>``."""
    from flask import current_app

    from ..components.state import enabled_components

    registry = current_app.extensions["amicale"].registry
    out: list[tuple[int, Column]] = []
    for component in registry.ordered(n for n in enabled_components() if n in registry.usable()):
        for result in registry.only(component).export_columns():
            for col in result or []:
                name = (
                    col.name if col.name.startswith(f"{component}.") else f"{component}.{col.name}"
                )
                out.append((col.weight, Column(name, str(col.label), "components", col.values)))
    out.sort(key=lambda item: (item[0], item[1].label))
    return [c for _w, c in out]


def available_columns(session: Session) -> list[Column]:
    """Every column of an export, in the order of the page: the contact's fields, its primary
    email, phone and address, the active custom fields of contacts, the components' columns."""
    columns = [Column(n, str(label), "contact") for n, label in CONTACT_FIELD_LABELS.items()]
    columns += [Column(n, str(label), "details") for n, (_m, _a, label) in DETAIL_FIELDS.items()]
    groups = custom.list_groups(session, extends="contact", is_active=True)
    fields = custom.fields_by_group(session, groups)
    for group in groups:
        for field in fields[group.id]:
            if field.is_active:
                label = f"{group.title}: {field.label}"
                columns.append(Column(f"custom.{field.name}", label, "custom", field=field))
    return columns + _component_columns()


def choose_columns(session: Session, names: Iterable[str]) -> list[Column]:
    """The columns named, in the order given; a ValidationError names the unknown ones."""
    names = [n.strip() for n in names if n and n.strip()]
    if not names:
        raise ValidationError(_("Choose at least one column."), field="columns")
    known = {c.name: c for c in available_columns(session)}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValidationError(
            _("Unknown column: %(names)s", names=", ".join(unknown)), field="columns"
        )
    return [known[n] for n in dict.fromkeys(names)]


def check_format(fmt: str | None) -> str:
    if fmt not in FORMATS:
        raise ValidationError(
            _("Unknown format %(format)s: choose csv, excel-fr or xlsx.", format=fmt or ""),
            field="format",
        )
    return fmt


# -- which contacts ------------------------------------------------------------------------------


def contacts_query(
    session: Session, *, criteria: dict[str, Any] | None = None, group_id: int | None = None
) -> Select:
    """``select(Contact.id)`` of a group's members (``group_id``) or of a search (criteria; no
    criteria: every contact not in the trash). Errors (unknown criterion, no such group) are
    raised now, before any byte is written.

    "Not in the trash" is written ``NOT is_deleted`` so that no index serves it: each chunk then
    walks the primary key from where the previous one stopped, instead of reading and sorting
    every contact again through the (is_deleted, sort_name) index."""
    from ..contacts.search import contact_ids_query

    criteria = {k: v for k, v in (criteria or {}).items() if v not in (None, "", [])}
    if group_id is not None:
        from ..groups.services import get_group, member_ids_query

        members = member_ids_query(session, get_group(session, group_id)).subquery()
        query = select(Contact.id).where(~Contact.is_deleted, Contact.id.in_(select(members.c.id)))
        if criteria:
            query = query.where(Contact.id.in_(contact_ids_query(session, criteria)))
        return query
    if not criteria:
        return select(Contact.id).where(~Contact.is_deleted)
    return contact_ids_query(session, criteria)


# -- rows ----------------------------------------------------------------------------------------


def _custom_value(field: Any, value: Any) -> Any:
    """A custom value as a cell: dates as dates, option labels instead of values."""
    if value is None or value == []:
        return None
    kind = field.data_type
    if kind == "date":
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    if kind == "select":
        return field.option_labels().get(str(value), str(value))
    if kind == "multiselect":
        labels = field.option_labels()
        items = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in items)
    if kind == "money":
        return Decimal(str(value)).quantize(Decimal("0.01"))
    return value


def _primary(session: Session, model: Any, attrs: list[str], ids: list[int]) -> dict[int, tuple]:
    """``{contact_id: (attr values)}`` of each contact's primary row of ``model`` (the first one
    when none is marked primary), in one query."""
    rows = session.execute(
        select(model.contact_id, *[getattr(model, a) for a in attrs])
        .where(model.contact_id.in_(ids))
        .order_by(model.contact_id, model.is_primary.desc(), model.id)
    )
    out: dict[int, tuple] = {}
    for contact_id, *values in rows:
        out.setdefault(contact_id, tuple(values))
    return out


def rows(
    session: Session, ids_query: Select, columns: list[Column], *, chunk_size: int = CHUNK
) -> Iterator[list[Any]]:
    """The rows of the contacts of ``ids_query`` (a ``select(Contact.id)``), by contact number,
    one list of typed values per contact in the order of ``columns``.

    Keyset chunks: each step reads the next ``chunk_size`` contacts (``id > last ORDER BY id``)
    with their own fields, then one query per kind of detail, one for custom values and one per
    component column, whatever the number of rows."""
    contact_attrs = [c.name for c in columns if c.section == "contact"]
    details: dict[Any, list[str]] = {}
    for c in columns:
        if c.section == "details":
            model, attr, _label = DETAIL_FIELDS[c.name]
            details.setdefault(model, [])
            if attr not in details[model]:
                details[model].append(attr)
    wants_custom = any(c.section == "custom" for c in columns)
    component_columns = [c for c in columns if c.section == "components"]
    selected = [Contact.id, *[getattr(Contact, a) for a in contact_attrs if a != "id"]]
    last = 0
    while True:
        batch = session.execute(
            ids_query.with_only_columns(*selected)
            .where(Contact.id > last)
            .order_by(Contact.id)
            .limit(chunk_size)
        ).all()
        if not batch:
            return
        ids = [r[0] for r in batch]
        last = ids[-1]
        own = {
            r[0]: dict(zip(["id", *[a for a in contact_attrs if a != "id"]], r, strict=True))
            for r in batch
        }
        primary = {
            model: (attrs, _primary(session, model, attrs, ids)) for model, attrs in details.items()
        }
        customs = custom.values_for(session, "contact", ids) if wants_custom else {}
        component_values = {c.name: c.values(session, ids) or {} for c in component_columns}
        for contact_id in ids:
            row = []
            for c in columns:
                if c.section == "contact":
                    row.append(own[contact_id][c.name])
                elif c.section == "details":
                    model, attr, _label = DETAIL_FIELDS[c.name]
                    attrs, found = primary[model]
                    values = found.get(contact_id)
                    row.append(values[attrs.index(attr)] if values else None)
                elif c.section == "custom":
                    value = customs.get(contact_id, {}).get(c.field.name)
                    row.append(_custom_value(c.field, value))
                else:
                    row.append(component_values[c.name].get(contact_id))
            yield row
        if len(ids) < chunk_size:
            return


# -- writers -------------------------------------------------------------------------------------


def _plain(value: Any) -> str:
    """A cell of a plain CSV: ISO dates, a dot for decimals, 1/0 for yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.replace(microsecond=0, tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


_SAFE_AFTER_SIGN = set("0123456789 .()/")


def _defuse(text: str) -> str:
    """Excel runs a cell that starts like a formula: such a text gets a leading apostrophe
    (phone numbers such as +33 6 ... stay as they are)."""
    if not text:
        return text
    if text[0] in "=@\t\r" or (text[0] in "+-" and not set(text[1:]) <= _SAFE_AFTER_SIGN):
        return "'" + text
    return text


def _french(value: Any, yes: str, no: str) -> str:
    """A cell of an "Excel, French" CSV: dd/mm/yyyy, a decimal comma, Oui/Non."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes if value else no
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float | Decimal):
        return str(value).replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return _defuse(_plain(value))


def write_csv(
    header: list[str], rows: Iterable[list[Any]], *, excel_french: bool = False
) -> Iterator[bytes]:
    """The CSV file as pieces of bytes (UTF-8). ``excel_french``: the BOM Excel needs to read
    UTF-8, ``;`` between cells, decimal commas and dd/mm/yyyy dates."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if excel_french else ",")
    if excel_french:
        yes, no = _("Yes"), _("No")

        def cell(v):
            return _french(v, yes, no)

        yield "\ufeff".encode()
    else:
        cell = _plain
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([cell(v) for v in row])
        count += 1
        if count % FLUSH_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def write_xlsx(header: list[str], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    """The XLSX workbook as pieces of bytes. openpyxl's write-only mode keeps the rows in a
    temporary file, and the zip is built in another one, so memory stays flat; the first byte
    comes once the last row is written (a zip's directory is at its end)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(_("Contacts")))
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, datetime):
                value = value.replace(tzinfo=None)
            elif isinstance(value, list | tuple):
                value = ", ".join(str(v) for v in value)
            if isinstance(value, str) and value.startswith("="):
                text = WriteOnlyCell(sheet, value=value)
                text.data_type = "s"  # a text, never a formula
                value = text
            cells.append(value)
        sheet.append(cells)
    with tempfile.TemporaryFile() as out:
        book.save(out)
        out.seek(0)
        while piece := out.read(XLSX_PIECE):
            yield piece


def export(
    session: Session,
    ids_query: Select,
    columns: list[Column],
    fmt: str,
    *,
    chunk_size: int = CHUNK,
) -> Iterator[bytes]:
    """The file of the contacts of ``ids_query`` with ``columns``, in format ``fmt`` (csv,
    excel-fr or xlsx), as pieces of bytes."""
    header = [c.label for c in columns]
    body = rows(session, ids_query, columns, chunk_size=chunk_size)
    if check_format(fmt) == "xlsx":
        return write_xlsx(header, body)
    return write_csv(header, body, excel_french=fmt == "excel-fr")


def filename(fmt: str, title: str | None = None) -> str:
    """``contacts-2026-12-01.csv``, or the group's name instead of "contacts"."""
    from ..clock import utcnow

    base = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in (title or "contacts"))
    return f"{base.strip('-') or 'contacts'}-{utcnow().date().isoformat()}.{FORMATS[fmt][1]}"
