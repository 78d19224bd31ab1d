"""Small helpers shared by the read endpoints' tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

PROBLEM = "application/problem+json"


def ok(response: Response, status: int = 200) -> Any:
    """The JSON body of a successful response, after checking its status."""
    assert response.status_code == status, response.content
    return response.json()


def problem(response: Response, status: int) -> dict[str, Any]:
    """The RFC 9457 body of a failed response, after checking its status and type."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and "detail" in body
    return body


def fields(body: dict[str, Any]) -> dict[str, str]:
    """A 422 problem's errors as {field path: pointer}."""
    return {error["field"]: error["pointer"] for error in body["errors"]}


def names(page: dict[str, Any], key: str = "slug") -> list[Any]:
    return [item[key] for item in page["items"]]


def queries_for(client: Any, url: str, **extra: Any) -> int:
    """How many database queries one GET of ``url`` makes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)
