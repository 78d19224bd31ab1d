"""Who may call the API: personal tokens (scope, teams, expiry, revocation), the browser
session (with CSRF for changes), and the rate limit per token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from ninja.throttling import SimpleRateThrottle

from sharedpurpose.accounts.models import User
from sharedpurpose.api.main import api
from sharedpurpose.api.models import ApiToken
from sharedpurpose.api.tokens import LAST_USED_RESOLUTION
from sharedpurpose.improvement.models import Measure, Team, TeamMembership
from tests.factories import MembershipFactory

from .conftest import TokenFor, bearer, problem_body

pytestmark = pytest.mark.django_db

TEAMS = "/api/v1/teams"
BULK = "/api/v1/points/bulk"


def _slugs(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [team["slug"] for team in response.json()["items"]]


def _one_point(measure: Measure, value: float = 30.0) -> dict[str, Any]:
    return {"points": [{"measure": measure.pk, "period": "2025-06-01", "value": value}]}


# --------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------


def test_a_bearer_token_reads_as_its_owner_and_is_marked_used(
    client: Client, member_a: User, team_a: Team, team_b: Team, token_for: TokenFor
) -> None:
    text = token_for(member_a, scope="read", teams=[team_a])

    assert _slugs(client.get(TEAMS, headers=bearer(text))) == ["team-a"]
    token = ApiToken.objects.get(user=member_a)
    assert token.last_used_at is not None
    first_use = token.last_used_at

    # Later calls within the resolution do not write again
    client.get(TEAMS, headers=bearer(text))
    token.refresh_from_db()
    assert token.last_used_at == first_use
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=first_use - LAST_USED_RESOLUTION - timedelta(seconds=1)
    )
    client.get(TEAMS, headers=bearer(text))
    token.refresh_from_db()
    assert token.last_used_at > first_use - LAST_USED_RESOLUTION


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Bearer WRONG_SECRET", "The API token is not valid."),
        ("Bearer sp_000000000000_abcdefghijklmnop", "The API token is not valid."),
        ("Bearer sp_nothing", "The API token is not valid."),
        ("Bearer not-a-token", "The API token is not valid."),
        ("Bearer", "The API token is not valid."),
        ("Token sp_x_y", "Sign in or send an API token"),
        ("Basic dXNlcjpwYXNz", "Sign in or send an API token"),
        ("", "Sign in or send an API token"),
    ],
)
def test_a_wrong_or_malformed_token_is_401_with_www_authenticate(
    client: Client, member_a: User, token_for: TokenFor, header: str, detail: str
) -> None:
    text = token_for(member_a)
    if "WRONG_SECRET" in header:
        prefix = text.split("_")[1]
        header = f"Bearer sp_{prefix}_{'x' * 43}"

    response = client.get(TEAMS, headers={"Authorization": header} if header else {})

    body = problem_body(response, 401)
    assert detail in body["detail"]
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_an_expired_token_is_401_has_expired(
    client: Client, member_a: User, token_for: TokenFor
) -> None:
    text = token_for(member_a, expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(TEAMS, headers=bearer(text))
    assert problem_body(response, 401)["detail"] == "The API token has expired."
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_revoked_token_is_401_has_been_revoked(
    client: Client, member_a: User, token_for: TokenFor
) -> None:
    text = token_for(member_a, revoked=True)
    response = client.get(TEAMS, headers=bearer(text))
    assert problem_body(response, 401)["detail"] == "The API token has been revoked."


def test_the_token_of_an_inactive_account_is_401(
    client: Client, member_a: User, token_for: TokenFor
) -> None:
    text = token_for(member_a)
    member_a.is_active = False
    member_a.save(update_fields=["is_active"])
    response = client.get(TEAMS, headers=bearer(text))
    assert problem_body(response, 401)["detail"] == "The API token's account is not active."


def test_a_bad_token_is_refused_even_where_the_public_may_read(
    client: Client, member_a: User, token_for: TokenFor
) -> None:
    # /programmes is public, but a pipeline must learn that its token is bad
    assert client.get("/api/v1/programmes").status_code == 200
    text = token_for(member_a, revoked=True)
    response = client.get("/api/v1/programmes", headers=bearer(text))
    assert problem_body(response, 401)["detail"] == "The API token has been revoked."


def test_a_read_only_token_cannot_write(
    client: Client, member_a: User, team_a: Team, measure_a: Measure, token_for: TokenFor
) -> None:
    text = token_for(member_a, scope="read", teams=[team_a])
    response = client.post(BULK, _one_point(measure_a), "application/json", headers=bearer(text))
    assert problem_body(response, 403)["detail"] == "This API token is read only."
    assert not measure_a.points.filter(period="2025-06-01").exists()


def test_a_read_write_token_writes_as_the_owners_role_allows(
    client: Client, team_a: Team, measure_a: Measure, token_for: TokenFor
) -> None:
    coach = MembershipFactory.create(team=team_a, role=TeamMembership.Role.COACH).user
    # A coach may not change data on the web; a read-write token does not change that
    text = token_for(coach, teams=[team_a])
    response = client.post(BULK, _one_point(measure_a), "application/json", headers=bearer(text))
    assert problem_body(response, 403)["detail"].startswith("Your role in Team A")


def test_a_token_limited_to_team_a_cannot_reach_team_b(
    client: Client,
    member_a: User,
    team_a: Team,
    team_b: Team,
    measure_b: Measure,
    token_for: TokenFor,
) -> None:
    # Given a member of both teams whose token is limited to team A
    MembershipFactory.create(team=team_b, user=member_a)
    text = token_for(member_a, teams=[team_a])
    headers = bearer(text)

    # Then team B is as invisible as to a stranger (404), while the session sees both
    assert _slugs(client.get(TEAMS, headers=headers)) == ["team-a"]
    problem_body(client.get("/api/v1/teams/team-b", headers=headers), 404)
    problem_body(client.get(f"/api/v1/measures/{measure_b.pk}/spc", headers=headers), 404)
    response = client.post(BULK, _one_point(measure_b), "application/json", headers=headers)
    problem_body(response, 404)
    client.force_login(member_a)
    assert _slugs(client.get(TEAMS)) == ["team-a", "team-b"]


def test_an_all_teams_token_follows_the_owners_teams(
    client: Client, member_a: User, team_b: Team, token_for: TokenFor
) -> None:
    text = token_for(member_a)  # all my teams
    assert _slugs(client.get(TEAMS, headers=bearer(text))) == ["team-a"]
    MembershipFactory.create(team=team_b, user=member_a)
    assert _slugs(client.get(TEAMS, headers=bearer(text))) == ["team-a", "team-b"]


def test_a_staff_token_reaches_every_team(
    client: Client, staff: User, team_a: Team, team_b: Team, token_for: TokenFor
) -> None:
    text = token_for(staff)
    assert _slugs(client.get(TEAMS, headers=bearer(text))) == ["team-a", "team-b"]


def test_a_token_needs_no_csrf_token_to_write(
    member_a: User, team_a: Team, measure_a: Measure, token_for: TokenFor
) -> None:
    client = Client(enforce_csrf_checks=True)
    text = token_for(member_a, teams=[team_a])
    response = client.post(BULK, _one_point(measure_a), "application/json", headers=bearer(text))
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1


# --------------------------------------------------------------------------
# The browser session
# --------------------------------------------------------------------------


def test_the_session_reads_without_a_token(client: Client, member_a: User) -> None:
    client.force_login(member_a)
    assert _slugs(client.get(TEAMS)) == ["team-a"]


def test_anonymous_is_401(client: Client, team_a: Team) -> None:
    problem_body(client.get(TEAMS), 401)


def test_the_session_needs_the_csrf_token_to_write(member_a: User, measure_a: Measure) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member_a)

    # Without the CSRF token: refused, nothing stored
    refused = client.post(BULK, _one_point(measure_a), "application/json")
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert not measure_a.points.filter(period="2025-06-01").exists()

    # With the token the site gives the page (cookie + header), it is stored
    client.get("/")  # a page sets the CSRF cookie, as for the web's own forms
    csrf = client.cookies["csrftoken"].value
    stored = client.post(
        BULK, _one_point(measure_a), "application/json", headers={"X-CSRFToken": csrf}
    )
    assert stored.status_code == 200, stored.content
    assert measure_a.points.filter(period="2025-06-01").exists()


def test_a_bad_token_is_refused_even_with_a_good_session(
    client: Client, member_a: User, token_for: TokenFor
) -> None:
    client.force_login(member_a)
    text = token_for(member_a, revoked=True)
    problem_body(client.get(TEAMS, headers=bearer(text)), 401)


# --------------------------------------------------------------------------
# Rate limits
# --------------------------------------------------------------------------


@pytest.fixture
def three_a_minute(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The API's throttle, reading its rate once at start-up, allows three a minute."""
    configured: Any = api.throttle
    for throttle in configured if isinstance(configured, list) else [configured]:
        assert isinstance(throttle, SimpleRateThrottle)
        monkeypatch.setattr(throttle, "num_requests", 3)
        monkeypatch.setattr(throttle, "duration", 60)
    yield


@pytest.mark.usefixtures("three_a_minute")
def test_the_rate_limit_is_per_token_with_retry_after(
    client: Client, member_a: User, team_a: Team, token_for: TokenFor
) -> None:
    first, second = token_for(member_a), token_for(member_a)
    for _ in range(3):
        assert client.get(TEAMS, headers=bearer(first)).status_code == 200

    refused = client.get(TEAMS, headers=bearer(first))

    body = problem_body(refused, 429)
    assert "try again in" in body["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 61
    # Another token of the same person has its own allowance
    assert client.get(TEAMS, headers=bearer(second)).status_code == 200


@pytest.mark.usefixtures("three_a_minute")
def test_the_public_is_limited_per_address(client: Client) -> None:
    for _ in range(3):
        assert client.get("/api/v1/programmes").status_code == 200
    problem_body(client.get("/api/v1/programmes"), 429)
    other = client.get("/api/v1/programmes", REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200
