"""Accessible SVG charts and data tables for any :class:`ChartResult`.

One renderer serves web pages and PDF reports (WeasyPrint): a standalone
``<svg>`` with a ``viewBox`` (no fixed pixel size), ``role="img"`` and
``aria-labelledby`` pointing at its ``<title>`` and ``<desc>``; the ``<desc>``
reads the chart in one plain-English sentence. Nothing is fetched or run: no
scripts, no external references, system fonts only.

Drawing follows Making Data Count: grey data line, special-cause points in
blue (improvement), orange (concern) or purple (neutral), a solid centre line,
dashed process limits and a red target line. Special-cause points also differ
in shape (diamond, square, triangle) and are named in a legend, so colour is
never the only cue. Lines break at rebase points and at missing values.

Example:
    >>> from sharedpurpose.spc.runs import run_chart
    >>> svg = render_chart(run_chart([3, 1, 4, 1, 5]), title="Falls per week")
    >>> svg.startswith("<svg") and "<desc" in svg
    True
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

import numpy as np
import numpy.typing as npt

from sharedpurpose.spc.icons_svg import (
    COLOUR_COMMON,
    COLOUR_CONCERN,
    COLOUR_IMPROVEMENT,
    COLOUR_INK,
    COLOUR_MUTED_INK,
    COLOUR_NEUTRAL,
    COLOUR_TARGET,
    assurance_icon_svg,
    icon_texts,
    variation_icon_svg,
)
from sharedpurpose.spc.results import ChartResult

__all__ = [
    "ANNOTATION_KINDS",
    "FONT_STACK",
    "POINT_STYLES",
    "Annotation",
    "describe",
    "format_x",
    "render_chart",
    "render_data_table",
    "render_icons",
]

FONT_STACK = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# point_type -> (colour, marker shape, legend label)
POINT_STYLES: dict[str, tuple[str, str, str]] = {
    "common_cause": (COLOUR_COMMON, "circle", "Common cause"),
    "special_cause_improvement": (COLOUR_IMPROVEMENT, "diamond", "Special cause: improvement"),
    "special_cause_concern": (COLOUR_CONCERN, "square", "Special cause: concern"),
    "special_cause_neutral_high": (COLOUR_NEUTRAL, "triangle-up", "Special cause: higher"),
    "special_cause_neutral_low": (COLOUR_NEUTRAL, "triangle-down", "Special cause: lower"),
}
_RULE_TEXT = {
    "astronomical": "outside the process limits",
    "trend": "part of a trend",
    "two_in_three": "two of three near a limit",
    "shift": "part of a shift",
}
_CHART_NAMES = {
    "run": "Run chart",
    "p": "p chart",
    "pp": "p′ chart",
    "u": "u chart",
    "up": "u′ chart",
    "c": "c chart",
    "g": "g chart",
    "xmr": "XmR chart",
    "i": "XmR chart",
}
_PERCENT_CHARTS = ("p", "pp")
_MEDIAN_CHARTS = ("run", "g")

# kind -> (name in the key, stroke colour, dash pattern): the dash differs by kind so that
# colour is never the only cue; both blues and greens keep 4.5:1 on white.
ANNOTATION_KINDS: dict[str, tuple[str, str, str | None]] = {
    "pdsa": ("PDSA", "#005eb8", None),
    "change": ("Change idea", "#007f3b", "6 3"),
    "rebase": ("Rebase", COLOUR_MUTED_INK, "2 3"),
}


@dataclass(frozen=True, slots=True)
class Annotation:
    """Something that happened at ``x`` (a date, ``datetime64`` or number, as the chart's x).

    ``kind`` is ``pdsa``, ``change`` or ``rebase``; ``label`` is a few words ("Test huddles").

    >>> Annotation(date(2024, 3, 4), "Test huddles").kind
    'pdsa'
    """

    x: Any
    label: str
    kind: str = "pdsa"

    def __post_init__(self) -> None:
        if self.kind not in ANNOTATION_KINDS:
            raise ValueError(f"kind must be one of {', '.join(ANNOTATION_KINDS)}")

    @property
    def kind_name(self) -> str:
        return ANNOTATION_KINDS[self.kind][0]


# --------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------


def _is_dates(x: npt.NDArray[Any]) -> bool:
    return bool(np.issubdtype(x.dtype, np.datetime64))


def format_x(value: Any, *, with_day: bool = False) -> str:
    """An x value as text: "Apr 2016" for dates (or "5 Apr 2016" with_day), else a number.

    >>> format_x(np.datetime64("2016-04-01")), format_x(np.datetime64("2016-04-05"), with_day=True)
    ('Apr 2016', '5 Apr 2016')
    >>> format_x(3.0), format_x(2.5)
    ('3', '2.5')
    """
    if isinstance(value, np.datetime64):
        d = value.astype("datetime64[D]")
        y, m, day = str(d).split("-")
        text = f"{_MONTHS[int(m) - 1]} {int(y)}"
        return f"{int(day)} {text}" if with_day else text
    return _number(float(value))


def _percent(result: ChartResult, percent: bool | None) -> bool:
    return result.chart in _PERCENT_CHARTS if percent is None else percent


def _number(v: float, percent: bool = False) -> str:
    if not math.isfinite(v):
        return "–"
    if percent:
        return f"{_trim(f'{v * 100:.1f}')}%"
    if v == round(v) and abs(v) < 1e15:
        return str(int(round(v)))
    mag = abs(v)
    digits = 1 if mag >= 100 else 2 if mag >= 1 else 3 if mag >= 0.01 else 6
    return _trim(f"{v:.{digits}f}")


def _trim(s: str) -> str:
    return s.rstrip("0").rstrip(".") if "." in s else s


def _f(v: float) -> str:
    """A coordinate, rounded to 0.01 user units."""
    return _trim(f"{v:.2f}")


def _days_between(x: npt.NDArray[Any]) -> float | None:
    if x.size < 2 or not _is_dates(x):
        return None
    d = np.diff(x.astype("datetime64[D]").astype(np.int64))
    return float(np.median(d))


def _cadence(x: npt.NDArray[Any]) -> str:
    step = _days_between(x)
    if step is None:
        return "Values"
    if step <= 1:
        return "Daily values"
    if 6 <= step <= 8:
        return "Weekly values"
    if 28 <= step <= 31:
        return "Monthly values"
    if 89 <= step <= 92:
        return "Quarterly values"
    if 364 <= step <= 366:
        return "Yearly values"
    return "Values"


def _needs_day(x: npt.NDArray[Any]) -> bool:
    if not _is_dates(x) or x.size == 0:
        return False
    days = x.astype("datetime64[D]")
    months = days.astype("datetime64[M]").astype("datetime64[D]")
    return bool(np.any(days != months)) and (_days_between(x) or 0) < 28


# --------------------------------------------------------------------------
# Reading the chart in words
# --------------------------------------------------------------------------


def _target_of(result: ChartResult, target: float | None) -> float | None:
    if target is not None:
        return float(target)
    t = getattr(result, "target", None)
    return None if t is None or not math.isfinite(t) else float(t)


def describe(
    result: ChartResult, *, target: float | None = None, percent: bool | None = None
) -> str:
    """One plain-English sentence reading the chart.

    ``percent`` shows values as percentages (proportions stored as 0–1); by default p and
    p′ charts are.

    >>> from sharedpurpose.spc.runs import run_chart
    >>> describe(run_chart([1, 2, 3, 2, 1]))
    'Values from 1 to 5 show common cause variation at the last point.'
    """
    x = result.x
    present = np.flatnonzero(np.isfinite(result.value))
    if present.size == 0:
        return "The chart has no values to show."
    day = _needs_day(x)
    first = format_x(x[present[0]], with_day=day)
    last = format_x(x[present[-1]], with_day=day)
    icon = result.variation_icon
    if icon == "common_cause":
        variation = "common cause variation"
    else:
        kind, _, side = icon.partition("_")
        word = {
            "improvement": "special cause improvement",
            "concern": "special cause concern",
            "neutral": "special cause variation",
        }.get(kind, "special cause variation")
        variation = f"{word} ({'higher' if side == 'high' else 'lower'} values)"
    sentence = f"{_cadence(x)} from {first} to {last} show {variation} at the last point"
    if result.chart == "run" and result.runs_signal:
        sentence += ", and a non-random pattern in the runs around the median"
    tgt = _target_of(result, target)
    if tgt is not None and result.assurance_icon:
        t = _number(tgt, percent=_percent(result, percent))
        sentence += {
            "consistent_pass": f"; the process is expected to consistently meet the {t} target",
            "consistent_fail": f"; the process is expected to consistently fail the {t} target",
            "inconsistent": f"; the process is not capable of consistently meeting the {t} target",
        }.get(result.assurance_icon, "")
    return sentence + "."


# --------------------------------------------------------------------------
# Geometry helpers
# --------------------------------------------------------------------------


def _x_numeric(x: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    if _is_dates(x):
        return x.astype("datetime64[D]").astype(np.int64).astype(np.float64)
    return np.asarray(x, dtype=np.float64)


def _periods(result: ChartResult) -> npt.NDArray[np.int64]:
    """Period of each point: the result's own, else a new one wherever the centre changes."""
    period = getattr(result, "period", None)
    if period is not None and len(period) == result.n_points:
        return np.asarray(period, dtype=np.int64)
    c = result.centre
    change = np.zeros(c.shape[0], dtype=np.int64)
    if c.shape[0] > 1:
        with np.errstate(invalid="ignore"):
            both = np.isfinite(c[1:]) & np.isfinite(c[:-1])
            change[1:] = (both & (c[1:] != c[:-1])).astype(np.int64)
    return np.cumsum(change)


def _nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step - 1e-9) * step
    ticks = []
    v = start
    while v <= hi + step * 1e-9:
        ticks.append(round(v, 12))
        v += step
    return ticks


