from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_body_over_the_sites_limit_is_a_413_problem_not_a_server_error(
    client: Client, settings: object
) -> None:
    body = json.dumps({"email": "a@example.org", "name": "x" * 3_000_000, "consent": True})

    response = client.post("/api/v1/subscriptions", body, content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert "smaller parts" in response.json()["detail"]
