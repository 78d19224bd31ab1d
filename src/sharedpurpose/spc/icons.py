"""Making Data Count variation and assurance icons, for many series at once.

Both follow NHSRplotthedots 0.2.2: the variation icon comes from the point
type of each series' last point (``ptd_get_icons``), the assurance icon from
where the target lies against the process limits of the last period
(``ptd_calculate_assurance_type``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .results import FloatArray, StrArray
from .rules import (
    POINT_COMMON,
    POINT_CONCERN,
    POINT_IMPROVEMENT,
    POINT_NEUTRAL_HIGH,
    POINT_NEUTRAL_LOW,
)

VARIATION_ICONS = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)
ASSURANCE_ICONS = ("consistent_pass", "consistent_fail", "inconsistent")

_VARIATION: StrArray = np.array(VARIATION_ICONS)
_ASSURANCE: StrArray = np.array(("",) + ASSURANCE_ICONS)


def variation_icons(
    last_point_type: npt.NDArray[np.integer], direction: npt.NDArray[np.integer]
) -> StrArray:
    """Icon per series from its last point's type code and improvement direction.

    An improvement is "high" when increase is better and "low" otherwise; a
    concern the opposite (the reference picks "low"/"high" by testing for
    ``increase`` only, so decrease and neutral share a branch).
    """
    inc = direction == 1
    idx = np.zeros(last_point_type.shape[0], np.int8)
    idx[last_point_type == POINT_IMPROVEMENT] = 1
    idx[(last_point_type == POINT_IMPROVEMENT) & ~inc] = 2
    idx[last_point_type == POINT_CONCERN] = 3
    idx[(last_point_type == POINT_CONCERN) & inc] = 4
    idx[last_point_type == POINT_NEUTRAL_HIGH] = 5
    idx[last_point_type == POINT_NEUTRAL_LOW] = 6
    idx[last_point_type == POINT_COMMON] = 0
    return _VARIATION[idx]


def assurance_icons(
    target: FloatArray, lpl: FloatArray, upl: FloatArray, direction: npt.NDArray[np.integer]
) -> StrArray:
    """Assurance per series; ``""`` without a target or for neutral direction.

    A target above the upper limit fails (passes, if decrease is better); below
    the lower limit passes (fails); anything else, including NaN limits, is
    ``inconsistent`` as in the reference, whose comparisons with NA fall
    through to that case.
    """
    inc = direction == 1
    idx = np.full(target.shape[0], 3, np.int8)
    with np.errstate(invalid="ignore"):
        above = target > upl
        below = ~above & (target < lpl)
    idx[above] = np.where(inc[above], 2, 1)
    idx[below] = np.where(inc[below], 1, 2)
    idx[np.isnan(target) | (direction == 0)] = 0
    return _ASSURANCE[idx]