def _runs_of(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(start, stop) of each stretch of True."""
    out: list[tuple[int, int]] = []
    start = -1
    for i, ok in enumerate(mask.tolist()):
        if ok and start < 0:
            start = i
        elif not ok and start >= 0:
            out.append((start, i))
            start = -1
    if start >= 0:
        out.append((start, mask.shape[0]))
    return out


def _marker(shape: str, cx: float, cy: float, size: float) -> tuple[str, str]:
    """(element name, geometry attributes) of a point marker."""
    if shape == "circle":
        return "circle", f'cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(size * 0.8)}"'
    if shape == "square":
        s = size * 0.85
        return "rect", f'x="{_f(cx - s)}" y="{_f(cy - s)}" width="{_f(2 * s)}" height="{_f(2 * s)}"'
    if shape == "diamond":
        s = size * 1.25
        pts = [(cx, cy - s), (cx + s, cy), (cx, cy + s), (cx - s, cy)]
    elif shape == "triangle-up":
        s = size * 1.2
        pts = [(cx, cy - s), (cx + s, cy + s * 0.8), (cx - s, cy + s * 0.8)]
    else:
        s = size * 1.2
        pts = [(cx, cy + s), (cx + s, cy - s * 0.8), (cx - s, cy - s * 0.8)]
    return "polygon", 'points="' + " ".join(f"{_f(a)},{_f(b)}" for a, b in pts) + '"'


# --------------------------------------------------------------------------
# The chart
# --------------------------------------------------------------------------


def render_chart(
    result: ChartResult,
    *,
    title: str,
    width: int = 720,
    height: int = 360,
    description: str | None = None,
    target: float | None = None,
    y_label: str | None = None,
    id_prefix: str | None = None,
    annotations: Sequence[Annotation] = (),
    x_range: tuple[Any, Any] | None = None,
    percent: bool | None = None,
) -> str:
    """A standalone, accessible SVG of ``result``.

    ``description`` replaces the generated one-sentence reading in ``<desc>``;
    ``target`` overrides the result's own target (XmR results may not carry
    one). ``id_prefix`` makes the ids of ``<title>``/``<desc>`` unique on a page
    (derived from the content when omitted, so output is deterministic).

    ``annotations`` are drawn as vertical markers numbered in the order given, each
    with its own ``<title>``, and listed in a key below the chart ("1. PDSA: …").
    ``x_range=(start, end)`` fixes the x scale and its ticks, so that charts drawn
    with the same range line up on one time axis. ``percent`` as for :func:`describe`.

    >>> from sharedpurpose.spc.runs import run_chart
    >>> svg = render_chart(run_chart([3, 1, 4, 1, 5]), title="Falls",
    ...                    annotations=[Annotation(3, "New checklist", "change")])
    >>> "1. Change idea: New checklist" in svg
    True
    """
    if width < 200 or height < 150:
        raise ValueError("width must be at least 200 and height at least 150")
    tgt = _target_of(result, target)
    percent = _percent(result, percent)
    dated = _is_dates(result.x)
    notes = [(i + 1, a, _x_of(a.x)) for i, a in enumerate(annotations)]
    desc = description if description is not None else describe(result, target=tgt, percent=percent)
    if description is None and notes:
        desc += (
            " Marked on the chart: "
            + "; ".join(_annotation_text(n, a, dated) for n, a, _ in notes)
            + "."
        )
    if id_prefix is None:
        digest = hashlib.sha1(  # noqa: S324 - an id, not security
            (title + desc + result.value.tobytes().hex()).encode()
        ).hexdigest()[:10]
        id_prefix = f"spc-{digest}"
    tid, did = f"{id_prefix}-title", f"{id_prefix}-desc"

    x = result.x
    xv = _x_numeric(x)
    value = np.asarray(result.value, dtype=np.float64)
    centre = np.asarray(result.centre, dtype=np.float64)
    lpl = np.asarray(result.lpl, dtype=np.float64)
    upl = np.asarray(result.upl, dtype=np.float64)
    period = _periods(result)

    icon_r = 17.0
    top = 58.0
    left = 64.0
    right = 20.0
    bottom = 70.0
    plot_w = width - left - right
    plot_h = height - top - bottom

    # Scales.
    if x_range is not None:
        x_lo, x_hi = sorted((_x_of(x_range[0]), _x_of(x_range[1])))
    elif xv.size:
        x_lo, x_hi = float(xv.min()), float(xv.max())
    else:
        x_lo, x_hi = 0.0, 1.0
    domain = (x_lo, x_hi)
    if x_hi == x_lo:
        x_lo, x_hi = x_lo - 1, x_hi + 1
    pad_x = (x_hi - x_lo) * 0.02
    x_lo, x_hi = x_lo - pad_x, x_hi + pad_x
    ys = np.concatenate([value, centre, lpl, upl, [tgt if tgt is not None else np.nan]])
    ys = ys[np.isfinite(ys)]
    y_lo, y_hi = (float(ys.min()), float(ys.max())) if ys.size else (0.0, 1.0)
    if y_hi == y_lo:
        y_lo, y_hi = y_lo - 1, y_hi + 1
    pad_y = (y_hi - y_lo) * 0.06
    y_lo, y_hi = y_lo - pad_y, y_hi + pad_y

    def sx(v: float) -> float:
        return left + (v - x_lo) / (x_hi - x_lo) * plot_w

    def sy(v: float) -> float:
        return top + (y_hi - v) / (y_hi - y_lo) * plot_h

    key_lines = [_annotation_text(n, a, dated) for n, a, _ in notes]
    key_height = KEY_ROW_HEIGHT * len(key_lines) + KEY_PADDING if key_lines else 0.0
    full_height = height + key_height

    out: list[str] = []
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {_f(full_height)}" '
        f'role="img" aria-labelledby="{tid} {did}" '
        f'class="sp-chart sp-chart-{escape(result.chart)}" '
        f'font-family="{escape(FONT_STACK)}" font-size="12" '
        f'preserveAspectRatio="xMidYMid meet">'
    )
    out.append(f'<title id="{tid}">{escape(title)}</title>')
    out.append(f'<desc id="{did}">{escape(desc)}</desc>')
    out.append(f'<rect x="0" y="0" width="{width}" height="{_f(full_height)}" fill="#ffffff"/>')
    out.append(
        f'<text x="{_f(left)}" y="22" font-size="15" font-weight="600" fill="{COLOUR_INK}" '
        f'aria-hidden="true">{escape(title)}</text>'
    )
    subtitle = _CHART_NAMES.get(result.chart, result.chart)
    out.append(
        f'<text x="{_f(left)}" y="40" font-size="12" fill="{COLOUR_MUTED_INK}" '
        f'aria-hidden="true">{escape(subtitle)}</text>'
    )

    # Icons, top right.
    cx = width - right - icon_r
    icon_parts = []
    if result.assurance_icon:
        icon_parts.append(assurance_icon_svg(result.assurance_icon, cx, 26, icon_r))
        cx -= 2 * icon_r + 8
    if result.variation_icon:
        icon_parts.insert(0, variation_icon_svg(result.variation_icon, cx, 26, icon_r))
    out.append('<g class="sp-icons">' + "".join(icon_parts) + "</g>")

    # Axes and grid.
    out.append('<g class="sp-axes" aria-hidden="true">')
    for t in _nice_ticks(y_lo, y_hi):
        yy = sy(t)
        out.append(
            f'<line x1="{_f(left)}" y1="{_f(yy)}" x2="{_f(left + plot_w)}" y2="{_f(yy)}" '
            f'stroke="#ececec" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{_f(left - 6)}" y="{_f(yy + 4)}" text-anchor="end" '
            f'fill="{COLOUR_MUTED_INK}">{escape(_number(t, percent))}</text>'
        )
    axis_y = top + plot_h
    out.append(
        f'<line x1="{_f(left)}" y1="{_f(axis_y)}" x2="{_f(left + plot_w)}" y2="{_f(axis_y)}" '
        f'stroke="{COLOUR_MUTED_INK}" stroke-width="1"/>'
    )
    day = _needs_day(x)
    if x_range is not None:
        ticks = _range_ticks(domain[0], domain[1], dated, plot_w)
    else:
        ticks = [
            (float(xv[i]), format_x(x[i], with_day=day)) for i in _x_tick_indices(xv.size, plot_w)
        ]
    for tick_x, tick_label in ticks:
        xx = sx(tick_x)
        out.append(
            f'<line x1="{_f(xx)}" y1="{_f(axis_y)}" x2="{_f(xx)}" y2="{_f(axis_y + 4)}" '
            f'stroke="{COLOUR_MUTED_INK}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{_f(xx)}" y="{_f(axis_y + 17)}" text-anchor="middle" '
            f'fill="{COLOUR_MUTED_INK}">{escape(tick_label)}</text>'
        )
    if y_label:
        out.append(
            f'<text transform="translate(14 {_f(top + plot_h / 2)}) rotate(-90)" '
            f'text-anchor="middle" fill="{COLOUR_MUTED_INK}">{escape(y_label)}</text>'
        )
    out.append("</g>")

    # Period separators at rebase points.
    starts = np.flatnonzero(np.diff(period) != 0) + 1
    for s in starts.tolist():
        xx = (sx(float(xv[s - 1])) + sx(float(xv[s]))) / 2
        out.append(
            f'<line class="sp-rebase" x1="{_f(xx)}" y1="{_f(top)}" x2="{_f(xx)}" '
            f'y2="{_f(axis_y)}" stroke="{COLOUR_MUTED_INK}" stroke-width="1" '
            f'stroke-dasharray="1 3" aria-hidden="true"/>'
        )

    # Centre line and limits, one path per period (limits may step per point).
    bounds = np.concatenate(([0], starts, [period.shape[0]])).tolist()
    lines: list[str] = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        seg = slice(a, b)
        lines.append(_step_path(xv[seg], centre[seg], sx, sy, "sp-centre", "#000000", None, 1.5))
        for lim, name in ((lpl, "sp-lpl"), (upl, "sp-upl")):
            lines.append(_step_path(xv[seg], lim[seg], sx, sy, name, "#7b7d7d", "6 4", 1.2))
    out.append('<g class="sp-lines" aria-hidden="true">' + "".join(lines) + "</g>")

    if tgt is not None and y_lo <= tgt <= y_hi:
        ty = sy(tgt)
        out.append(
            f'<g class="sp-target" aria-hidden="true"><line x1="{_f(left)}" y1="{_f(ty)}" '
            f'x2="{_f(left + plot_w)}" y2="{_f(ty)}" stroke="{COLOUR_TARGET}" '
            f'stroke-width="1.5" stroke-dasharray="10 3 2 3"/>'
            f'<text x="{_f(left + plot_w - 2)}" y="{_f(ty - 5)}" text-anchor="end" '
            f'fill="{COLOUR_TARGET}">{escape("Target " + _number(tgt, percent))}</text></g>'
        )

    out.append(_annotation_markers(notes, dated, sx, top, axis_y, domain))

    # Data line: segments per period, broken at missing values.
    data_paths = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        for s0, s1 in _runs_of(np.isfinite(value[a:b])):
            pts = " ".join(
                f"{_f(sx(float(xv[i])))},{_f(sy(float(value[i])))}" for i in range(a + s0, a + s1)
            )
            if s1 - s0 > 1:
                data_paths.append(
                    f'<polyline class="sp-data-line" points="{pts}" fill="none" '
                    f'stroke="{COLOUR_COMMON}" stroke-width="1.8" stroke-linejoin="round"/>'
                )
    out.append('<g class="sp-data" aria-hidden="true">' + "".join(data_paths) + "</g>")

    # Points.
    out.append('<g class="sp-points">')
    used: list[str] = []
    rules = result.special_cause_rule
    for i in np.flatnonzero(np.isfinite(value)).tolist():
        ptype = str(result.point_type[i]) or "common_cause"
        colour, shape, label = POINT_STYLES.get(ptype, POINT_STYLES["common_cause"])
        if ptype not in used:
            used.append(ptype)
        special = ptype != "common_cause"
        tag, geom = _marker(shape, sx(float(xv[i])), sy(float(value[i])), 4.6 if special else 3.6)
        rule = str(rules[i]) if i < rules.shape[0] else ""
        cls = f"sp-point sp-{ptype}" + (f" sp-rule-{rule}" if rule else "")
        tip = f"{format_x(x[i], with_day=day)}: {_number(float(value[i]), percent)}"
        tip += f" ({label.lower()}" + (f", {_RULE_TEXT.get(rule, rule)})" if rule else ")")
        stroke = ' stroke="#ffffff" stroke-width="1"' if special else ""
        out.append(
            f'<{tag} class="{escape(cls)}" {geom} fill="{colour}"{stroke}>'
            f"<title>{escape(tip)}</title></{tag}>"
        )
    out.append("</g>")

    out.append(_legend(result, used, tgt, left, width, height, percent))
    if key_lines:
        out.append(_annotation_key(key_lines, left, width, height))
    out.append("</svg>")
    return "".join(out)


# --------------------------------------------------------------------------
# Annotations and shared axes
# --------------------------------------------------------------------------

KEY_ROW_HEIGHT = 16.0
KEY_PADDING = 10.0
ANNOTATION_BADGE_R = 8.0


def _x_of(value: Any) -> float:
    """An x value (date, ``datetime64``, ISO string or number) on the chart's numeric scale."""
    if isinstance(value, date | str):
        value = np.datetime64(value, "D")
    if isinstance(value, np.datetime64):
        return float(value.astype("datetime64[D]").astype(np.int64))
    return float(value)


