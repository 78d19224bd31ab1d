"""Each measure's SPC chart: computed by ``sharedpurpose.spc``, kept in ``MeasureChart``.

A chart is recomputed only when the measure's ``data_version`` moves on (every change to
its data, settings, rebases or linked PDSA cycles bumps it), so a dashboard of many
measures reads one row per measure. Charts that share a time axis (a goal's corporate
and clinical measures) are drawn afresh with a common ``x_range``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from sharedpurpose import spc
from sharedpurpose.spc.icons_svg import icon_texts
from sharedpurpose.spc.svg import POINT_STYLES, Annotation, render_icons

from .models import (
    ChartType,
    DataPoint,
    DriverNode,
    Goal,
    Measure,
    MeasureChart,
    PdsaCycle,
    Rebase,
    Side,
)
from .signals import measures_changed


def measure_charts_invalidate(*, measure_ids: Iterable[int]) -> None:
    """Make the cached charts of these measures recompute on their next read.

    Every change to a measure's data, settings or annotations calls this; the cache trusts it.
    """
    ids = frozenset(measure_ids)
    if ids:
        Measure.objects.filter(pk__in=ids).update(data_version=F("data_version") + 1)
        measures_changed.send(sender=Measure, measure_ids=ids)


#: Making Data Count asks "any special cause recently?"; the last six points answer it.
RECENT_POINTS = 6

_SPECIAL = "special_cause"


def shown_as_percent(measure: Measure) -> bool:
    """Percentages are stored as fractions (0.125) and shown as 12.5%."""
    return measure.unit == "%" or measure.chart_type == ChartType.P


def format_value(measure: Measure, value: float | None) -> str:
    """A value as the measure reads it: percentages stored as fractions show as 12.5%."""
    if value is None or not math.isfinite(value):
        return "not recorded"
    if shown_as_percent(measure):
        return f"{value * 100:.1f}%"
    return f"{value:,.4g}"


@dataclass(frozen=True)
class ChartView:
    """A measure's chart as pages show it: the SVG, its data table and a summary."""

    measure: Measure
    summary: dict[str, Any]
    svg_markup: str
    table_markup: str

    @property
    def goal(self) -> Goal | None:
        """The goal the measure serves: its own, or its driver node's."""
        if self.measure.goal_id is not None:
            return self.measure.goal
        node = self.measure.driver_node
        return node.goal if node is not None else None

    @property
    def has_chart(self) -> bool:
        return bool(self.svg_markup)

    @property
    def svg(self) -> SafeString:
        return mark_safe(self.svg_markup)  # noqa: S308 - built by sharedpurpose.spc, which escapes

    @property
    def table(self) -> SafeString:
        return mark_safe(self.table_markup)  # noqa: S308 - built by sharedpurpose.spc

    @property
    def icons(self) -> SafeString:
        return mark_safe(str(self.summary.get("icons_svg", "")))  # noqa: S308 - built by spc

    @property
    def reading(self) -> str:
        return str(self.summary.get("reading", ""))

    @property
    def icon_texts(self) -> list[str]:
        return list(self.summary.get("icon_texts", []))

    @property
    def variation_icon(self) -> str:
        return str(self.summary.get("variation_icon", ""))

    @property
    def assurance_icon(self) -> str:
        return str(self.summary.get("assurance_icon") or "")

    @property
    def latest_display(self) -> str:
        return str(self.summary.get("latest_display", "not recorded"))

    @property
    def latest_period(self) -> date | None:
        iso = self.summary.get("latest_period")
        return date.fromisoformat(iso) if iso else None

    @property
    def target_display(self) -> str:
        target = self.measure.target
        return "" if target is None else format_value(self.measure, target)

    @property
    def recent_special_cause(self) -> bool:
        return bool(self.summary.get("recent_special_cause"))

    @property
    def annotations(self) -> list[dict[str, Any]]:
        return [
            {**note, "on": date.fromisoformat(note["on"])}
            for note in self.summary.get("annotations", [])
        ]

    @property
    def points(self) -> list[dict[str, Any]]:
        return list(self.summary.get("points", []))

    @property
    def first_period(self) -> date | None:
        points = self.points
        return date.fromisoformat(points[0]["period"]) if points else None

    @property
    def last_period(self) -> date | None:
        points = self.points
        return date.fromisoformat(points[-1]["period"]) if points else None

    @property
    def message(self) -> str:
        return str(self.summary.get("message", ""))

    def points_between(self, start: date | None, end: date | None) -> list[dict[str, Any]]:
        """The chart's points from ``start`` to ``end`` (open ends allowed), for PDSA study."""
        lo = start.isoformat() if start else ""
        hi = end.isoformat() if end else "9999"
        return [p for p in self.points if lo <= p["period"] <= hi]


