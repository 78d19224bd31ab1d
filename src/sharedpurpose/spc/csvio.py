"""Fast CSV reading and writing for the ``spc`` command line.

Files are read whole and split with ``str`` methods, and columns are converted
with numpy; the ``csv`` module is used only for files with quoted fields. Every
error names the file, the line and the column.
"""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .results import FloatArray, IntArray


class CsvError(ValueError):
    """Bad input, located as ``FILE:LINE: column COL: message``."""

    def __init__(self, path: str, line: int | None, column: str | None, message: str):
        where = path if line is None else f"{path}:{line}"
        col = f" column {column}:" if column else ""
        super().__init__(f"{where}:{col} {message}")


@dataclass(frozen=True, slots=True)
class Table:
    """The columns of a CSV file as lists of stripped strings, and each row's line."""

    path: str
    header: tuple[str, ...]
    columns: dict[str, list[str]]
    lines: IntArray

    def __len__(self) -> int:
        return int(self.lines.shape[0])

    def require(self, names: Iterable[str]) -> None:
        missing = [c for c in names if c not in self.columns]
        if missing:
            raise CsvError(self.path, 1, missing[0], "missing column in the header")

    def line(self, row: int) -> int:
        return int(self.lines[row])


def read_csv(path: str) -> Table:
    with open(path, encoding="utf-8-sig", newline="") as f:
        text = f.read()
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if '"' in text:
        return _read_quoted(path, text)
    text = text.rstrip("\n")
    if not text:
        raise CsvError(path, 1, None, "empty file: expected a header row")
    head, sep, body = text.partition("\n")
    header = tuple(h.strip() for h in head.split(","))
    k = len(header)
    n_rows = body.count("\n") + 1 if sep else 0
    fields = body.replace("\n", ",").split(",") if n_rows else []
    if len(fields) != k * n_rows:
        for i, r in enumerate(body.split("\n")):
            if r.count(",") != k - 1:
                raise CsvError(path, i + 2, None, f"expected {k} fields, found {r.count(',') + 1}")
    if " " in body or "\t" in body:
        fields = [f.strip() for f in fields]
    cols = {name: fields[j::k] for j, name in enumerate(header)}
    return Table(path, header, cols, np.arange(2, n_rows + 2, dtype=np.int64))


def _read_quoted(path: str, text: str) -> Table:
    reader = csv.reader(io.StringIO(text))
    try:
        header = tuple(h.strip() for h in next(reader))
    except StopIteration:
        raise CsvError(path, 1, None, "empty file: expected a header row") from None
    k = len(header)
    data: list[list[str]] = []
    lines: list[int] = []
    start = reader.line_num + 1
    try:
        for row in reader:
            if row:
                if len(row) != k:
                    raise CsvError(path, start, None, f"expected {k} fields, found {len(row)}")
                data.append([v.strip() for v in row])
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise CsvError(path, reader.line_num, None, str(exc)) from None
    cols = {name: [r[j] for r in data] for j, name in enumerate(header)}
    return Table(path, header, cols, np.array(lines, dtype=np.int64))


def parse_numbers(table: Table, name: str, *, allow_missing: bool) -> FloatArray:
    """A numeric column; empty cells are NaN when ``allow_missing``."""
    col = table.columns[name]
    try:
        values = np.array(col, dtype=np.float64)
        empty = np.zeros(len(col), bool)
    except ValueError:
        empty = np.fromiter((not v for v in col), bool, len(col))
        try:
            values = np.array([v or "nan" for v in col], dtype=np.float64)
        except ValueError:
            for i, v in enumerate(col):
                try:
                    float(v or "nan")
                except ValueError:
                    raise CsvError(
                        table.path, table.line(i), name, f"{v!r} is not a number"
                    ) from None
            raise
    bad = ~np.isfinite(values) & ~empty
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CsvError(table.path, table.line(i), name, f"{col[i]!r} is not a finite number")
    if not allow_missing and empty.any():
        i = int(np.flatnonzero(empty)[0])
        raise CsvError(table.path, table.line(i), name, "value is missing")
    return values


