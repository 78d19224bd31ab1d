"""The versioned REST API: ``/api/v1/``, its OpenAPI schema at ``/api/openapi.json`` and
browsable documentation at ``/api/docs``, all generated from the code below and the routers.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import NinjaAPI, Swagger
from ninja.throttling import AuthRateThrottle

from .auth import SIGNED_IN
from .problems import HANDLERS, PROBLEM_CONTENT_TYPE
from .routers import catalogue, evidence, points, spc, subscriptions, teams

DESCRIPTION = """
Push measures from your data warehouse and read back the same SPC results the web pages show.

**Authentication.** Send a personal API token, created on your account's *API tokens* page:
`Authorization: Bearer sp_…`. A token is read-only or read-write, limited to the teams you chose,
and expires. A browser signed in to the site may also call the API (with the CSRF token for
changes). Public data (programmes, rounds, published evidence, signing up to stay informed) needs
no token.

**Errors** are RFC 9457 problem details (`application/problem+json`); invalid input lists each
field by its path and as a JSON pointer into the request body.

**Rate limits** apply per token (or per address without one): `429` with `Retry-After` when
exceeded.
"""


class SharedPurposeApi(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Errors are documented as ``application/problem+json``, as they are sent."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if str(status).startswith(("4", "5")) and "application/json" in content:
                        response["content"] = {PROBLEM_CONTENT_TYPE: content["application/json"]}
        return schema


class TokenRateThrottle(AuthRateThrottle):
    """Requests per token (per user for browser sessions, per address for the public)."""

    def __init__(self) -> None:
        super().__init__(settings.SHAREDPURPOSE_API_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        # Read the rate on each request, so a deployment or a test can change it.
        if self.rate != settings.SHAREDPURPOSE_API_RATE:
            self.rate = settings.SHAREDPURPOSE_API_RATE
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return bool(super().allow_request(request))


api = SharedPurposeApi(
    title="Shared Purpose API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Without deep links, an operation's path is not a link nested inside its toggle button.
    docs=Swagger(settings={"deepLinking": False}),
    # Secure by default: an operation that does not name who may call it needs a token or a
    # signed-in session. (It also makes the docs page send the CSRF token with "Try it out".)
    auth=SIGNED_IN,
    throttle=[TokenRateThrottle()],
)

for exception, handler in HANDLERS:
    api.add_exception_handler(exception, handler)

api.add_router("/v1/", catalogue.router)
api.add_router("/v1/", teams.router)
api.add_router("/v1/", points.router)
api.add_router("/v1/", spc.router)
api.add_router("/v1/", evidence.router)
api.add_router("/v1/", subscriptions.router)


def api_base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/api/v1/")