# --------------------------------------------------------------------------
# Reading what a chart needs
# --------------------------------------------------------------------------


def _with_chart_inputs(measures: QuerySet[Measure]) -> QuerySet[Measure]:
    return measures.select_related("team", "goal", "driver_node").prefetch_related(
        Prefetch("points", queryset=DataPoint.objects.order_by("period")),
        Prefetch("rebases", queryset=Rebase.objects.order_by("period")),
        Prefetch(
            "pdsa_cycles",
            queryset=PdsaCycle.objects.filter(starts_on__isnull=False).order_by("starts_on", "pk"),
        ),
    )


def measure_spc_result(
    measure: Measure,
) -> tuple[list[DataPoint], spc.ChartResult | None, list[Rebase]]:
    """The measure's points, its SPC result exactly as its chart is computed (None when no
    chart can be drawn) and its rebases: for readers of the numbers, such as the API."""
    loaded = _with_chart_inputs(Measure.objects.filter(pk=measure.pk)).get()
    points = list(loaded.points.all())
    rebases = list(loaded.rebases.all())
    if not any(point.value is not None for point in points):
        return points, None, rebases
    try:
        return points, _spc_result(loaded, points), rebases
    except spc.SpcInputError:
        return points, None, rebases


def _change_ideas_for(measures: Sequence[Measure]) -> dict[int, list[DriverNode]]:
    """Started change ideas linked to each measure: its own driver node, or its goal's."""
    node_ids = {m.driver_node_id for m in measures if m.driver_node_id}
    goal_ids = {m.goal_id for m in measures if m.goal_id}
    if not node_ids and not goal_ids:
        return {m.pk: [] for m in measures}
    ideas = list(
        DriverNode.objects.filter(
            Q(pk__in=node_ids) | Q(goal_id__in=goal_ids) | Q(parent_id__in=node_ids),
            kind=DriverNode.Kind.CHANGE_IDEA,
            started_on__isnull=False,
        ).order_by("started_on", "pk")
    )
    return {
        m.pk: [
            idea
            for idea in ideas
            if idea.pk == m.driver_node_id
            or (m.goal_id is not None and idea.goal_id == m.goal_id)
            or (m.driver_node_id is not None and idea.parent_id == m.driver_node_id)
        ]
        for m in measures
    }


def measure_annotations(measure: Measure, change_ideas: Iterable[DriverNode]) -> list[Annotation]:
    """PDSA cycles, change ideas and rebases of a measure, in date order (numbered so)."""
    notes: list[tuple[date, int, Annotation]] = []
    for cycle in measure.pdsa_cycles.all():
        if cycle.starts_on is not None:
            notes.append((cycle.starts_on, 0, Annotation(cycle.starts_on, cycle.title, "pdsa")))
    for idea in change_ideas:
        if idea.started_on is not None:
            notes.append((idea.started_on, 1, Annotation(idea.started_on, idea.text, "change")))
    for rebase in measure.rebases.all():
        notes.append((rebase.period, 2, Annotation(rebase.period, rebase.reason, "rebase")))
    notes.sort(key=lambda item: (item[0], item[1]))
    return [note for _, _, note in notes]


# --------------------------------------------------------------------------
# Computing
# --------------------------------------------------------------------------


