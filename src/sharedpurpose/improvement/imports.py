"""Read measure data from CSV and Excel files, with a report a spreadsheet user can act on.

Framework-light on purpose: nothing here touches the database, so the same code checks a
file for the preview, commits it, and runs in the benchmark. Rows are read as a stream;
nothing keeps a whole file in memory.

Line numbers are the row numbers a spreadsheet shows (the header row included), and columns
are named by their header, so a problem reads "Line 14, column value: 'abc' is not a number".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import IO, Any, NamedTuple

# What a column may hold; "" means the column is ignored.
PERIOD = "period"
VALUE = "value"
DENOMINATOR = "denominator"
MEASURE = "measure"
FIELDS = (PERIOD, VALUE, DENOMINATOR, MEASURE)
FIELD_LABELS = {
    PERIOD: "Period (date)",
    VALUE: "Value",
    DENOMINATOR: "Denominator (n)",
    MEASURE: "Measure name",
}

# Header names recognised for each field, compared lower-cased with spaces and punctuation
# collapsed to "_".
ALIASES: dict[str, tuple[str, ...]] = {
    PERIOD: (
        "period",
        "date",
        "x",
        "month",
        "week",
        "day",
        "period_start",
        "start_date",
        "month_start",
        "week_start",
        "week_starting",
        "week_commencing",
        "date_of_period",
    ),
    VALUE: ("value", "y", "count", "numerator", "events", "result", "rate", "score", "total"),
    DENOMINATOR: ("denominator", "n", "cases", "exposure", "population", "patients", "bed_days"),
    MEASURE: ("measure", "measure_name", "series", "indicator", "metric", "name"),
}

CSV_DELIMITERS = ",;\t"
SNIFF_BYTES = 64 * 1024
HEADER_SEARCH_ROWS = 20  # title rows above the header that a spreadsheet export may carry
PREVIEW_ROWS = 20
MAX_REPORTED_PROBLEMS = 200  # a file with a million bad rows still gets a readable report

# Excel's serial day numbers count from 30 December 1899 (the 1900 leap-year bug included).
EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_SERIAL_MIN = 1  # 1 January 1900
EXCEL_SERIAL_MAX = 2_958_465  # 31 December 9999

CHART_NEEDS_DENOMINATOR = frozenset({"p", "u"})
CHART_COUNTS = frozenset({"c", "g"})


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not a spreadsheet, no header row, bad encoding)."""


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        if self.line == 0:
            return f"Column {self.column}: {self.reason}"
        return f"Line {self.line}, column {self.column}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "reason": self.reason}


@dataclass
class ProblemLog:
    """Problems found so far; keeps the first ``MAX_REPORTED_PROBLEMS`` and counts the rest."""

    problems: list[Problem] = field(default_factory=list)
    count: int = 0

    def add(self, line: int, column: str, reason: str) -> None:
        self.count += 1
        if len(self.problems) < MAX_REPORTED_PROBLEMS:
            self.problems.append(Problem(line, column, reason))

    def __bool__(self) -> bool:
        return self.count > 0


@dataclass(frozen=True)
class SeriesRules:
    """What a measure accepts: how often it is measured, its chart and its unit."""

    frequency: str  # daily, weekly or monthly
    chart_type: str  # xmr, run, p, u, c or g
    unit: str = ""

    @property
    def is_percent(self) -> bool:
        return self.unit.strip() == "%"


class ParsedRow(NamedTuple):
    """A checked row (a named tuple: a million of them are made for a big file)."""

    line: int
    measure_key: str  # "" when the import is for one measure
    period: date
    value: float
    denominator: float | None


# Excel cells may also hold times of day and durations.
Cell = str | float | int | date | datetime | time | timedelta | None


@dataclass
class Table:
    """A file's header and a way to stream its rows as (line number, cells)."""

    header: list[str]
    header_line: int
    rows: Callable[[], Iterator[tuple[int, list[Cell]]]]


# Reading files ------------------------------------------------------------------------------


def file_kind(filename: str) -> str:
    """``csv`` or ``xlsx`` from the file name; ImportFileError for anything else."""
    lower = filename.lower()
    if lower.endswith((".csv", ".txt", ".tsv")):
        return "csv"
    if lower.endswith(".xlsx"):
        return "xlsx"
    raise ImportFileError("The file must be a CSV file (.csv) or an Excel workbook (.xlsx)")


@contextmanager
def table_open(stream: IO[bytes], kind: str) -> Iterator[Table]:
    """Open a binary stream as a :class:`Table`; rows may be streamed again while it is open."""
    if kind == "xlsx":
        with _xlsx_open(stream) as table:
            yield table
    else:
        yield _csv_table(stream)


