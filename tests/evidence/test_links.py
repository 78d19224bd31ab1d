"""Corporate ↔ clinical links on constructed series with known answers."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from django.test import Client
from django.urls import reverse

from sharedpurpose.evidence.services.links import goal_links, periods_between
from sharedpurpose.improvement.models import Goal, Measure, Side
from tests.factories import MeasureFactory, TeamFactory
from tests.improvement.factories_goals import member_of
from tests.improvement.factories_members import GoalFactory

from .factories import month, series_store

pytestmark = pytest.mark.django_db

# Small, different noise on each side, so only the steps line up.
NOISE_A = [0.0, 1, -1, 0, 1, 0, -1, 1, 0, -1, 0, 1, -1, 0, 0, 1, -1, 0, 1, -1, 0, 1, 0, -1, 1, 0]
NOISE_A += [-1, 0, 1, 0, -1, 1, 0]
NOISE_B = [1.0, 0, 0, -1, 1, -1, 0, 0, 1, 0, -1, 1, 0, -1, 1, 0, 0, -1, 0, 1, -1, 0, 1, 0, -1, 1]
NOISE_B += [0, 0, -1, 1, 0, -1, 1]


def stepped(level: float, noise: Sequence[float], at: int, step: float) -> list[float]:
    return [level + n + (step if i >= at else 0.0) for i, n in enumerate(noise)]


def _measure(goal: Goal, side: str, values: Sequence[float | None], **kwargs: object) -> Measure:
    measure = MeasureFactory.create(
        team=goal.team, goal=goal, side=side, improvement_direction="decrease", **kwargs
    )
    series_store(measure, values)
    return measure


@pytest.fixture
def goal() -> Goal:
    """Vacancies (corporate) step down at month 20; falls (clinical) at month 23."""
    goal = GoalFactory.create(title="Fewer falls")
    _measure(goal, Side.CORPORATE, stepped(50, NOISE_A, 20, -10), name="Vacancy rate")
    _measure(goal, Side.CLINICAL, stepped(30, NOISE_B, 23, -10), name="Falls")
    return goal


def test_a_corporate_signal_three_months_ahead_is_found_with_its_best_lag(goal: Goal) -> None:
    links = goal_links(goal)

    assert [(s.measure.name, s.first_signal_on) for s in links.signals] == [
        ("Vacancy rate", month(20)),
        ("Falls", month(23)),
    ]
    [precedence] = links.precedences
    assert precedence.sentence == "Corporate signal preceded clinical by 3 months"
    [pair] = links.pairs
    assert pair.strongest is not None
    assert pair.strongest.lag == 3 and pair.strongest.r > 0.5
    assert pair.pairs_at_strongest == 29  # 32 changes, 3 lost to the lag
    assert [c.lag for c in pair.correlations] == list(range(7))


def test_the_page_shows_dates_side_by_side_the_lag_table_and_the_caveats(
    client: Client, goal: Goal
) -> None:
    client.force_login(member_of(goal.team).user)

    page = client.get(reverse("evidence:goal_links", args=[goal.team.slug, goal.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "Corporate signal preceded clinical by 3 months" in text
    assert "September 2021" in text and "December 2021" in text
    assert "Strongest at a lag of 3 months" in text
    assert "association, not proof" in text
    assert "Few points make correlations unreliable" in text
    assert "period-to-period changes, so shared trends are removed" in text
    assert "Other changes happened at the same time" in text
    detail = client.get(goal.get_absolute_url()).content.decode()
    assert reverse("evidence:goal_links", args=[goal.team.slug, goal.pk]) in detail


def test_fewer_than_eight_pairs_say_not_enough_overlapping_data(client: Client) -> None:
    goal = GoalFactory.create()
    _measure(goal, Side.CORPORATE, [5.0, 6, 5, 7, 6, 5, 6])
    _measure(goal, Side.CLINICAL, [3.0, 2, 3, 4, 3, 2, 3])
    client.force_login(member_of(goal.team).user)

    links = goal_links(goal)
    page = client.get(reverse("evidence:goal_links", args=[goal.team.slug, goal.pk]))

    assert not links.pairs[0].enough_data
    assert "Not enough overlapping data" in page.content.decode()


def test_measures_of_different_frequencies_are_not_correlated(goal: Goal) -> None:
    _measure(goal, Side.CLINICAL, [3.0] * 12, name="Weekly falls", frequency="weekly")

    links = goal_links(goal)

    assert [(a.name, b.name) for a, b in links.mismatched] == [("Vacancy rate", "Weekly falls")]
    assert len(links.pairs) == 1


def test_a_clinical_signal_first_is_not_called_a_corporate_lead(goal: Goal) -> None:
    corporate = Measure.objects.get(name="Vacancy rate")
    corporate.points.all().delete()
    series_store(corporate, stepped(50, NOISE_A, 26, -10))

    links = goal_links(goal)

    assert [s.measure.name for s in links.signals] == ["Falls", "Vacancy rate"]
    assert links.precedences == ()


def test_a_measure_with_no_better_direction_has_no_signal(goal: Goal) -> None:
    Measure.objects.filter(name="Falls").update(improvement_direction="neutral")

    links = goal_links(goal)

    falls = next(s for s in links.signals if s.measure.name == "Falls")
    assert falls.first_signal_on is None and "No better direction" in falls.note


def test_gaps_are_counted_in_the_measures_periods() -> None:
    assert periods_between(month(20), month(23), "monthly") == 3
    assert periods_between(month(0), month(1), "weekly") == 4
    assert periods_between(month(0), month(1), "daily") == 31


def test_only_people_who_may_read_the_team_see_its_links(client: Client, goal: Goal) -> None:
    url = reverse("evidence:goal_links", args=[goal.team.slug, goal.pk])

    assert client.get(url).status_code == 302
    client.force_login(member_of(TeamFactory.create()).user)
    assert client.get(url).status_code == 404
    client.force_login(member_of(goal.team, role="data_contributor").user)
    assert client.get(url).status_code == 200
    other_goal = GoalFactory.create()
    assert (
        client.get(reverse("evidence:goal_links", args=[goal.team.slug, other_goal.pk]))
    ).status_code == 404
