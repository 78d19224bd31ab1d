"""GET /api/v1/measures/{id}/points: a measure's points, page by page, for whoever may open
its team, as on the web."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from sharedpurpose.accounts.models import User
from sharedpurpose.api.models import ApiToken
from sharedpurpose.improvement.models import Measure, Team
from tests.api.conftest import MEASURE_A_VALUES, TokenFor, bearer
from tests.factories import MeasureFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def url(measure: Measure, query: str = "") -> str:
    return f"/api/v1/measures/{measure.pk}/points{query}"


def test_a_member_reads_the_points_oldest_first_a_page_at_a_time(
    client: Client, member_a: User, measure_a: Measure, token_for: TokenFor
) -> None:
    text = token_for(member_a, scope=ApiToken.Scope.READ)

    first = client.get(url(measure_a, "?limit=5"), headers=bearer(text))
    second = client.get(first.json()["next"], headers=bearer(text))

    assert first.status_code == 200
    page = first.json()
    assert page["count"] == len(MEASURE_A_VALUES)
    assert page["previous"] is None
    assert [p["period"] for p in page["items"]] == [
        "2023-01-01",
        "2023-02-01",
        "2023-03-01",
        "2023-04-01",
        "2023-05-01",
    ]
    assert page["items"][0]["value"] == MEASURE_A_VALUES[0]
    assert page["items"][0]["denominator"] is None
    assert page["items"][0]["updated_at"] is not None
    assert [p["period"] for p in second.json()["items"]][0] == "2023-06-01"


def test_from_and_to_narrow_the_periods(
    client: Client, member_a: User, measure_a: Measure, token_for: TokenFor
) -> None:
    text = token_for(member_a)

    response = client.get(url(measure_a, "?from=2024-02-01&to=2024-04-01"), headers=bearer(text))

    periods = [p["period"] for p in response.json()["items"]]
    assert periods == ["2024-02-01", "2024-03-01", "2024-04-01"]


def test_from_after_to_is_a_problem_naming_the_parameter(
    client: Client, member_a: User, measure_a: Measure, token_for: TokenFor
) -> None:
    response = client.get(
        url(measure_a, "?from=2024-05-01&to=2024-01-01"), headers=bearer(token_for(member_a))
    )

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "to"


@pytest.mark.parametrize("query", ["?from=yesterday", "?limit=0", "?limit=501", "?offset=-1"])
def test_bad_query_parameters_are_422(
    client: Client, member_a: User, measure_a: Measure, token_for: TokenFor, query: str
) -> None:
    response = client.get(url(measure_a, query), headers=bearer(token_for(member_a)))

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_a_measure_id_beyond_64_bits_is_invalid_not_a_server_error(
    client: Client, member_a: User, token_for: TokenFor
) -> None:
    response = client.get(f"/api/v1/measures/{2**64}/points", headers=bearer(token_for(member_a)))

    assert response.status_code == 422


@pytest.mark.parametrize(
    ("who", "token", "status"),
    [
        ("anonymous", None, 401),
        ("member_a", "read", 200),
        ("member_a", "expired", 401),
        ("member_a", "revoked", 401),
        ("member_a", "limited_to_b", 404),
        ("member_b", "read", 404),
        ("staff", "read", 200),
        ("member_a", "session", 200),
        ("member_b", "session", 404),
    ],
)
def test_who_may_read_the_points(
    client: Client,
    measure_a: Measure,
    team_b: Team,
    token_for: TokenFor,
    request: pytest.FixtureRequest,
    who: str,
    token: str | None,
    status: int,
) -> None:
    headers: dict[str, str] = {}
    if who != "anonymous":
        user: User = request.getfixturevalue(who)
        if token == "session":
            client.force_login(user)
        elif token == "expired":
            headers = bearer(token_for(user, expires_at=timezone.now() - timedelta(days=1)))
        elif token == "revoked":
            headers = bearer(token_for(user, revoked=True))
        elif token == "limited_to_b":
            MembershipFactory.create(team=team_b, user=user)
            headers = bearer(token_for(user, teams=[team_b]))
        else:
            headers = bearer(token_for(user, scope=ApiToken.Scope.READ))

    response = client.get(url(measure_a), headers=headers)

    assert response.status_code == status, response.content
    if status != 200:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == status
    if status == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_measure_is_404(client: Client, member_a: User, token_for: TokenFor) -> None:
    response = client.get("/api/v1/measures/987654/points", headers=bearer(token_for(member_a)))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_measure_without_points_is_an_empty_page(
    client: Client, member_a: User, team_a: Team, token_for: TokenFor
) -> None:
    empty = MeasureFactory.create(team=team_a)

    response = client.get(url(empty), headers=bearer(token_for(member_a)))

    assert response.json() == {"count": 0, "next": None, "previous": None, "items": []}
