"""One error format for every failure: RFC 9457 problem details.

Every error the API returns is ``application/problem+json`` with ``type``, ``title``,
``status`` and ``detail``; validation errors add ``errors``, each naming the field by its path
(``points.3.period``) and as a JSON pointer into the request body (``#/points/3/period``).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from sharedpurpose.core.middleware import DATABASE_UNAVAILABLE_DETAIL, RETRY_AFTER_SECONDS

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Too large",
    422: "Invalid input",
    429: "Too many requests",
    500: "Server error",
}


class FieldProblem(Schema):
    field: str
    pointer: str
    detail: str


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None


#: Declared on every operation so the schema documents the errors it can return.
PROBLEM_RESPONSES: dict[int, type[Problem]] = {
    status: Problem for status in (400, 401, 403, 404, 422, 429)
}


def problem_response(
    status: int,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field(location: list[Any]) -> dict[str, str]:
    # Ninja prefixes the part of the request: body, query, path, header, cookie.
    parts = [str(p) for p in location]
    inside = parts[1:] if parts and parts[0] in {"body", "query", "path", "header"} else parts
    if parts and parts[0] == "body" and len(inside) > 1 and inside[0] == "payload":
        inside = inside[1:]
    where = parts[0] if parts else "body"
    return {
        "field": ".".join(inside) or where,
        "pointer": "#/" + "/".join(inside) if where == "body" else f"{where}:{'.'.join(inside)}",
    }


def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {**_field(list(error.get("loc", []))), "detail": str(error.get("msg", "Invalid value"))}
        for error in exc.errors
    ]
    count = len(errors)
    return problem_response(
        422, f"{count} field{'s are' if count != 1 else ' is'} not valid.", errors=errors
    )


def _service_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": name, "pointer": f"#/{name}", "detail": message}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
        return problem_response(422, "The request could not be applied.", errors=errors)
    return problem_response(422, " ".join(exc.messages))


def _authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = str(exc.message) if getattr(exc, "message", "") else "Send a valid API token."
    if detail == "Unauthorized":
        detail = "Sign in or send an API token: Authorization: Bearer sp_…"
    return problem_response(401, detail, headers={"WWW-Authenticate": 'Bearer realm="api"'})


def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    wait = int(exc.wait) + 1 if exc.wait else 60
    return problem_response(
        429,
        f"Too many requests from this token or address; try again in {wait} seconds.",
        headers={"Retry-After": str(wait)},
    )


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(exc.status_code, str(exc.message))


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(404, str(exc) or "Not found.")


def _denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem_response(403, str(exc) or "You may not do this.")


def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return problem_response(413, "The request body is too large; send it in smaller parts.")


def _database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("database unavailable", exc_info=exc, extra={"path": request.path})
    return problem_response(
        503, DATABASE_UNAVAILABLE_DETAIL, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error", exc_info=exc)
    return problem_response(500, "Something went wrong on our side; nothing was changed.")


class ApiProblemMiddleware:
    """Answers under /api/ that never reached an operation (an unknown path, a method the path
    does not have) are problem details too, like every other API error."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code in (404, 405)
            and response.get("Content-Type", "") != PROBLEM_CONTENT_TYPE
        ):
            if response.status_code == 404:
                return problem_response(404, f"There is no API resource at {request.path}.")
            allowed = response.get("Allow", "")
            return problem_response(
                405,
                f"{request.method} is not allowed here; use {allowed or 'another method'}.",
                headers={"Allow": allowed} if allowed else None,
            )
        return response


HANDLERS: list[tuple[type[Exception], Any]] = [
    (NinjaValidationError, _validation),
    (DjangoValidationError, _service_validation),
    (AuthenticationError, _authentication),
    (Throttled, _throttled),
    (HttpError, _http_error),
    (Http404, _not_found),
    (PermissionDenied, _denied),
    (RequestDataTooBig, _too_big),
    (OperationalError, _database_unavailable),
    (InterfaceError, _database_unavailable),
    (Exception, _unexpected),
]
