"""``sharedpurpose push`` and ``sharedpurpose pull``: a measure's data in and SPC results out,
through the REST API of a Shared Purpose site. Standard library only (``urllib``), no Django:
it runs wherever the data are, with nothing but Python.

    sharedpurpose push --measure ID FILE.csv [--url URL] [--token TOKEN]
    sharedpurpose pull --measure ID [--from DATE] [--to DATE] [--format csv|json]

The site's address and a personal API token (made on your account's *API tokens* page; read
and write for ``push``) come from ``--url`` and ``--token`` or from the environment variables
``SHAREDPURPOSE_URL`` and ``SHAREDPURPOSE_TOKEN``; the environment keeps the token out of
your shell history and the process list.

``push`` reads a CSV file with a header row naming the columns ``period,value`` and, for p
and u charts, ``denominator`` (in any order). Every row is checked before anything is sent;
problems are listed by line and column. Rows with an empty value are skipped. The points go
in requests of at most ``CHUNK_POINTS`` (10,000); each request is stored all or nothing, so
when one fails the earlier ones stay stored, and the command says which. Sending the same
file again changes nothing.

``pull`` prints the measure's SPC results, the numbers its chart on the site shows, as CSV
(``period,value,denominator,centre,lpl,upl,point_type``) or as the API's JSON.

Errors print ``error: ...`` (with one line per field problem) on standard error and exit
with status 1.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

#: Points per request; the API takes up to 100,000, smaller requests report progress sooner.
CHUNK_POINTS = 10_000
TIMEOUT_SECONDS = 300
#: Problems listed before the rest are only counted.
MAX_LISTED_PROBLEMS = 20
USER_AGENT = "sharedpurpose-cli/1"
COLUMNS = ("period", "value", "denominator")
REQUIRED_COLUMNS = ("period", "value")
PULL_COLUMNS = ("period", "value", "denominator", "centre", "lpl", "upl", "point_type")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ApiError(Exception):
    """A failure to show as ``error: <detail>`` followed by one line per field problem."""

    def __init__(self, detail: str, problems: Sequence[str] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = list(problems)

    def lines(self) -> list[str]:
        shown = [f"  {p}" for p in self.problems[:MAX_LISTED_PROBLEMS]]
        hidden = len(self.problems) - len(shown)
        if hidden > 0:
            shown.append(f"  ... and {hidden:,} more")
        return [f"error: {self.detail}", *shown]


@dataclass(frozen=True)
class FieldProblem:
    """A field error of a problem-details response: ``points.3.period`` and its reason."""

    field: str
    detail: str


class ProblemResponse(ApiError):
    """The server refused the request with RFC 9457 problem details."""

    def __init__(self, status: int, detail: str, fields: Sequence[FieldProblem] = ()) -> None:
        super().__init__(detail, [f"{f.field}: {f.detail}" for f in fields])
        self.status = status
        self.fields = list(fields)


# --------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------


def api_base(url: str) -> str:
    """The API's base address from a site's: ``https://site/`` -> ``https://site/api/v1/``."""
    parsed = urllib.parse.urlsplit(url.strip())
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise ApiError(f"{url!r} is not a web address; use e.g. https://sharedpurpose.example")
    path = parsed.path.rstrip("/")
    if not path.endswith("/api/v1"):
        path += "/api/v1"
    return urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, path + "/", "", ""))


