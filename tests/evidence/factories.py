"""Builders for interventions used by teams, with measures whose data tell a known story."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import factory

from sharedpurpose.evidence.models import Intervention, InterventionUse
from sharedpurpose.improvement.models import DataPoint, DriverNode, Goal, Measure, Team
from tests.factories import MeasureFactory
from tests.improvement.factories_members import DriverNodeFactory, GoalFactory

FIRST_MONTH = date(2020, 1, 1)
BASELINE = [50.0, 52, 49, 51, 50, 48, 53, 50, 51, 49, 52, 50, 51, 49, 50, 52, 48, 51, 50, 49]
STEP_DOWN = [41.0, 40, 42, 39, 41, 40, 42, 40, 41, 39]
FLAT = [50.0, 51, 49, 50, 51, 50, 49, 51, 50, 50]
STEP_UP = [60.0, 59, 61, 60, 58, 61, 60, 59, 60, 61]


class InterventionFactory(factory.django.DjangoModelFactory[Intervention]):
    class Meta:
        model = Intervention

    slug = factory.Sequence(lambda n: f"intervention-{n}")
    name = factory.Sequence(lambda n: f"Intervention {n}")
    summary = "A change teams share."
    corporate_services = ["hr_workforce"]
    clinical_areas = ["Acute medicine"]


def month(index: int) -> date:
    return date(FIRST_MONTH.year + index // 12, index % 12 + 1, 1)


def series_store(measure: Measure, values: Sequence[float | None]) -> None:
    DataPoint.objects.bulk_create(
        DataPoint(measure=measure, period=month(i), value=v) for i, v in enumerate(values)
    )


def change_idea(goal: Goal, started_index: int | None = len(BASELINE)) -> DriverNode:
    return DriverNodeFactory.create(
        goal=goal,
        kind=DriverNode.Kind.CHANGE_IDEA,
        started_on=None if started_index is None else month(started_index),
    )


def site_with(
    intervention: Intervention,
    outcome: Sequence[float | None],
    *,
    team: Team | None = None,
    balancing: Sequence[float | None] | None = None,
    direction: str = Measure.Direction.DECREASE,
    started_index: int | None = len(BASELINE),
) -> InterventionUse:
    """One team using ``intervention``: a goal, a change idea started at ``started_index``,
    an outcome measure with ``outcome`` and, if given, a balancing measure."""
    goal = GoalFactory.create(**({"team": team} if team else {}))
    idea = change_idea(goal, started_index)
    measure = MeasureFactory.create(
        team=goal.team, goal=goal, kind="outcome", improvement_direction=direction
    )
    series_store(measure, outcome)
    if balancing is not None:
        other = MeasureFactory.create(
            team=goal.team, goal=goal, kind="balancing", improvement_direction="decrease"
        )
        series_store(other, balancing)
    return InterventionUse.objects.create(
        intervention=intervention, change_idea=idea, site=f"Site of {goal.team.name}"
    )