def _spc_result(measure: Measure, points: Sequence[DataPoint]) -> spc.ChartResult:
    x = np.array([p.period for p in points], dtype="datetime64[D]")
    y = np.array([np.nan if p.value is None else p.value for p in points], dtype=np.float64)
    n = np.array(
        [np.nan if p.denominator is None else p.denominator for p in points], dtype=np.float64
    )
    rebase = [np.datetime64(r.period, "D") for r in measure.rebases.all()]
    options: dict[str, Any] = {
        "improvement_direction": measure.improvement_direction,
        "target": measure.target,
    }
    kind = measure.chart_type
    if kind == ChartType.RUN:
        return spc.run_chart(y, x, rebase=rebase, **options)
    if kind == ChartType.P:
        return spc.p_chart(y, n, x, rebase=rebase, **options)
    if kind == ChartType.U:
        return spc.u_chart(y, n, x, rebase=rebase, **options)
    if kind == ChartType.C:
        return spc.c_chart(y, x, rebase=rebase, **options)
    if kind == ChartType.G:
        return spc.g_chart(y, x, rebase=rebase, **options)
    return spc.xmr(x, y, rebase=np.array(rebase, dtype="datetime64[D]"), **options)


@dataclass(frozen=True)
class _Computed:
    summary: dict[str, Any]
    svg: str
    table: str


def _compute(
    measure: Measure,
    change_ideas: Iterable[DriverNode],
    *,
    x_range: tuple[date, date] | None = None,
    id_prefix: str | None = None,
) -> _Computed:
    points = list(measure.points.all())
    notes = measure_annotations(measure, change_ideas)
    key = [
        {
            "number": i,
            "kind": a.kind,
            "kind_name": a.kind_name,
            "label": a.label,
            "on": a.x.isoformat(),
        }
        for i, a in enumerate(notes, start=1)
    ]
    base: dict[str, Any] = {"chart_type": measure.chart_type, "annotations": key, "points": []}
    if not any(p.value is not None for p in points):
        return _Computed({**base, "message": "No values have been recorded yet."}, "", "")
    try:
        result = _spc_result(measure, points)
    except spc.SpcInputError as exc:
        return _Computed({**base, "message": f"The chart cannot be drawn: {exc}"}, "", "")

    latest_index = max(i for i, p in enumerate(points) if p.value is not None)
    latest = points[latest_index]
    plotted = [v if math.isfinite(v) else None for v in result.value.tolist()]
    point_types = [str(t) for t in result.point_type.tolist()]
    recorded = [i for i, v in enumerate(plotted) if v is not None][-RECENT_POINTS:]
    assurance = result.assurance_icon if measure.target is not None else None
    summary = {
        **base,
        "n_points": len(points),
        "variation_icon": result.variation_icon,
        "assurance_icon": assurance,
        "icon_texts": icon_texts(result.variation_icon, assurance),
        "icons_svg": render_icons(result, target=measure.target),
        "reading": spc.describe(result, target=measure.target, percent=shown_as_percent(measure)),
        "latest_value": plotted[latest_index],
        "latest_period": latest.period.isoformat(),
        "latest_display": format_value(measure, plotted[latest_index]),
        "recent_special_cause": any(point_types[i].startswith(_SPECIAL) for i in recorded),
        "warnings": list(result.warnings),
        "points": [
            {
                "period": p.period.isoformat(),
                "value": plotted[i],
                "display": format_value(measure, plotted[i]),
                "point_type": point_types[i],
                "variation": POINT_STYLES.get(point_types[i], ("", "", "Missing"))[2]
                if plotted[i] is not None
                else "Missing",
            }
            for i, p in enumerate(points)
        ],
    }
    svg = spc.render_chart(
        result,
        title=measure.name,
        target=measure.target,
        y_label=measure.unit or None,
        id_prefix=id_prefix or f"measure-{measure.pk}-chart",
        annotations=notes,
        x_range=x_range,
        percent=shown_as_percent(measure),
    )
    table = spc.render_data_table(
        result,
        caption=f"{measure.name}: chart data",
        css_class="nhsuk-table sp-data-table",
        percent=shown_as_percent(measure),
    )
    return _Computed(summary, svg, table)


