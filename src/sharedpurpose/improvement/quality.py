"""Data-quality flags for a measure's points: gaps, outliers to check and late data.

The rules, precisely:

* **gap**: a period expected by the measure's frequency, between its first and last recorded
  periods, with no recorded value. Consecutive missing periods make one flag.
* **outlier**: a value the chart cannot take (a negative count, a proportion above 1, a
  per-cent value outside 0 to 100%, a missing or zero denominator on a p or u chart), or,
  with at least ``OUTLIER_MIN_POINTS`` recorded values, a value further from the centre
  than ``OUTLIER_LIMIT_MULTIPLE`` times the distance from the centre to the process limit
  (about six sigma): beyond the limits by a wide margin, usually a typing or unit slip.
  The limits are the XmR limits from the median and the median moving range, so the slip
  itself cannot widen them.
* **late**: a period's data are due one interval after the period ends (a month's data by
  the end of the following month). The flag is raised when the period after the latest
  recorded one is past that date, i.e. when ``today`` is on or after ``next + 2 intervals``,
  where ``next`` is the period after the latest recorded one. Monthly data last recorded
  for April are late from 1 July; weekly data last recorded for the week of Monday 1 April
  are late from Monday 22 April; daily data last recorded on 1 April are late from 4 April.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .models import DataPoint, Measure

OUTLIER_MIN_POINTS = 12  # fewer points give limits too unsteady to call anything an outlier
OUTLIER_LIMIT_MULTIPLE = 2.0  # twice the centre-to-limit distance: about six sigma
# Limits from the median moving range: centre ± 3.145 × median MR (Wheeler, "Understanding
# Variation"), the XmR variant that one wild value cannot widen.
MEDIAN_MR_LIMIT_FACTOR = 3.145

FlagKind = Literal["gap", "outlier", "late"]


@dataclass(frozen=True)
class QualityFlag:
    kind: FlagKind
    period: date
    message: str

    @property
    def kind_label(self) -> str:
        return {"gap": "Gap", "outlier": "Check value", "late": "Late data"}[self.kind]


# Periods ------------------------------------------------------------------------------------


def period_start(day: date, frequency: str) -> date:
    """The first day of the period of ``frequency`` that contains ``day``."""
    if frequency == "monthly":
        return day.replace(day=1)
    if frequency == "weekly":
        return day - timedelta(days=day.weekday())
    return day


def period_add(period: date, frequency: str, steps: int = 1) -> date:
    """The period ``steps`` intervals after (or before, when negative) ``period``."""
    if frequency == "monthly":
        months = period.year * 12 + period.month - 1 + steps
        return date(months // 12, months % 12 + 1, 1)
    if frequency == "weekly":
        return period + timedelta(weeks=steps)
    return period + timedelta(days=steps)


def period_label(period: date, frequency: str) -> str:
    """How people name a period: "April 2024", "week of 1 April 2024", "1 April 2024"."""
    if frequency == "monthly":
        return f"{period:%B %Y}"
    day = f"{period.day} {period:%B %Y}"
    return f"week of {day}" if frequency == "weekly" else day


# Flags --------------------------------------------------------------------------------------


def data_quality_flags(
    measure: Measure, points: Sequence[DataPoint], today: date
) -> list[QualityFlag]:
    """Flags for ``points`` (the measure's points, any order), oldest first; late data last."""
    recorded = sorted((p for p in points if p.value is not None), key=lambda p: p.period)
    if not recorded:
        return []
    frequency = measure.frequency
    flags = _gaps(recorded, frequency)
    flags += _impossible(measure, recorded)
    flags += _far_outliers(measure, recorded, {f.period for f in flags})
    flags.sort(key=lambda f: f.period)
    late = _late(recorded[-1].period, frequency, today)
    if late is not None:
        flags.append(late)
    return flags


def _gaps(recorded: list[DataPoint], frequency: str) -> list[QualityFlag]:
    flags = []
    for before, after in zip(recorded, recorded[1:], strict=False):
        first_missing = period_add(before.period, frequency)
        if first_missing >= after.period:
            continue
        last_missing = period_add(after.period, frequency, -1)
        if first_missing == last_missing:
            message = f"No data for {period_label(first_missing, frequency)}"
        else:
            message = (
                f"No data from {period_label(first_missing, frequency)} "
                f"to {period_label(last_missing, frequency)}"
            )
        flags.append(QualityFlag("gap", first_missing, message))
    return flags


def _impossible(measure: Measure, recorded: list[DataPoint]) -> list[QualityFlag]:
    chart = measure.chart_type
    percent = measure.unit.strip() == "%"
    flags = []
    for point in recorded:
        value = point.value
        assert value is not None
        label = period_label(point.period, measure.frequency)
        reason = ""
        if chart in ("p", "u") and not point.denominator:
            reason = f"{label}: a {chart} chart needs a denominator above 0"
        elif chart in ("p", "u", "c", "g") and value < 0:
            reason = f"{label}: {value:g} is below 0, which a count cannot be"
        elif chart == "p" and point.denominator and value > point.denominator:
            reason = f"{label}: {value:g} is more than its denominator, a proportion above 1"
        elif percent and chart not in ("p", "u") and not 0 <= value <= 1:
            reason = f"{label}: {value * 100:g}% is outside 0 to 100%"
        if reason:
            flags.append(QualityFlag("outlier", point.period, reason))
    return flags


def _far_outliers(
    measure: Measure, recorded: list[DataPoint], flagged: set[date]
) -> list[QualityFlag]:
    if len(recorded) < OUTLIER_MIN_POINTS:
        return []
    values = [float(p.value) for p in recorded if p.value is not None]
    # Robust limits: the slip being looked for would inflate a mean and an average range.
    centre = statistics.median(values)
    moving_ranges = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
    half_width = MEDIAN_MR_LIMIT_FACTOR * statistics.median(moving_ranges)
    if half_width <= 0:
        return []
    lower, upper = centre - half_width, centre + half_width
    flags = []
    for value, point in zip(values, recorded, strict=True):
        if point.period in flagged or abs(value - centre) <= OUTLIER_LIMIT_MULTIPLE * half_width:
            continue
        label = period_label(point.period, measure.frequency)
        side = "above" if value > centre else "below"
        flags.append(
            QualityFlag(
                "outlier",
                point.period,
                f"{label}: {value:g} is far {side} the process limits "
                f"({lower:.4g} to {upper:.4g}); check it was entered correctly",
            )
        )
    return flags


def _late(last: date, frequency: str, today: date) -> QualityFlag | None:
    next_period = period_add(last, frequency)
    late_from = period_add(next_period, frequency, 2)
    if today < late_from:
        return None
    due = period_add(next_period, frequency, 2) - timedelta(days=1)
    return QualityFlag(
        "late",
        next_period,
        f"The latest data are for {period_label(last, frequency)}; data for "
        f"{period_label(next_period, frequency)} were due by {due.day} {due:%B %Y}",
    )
