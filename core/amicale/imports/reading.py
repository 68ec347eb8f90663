"""Reading the files people bring: CSV as Excel writes it in France (``;``, Windows-1252 or UTF-8
with a BOM) or elsewhere (``,``), and XLSX. The dialect is detected from the file and can be
overridden; rows are streamed, never loaded whole.

A date format and a decimal separator are guessed from the values that look like dates and
numbers: "14/03/1970" with a first part above 12 says dd/mm/yyyy, "12,50" says decimal comma.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

from ..errors import ValidationError

DELIMITERS = (";", ",", "\t", "|")
ENCODINGS = ("utf-8-sig", "utf-8", "cp1252")
DATE_FORMATS = {
    "dd/mm/yyyy": ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"),
    "yyyy-mm-dd": ("%Y-%m-%d", "%Y/%m/%d"),
    "mm/dd/yyyy": ("%m/%d/%Y", "%m/%d/%y"),
}
DECIMALS = (",", ".")
SAMPLE_BYTES = 256 * 1024
_DATE_LIKE = re.compile(r"^\s*(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})\s*$")
_NUMBER_LIKE = re.compile(r"^\s*-?\d[\d\s\u00a0\u202f.]*([.,])\d+\s*$")


@dataclass
class Dialect:
    """How a file is read: ``format`` csv or xlsx; for CSV the encoding and the delimiter;
    for both the date format and the decimal separator of the values."""

    format: str = "csv"
    encoding: str = "utf-8"
    delimiter: str = ";"
    date_format: str = "dd/mm/yyyy"
    decimal: str = ","
    has_header: bool = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, values: dict | None) -> Dialect:
        values = dict(values or {})
        known = {k: values[k] for k in cls.__dataclass_fields__ if k in values}
        return cls(**known)


def file_format(file_name: str) -> str:
    suffix = Path(file_name or "").suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".csv", ".txt", ".tsv", ""):
        return "csv"
    raise ValidationError(
        str(_l("Choose a CSV or XLSX file (this one ends in %(suffix)s).", suffix=suffix)),
        field="file",
    )


def _decode_sample(raw: bytes) -> tuple[str, str]:
    """(encoding, text) of the beginning of a file: UTF-8 (a BOM says so), else Windows-1252,
    which decodes any byte and is what French Excel writes."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", raw[3:].decode("utf-8", errors="replace")
    try:
        return "utf-8", raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 3:  # a character cut by the end of the sample
            return "utf-8", raw[: exc.start].decode("utf-8")
        return "cp1252", raw.decode("cp1252", errors="replace")


def _sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ";"
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        # the delimiter found the same number of times on most lines
        best, best_score = ";", -1
        for d in DELIMITERS:
            counts = [line.count(d) for line in lines]
            score = min(counts) if counts else 0
            if score > best_score:
                best, best_score = d, score
        return best


def guess_value_formats(rows: list[list[Any]]) -> tuple[str, str]:
    """(date format, decimal separator) from the values of the sample rows."""
    day_first = month_first = iso = 0
    comma = point = 0
    for row in rows:
        for cell in row:
            if not isinstance(cell, str):
                continue
            m = _DATE_LIKE.match(cell)
            if m:
                a, b, _c = (int(x) for x in m.groups())
                if len(m.group(1)) == 4:
                    iso += 1
                elif a > 12 >= b:
                    day_first += 1
                elif b > 12 >= a:
                    month_first += 1
                continue
            n = _NUMBER_LIKE.match(cell)
            if n:
                if n.group(1) == ",":
                    comma += 1
                else:
                    point += 1
    if iso > day_first + month_first:
        date_format = "yyyy-mm-dd"
    elif month_first > day_first:
        date_format = "mm/dd/yyyy"
    else:
        date_format = "dd/mm/yyyy"  # the French way, also when nothing tells
    return date_format, ("." if point > comma else ",")


def detect(path: Path, file_name: str) -> Dialect:
    """The dialect of a file, from its name and its first rows."""
    fmt = file_format(file_name)
    if fmt == "xlsx":
        sample = list(_xlsx_rows(path, limit=50))
        date_format, decimal = guess_value_formats(sample)
        return Dialect(
            format="xlsx", encoding="", delimiter="", date_format=date_format, decimal=decimal
        )
    with open(path, "rb") as fh:
        raw = fh.read(SAMPLE_BYTES)
    if b"\x00" in raw[:4096]:
        raise ValidationError(
            str(_l("This file is not a text (CSV) file. Save it as CSV or XLSX.")), field="file"
        )
    encoding, text = _decode_sample(raw)
    delimiter = _sniff_delimiter(text)
    sample = list(csv.reader(io.StringIO(text), delimiter=delimiter))[:50]
    date_format, decimal = guess_value_formats(sample[1:])
    return Dialect(
        format="csv",
        encoding=encoding,
        delimiter=delimiter,
        date_format=date_format,
        decimal=decimal,
    )


