"""The team dashboard: every measure with icons, latest value and target, filtered by goal/side."""

from __future__ import annotations

import pytest
from django.test import Client

from sharedpurpose.improvement.models import Side
from tests.factories import MembershipFactory, TeamFactory

from .factories_charts import ChartGoalFactory, measure_with_points

pytestmark = pytest.mark.django_db


def _names(html: str, *names: str) -> list[str]:
    return [name for name in names if name in html]


def test_dashboard_lists_measures_with_icons_latest_value_and_target(client: Client) -> None:
    membership = MembershipFactory.create()
    measure_with_points(membership.team, name="Falls", improvement_direction="decrease", target=8.0)
    client.force_login(membership.user)

    html = client.get(f"/teams/{membership.team.slug}/workspace/").content.decode()

    assert "<h1>Measures dashboard</h1>" in html
    assert 'class="sp-icons-compact"' in html
    assert "Special cause variation: improvement (lower values)" in html
    assert "4 (1 Dec 2024)" in html and "Target" in html and ">8<" in html


def test_dashboard_filters_by_side_and_goal(client: Client) -> None:
    membership = MembershipFactory.create()
    team = membership.team
    goal = ChartGoalFactory.create(team=team)
    measure_with_points(team, name="Porter waits", side=Side.CORPORATE, goal=goal)
    measure_with_points(team, name="Ward falls", side=Side.CLINICAL, goal=goal)
    measure_with_points(team, name="Agency spend", side=Side.CORPORATE)
    client.force_login(membership.user)
    path = f"/teams/{team.slug}/workspace/"

    by_side = client.get(path, {"side": "corporate"}).content.decode()
    by_goal = client.get(path, {"goal": goal.pk}).content.decode()
    both = client.get(path, {"goal": str(goal.pk), "side": "clinical"}).content.decode()

    names = ("Porter waits", "Ward falls", "Agency spend")
    assert _names(by_side, *names) == ["Porter waits", "Agency spend"]
    assert _names(by_goal, *names) == ["Porter waits", "Ward falls"]
    assert _names(both, *names) == ["Ward falls"]
    assert "Showing 1 of 3 measures" in both


def test_htmx_filter_gets_only_the_results(client: Client) -> None:
    membership = MembershipFactory.create()
    measure_with_points(membership.team, name="Ward falls")
    client.force_login(membership.user)

    response = client.get(
        f"/teams/{membership.team.slug}/workspace/", {"side": "clinical"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="dashboard-measures">')
    assert "Ward falls" in html and "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_a_bad_filter_is_explained_and_everything_is_shown(client: Client) -> None:
    membership = MembershipFactory.create()
    measure_with_points(membership.team, name="Ward falls")
    other_goal = ChartGoalFactory.create(team=TeamFactory.create())
    client.force_login(membership.user)

    response = client.get(
        f"/teams/{membership.team.slug}/workspace/", {"goal": str(other_goal.pk), "side": "x"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose one of this team&#x27;s goals" in html
    assert "Choose corporate or clinical" in html
    assert "Ward falls" in html


def test_dashboard_stays_cheap_with_many_measures(
    client: Client, django_assert_max_num_queries: object
) -> None:
    membership = MembershipFactory.create()
    for i in range(8):
        measure_with_points(membership.team, name=f"Measure {i}")
    client.force_login(membership.user)
    path = f"/teams/{membership.team.slug}/workspace/"
    client.get(path)  # computes and caches every chart

    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert client.get(path).status_code == 200