def _is_date(text: str) -> bool:
    return len(text) == 10 and text[4] == "-" and text[7] == "-"


def parse_x(table: Table, name: str = "x") -> npt.NDArray[Any]:
    """ISO dates (datetime64[D]) or numbers (float64); all cells one kind."""
    col = table.columns[name]
    if not col:
        return np.zeros(0)
    if _is_date(col[0]):
        # numpy reads a 10-character date only as YYYY-MM-DD, so lengths suffice here
        if set(map(len, col)) != {10} and not all(map(_is_date, col)):
            i = next(i for i, v in enumerate(col) if not _is_date(v))
            what = (
                "value is missing"
                if not col[i]
                else (f"{col[i]!r} is not an ISO date (YYYY-MM-DD) like the rows before")
            )
            raise CsvError(table.path, table.line(i), name, what)
        try:
            return np.array(col, dtype="datetime64[D]")
        except ValueError:
            for i, v in enumerate(col):
                try:
                    np.datetime64(v, "D")
                except ValueError:
                    raise CsvError(
                        table.path, table.line(i), name, f"{v!r} is not a valid date"
                    ) from None
            raise
    try:
        return parse_numbers(table, name, allow_missing=False)
    except CsvError:
        for i, v in enumerate(col):
            if _is_date(v):
                raise CsvError(
                    table.path,
                    table.line(i),
                    name,
                    f"{v!r} is a date but earlier rows hold numbers",
                ) from None
        raise


def parse_x_value(text: str, like: npt.NDArray[Any]) -> Any:
    """One x value (e.g. a rebase point) of the same kind as ``like``."""
    if like.dtype.kind == "M":
        if not _is_date(text):
            raise ValueError(f"{text!r} is not an ISO date (YYYY-MM-DD)")
        return np.datetime64(text, "D")
    v = float(text)
    if not math.isfinite(v):
        raise ValueError(f"{text!r} is not a finite number")
    return v


def format_numbers(values: FloatArray) -> list[str]:
    """Shortest round-trip text of each value; whole numbers without ``.0``; NaN empty."""
    out: list[str] = list(map(repr, values.tolist()))
    with np.errstate(invalid="ignore"):
        whole = np.abs(values) < 2.0**53
        whole[whole] = values[whole] == np.floor(values[whole])
    for i in np.flatnonzero(whole).tolist():
        out[i] = out[i][:-2]  # repr of a whole float below 2**53 ends in ".0"
    for i in np.flatnonzero(np.isnan(values)).tolist():
        out[i] = ""
    return out


def format_constant_runs(values: FloatArray) -> list[str]:
    """:func:`format_numbers` for columns made of long runs of one value."""
    n = values.shape[0]
    if n == 0:
        return []
    start = np.empty(n, bool)
    start[0] = True
    np.not_equal(values[1:], values[:-1], out=start[1:])
    idx = np.flatnonzero(start)
    texts = np.array(format_numbers(values[idx]), dtype=object)
    run = np.cumsum(start) - 1
    return texts[run].tolist()  # type: ignore[no-any-return]


def format_x(x: npt.NDArray[Any]) -> list[str]:
    if x.dtype.kind == "M":
        return np.datetime_as_string(x, unit="D").tolist()  # type: ignore[no-any-return]
    return format_numbers(x.astype(np.float64))


def quote(value: str) -> str:
    if any(c in value for c in ',"\n\r') or value != value.strip():
        return '"' + value.replace('"', '""') + '"'
    return value


def render_rows(header: Sequence[str], columns: Sequence[Sequence[str]]) -> str:
    body = "\n".join(map(",".join, zip(*columns, strict=True)))
    return ",".join(header) + "\n" + (body + "\n" if body else "")


def write_atomic(path: str, text: str) -> None:
    """Write via a temporary file in the same folder, then rename into place."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".spc-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
