"""Making Data Count special-cause rules, vectorised across series and periods.

Every function takes points sorted by series then x, concatenated, with
``period_start`` marking the first point of each period (a series start or a
rebase). No pattern ever spans two periods, as in NHSRplotthedots, which
groups by facet and rebase group before applying the rules
(``ptd_calculate_point_type``).

A missing value (NaN) breaks every pattern. NHSRplotthedots gives NA for such
windows, which mostly acts as "no signal" but makes ``ptd_seven_point_trend``
stop with an error when the rest of the window is monotonic; breaking the
trend there is the sensible reading of its behaviour elsewhere.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .grouping import BoolArray, Int8Array
from .results import FloatArray, StrArray

#: Run length for a shift and a trend: 7 points, per NHS England "Making Data
#: Count" and ``ptd_seven_point_one_side_mean`` / ``ptd_seven_point_trend``.
RUN_LENGTH = 7

#: Rule codes, in precedence order (NHSRplotthedots ``ptd_special_cause_type``
#: tests astronomical points first, then trends, two-in-three, then shifts).
RULE_NONE, RULE_ASTRONOMICAL, RULE_TREND, RULE_TWO_IN_THREE, RULE_SHIFT = range(5)
RULE_NAMES: StrArray = np.array(["", "astronomical", "trend", "two_in_three", "shift"])

POINT_COMMON, POINT_IMPROVEMENT, POINT_CONCERN, POINT_NEUTRAL_HIGH, POINT_NEUTRAL_LOW = range(5)
POINT_TYPES: StrArray = np.array(
    [
        "common_cause",
        "special_cause_improvement",
        "special_cause_concern",
        "special_cause_neutral_high",
        "special_cause_neutral_low",
    ]
)


def _runs(values: npt.NDArray[np.generic], period_start: BoolArray) -> npt.NDArray[np.int64]:
    """For each point, the length of the run of equal values it belongs to."""
    n = values.shape[0]
    if n == 0:
        return np.zeros(0, np.int64)
    new = period_start.copy()
    new[1:] |= values[1:] != values[:-1]
    run_id = np.cumsum(new) - 1
    lengths: npt.NDArray[np.int64] = np.bincount(run_id)[run_id]
    return lengths


def relative_to_mean(y: FloatArray, mean: FloatArray) -> Int8Array:
    """sign(y - mean) as -1/0/1, 0 where y or mean is missing.

    A point exactly on the mean has 0 and so breaks a shift, as in
    ``ptd_seven_point_one_side_mean`` which needs all 7 signs equal and non-zero.
    """
    s = np.sign(y - mean)
    return np.nan_to_num(s, nan=0.0).astype(np.int8)


def shift(rtm: Int8Array, period_start: BoolArray) -> BoolArray:
    """Points in a run of 7 or more on the same side of the mean."""
    mask: BoolArray = (rtm != 0) & (_runs(rtm, period_start) >= RUN_LENGTH)
    return mask


def trend(y: FloatArray, period_start: BoolArray) -> tuple[BoolArray, Int8Array]:
    """Points in 7 or more points each strictly above (below) the one before.

    Returns the mask and each point's direction as NHSRplotthedots labels it
    (``ptd_special_cause_type``): where a point and the next are both in a
    trend, the sign of the step to the next point; otherwise the sign of the
    step from the previous one. Ties break a trend. Direction is 1 for
    "Increasing" and -1 for anything else, as the reference tests ``sdy == 1``.
    """
    n = y.shape[0]
    step = np.zeros(n)
    step[1:] = np.sign(y[1:] - y[:-1])
    step[period_start] = 0.0
    d = np.nan_to_num(step, nan=0.0).astype(np.int8)
    # a trend of 7 points is 6 equal consecutive non-zero steps
    long = (d != 0) & (_runs(d, period_start) >= RUN_LENGTH - 1)
    part = long.copy()
    first = long.copy()
    first[1:] &= ~long[:-1] | (d[1:] != d[:-1])
    part[:-1] |= first[1:]
    nxt_part = np.zeros(n, bool)
    nxt_part[:-1] = part[1:] & ~period_start[1:]
    right = np.zeros(n)
    right[:-1] = step[1:]
    sdy = np.where(part & nxt_part, right, step)
    direction = np.where(sdy == 1, 1, -1).astype(np.int8)
    return part, direction


def two_in_three(close: BoolArray, rtm: Int8Array, period_start: BoolArray) -> BoolArray:
    """Points beyond two sigma that make 2 of 3 consecutive points on one side.

    As ``ptd_two_in_three``/``ptd_part_of_two_in_three``: a window of three
    consecutive points qualifies when at least two are close to the limits
    (beyond 2 sigma but inside the process limits) and all three are strictly
    on the same side of the mean; only the close points of a qualifying window
    are flagged, never the third. A point beyond the process limits does not
    count as close.
    """
    n = close.shape[0]
    flag = np.zeros(n, bool)
    if n < 3:
        return flag
    c = close.astype(np.int8)
    r = rtm.astype(np.int8)
    csum = c[:-2] + c[1:-1] + c[2:]
    rsum = r[:-2] + r[1:-1] + r[2:]
    q = (csum >= 2) & (np.abs(rsum) == 3) & ~period_start[1:-1] & ~period_start[2:]
    flag[:-2] |= q
    flag[1:-1] |= q
    flag[2:] |= q
    return flag & close
