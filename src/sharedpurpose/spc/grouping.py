"""Sorting many series into one columnar layout, and per-series options.

Every batch computation works on points sorted by (series, x) so that each
series, and each period inside it, is a contiguous slice. This module builds
that layout once and turns per-series options into per-series columns, so the
chart code can stay free of Python loops over series.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .results import FloatArray, IntArray

BoolArray = npt.NDArray[np.bool_]
Int8Array = npt.NDArray[np.int8]

#: Improvement directions as the integers the rules use (NHSRplotthedots
#: ``ptd_spc.data.frame``: increase = 1, neutral = 0, decrease = -1).
DIRECTIONS: Mapping[str, int] = {"increase": 1, "neutral": 0, "decrease": -1}

#: NHSRplotthedots refuses to fix limits on fewer points (``ptd_spc_options``).
MIN_FIX_AFTER_N_POINTS = 12


class SpcInputError(ValueError):
    """Invalid input to a chart function.

    ``index`` is the position (0-based, in the caller's arrays) of the offending
    point or option row when there is one, and ``field`` the offending column.
    """

    def __init__(self, message: str, *, index: int | None = None, field: str | None = None):
        super().__init__(message)
        self.index = index
        self.field = field


@dataclass(frozen=True, slots=True)
class SeriesOptions:
    """Per-series options as columns, one row per series that has any.

    Any column may be ``None`` (defaults for every series). Within a column, an
    empty direction, a NaN target, and a NaN or 0 ``fix_after_n_points`` mean the
    default. ``rebase_series``/``rebase_x`` list (series, x) pairs where a new
    period starts.
    """

    series: npt.ArrayLike = ()
    improvement_direction: npt.ArrayLike | None = None
    target: npt.ArrayLike | None = None
    fix_after_n_points: npt.ArrayLike | None = None
    screen_outliers: npt.ArrayLike | None = None
    rebase_series: npt.ArrayLike = ()
    rebase_x: npt.ArrayLike = ()


@dataclass(frozen=True, slots=True)
class Layout:
    """Points sorted by series then x, with series and period boundaries.

    ``order[i]`` is the caller's index of sorted point ``i`` (None when the
    input was already in order). ``codes`` is each point's series position in
    ``series_ids``; ``offsets`` the series slice bounds; ``period_start`` marks
    the first point of every period (series start or rebase), ``period`` is
    each point's period number and ``period_offsets`` the period slice bounds.
    """

    order: IntArray | None
    series_ids: npt.NDArray[Any]
    codes: IntArray
    offsets: IntArray
    x: npt.NDArray[Any]
    period_start: BoolArray
    period: IntArray
    period_offsets: IntArray
    unmatched_rebase_codes: IntArray
    unmatched_rebase_x: npt.NDArray[Any]

    @property
    def n_series(self) -> int:
        return int(self.series_ids.shape[0])

    @property
    def n_periods(self) -> int:
        return int(self.period_offsets.shape[0] - 1)

    def take(self, values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """``values`` (in the caller's order) rearranged into sorted order."""
        return values if self.order is None else values[self.order]


def as_x(x: npt.ArrayLike, field: str = "x") -> npt.NDArray[Any]:
    """x as datetime64[D] (dates, ISO strings) or float64 (numbers)."""
    arr = np.asarray(x)
    if arr.dtype.kind in "US":
        try:
            arr = arr.astype("datetime64[D]")
        except ValueError as exc:
            raise SpcInputError(f"{field} is neither numbers nor ISO dates", field=field) from exc
    elif arr.dtype.kind == "M":
        pass
    elif arr.dtype.kind in "biuf":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind == "O":
        try:
            return as_x(arr.astype(np.float64) if _all_numbers(arr) else arr.astype("U"), field)
        except (TypeError, ValueError) as exc:
            raise SpcInputError(f"{field} is neither numbers nor ISO dates", field=field) from exc
    else:
        raise SpcInputError(f"{field} has unsupported type {arr.dtype}", field=field)
    bad = np.isnat(arr) if arr.dtype.kind == "M" else ~np.isfinite(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SpcInputError(f"{field} is missing or not finite at index {i}", index=i, field=field)
    return arr


def _all_numbers(arr: npt.NDArray[Any]) -> bool:
    return all(isinstance(v, (int, float, np.number)) for v in arr.ravel().tolist())


def make_layout(
    series: npt.ArrayLike,
    x: npt.ArrayLike,
    rebase_series: npt.ArrayLike = (),
    rebase_x: npt.ArrayLike = (),
) -> Layout:
    """Sort points by (series, x), reject duplicate x, and mark periods."""
    sid = np.asarray(series)
    xs = as_x(x)
    n = sid.shape[0]
    if sid.ndim != 1 or xs.shape != (n,):
        raise SpcInputError("series and x must be one-dimensional and of equal length")
    if n == 0:
        empty = np.zeros(0, np.int64)
        return Layout(
            None,
            sid[:0],
            empty,
            np.zeros(1, np.int64),
            xs,
            np.zeros(0, bool),
            empty,
            np.zeros(1, np.int64),
            empty,
            xs[:0],
        )

    order, series_ids, codes = _sort_order(sid, xs)
    xs_sorted = xs if order is None else xs[order]
    change = codes[1:] != codes[:-1]
    same = ~change & (xs_sorted[1:] == xs_sorted[:-1])
    if same.any():
        i = int(np.flatnonzero(same)[0]) + 1
        orig = i if order is None else int(order[i])
        raise SpcInputError(
            f"duplicate x {xs_sorted[i]} in series {series_ids[codes[i]]!r}", index=orig, field="x"
        )
    series_start = np.empty(n, bool)
    series_start[0] = True
    series_start[1:] = change
    offsets = np.append(np.flatnonzero(series_start), n).astype(np.int64)

    period_start = series_start.copy()
    unmatched_codes = np.zeros(0, np.int64)
    unmatched_x = xs[:0]
    rb_s = np.asarray(rebase_series)
    if rb_s.shape[0]:
        rb_codes = series_codes(series_ids, rb_s, "rebase series")
        rb_x = as_x(rebase_x, "rebase x")
        if rb_x.shape != rb_codes.shape:
            raise SpcInputError("rebase series and x must have equal length")
        hit, unmatched = _match_points(codes, xs_sorted, rb_codes, rb_x)
        period_start[hit] = True
        unmatched_codes, unmatched_x = rb_codes[unmatched], rb_x[unmatched]
    period_offsets = np.append(np.flatnonzero(period_start), n).astype(np.int64)
    period = np.cumsum(period_start, dtype=np.int64) - 1
    return Layout(
        order,
        series_ids,
        codes.astype(np.int64),
        offsets,
        xs_sorted,
        period_start,
        period,
        period_offsets,
        unmatched_codes,
        unmatched_x,
    )


def _sort_order(
    sid: npt.NDArray[Any], xs: npt.NDArray[Any]
) -> tuple[IntArray | None, npt.NDArray[Any], IntArray]:
    """Permutation to (series, x) order, the sorted series ids, sorted codes.

    Data usually arrive grouped by series and in x order; detecting that
    avoids a full sort of string ids, the costliest step for big batches.
    """
    n = sid.shape[0]
    seg_start = np.empty(n, bool)
    seg_start[0] = True
    np.not_equal(sid[1:], sid[:-1], out=seg_start[1:])
    starts = np.flatnonzero(seg_start)
    firsts = sid[starts]
    series_ids, rank = np.unique(firsts, return_inverse=True)
    if series_ids.shape[0] == firsts.shape[0]:
        # each series is one contiguous block
        lengths = np.diff(np.append(starts, n))
        in_x_order = bool(np.all(seg_start[1:] | (xs[1:] > xs[:-1])))
        codes_in = np.repeat(rank.astype(np.int64), lengths)
        if in_x_order:
            if bool(np.all(rank[1:] > rank[:-1])):
                return None, series_ids, codes_in
            block_order = np.argsort(rank, kind="stable")
            b_len = lengths[block_order]
            b_start = starts[block_order]
            shift = np.repeat(b_start - (np.cumsum(b_len) - b_len), b_len)
            order = np.arange(n, dtype=np.int64) + shift
            return order, series_ids, codes_in[order]
        order = np.lexsort((xs, codes_in)).astype(np.int64)
        return order, series_ids, codes_in[order]
    series_ids, codes = np.unique(sid, return_inverse=True)
    codes = codes.astype(np.int64)
    order = np.lexsort((xs, codes)).astype(np.int64)
    return order, series_ids, codes[order]


def series_codes(series_ids: npt.NDArray[Any], wanted: npt.ArrayLike, what: str) -> IntArray:
    """Positions of ``wanted`` ids in the sorted ``series_ids``; unknown ids raise."""
    w = np.asarray(wanted)
    if w.shape[0] == 0:
        return np.zeros(0, np.int64)
    if w.dtype.kind != series_ids.dtype.kind and not (
        w.dtype.kind in "iuf" and series_ids.dtype.kind in "iuf"
    ):
        w = w.astype(series_ids.dtype) if series_ids.dtype.kind in "US" else w
    pos = np.searchsorted(series_ids, w)
    pos_c = np.minimum(pos, series_ids.shape[0] - 1)
    bad = (pos >= series_ids.shape[0]) | (series_ids[pos_c] != w)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SpcInputError(f"{what} {w[i]!r} is not in the data", index=i, field="series")
    out: IntArray = pos_c.astype(np.int64)
    return out


def _match_points(
    codes: IntArray, xs: npt.NDArray[Any], rb_codes: IntArray, rb_x: npt.NDArray[Any]
) -> tuple[IntArray, IntArray]:
    """Sorted-point indices equal to (rb_codes, rb_x), and unmatched rebase rows."""
    if xs.dtype != rb_x.dtype:
        raise SpcInputError(
            "rebase x and point x must both be dates or both numbers", field="rebase"
        )
    n = codes.shape[0]
    all_codes = np.concatenate([codes, rb_codes])
    all_x = np.concatenate([xs, rb_x])
    kind = np.concatenate([np.zeros(n, np.int8), np.ones(rb_codes.shape[0], np.int8)])
    order = np.lexsort((kind, all_x, all_codes))
    pos = np.flatnonzero(kind[order] == 1)
    prev = order[pos - 1]
    ok = (pos > 0) & (kind[prev] == 0)
    ok &= (all_codes[prev] == all_codes[order[pos]]) & (all_x[prev] == all_x[order[pos]])
    hit = prev[ok].astype(np.int64)
    unmatched = (order[pos[~ok]] - n).astype(np.int64)
    return hit, np.sort(unmatched)


@dataclass(frozen=True, slots=True)
class ResolvedOptions:
    """Per-series option columns aligned with ``Layout.series_ids``."""

    direction: Int8Array
    target: FloatArray
    fix_after_n_points: FloatArray
    screen_outliers: BoolArray


def resolve_options(
    layout: Layout,
    options: SeriesOptions | None,
    *,
    improvement_direction: str = "increase",
    target: float | None = None,
    fix_after_n_points: int | None = None,
    screen_outliers: bool = True,
) -> ResolvedOptions:
    """Broadcast scalar defaults, then overlay the per-series columns."""
    k = layout.n_series
    direction = np.full(k, _direction(improvement_direction), np.int8)
    tgt = np.full(k, np.nan if target is None else float(target))
    fix = np.full(k, _fix(fix_after_n_points), np.float64)
    screen = np.full(k, bool(screen_outliers))
    if options is not None and np.asarray(options.series).shape[0]:
        pos = series_codes(layout.series_ids, options.series, "options for series")
        dup = np.bincount(pos, minlength=k) > 1
        if dup.any():
            sid = layout.series_ids[int(np.flatnonzero(dup)[0])]
            i = int(np.flatnonzero(pos == np.flatnonzero(dup)[0])[1])
            raise SpcInputError(f"options repeat series {sid!r}", index=i, field="series")
        m = pos.shape[0]
        if options.improvement_direction is not None:
            d = np.asarray(options.improvement_direction, dtype=object)
            _check_len(d, m, "improvement_direction")
            for i, v in enumerate(d.tolist()):
                if v is not None and v != "":
                    direction[pos[i]] = _direction(str(v), index=i)
        if options.target is not None:
            t = np.asarray(options.target, dtype=np.float64)
            _check_len(t, m, "target")
            have = ~np.isnan(t)
            tgt[pos[have]] = t[have]
        if options.fix_after_n_points is not None:
            f = np.asarray(options.fix_after_n_points, dtype=np.float64)
            _check_len(f, m, "fix_after_n_points")
            have = ~np.isnan(f) & (f != 0)
            bad = have & ((f < MIN_FIX_AFTER_N_POINTS) | (f != np.floor(f)))
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise SpcInputError(
                    f"fix_after_n_points must be a whole number >= {MIN_FIX_AFTER_N_POINTS}",
                    index=i,
                    field="fix_after_n_points",
                )
            fix[pos[have]] = f[have]
        if options.screen_outliers is not None:
            s = np.asarray(options.screen_outliers, dtype=bool)
            _check_len(s, m, "screen_outliers")
            screen[pos] = s
    return ResolvedOptions(direction, tgt, fix, screen)


def _check_len(a: npt.NDArray[Any], m: int, name: str) -> None:
    if a.shape != (m,):
        raise SpcInputError(f"options column {name} must have one entry per series row", field=name)


def _direction(value: str, index: int | None = None) -> int:
    try:
        return DIRECTIONS[value]
    except KeyError:
        raise SpcInputError(
            f"improvement_direction must be increase, decrease or neutral, not {value!r}",
            index=index,
            field="improvement_direction",
        ) from None


def _fix(value: int | None) -> float:
    if value is None or value == 0:
        return float(np.inf)
    if value < MIN_FIX_AFTER_N_POINTS or int(value) != value:
        raise SpcInputError(
            f"fix_after_n_points must be a whole number >= {MIN_FIX_AFTER_N_POINTS}",
            field="fix_after_n_points",
        )
    return float(value)