def _annotation_text(number: int, note: Annotation, dated: bool) -> str:
    x = note.x
    if dated and isinstance(x, date | str):
        x = np.datetime64(x, "D")
    return f"{number}. {note.kind_name}: {note.label} ({format_x(x, with_day=dated)})"


def _annotation_markers(
    notes: Sequence[tuple[int, Annotation, float]],
    dated: bool,
    sx: Any,
    top: float,
    axis_y: float,
    domain: tuple[float, float],
) -> str:
    """Numbered vertical markers; badges that would overlap step down a row."""
    if not notes:
        return ""
    parts: list[str] = []
    placed: list[tuple[float, int]] = []
    r = ANNOTATION_BADGE_R
    for number, note, xv in notes:
        if not domain[0] <= xv <= domain[1]:
            continue
        xx = sx(xv)
        row = 0
        while any(abs(xx - px) < 2 * r + 2 and prow == row for px, prow in placed):
            row += 1
        placed.append((xx, row))
        by = top + r + 2 + row * (2 * r + 2)
        _, colour, dash = ANNOTATION_KINDS[note.kind]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<g class="sp-annotation sp-annotation-{escape(note.kind)}">'
            f"<title>{escape(_annotation_text(number, note, dated))}</title>"
            f'<line x1="{_f(xx)}" y1="{_f(by + r)}" x2="{_f(xx)}" y2="{_f(axis_y)}" '
            f'stroke="{colour}" stroke-width="1.5"{dash_attr}/>'
            f'<circle cx="{_f(xx)}" cy="{_f(by)}" r="{_f(r)}" fill="#ffffff" stroke="{colour}" '
            f'stroke-width="1.5"/>'
            f'<text x="{_f(xx)}" y="{_f(by + 3.5)}" text-anchor="middle" font-size="10" '
            f'font-weight="700" fill="{colour}">{number}</text></g>'
        )
    return '<g class="sp-annotations">' + "".join(parts) + "</g>"


