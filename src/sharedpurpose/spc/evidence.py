"""Did a change make a difference? The effect of an intervention on one measure, judged
with Making Data Count rules against limits fixed on the baseline before it started.

The rules, in full (docs/evidence.md explains them for readers of the evidence base):

* The baseline is every recorded point before the start; the follow-up every point from the
  start on. XmR limits are calculated on the baseline alone and frozen; the rules are then
  applied to the whole series and only follow-up points count as signals.
* A baseline of fewer than :data:`MIN_BASELINE_POINTS` points is too short to judge: the
  effect is "not judged" and says so; the change in mean is still given.
* The verdict is ``improvement`` when any follow-up point is special cause in the intended
  direction, ``deterioration`` when a follow-up point is special cause in the other
  direction and none improved, ``change`` for a signal on a measure with no better
  direction, else ``no_change``.
* An improvement is *sustained* when the last :data:`SUSTAIN_POINTS` follow-up points all
  lie on the better side of the baseline mean (the shift rule, applied to the most recent
  data), so a one-off good month is not called sustained.
* The change in mean comes with a 95% Welch interval. Points in a time series are rarely
  independent, so the interval is a guide to size, not a significance test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from .batch import xmr
from .grouping import MIN_FIX_AFTER_N_POINTS

#: The shortest baseline whose limits are worth freezing (Making Data Count asks for 12–20).
MIN_BASELINE_POINTS = MIN_FIX_AFTER_N_POINTS
#: A baseline this long or longer counts as a good baseline for the strength of evidence.
GOOD_BASELINE_POINTS = 20
#: The last follow-up points that must all be better than the baseline mean to call an
#: improvement sustained (the length of a shift).
SUSTAIN_POINTS = 7

VERDICTS = ("improvement", "deterioration", "change", "no_change", "not_judged")


@dataclass(frozen=True)
class InterventionEffect:
    """The effect of one intervention on one measure; indexes count follow-up points."""

    verdict: str
    sustained: bool
    baseline_points: int
    followup_points: int
    baseline_mean: float
    followup_mean: float
    change: float
    change_low: float
    change_high: float
    #: 0 when the first follow-up point already signals; None without a signal.
    periods_to_signal: int | None
    first_signal_x: object | None
    first_concern_x: object | None
    baseline_unstable: bool
    reasons: tuple[str, ...]

    @property
    def judged(self) -> bool:
        return self.verdict != "not_judged"


def t_quantile_975(df: float) -> float:
    """The 97.5% quantile of Student's t, by the Cornish-Fisher expansion (error below
    0.002 from 3 degrees of freedom up); infinite df gives the normal 1.95996."""
    z = 1.959963984540054
    if not math.isfinite(df):
        return z
    v = max(df, 1.0)
    z3, z5, z7, z9 = z**3, z**5, z**7, z**9
    return (
        z
        + (z3 + z) / (4 * v)
        + (5 * z5 + 16 * z3 + 3 * z) / (96 * v**2)
        + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v**3)
        + (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * v**4)
    )


def welch_interval(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> tuple[float, float]:
    """A 95% interval for mean(b) − mean(a), unequal variances; NaN when undefined."""
    if a.shape[0] < 2 or b.shape[0] < 2:
        return math.nan, math.nan
    va, vb = float(a.var(ddof=1)) / a.shape[0], float(b.var(ddof=1)) / b.shape[0]
    se = math.sqrt(va + vb)
    diff = float(b.mean() - a.mean())
    if se == 0:
        return diff, diff
    df = (va + vb) ** 2 / (va**2 / (a.shape[0] - 1) + vb**2 / (b.shape[0] - 1))
    margin = t_quantile_975(df) * se
    return diff - margin, diff + margin


def intervention_effect(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    start: object,
    *,
    improvement_direction: str = "increase",
) -> InterventionEffect:
    """The effect of an intervention started at ``start`` (same type as ``x``) on ``y``.

    >>> before = [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9]
    >>> e = intervention_effect(range(20), before + [6, 5] * 4, 12,
    ...                         improvement_direction="decrease")
    >>> e.verdict, e.sustained, e.periods_to_signal, round(e.change, 2)
    ('improvement', True, 0, -4.67)
    """
    xv = np.asarray(x)
    yv = np.asarray(y, dtype=np.float64)
    order = np.argsort(xv, kind="stable")
    xv, yv = xv[order], yv[order]
    keep = ~np.isnan(yv)
    xv, yv = xv[keep], yv[keep]
    after = xv >= np.asarray(start, dtype=xv.dtype) if xv.shape[0] else np.zeros(0, bool)
    base_y, follow_y = yv[~after], yv[after]
    nb, nf = int(base_y.shape[0]), int(follow_y.shape[0])
    base_mean = float(base_y.mean()) if nb else math.nan
    follow_mean = float(follow_y.mean()) if nf else math.nan
    low, high = welch_interval(base_y, follow_y)
    measured = InterventionEffect(
        verdict="not_judged",
        sustained=False,
        baseline_points=nb,
        followup_points=nf,
        baseline_mean=base_mean,
        followup_mean=follow_mean,
        change=follow_mean - base_mean,
        change_low=low,
        change_high=high,
        periods_to_signal=None,
        first_signal_x=None,
        first_concern_x=None,
        baseline_unstable=False,
        reasons=(),
    )
    reasons: list[str] = []
    if nb < MIN_BASELINE_POINTS:
        reasons.append(
            f"Baseline too short to judge: {nb} points before the start, "
            f"{MIN_BASELINE_POINTS} needed."
        )
    if nf == 0:
        reasons.append("No data since the start.")
    if reasons:
        return replace(measured, reasons=tuple(reasons))

    chart = xmr(xv, yv, improvement_direction=improvement_direction, fix_after_n_points=nb)
    follow_types = chart.point_type[nb:]
    follow_x = xv[nb:]
    # Judged on the baseline alone: a run that starts before the start and carries on
    # after it is a signal of the change, not of an unstable baseline.
    baseline_chart = xmr(xv[:nb], base_y, improvement_direction=improvement_direction)
    baseline_unstable = bool(np.any(baseline_chart.point_type != "common_cause"))
    if baseline_unstable:
        reasons.append("The baseline itself shows special cause variation: its limits may mislead.")

    improved = np.flatnonzero(follow_types == "special_cause_improvement")
    concern = np.flatnonzero(follow_types == "special_cause_concern")
    neutral = np.flatnonzero(np.char.startswith(follow_types.astype(str), "special_cause_neutral"))
    first_concern_x = follow_x[concern[0]].item() if concern.shape[0] else None
    if improved.shape[0]:
        verdict, first = "improvement", int(improved[0])
    elif concern.shape[0]:
        verdict, first = "deterioration", int(concern[0])
    elif neutral.shape[0]:
        verdict, first = "change", int(neutral[0])
    else:
        verdict, first = "no_change", -1

    sustained = False
    if verdict == "improvement":
        recent = follow_y[-SUSTAIN_POINTS:]
        better = recent < base_mean if improvement_direction == "decrease" else recent > base_mean
        sustained = nf >= SUSTAIN_POINTS and bool(better.all())
        if nf < SUSTAIN_POINTS:
            reasons.append(
                f"Too soon to call sustained: {nf} points since the start, {SUSTAIN_POINTS} needed."
            )
    return replace(
        measured,
        verdict=verdict,
        sustained=sustained,
        periods_to_signal=first if first >= 0 else None,
        first_signal_x=follow_x[first].item() if first >= 0 else None,
        first_concern_x=first_concern_x,
        baseline_unstable=baseline_unstable,
        reasons=tuple(reasons),
    )


#: Fewer pairs than this give no correlation: with so few the coefficient means little.
MIN_CORRELATION_PAIRS = 8


@dataclass(frozen=True)
class LaggedCorrelation:
    """Correlation of ``a``'s change in one period with ``b``'s ``lag`` periods later."""

    lag: int
    r: float
    pairs: int


def lagged_correlations(
    x_a: npt.ArrayLike,
    y_a: npt.ArrayLike,
    x_b: npt.ArrayLike,
    y_b: npt.ArrayLike,
    *,
    max_lag: int = 6,
) -> list[LaggedCorrelation]:
    """Pearson correlations of period-to-period changes of ``a`` with those of ``b`` at
    lags 0..``max_lag`` (``a`` leading). Differencing first keeps two series that merely
    both trend from looking related; lags with too few pairs are left out.

    Both series must share their periods (``x`` values of the same kind and frequency).

    >>> a = [1.0, 3, 2, 5, 4, 6, 5, 8, 7, 9, 8, 11, 10]
    >>> b = [0.0, 0] + a[:-2]  # b follows a two periods later
    >>> best = max(lagged_correlations(range(13), a, range(13), b), key=lambda c: c.r)
    >>> best.lag, round(best.r, 3)
    (2, 1.0)
    """
    xa, xb = np.asarray(x_a), np.asarray(x_b)
    periods = np.union1d(xa, xb)
    ya = np.full(periods.shape[0], np.nan)
    yb = np.full(periods.shape[0], np.nan)
    ya[np.searchsorted(periods, xa)] = np.asarray(y_a, dtype=np.float64)
    yb[np.searchsorted(periods, xb)] = np.asarray(y_b, dtype=np.float64)
    da, db = np.diff(ya), np.diff(yb)
    results: list[LaggedCorrelation] = []
    for lag in range(min(max_lag, da.shape[0] - 1) + 1):
        left = da[: da.shape[0] - lag]
        right = db[lag:]
        both = ~(np.isnan(left) | np.isnan(right))
        pairs = int(both.sum())
        if pairs < MIN_CORRELATION_PAIRS:
            continue
        u, v = left[both], right[both]
        if u.std() == 0 or v.std() == 0:
            continue
        results.append(LaggedCorrelation(lag, float(np.corrcoef(u, v)[0, 1]), pairs))
    return results
