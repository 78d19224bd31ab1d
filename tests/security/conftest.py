"""The world, made once per module, and one request as one role, read for what it shows.

Every request runs inside a transaction that is rolled back, so no request (an allowed POST
that deletes, a sign-out) changes what the next one sees, and records the SQL statements that
would have written to the database.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponseBase, StreamingHttpResponse
from django.test import Client, override_settings
from pypdf import PdfReader

from .world import Canary, Role, World, may_read, world_build, world_files_remove

#: Pages that ask people to sign in: the site's and the Django admin's.
SIGN_IN_PAGES = ("/accounts/login/", "/admin/login/")


def _table(sql: str) -> str:
    found = re.match(r'\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)', sql, re.IGNORECASE)
    return found.group(1) if found else sql[:60]


def _bookkeeping(sql: str) -> bool:
    """Writes that change nothing anyone asked for: the session of the request, and the
    moment a valid API token was last used."""
    if '"django_session"' in sql:
        return True
    assignments = sql.split(" WHERE ", 1)[0]
    return assignments.startswith('UPDATE "api_apitoken" SET "last_used_at" = ') and (
        assignments.count(" = ") == 1
    )


#: The world is built before each test's own settings apply (tests/conftest.py): it gets the
#: same quick password hashing and caches in memory.
_QUICK_SERVICES: dict[str, Any] = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "CACHES": {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    },
}


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module's tests, inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), override_settings(**_QUICK_SERVICES):
        outer = transaction.atomic()
        outer.__enter__()
        built: World | None = None
        try:
            built = world_build()
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            if built is not None:
                world_files_remove(built)


class Outcome(StrEnum):
    SHOWN = "shown"  # 2xx, or a redirect anywhere but a sign-in page
    INVALID = "invalid"  # 400, 409, 410, 422: it reached the page and was refused on what it sent
    SIGN_IN = "sent to sign in"
    REFUSED = "refused"  # 401, 403, 404
    NO_METHOD = "405"
    ERROR = "server error"


@dataclass(frozen=True)
class Seen:
    """One response, as the matrix judges it."""

    role: Role
    method: str
    status: int
    location: str
    content_type: str
    text: str
    writes: tuple[str, ...]

    @property
    def outcome(self) -> Outcome:
        if self.status >= 500:
            return Outcome.ERROR
        if self.status == 405:
            return Outcome.NO_METHOD
        if self.status in {401, 403, 404}:
            return Outcome.REFUSED
        if 300 <= self.status < 400:
            return Outcome.SIGN_IN if self.location.startswith(SIGN_IN_PAGES) else Outcome.SHOWN
        if 200 <= self.status < 300:
            return Outcome.SHOWN
        return Outcome.INVALID

    @property
    def changes(self) -> list[str]:
        """The tables written to, bookkeeping aside."""
        return sorted({_table(sql) for sql in self.writes if not _bookkeeping(sql)})

    def leaks(self) -> list[Canary]:
        """Canaries shown to someone who may not read them."""
        shown = self.text.casefold()
        return [
            canary
            for canary in Canary
            if canary.value.casefold() in shown and not may_read(self.role, canary)
        ]

    def __str__(self) -> str:
        where = f" to {self.location}" if self.location else ""
        return f"{self.method} {self.status}{where}"


def _text(response: HttpResponseBase) -> str:
    # Reading a streamed response to its end closes it, as a WSGI server would.
    if isinstance(response, StreamingHttpResponse):
        content = b"".join(response.streaming_content)  # type: ignore[arg-type]
    else:
        content = response.content  # type: ignore[attr-defined]
    if response.get("Content-Type", "").startswith("application/pdf"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return bytes(content).decode("utf-8", errors="replace")


class Asker:
    """Asks as any role through one test client, so the site's middleware loads once."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.client = Client()

    def ask(
        self,
        role: Role,
        method: str,
        url: str,
        *,
        data: dict[str, str] | None = None,
        json_body: str | None = None,
        api: bool = False,
    ) -> Seen:
        """``role``'s request: the web with their session, the API with their token, each
        role from its own address as people are (rate limits count per address)."""
        client = self.client
        client.cookies = SimpleCookie()
        headers: dict[str, str] = {}
        if api:
            if role in self.world.bearers:
                headers["Authorization"] = self.world.bearers[role]
        elif role in self.world.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.world.sessions[role]
        address = f"192.0.2.{list(Role).index(role) + 1}"
        writes: list[str] = []

        def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            if sql.lstrip()[:6].upper() in {"INSERT", "UPDATE", "DELETE"}:
                writes.append(sql)
            return execute(sql, params, many, context)

        with transaction.atomic():
            with connection.execute_wrapper(record):
                if json_body is not None:
                    response = client.generic(
                        method,
                        url,
                        json_body,
                        content_type="application/json",
                        headers=headers,
                        REMOTE_ADDR=address,
                    )
                elif method == "POST":
                    response = client.post(url, data or {}, headers=headers, REMOTE_ADDR=address)
                else:
                    response = client.get(url, headers=headers, REMOTE_ADDR=address)
                text = _text(response)
            transaction.set_rollback(True)
        return Seen(
            role=role,
            method=method,
            status=response.status_code,
            location=response.get("Location", ""),
            content_type=response.get("Content-Type", ""),
            text=text,
            writes=tuple(writes),
        )


@pytest.fixture(scope="module")
def asker(world: World) -> Asker:
    return Asker(world)
