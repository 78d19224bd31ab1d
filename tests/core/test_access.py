"""Every page needs sign-in unless it is listed here as public."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC_NAMES = {
    "core:home",
    "core:healthz",
    "improvement:team",
    "programmes:programme_list",
    "programmes:programme",
    "programmes:round",
    "programmes:feed",
    "programmes:programme_feed",
    # Anyone may comment, ask, sign up and manage what they gave us; the personal-data pages
    # are reached through signed links instead of an account.
    "engagement:comment_post",
    "engagement:comment_report",
    "engagement:my_comments_request",
    "engagement:my_comments",
    "engagement:my_comments_export",
    "engagement:my_comments_erase",
    "engagement:subscribe",
    "engagement:subscribe_done",
    "engagement:subscribe_confirm",
    "engagement:unsubscribe",
    "engagement:preferences",
    "engagement:preferences_export",
    "engagement:preferences_erase",
    # The evidence base and its case studies are published for everyone.
    "evidence:interventions",
    "evidence:rules",
    "evidence:intervention",
    "evidence:programme",
    "evidence:programme_export",
    "evidence:case_studies",
    "evidence:case_study",
}
# django-allauth's own pages (sign in, sign up, reset), the admin and the API (401 problem
# details, tested in tests/api) guard themselves.
SELF_GUARDED_PREFIXES = ("accounts/", "admin/", "api/")


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
        routes.append((route, name))
    return routes


def test_the_inventory_finds_private_pages() -> None:
    names = {name for _, name in _private_routes()}
    assert {
        "improvement:my_teams",
        "programmes:manage_home",
        "engagement:moderation_queue",
    } <= names


def test_every_public_name_exists() -> None:
    names = {name for _, name in _named_patterns(get_resolver())}
    assert names >= PUBLIC_NAMES


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name"), _private_routes())
def test_private_pages_send_anonymous_visitors_to_sign_in(
    client: Client, route: str, name: str
) -> None:
    path = "/" + re.sub(r"<(?:slug|str):\w+>", "any", re.sub(r"<int:\w+>", "1", route))

    # GET-only pages and POST-only actions alike: never served, always sent to sign in.
    responses = [client.get(path), client.post(path)]

    assert all(r.status_code in {302, 405} for r in responses), name
    redirects = [r for r in responses if r.status_code == 302]
    assert redirects, name
    assert all(r["Location"].startswith("/accounts/login/") for r in redirects), name
