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
    # Optional context for drawing: the period (0, 1, ... from rebasing) of each
    # point, the target and the improvement direction the series was judged by.
    period: npt.NDArray[np.int64] | None = None
    target: float | None = None
    improvement_direction: str | None = None

    @property
    def n_points(self) -> int:
        return int(self.y.shape[0])


IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Many series, as columns.

    Point columns (``series`` … ``point_type``) hold every series end to end:
    series in ascending id order, each series' points in x order. The points of
    the i-th series are ``offsets[i]:offsets[i + 1]``. Series columns
    (``series_ids`` … ``runs_signal``) have one entry per series, in the same
    order. ``assurance_icon`` is ``""`` where :class:`ChartResult` has ``None``;
    the Anhøj columns are ``None`` for chart families that do not compute them.
    ``warnings`` holds one tuple of messages per series. ``source_index``, when
    given, is each point's row in the caller's input columns.
    """

    chart: str
    series: npt.NDArray[np.generic]
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
    series_ids: npt.NDArray[np.generic]
    offsets: IntArray
    variation_icon: StrArray
    assurance_icon: StrArray
    longest_run: IntArray | None = None
    longest_run_max: IntArray | None = None
    n_crossings: IntArray | None = None
    n_crossings_min: IntArray | None = None
    runs_signal: npt.NDArray[np.bool_] | None = None
    warnings: tuple[tuple[str, ...], ...] = ()
    source_index: IntArray | None = None

    @property
    def n_series(self) -> int:
        return int(self.series_ids.shape[0])

    def __len__(self) -> int:
        return self.n_series

    def series_result(self, i: int) -> ChartResult:
        """The :class:`ChartResult` of the i-th series (views, no copies)."""
        lo, hi = int(self.offsets[i]), int(self.offsets[i + 1])

        def opt_int(col: IntArray | None) -> int | None:
            return None if col is None else int(col[i])

        assurance = str(self.assurance_icon[i])
        return ChartResult(
            chart=self.chart,
            x=self.x[lo:hi],
            y=self.y[lo:hi],
            n=None if self.n is None else self.n[lo:hi],
            value=self.value[lo:hi],
            centre=self.centre[lo:hi],
            mean=self.mean[lo:hi],
            lpl=self.lpl[lo:hi],
            upl=self.upl[lo:hi],
            special_cause_rule=self.special_cause_rule[lo:hi],
            point_type=self.point_type[lo:hi],
            variation_icon=str(self.variation_icon[i]),
            assurance_icon=assurance or None,
            longest_run=opt_int(self.longest_run),
            longest_run_max=opt_int(self.longest_run_max),
            n_crossings=opt_int(self.n_crossings),
            n_crossings_min=opt_int(self.n_crossings_min),
            runs_signal=None if self.runs_signal is None else bool(self.runs_signal[i]),
            warnings=self.warnings[i] if self.warnings else (),
        )

    def index_of(self, series_id: object) -> int:
        """Position of ``series_id`` in ``series_ids``; raises KeyError if absent."""
        pos = int(np.searchsorted(self.series_ids, np.asarray(series_id)))
        if pos >= self.n_series or self.series_ids[pos] != series_id:
            raise KeyError(series_id)
        return pos

    def __getitem__(self, series_id: object) -> ChartResult:
        return self.series_result(self.index_of(series_id))
