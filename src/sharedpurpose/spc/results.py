"""Result types shared by every chart family.

Each chart function returns a :class:`ChartResult` for one series; batch functions
return a :class:`BatchResult` whose columns hold every series end to end. Arrays
are read-only so that a result can be cached and shared safely.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
StrArray = npt.NDArray[np.str_]


@dataclass(frozen=True, slots=True)
class ChartResult:
    """One series, one row per point, in x order.

    ``value`` is what is plotted (y, or y/n for p and u charts); ``centre`` is the
    centre line (the median for run and g charts, else the mean); ``mean``,
    ``lpl`` and ``upl`` are NaN where undefined (missing y, a single point, or
    limits on a run chart). ``special_cause_rule`` is one of ``astronomical``,
    ``trend``, ``two_in_three``, ``shift`` or ``""``; ``point_type`` one of
    ``common_cause``, ``special_cause_improvement``, ``special_cause_concern``,
    ``special_cause_neutral_high``, ``special_cause_neutral_low``.
    """

    chart: str
    x: npt.NDArray[np.generic]
    y: FloatArray
    n: FloatArray | None
    value: FloatArray
    centre: FloatArray
    mean: FloatArray
    lpl: FloatArray
    upl: FloatArray
    special_cause_rule: StrArray
    point_type: StrArray
    variation_icon: str
    assurance_icon: str | None
    longest_run: int | None = None
    longest_run_max: int | None = None
    n_crossings: int | None = None
    n_crossings_min: int | None = None
    runs_signal: bool | None = None
    warnings: tuple[str, ...] = ()

    @property
    def n_points(self) -> int:
        return int(self.y.shape[0])
