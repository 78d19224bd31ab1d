from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from whitenoise.middleware import WhiteNoiseMiddleware

logger = logging.getLogger("sharedpurpose.requests")


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
