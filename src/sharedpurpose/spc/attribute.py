"""Attribute control charts (p, p′, u, u′, c, g), computed as qicharts2 computes them.

Formulas follow qicharts2's ``qic.p``, ``qic.pp``, ``qic.u``, ``qic.up``,
``qic.c`` and ``qic.g`` (R/helper.functions.R):

* p: value ``y/n``; centre ``sum(y)/sum(n)`` over the baseline; limits
  ``centre ± 3·sqrt(centre(1 − centre)/n)`` per point, clamped to [0, 1].
* p′ (Laney): the p chart sigma multiplied by ``sigma_z``, the average moving
  range of the standardised values ``z = (p − centre)/sigma`` divided by 1.128,
  after dropping moving ranges of at least 3.267 times their mean (qicharts2's
  ``qic.screenedmr`` option, on whenever the package is attached).
* u: value ``y/n``; centre ``sum(y)/sum(n)``; limits ``centre ± 3·sqrt(centre/n)``,
  lower limit clamped at 0. u′ (Laney) scales the sigma as p′ does.
* c: value ``y``; centre ``mean(y)``; limits ``centre ± 3·sqrt(centre)``, lower
  limit clamped at 0.
* g: value ``y`` (cases or days between events); limits from the mean ``m``,
  ``m ± 3·sqrt(m(m + 1))`` with the lower limit clamped at 0; the centre line
  drawn is the median, and the runs analysis uses it.

Every family is split into periods at the ``rebase`` x values (qicharts2
``part``); ``fix_after_n_points`` computes each period's centre and sigma from
its first points only (qicharts2 ``freeze``). A point strictly outside its
limits is a sigma signal (``special_cause_rule == "astronomical"``); the Anhøj
runs rules are applied against the centre line as for run charts.

Example:
    >>> r = p_chart([2, 3, 1, 4], [20, 20, 20, 20])
    >>> round(float(r.centre[0]), 4), round(float(r.upl[0]), 4), float(r.lpl[0])
    (0.125, 0.3469, 0.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt

from sharedpurpose.spc.grouping import (
    Layout,
    SeriesOptions,
    SpcInputError,
    make_layout,
    series_codes,
)
from sharedpurpose.spc.results import BatchResult, ChartResult, FloatArray
from sharedpurpose.spc.runs import (
    ChartDetail,
    LinesFunction,
    PeriodLines,
    SeriesSpec,
    build_chart,
    r_mean,
    r_median,
    run_lines,
)

__all__ = [
    "CHARTS",
    "MR_SCREEN_FACTOR",
    "SIGMA_LIMIT",
    "D2",
    "c_chart",
    "chart_batch",
    "chart_detail",
    "g_chart",
    "laney_sigma_z",
    "p_chart",
    "u_chart",
]

# qicharts2 helper.functions.R: every control limit is centre ± 3 sigma.
SIGMA_LIMIT = 3.0
# d2 for moving ranges of two points (Montgomery 6.33), as qicharts2 uses.
D2 = 1.128
# D4 for n = 2: qicharts2 screens out moving ranges at or above 3.267 × their mean
# (Nelson 1982) when option qic.screenedmr is TRUE, its default once attached.
MR_SCREEN_FACTOR = 3.267

CHARTS = ("run", "p", "pp", "u", "up", "c", "g")


def laney_sigma_z(
    value: FloatArray,
    centre: float,
    sigma: FloatArray,
    base: npt.NDArray[np.bool_],
    *,
    screen_moving_ranges: bool = True,
) -> float:
    """Laney's between-subgroup factor: average moving range of z over the baseline / d2.

    >>> v = np.array([0.1, 0.2, 0.1, 0.2])
    >>> laney_sigma_z(v, 0.15, np.full(4, 0.05), np.ones(4, bool))
    1.773049645390071
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (value[base] - centre) / sigma[base]
    mr = np.abs(np.diff(z))
    amr = r_mean(mr)
    if screen_moving_ranges and math.isfinite(amr):
        with np.errstate(invalid="ignore"):
            kept = mr[mr < MR_SCREEN_FACTOR * amr]
        amr = r_mean(kept)
    return amr / D2


def _ratio_lines(
    y: FloatArray,
    n: FloatArray | None,
    base: npt.NDArray[np.bool_],
    *,
    proportion: bool,
    laney: bool,
    screen: bool,
) -> PeriodLines:
    if n is None:
        raise ValueError("this chart needs denominators n")
    value = y / n
    b = base & np.isfinite(value)
    centre = math.fsum(y[b].tolist()) / math.fsum(n[b].tolist()) if np.any(b) else math.nan
    sigma = np.sqrt(centre * (1.0 - centre) / n) if proportion else np.sqrt(centre / n)
    if laney:
        sigma = sigma * laney_sigma_z(value, centre, sigma, base, screen_moving_ranges=screen)
    lpl = centre - SIGMA_LIMIT * sigma
    upl = centre + SIGMA_LIMIT * sigma
    lpl = np.where(np.isfinite(lpl) & (lpl < 0.0), 0.0, lpl)
    if proportion:
        upl = np.where(np.isfinite(upl) & (upl > 1.0), 1.0, upl)
    return PeriodLines(value, centre, centre, lpl, upl)


