"""Shared fixtures for the API tests: two teams with a measure each, the people every
permission test needs, and personal API tokens made through the real service.

    def test_reads(client, member_a, team_a, token_for):
        text = token_for(member_a, scope="read", teams=[team_a])
        client.get("/api/v1/teams", headers=bearer(text))
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any, Protocol

import pytest
from django.utils import timezone

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.api.models import ApiToken
from sharedpurpose.api.tokens import token_create, token_revoke
from sharedpurpose.improvement.models import Measure, Team, TeamMembership
from sharedpurpose.improvement.services.data import PointEntry, points_save
from tests.factories import (
    MeasureFactory,
    MembershipFactory,
    RoundFactory,
    TeamFactory,
    UserFactory,
)

#: Monthly values with a clear shift half way, so SPC results carry special-cause points.
MEASURE_A_VALUES = [12, 14, 11, 13, 12, 15, 13, 12, 14, 13, 12, 14] + [20, 21, 22, 20, 23, 21, 22]


def bearer(text: str) -> dict[str, str]:
    """Headers for the test client: ``client.get(url, headers=bearer(text))``."""
    return {"Authorization": f"Bearer {text}"}


PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_body(response: Any, status: int) -> dict[str, Any]:
    """The RFC 9457 body of an error response, after checking its status and content type."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE, response["Content-Type"]
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"] and body["title"] and isinstance(body["detail"], str)
    return body


class TokenFor(Protocol):
    def __call__(
        self,
        user: User,
        *,
        scope: str = ...,
        teams: Iterable[Team] | None = ...,
        expires_at: datetime | None = ...,
        revoked: bool = ...,
        name: str = ...,
    ) -> str: ...


def make_token(
    user: User,
    *,
    scope: str = ApiToken.Scope.READ_WRITE,
    teams: Iterable[Team] | None = None,
    expires_at: datetime | None = None,
    revoked: bool = False,
    name: str = "Test pipeline",
) -> str:
    """The full text of a new token for ``user``, made by ``token_create``.

    ``teams=None`` gives all the user's teams; an ``expires_at`` in the past makes an
    expired token (the service refuses to create one, so it is moved back afterwards).
    """
    now = timezone.now()
    future = expires_at if expires_at is not None and expires_at > now else None
    token, text = token_create(
        user=user,
        name=name,
        scope=str(scope),
        expires_at=future or now + timedelta(days=30),
        teams=list(teams or []),
        all_teams=teams is None,
    )
    if expires_at is not None and future is None:
        ApiToken.objects.filter(pk=token.pk).update(expires_at=expires_at)
    if revoked:
        token_revoke(user=user, token=token)
    return text


@pytest.fixture
def token_for(db: None) -> TokenFor:
    """``token_for(user, scope="read", teams=[team_a], expires_at=..., revoked=False)``."""
    return make_token


@pytest.fixture
def team_a(db: None) -> Team:
    round_ = RoundFactory.create()
    return TeamFactory.create(round=round_, slug="team-a", name="Team A")


@pytest.fixture
def team_b(db: None, team_a: Team) -> Team:
    """Another team of the same round, which team A's members cannot open."""
    return TeamFactory.create(round=team_a.round, slug="team-b", name="Team B")


@pytest.fixture
def member_a(team_a: Team) -> User:
    """A member of team A (team role "member": may change its plan and data)."""
    user: User = MembershipFactory.create(
        team=team_a, role=TeamMembership.Role.MEMBER, user__full_name="Ada Member"
    ).user
    return user


@pytest.fixture
def member_b(team_b: Team) -> User:
    user: User = MembershipFactory.create(
        team=team_b, role=TeamMembership.Role.MEMBER, user__full_name="Bea Member"
    ).user
    return user


@pytest.fixture
def staff(db: None) -> User:
    """Programme staff: every team, as on the web."""
    user: User = UserFactory.create(full_name="Sam Staff")
    user_role_grant(user=user, role=SiteRole.PROGRAMME_STAFF)
    return user


@pytest.fixture
def measure_a(team_a: Team, member_a: User) -> Measure:
    """A monthly measure of team A with 19 points saved through the grid's service."""
    measure: Measure = MeasureFactory.create(team=team_a, name="Falls per 1,000 bed days")
    rows = [
        PointEntry(period=date(2023 + i // 12, i % 12 + 1, 1), value=str(value))
        for i, value in enumerate(MEASURE_A_VALUES)
    ]
    points_save(actor=member_a, measure=measure, rows=rows)
    measure.refresh_from_db()
    return measure


@pytest.fixture
def measure_b(team_b: Team) -> Measure:
    measure: Measure = MeasureFactory.create(team=team_b, name="Sickness absence")
    return measure