@dataclass
class ApiClient:
    """Calls the API with a bearer token; answers JSON, raises :class:`ApiError`."""

    url: str
    token: str
    timeout: float = TIMEOUT_SECONDS
    base: str = field(init=False)

    def __post_init__(self) -> None:
        self.base = api_base(self.url)

    def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, str] | None = None,
        body: Any = None,
    ) -> Any:
        address = self.base + path.lstrip("/")
        if query:
            address += "?" + urllib.parse.urlencode(query)
        data = None if body is None else json.dumps(body, allow_nan=False).encode()
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/json, application/problem+json",
            "User-Agent": USER_AGENT,
        }
        if data is not None:
            headers["Content-Type"] = "application/json"
        # S310: api_base lets only http and https through, never file: or other schemes.
        request = urllib.request.Request(address, data=data, headers=headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                text = response.read()
        except urllib.error.HTTPError as exc:
            raise _problem(exc) from None
        except urllib.error.URLError as exc:
            raise ApiError(f"cannot reach {self.base}: {exc.reason}") from None
        except (TimeoutError, OSError) as exc:
            raise ApiError(f"no answer from {self.base}: {exc}") from None
        try:
            return json.loads(text)
        except ValueError:
            raise ApiError(f"the answer from {address} is not JSON") from None

    def points_bulk(self, points: list[dict[str, Any]]) -> dict[str, Any]:
        answer: dict[str, Any] = self.request("POST", "points/bulk", body={"points": points})
        return answer

    def measure_spc(
        self, measure_id: int, *, start: date | None = None, end: date | None = None
    ) -> dict[str, Any]:
        query = {}
        if start is not None:
            query["from"] = start.isoformat()
        if end is not None:
            query["to"] = end.isoformat()
        answer: dict[str, Any] = self.request("GET", f"measures/{measure_id}/spc", query=query)
        return answer


def _problem(exc: urllib.error.HTTPError) -> ApiError:
    """The problem details of an error response, or its status when it has none."""
    try:
        body = json.loads(exc.read() or b"null")
    except (ValueError, OSError):
        body = None
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        fields = [
            FieldProblem(str(e.get("field", "")), str(e.get("detail", "")))
            for e in body.get("errors") or []
            if isinstance(e, dict)
        ]
        return ProblemResponse(exc.code, body["detail"], fields)
    return ProblemResponse(exc.code, f"the server answered {exc.code} {exc.reason}")


# --------------------------------------------------------------------------
# Reading points from CSV
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvPoint:
    line: int
    period: date
    value: float
    denominator: float | None


@dataclass
class CsvPoints:
    points: list[CsvPoint]
    skipped: int  # rows with an empty value


def points_read(stream: IO[str], name: str = "the file") -> CsvPoints:
    """The points of a ``period,value[,denominator]`` CSV file; :class:`ApiError` listing
    every problem by line and column when any row is wrong."""
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ApiError(f"{name} cannot be read as CSV: {exc}") from None
    if header is None:
        raise ApiError(f"{name} is empty; it needs a header row: period,value[,denominator]")
    names = [h.strip().lower().lstrip("\ufeff") for h in header]
    problems = [
        f"line 1: column {n!r} is not one of {', '.join(COLUMNS)}"
        for n in names
        if n and n not in COLUMNS
    ]
    problems += [f"line 1: there is no {c!r} column" for c in REQUIRED_COLUMNS if c not in names]
    problems += [f"line 1: column {c!r} appears twice" for c in COLUMNS if names.count(c) > 1]
    if problems:
        raise ApiError(f"{name} needs a header row: period,value[,denominator]", problems)
    at = {n: i for i, n in enumerate(names) if n in COLUMNS}
    points: list[CsvPoint] = []
    skipped = 0
    first_line: dict[date, int] = {}
    try:
        for line, row in enumerate(reader, start=2):
            cells = [row[i].strip() if i < len(row) else "" for i in range(len(names))]
            if not any(cells):
                continue
            period_text, value_text = cells[at["period"]], cells[at["value"]]
            denominator_text = cells[at["denominator"]] if "denominator" in at else ""
            period = _period(period_text, line, problems)
            if not value_text:
                skipped += 1
                continue
            value = _number(value_text, line, "value", problems)
            denominator = (
                _number(denominator_text, line, "denominator", problems)
                if denominator_text
                else None
            )
            if period is None or value is None or (denominator_text and denominator is None):
                continue
            seen = first_line.setdefault(period, line)
            if seen != line:
                problems.append(
                    f"line {line}, column period: {period.isoformat()} appears more than once "
                    f"(first on line {seen})"
                )
                continue
            points.append(CsvPoint(line, period, value, denominator))
    except csv.Error as exc:
        raise ApiError(f"{name} cannot be read as CSV: {exc}") from None
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        raise ApiError(f"{name} has {len(problems):,} {noun}; nothing was sent", problems)
    return CsvPoints(points, skipped)


def _period(text: str, line: int, problems: list[str]) -> date | None:
    try:
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    shown = f"{text!r} is not a date" if text else "the period is empty"
    problems.append(f"line {line}, column period: {shown} (use 2024-04-01)")
    return None


def _number(text: str, line: int, column: str, problems: list[str]) -> float | None:
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or "_" in text:
        problems.append(f"line {line}, column {column}: {text!r} is not a number")
        return None
    return number


# --------------------------------------------------------------------------
# The commands
# --------------------------------------------------------------------------


def _connection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url",
        default=os.environ.get("SHAREDPURPOSE_URL"),
        help="the site's address, e.g. https://sharedpurpose.example (SHAREDPURPOSE_URL)",
    )
    parser.add_argument(
        "--token",
        default=os.environ.get("SHAREDPURPOSE_TOKEN"),
        help="a personal API token, sp_… (SHAREDPURPOSE_TOKEN; safer than the command line)",
    )


def _client(args: argparse.Namespace) -> ApiClient:
    if not args.url:
        raise ApiError("no site address: pass --url or set SHAREDPURPOSE_URL")
    if not args.token:
        raise ApiError("no API token: set SHAREDPURPOSE_TOKEN or pass --token")
    return ApiClient(args.url, args.token)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (use 2024-04-01)") from None


