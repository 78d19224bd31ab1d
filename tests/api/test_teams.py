"""Teams, goals and measures: what the caller may open on the web, narrowed to the token's
teams; everyone else gets 404, as on the web, so a team's existence stays private."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from sharedpurpose.accounts.models import User
from sharedpurpose.improvement.models import (
    DriverNode,
    Goal,
    Measure,
    Organisation,
    Side,
    Team,
    TeamOrganisation,
)
from tests.factories import (
    MeasureFactory,
    MembershipFactory,
    ProgrammeFactory,
    RoundFactory,
    TeamFactory,
)
from tests.improvement.factories_goals import (
    CorporateMembershipFactory,
    DriverNodeFactory,
    GoalFactory,
)

from .conftest import TokenFor, bearer
from .helpers_read import fields, names, ok, problem, queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal_a(team_a: Team) -> Goal:
    goal: Goal = GoalFactory.create(
        team=team_a,
        title="Fewer falls",
        corporate_owner=CorporateMembershipFactory.create(
            team=team_a, user__full_name="Cora Estates"
        ).user,
        clinical_owner=MembershipFactory.create(team=team_a, user__full_name="Clive Ward").user,
    )
    primary = DriverNodeFactory.create(goal=goal, kind=DriverNode.Kind.PRIMARY)
    DriverNodeFactory.create(goal=goal, parent=primary, kind=DriverNode.Kind.SECONDARY)
    DriverNodeFactory.create(goal=goal, parent=primary, kind=DriverNode.Kind.CHANGE_IDEA)
    DriverNodeFactory.create(
        goal=goal,
        parent=primary,
        kind=DriverNode.Kind.CHANGE_IDEA,
        started_on=timezone.localdate(),
    )
    return goal


# --------------------------------------------------------------------------
# Teams
# --------------------------------------------------------------------------


def test_members_list_only_their_own_teams(
    client: Client, member_a: User, member_b: User, team_a: Team, team_b: Team
) -> None:
    client.force_login(member_a)
    assert names(ok(client.get("/api/v1/teams"))) == ["team-a"]

    client.force_login(member_b)
    assert names(ok(client.get("/api/v1/teams"))) == ["team-b"]


def test_staff_list_every_team_and_filter_by_round_or_programme(
    client: Client, staff: User, team_a: Team, team_b: Team
) -> None:
    elsewhere = TeamFactory.create(
        slug="team-c",
        name="Team C",
        round=RoundFactory.create(programme=ProgrammeFactory.create(slug="other")),
    )
    client.force_login(staff)

    assert names(ok(client.get("/api/v1/teams"))) == ["team-a", "team-b", "team-c"]
    assert names(ok(client.get(f"/api/v1/teams?round={team_a.round_id}"))) == [
        "team-a",
        "team-b",
    ]
    assert names(ok(client.get("/api/v1/teams?programme=other"))) == [elsewhere.slug]


def test_a_token_limited_to_team_a_never_reaches_team_b(
    client: Client, staff: User, token_for: TokenFor, team_a: Team, team_b: Team
) -> None:
    headers = bearer(token_for(staff, scope="read", teams=[team_a]))

    assert names(ok(client.get("/api/v1/teams", headers=headers))) == ["team-a"]
    problem(client.get("/api/v1/teams/team-b", headers=headers), 404)


def test_a_team_reads_with_its_round_programme_and_organisations(
    client: Client, member_a: User, team_a: Team, token_for: TokenFor
) -> None:
    TeamOrganisation.objects.create(
        team=team_a,
        organisation=Organisation.objects.create(name="Northmoor NHS Trust"),
        role=TeamOrganisation.Role.LEAD,
    )
    headers = bearer(token_for(member_a, scope="read"))

    found = ok(client.get("/api/v1/teams/team-a", headers=headers))

    assert found["slug"] == "team-a" and found["name"] == "Team A"
    assert found["round"] == team_a.round_id
    assert found["programme"] == team_a.round.programme.slug
    assert found["organisations"] == [{"name": "Northmoor NHS Trust", "role": "lead"}]
    assert found["web_url"] == "http://testserver/teams/team-a/"


@pytest.mark.parametrize("path", ["/teams/team-a", "/teams/team-a/goals", "/measures?team=team-a"])
def test_another_teams_member_gets_not_found(
    client: Client, member_b: User, team_a: Team, path: str
) -> None:
    client.force_login(member_b)

    problem(client.get(f"/api/v1{path}"), 404)


@pytest.mark.parametrize("path", ["/teams", "/teams/team-a", "/measures", "/goals/1"])
def test_the_public_must_sign_in(client: Client, team_a: Team, path: str) -> None:
    response = client.get(f"/api/v1{path}")

    problem(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(
    ("kind", "detail"),
    [("expired", "The API token has expired."), ("revoked", "The API token has been revoked.")],
)
def test_expired_and_revoked_tokens_are_refused(
    client: Client, member_a: User, token_for: TokenFor, team_a: Team, kind: str, detail: str
) -> None:
    if kind == "expired":
        text = token_for(member_a, expires_at=timezone.now() - timedelta(days=1))
    else:
        text = token_for(member_a, revoked=True)

    body = problem(client.get("/api/v1/teams/team-a", headers=bearer(text)), 401)

    assert body["detail"] == detail


# --------------------------------------------------------------------------
# Goals
# --------------------------------------------------------------------------


def test_a_teams_goals_read_with_owners_and_their_diagram_size(
    client: Client, member_a: User, goal_a: Goal
) -> None:
    client.force_login(member_a)

    page = ok(client.get("/api/v1/teams/team-a/goals"))

    assert page["count"] == 1
    goal = page["items"][0]
    assert goal == {
        "id": goal_a.pk,
        "team": "team-a",
        "title": "Fewer falls",
        "aim": "Reduce falls on wards A to C by 30% by March 2026",
        "aim_what": "Reduce falls on wards A to C",
        "aim_how_much": "by 30%",
        "aim_by_when": "2026-03-31",
        "corporate_owner": "Cora Estates",
        "clinical_owner": "Clive Ward",
        "drivers": {
            "primary_drivers": 1,
            "secondary_drivers": 1,
            "change_ideas": 2,
            "change_ideas_started": 1,
        },
        "web_url": f"http://testserver/teams/team-a/goals/{goal_a.pk}/",
    }
    assert ok(client.get(f"/api/v1/goals/{goal_a.pk}")) == goal


def test_a_goal_of_another_team_is_not_found(client: Client, member_b: User, goal_a: Goal) -> None:
    client.force_login(member_b)

    problem(client.get(f"/api/v1/goals/{goal_a.pk}"), 404)
    problem(client.get("/api/v1/goals/999999"), 404)


# --------------------------------------------------------------------------
# Measures
# --------------------------------------------------------------------------


def test_a_measure_reads_with_its_definition_and_data_version(
    client: Client, member_a: User, measure_a: Measure, token_for: TokenFor
) -> None:
    headers = bearer(token_for(member_a, scope="read", teams=[measure_a.team]))

    found = ok(client.get(f"/api/v1/measures/{measure_a.pk}", headers=headers))

    assert found == {
        "id": measure_a.pk,
        "team": "team-a",
        "goal": None,
        "driver_node": None,
        "name": "Falls per 1,000 bed days",
        "definition": "What is counted.",
        "unit": "",
        "frequency": "monthly",
        "improvement_direction": "increase",
        "target": None,
        "side": "clinical",
        "kind": "outcome",
        "chart_type": "xmr",
        "source_note": "",
        "data_version": measure_a.data_version,
        "web_url": f"http://testserver/teams/team-a/measures/{measure_a.pk}/",
    }


def test_measures_list_only_visible_teams_and_filter(
    client: Client, member_a: User, goal_a: Goal, measure_a: Measure, measure_b: Measure
) -> None:
    corporate = MeasureFactory.create(
        team=goal_a.team, goal=goal_a, name="Estates jobs", side=Side.CORPORATE, kind="process"
    )
    client.force_login(member_a)

    def listed(query: str = "") -> list[int]:
        return names(ok(client.get(f"/api/v1/measures{query}")), "id")

    assert listed() == [corporate.pk, measure_a.pk]  # by name; team B's measure hidden
    assert listed("?side=corporate") == [corporate.pk]
    assert listed("?kind=outcome") == [measure_a.pk]
    assert listed(f"?goal={goal_a.pk}") == [corporate.pk]
    assert listed("?team=team-a&side=clinical") == [measure_a.pk]


def test_measure_filters_with_unknown_values_are_refused_by_name(
    client: Client, member_a: User, team_a: Team
) -> None:
    client.force_login(member_a)

    body = problem(client.get("/api/v1/measures?side=both&goal=x"), 422)

    assert set(fields(body)) == {"side", "goal"}


def test_a_measure_of_another_team_is_not_found(
    client: Client, member_b: User, measure_a: Measure, token_for: TokenFor
) -> None:
    problem(
        client.get(f"/api/v1/measures/{measure_a.pk}", headers=bearer(token_for(member_b))), 404
    )
    problem(client.get("/api/v1/measures/999999", headers=bearer(token_for(member_b))), 404)


def test_staff_read_every_measure_but_a_limited_token_only_its_teams(
    client: Client, staff: User, token_for: TokenFor, measure_a: Measure, measure_b: Measure
) -> None:
    everything = bearer(token_for(staff, scope="read"))
    limited = bearer(token_for(staff, scope="read", teams=[measure_b.team]))

    assert ok(client.get("/api/v1/measures", headers=everything))["count"] == 2
    assert names(ok(client.get("/api/v1/measures", headers=limited)), "id") == [measure_b.pk]
    problem(client.get(f"/api/v1/measures/{measure_a.pk}", headers=limited), 404)
    assert Measure.objects.count() == 2


def test_lists_cost_the_same_queries_however_long_they_are(
    client: Client, staff: User, team_a: Team
) -> None:
    client.force_login(staff)

    def cost() -> list[int]:
        return [
            queries_for(client, url)
            for url in ("/api/v1/teams", "/api/v1/teams/team-a/goals", "/api/v1/measures")
        ]

    def grow() -> None:
        team = TeamFactory.create(round=team_a.round)
        TeamOrganisation.objects.create(
            team=team, organisation=Organisation.objects.create(name=f"Trust {team.pk}")
        )
        MeasureFactory.create(team=team)
        GoalFactory.create(team=team_a)

    grow()
    few = cost()
    for _ in range(4):
        grow()

    assert cost() == few
