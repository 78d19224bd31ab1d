"""Shape measures for templates, so templates only lay things out."""

from __future__ import annotations

from datetime import date
from functools import cached_property

from django.utils.safestring import SafeString, mark_safe

from sharedpurpose import spc

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

    @cached_property
    def chart(self) -> spc.ChartResult | None:
        """The measure's XmR chart, or None until it has two recorded points."""
        recorded = [p for p in self.points if p.value is not None]
        if len(recorded) < 2:
            return None
        periods = [p.period.isoformat() for p in self.points]
        values = [float("nan") if p.value is None else p.value for p in self.points]
        return spc.xmr(
            periods,
            values,
            improvement_direction=self.measure.improvement_direction,
            target=self.measure.target,
        )

    @cached_property
    def chart_reading(self) -> str:
        return "" if self.chart is None else spc.describe(self.chart, target=self.measure.target)

    @cached_property
    def chart_svg(self) -> SafeString:
        if self.chart is None:
            return mark_safe("")  # noqa: S308 - empty
        svg = spc.render_chart(
            self.chart,
            title=self.measure.name,
            target=self.measure.target,
            y_label=self.measure.unit or None,
            id_prefix=f"measure-{self.measure.pk}-chart",
        )
        return mark_safe(svg)  # noqa: S308 - built by the spc package, which escapes all text

    @cached_property
    def chart_table(self) -> SafeString:
        if self.chart is None:
            return mark_safe("")  # noqa: S308 - empty
        table = spc.render_data_table(self.chart, caption=f"{self.measure.name}: chart data")
        return mark_safe(table)  # noqa: S308 - built by the spc package, which escapes all text
