"""Shape measures for templates, so templates only lay things out."""

from __future__ import annotations

from datetime import date
from functools import cached_property

from .models import DataPoint, Measure


class MeasurePresenter:
    def __init__(self, measure: Measure) -> None:
        self.measure = measure

    @cached_property
    def points(self) -> list[DataPoint]:
        return list(self.measure.points.all())

    @cached_property
    def latest(self) -> DataPoint | None:
        recorded = [p for p in self.points if p.value is not None]
        return recorded[-1] if recorded else None

    @cached_property
    def first_period(self) -> date | None:
        return self.points[0].period if self.points else None

    @cached_property
    def last_period(self) -> date | None:
        return self.points[-1].period if self.points else None

    def format_value(self, value: float | None) -> str:
        if value is None:
            return "not recorded"
        if self.measure.unit == "%":
            return f"{value * 100:.1f}%"
        return f"{value:,.4g}"

    @cached_property
    def latest_display(self) -> str:
        return self.format_value(self.latest.value if self.latest else None)

    @cached_property
    def target_display(self) -> str:
        return "" if self.measure.target is None else self.format_value(self.measure.target)
