"""The catalogue through the API: staff of one programme read its unpublished page and draft
rounds, and of every other programme only what the public reads."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from sharedpurpose.accounts.models import User
from sharedpurpose.programmes.models import Programme, Round, RoundState
from tests.factories import ProgrammeFactory, RoundFactory
from tests.programmes.factories_staff import programme_staff_create

from .conftest import TokenFor, bearer
from .helpers_read import names, ok, problem

pytestmark = pytest.mark.django_db


@dataclass
class Catalogue:
    published: Programme
    published_open: Round
    published_draft: Round
    ours: Programme
    ours_draft: Round
    theirs: Programme
    theirs_draft: Round
    staff_of_ours: User


def _unpublished(slug: str) -> Programme:
    programme: Programme = ProgrammeFactory.create(slug=slug, name=slug.title())
    programme.is_published = False
    programme.save()
    return programme


@pytest.fixture
def catalogue() -> Catalogue:
    published = ProgrammeFactory.create(slug="alder", name="Alder")
    ours = _unpublished("birch")
    theirs = _unpublished("cedar")
    return Catalogue(
        published=published,
        published_open=RoundFactory.create(programme=published, number=1, state=RoundState.OPEN),
        published_draft=RoundFactory.create(programme=published, number=2, state=RoundState.DRAFT),
        ours=ours,
        ours_draft=RoundFactory.create(programme=ours, state=RoundState.DRAFT),
        theirs=theirs,
        theirs_draft=RoundFactory.create(programme=theirs, state=RoundState.DRAFT),
        staff_of_ours=programme_staff_create(ours),
    )


def _rounds(page: dict[str, object], slug: str) -> list[int]:
    items = page["items"]
    assert isinstance(items, list)
    programme = next(item for item in items if item["slug"] == slug)
    return [round_["id"] for round_ in programme["rounds"]]


@pytest.mark.parametrize("signed_in_with", ["session", "token"])
def test_staff_of_one_programme_read_its_drafts_and_only_the_public_view_of_others(
    client: Client, token_for: TokenFor, catalogue: Catalogue, signed_in_with: str
) -> None:
    headers: dict[str, str] = {}
    if signed_in_with == "session":
        client.force_login(catalogue.staff_of_ours)
    else:
        headers = bearer(token_for(catalogue.staff_of_ours, scope="read"))

    page = ok(client.get("/api/v1/programmes", headers=headers))

    assert names(page) == ["alder", "birch"]
    assert _rounds(page, "alder") == [catalogue.published_open.pk]
    assert _rounds(page, "birch") == [catalogue.ours_draft.pk]
    assert ok(client.get("/api/v1/programmes/birch", headers=headers))["is_published"] is False
    problem(client.get("/api/v1/programmes/cedar", headers=headers), 404)


def test_draft_rounds_of_other_programmes_are_not_found_by_staff_of_one(
    client: Client, catalogue: Catalogue
) -> None:
    client.force_login(catalogue.staff_of_ours)

    assert ok(client.get(f"/api/v1/rounds/{catalogue.ours_draft.pk}"))["state"] == "draft"
    for hidden in (catalogue.published_draft, catalogue.theirs_draft):
        problem(client.get(f"/api/v1/rounds/{hidden.pk}"), 404)
    listed = ok(client.get("/api/v1/rounds"))
    assert sorted(names(listed, "id")) == sorted(
        [catalogue.published_open.pk, catalogue.ours_draft.pk]
    )
    assert ok(client.get("/api/v1/rounds?programme=cedar"))["count"] == 0


def test_staff_of_a_published_programme_read_its_draft_rounds_too(
    client: Client, catalogue: Catalogue
) -> None:
    client.force_login(programme_staff_create(catalogue.published))

    page = ok(client.get("/api/v1/programmes"))

    assert names(page) == ["alder"]
    assert _rounds(page, "alder") == [catalogue.published_open.pk, catalogue.published_draft.pk]
    assert ok(client.get(f"/api/v1/rounds/{catalogue.published_draft.pk}"))["state"] == "draft"
    problem(client.get(f"/api/v1/rounds/{catalogue.ours_draft.pk}"), 404)