def _c_lines(y: FloatArray, n: FloatArray | None, base: npt.NDArray[np.bool_]) -> PeriodLines:
    centre = r_mean(y[base])
    sigma = math.sqrt(centre) if centre >= 0 else math.nan
    lpl = centre - SIGMA_LIMIT * sigma
    lpl = 0.0 if lpl < 0 else lpl
    upl = centre + SIGMA_LIMIT * sigma
    return PeriodLines(y.copy(), centre, centre, np.full(y.shape, lpl), np.full(y.shape, upl))


def _g_lines(y: FloatArray, n: FloatArray | None, base: npt.NDArray[np.bool_]) -> PeriodLines:
    mean = r_mean(y[base])
    sigma = math.sqrt(mean * (mean + 1.0)) if mean >= 0 else math.nan
    lpl = mean - SIGMA_LIMIT * sigma
    lpl = 0.0 if lpl < 0 else lpl
    upl = mean + SIGMA_LIMIT * sigma
    # qicharts2 computes the limits from the mean but draws the median.
    centre = r_median(y[base])
    return PeriodLines(y.copy(), centre, mean, np.full(y.shape, lpl), np.full(y.shape, upl))


def _family(chart: str, screen_moving_ranges: bool = True) -> tuple[LinesFunction, bool]:
    """The lines function of ``chart`` and whether it needs denominators."""
    if chart == "run":
        return run_lines, False
    if chart in ("p", "pp", "u", "up"):
        fn = partial(
            _ratio_lines,
            proportion=chart.startswith("p"),
            laney=chart.endswith("p") and len(chart) == 2,
            screen=screen_moving_ranges,
        )
        return fn, True
    if chart == "c":
        return _c_lines, False
    if chart == "g":
        return _g_lines, False
    raise SpcInputError(f"chart must be one of {CHARTS}, not {chart!r}", field="chart")


def chart_detail(
    chart: str,
    y: npt.ArrayLike,
    n: npt.ArrayLike | None = None,
    x: npt.ArrayLike | None = None,
    *,
    rebase: Sequence[Any] = (),
    fix_after_n_points: int | None = None,
    improvement_direction: str = "increase",
    target: float | None = None,
    screen_moving_ranges: bool = True,
) -> ChartDetail:
    """Any family by name, with qicharts2's per-point ``sigma_signal`` and ``runs_signal``.

    ``detail.result`` is the :class:`ChartResult`; ``detail.periods`` holds the
    runs analysis of every period, not only the last.

    >>> d = chart_detail("c", [1, 2, 1, 2, 1, 12])
    >>> d.sigma_signal.tolist()[-1], len(d.periods)
    (True, 1)
    """
    lines, needs_n = _family(chart, screen_moving_ranges)
    spec = SeriesSpec(tuple(rebase), fix_after_n_points, improvement_direction, target)
    return build_chart(
        chart, y, None if chart in ("c", "g") else n, x, spec, lines, needs_n=needs_n
    )


def _single(
    chart: str,
    y: npt.ArrayLike,
    n: npt.ArrayLike | None,
    x: npt.ArrayLike | None,
    rebase: Sequence[Any],
    fix_after_n_points: int | None,
    improvement_direction: str,
    target: float | None,
    screen_moving_ranges: bool,
) -> ChartResult:
    lines, needs_n = _family(chart, screen_moving_ranges)
    spec = SeriesSpec(tuple(rebase), fix_after_n_points, improvement_direction, target)
    return build_chart(chart, y, n, x, spec, lines, needs_n=needs_n).result


def p_chart(
    y: npt.ArrayLike,
    n: npt.ArrayLike,
    x: npt.ArrayLike | None = None,
    *,
    laney: bool = False,
    rebase: Sequence[Any] = (),
    fix_after_n_points: int | None = None,
    improvement_direction: str = "increase",
    target: float | None = None,
    screen_moving_ranges: bool = True,
) -> ChartResult:
    """p chart (or Laney's p′ chart with ``laney=True``) of ``y`` cases out of ``n``.

    Values and limits are proportions (0–1). ``chart`` is ``"p"`` or ``"pp"``.

    >>> r = p_chart([5, 9, 7], [50, 60, 55], laney=True)
    >>> r.chart, round(float(r.centre[0]), 6)
    ('pp', 0.127273)
    """
    return _single(
        "pp" if laney else "p",
        y,
        n,
        x,
        rebase,
        fix_after_n_points,
        improvement_direction,
        target,
        screen_moving_ranges,
    )


