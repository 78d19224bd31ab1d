"""Programmes and rounds: the public sees what the public pages show; staff see drafts too."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.test import Client

from sharedpurpose.accounts.models import User
from sharedpurpose.programmes.models import Programme, Round, RoundState
from tests.factories import ProgrammeFactory, RoundFactory

from .conftest import TokenFor, bearer
from .helpers_read import names, ok, problem, queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def published() -> Programme:
    programme = ProgrammeFactory.create(slug="closing-the-gap", name="Closing the Gap")
    RoundFactory.create(
        programme=programme,
        number=1,
        slug="first",
        name="First round",
        aims=["Fewer falls", "Shorter waits"],
        state=RoundState.OPEN,
        timezone="Europe/London",
        applications_open_at=datetime(2025, 1, 6, 9, tzinfo=UTC),
        applications_close_at=datetime(2025, 3, 3, 17, tzinfo=UTC),
        delivery_starts_on=date(2025, 6, 1),
        delivery_ends_on=date(2026, 5, 31),
    )
    RoundFactory.create(programme=programme, number=2, slug="second", state=RoundState.DRAFT)
    return programme


@pytest.fixture
def unpublished() -> Programme:
    programme = ProgrammeFactory.create(slug="in-preparation", name="In preparation")
    programme.is_published = False
    programme.save()
    RoundFactory.create(programme=programme, state=RoundState.OPEN)
    return programme


def _round(programme: Programme, slug: str) -> Round:
    return programme.rounds.get(slug=slug)


def test_the_public_reads_published_programmes_with_their_public_rounds(
    client: Client, published: Programme, unpublished: Programme
) -> None:
    page = ok(client.get("/api/v1/programmes"))

    assert names(page) == ["closing-the-gap"]
    programme = page["items"][0]
    assert programme["name"] == "Closing the Gap" and programme["is_published"] is True
    assert [r["slug"] for r in programme["rounds"]] == ["first"]  # the draft stays hidden
    assert programme["web_url"] == "http://testserver/programmes/closing-the-gap/"
    assert ok(client.get("/api/v1/programmes/closing-the-gap")) == programme


def test_an_unpublished_programme_is_not_found_by_the_public(
    client: Client, unpublished: Programme
) -> None:
    problem(client.get("/api/v1/programmes/in-preparation"), 404)


def test_staff_read_unpublished_programmes_and_draft_rounds(
    client: Client, staff: User, published: Programme, unpublished: Programme
) -> None:
    client.force_login(staff)

    page = ok(client.get("/api/v1/programmes"))

    assert names(page) == ["closing-the-gap", "in-preparation"]
    assert [r["slug"] for r in page["items"][0]["rounds"]] == ["first", "second"]
    assert ok(client.get("/api/v1/programmes/in-preparation"))["is_published"] is False


def test_staff_tokens_see_what_staff_see(
    client: Client, staff: User, token_for: TokenFor, unpublished: Programme
) -> None:
    text = token_for(staff, scope="read")

    assert names(ok(client.get("/api/v1/programmes", headers=bearer(text)))) == ["in-preparation"]


def test_a_round_reads_as_its_public_page_does(client: Client, published: Programme) -> None:
    first = _round(published, "first")

    found = ok(client.get(f"/api/v1/rounds/{first.pk}"))

    assert found == {
        "id": first.pk,
        "programme": "closing-the-gap",
        "number": 1,
        "slug": "first",
        "name": "First round",
        "summary": "A round.",
        "aims": ["Fewer falls", "Shorter waits"],
        "state": "open",
        "state_label": "Open for applications",
        "timezone": "Europe/London",
        "applications_open_at": "2025-01-06T09:00:00Z",
        "applications_close_at": "2025-03-03T17:00:00Z",
        "delivery_starts_on": "2025-06-01",
        "delivery_ends_on": "2026-05-31",
        "web_url": "http://testserver/programmes/closing-the-gap/first/",
    }


def test_rounds_list_public_rounds_of_published_programmes(
    client: Client, published: Programme, unpublished: Programme
) -> None:
    other = RoundFactory.create(state=RoundState.COMPLETE)

    everything = ok(client.get("/api/v1/rounds"))
    one = ok(client.get("/api/v1/rounds?programme=closing-the-gap"))

    assert sorted(names(everything, "id")) == sorted([_round(published, "first").pk, other.pk])
    assert names(one) == ["first"]
    assert ok(client.get("/api/v1/rounds?programme=in-preparation"))["count"] == 0


def test_draft_rounds_are_not_found_by_the_public_but_are_by_staff(
    client: Client, staff: User, published: Programme, unpublished: Programme
) -> None:
    draft = _round(published, "second")
    hidden = unpublished.rounds.get()

    problem(client.get(f"/api/v1/rounds/{draft.pk}"), 404)
    problem(client.get(f"/api/v1/rounds/{hidden.pk}"), 404)

    client.force_login(staff)
    assert ok(client.get(f"/api/v1/rounds/{draft.pk}"))["state"] == "draft"
    assert ok(client.get("/api/v1/rounds?programme=closing-the-gap"))["count"] == 2


def test_a_bad_token_is_refused_even_where_the_public_may_read(
    client: Client, published: Programme
) -> None:
    response = client.get("/api/v1/programmes", headers=bearer("sp_nope_nope"))

    problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_round_id_is_a_problem(client: Client) -> None:
    problem(client.get("/api/v1/rounds/999999"), 404)
    problem(client.get("/api/v1/rounds/first"), 422)


def test_lists_cost_the_same_queries_however_long_they_are(
    client: Client, published: Programme
) -> None:
    few = [queries_for(client, url) for url in ("/api/v1/programmes", "/api/v1/rounds")]
    for _ in range(4):
        RoundFactory.create(state=RoundState.OPEN)

    assert [queries_for(client, url) for url in ("/api/v1/programmes", "/api/v1/rounds")] == few
