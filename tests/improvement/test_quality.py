"""Data-quality flags: gaps, values to check and late data."""

from __future__ import annotations

from datetime import date

from sharedpurpose.improvement.models import DataPoint, Measure
from sharedpurpose.improvement.quality import data_quality_flags, period_add, period_start


def measure(frequency: str = "monthly", chart_type: str = "xmr", unit: str = "") -> Measure:
    return Measure(frequency=frequency, chart_type=chart_type, unit=unit, name="M")


def pts(*items: tuple[date, float | None] | tuple[date, float | None, float | None]):
    return [
        DataPoint(period=i[0], value=i[1], denominator=i[2] if len(i) > 2 else None) for i in items
    ]


def test_periods_step_by_frequency() -> None:
    assert period_add(date(2024, 12, 1), "monthly") == date(2025, 1, 1)
    assert period_add(date(2024, 1, 1), "monthly", -1) == date(2023, 12, 1)
    assert period_start(date(2024, 4, 18), "weekly") == date(2024, 4, 15)
    assert period_start(date(2024, 4, 18), "monthly") == date(2024, 4, 1)


def test_consecutive_missing_periods_make_one_gap() -> None:
    points = pts(
        (date(2024, 1, 1), 1),
        (date(2024, 2, 1), None),
        (date(2024, 4, 1), 2),
        (date(2024, 5, 1), 3),
        (date(2024, 7, 1), 3),
    )
    flags = data_quality_flags(measure(), points, today=date(2024, 7, 15))
    assert [(f.kind, f.period, f.message) for f in flags] == [
        ("gap", date(2024, 2, 1), "No data from February 2024 to March 2024"),
        ("gap", date(2024, 6, 1), "No data for June 2024"),
    ]


def test_weekly_and_daily_gaps() -> None:
    weekly = pts((date(2024, 4, 1), 1), (date(2024, 4, 15), 1))
    daily = pts((date(2024, 4, 1), 1), (date(2024, 4, 2), 1))
    assert [
        f.message for f in data_quality_flags(measure("weekly"), weekly, date(2024, 4, 16))
    ] == ["No data for week of 8 April 2024"]
    assert data_quality_flags(measure("daily"), daily, date(2024, 4, 3)) == []


def test_late_data_by_frequency() -> None:
    april = pts((date(2024, 4, 1), 1))
    assert data_quality_flags(measure(), april, date(2024, 6, 30)) == []
    late = data_quality_flags(measure(), april, date(2024, 7, 1))
    assert [(f.kind, f.period) for f in late] == [("late", date(2024, 5, 1))]
    assert late[0].message == (
        "The latest data are for April 2024; data for May 2024 were due by 30 June 2024"
    )
    week = pts((date(2024, 4, 1), 1))
    assert data_quality_flags(measure("weekly"), week, date(2024, 4, 21)) == []
    assert data_quality_flags(measure("weekly"), week, date(2024, 4, 22))[0].kind == "late"
    day = pts((date(2024, 4, 1), 1))
    assert data_quality_flags(measure("daily"), day, date(2024, 4, 3)) == []
    assert data_quality_flags(measure("daily"), day, date(2024, 4, 4))[0].kind == "late"


def test_values_the_chart_cannot_take_are_flagged() -> None:
    p_points = pts(
        (date(2024, 1, 1), 12, 10), (date(2024, 2, 1), 5, None), (date(2024, 3, 1), 5, 10)
    )
    flags = data_quality_flags(measure(chart_type="p"), p_points, date(2024, 4, 1))
    assert [(f.kind, f.period) for f in flags] == [
        ("outlier", date(2024, 1, 1)),
        ("outlier", date(2024, 2, 1)),
    ]
    assert "proportion above 1" in flags[0].message
    percent = data_quality_flags(measure(unit="%"), pts((date(2024, 1, 1), 95)), date(2024, 2, 1))
    assert "9500% is outside 0 to 100%" in percent[0].message
    counts = data_quality_flags(
        measure(chart_type="c"), pts((date(2024, 1, 1), -1)), date(2024, 2, 1)
    )
    assert counts[0].kind == "outlier"


def test_a_value_far_beyond_the_process_limits_is_flagged_but_ordinary_noise_is_not() -> None:
    values = [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9, 10, 100]
    points = pts(*((period_add(date(2023, 1, 1), "monthly", i), v) for i, v in enumerate(values)))
    flags = data_quality_flags(measure(), points, date(2024, 3, 1))
    assert [(f.kind, f.period) for f in flags] == [("outlier", date(2024, 2, 1))]
    assert "far above the process limits" in flags[0].message

    ordinary = pts(
        *((period_add(date(2023, 1, 1), "monthly", i), v) for i, v in enumerate(values[:-1] + [13]))
    )
    assert data_quality_flags(measure(), ordinary, date(2024, 3, 1)) == []


def test_no_points_no_flags() -> None:
    assert data_quality_flags(measure(), [], date(2024, 1, 1)) == []
