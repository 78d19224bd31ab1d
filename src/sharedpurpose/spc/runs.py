"""Run charts and the Anhøj runs rules, computed as qicharts2 computes them.

The run chart plots the values around their median. Two rules detect
non-random variation (Anhøj 2014; qicharts2 ``runs.analysis``):

* the longest run of points on one side of the centre line is longer than
  ``round(log2(n)) + 3`` (Schilling 2012), or
* the number of times the line crosses the centre line is smaller than the
  5th percentile of a Binomial(n - 1, 0.5) distribution (Chen 2010),

where ``n`` is the number of useful observations: points exactly on the centre
line neither break nor count towards a run, and missing values are ignored.

This module also holds the machinery every qicharts2-style chart family shares
(periods from rebase points, frozen baselines, the runs analysis against the
centre line, point classification and icons); :mod:`sharedpurpose.spc.attribute`
builds the p, p′, u, u′, c and g charts on it.

Example:
    >>> r = run_chart([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    >>> float(r.centre[0]), r.longest_run, r.longest_run_max, r.n_crossings, r.runs_signal
    (6.5, 6, 7, 1, True)
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from sharedpurpose.spc.grouping import SpcInputError
from sharedpurpose.spc.results import ChartResult, FloatArray

__all__ = [
    "CROSSINGS_PROBABILITY",
    "ChartDetail",
    "IMPROVEMENT_DIRECTIONS",
    "LONGEST_RUN_OFFSET",
    "RunsAnalysis",
    "SeriesSpec",
    "assurance_icon",
    "build_chart",
    "longest_run_limit",
    "crossings_limit",
    "qbinom",
    "run_chart",
    "run_lines",
    "runs_analysis",
    "variation_icon",
]

# Chen (2010), used by qicharts2 ``runs.analysis``: too few crossings means fewer
# than the 5th percentile of Binomial(n_useful - 1, 0.5).
CROSSINGS_PROBABILITY = 0.05
# Schilling (2012), used by qicharts2: longest_run_max = round(log2(n_useful)) + 3.
LONGEST_RUN_OFFSET = 3
# R's qbinom() fuzz that keeps the quantile left-continuous (src/nmath/qbinom.c).
_QBINOM_FUZZ = 1.0 - 64.0 * np.finfo(np.float64).eps

IMPROVEMENT_DIRECTIONS = ("increase", "decrease", "neutral")

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


# --------------------------------------------------------------------------
# Binomial quantile
# --------------------------------------------------------------------------


@lru_cache(maxsize=2048)
def qbinom(p: float, size: int, prob: float = 0.5) -> int:
    """Lower-tail binomial quantile, as R's ``qbinom(p, size, prob)``.

    The smallest ``k`` with ``P(X <= k) >= p`` (R's fuzz included), computed from
    the exact binomial CDF with rational arithmetic, so no rounding can move a
    boundary.

    >>> qbinom(0.05, 11, 0.5), qbinom(0.05, 23, 0.5), qbinom(0.05, 0, 0.5)
    (3, 8, 0)
    """
    if size < 0 or not 0.0 <= prob <= 1.0 or not 0.0 <= p <= 1.0:
        raise ValueError("qbinom needs size >= 0 and p, prob in [0, 1]")
    if prob == 0.0 or size == 0:
        return 0
    if p == 0.0:
        return 0
    if p == 1.0 or prob == 1.0:
        return size
    threshold = Fraction(p * _QBINOM_FUZZ)
    q = Fraction(prob)
    if q == Fraction(1, 2):
        # Integer arithmetic: CDF(k) = sum_{i<=k} C(size, i) / 2**size.
        limit = threshold * (1 << size)
        term = 1
        total = 0
        for k in range(size + 1):
            total += term
            if total >= limit:
                return k
            term = term * (size - k) // (k + 1)
        return size
    one_minus = 1 - q
    term_f = one_minus**size
    total_f = Fraction(0)
    for k in range(size + 1):
        total_f += term_f
        if total_f >= threshold:
            return k
        term_f = term_f * (size - k) / (k + 1) * q / one_minus
    return size


def longest_run_limit(n_useful: int) -> int:
    """Longest run allowed among ``n_useful`` points: ``round(log2(n)) + 3``.

    >>> longest_run_limit(24), longest_run_limit(10)
    (8, 6)
    """
    if n_useful < 1:
        raise ValueError("n_useful must be positive")
    # log2 of an integer is never exactly k + 0.5, so rounding mode cannot matter.
    return int(round(math.log2(n_useful))) + LONGEST_RUN_OFFSET


def crossings_limit(n_useful: int) -> int:
    """Fewest crossings expected among ``n_useful`` points: qbinom(0.05, n - 1, 0.5).

    >>> crossings_limit(24), crossings_limit(10)
    (8, 2)
    """
    if n_useful < 1:
        raise ValueError("n_useful must be positive")
    return qbinom(CROSSINGS_PROBABILITY, n_useful - 1, 0.5)


# --------------------------------------------------------------------------
# Runs analysis
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunsAnalysis:
    """Anhøj runs figures for one period.

    ``long_run`` flags the points that belong to a run longer than
    ``longest_run_max`` (the points a shift marker is put on); ``side`` is +1
    above and -1 below the centre line for those points, else 0. The figures
    are ``None`` when no point is useful (all missing or on the centre line).
    """

    n_obs: int
    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    n_crossings: int | None
    n_crossings_min: int | None
    runs_signal: bool
    long_run: BoolArray
    side: IntArray


def runs_analysis(values: npt.ArrayLike, centre: npt.ArrayLike) -> RunsAnalysis:
    """Anhøj runs analysis of ``values`` against ``centre`` (scalar or per point).

    >>> a = runs_analysis([1, 2, 2, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3], 2)
    >>> a.n_useful, a.longest_run, a.longest_run_max, a.n_crossings, a.n_crossings_min
    (11, 8, 6, 3, 2)
    >>> a.runs_signal
    True
    """
    v = np.asarray(values, dtype=np.float64)
    c = np.broadcast_to(np.asarray(centre, dtype=np.float64), v.shape)
    with np.errstate(invalid="ignore"):
        sign = np.sign(v - c)
    useful_idx = np.flatnonzero(np.isfinite(sign) & (sign != 0))
    long_run = np.zeros(v.shape, dtype=np.bool_)
    side = np.zeros(v.shape, dtype=np.int64)
    n_useful = int(useful_idx.size)
    if n_useful == 0:
        return RunsAnalysis(int(v.size), 0, None, None, None, None, False, long_run, side)
    s = sign[useful_idx]
    starts = np.concatenate(([0], np.flatnonzero(s[1:] != s[:-1]) + 1))
    lengths = np.diff(np.concatenate((starts, [n_useful])))
    longest = int(lengths.max())
    longest_max = longest_run_limit(n_useful)
    crossings = int(lengths.size - 1)
    crossings_min = crossings_limit(n_useful)
    signal = longest > longest_max or crossings < crossings_min
    for start, length in zip(starts.tolist(), lengths.tolist(), strict=True):
        if length > longest_max:
            idx = useful_idx[start : start + length]
            long_run[idx] = True
            side[idx] = int(s[start])
    return RunsAnalysis(
        n_obs=int(v.size),
        n_useful=n_useful,
        longest_run=longest,
        longest_run_max=longest_max,
        n_crossings=crossings,
        n_crossings_min=crossings_min,
        runs_signal=bool(signal),
        long_run=long_run,
        side=side,
    )


# --------------------------------------------------------------------------
# Shared chart machinery
# --------------------------------------------------------------------------


def r_mean(values: FloatArray) -> float:
    """Mean of the finite ``values`` (NaN if none), summed exactly like R's long double."""
    ok = values[np.isfinite(values)]
    if ok.size == 0:
        return math.nan
    return math.fsum(ok.tolist()) / ok.size


def r_median(values: FloatArray) -> float:
    """Median of the finite ``values`` (NaN if none)."""
    ok = values[np.isfinite(values)]
    if ok.size == 0:
        return math.nan
    return float(np.median(ok))


@dataclass(frozen=True, slots=True)
class PeriodLines:
    """What a chart family computes for one period (arrays cover the period)."""

    value: FloatArray
    centre: float
    mean: float
    lpl: FloatArray
    upl: FloatArray


# (value, y, n, baseline mask) -> lines for one period. ``baseline`` is already
# restricted to the frozen points of the period; missing points are NaN.
LinesFunction = Callable[[FloatArray, FloatArray | None, npt.NDArray[np.bool_]], PeriodLines]


@dataclass(frozen=True, slots=True)
class SeriesSpec:
    """Per-series options shared by every chart family."""

    rebase: tuple[Any, ...] = ()
    fix_after_n_points: int | None = None
    improvement_direction: str = "increase"
    target: float | None = None


def _as_x(x: npt.ArrayLike | None, size: int) -> npt.NDArray[np.generic]:
    if x is None:
        return np.arange(1, size + 1, dtype=np.int64)
    arr = np.asarray(x)
    if arr.dtype == object and arr.size:
        # datetime.date / datetime objects become datetime64 so they sort and compare.
        unit = "datetime64[ns]" if hasattr(arr.flat[0], "hour") else "datetime64[D]"
        with contextlib.suppress(TypeError, ValueError):
            arr = arr.astype(unit)
    if arr.shape != (size,):
        raise SpcInputError(f"x has shape {arr.shape}, expected ({size},)")
    return arr


def _rebase_values(rebase: Sequence[Any] | npt.ArrayLike, x: npt.NDArray[np.generic]) -> np.ndarray:
    vals = np.asarray(rebase if rebase is not None else [])
    if vals.size == 0:
        return np.asarray([], dtype=x.dtype)
    if np.issubdtype(x.dtype, np.datetime64):
        return np.asarray(vals, dtype=x.dtype)
    return np.asarray(vals, dtype=np.result_type(x.dtype, vals.dtype))


def period_index(x: npt.NDArray[np.generic], rebase: Sequence[Any] | npt.ArrayLike) -> IntArray:
    """Period number (0, 1, ...) of each point; each rebase x starts a new period.

    A rebase value between two x values starts the period at the next point;
    values at or before the first point are ignored.

    >>> period_index(np.array([1, 2, 3, 4, 5]), [3, 10]).tolist()
    [0, 0, 1, 1, 1]
    """
    if x.size == 0:
        return np.zeros(0, dtype=np.int64)
    r = _rebase_values(rebase, x)
    r = np.unique(r[r > x[0]])
    return np.searchsorted(r, x, side="right").astype(np.int64)


def _check_direction(direction: str) -> str:
    if direction not in IMPROVEMENT_DIRECTIONS:
        raise SpcInputError(
            f"improvement_direction must be one of {IMPROVEMENT_DIRECTIONS}, not {direction!r}"
        )
    return direction


def _point_type(high: bool, direction: str) -> str:
    if direction == "neutral":
        return "special_cause_neutral_high" if high else "special_cause_neutral_low"
    good = high == (direction == "increase")
    return "special_cause_improvement" if good else "special_cause_concern"


_ICON_BY_TYPE = {
    ("special_cause_improvement", True): "improvement_high",
    ("special_cause_improvement", False): "improvement_low",
    ("special_cause_concern", True): "concern_high",
    ("special_cause_concern", False): "concern_low",
    ("special_cause_neutral_high", True): "neutral_high",
    ("special_cause_neutral_low", False): "neutral_low",
}


def variation_icon(point_type: Sequence[str] | npt.ArrayLike, high: npt.ArrayLike) -> str:
    """Variation icon from the last non-missing point, as for XmR charts.

    ``high`` tells whether each point lies above the centre line.

    >>> variation_icon(["common_cause", "special_cause_concern"], [False, True])
    'concern_high'
    """
    types = np.asarray(point_type, dtype=np.str_)
    highs = np.asarray(high, dtype=np.bool_)
    present = np.flatnonzero(types != "")
    if present.size == 0:
        return "common_cause"
    last = int(present[-1])
    return _ICON_BY_TYPE.get((str(types[last]), bool(highs[last])), "common_cause")


def assurance_icon(
    lpl: float, upl: float, target: float | None, improvement_direction: str
) -> str | None:
    """Assurance icon from the process limits that apply to the last point.

    ``consistent_pass`` when the whole range between the limits meets the target,
    ``consistent_fail`` when none of it does, else ``inconsistent``; ``None``
    without a target, without limits or for a neutral direction. A target equal
    to a limit counts as ``inconsistent``.

    >>> assurance_icon(0.91, 0.99, 0.9, "increase")
    'consistent_pass'
    >>> assurance_icon(0.91, 0.99, 0.9, "decrease")
    'consistent_fail'
    """
    if target is None or not math.isfinite(target) or improvement_direction == "neutral":
        return None
    if not (math.isfinite(lpl) and math.isfinite(upl)):
        return None
    low_side_passes = improvement_direction == "increase"
    if lpl > target:
        return "consistent_pass" if low_side_passes else "consistent_fail"
    if upl < target:
        return "consistent_fail" if low_side_passes else "consistent_pass"
    return "inconsistent"


@dataclass(frozen=True, slots=True)
class ChartDetail:
    """A :class:`ChartResult` plus the per-point and per-period figures batches report."""

    result: ChartResult
    period: IntArray
    sigma_signal: BoolArray
    runs_signal: BoolArray
    periods: tuple[RunsAnalysis, ...]


def build_chart(
    chart: str,
    y: npt.ArrayLike,
    n: npt.ArrayLike | None,
    x: npt.ArrayLike | None,
    spec: SeriesSpec,
    lines: LinesFunction,
    *,
    needs_n: bool,
) -> ChartDetail:
    """Run one series through a chart family's ``lines`` function, period by period.

    Sorts by x, splits into periods at the rebase points, marks the first
    ``fix_after_n_points`` points of each period as its baseline, computes the
    lines, the sigma signals (strictly outside the limits), the Anhøj runs
    analysis against the centre line, the point classification and the icons.
    """
    direction = _check_direction(spec.improvement_direction)
    yy = np.array(y, dtype=np.float64, copy=True).reshape(-1)
    size = yy.shape[0]
    nn: FloatArray | None = None
    warnings: list[str] = []
    if n is not None:
        nn = np.array(n, dtype=np.float64, copy=True).reshape(-1)
        if nn.shape != yy.shape:
            raise SpcInputError(f"n has shape {nn.shape}, expected ({size},)")
    elif needs_n:
        raise SpcInputError(f"a {chart} chart needs denominators n", field="n")
    xx = _as_x(x, size)
    if size > 1:
        order = np.argsort(xx, kind="stable")
        if not np.array_equal(order, np.arange(size)):
            xx, yy = xx[order], yy[order]
            if nn is not None:
                nn = nn[order]
        if np.any(xx[1:] == xx[:-1]):
            raise SpcInputError("x values must be unique within a series", field="x")
    if spec.fix_after_n_points is not None and spec.fix_after_n_points < 1:
        raise SpcInputError("fix_after_n_points must be at least 1", field="fix_after_n_points")

    missing = ~np.isfinite(yy)
    if nn is not None:
        bad_n = np.isfinite(nn) & (nn <= 0)
        if np.any(bad_n & ~missing):
            warnings.append("points with a denominator of zero or less are treated as missing")
        # qicharts2 drops incomplete cases (y or n missing) before charting.
        missing |= ~np.isfinite(nn) | bad_n
    work_y = np.where(missing, np.nan, yy)
    work_n = None if nn is None else np.where(missing, np.nan, nn)

    period = period_index(xx, spec.rebase)
    value = np.full(size, np.nan)
    centre = np.full(size, np.nan)
    mean = np.full(size, np.nan)
    lpl = np.full(size, np.nan)
    upl = np.full(size, np.nan)
    rule = np.full(size, "", dtype="<U12")
    ptype = np.full(size, "", dtype="<U26")
    runs_flag = np.zeros(size, dtype=np.bool_)
    analyses: list[RunsAnalysis] = []
    n_periods = int(period[-1]) + 1 if size else 0
    for p in range(n_periods):
        idx = np.flatnonzero(period == p)
        base = np.ones(idx.size, dtype=np.bool_)
        if spec.fix_after_n_points is not None:
            base[spec.fix_after_n_points :] = False
        py = work_y[idx]
        pn = None if work_n is None else work_n[idx]
        if np.count_nonzero(np.isfinite(py) & base) == 0:
            warnings.append(f"period starting at x={xx[idx[0]]} has no non-missing baseline values")
        with np.errstate(divide="ignore", invalid="ignore"):
            pl = lines(py, pn, base)
        value[idx] = pl.value
        centre[idx] = pl.centre
        mean[idx] = pl.mean
        # qicharts2 removes non-finite limits (missing subgroups, zero sigma).
        lpl[idx] = np.where(np.isfinite(pl.lpl), pl.lpl, np.nan)
        upl[idx] = np.where(np.isfinite(pl.upl), pl.upl, np.nan)
        ra = runs_analysis(pl.value, pl.centre)
        analyses.append(ra)
        runs_flag[idx] = ra.runs_signal
        present = np.isfinite(pl.value)
        ptype[idx[present]] = "common_cause"
        for j in np.flatnonzero(ra.long_run):
            rule[idx[j]] = "shift"
            ptype[idx[j]] = _point_type(bool(ra.side[j] > 0), direction)

    with np.errstate(invalid="ignore"):
        above = value > upl
        below = value < lpl
    sigma = above | below
    for i in np.flatnonzero(sigma):
        rule[i] = "astronomical"
        ptype[i] = _point_type(bool(above[i]), direction)

    with np.errstate(invalid="ignore"):
        high = value > centre
    icon = variation_icon(ptype, high)
    assurance: str | None = None
    if spec.target is not None:
        with_limits = np.flatnonzero(np.isfinite(lpl) & np.isfinite(upl))
        if with_limits.size:
            last = int(with_limits[-1])
            assurance = assurance_icon(float(lpl[last]), float(upl[last]), spec.target, direction)
    last_runs = analyses[-1] if analyses else None
    result = ChartResult(
        chart=chart,
        x=_readonly(xx),
        y=_readonly(yy),
        n=None if nn is None else _readonly(nn),
        value=_readonly(value),
        centre=_readonly(centre),
        mean=_readonly(mean),
        lpl=_readonly(lpl),
        upl=_readonly(upl),
        special_cause_rule=_readonly(rule.astype(np.str_)),
        point_type=_readonly(ptype.astype(np.str_)),
        variation_icon=icon,
        assurance_icon=assurance,
        longest_run=None if last_runs is None else last_runs.longest_run,
        longest_run_max=None if last_runs is None else last_runs.longest_run_max,
        n_crossings=None if last_runs is None else last_runs.n_crossings,
        n_crossings_min=None if last_runs is None else last_runs.n_crossings_min,
        runs_signal=None if last_runs is None else last_runs.runs_signal,
        warnings=tuple(warnings),
        period=_readonly(period),
        target=spec.target,
        improvement_direction=direction,
    )
    return ChartDetail(
        result=result,
        period=_readonly(period),
        sigma_signal=_readonly(sigma),
        runs_signal=_readonly(runs_flag),
        periods=tuple(analyses),
    )


def _readonly(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    a = np.ascontiguousarray(a)
    a.flags.writeable = False
    return a


# --------------------------------------------------------------------------
# Run chart
# --------------------------------------------------------------------------


def run_lines(y: FloatArray, n: FloatArray | None, base: npt.NDArray[np.bool_]) -> PeriodLines:
    value = y if n is None else y / n
    baseline = value[base]
    nan = np.full(value.shape, np.nan)
    return PeriodLines(value, r_median(baseline), r_mean(baseline), nan, nan.copy())


def run_chart(
    y: npt.ArrayLike,
    x: npt.ArrayLike | None = None,
    *,
    n: npt.ArrayLike | None = None,
    rebase: Sequence[Any] = (),
    fix_after_n_points: int | None = None,
    improvement_direction: str = "increase",
    target: float | None = None,
) -> ChartResult:
    """Run chart of one series: median centre line and Anhøj runs rules.

    ``n`` (optional) plots ``y / n``. ``rebase`` lists x values that start a new
    period; ``fix_after_n_points`` computes each period's median from its first
    points only (qicharts2 ``freeze``). Limits are NaN; ``mean`` holds the mean
    of the baseline values. Points of a run longer than ``longest_run_max`` are
    marked ``shift``; a signal from too few crossings flags the period
    (``runs_signal``) without marking points, as it has no single location.

    >>> r = run_chart([5, 6, 7, 8, 9, 10, 11, 12, 13, 1, 2, 3])
    >>> float(r.centre[0]), r.longest_run, r.n_crossings, r.n_crossings_min, r.runs_signal
    (7.5, 6, 2, 3, True)
    """
    spec = SeriesSpec(tuple(rebase), fix_after_n_points, improvement_direction, target)
    return build_chart("run", y, n, x, spec, run_lines, needs_n=False).result
