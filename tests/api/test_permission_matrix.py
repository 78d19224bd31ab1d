"""Every operation of the API schema × every kind of caller, against ONE table of what each
may do. The operations come from the live schema: a new operation fails
``test_every_operation_has_a_row`` until its row is written here.

Each request names team A's objects (its slug, round, programme, goal and measure). The
callers are: nobody; a member of team A, a member of team B and programme staff, each with a
read-write token; member A's read-only token (refused wherever it would change something);
and member A's expired and revoked tokens (refused everywhere, even on public operations).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, NamedTuple

import pytest
from django.test import Client
from django.utils import timezone

from sharedpurpose.accounts.models import User
from sharedpurpose.api.main import api
from sharedpurpose.improvement.models import Goal, Measure, Team
from tests.improvement.factories_members import GoalFactory

from .conftest import PROBLEM_CONTENT_TYPE, TokenFor, bearer

pytestmark = pytest.mark.django_db


class Row(NamedTuple):
    """The status each caller gets."""

    anonymous: int
    member_a: int
    member_b: int
    staff: int
    read_only_token: int
    expired_token: int = 401
    revoked_token: int = 401


PUBLIC = Row(200, 200, 200, 200, 200)
#: Signed in: anyone with a valid token; each sees their own teams.
SIGNED_IN = Row(401, 200, 200, 200, 200)
#: Team A's own data: team B's members cannot tell it exists (404).
TEAM_A_READ = Row(401, 200, 404, 200, 200)
#: A change to team A's data: the read-only token is refused (403).
TEAM_A_WRITE = Row(401, 200, 404, 200, 403)

#: THE table: (method, path as in the schema) -> what each caller gets.
EXPECTED: dict[tuple[str, str], Row] = {
    ("GET", "/api/v1/programmes"): PUBLIC,
    ("GET", "/api/v1/programmes/{slug}"): PUBLIC,
    ("GET", "/api/v1/rounds"): PUBLIC,
    ("GET", "/api/v1/rounds/{round_id}"): PUBLIC,
    ("GET", "/api/v1/evidence"): PUBLIC,
    ("POST", "/api/v1/subscriptions"): Row(202, 202, 202, 202, 202),
    ("GET", "/api/v1/teams"): SIGNED_IN,
    ("GET", "/api/v1/measures"): SIGNED_IN,
    ("GET", "/api/v1/teams/{slug}"): TEAM_A_READ,
    ("GET", "/api/v1/teams/{slug}/goals"): TEAM_A_READ,
    ("GET", "/api/v1/goals/{goal_id}"): TEAM_A_READ,
    ("GET", "/api/v1/measures/{measure_id}"): TEAM_A_READ,
    ("GET", "/api/v1/measures/{measure_id}/points"): TEAM_A_READ,
    ("GET", "/api/v1/measures/{measure_id}/spc"): TEAM_A_READ,
    ("POST", "/api/v1/points/bulk"): TEAM_A_WRITE,
}

#: Words only team A's workspace holds: no response to an outsider may contain them.
PRIVATE_GOAL = "Cut night-time falls on Team A's wards"


def _schema_operations() -> list[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return sorted((method.upper(), path) for path, item in paths.items() for method in item)


OPERATIONS = _schema_operations()


def test_every_operation_has_a_row() -> None:
    missing = [f"{method} {path}" for method, path in OPERATIONS if (method, path) not in EXPECTED]
    assert not missing, f"Add the expected permissions of {missing} to EXPECTED"
    stale = [f"{method} {path}" for method, path in EXPECTED if (method, path) not in OPERATIONS]
    assert not stale, f"{stale} are no longer in the schema: remove their rows"


class TeamA(NamedTuple):
    team: Team
    goal: Goal
    measure: Measure


@pytest.fixture
def team_a_objects(team_a: Team, measure_a: Measure) -> TeamA:
    goal = GoalFactory.create(team=team_a, title=PRIVATE_GOAL)
    return TeamA(team_a, goal, measure_a)


@pytest.fixture
def callers(
    member_a: User, member_b: User, staff: User, team_a: Team, token_for: TokenFor
) -> dict[str, dict[str, str]]:
    """Each caller's request headers, by the name of its column in ``Row``."""
    return {
        "anonymous": {},
        "member_a": bearer(token_for(member_a)),
        "member_b": bearer(token_for(member_b)),
        "staff": bearer(token_for(staff)),
        "read_only_token": bearer(token_for(member_a, scope="read")),
        "expired_token": bearer(
            token_for(member_a, expires_at=timezone.now() - timedelta(seconds=1))
        ),
        "revoked_token": bearer(token_for(member_a, revoked=True)),
    }


def _url(path: str, objects: TeamA) -> str:
    slug = objects.team.round.programme.slug if path.startswith("/api/v1/programmes/") else None
    return path.format(
        slug=slug or objects.team.slug,
        round_id=objects.team.round_id,
        goal_id=objects.goal.pk,
        measure_id=objects.measure.pk,
    )


def _body(path: str, objects: TeamA, caller: str) -> dict[str, Any]:
    if path.endswith("/points/bulk"):
        return {"points": [{"measure": objects.measure.pk, "period": "2025-01-01", "value": 9}]}
    if path.endswith("/subscriptions"):
        return {"email": f"{caller}@example.org", "all_programmes": True, "consent": True}
    raise AssertionError(f"Write a request body for {path} in _body()")


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_each_caller_gets_what_the_table_says(
    client: Client,
    team_a_objects: TeamA,
    callers: dict[str, dict[str, str]],
    method: str,
    path: str,
) -> None:
    expected = EXPECTED.get((method, path))
    if expected is None:
        pytest.fail(f"{method} {path} has no row in EXPECTED")
    url = _url(path, team_a_objects)

    got: dict[str, int] = {}
    for caller, headers in callers.items():
        if method == "GET":
            response = client.get(url, headers=headers)
        else:
            body = _body(path, team_a_objects, caller)
            response = client.generic(
                method, url, json.dumps(body), content_type="application/json", headers=headers
            )
        got[caller] = response.status_code
        if response.status_code >= 400:
            assert response["Content-Type"] == PROBLEM_CONTENT_TYPE, (caller, response.content)
        if caller in {"anonymous", "member_b"}:
            assert PRIVATE_GOAL not in response.content.decode(), f"{caller} sees team A's goal"
            assert team_a_objects.measure.name not in response.content.decode(), caller

    assert got == expected._asdict()