def u_chart(
    y: npt.ArrayLike,
    n: npt.ArrayLike,
    x: npt.ArrayLike | None = None,
    *,
    laney: bool = False,
    rebase: Sequence[Any] = (),
    fix_after_n_points: int | None = None,
    improvement_direction: str = "increase",
    target: float | None = None,
    screen_moving_ranges: bool = True,
) -> ChartResult:
    """u chart (or Laney's u′ chart with ``laney=True``) of ``y`` events per ``n`` units.

    >>> r = u_chart([4, 6, 5], [1000, 1200, 1100])
    >>> round(float(r.centre[0]), 6), float(r.lpl[0])
    (0.004545, 0.0)
    """
    return _single(
        "up" if laney else "u",
        y,
        n,
        x,
        rebase,
        fix_after_n_points,
        improvement_direction,
        target,
        screen_moving_ranges,
    )


def c_chart(
    y: npt.ArrayLike,
    x: npt.ArrayLike | None = None,
    *,
    rebase: Sequence[Any] = (),
    fix_after_n_points: int | None = None,
    improvement_direction: str = "increase",
    target: float | None = None,
) -> ChartResult:
    """c chart of event counts ``y``.

    >>> r = c_chart([4, 9, 5, 6])
    >>> float(r.centre[0]), round(float(r.upl[0]), 4)
    (6.0, 13.3485)
    """
    return _single("c", y, None, x, rebase, fix_after_n_points, improvement_direction, target, True)


def g_chart(
    y: npt.ArrayLike,
    x: npt.ArrayLike | None = None,
    *,
    rebase: Sequence[Any] = (),
    fix_after_n_points: int | None = None,
    improvement_direction: str = "increase",
    target: float | None = None,
) -> ChartResult:
    """g chart of ``y`` cases (or days) between events: median centre, limits from the mean.

    ``mean`` holds the mean the limits come from.

    >>> r = g_chart([10, 30, 20, 60])
    >>> float(r.centre[0]), float(r.mean[0]), float(r.lpl[0]), round(float(r.upl[0]), 3)
    (25.0, 30.0, 0.0, 121.488)
    """
    return _single("g", y, None, x, rebase, fix_after_n_points, improvement_direction, target, True)


def chart_batch(
    chart: str,
    series: npt.ArrayLike,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    n: npt.ArrayLike | None = None,
    *,
    options: SeriesOptions | None = None,
    improvement_direction: str = "increase",
    target: float | None = None,
    fix_after_n_points: int | None = None,
    screen_moving_ranges: bool = True,
) -> BatchResult:
    """Many series of one chart family (``run``, ``p``, ``pp``, ``u``, ``up``, ``c``, ``g``).

    ``series``, ``x``, ``y`` (and ``n``) are columns of equal length, one row per
    point, in any order. The keyword values apply to every series; ``options``
    (the same :class:`~sharedpurpose.spc.grouping.SeriesOptions` the XmR batch
    takes) overrides them per series and lists rebase points. Its
    ``screen_outliers`` column is not used: qicharts2 screens Laney moving ranges
    by a package-wide option, ``screen_moving_ranges`` here. Series come out in
    ascending id order, points in x order; each is computed exactly as the
    single-series function computes it. The Anhøj columns hold -1 where a
    series' last period has no useful point.

    >>> b = chart_batch("c", ["a", "a", "b", "b"], [1, 2, 1, 2], [3, 5, 2, 2])
    >>> b.series_ids.tolist(), b.centre.tolist()
    (['a', 'b'], [4.0, 4.0, 2.0, 2.0])
    """
    lines, needs_n = _family(chart, screen_moving_ranges)
    ys = np.asarray(y, dtype=np.float64)
    ns = None if n is None or chart in ("c", "g") else np.asarray(n, dtype=np.float64)
    if ns is None and needs_n:
        raise SpcInputError(f"a {chart} chart needs denominators n", field="n")
    opts = options if options is not None else SeriesOptions()
    layout = make_layout(series, x, opts.rebase_series, opts.rebase_x)
    if ys.shape != (layout.codes.shape[0],) or (ns is not None and ns.shape != ys.shape):
        raise SpcInputError("series, x, y and n must be columns of the same length")
    ys = layout.take(ys)
    if ns is not None:
        ns = layout.take(ns)
    specs = _series_specs(layout, opts, improvement_direction, target, fix_after_n_points)
    results: list[ChartResult] = []
    for i, spec in enumerate(specs):
        lo, hi = int(layout.offsets[i]), int(layout.offsets[i + 1])
        detail = build_chart(
            chart,
            ys[lo:hi],
            None if ns is None else ns[lo:hi],
            layout.x[lo:hi],
            spec,
            lines,
            needs_n=needs_n,
        )
        results.append(detail.result)
    return _assemble(chart, layout.series_ids, results, with_n=ns is not None)


