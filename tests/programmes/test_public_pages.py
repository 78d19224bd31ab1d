from __future__ import annotations

import pytest
from django.test import Client

from sharedpurpose.programmes.models import RoundState
from tests.factories import ProgrammeFactory, RoundFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_round_page_shows_aims_and_published_teams(client: Client) -> None:
    round_ = RoundFactory.create(
        name="Shared Purpose", aims=["raise awareness"], body="**Bold** text"
    )
    TeamFactory.create(round=round_, name="Published team")
    TeamFactory.create(round=round_, name="Hidden team", is_published=False)

    html = client.get(round_.get_absolute_url()).content.decode()

    assert "<h1>Shared Purpose</h1>" in html
    assert "raise awareness" in html
    assert "<strong>Bold</strong>" in html
    assert "Published team" in html
    assert "Hidden team" not in html


def test_draft_rounds_and_unpublished_programmes_are_not_public(client: Client) -> None:
    draft = RoundFactory.create(state=RoundState.DRAFT)
    hidden = RoundFactory.create(programme=ProgrammeFactory.create(is_published=False))

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(hidden.programme.get_absolute_url()).status_code == 404
    assert draft.name not in client.get(draft.programme.get_absolute_url()).content.decode()


def test_pages_have_titles_descriptions_and_open_graph_tags(client: Client) -> None:
    round_ = RoundFactory.create(name="Shared Purpose", summary="The third round.")

    html = client.get(round_.get_absolute_url()).content.decode()

    assert f"<title>Shared Purpose – {round_.programme.name} – Shared Purpose</title>" in html
    assert '<meta name="description" content="The third round.">' in html
    assert '<meta property="og:title" content="Shared Purpose">' in html


def test_round_body_cannot_inject_script(client: Client) -> None:
    round_ = RoundFactory.create(body="<script>alert('x')</script>")

    html = client.get(round_.get_absolute_url()).content.decode()

    assert "alert('x')" not in html.split("<main", 1)[1]