def _store(measure: Measure, version: int, computed: _Computed) -> MeasureChart:
    # update_or_create locks the row (or relies on the one-to-one constraint) so two requests
    # recomputing at once both end with one valid row; a stale version is simply redone later.
    chart, _ = MeasureChart.objects.update_or_create(
        measure=measure,
        defaults={
            "data_version": version,
            "computed_at": timezone.now(),
            "summary": computed.summary,
            "svg": computed.svg,
            "table_html": computed.table,
        },
    )
    return chart


def _cached(measure: Measure) -> MeasureChart | None:
    try:
        return measure.chart_cache
    except MeasureChart.DoesNotExist:
        return None


def _view(measure: Measure, chart: MeasureChart) -> ChartView:
    return ChartView(measure, chart.summary, chart.svg, chart.table_html)


def measure_charts(measures: Sequence[Measure]) -> list[ChartView]:
    """Charts of several measures: cached ones as they are, stale ones recomputed together."""
    views: dict[int, ChartView] = {}
    stale: list[int] = []
    for measure in measures:
        chart = _cached(measure)
        if chart is not None and chart.data_version == measure.data_version:
            views[measure.pk] = _view(measure, chart)
        else:
            stale.append(measure.pk)
    if stale:
        # Read the version before the data: a change made meanwhile leaves a mismatch behind.
        versions = dict(Measure.objects.filter(pk__in=stale).values_list("pk", "data_version"))
        fresh = list(_with_chart_inputs(Measure.objects.filter(pk__in=stale)))
        ideas = _change_ideas_for(fresh)
        by_pk = {m.pk: m for m in measures}
        for loaded in fresh:
            computed = _compute(loaded, ideas[loaded.pk])
            chart = _store(loaded, versions[loaded.pk], computed)
            views[loaded.pk] = _view(by_pk[loaded.pk], chart)
    return [views[m.pk] for m in measures if m.pk in views]


def measure_chart(measure: Measure) -> ChartView:
    """The measure's chart: the cached one while its ``data_version`` matches, else fresh."""
    return measure_charts([measure])[0]


# --------------------------------------------------------------------------
# A goal's measures on one time axis
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalChart:
    side: str
    side_label: str
    view: ChartView


class GoalCharts:
    """A goal's measures, corporate side then clinical side, drawn on one shared x range."""

    def __init__(self, goal: Goal, sides: Sequence[str] = (Side.CORPORATE, Side.CLINICAL)) -> None:
        self.goal = goal
        self.sides = [str(s) for s in sides]

    @cached_property
    def measures(self) -> list[Measure]:
        found = _with_chart_inputs(
            Measure.objects.filter(
                Q(goal=self.goal) | Q(driver_node__goal=self.goal),
                team_id=self.goal.team_id,
                side__in=self.sides,
            ).distinct()
        )
        order = {side: i for i, side in enumerate(self.sides)}
        return sorted(found, key=lambda m: (order[m.side], m.name))

    @cached_property
    def x_range(self) -> tuple[date, date] | None:
        periods = [p.period for m in self.measures for p in m.points.all()]
        return (min(periods), max(periods)) if periods else None

    @cached_property
    def charts(self) -> list[GoalChart]:
        ideas = _change_ideas_for(self.measures)
        labels = dict(Side.choices)
        out = []
        for measure in self.measures:
            computed = _compute(
                measure,
                ideas[measure.pk],
                x_range=self.x_range,
                id_prefix=f"goal-{self.goal.pk}-measure-{measure.pk}",
            )
            view = ChartView(measure, computed.summary, computed.svg, computed.table)
            out.append(GoalChart(measure.side, str(labels.get(measure.side, measure.side)), view))
        return out

    @cached_property
    def by_side(self) -> list[tuple[str, list[GoalChart]]]:
        labels = dict(Side.choices)
        return [
            (str(labels.get(side, side)), [c for c in self.charts if c.side == side])
            for side in self.sides
        ]


def goal_charts(goal: Goal, sides: Sequence[str] = (Side.CORPORATE, Side.CLINICAL)) -> GoalCharts:
    """The shared-axis panel of a goal's corporate-side and clinical-side measures."""
    return GoalCharts(goal, sides)
