"""Every list is a page: ``{count, next, previous, items}``, ``limit`` 1..500 (default 50) and
``offset``, in a stable order, with links that keep the filters."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from sharedpurpose.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, page_of
from sharedpurpose.programmes.models import Programme
from tests.factories import ProgrammeFactory, RoundFactory

from .helpers_read import fields, names, ok, problem

pytestmark = pytest.mark.django_db


def test_pages_link_to_their_neighbours_and_count_everything(client: Client) -> None:
    for letter in "ABCDEFG":
        ProgrammeFactory.create(name=f"Programme {letter}", slug=f"p-{letter.lower()}")

    first = ok(client.get("/api/v1/programmes?limit=3"))
    middle = ok(client.get(first["next"]))
    last = ok(client.get(middle["next"]))

    assert first["count"] == middle["count"] == last["count"] == 7
    assert names(first) == ["p-a", "p-b", "p-c"]
    assert names(middle) == ["p-d", "p-e", "p-f"]
    assert names(last) == ["p-g"]
    assert first["previous"] is None and last["next"] is None
    assert first["next"] == "http://testserver/api/v1/programmes?limit=3&offset=3"
    assert middle["previous"] == "http://testserver/api/v1/programmes?limit=3"
    assert ok(client.get(last["previous"])) == middle


def test_links_keep_the_filters(client: Client) -> None:
    programme = ProgrammeFactory.create(slug="closing-the-gap")
    for _ in range(3):
        RoundFactory.create(programme=programme)
    RoundFactory.create()  # another programme's round

    page = ok(client.get("/api/v1/rounds?programme=closing-the-gap&limit=2"))

    assert page["count"] == 3
    assert page["next"] == (
        "http://testserver/api/v1/rounds?limit=2&offset=2&programme=closing-the-gap"
    )
    assert ok(client.get(page["next"]))["count"] == 3


def test_rows_with_equal_sort_keys_never_move_between_pages(client: Client) -> None:
    twins = [ProgrammeFactory.create(name="Same name") for _ in range(5)]

    seen = [ok(client.get(f"/api/v1/programmes?limit=2&offset={o}")) for o in (0, 2, 4)]

    assert [slug for page in seen for slug in names(page)] == [p.slug for p in twins]


def test_the_default_page_is_fifty_and_a_page_can_hold_five_hundred(client: Client) -> None:
    Programme.objects.bulk_create(
        Programme(slug=f"p-{i:03}", name=f"P {i:03}", summary=".", is_published=True)
        for i in range(DEFAULT_LIMIT + 1)
    )

    default = ok(client.get("/api/v1/programmes"))
    everything = ok(client.get(f"/api/v1/programmes?limit={MAX_LIMIT}"))

    assert len(default["items"]) == DEFAULT_LIMIT and default["next"] is not None
    assert len(everything["items"]) == DEFAULT_LIMIT + 1 and everything["next"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        (f"limit={MAX_LIMIT + 1}", "limit"),
        ("offset=-1", "offset"),
        (f"offset={MAX_OFFSET + 1}", "offset"),
    ],
)
def test_limits_outside_their_bounds_are_refused_by_name(
    client: Client, query: str, field: str
) -> None:
    body = problem(client.get(f"/api/v1/programmes?{query}"), 422)

    assert fields(body) == {field: f"query:{field}"}


def test_an_offset_past_the_end_is_an_empty_page(client: Client) -> None:
    ProgrammeFactory.create()

    page = ok(client.get("/api/v1/programmes?offset=10"))

    assert page["count"] == 1 and page["items"] == [] and page["next"] is None
    assert page["previous"] == "http://testserver/api/v1/programmes?limit=50"


def test_page_of_pages_a_plain_list_too(rf: RequestFactory) -> None:
    request = rf.get("/api/v1/things", {"limit": "2", "offset": "2"})

    page = page_of(request, list(range(5)), limit=2, offset=2)

    assert (page.count, page.items) == (5, [2, 3])
    assert page.next == "http://testserver/api/v1/things?limit=2&offset=4"
    assert page.previous == "http://testserver/api/v1/things?limit=2"
