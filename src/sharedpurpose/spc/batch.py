"""XmR charts for many series at once, and the single-series call built on it.

All series are computed together on columns (numpy, no loop over series), so
that thousands of series cost little more than one.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from . import rules
from .grouping import Layout, SeriesOptions, SpcInputError, make_layout, resolve_options
from .icons import assurance_icons, variation_icons
from .results import BatchResult, ChartResult, FloatArray
from .xmr import period_limits

#: NHSRplotthedots warns about periods with fewer rows than this
#: (``getOption("ptd_spc.warning_threshold", 13)`` in
#: ``ptd_add_short_group_warnings``; its message says 12).
SHORT_PERIOD_THRESHOLD = 13

#: The reference's warning, word for word.
SHORT_PERIOD_WARNING = (
    "Some groups have 'n < 12' observations. These have trial limits, which will be "
    "revised with each additional observation until 'n = fix_after_n_points' has been reached."
)


def xmr_batch(
    series: npt.ArrayLike,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    options: SeriesOptions | None = None,
    improvement_direction: str = "increase",
    target: float | None = None,
    fix_after_n_points: int | None = None,
    screen_outliers: bool = True,
    rebase: npt.ArrayLike = (),
) -> BatchResult:
    """XmR charts for every series in the columns ``series``, ``x``, ``y``.

    Points may come in any order; each series is ordered by x and x may not
    repeat within a series. ``y`` may hold NaN for missing values. Keyword
    options apply to every series (``rebase`` lists x values at which every
    series starts a new period); ``options`` overrides them per series.

    >>> import numpy as np
    >>> r = xmr_batch(["a"] * 3 + ["b"] * 3, [1, 2, 3, 1, 2, 3], [1.0, 2, 3, 10, 10, 40])
    >>> r.series_ids.tolist(), r.offsets.tolist()
    (['a', 'b'], [0, 3, 6])
    >>> r.mean.tolist()
    [2.0, 2.0, 2.0, 20.0, 20.0, 20.0]
    >>> round(float(r["b"].upl[0]), 9)  # 20 + 2.66 * mean(0, 30)
    59.9
    """
    yv = np.asarray(y, dtype=np.float64)
    sid = np.asarray(series)
    if yv.shape != sid.shape:
        raise SpcInputError("series, x and y must have equal length")
    rb = np.asarray(rebase)
    rb_series: npt.ArrayLike = () if options is None else options.rebase_series
    rb_x: npt.ArrayLike = () if options is None else options.rebase_x
    if rb.shape[0]:
        ids = np.unique(sid)
        rb_series = np.concatenate([np.repeat(ids, rb.shape[0]), np.asarray(rb_series, ids.dtype)])
        rb_x = np.concatenate([np.tile(rb, ids.shape[0]), np.asarray(rb_x, rb.dtype)])
    layout = make_layout(sid, x, rb_series, rb_x)
    opts = resolve_options(
        layout,
        options,
        improvement_direction=improvement_direction,
        target=target,
        fix_after_n_points=fix_after_n_points,
        screen_outliers=screen_outliers,
    )
    ys: FloatArray = layout.take(yv)
    return _xmr_sorted(
        layout,
        ys,
        opts.direction,
        opts.target,
        opts.fix_after_n_points,
        opts.screen_outliers,
        sid if layout.order is None else sid[layout.order],
    )


def _xmr_sorted(
    layout: Layout,
    y: FloatArray,
    direction: npt.NDArray[np.int8],
    target: FloatArray,
    fix_after_n_points: FloatArray,
    screen_outliers: npt.NDArray[np.bool_],
    series_col: npt.NDArray[np.generic],
) -> BatchResult:
    codes = layout.codes
    period = layout.period
    ps = layout.period_start
    lim = period_limits(
        y, ps, layout.period_offsets, fix_after_n_points[codes], screen_outliers[codes]
    )
    mean = lim.mean[period]
    lpl = lim.lpl[period]
    upl = lim.upl[period]
    with np.errstate(invalid="ignore"):
        outside = (y > upl) | (y < lpl)
        close = ~outside & ((y < lim.nlpl[period]) | (y > lim.nupl[period]))
    rtm = rules.relative_to_mean(y, mean)
    in_trend, trend_dir = rules.trend(y, ps)
    in_2of3 = rules.two_in_three(close, rtm, ps)
    in_shift = rules.shift(rtm, ps)

    side = np.where(rtm > 0, 1, -1).astype(np.int8)
    rule = np.where(
        outside,
        rules.RULE_ASTRONOMICAL,
        np.where(
            in_trend,
            rules.RULE_TREND,
            np.where(
                in_2of3,
                rules.RULE_TWO_IN_THREE,
                np.where(in_shift, rules.RULE_SHIFT, rules.RULE_NONE),
            ),
        ),
    ).astype(np.int8)
    # the reference labels an astronomical point "Above UCL" only when it lies above the mean
    updown = np.where(
        rule == rules.RULE_TREND, trend_dir, np.where(rule == rules.RULE_NONE, 0, side)
    ).astype(np.int8)
    d = direction[codes]
    oriented = updown * d
    ptype = np.where(
        d == 0,
        np.where(
            updown > 0,
            rules.POINT_NEUTRAL_HIGH,
            np.where(updown < 0, rules.POINT_NEUTRAL_LOW, rules.POINT_COMMON),
        ),
        np.where(
            oriented > 0,
            rules.POINT_IMPROVEMENT,
            np.where(oriented < 0, rules.POINT_CONCERN, rules.POINT_COMMON),
        ),
    ).astype(np.int8)

    missing = np.isnan(y)
    out_mean = np.where(missing, np.nan, mean)
    out_lpl = np.where(missing, np.nan, lpl)
    out_upl = np.where(missing, np.nan, upl)

    last = layout.offsets[1:] - 1
    last_period = period[last] if last.shape[0] else np.zeros(0, np.int64)
    var_icon = variation_icons(ptype[last], direction)
    ass_icon = assurance_icons(target, lim.lpl[last_period], lim.upl[last_period], direction)

    return BatchResult(
        chart="xmr",
        series=series_col,
        x=layout.x,
        y=y,
        n=None,
        value=y,
        centre=out_mean,
        mean=out_mean,
        lpl=out_lpl,
        upl=out_upl,
        special_cause_rule=rules.RULE_NAMES[rule],
        point_type=rules.POINT_TYPES[ptype],
        series_ids=layout.series_ids,
        offsets=layout.offsets,
        variation_icon=var_icon,
        assurance_icon=ass_icon,
        warnings=_warnings(layout, lim.size),
        source_index=np.arange(y.shape[0]) if layout.order is None else layout.order,
    )


def _warnings(layout: Layout, period_size: npt.NDArray[np.int64]) -> tuple[tuple[str, ...], ...]:
    short = np.zeros(layout.n_series, bool)
    short[layout.codes[layout.period_offsets[:-1][period_size < SHORT_PERIOD_THRESHOLD]]] = True
    msgs: list[tuple[str, ...]] = [(SHORT_PERIOD_WARNING,) if s else () for s in short.tolist()]
    # the reference silently ignores a rebase x that matches no point; say so
    for code, xv in zip(
        layout.unmatched_rebase_codes.tolist(), layout.unmatched_rebase_x.tolist(), strict=True
    ):
        msgs[code] = (*msgs[code], f"rebase at x={xv} matches no point and was ignored")
    return tuple(msgs)


def xmr(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    improvement_direction: str = "increase",
    target: float | None = None,
    fix_after_n_points: int | None = None,
    screen_outliers: bool = True,
    rebase: npt.ArrayLike = (),
) -> ChartResult:
    """XmR chart of one series, with Making Data Count rules and icons.

    ``x`` are numbers or dates (datetime64 or ISO strings), in any order but
    unique; ``y`` numbers with NaN for missing values. ``rebase`` lists x
    values that start a new period; ``fix_after_n_points`` (at least 12)
    freezes each period's limits on its first points; ``screen_outliers=False``
    reproduces the NHS England Excel tools, which do not screen moving ranges.

    >>> r = xmr(range(1, 13), [5.0, 6, 5, 7, 6, 5, 6, 7, 5, 6, 5, 15], target=4)
    >>> float(r.mean[0]), float(r.lpl[0]), float(r.upl[0])
    (6.5, 3.308, 9.692)
    >>> str(r.special_cause_rule[-1]), str(r.point_type[-1])
    ('astronomical', 'special_cause_improvement')
    >>> r.variation_icon, r.assurance_icon
    ('improvement_high', 'inconsistent')
    >>> r.warnings[0][:26]  # 12 points: trial limits
    "Some groups have 'n < 12' "
    >>> xmr([1, 2, 3], [5.0, 6, 7], target=20).assurance_icon
    'consistent_fail'
    """
    yv = np.asarray(y, dtype=np.float64)
    batch = xmr_batch(
        np.zeros(yv.shape[0], np.int64),
        x,
        yv,
        improvement_direction=improvement_direction,
        target=target,
        fix_after_n_points=fix_after_n_points,
        screen_outliers=screen_outliers,
        rebase=rebase,
    )
    if batch.n_series == 0:
        return _empty("xmr", improvement_direction, target)
    return batch.series_result(0)


def _empty(chart: str, improvement_direction: str, target: float | None) -> ChartResult:
    f = np.zeros(0)
    s = np.zeros(0, dtype="<U1")
    assurance = None if target is None or improvement_direction == "neutral" else "inconsistent"
    return ChartResult(chart, f, f, None, f, f, f, f, f, s, s, "common_cause", assurance)