def _series_specs(
    layout: Layout,
    options: SeriesOptions,
    improvement_direction: str,
    target: float | None,
    fix_after_n_points: int | None,
) -> list[SeriesSpec]:
    """One :class:`SeriesSpec` per series: defaults overlaid with the option rows."""
    k = layout.n_series
    direction = [improvement_direction] * k
    targets: list[float | None] = [target] * k
    fixes: list[int | None] = [fix_after_n_points] * k
    rebases: list[list[Any]] = [[] for _ in range(k)]
    # The layout already matched rebase rows to points; reuse its period starts.
    for p in np.flatnonzero(layout.period_start).tolist():
        code = int(layout.codes[p])
        if p != int(layout.offsets[code]):
            rebases[code].append(layout.x[p])
    rows = np.asarray(options.series)
    if rows.shape[0]:
        pos = series_codes(layout.series_ids, rows, "options for series")
        m = pos.shape[0]
        if options.improvement_direction is not None:
            col = _column(options.improvement_direction, m, "improvement_direction")
            for i, v in enumerate(col.tolist()):
                if v is not None and v != "":
                    direction[pos[i]] = str(v)
        if options.target is not None:
            t = _column(options.target, m, "target").astype(np.float64)
            for i in np.flatnonzero(~np.isnan(t)).tolist():
                targets[pos[i]] = float(t[i])
        if options.fix_after_n_points is not None:
            f = _column(options.fix_after_n_points, m, "fix_after_n_points").astype(np.float64)
            for i in np.flatnonzero(~np.isnan(f) & (f != 0)).tolist():
                if f[i] < 1 or f[i] != math.floor(f[i]):
                    raise SpcInputError(
                        "fix_after_n_points must be a whole number >= 1",
                        index=i,
                        field="fix_after_n_points",
                    )
                fixes[pos[i]] = int(f[i])
    for i, d in enumerate(direction):
        if d not in ("increase", "decrease", "neutral"):
            raise SpcInputError(
                f"improvement_direction must be increase, decrease or neutral, not {d!r}",
                index=i,
                field="improvement_direction",
            )
    return [SeriesSpec(tuple(rebases[i]), fixes[i], direction[i], targets[i]) for i in range(k)]


def _column(values: npt.ArrayLike, m: int, name: str) -> npt.NDArray[Any]:
    arr = (
        np.asarray(values, dtype=object) if name == "improvement_direction" else np.asarray(values)
    )
    if arr.shape != (m,):
        raise SpcInputError(f"options column {name} must have one entry per series row", field=name)
    return arr


def _assemble(
    chart: str, ids: npt.NDArray[np.generic], results: list[ChartResult], *, with_n: bool
) -> BatchResult:
    counts = np.array([r.n_points for r in results], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)

    def cat(name: str) -> npt.NDArray[Any]:
        parts = [getattr(r, name) for r in results]
        if not parts:
            return np.zeros(0)
        return np.concatenate(parts)

    def ints(name: str) -> npt.NDArray[np.int64]:
        # -1 stands for "not computed" (no useful point in the last period).
        vals = [getattr(r, name) for r in results]
        return np.array([-1 if v is None else v for v in vals], dtype=np.int64)

    series_col = np.repeat(ids, counts)
    return BatchResult(
        chart=chart,
        series=series_col,
        x=cat("x"),
        y=cat("y").astype(np.float64),
        n=cat("n").astype(np.float64) if with_n and results else None,
        value=cat("value").astype(np.float64),
        centre=cat("centre").astype(np.float64),
        mean=cat("mean").astype(np.float64),
        lpl=cat("lpl").astype(np.float64),
        upl=cat("upl").astype(np.float64),
        special_cause_rule=cat("special_cause_rule").astype(np.str_),
        point_type=cat("point_type").astype(np.str_),
        series_ids=ids,
        offsets=offsets,
        variation_icon=np.array([r.variation_icon for r in results], dtype=np.str_),
        assurance_icon=np.array([r.assurance_icon or "" for r in results], dtype=np.str_),
        longest_run=ints("longest_run"),
        longest_run_max=ints("longest_run_max"),
        n_crossings=ints("n_crossings"),
        n_crossings_min=ints("n_crossings_min"),
        runs_signal=np.array([bool(r.runs_signal) for r in results], dtype=np.bool_),
        warnings=tuple(r.warnings for r in results),
    )