def _annotation_key(lines: Sequence[str], left: float, width: float, height: float) -> str:
    """One line per annotation below the legend, shortened to fit (the marker keeps it whole)."""
    most = max(10, int((width - left - 8) // LEGEND_CHAR_WIDTH))
    rows = []
    for i, line in enumerate(lines):
        text = line if len(line) <= most else line[: most - 1].rstrip() + "…"
        y = height + KEY_PADDING / 2 + KEY_ROW_HEIGHT * i + 4
        rows.append(f'<text x="{_f(left)}" y="{_f(y)}" fill="{COLOUR_INK}">{escape(text)}</text>')
    return '<g class="sp-annotation-key" aria-hidden="true">' + "".join(rows) + "</g>"


# Steps between date ticks, in months, smallest first.
_MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60)


def _range_ticks(lo: float, hi: float, dated: bool, plot_w: float) -> list[tuple[float, str]]:
    """Ticks that depend on the range alone, so charts sharing a range share their ticks."""
    most = max(2, int(plot_w // 80))
    if not dated:
        return [(t, _number(t)) for t in _nice_ticks(lo, hi, most - 1) if lo <= t <= hi]
    first = np.datetime64(int(math.ceil(lo)), "D").astype("datetime64[M]")
    last = np.datetime64(int(math.floor(hi)), "D").astype("datetime64[M]")
    span = int((last - first).astype(np.int64)) + 1
    step = next((s for s in _MONTH_STEPS if span / s <= most), _MONTH_STEPS[-1])
    ticks = []
    for m in range(int(first.astype(np.int64)), int(last.astype(np.int64)) + 1):
        if m % step:
            continue
        day = np.datetime64(m, "M").astype("datetime64[D]")
        value = float(day.astype(np.int64))
        if lo <= value <= hi:
            ticks.append((value, format_x(day)))
    return ticks


def render_icons(result: ChartResult, *, target: float | None = None, size: int = 36) -> str:
    """The variation icon and (with a target) the assurance icon alone, as a small SVG.

    Its accessible name reads both icons in words, for dashboard rows.

    >>> from sharedpurpose.spc.runs import run_chart
    >>> svg = render_icons(run_chart([1, 2, 3, 2, 1]))
    >>> 'aria-label="Common cause variation: no significant change"' in svg
    True
    """
    tgt = _target_of(result, target)
    assurance = result.assurance_icon if tgt is not None else None
    texts = icon_texts(result.variation_icon, assurance)
    r = size / 2 - 1
    parts = [variation_icon_svg(result.variation_icon, size / 2, size / 2, r)]
    if assurance:
        parts.append(assurance_icon_svg(assurance, size * 1.5 + 4, size / 2, r))
    w = size * len(parts) + 4 * (len(parts) - 1)
    label = escape(". ".join(texts))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {size}" width="{w}" '
        f'height="{size}" role="img" aria-label="{label}" class="sp-icons-compact" '
        f'font-family="{escape(FONT_STACK)}"><title>{label}</title>' + "".join(parts) + "</svg>"
    )


def _x_tick_indices(size: int, plot_w: float) -> list[int]:
    if size == 0:
        return []
    most = max(2, int(plot_w // 80))
    if size <= most:
        return list(range(size))
    step = math.ceil((size - 1) / (most - 1))
    idx = list(range(0, size, step))
    return idx


def _step_path(
    xv: npt.NDArray[np.float64],
    yv: npt.NDArray[np.float64],
    sx: Any,
    sy: Any,
    cls: str,
    colour: str,
    dash: str | None,
    width: float,
) -> str:
    """Horizontal steps centred on each point, broken where the line is undefined."""
    if xv.size == 0:
        return ""
    if xv.size == 1:
        half = 0.5
        edges = np.array([xv[0] - half, xv[0] + half])
    else:
        mids = (xv[1:] + xv[:-1]) / 2
        edges = np.concatenate(([xv[0]], mids, [xv[-1]]))
    parts = []
    for s0, s1 in _runs_of(np.isfinite(yv)):
        d = []
        for i in range(s0, s1):
            y = _f(sy(float(yv[i])))
            x0, x1 = _f(sx(float(edges[i]))), _f(sx(float(edges[i + 1])))
            d.append(f"{'M' if i == s0 else 'L'}{x0},{y}L{x1},{y}")
        parts.append("".join(d))
    if not parts:
        return ""
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<path class="{cls}" d="{" ".join(parts)}" fill="none" stroke="{colour}" '
        f'stroke-width="{width}"{dash_attr}/>'
    )


# Legend layout in user units: a 12-unit sans-serif averages about 6.6 units a character.
LEGEND_CHAR_WIDTH = 6.8
LEGEND_GAP = 40.0
LEGEND_ROW_HEIGHT = 16.0


def _legend(
    result: ChartResult,
    used: Sequence[str],
    target: float | None,
    left: float,
    width: float,
    height: float,
    percent: bool,
) -> str:
    """A legend along the bottom, wrapping onto a second row rather than running off the edge."""
    items: list[str] = []
    centre_name = "Median" if result.chart in _MEDIAN_CHARTS else "Mean"
    entries: list[tuple[str, str]] = []
    entries.append(
        (
            "line",
            f'<line x1="0" y1="0" x2="18" y2="0" stroke="#000000" stroke-width="1.5"/>'
            f"|{centre_name}",
        )
    )
    if np.any(np.isfinite(result.upl)) or np.any(np.isfinite(result.lpl)):
        entries.append(
            (
                "line",
                '<line x1="0" y1="0" x2="18" y2="0" stroke="#7b7d7d" stroke-width="1.2" '
                'stroke-dasharray="6 4"/>|Process limits',
            )
        )
    if target is not None:
        entries.append(
            (
                "line",
                f'<line x1="0" y1="0" x2="18" y2="0" stroke="{COLOUR_TARGET}" '
                f'stroke-width="1.5" stroke-dasharray="10 3 2 3"/>|Target',
            )
        )
    for ptype in POINT_STYLES:
        if ptype in used:
            colour, shape, label = POINT_STYLES[ptype]
            tag, geom = _marker(shape, 9, 0, 4.6 if ptype != "common_cause" else 3.6)
            entries.append(("point", f'<{tag} {geom} fill="{colour}"/>|{label}'))
    rows: list[list[tuple[float, str, str]]] = [[]]
    x = left
    for _kind, entry in entries:
        glyph, label = entry.rsplit("|", 1)
        item_width = LEGEND_GAP + LEGEND_CHAR_WIDTH * len(label)
        if rows[-1] and x + item_width - LEGEND_GAP / 2 > width - 8:
            rows.append([])
            x = left
        rows[-1].append((x, glyph, label))
        x += item_width
    first_y = height - 14 - LEGEND_ROW_HEIGHT * (len(rows) - 1)
    for row_number, row in enumerate(rows):
        y = first_y + LEGEND_ROW_HEIGHT * row_number
        for x, glyph, label in row:
            items.append(
                f'<g transform="translate({_f(x)} {_f(y)})">{glyph}'
                f'<text x="24" y="4" fill="{COLOUR_INK}">{escape(label)}</text></g>'
            )
    return '<g class="sp-legend" aria-hidden="true">' + "".join(items) + "</g>"


# --------------------------------------------------------------------------
# The data table
# --------------------------------------------------------------------------


def render_data_table(
    result: ChartResult,
    *,
    caption: str | None = None,
    css_class: str = "sp-data-table",
    percent: bool | None = None,
) -> str:
    """An accessible HTML ``<table>`` with the chart's numbers, one row per point.

    >>> from sharedpurpose.spc.runs import run_chart
    >>> html = render_data_table(run_chart([1, 2, 3]), caption="Falls")
    >>> html.count("<tr>"), '<th scope="col">Median</th>' in html
    (4, True)
    """
    percent = _percent(result, percent)
    day = _needs_day(result.x)
    centre_name = "Median" if result.chart in _MEDIAN_CHARTS else "Mean"
    has_limits = bool(np.any(np.isfinite(result.lpl)) or np.any(np.isfinite(result.upl)))
    cols = ["Date" if _is_dates(result.x) else "Point", "Value"]
    if result.n is not None:
        cols.append("Denominator")
    cols.append(centre_name)
    if has_limits:
        cols += ["Lower process limit", "Upper process limit"]
    cols.append("Variation")
    cap = caption if caption is not None else _CHART_NAMES.get(result.chart, result.chart)
    rows = [
        f'<table class="{escape(css_class)}">',
        f"<caption>{escape(cap)}</caption>",
        "<thead><tr>"
        + "".join(f'<th scope="col">{escape(c)}</th>' for c in cols)
        + "</tr></thead>",
        "<tbody>",
    ]
    for i in range(result.n_points):
        cells = [_number(float(result.value[i]), percent)]
        if result.n is not None:
            cells.append(_number(float(result.n[i])))
        cells.append(_number(float(result.centre[i]), percent))
        if has_limits:
            cells += [
                _number(float(result.lpl[i]), percent),
                _number(float(result.upl[i]), percent),
            ]
        ptype = str(result.point_type[i])
        if ptype:
            label = POINT_STYLES.get(ptype, POINT_STYLES["common_cause"])[2]
            rule = str(result.special_cause_rule[i])
            if rule:
                label += f" ({_RULE_TEXT.get(rule, rule)})"
        else:
            label = "Missing"
        cells.append(label)
        rows.append(
            f'<tr><th scope="row">{escape(format_x(result.x[i], with_day=day))}</th>'
            + "".join(f"<td>{escape(c)}</td>" for c in cells)
            + "</tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)
