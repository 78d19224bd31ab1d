from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from sharedpurpose.programmes.models import Announcement, RoundState
from tests.factories import ProgrammeFactory, RoundFactory, TeamFactory

from .factories_rounds import round_with_dates_create

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


@pytest.mark.parametrize(
    ("state", "sentence"),
    [
        (RoundState.ANNOUNCED, "Opening soon: applications open at 9am, 1 February 2027"),
        (RoundState.OPEN, "Open for applications until 5pm, 14 March 2027 (Europe/London)."),
        (RoundState.CLOSED, "Closed for applications."),
    ],
)
def test_round_page_states_its_status_and_key_dates_in_its_timezone(
    client: Client, state: RoundState, sentence: str
) -> None:
    round_ = round_with_dates_create(state=state)

    html = client.get(round_.get_absolute_url()).content.decode()

    assert sentence in html
    assert "5pm, 14 March 2027 (Europe/London)" in html
    assert "September 2027 to August 2029" in html


def test_key_dates_follow_the_rounds_own_timezone(client: Client) -> None:
    round_ = round_with_dates_create(state=RoundState.OPEN, timezone="America/New_York")

    html = client.get(round_.get_absolute_url()).content.decode()

    assert "1pm, 14 March 2027 (America/New_York)" in html  # EDT from 14 March 2027


def test_programme_page_lists_announcements_newest_first(client: Client) -> None:
    programme = ProgrammeFactory.create()
    now = timezone.now()
    Announcement.objects.create(
        programme=programme, title="Older", body="b", published_at=now - timedelta(days=2)
    )
    Announcement.objects.create(programme=programme, title="Newer", body="*b*", published_at=now)

    html = client.get(programme.get_absolute_url()).content.decode()

    assert html.index("Newer") < html.index("Older")
    assert "<em>b</em>" in html
    feed = f"/programmes/{programme.slug}/feed.atom"
    assert f'href="{feed}"' in html.split("</head>", 1)[0]


@pytest.mark.parametrize("page", ["list", "programme", "round"])
def test_public_pages_carry_an_open_graph_description(client: Client, page: str) -> None:
    round_ = round_with_dates_create(state=RoundState.OPEN, summary="The third round.")
    programme = round_.programme
    path = {
        "list": "/programmes/",
        "programme": programme.get_absolute_url(),
        "round": round_.get_absolute_url(),
    }[page]

    head = client.get(path).content.decode().split("</head>", 1)[0]

    assert '<meta property="og:description" content="' in head
    assert '<meta name="description" content="' in head
    assert "<title>" in head
