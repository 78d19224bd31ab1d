from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from sharedpurpose.programmes.selectors import programmes_public

from .health import database_is_reachable


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"programmes": programmes_public()})


@never_cache
@require_safe
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> JsonResponse:
    if database_is_reachable():
        return JsonResponse({"status": "ok", "database": "ok"})
    return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
