"""Shape the charts area's data for templates, so templates only lay things out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.db.models import Prefetch, Q, QuerySet

from .charts import ChartView, measure_chart, measure_charts
from .models import DriverNode, Goal, Measure, PdsaCycle, Rebase, Side, Team


class Dashboard:
    """Every measure of a team with its icons, latest value and target, filtered by goal/side."""

    def __init__(self, team: Team, *, goal: Goal | None = None, side: str = "") -> None:
        self.team = team
        self.goal = goal
        self.side = side

    @cached_property
    def measures(self) -> list[Measure]:
        found: QuerySet[Measure] = self.team.measures.select_related(
            "chart_cache", "goal", "driver_node__goal"
        )
        if self.goal is not None:
            found = found.filter(Q(goal=self.goal) | Q(driver_node__goal=self.goal)).distinct()
        if self.side:
            found = found.filter(side=self.side)
        return list(found.order_by("side", "name"))

    @cached_property
    def charts(self) -> list[ChartView]:
        return measure_charts(self.measures)

    @cached_property
    def by_side(self) -> list[tuple[str, list[ChartView]]]:
        groups = []
        for value, label in Side.choices:
            views = [v for v in self.charts if v.measure.side == value]
            if views:
                groups.append((str(label), views))
        return groups

    @cached_property
    def total(self) -> int:
        return self.team.measures.count() if (self.goal or self.side) else len(self.measures)


class MeasurePage:
    """A measure's chart, its reading, annotations and rebases."""

    def __init__(self, team: Team, measure: Measure) -> None:
        self.team = team
        self.measure = measure

    @cached_property
    def chart(self) -> ChartView:
        return measure_chart(self.measure)

    @cached_property
    def rebases(self) -> list[Rebase]:
        return list(self.measure.rebases.select_related("created_by").order_by("period"))

    @cached_property
    def periods(self) -> list[date]:
        return list(self.measure.points.order_by("period").values_list("period", flat=True))

    @cached_property
    def goal(self) -> Goal | None:
        if self.measure.goal is not None:
            return self.measure.goal
        node = self.measure.driver_node
        return node.goal if node is not None else None


#: Deeper steps of a branching ramp are indented no further than this.
MAX_INDENT = 4


@dataclass(frozen=True)
class RampStep:
    cycle: PdsaCycle
    depth: int
    previous: PdsaCycle | None

    @property
    def indent(self) -> int:
        return min(self.depth, MAX_INDENT)


@dataclass(frozen=True)
class ChangeIdeaTimeline:
    idea: DriverNode
    ramps: list[list[RampStep]]

    @property
    def cycle_count(self) -> int:
        return sum(len(ramp) for ramp in self.ramps)


def ramps_of(cycles: list[PdsaCycle]) -> list[list[RampStep]]:
    """Cycles grouped into ramps: each starts at a cycle that builds on none, then follows on."""
    by_id = {c.pk: c for c in cycles}
    ids = set(by_id)
    following: dict[int, list[PdsaCycle]] = {}
    roots = []
    for cycle in cycles:
        if cycle.previous_id in ids:
            following.setdefault(cycle.previous_id, []).append(cycle)
        else:
            roots.append(cycle)
    ramps = []
    for root in roots:
        ramp: list[RampStep] = []
        stack = [(root, 0)]
        while stack:
            cycle, depth = stack.pop()
            previous = by_id.get(cycle.previous_id) if cycle.previous_id else None
            ramp.append(RampStep(cycle, depth, previous))
            stack.extend((c, depth + 1) for c in reversed(following.get(cycle.pk, [])))
        ramps.append(ramp)
    return ramps


class PdsaTimelines:
    """Every change idea of a team with its cycles, as ramps in date order."""

    def __init__(self, team: Team) -> None:
        self.team = team

    @cached_property
    def ideas(self) -> list[ChangeIdeaTimeline]:
        ideas = (
            DriverNode.objects.filter(goal__team=self.team, kind=DriverNode.Kind.CHANGE_IDEA)
            .select_related("goal")
            .prefetch_related(
                Prefetch(
                    "cycles",
                    queryset=PdsaCycle.objects.order_by("starts_on", "pk").prefetch_related(
                        "measures"
                    ),
                )
            )
            .order_by("goal__title", "position", "pk")
        )
        return [ChangeIdeaTimeline(idea, ramps_of(list(idea.cycles.all()))) for idea in ideas]


class CyclePage:
    """A PDSA cycle with the chart points of its linked measures during the cycle."""

    def __init__(self, cycle: PdsaCycle) -> None:
        self.cycle = cycle

    @cached_property
    def measures(self) -> list[Measure]:
        return list(self.cycle.measures.select_related("chart_cache").order_by("name"))

    @cached_property
    def charts(self) -> list[ChartView]:
        return measure_charts(self.measures)

    @cached_property
    def study_points(self) -> list[tuple[ChartView, list[dict[str, object]]]]:
        cycle = self.cycle
        return [(view, view.points_between(cycle.starts_on, cycle.ends_on)) for view in self.charts]

    @cached_property
    def ramp(self) -> list[PdsaCycle]:
        """The cycles this one builds on, earliest first."""
        chain: list[PdsaCycle] = []
        seen = {self.cycle.pk}
        node = self.cycle.previous
        while node is not None and node.pk not in seen:
            chain.insert(0, node)
            seen.add(node.pk)
            node = node.previous
        return chain

    @cached_property
    def next_cycles(self) -> list[PdsaCycle]:
        return list(self.cycle.next_cycles.order_by("starts_on", "pk"))
