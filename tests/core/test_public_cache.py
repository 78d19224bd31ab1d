"""Public pages are cached for anonymous readers without going stale or sharing CSRF tokens."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sharedpurpose.core import public_cache
from sharedpurpose.engagement.models import Comment, EngagementSettings
from tests.factories import RoundFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def no_recent_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(public_cache, "RECENT_SECONDS", 0)


def test_a_new_published_comment_shows_on_the_next_anonymous_read(no_recent_window: None) -> None:
    round_ = RoundFactory.create()
    reader = Client()
    assert "First reader's note" not in reader.get(round_.get_absolute_url()).content.decode()

    Comment.objects.create(
        programme=round_.programme,
        round=round_,
        author_name="Sam",
        author_email="sam@example.org",
        body="First reader's note",
        status=Comment.Status.PUBLISHED,
    )

    assert "First reader's note" in reader.get(round_.get_absolute_url()).content.decode()


def test_each_reader_gets_their_own_csrf_token_and_can_post(settings: Any) -> None:
    EngagementSettings.objects.update_or_create(
        pk=1, defaults={"comment_moderation": EngagementSettings.Moderation.POST}
    )
    round_ = RoundFactory.create()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)

    first_page = first.get(round_.get_absolute_url()).content.decode()
    second_page = second.get(round_.get_absolute_url()).content.decode()

    assert public_cache.CSRF_PLACEHOLDER not in first_page + second_page
    first_token = TOKEN.search(first_page)
    second_token = TOKEN.search(second_page)
    assert first_token and second_token
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    response = second.post(
        "/comments/post/",
        {
            "csrfmiddlewaretoken": second_token.group(1),
            "programme": round_.programme.pk,
            "round": round_.pk,
            "author_name": "Pat",
            "author_email": "pat@example.org",
            "body": "Posted from a cached page",
        },
    )
    assert response.status_code == 302
    assert Comment.objects.filter(body="Posted from a cached page").exists()


def test_signed_in_people_are_never_served_the_anonymous_page() -> None:
    round_ = RoundFactory.create()
    Client().get(round_.get_absolute_url())
    member = Client()
    member.force_login(UserFactory.create(full_name="Dana Reader"))

    html = member.get(round_.get_absolute_url()).content.decode()

    assert "Signed in as Dana Reader" in html


def test_repeat_anonymous_reads_are_served_without_reading_the_database() -> None:
    round_ = RoundFactory.create()
    reader = Client()
    reader.get(round_.get_absolute_url())

    with CaptureQueriesContext(connection) as queries:
        response = reader.get(round_.get_absolute_url())

    # Only the per-request transaction's savepoints remain (ATOMIC_REQUESTS).
    assert [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]] == []
    assert round_.name in response.content.decode()
