"""``sharedpurpose spc``: SPC charts for many series from CSV, as CSV.

    sharedpurpose spc INPUT.csv [--chart xmr|run|p|pp|u|up|c|g]
        [--options OPTIONS.csv] [--output OUT.csv] [--summary SUMMARY.csv] [--svg DIR]

INPUT.csv has columns ``series,x,y`` (and ``n`` for p, p', u and u' charts); x is
an ISO date or a number, y a number or empty for a missing value. OPTIONS.csv
has ``series`` and any of ``improvement_direction,target,rebase,
fix_after_n_points,screen_outliers`` (``rebase`` lists x values separated by
``;``); an empty cell means the default. Bad input exits with status 2 and a
``FILE:LINE: column COL: message`` on standard error, having written nothing.

Only numpy and the standard library are imported, to keep start-up quick.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from .csvio import (
    CsvError,
    Table,
    format_constant_runs,
    format_numbers,
    format_x,
    parse_numbers,
    parse_x,
    parse_x_value,
    quote,
    read_csv,
    render_rows,
    write_atomic,
)
from .grouping import DIRECTIONS, MIN_FIX_AFTER_N_POINTS, SeriesOptions, SpcInputError
from .results import BatchResult, FloatArray

CHARTS = ("xmr", "run", "p", "pp", "u", "up", "c", "g")
NEEDS_N = frozenset({"p", "pp", "u", "up"})
PROPORTIONS = frozenset({"p", "pp"})

POINT_COLUMNS = ("series", "x", "y", "mean", "lpl", "upl", "special_cause_rule", "point_type")
EXTRA_POINT_COLUMNS = ("value", "centre")
SUMMARY_COLUMNS = ("series", "n_points", "variation_icon", "assurance_icon")
RUNS_COLUMNS = ("longest_run", "longest_run_max", "n_crossings", "n_crossings_min", "runs_signal")
OPTION_COLUMNS = (
    "improvement_direction",
    "target",
    "rebase",
    "fix_after_n_points",
    "screen_outliers",
)
_TRUE = frozenset({"true", "t", "yes", "1"})
_FALSE = frozenset({"false", "f", "no", "0"})

BatchFunction = Callable[..., BatchResult]


def _xmr(series: Any, x: Any, y: Any, n: Any, options: SeriesOptions) -> BatchResult:
    from .batch import xmr_batch

    return xmr_batch(series, x, y, options=options)


def _family(chart: str) -> BatchFunction:
    def run(series: Any, x: Any, y: Any, n: Any, options: SeriesOptions) -> BatchResult:
        from .attribute import chart_batch

        return chart_batch(chart, series, x, y, n, options=options)

    return run


#: One line per chart family: the batch function computing it.
DISPATCH: dict[str, BatchFunction] = {"xmr": _xmr, **{c: _family(c) for c in CHARTS[1:]}}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sharedpurpose spc",
        description="Statistical process control charts for many series, CSV in and out.",
    )
    p.add_argument("input", metavar="INPUT.csv", help="columns series,x,y (and n for p/u)")
    p.add_argument("--chart", choices=CHARTS, default="xmr", help="chart type (default xmr)")
    p.add_argument("--options", metavar="OPTIONS.csv", help="per-series options")
    p.add_argument("--output", metavar="OUT.csv", help="per-point results (default stdout)")
    p.add_argument("--summary", metavar="SUMMARY.csv", help="per-series icons")
    p.add_argument("--svg", metavar="DIR", help="write one SVG chart per series into DIR")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result, targets, x_text = _compute(args)
        outputs = _render(args, result, targets, x_text)
    except (CsvError, OSError) as exc:
        print(f"sharedpurpose spc: error: {exc}", file=sys.stderr)
        return 2
    for path, text in outputs:
        if path == "-":
            sys.stdout.write(text)
        else:
            write_atomic(path, text)
    _report_warnings(result)
    return 0


def _compute(args: argparse.Namespace) -> tuple[BatchResult, dict[str, float], list[str]]:
    table = read_csv(args.input)
    need = ["series", "x", "y"] + (["n"] if args.chart in NEEDS_N else [])
    table.require(need)
    series = np.array(table.columns["series"], dtype=str)
    x = parse_x(table)
    y = parse_numbers(table, "y", allow_missing=True)
    n: FloatArray | None = None
    if args.chart in NEEDS_N:
        n = parse_numbers(table, "n", allow_missing=True)
        _check_denominators(table, y, n, args.chart)
    options, targets = (
        (SeriesOptions(), {})
        if args.options is None
        else _read_options(args.options, table.columns["series"], x)
    )
    try:
        result = DISPATCH[args.chart](series, x, y, n, options)
    except SpcInputError as exc:
        raise _locate(exc, table, args.options) from None
    return result, targets, table.columns["x"]


def _check_denominators(table: Table, y: FloatArray, n: FloatArray, chart: str) -> None:
    with np.errstate(invalid="ignore"):
        bad = n < 0
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise CsvError(table.path, table.line(i), "n", "n must not be negative")
        if chart in PROPORTIONS:
            bad = y > n
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise CsvError(
                    table.path,
                    table.line(i),
                    "y",
                    f"y ({y[i]:g}) exceeds n ({n[i]:g}) on a proportion chart",
                )


def _locate(exc: SpcInputError, table: Table, options_path: str | None) -> CsvError:
    if exc.index is not None and exc.field in ("x", "y", "n"):
        return CsvError(table.path, table.line(exc.index), exc.field, str(exc))
    return CsvError(options_path or table.path, None, exc.field, str(exc))


def _read_options(
    path: str, series: list[str], x: npt.NDArray[Any]
) -> tuple[SeriesOptions, dict[str, float]]:
    t = read_csv(path)
    t.require(["series"])
    known = set(series)
    ids = t.columns["series"]
    seen: dict[str, int] = {}
    for i, s in enumerate(ids):
        if s not in known:
            raise CsvError(path, t.line(i), "series", f"series {s!r} is not in the input")
        if s in seen:
            raise CsvError(
                path, t.line(i), "series", f"series {s!r} already has options on line {seen[s]}"
            )
        seen[s] = t.line(i)
    m = len(ids)

    def cells(name: str) -> list[str]:
        return t.columns[name] if name in t.columns else [""] * m

    directions = cells("improvement_direction")
    for i, d in enumerate(directions):
        if d and d not in DIRECTIONS:
            raise CsvError(
                path,
                t.line(i),
                "improvement_direction",
                f"{d!r} is not one of increase, decrease, neutral",
            )
    target = parse_numbers(t, "target", allow_missing=True) if "target" in t.columns else None
    fix = None
    if "fix_after_n_points" in t.columns:
        fix = parse_numbers(t, "fix_after_n_points", allow_missing=True)
        for i, v in enumerate(fix.tolist()):
            if v == v and (v != int(v) or v < MIN_FIX_AFTER_N_POINTS):
                raise CsvError(
                    path,
                    t.line(i),
                    "fix_after_n_points",
                    f"must be a whole number >= {MIN_FIX_AFTER_N_POINTS}",
                )
    screen: list[bool] = []
    for i, s in enumerate(cells("screen_outliers")):
        low = s.lower()
        if low not in _TRUE and low not in _FALSE and low:
            raise CsvError(path, t.line(i), "screen_outliers", f"{s!r} is not true or false")
        screen.append(low not in _FALSE)
    rb_series: list[str] = []
    rb_x: list[Any] = []
    for i, cell in enumerate(cells("rebase")):
        for part in filter(None, (p.strip() for p in cell.split(";"))):
            try:
                rb_x.append(parse_x_value(part, x))
            except ValueError as exc:
                raise CsvError(path, t.line(i), "rebase", str(exc)) from None
            rb_series.append(ids[i])
    targets = (
        {}
        if target is None
        else {s: v for s, v in zip(ids, target.tolist(), strict=True) if v == v}
    )
    opts = SeriesOptions(
        series=np.array(ids, dtype=str),
        improvement_direction=directions,
        target=target,
        fix_after_n_points=fix,
        screen_outliers=np.array(screen, bool),
        rebase_series=np.array(rb_series, dtype=str),
        rebase_x=np.array(rb_x, dtype=x.dtype),
    )
    return opts, targets


def _series_column(r: BatchResult) -> list[str]:
    ids = [str(s) for s in r.series_ids.tolist()]
    quoted = [quote(s) for s in ids]
    if quoted == ids:
        ids_col: list[str] = r.series.astype(str).tolist()
        return ids_col
    return np.repeat(np.array(quoted, dtype=object), np.diff(r.offsets)).tolist()


def _x_column(r: BatchResult, x_text: list[str]) -> list[str]:
    """x as the input spelled it (validated), else formatted from the values."""
    if r.source_index is None:
        return format_x(r.x)
    if r.x.dtype.kind == "M":
        return list(map(x_text.__getitem__, r.source_index.tolist()))
    return format_numbers(r.x.astype(np.float64))


def _render(
    args: argparse.Namespace, r: BatchResult, targets: dict[str, float], x_text: list[str]
) -> list[tuple[str, str]]:
    extra = args.chart != "xmr"
    header = POINT_COLUMNS + (EXTRA_POINT_COLUMNS if extra else ())
    cols = [
        _series_column(r),
        _x_column(r, x_text),
        format_numbers(r.y),
        format_constant_runs(r.mean),
        format_constant_runs(r.lpl),
        format_constant_runs(r.upl),
        r.special_cause_rule.tolist(),
        r.point_type.tolist(),
    ]
    if extra:
        cols += [format_numbers(r.value), format_constant_runs(r.centre)]
    outputs = [(args.output or "-", render_rows(header, cols))]
    if args.summary:
        outputs.append((args.summary, _summary(r, extra)))
    if args.svg:
        outputs += _svgs(args.svg, r, targets)
    return outputs


def _summary(r: BatchResult, extra: bool) -> str:
    ids = [quote(str(s)) for s in r.series_ids.tolist()]
    cols: list[list[str]] = [
        ids,
        np.diff(r.offsets).astype(str).tolist(),
        r.variation_icon.tolist(),
        r.assurance_icon.tolist(),
    ]
    header: tuple[str, ...] = SUMMARY_COLUMNS
    if extra:
        header += RUNS_COLUMNS
        for name in RUNS_COLUMNS[:-1]:
            col = getattr(r, name)
            cols.append(
                [""] * len(ids) if col is None else ["" if v < 0 else str(v) for v in col.tolist()]
            )
        sig = r.runs_signal
        cols.append(
            [""] * len(ids) if sig is None else ["true" if v else "false" for v in sig.tolist()]
        )
    return render_rows(header, cols)


def _svgs(folder: str, r: BatchResult, targets: dict[str, float]) -> list[tuple[str, str]]:
    from .svg import render_chart

    os.makedirs(folder, exist_ok=True)
    used: set[str] = set()
    out = []
    for i, sid in enumerate(r.series_ids.tolist()):
        name = re.sub(r"[^A-Za-z0-9._-]", "_", str(sid)) or "series"
        base, k = name, 1
        while name.lower() in used:
            k += 1
            name = f"{base}-{k}"
        used.add(name.lower())
        svg = render_chart(r.series_result(i), title=str(sid), target=targets.get(str(sid)))
        out.append((os.path.join(folder, name + ".svg"), svg))
    return out


def _report_warnings(r: BatchResult) -> None:
    counts: dict[str, int] = {}
    for msgs in r.warnings:
        for m in msgs:
            counts[m] = counts.get(m, 0) + 1
    for msg, count in counts.items():
        print(f"sharedpurpose spc: warning ({count} series): {msg}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
