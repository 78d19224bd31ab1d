"""POST /api/v1/points/bulk: a pipeline pushes many points at once, all or nothing,
idempotently, with the web's permissions and the import's rules."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sharedpurpose.accounts.models import User
from sharedpurpose.api.models import ApiToken
from sharedpurpose.api.routers import points as router
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.improvement.models import (
    ChartType,
    DataPoint,
    DataPointChange,
    Measure,
    Team,
    TeamMembership,
)
from tests.api.conftest import TokenFor, bearer
from tests.factories import MeasureFactory, MembershipFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/points/bulk"


def post(client: Client, body: Any, headers: dict[str, str] | None = None) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", headers=headers or {})


def monthly(measure: Measure, values: list[float], start: int = 2020) -> list[dict[str, Any]]:
    return [
        {
            "measure": measure.pk,
            "period": date(start + i // 12, i % 12 + 1, 1).isoformat(),
            "value": v,
            "denominator": None,
        }
        for i, v in enumerate(values)
    ]


def version(measure: Measure) -> int:
    return Measure.objects.values_list("data_version", flat=True).get(pk=measure.pk)


@pytest.fixture
def empty_a(team_a: Team) -> Measure:
    measure: Measure = MeasureFactory.create(team=team_a, name="Discharges before noon")
    return measure


def test_a_pipeline_pushes_a_history_and_it_is_stored_and_logged(
    client: Client, member_a: User, empty_a: Measure, token_for: TokenFor
) -> None:
    before = version(empty_a)

    response = post(client, {"points": monthly(empty_a, [4, 5, 6.5])}, bearer(token_for(member_a)))

    assert response.status_code == 200, response.content
    assert response.json() == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "measures": [empty_a.pk],
    }
    assert list(empty_a.points.values_list("value", flat=True)) == [4.0, 5.0, 6.5]
    assert version(empty_a) == before + 1
    changes = DataPointChange.objects.filter(measure=empty_a)
    assert changes.count() == 3
    assert {(c.source, c.changed_by_id) for c in changes} == {("api", member_a.pk)}
    assert AuditEvent.objects.filter(action="data_points.upsert", actor=member_a).count() == 1


def test_sending_the_same_batch_twice_changes_nothing_the_second_time(
    client: Client, member_a: User, empty_a: Measure, token_for: TokenFor
) -> None:
    headers = bearer(token_for(member_a))
    batch = {"points": monthly(empty_a, [float(v) for v in range(24)])}
    post(client, batch, headers)
    logged, before = DataPointChange.objects.count(), version(empty_a)

    again = post(client, batch, headers)

    assert again.json() == {"created": 0, "updated": 0, "unchanged": 24, "measures": []}
    assert DataPointChange.objects.count() == logged
    assert version(empty_a) == before


def test_changed_values_are_updated_and_logged_old_to_new(
    client: Client, member_a: User, measure_a: Measure, token_for: TokenFor
) -> None:
    stored = list(measure_a.points.order_by("period").values_list("period", "value"))
    body = [
        {"measure": measure_a.pk, "period": p.isoformat(), "value": v, "denominator": None}
        for p, v in stored
    ]
    body[-1]["value"] = 99.5

    response = post(client, {"points": body}, bearer(token_for(member_a)))

    assert response.json()["updated"] == 1
    assert response.json()["unchanged"] == len(stored) - 1
    change = DataPointChange.objects.filter(source="api").get()
    assert (change.period, change.old_value, change.new_value) == (
        stored[-1][0],
        stored[-1][1],
        99.5,
    )


def test_one_bad_point_stores_nothing_and_every_problem_is_named_by_path(
    client: Client, member_a: User, empty_a: Measure, token_for: TokenFor
) -> None:
    batch = monthly(empty_a, [1, 2, 3, 4])
    batch[1]["period"] = "2020-02-15"
    batch[3]["period"] = batch[2]["period"]

    response = post(client, {"points": batch}, bearer(token_for(member_a)))

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert [(e["field"], e["pointer"]) for e in problem["errors"]] == [
        ("points.1.period", "#/points/1/period"),
        ("points.3.period", "#/points/3/period"),
    ]
    assert "not the first day of a month" in problem["errors"][0]["detail"]
    assert "appears more than once" in problem["errors"][1]["detail"]
    assert not empty_a.points.exists()
    assert version(empty_a) == empty_a.data_version


@pytest.mark.parametrize(
    ("point", "field"),
    [
        ({"period": "01/04/2024"}, "points.0.period"),
        ({"period": "2024-02-30"}, "points.0.period"),
        ({"period": 20240401}, "points.0.period"),
        ({"value": "12.5"}, "points.0.value"),
        ({"value": True}, "points.0.value"),
        ({"value": None}, "points.0.value"),
        ({"denominator": "ten"}, "points.0.denominator"),
        ({"measure": "1"}, "points.0.measure"),
        ({"measure": 2**64}, "points.0.measure"),
        ({"unexpected": 1}, "points.0.unexpected"),
    ],
)
def test_badly_typed_points_are_422_with_their_path(
    client: Client,
    member_a: User,
    empty_a: Measure,
    token_for: TokenFor,
    point: dict[str, Any],
    field: str,
) -> None:
    body = {"points": [{**monthly(empty_a, [1])[0], **point}]}

    response = post(client, body, bearer(token_for(member_a)))

    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_numbers_that_are_not_finite_are_refused(
    client: Client, member_a: User, empty_a: Measure, token_for: TokenFor, number: str
) -> None:
    raw = f'{{"points": [{{"measure": {empty_a.pk}, "period": "2020-01-01", "value": {number}}}]}}'

    response = post(client, raw, bearer(token_for(member_a)))

    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == "points.0.value"
    assert not empty_a.points.exists()


def test_p_charts_need_a_denominator_the_value_cannot_exceed(
    client: Client, member_a: User, team_a: Team, token_for: TokenFor
) -> None:
    p_chart = MeasureFactory.create(team=team_a, chart_type=ChartType.P)
    batch = monthly(p_chart, [3, 3, 3])
    batch[1]["denominator"] = 2
    batch[2]["denominator"] = 0

    response = post(client, {"points": batch}, bearer(token_for(member_a)))

    assert [(e["field"], e["detail"]) for e in response.json()["errors"]] == [
        ("points.0.denominator", "a p chart needs a denominator"),
        ("points.1.value", "3 is more than the denominator 2"),
        ("points.2.denominator", "0 is not above 0"),
    ]


def test_weekly_points_must_start_on_a_monday(
    client: Client, member_a: User, team_a: Team, token_for: TokenFor
) -> None:
    weekly = MeasureFactory.create(team=team_a, frequency=Measure.Frequency.WEEKLY)
    body = {
        "points": [
            {"measure": weekly.pk, "period": "2024-04-01", "value": 1},
            {"measure": weekly.pk, "period": "2024-04-09", "value": 2},
        ]
    }

    response = post(client, body, bearer(token_for(member_a)))

    assert response.json()["errors"] == [
        {
            "field": "points.1.period",
            "pointer": "#/points/1/period",
            "detail": "2024-04-09 is not a Monday (weekly data start on Mondays)",
        }
    ]


def test_more_than_100000_points_are_refused_with_advice_to_send_chunks(
    client: Client, member_a: User, empty_a: Measure, token_for: TokenFor
) -> None:
    point = json.dumps({"measure": empty_a.pk, "period": "2020-01-01", "value": 1})
    raw = '{"points": [' + ",".join([point] * (router.MAX_BULK_POINTS + 1)) + "]}"

    response = post(client, raw, bearer(token_for(member_a)))

    assert response.status_code == 422
    detail = response.json()["errors"][0]["detail"]
    assert "at most 100,000 points per request" in detail and "several requests" in detail


def test_a_body_over_the_bulk_limit_is_413_with_advice(
    client: Client,
    member_a: User,
    empty_a: Measure,
    token_for: TokenFor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(router, "MAX_BULK_BYTES", 100)

    response = post(client, {"points": monthly(empty_a, [1.0] * 10)}, bearer(token_for(member_a)))

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert "at most 100,000 points per request" in response.json()["detail"]


def test_bodies_above_the_sites_form_limit_are_read_under_the_bulk_limit(
    client: Client, member_a: User, empty_a: Measure, token_for: TokenFor, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 200  # the site's limit for form posts

    response = post(client, {"points": monthly(empty_a, [1.0] * 30)}, bearer(token_for(member_a)))

    assert response.status_code == 200, response.content
    assert response.json()["created"] == 30


def test_a_body_that_is_not_json_is_400(
    client: Client, member_a: User, token_for: TokenFor
) -> None:
    response = post(client, "{not json", bearer(token_for(member_a)))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_a_measure_of_another_team_in_the_batch_stores_nothing(
    client: Client, member_a: User, empty_a: Measure, measure_b: Measure, token_for: TokenFor
) -> None:
    batch = monthly(empty_a, [1, 2]) + monthly(measure_b, [1])

    response = post(client, {"points": batch}, bearer(token_for(member_a)))

    assert response.status_code == 404
    assert response.json()["detail"] == (
        f"Measure {measure_b.pk} (points.2.measure) does not exist or you cannot open it; "
        "nothing was stored."
    )
    assert not DataPoint.objects.exists()


def test_an_unknown_measure_reads_like_one_you_cannot_open(
    client: Client, member_a: User, token_for: TokenFor
) -> None:
    body = {"points": [{"measure": 987654, "period": "2020-01-01", "value": 1}]}

    response = post(client, body, bearer(token_for(member_a)))

    assert response.status_code == 404
    assert response.json()["detail"].startswith(
        "Measure 987654 (points.0.measure) does not exist or you cannot open it"
    )


def test_staff_may_push_to_any_team(
    client: Client, staff: User, empty_a: Measure, measure_b: Measure, token_for: TokenFor
) -> None:
    batch = monthly(empty_a, [1]) + monthly(measure_b, [2])

    response = post(client, {"points": batch}, bearer(token_for(staff)))

    assert response.status_code == 200
    assert response.json()["measures"] == sorted([empty_a.pk, measure_b.pk])


@pytest.mark.parametrize(
    ("who", "token", "status"),
    [
        ("anonymous", None, 401),
        ("member_a", "read_write", 200),
        ("member_a", "read", 403),
        ("member_a", "expired", 401),
        ("member_a", "revoked", 401),
        ("member_a", "limited_to_b", 404),
        ("member_b", "read_write", 404),
        ("coach_a", "read_write", 403),
        ("staff", "read_write", 200),
        ("staff", "read", 403),
    ],
)
def test_who_may_push_points(
    client: Client,
    empty_a: Measure,
    team_b: Team,
    token_for: TokenFor,
    request: pytest.FixtureRequest,
    who: str,
    token: str | None,
    status: int,
) -> None:
    headers: dict[str, str] = {}
    if who == "coach_a":
        user = MembershipFactory.create(team=empty_a.team, role=TeamMembership.Role.COACH).user
    elif who != "anonymous":
        user = request.getfixturevalue(who)
    if token == "read_write":
        headers = bearer(token_for(user, scope=ApiToken.Scope.READ_WRITE))
    elif token == "read":
        headers = bearer(token_for(user, scope=ApiToken.Scope.READ))
    elif token == "expired":
        headers = bearer(token_for(user, expires_at=timezone.now() - timedelta(days=1)))
    elif token == "revoked":
        headers = bearer(token_for(user, revoked=True))
    elif token == "limited_to_b":
        MembershipFactory.create(team=team_b, user=user)
        headers = bearer(token_for(user, teams=[team_b]))

    response = post(client, {"points": monthly(empty_a, [1, 2])}, headers)

    assert response.status_code == status, response.content
    assert empty_a.points.count() == (2 if status == 200 else 0)
    if status != 200:
        assert response["Content-Type"] == "application/problem+json"
    if token == "read":
        assert response.json()["detail"] == "This API token is read only."


def test_a_browser_session_needs_the_csrf_token(member_a: User, empty_a: Measure) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member_a)
    browser.get("/")  # any page sets the CSRF cookie
    body = json.dumps({"points": monthly(empty_a, [1])})

    refused = browser.post(URL, data=body, content_type="application/json")
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        URL, data=body, content_type="application/json", headers={"X-CSRFToken": token}
    )

    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert accepted.status_code == 200, accepted.content


def test_the_schema_documents_the_bulk_request_and_its_errors(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/v1/points/bulk"]["post"]

    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/BulkIn"}
    assert schema["components"]["schemas"]["BulkIn"]["properties"]["points"]["maxItems"] == 100_000
    assert {"200", "401", "403", "404", "413", "422"} <= set(operation["responses"])
    assert "application/problem+json" in operation["responses"]["413"]["content"]