def _csv_table(stream: IO[bytes]) -> Table:
    sample_bytes = stream.read(SNIFF_BYTES)
    if b"\x00" in sample_bytes:
        raise ImportFileError("The file is not a text CSV file; save it as CSV (UTF-8)")
    try:
        sample = sample_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is not an error.
        if exc.start < len(sample_bytes) - 4:
            raise ImportFileError(
                "The file is not UTF-8 text; save it as 'CSV UTF-8' and upload it again"
            ) from exc
        sample = sample_bytes[: exc.start].decode("utf-8-sig")
    delimiter = _sniff_delimiter(sample)

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        stream.seek(0)
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        try:
            reader = csv.reader(text, delimiter=delimiter)
            for line, record in enumerate(reader, start=1):
                yield line, list(record)
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                "The file is not UTF-8 text; save it as 'CSV UTF-8' and upload it again"
            ) from exc
        except csv.Error as exc:
            raise ImportFileError(f"The CSV file cannot be read: {exc}") from exc
        finally:
            text.detach()

    header_line, header = _find_header(rows())
    return Table(header=header, header_line=header_line, rows=rows)


def _sniff_delimiter(sample: str) -> str:
    lines = sample.splitlines()
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may cut the last line short
    try:
        return csv.Sniffer().sniff("\n".join(lines[:50]), delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        first = lines[0] if lines else ""
        counts = {d: first.count(d) for d in CSV_DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


@contextmanager
def _xlsx_open(stream: IO[bytes]) -> Iterator[Table]:
    from openpyxl import load_workbook

    unreadable = "The file is not an Excel workbook that can be read; save it as .xlsx"
    workbook = None
    # A damaged workbook fails deep inside zipfile, zlib or the XML parser, each its own way.
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
        sheet: Any = workbook.worksheets[0]
    except Exception as exc:
        if workbook is not None:
            workbook.close()
        raise ImportFileError(unreadable) from exc
    try:
        # Saved dimensions are often wrong; read what the sheet really holds.
        sheet.reset_dimensions()

        def rows() -> Iterator[tuple[int, list[Cell]]]:
            # Read-only sheets are parsed as they are read: damage may show on any row.
            try:
                for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    yield line, list(values)
            except Exception as exc:
                raise ImportFileError(unreadable) from exc

        header_line, header = _find_header(rows())
        yield Table(header=header, header_line=header_line, rows=rows)
    finally:
        workbook.close()


def _find_header(rows: Iterator[tuple[int, list[Cell]]]) -> tuple[int, list[str]]:
    """The first row naming a period column, else the first non-empty row of text."""
    first: tuple[int, list[str]] | None = None
    for index, (line, cells) in enumerate(rows):
        if index >= HEADER_SEARCH_ROWS:
            break
        texts = [_text(c) for c in cells]
        while texts and not texts[-1]:
            texts.pop()
        if not texts:
            continue
        if any(normalise(t) in ALIASES[PERIOD] for t in texts):
            return line, _unique_names(texts)
        if first is None and all(t and not _looks_numeric(t) for t in texts[:2]):
            first = (line, _unique_names(texts))
    if first is None:
        raise ImportFileError("The file has no header row naming its columns")
    return first


def _unique_names(texts: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for position, text in enumerate(texts, start=1):
        name = text or f"column {position}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        names.append(name)
    return names


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?[\d.,\s]+%?", text))


# Mapping columns ----------------------------------------------------------------------------


def mapping_suggest(header: Sequence[str], *, measure_names: Sequence[str] = ()) -> dict[str, int]:
    """Which column holds which field, guessed from the header names: ``{field: column}``.

    A column named after one of ``measure_names`` is taken as the value column.
    """
    names = [normalise(h) for h in header]
    suggested: dict[str, int] = {}
    for name in FIELDS:
        for position, column in enumerate(names):
            if column in ALIASES[name] and position not in suggested.values():
                suggested[name] = position
                break
    if VALUE not in suggested:
        wanted = {normalise(m) for m in measure_names}
        for position, column in enumerate(names):
            if column in wanted and position not in suggested.values():
                suggested[VALUE] = position
                break
    if PERIOD not in suggested:
        for position, column in enumerate(names):
            if re.search(r"date|month|week|period", column) and position not in suggested.values():
                suggested[PERIOD] = position
                break
    if VALUE not in suggested:
        # Files of one measure often name the value column after the measure itself.
        for position in range(len(names)):
            if position not in suggested.values():
                suggested[VALUE] = position
                break
    return suggested


def mapping_problems(
    mapping: dict[str, int], header: Sequence[str], *, one_measure: bool
) -> list[str]:
    """What is wrong with a mapping, in words; empty when it can be used."""
    problems = []
    if PERIOD not in mapping:
        problems.append("Choose the column that holds the period (date)")
    if VALUE not in mapping:
        problems.append("Choose the column that holds the value")
    if not one_measure and MEASURE not in mapping:
        problems.append(
            "Choose the column that names the measure, or start the import from a measure's page"
        )
    for name, position in mapping.items():
        if name not in FIELDS or not 0 <= position < len(header):
            problems.append(f"The mapping names a column the file does not have ({name})")
    if len(set(mapping.values())) != len(mapping):
        problems.append("Each column can hold only one thing")
    return problems


# Parsing cells ------------------------------------------------------------------------------

_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y")
_MONTH_FORMATS = ("%Y-%m", "%b %Y", "%B %Y", "%b-%y", "%b-%Y", "%m/%Y")
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?")


def parse_date(cell: Cell) -> date:
    """A date from ISO text, dd/mm/yyyy, a month name, an Excel date or serial number."""
    if type(cell) is str and len(cell) == 10:
        try:
            return date.fromisoformat(cell)  # the common case, first
        except ValueError:
            pass
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return _excel_serial(float(cell), str(cell))
    text = _text(cell)
    if not text:
        raise ValueError("the period is empty")
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    if "T" in text or " " in text[10:]:
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            pass
    for fmt in _DATE_FORMATS + _MONTH_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _excel_serial(float(text), text)
    raise ValueError(f"'{text}' is not a date (use 2024-04-01 or 01/04/2024)")


def _excel_serial(serial: float, text: str) -> date:
    if not EXCEL_SERIAL_MIN <= serial <= EXCEL_SERIAL_MAX:
        raise ValueError(f"'{text}' is not a date (use 2024-04-01 or 01/04/2024)")
    return EXCEL_EPOCH + timedelta(days=int(serial))


def parse_number(cell: Cell, *, percent: bool = False) -> float | None:
    """A number, or None for an empty cell. Thousands separators are allowed (``1,234.5``);
    ``95%`` is 0.95 when the measure is in per cent."""
    if type(cell) is str and cell and "_" not in cell:
        try:
            number = float(cell)  # the common case, first
        except ValueError:
            pass
        else:
            if number - number == 0:  # finite; NaN and infinities fall through and fail below
                return number
    if cell is None:
        return None
    if isinstance(cell, bool):
        raise ValueError(f"'{cell}' is not a number")
    if isinstance(cell, int | float):
        number = float(cell)
    elif isinstance(cell, date):
        raise ValueError(f"'{cell.isoformat()}' is a date, not a number")
    elif not isinstance(cell, str):
        raise ValueError(f"'{_text(cell)}' is not a number")
    else:
        text = cell.strip().replace("\u00a0", "").replace(" ", "")
        if not text:
            return None
        is_percent = text.endswith("%")
        if is_percent:
            if not percent:
                raise ValueError(f"'{cell.strip()}' is a percentage but the measure is not in %")
            text = text[:-1]
        if _THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        if not _NUMBER.fullmatch(text):
            raise ValueError(f"'{cell.strip()}' is not a number")
        number = float(text)
        if is_percent:
            number /= 100
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"'{cell}' is not a number")
    return number


# Checking points against the measure --------------------------------------------------------


def period_problem(period: date, frequency: str) -> str | None:
    """Why ``period`` cannot start a period of a measure of ``frequency``, or None."""
    if frequency == "monthly" and period.day != 1:
        return f"{period.isoformat()} is not the first day of a month (monthly data)"
    if frequency == "weekly" and period.weekday() != 0:
        return f"{period.isoformat()} is not a Monday (weekly data start on Mondays)"
    return None


def point_problems(
    value: float, denominator: float | None, chart_type: str
) -> list[tuple[str, str]]:
    """``(field, reason)`` pairs for a value and denominator the measure's chart cannot take."""
    problems: list[tuple[str, str]] = []
    if chart_type in CHART_NEEDS_DENOMINATOR:
        if denominator is None:
            problems.append((DENOMINATOR, f"a {chart_type} chart needs a denominator"))
        elif denominator <= 0:
            problems.append((DENOMINATOR, f"{denominator:g} is not above 0"))
        if value < 0:
            problems.append((VALUE, f"{value:g} is below 0"))
        elif chart_type == "p" and denominator and denominator > 0 and value > denominator:
            problems.append((VALUE, f"{value:g} is more than the denominator {denominator:g}"))
    elif chart_type in CHART_COUNTS and value < 0:
        problems.append((VALUE, f"{value:g} is below 0; a {chart_type} chart counts events"))
    return problems


class _SeenPeriods:
    """Which (measure, period) pairs a file has had, one byte per day per measure.

    A set of a million dates would cost far more than the bytes of the days they span.
    """

    def __init__(self) -> None:
        self._spans: dict[str, tuple[int, bytearray]] = {}

    def add(self, key: str, period: date) -> bool:
        """Record ``period``; False when it was already seen for ``key``."""
        day = period.toordinal()
        span = self._spans.get(key)
        if span is None:
            self._spans[key] = (day, bytearray(1))
            self._spans[key][1][0] = 1
            return True
        start, seen = span
        if day < start:
            seen[0:0] = bytes(start - day)
            start = day
            self._spans[key] = (start, seen)
        offset = day - start
        if offset >= len(seen):
            seen.extend(bytes(offset - len(seen) + 1))
        if seen[offset]:
            return False
        seen[offset] = 1
        return True


def rows_checked(
    table: Table,
    mapping: dict[str, int],
    *,
    rules_for: Callable[[str], SeriesRules | None],
    problems: ProblemLog,
    one_measure: bool,
) -> Iterator[ParsedRow]:
    """Stream the rows that pass every check; record a :class:`Problem` for each that fails.

    ``rules_for(name)`` gives the rules of the measure a row names (``""`` with
    ``one_measure``), or None when the team has no such measure. Rows with an empty value
    are skipped: they neither add nor clear a point. The same (measure, period) twice is a
    problem.
    """
    header = table.header
    period_at = mapping[PERIOD]
    value_at = mapping[VALUE]
    denominator_at = mapping.get(DENOMINATOR)
    measure_at = None if one_measure else mapping.get(MEASURE)
    period_name, value_name = header[period_at], header[value_at]
    denominator_name = header[denominator_at] if denominator_at is not None else DENOMINATOR
    measure_name = header[measure_at] if measure_at is not None else MEASURE
    seen = _SeenPeriods()
    rules_cache: dict[str, SeriesRules | None] = {}
    width = len(header)
    for line, cells in table.rows():
        if line <= table.header_line:
            continue
        if len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        first = cells[period_at]
        if (not first or (type(first) is str and first.isspace())) and _blank(cells):
            continue
        key = ""
        if measure_at is not None:
            cell = cells[measure_at]
            key = cell.strip() if type(cell) is str else _text(cell)
            if not key:
                problems.add(line, measure_name, "the measure is empty")
                continue
        if key not in rules_cache:
            rules_cache[key] = rules_for(key)
        rules = rules_cache[key]
        if rules is None:
            problems.add(line, measure_name, f"'{key}' is not a measure of this team")
            continue
        ok = True
        try:
            period = parse_date(cells[period_at])
        except ValueError as exc:
            problems.add(line, period_name, str(exc))
            ok = False
        else:
            reason = period_problem(period, rules.frequency)
            if reason:
                problems.add(line, period_name, reason)
                ok = False
        try:
            value = parse_number(cells[value_at], percent=rules.is_percent)
        except ValueError as exc:
            problems.add(line, value_name, str(exc))
            ok = False
            value = None
        denominator = None
        if denominator_at is not None:
            try:
                denominator = parse_number(cells[denominator_at])
            except ValueError as exc:
                problems.add(line, denominator_name, str(exc))
                ok = False
        if not ok or value is None:
            continue
        bad = point_problems(value, denominator, rules.chart_type)
        for name, reason in bad:
            problems.add(line, value_name if name == VALUE else denominator_name, reason)
        if bad:
            continue
        if not seen.add(key, period):
            problems.add(line, period_name, f"{period.isoformat()} appears more than once")
            continue
        yield ParsedRow(line, key, period, value, denominator)


def _blank(cells: list[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def preview_rows(table: Table, limit: int = PREVIEW_ROWS) -> list[tuple[int, list[str]]]:
    """The first ``limit`` rows under the header, as text, padded to the header's width."""
    width = len(table.header)
    rows: list[tuple[int, list[str]]] = []
    for line, cells in table.rows():
        if line <= table.header_line:
            continue
        texts = [_text(c) for c in cells][:width]
        if not any(texts):
            continue
        rows.append((line, texts + [""] * (width - len(texts))))
        if len(rows) >= limit:
            break
    return rows
