from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from whitenoise.middleware import WhiteNoiseMiddleware

logger = logging.getLogger("sharedpurpose.requests")
database_logger = logging.getLogger("sharedpurpose.database")

#: What a client is told to wait before trying again while the database is unreachable.
RETRY_AFTER_SECONDS = 60
DATABASE_UNAVAILABLE_DETAIL = (
    "The service cannot reach its database at the moment; nothing was saved. Try again soon."
)


class StaticAssetsMiddleware(WhiteNoiseMiddleware):  # type: ignore[misc]
    """WhiteNoise, plus the NHS.UK frontend images at ``/assets/``.

    The compiled NHS.UK stylesheet refers to its icons by the absolute path
    ``/assets/images/…``, so that folder is served there as well as under /static/.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse] | None = None) -> None:
        super().__init__(get_response)
        assets = settings.NHSUK_FRONTEND_DIR / "assets"
        if assets.is_dir():
            self.add_files(str(assets), prefix="assets/")


class RequestLogMiddleware:
    """One structured log line per request: method, path, status and duration."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response


class DatabaseUnavailableMiddleware:
    """When the database cannot be reached, every page answers 503 "service unavailable".

    The page is rendered without a request context, so nothing on it needs the database
    (not even who is signed in), and it tells people that nothing was saved and to try
    again. The request's transaction never began or is rolled back, so a form posted during
    an outage writes nothing. Once the database is back the next request reconnects.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        database_logger.error(
            "database unavailable",
            exc_info=exception,
            extra={"method": request.method, "path": request.path},
        )
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {
                    "type": "about:blank",
                    "title": "Service unavailable",
                    "status": 503,
                    "detail": DATABASE_UNAVAILABLE_DETAIL,
                },
                status=503,
                content_type="application/problem+json",
            )
        else:
            html = render_to_string(
                "503.html",
                {
                    "site_name": settings.SHAREDPURPOSE_SITE_NAME,
                    "funder_name": settings.SHAREDPURPOSE_FUNDER_NAME,
                    "retry_url": request.get_full_path(),
                    "retry_after_minutes": RETRY_AFTER_SECONDS // 60,
                },
            )
            response = HttpResponse(html, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        add_never_cache_headers(response)
        return response
