"""The database going away under a running server: every page says the service is
unavailable (503) instead of failing, nothing posted meanwhile is stored, and the same server
answers normally, writes included, once the database is back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client

from sharedpurpose.engagement.models import Comment
from sharedpurpose.improvement.models import TeamMembership
from tests.factories import MembershipFactory, ProgrammeFactory

from .browser import Answer, Browser
from .outage import TcpProxy, sqlite_file_unreachable
from .processes import Server, database_url, free_port, session_cookies

UNAVAILABLE = "Sorry, the service is unavailable"


@contextmanager
def _server(tmp_path: Path) -> Iterator[tuple[Server, AbstractContextManager[None]]]:
    """A server whose database the test can take away: the context manager it yields is the
    outage."""
    if connection.vendor == "sqlite":
        outage: AbstractContextManager[None] = sqlite_file_unreachable()
        server = Server(tmp_path, port=free_port())
    else:
        settings_dict = connection.settings_dict
        proxy = TcpProxy(
            port=free_port(),
            upstream=(settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432)),
        ).start()
        upstream = f"{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}"
        proxied = database_url().replace(upstream, f"127.0.0.1:{proxy.port}")
        server = Server(tmp_path, port=free_port(), DATABASE_URL=proxied)

        @contextmanager
        def proxy_stopped() -> Iterator[None]:
            proxy.stop()
            try:
                yield
            finally:
                proxy.start()

        outage = proxy_stopped()
    try:
        server.wait_ready()
        yield server, outage
    finally:
        server.stop()
        if connection.vendor != "sqlite":
            proxy.stop()


def _assert_unavailable_page(answer: Answer) -> None:
    assert answer.status == 503, answer.text[-2000:]
    assert UNAVAILABLE in answer.text
    assert "it has not been saved" in answer.text
    assert "Try again" in answer.text
    assert 'class="nhsuk-header"' in answer.text  # the site's own layout
    for leak in ("Traceback", "OperationalError", "sqlite", "psycopg"):
        assert leak not in answer.text


@pytest.mark.django_db(transaction=True)
def test_pages_say_the_service_is_unavailable_until_the_database_is_back(
    tmp_path: Path,
) -> None:
    member = MembershipFactory.create(role=TeamMembership.Role.MEMBER)
    programme = ProgrammeFactory.create()
    comment = {
        "programme": str(programme.pk),
        "author_name": "Ada Reader",
        "author_email": "ada@example.org",
        "body": "Posted while the database was away.",
        "website": "",
    }
    pages = [
        (False, "/"),
        (True, "/teams/"),
        (True, f"/teams/{member.team.slug}/workspace/"),
        (True, programme.get_absolute_url()),
    ]

    with _server(tmp_path) as (server, outage):
        reader = Browser(server.base)
        signed_in = Browser(server.base, cookies=session_cookies(member.user))
        for needs_sign_in, path in pages:
            assert (signed_in if needs_sign_in else reader).get(path).status == 200, path

        with outage:
            health = reader.get("/healthz")
            assert health.status == 503
            assert json.loads(health.text)["database"] == "unavailable"
            for needs_sign_in, path in pages:
                _assert_unavailable_page((signed_in if needs_sign_in else reader).get(path))
            _assert_unavailable_page(reader.post("/comments/post/", comment))

        assert reader.get("/healthz").status == 200
        for needs_sign_in, path in pages:
            assert (signed_in if needs_sign_in else reader).get(path).status == 200, path
        assert not Comment.objects.exists()
        posted = reader.post("/comments/post/", comment)

    assert posted.status == 302, posted.text[-2000:]
    assert list(Comment.objects.values_list("body", flat=True)) == [comment["body"]]


@pytest.mark.django_db
def test_the_api_answers_a_problem_document_while_the_database_is_unreachable(
    client: Client,
) -> None:
    with mock.patch.object(
        transaction.Atomic, "__enter__", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/api/v1/programmes")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "60"
    assert response.json()["title"] == "Service unavailable"
