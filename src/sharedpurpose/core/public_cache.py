"""Whole-page caching of public pages for anonymous visitors.

Programme and round pages are read far more often than they change, and most readers are not
signed in. Their HTML is cached under a key that names everything the page shows (the caller's
``fingerprint``), so any change produces a new key and no reader sees a stale page; a short
timeout bounds anything the fingerprint does not cover. Forms on these pages still get each
reader's own CSRF token: the cached HTML holds a placeholder that is swapped for the reader's
token on every response.

Under heavy reading, :func:`public_page` also answers repeat requests for the same address from
the last rendering for up to ``RECENT_SECONDS`` without asking the database for the fingerprint,
so an anonymous reader may see a change up to that many seconds late. People who just posted
(a message cookie), signed-in people and staff always get a fresh page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Mapping
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

#: How long a cached page may be served; the fingerprint already changes with its content.
PUBLIC_PAGE_SECONDS = 300
#: How long the last rendering of an address answers without a fingerprint check.
RECENT_SECONDS = 2
CSRF_PLACEHOLDER = "sp-csrf-token-placeholder-7f3c9a"

View = Callable[..., HttpResponse]


def public_page_cacheable(request: HttpRequest) -> bool:
    """Only identical pages are shared: anonymous GETs without messages or a session."""
    return (
        request.method in {"GET", "HEAD"}
        and not request.GET
        and not request.user.is_authenticated
        and "messages" not in request.COOKIES
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def render_public_page(
    request: HttpRequest,
    template_name: str,
    context: Mapping[str, Any],
    *,
    fingerprint: tuple[Hashable, ...],
) -> HttpResponse:
    if not public_page_cacheable(request):
        return HttpResponse(render_to_string(template_name, dict(context), request))
    digest = hashlib.sha256(repr((request.path, fingerprint)).encode()).hexdigest()
    key = f"public-page:{digest}"
    html: str | None = caches["pages"].get(key)
    if html is None:
        html = render_to_string(template_name, {**context, "csrf_token": CSRF_PLACEHOLDER}, request)
        caches["pages"].set(key, html, PUBLIC_PAGE_SECONDS)
    caches["pages"].set(_recent_key(request), html, RECENT_SECONDS)
    return _with_reader_token(request, html)


def public_page(view: View) -> View:
    """Serve a public page's last rendering to anonymous readers for ``RECENT_SECONDS``."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if public_page_cacheable(request):
            html: str | None = caches["pages"].get(_recent_key(request))
            if html is not None:
                return _with_reader_token(request, html)
        return view(request, *args, **kwargs)

    return wrapped


def _recent_key(request: HttpRequest) -> str:
    return "public-page-recent:" + hashlib.sha256(request.path.encode()).hexdigest()


def _with_reader_token(request: HttpRequest, html: str) -> HttpResponse:
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))
