"""The project's URLs plus ``/bench/minimal/``, the cheapest response Django can give."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from sharedpurpose.config.urls import urlpatterns as project_urlpatterns


def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    *project_urlpatterns,
]
