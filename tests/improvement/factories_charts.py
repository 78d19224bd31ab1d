"""Factories for charts, rebases and PDSA cycles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import factory

from sharedpurpose.improvement.models import (
    DataPoint,
    DriverNode,
    Goal,
    Measure,
    PdsaCycle,
    Side,
    Team,
)
from tests.factories import MeasureFactory, TeamFactory

# Twelve steady months, then a fall well below the lower limit: a special cause at the end.
STEADY_THEN_FALL = [9.0, 8.5, 9.2, 8.8, 9.1, 8.9, 9.0, 8.7, 9.3, 8.6, 9.0, 4.0]


class ChartGoalFactory(factory.django.DjangoModelFactory[Goal]):
    class Meta:
        model = Goal

    team = factory.SubFactory(TeamFactory)
    title = factory.Sequence(lambda n: f"Common goal {n}")
    aim_what = "Reduce falls on wards A to C"
    aim_how_much = "by 30%"
    aim_by_when = dt.date(2026, 3, 31)
    corporate_owner = None
    clinical_owner = None


class ChangeIdeaFactory(factory.django.DjangoModelFactory[DriverNode]):
    class Meta:
        model = DriverNode

    goal = factory.SubFactory(ChartGoalFactory)
    kind = DriverNode.Kind.CHANGE_IDEA
    text = factory.Sequence(lambda n: f"Change idea {n}")
    side = Side.CLINICAL
    clinical_area = "Ward A"


class PdsaCycleFactory(factory.django.DjangoModelFactory[PdsaCycle]):
    class Meta:
        model = PdsaCycle

    change_idea = factory.SubFactory(ChangeIdeaFactory)
    title = factory.Sequence(lambda n: f"Cycle {n}")
    plan_question = "Will a safety huddle reduce falls?"
    plan_prediction = "Fewer falls on the night shift."


def months(count: int, start: dt.date = dt.date(2024, 1, 1)) -> list[dt.date]:
    return [
        dt.date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
        for i in range(count)
    ]


def measure_with_points(
    team: Team,
    values: Sequence[float | None] = STEADY_THEN_FALL,
    *,
    periods: Sequence[dt.date] | None = None,
    denominators: Sequence[float | None] | None = None,
    **fields: object,
) -> Measure:
    """A measure of ``team`` with one point per value, monthly from January 2024 by default."""
    measure = MeasureFactory.create(team=team, **fields)
    periods = periods or months(len(values))
    DataPoint.objects.bulk_create(
        DataPoint(
            measure=measure,
            period=period,
            value=value,
            denominator=None if denominators is None else denominators[i],
        )
        for i, (period, value) in enumerate(zip(periods, values, strict=True))
    )
    return measure
