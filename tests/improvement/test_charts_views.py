"""The measure page, its SVG and rebases, the dashboard and the goal panel, as members use them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import Client

from sharedpurpose.core.models import AuditEvent
from sharedpurpose.improvement.models import Rebase, Side, TeamMembership
from tests.factories import MembershipFactory, TeamFactory

from .factories_charts import ChartGoalFactory, measure_with_points

pytestmark = pytest.mark.django_db


def _url(measure: object, tail: str = "") -> str:
    return f"/teams/{measure.team.slug}/measures/{measure.pk}/{tail}"  # type: ignore[attr-defined]


def test_measure_page_reads_the_chart_in_words(client: Client) -> None:
    membership = MembershipFactory.create()
    measure = measure_with_points(
        membership.team, name="Did-not-attend rate", improvement_direction="decrease", target=8.0
    )
    client.force_login(membership.user)

    html = client.get(_url(measure)).content.decode()

    assert "<h1>Did-not-attend rate</h1>" in html
    assert 'aria-labelledby="measure-' in html and "<svg" in html
    assert "Special cause variation: improvement (lower values)." in html
    assert "Assurance: the process will hit and miss the target at random." in html
    assert "Special cause in the last 6 points" in html
    assert "Did-not-attend rate: chart data" in html
    assert "Add a rebase" in html


def test_chart_svg_is_served_as_an_image(client: Client) -> None:
    membership = MembershipFactory.create()
    measure = measure_with_points(membership.team)
    client.force_login(membership.user)

    response = client.get(_url(measure, "chart.svg"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response.content.startswith(b"<svg")


def test_other_teams_measures_are_not_found(client: Client) -> None:
    membership = MembershipFactory.create()
    foreign = measure_with_points(TeamFactory.create())
    client.force_login(membership.user)

    assert client.get(_url(foreign)).status_code == 404
    # even through one's own team's address
    own_path = f"/teams/{membership.team.slug}/measures/{foreign.pk}/"
    assert client.get(own_path).status_code == 404
    assert client.get(own_path + "chart.svg").status_code == 404
    response = client.post(own_path + "rebases/add/", {"period": "2024-06-01", "reason": "x"})
    assert response.status_code == 404
    assert not Rebase.objects.exists()


def test_adding_a_rebase_shows_it_on_the_chart(client: Client) -> None:
    membership = MembershipFactory.create(role=TeamMembership.Role.DATA_CONTRIBUTOR)
    measure = measure_with_points(membership.team)
    client.force_login(membership.user)

    response = client.post(
        _url(measure, "rebases/add/"), {"period": "2024-06-01", "reason": "New rota"}, follow=True
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "1. Rebase: New rota (1 Jun 2024)" in html
    assert html.count('class="sp-centre"') == 2
    assert AuditEvent.objects.filter(action="rebase.add").exists()


def test_a_rebase_without_reason_is_refused_with_a_message(client: Client) -> None:
    membership = MembershipFactory.create()
    measure = measure_with_points(membership.team)
    client.force_login(membership.user)

    response = client.post(_url(measure, "rebases/add/"), {"period": "2024-06-01", "reason": " "})

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter why the process changed at this point" in html
    assert 'value="2024-06-01" selected' in html
    assert not Rebase.objects.exists()


def test_a_coach_cannot_add_or_remove_rebases(client: Client) -> None:
    membership = MembershipFactory.create(role=TeamMembership.Role.COACH)
    measure = measure_with_points(membership.team)
    rebase = Rebase.objects.create(measure=measure, period=dt.date(2024, 6, 1), reason="Rota")
    client.force_login(membership.user)

    assert "Add a rebase" not in client.get(_url(measure)).content.decode()
    add = client.post(_url(measure, "rebases/add/"), {"period": "2024-07-01", "reason": "x"})
    remove = client.post(_url(measure, f"rebases/{rebase.pk}/remove/"))

    assert add.status_code == 403 and remove.status_code == 403
    assert list(Rebase.objects.all()) == [rebase]


def test_removing_a_rebase(client: Client) -> None:
    membership = MembershipFactory.create()
    measure = measure_with_points(membership.team)
    rebase = Rebase.objects.create(measure=measure, period=dt.date(2024, 6, 1), reason="Rota")
    client.force_login(membership.user)

    response = client.post(_url(measure, f"rebases/{rebase.pk}/remove/"))

    assert response.status_code == 302
    assert not Rebase.objects.exists()
    assert AuditEvent.objects.filter(action="rebase.remove").exists()


def test_goal_panel_draws_both_sides_on_one_axis() -> None:
    team = TeamFactory.create()
    goal = ChartGoalFactory.create(team=team)
    measure_with_points(team, goal=goal, name="Falls", side=Side.CLINICAL)

    html = Template('{% include "improvement/charts/_goal_measures.html" %}').render(
        Context({"team": team, "goal": goal})
    )

    assert "Corporate support services" in html and "Clinical services" in html
    assert "No corporate support services measures are linked to this goal yet." in html
    assert f'id="goal-{goal.pk}-measure-' in html and "Falls" in html
    assert "1 January 2024 to 1 December 2024" in html
