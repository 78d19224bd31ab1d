"""XmR (individuals) process limits as NHSRplotthedots computes them.

The arithmetic follows ``ptd_spc_standard`` in NHSRplotthedots 0.2.2 step by
step, period by period (a period is a series, or the part of it after a rebase):

1. only the first ``fix_after_n_points`` rows of the period (missing values
   included in the count) form the baseline;
2. the mean and the moving ranges of the baseline; a moving range next to a
   missing value is itself missing, so ranges never bridge a gap;
3. with screening on, moving ranges not strictly below
   ``MR_SCREEN_FACTOR`` times their mean are dropped and the mean moving range
   is taken again;
4. process limits at mean ± ``MR_LIMIT_FACTOR`` × mean moving range, and the
   two-sigma lines at mean ± ``2 * (MR_LIMIT_FACTOR / 3)`` × mean moving range.

Means are computed as R's ``mean()`` does (an extended-precision sum, then a
correction pass) so that points lying exactly on a line compare the same way.

Where the reference gives no answer this module does the sensible thing:

* a flat baseline (every moving range 0) gets limits equal to its mean; the
  reference screens out every range and returns NaN limits, with the same
  point classification;
* a period with no moving range (a single point, or points all separated by
  gaps) has NaN limits, as in the reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .grouping import BoolArray
from .results import FloatArray, IntArray

#: Process limits sit this many mean moving ranges from the mean: 3 / d2 with
#: d2 = 1.128 for ranges of two points (Wheeler; NHS England "Making Data Count";
#: ``limit <- 2.66`` in ``ptd_spc_standard``).
MR_LIMIT_FACTOR = 2.66

#: The two-sigma lines used by the two-in-three rule (``limitclose`` in
#: ``ptd_spc_standard``); kept as the same floating-point expression.
TWO_SIGMA_FACTOR = 2 * (MR_LIMIT_FACTOR / 3)

#: Moving ranges at or above this many mean moving ranges are screened out
#: before the limits are set: D4 for ranges of two points (Nelson 1982;
#: ``3.267`` in ``ptd_spc_standard``).
MR_SCREEN_FACTOR = 3.267


@dataclass(frozen=True, slots=True)
class PeriodLimits:
    """Per-period mean, mean moving range and lines (NaN where undefined)."""

    mean: FloatArray
    amr: FloatArray
    lpl: FloatArray
    upl: FloatArray
    nlpl: FloatArray
    nupl: FloatArray
    size: IntArray


def r_mean(values: FloatArray, starts: IntArray, n_groups: int) -> FloatArray:
    """Mean of the non-NaN values of each contiguous group, as R's ``mean(na.rm=TRUE)``.

    R sums in long double, divides, then adds the mean residual (also summed in
    long double). Groups start at ``starts``; an empty group gives NaN.
    """
    if values.shape[0] == 0:
        return np.zeros(n_groups)
    valid = ~np.isnan(values)
    ld = np.where(valid, values, 0.0).astype(np.longdouble)
    count = np.add.reduceat(valid.astype(np.int64), starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.add.reduceat(ld, starts) / count
        lengths = np.diff(np.append(starts, values.shape[0]))
        resid = np.where(valid, ld - np.repeat(s, lengths), 0.0)
        t = np.add.reduceat(resid, starts)
        corrected = np.where(np.isfinite(s), s + t / count, s)
    out: FloatArray = corrected.astype(np.float64)
    out[count == 0] = np.nan
    return out


def period_limits(
    y: FloatArray,
    period_start: BoolArray,
    period_offsets: IntArray,
    fix_after_n_points: FloatArray,
    screen_outliers: BoolArray,
) -> PeriodLimits:
    """Limits for every period at once.

    ``y`` is sorted and concatenated; ``fix_after_n_points`` (inf for none) and
    ``screen_outliers`` are per point (the owning series' option).
    """
    n = y.shape[0]
    starts = period_offsets[:-1]
    k = starts.shape[0]
    size = np.diff(period_offsets)
    if n == 0:
        e = np.zeros(0)
        return PeriodLimits(e, e, e, e, e, e, size)
    row = np.arange(n) - np.repeat(starts, size)
    fix_y = np.where(row < fix_after_n_points, y, np.nan)
    mean = r_mean(fix_y, starts, k)

    mr = np.empty(n)
    mr[0] = np.nan
    np.abs(fix_y[1:] - fix_y[:-1], out=mr[1:])
    mr[period_start] = np.nan
    amr_all = r_mean(mr, starts, k)
    with np.errstate(invalid="ignore"):
        keep = ~screen_outliers | (mr < MR_SCREEN_FACTOR * np.repeat(amr_all, size))
    amr = r_mean(np.where(keep, mr, np.nan), starts, k)
    amr[amr_all == 0] = 0.0  # flat baseline: screening would drop every range

    return PeriodLimits(
        mean=mean,
        amr=amr,
        lpl=mean - MR_LIMIT_FACTOR * amr,
        upl=mean + MR_LIMIT_FACTOR * amr,
        nlpl=mean - TWO_SIGMA_FACTOR * amr,
        nupl=mean + TWO_SIGMA_FACTOR * amr,
        size=size,
    )
