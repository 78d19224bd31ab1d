"""Every page needs sign-in unless it is listed here as public."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC_NAMESPACES = {"programmes"}
PUBLIC_NAMES = {
    "core:home",
    "core:healthz",
    "improvement:team",
}
# django-allauth's own pages (sign in, sign up, reset) and the admin guard themselves.
SELF_GUARDED_PREFIXES = ("accounts/", "admin/")


def _named_patterns(
    resolver: URLResolver, prefix: str = "", namespace: str = ""
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            found.extend(_named_patterns(entry, route, ns))
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            found.append((route, name))
    return found


def _private_routes() -> list[tuple[str, str]]:
    routes = []
    for route, name in _named_patterns(get_resolver()):
        if route.startswith(SELF_GUARDED_PREFIXES) or name in PUBLIC_NAMES:
            continue
        if name.split(":")[0] in PUBLIC_NAMESPACES:
            continue
        routes.append((route, name))
    return routes


def test_the_inventory_finds_private_pages() -> None:
    assert ("teams/", "improvement:my_teams") in _private_routes()


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name"), _private_routes())
def test_private_pages_send_anonymous_visitors_to_sign_in(
    client: Client, route: str, name: str
) -> None:
    path = "/" + re.sub(r"<(?:slug|str):\w+>", "any", re.sub(r"<int:\w+>", "1", route))

    response = client.get(path)

    assert response.status_code == 302, name
    assert response["Location"].startswith("/accounts/login/")