def check_dialect(dialect: Dialect) -> None:
    errors: dict[str, list[str]] = {}
    if dialect.format == "csv":
        if dialect.encoding not in ENCODINGS:
            errors["encoding"] = [str(_l("Choose one of the encodings offered."))]
        if dialect.delimiter not in DELIMITERS:
            errors["delimiter"] = [str(_l("Choose one of the delimiters offered."))]
    if dialect.date_format not in DATE_FORMATS:
        errors["date_format"] = [str(_l("Choose one of the date formats offered."))]
    if dialect.decimal not in DECIMALS:
        errors["decimal"] = [str(_l("Choose a comma or a point."))]
    if errors:
        raise ValidationError(str(_l("Some fields are not valid.")), errors=errors)


def _xlsx_rows(path: Path, limit: int | None = None) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise ValidationError(
            str(_l("This file cannot be read as an XLSX workbook.")), field="file"
        ) from exc
    try:
        sheet = book.worksheets[0]
        for n, row in enumerate(sheet.iter_rows(values_only=True)):
            if limit is not None and n >= limit:
                break
            cells = list(row)
            while cells and cells[-1] is None:
                cells.pop()
            yield [_xlsx_cell(c) for c in cells]
    finally:
        book.close()


def _xlsx_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return value if isinstance(value, date) else str(value)


def read_rows(path: Path, dialect: Dialect) -> Iterator[list[Any]]:
    """Every row of the file (the header row included), as lists of cells: strings, or dates
    for XLSX date cells. Blank lines are kept (they count in row numbers) as empty lists."""
    if dialect.format == "xlsx":
        yield from _xlsx_rows(path)
        return
    with open(path, encoding=dialect.encoding, errors="replace", newline="") as fh:
        yield from csv.reader(fh, delimiter=dialect.delimiter)


def header_and_sample(path: Path, dialect: Dialect, size: int = 10) -> tuple[list[str], list[list]]:
    rows = []
    for row in read_rows(path, dialect):
        rows.append(row)
        if len(rows) > size:
            break
    if not rows:
        raise ValidationError(str(_l("The file is empty.")), field="file")
    if dialect.has_header:
        header = [str(c).strip() for c in rows[0]]
        sample = rows[1:]
    else:
        width = max(len(r) for r in rows)
        header = [str(_l("Column %(n)s", n=i + 1)) for i in range(width)]
        sample = rows[:size]
    width = max([len(header), *(len(r) for r in sample)])
    header += [str(_l("Column %(n)s", n=i + 1)) for i in range(len(header), width)]
    return header, sample


def count_rows(path: Path, dialect: Dialect) -> int:
    """Data rows of the file (without the header): one pass, nothing kept."""
    n = sum(1 for _row in read_rows(path, dialect))
    return max(n - (1 if dialect.has_header else 0), 0)


# -- values ---------------------------------------------------------------------------------------


class BadValue(ValueError):
    pass


def parse_date(value: Any, date_format: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    quick = _DATE_LIKE.match(text)
    if quick:  # the common case without strptime: 14/03/1970, 1970-03-14
        a, b, c = quick.groups()
        if len(a) == 4:
            parts = (a, b, c)
        elif len(c) == 4:
            parts = (c, a, b) if date_format == "mm/dd/yyyy" else (c, b, a)
        else:
            parts = None
        if parts is not None:
            try:
                return date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                raise BadValue(
                    str(
                        _l(
                            "“%(value)s” is not a date (%(format)s).",
                            value=text,
                            format=date_format,
                        )
                    )
                ) from None
    for pattern in (*DATE_FORMATS[date_format], "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise BadValue(
        str(_l("“%(value)s” is not a date (%(format)s).", value=text, format=date_format))
    )


def parse_decimal(value: Any, decimal: str) -> Decimal:
    text = re.sub(r"[\s\u00a0\u202f€$£]", "", str(value))
    if decimal == ",":
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise BadValue(str(_l("“%(value)s” is not a number.", value=value))) from None
    if not number.is_finite():
        raise BadValue(str(_l("“%(value)s” is not a number.", value=value)))
    return number


TRUE_WORDS = {"1", "oui", "o", "yes", "y", "vrai", "true", "x", "t"}
FALSE_WORDS = {"0", "non", "n", "no", "faux", "false", "f", ""}


def parse_bool(value: Any) -> bool:
    text = str(value).strip().casefold()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise BadValue(str(_l("“%(value)s” is neither yes nor no.", value=value)))