def _fail(error: ApiError) -> int:
    for line in error.lines():
        print(line, file=sys.stderr)
    return 1


def push_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="sharedpurpose push",
        description="Send a measure's points from a CSV file (period,value[,denominator]).",
        epilog=f"Points are sent in requests of at most {CHUNK_POINTS:,}; each request is "
        "stored all or nothing. Sending the same file again changes nothing.",
    )
    parser.add_argument("--measure", type=int, required=True, help="the measure's id")
    parser.add_argument("file", help="the CSV file, or - for standard input")
    _connection_arguments(parser)
    args = parser.parse_args(argv)
    try:
        client = _client(args)
        if args.file == "-":
            read = points_read(sys.stdin, "standard input")
        else:
            try:
                with open(args.file, encoding="utf-8-sig", newline="") as stream:
                    read = points_read(stream, args.file)
            except (OSError, UnicodeDecodeError) as exc:
                raise ApiError(f"cannot read {args.file}: {exc}") from None
        return _push(client, args.measure, read)
    except ApiError as error:
        return _fail(error)


def _push(client: ApiClient, measure_id: int, read: CsvPoints) -> int:
    points = read.points
    chunks = [points[i : i + CHUNK_POINTS] for i in range(0, len(points), CHUNK_POINTS)]
    totals = {"created": 0, "updated": 0, "unchanged": 0}
    if read.skipped:
        print(f"skipped {read.skipped:,} rows with no value", file=sys.stderr)
    for number, chunk in enumerate(chunks, start=1):
        where = f"chunk {number}/{len(chunks)} (lines {chunk[0].line}–{chunk[-1].line})"
        body = [
            {
                "measure": measure_id,
                "period": p.period.isoformat(),
                "value": p.value,
                "denominator": p.denominator,
            }
            for p in chunk
        ]
        try:
            answer = client.points_bulk(body)
        except ApiError as error:
            if isinstance(error, ProblemResponse):
                error.problems = [_on_line(f, chunk) for f in error.fields]
            stored = (
                "nothing was stored"
                if number == 1
                else f"chunks 1–{number - 1} (lines {chunks[0][0].line}–"
                f"{chunks[number - 2][-1].line}) were stored; this chunk and the rest were not"
            )
            error.detail = f"{where}: {error.detail} ({stored})"
            return _fail(error)
        for key in totals:
            totals[key] += int(answer.get(key, 0))
        print(
            f"{where}: {answer.get('created', 0):,} created, {answer.get('updated', 0):,} "
            f"updated, {answer.get('unchanged', 0):,} unchanged",
            file=sys.stderr,
        )
    print(
        f"created {totals['created']:,}, updated {totals['updated']:,}, "
        f"unchanged {totals['unchanged']:,}"
    )
    return 0


def _on_line(problem: FieldProblem, chunk: list[CsvPoint]) -> str:
    """``points.3.period: reason`` as ``line 5, column period: reason`` of the file."""
    match = re.fullmatch(r"points\.(\d+)\.(\w+)", problem.field)
    if match is None or int(match[1]) >= len(chunk):
        return f"{problem.field}: {problem.detail}"
    line = chunk[int(match[1])].line
    if match[2] in COLUMNS:
        return f"line {line}, column {match[2]}: {problem.detail}"
    return f"line {line}: {problem.detail}"


def pull_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="sharedpurpose pull",
        description="Print a measure's SPC results: the numbers its chart on the site shows.",
    )
    parser.add_argument("--measure", type=int, required=True, help="the measure's id")
    parser.add_argument("--from", dest="start", type=_iso_date, help="first period (ISO date)")
    parser.add_argument("--to", dest="end", type=_iso_date, help="last period (ISO date)")
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    _connection_arguments(parser)
    args = parser.parse_args(argv)
    try:
        result = _client(args).measure_spc(args.measure, start=args.start, end=args.end)
    except ApiError as error:
        return _fail(error)
    if args.format == "json":
        json.dump(result, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(spc_csv(result))
    return 0


def spc_csv(result: dict[str, Any]) -> str:
    """The points of an SPC result as ``period,value,denominator,centre,lpl,upl,point_type``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PULL_COLUMNS)
    for point in result.get("points", []):
        writer.writerow(
            [
                point.get("period", ""),
                _cell(point.get("value")),
                _cell(point.get("denominator")),
                _cell(point.get("centre")),
                _cell(point.get("lower_process_limit")),
                _cell(point.get("upper_process_limit")),
                point.get("point_type") or "",
            ]
        )
    return out.getvalue()


def _cell(number: Any) -> str:
    return "" if number is None else repr(float(number))
