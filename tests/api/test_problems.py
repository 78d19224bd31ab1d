"""One error format for every failure: RFC 9457 problem details, with field paths and JSON
pointers for invalid input, and nothing of the server's insides on a 500."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client

from sharedpurpose.accounts.models import User
from sharedpurpose.api.main import api
from sharedpurpose.improvement.models import Measure, Team

from .conftest import PROBLEM_CONTENT_TYPE, TokenFor, bearer, problem_body

pytestmark = pytest.mark.django_db

BULK = "/api/v1/points/bulk"
PROBLEM_STATUSES = {"400", "401", "403", "404", "422", "429"}


@pytest.fixture
def headers(member_a: User, team_a: Team, token_for: TokenFor) -> dict[str, str]:
    return bearer(token_for(member_a, teams=[team_a]))


def _errors(body: dict[str, Any]) -> dict[str, str]:
    assert body["errors"], body
    return {error["field"]: error["pointer"] for error in body["errors"]}


def test_invalid_points_name_each_field_by_path_and_pointer(
    client: Client, headers: dict[str, str], measure_a: Measure
) -> None:
    points = [
        {"measure": measure_a.pk, "period": "2025-06-01", "value": 3},
        {"measure": measure_a.pk, "period": "June 2025", "value": 3},
        {"measure": measure_a.pk, "period": "2025-08-01"},
    ]
    response = client.post(BULK, {"points": points}, "application/json", headers=headers)

    body = problem_body(response, 422)
    assert _errors(body) == {
        "points.1.period": "#/points/1/period",
        "points.2.value": "#/points/2/value",
    }
    assert all(error["detail"] for error in body["errors"])
    assert body["detail"] == "2 fields are not valid."
    assert not measure_a.points.filter(period="2025-06-01").exists()


def test_a_rule_of_the_data_service_is_a_field_error_too(
    client: Client, headers: dict[str, str], measure_a: Measure
) -> None:
    # A monthly measure's period is the first of a month
    points = [{"measure": measure_a.pk, "period": "2025-06-15", "value": 3}]
    response = client.post(BULK, {"points": points}, "application/json", headers=headers)
    body = problem_body(response, 422)
    assert list(_errors(body)) == ["points.0.period"]


def test_a_bad_query_or_path_parameter_names_where_it_is(
    client: Client, headers: dict[str, str], measure_a: Measure
) -> None:
    query = problem_body(
        client.get(f"/api/v1/measures/{measure_a.pk}/points?from=soon", headers=headers), 422
    )
    assert [error["field"] for error in query["errors"]] == ["from"]
    assert query["errors"][0]["pointer"].startswith("query:")
    path = problem_body(client.get("/api/v1/measures/abc/spc", headers=headers), 422)
    assert [error["field"] for error in path["errors"]] == ["measure_id"]


def test_a_service_refusal_names_its_fields(client: Client) -> None:
    response = client.post(
        "/api/v1/subscriptions",
        {"email": "analyst@example.org", "consent": False},
        "application/json",
    )
    body = problem_body(response, 422)
    assert _errors(body) == {"consent": "#/consent"}


def test_a_body_that_is_not_json_is_400(client: Client, headers: dict[str, str]) -> None:
    response = client.post(BULK, "{not json", "application/json", headers=headers)
    problem_body(response, 400)


def test_missing_things_are_404(client: Client, headers: dict[str, str]) -> None:
    body = problem_body(client.get("/api/v1/measures/999999/spc", headers=headers), 404)
    assert body["title"] == "Not found"
    problem_body(client.get("/api/v1/teams/no-such-team", headers=headers), 404)


def test_an_unexpected_error_is_a_500_without_insides(
    client: Client,
    headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr("sharedpurpose.api.routers.teams.api_teams_visible", broken)

    with caplog.at_level(logging.ERROR):
        response = client.get("/api/v1/teams", headers=headers)

    body = problem_body(response, 500)
    assert body["detail"] == "Something went wrong on our side; nothing was changed."
    text = response.content.decode()
    assert "hunter2" not in text and "Traceback" not in text and "RuntimeError" not in text
    # It is logged for the people who run the site
    logged = [record for record in caplog.records if record.exc_info]
    assert any("hunter2" in str(record.exc_info[1]) for record in logged if record.exc_info)


def test_losing_the_database_mid_operation_is_a_503_to_retry_later(
    client: Client, headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection to server at 10.0.0.5 failed")

    monkeypatch.setattr("sharedpurpose.api.routers.teams.api_teams_visible", unreachable)

    response = client.get("/api/v1/teams", headers=headers)

    body = problem_body(response, 503)
    assert "cannot reach its database" in body["detail"]
    assert response["Retry-After"].isdigit()
    assert "10.0.0.5" not in response.content.decode()


def test_a_method_the_path_does_not_have_is_a_405_problem(
    client: Client, headers: dict[str, str]
) -> None:
    response = client.delete("/api/v1/teams", headers=headers)
    problem_body(response, 405)
    assert "GET" in response["Allow"]


def test_an_unknown_api_path_is_a_404_problem(client: Client) -> None:
    problem_body(client.get("/api/v1/no-such-resource"), 404)


# --------------------------------------------------------------------------
# The schema documents the errors
# --------------------------------------------------------------------------


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = api.get_openapi_schema()
    return [
        (method.upper(), path, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]


def test_every_operation_documents_its_problem_responses() -> None:
    operations = _operations()
    assert operations
    for method, path, operation in operations:
        responses = {str(status): response for status, response in operation["responses"].items()}
        missing = PROBLEM_STATUSES - set(responses)
        assert not missing, f"{method} {path} does not document {sorted(missing)}"
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                assert list(response["content"]) == [PROBLEM_CONTENT_TYPE], (method, path, status)
                ref = response["content"][PROBLEM_CONTENT_TYPE]["schema"]["$ref"]
                assert ref.endswith("/Problem"), (method, path, status, ref)


def test_every_operation_has_a_summary_a_tag_and_a_success_response() -> None:
    for method, path, operation in _operations():
        assert operation.get("tags"), f"{method} {path} has no tag"
        assert operation.get("summary"), f"{method} {path} has no summary"
        assert any(str(status).startswith("2") for status in operation["responses"]), (
            method,
            path,
        )
