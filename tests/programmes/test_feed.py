from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sharedpurpose.programmes import services
from sharedpurpose.programmes.models import Announcement, RoundState
from tests.factories import ProgrammeFactory

from .factories_rounds import round_with_dates_create, staff_create

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _feed(client: Client, path: str) -> ET.Element:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert b'xmlns="http://www.w3.org/2005/Atom"' in response.content.split(b">", 2)[1]
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    assert root.tag == f"{ATOM}feed"
    return root


def _entry_titles(root: ET.Element) -> list[str]:
    return [entry.findtext(f"{ATOM}title", "") for entry in root.iter(f"{ATOM}entry")]


def test_opening_a_round_puts_its_announcement_in_the_feed(client: Client) -> None:
    round_ = round_with_dates_create(state=RoundState.ANNOUNCED, name="Shared Purpose")
    services.round_transition(actor=staff_create(), round_=round_, to_state=RoundState.OPEN)

    root = _feed(client, "/feed.atom")

    assert root.findtext(f"{ATOM}id")
    assert root.findtext(f"{ATOM}updated")
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    (entry,) = root.iter(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Applications open: Shared Purpose"
    link = entry.find(f"{ATOM}link")
    assert link is not None
    assert link.get("href", "").endswith(round_.get_absolute_url())
    assert entry.findtext(f"{ATOM}id")
    assert entry.findtext(f"{ATOM}updated")
    assert "14 March 2027" in entry.findtext(f"{ATOM}summary", "")


def test_feed_holds_the_twenty_newest_of_published_programmes_only(client: Client) -> None:
    programme = ProgrammeFactory.create()
    hidden = ProgrammeFactory.create(is_published=False)
    draft = round_with_dates_create(programme=programme)
    now = timezone.now()
    Announcement.objects.bulk_create(
        Announcement(
            programme=programme, title=f"News {n}", body="b", published_at=now - timedelta(days=n)
        )
        for n in range(25)
    )
    Announcement.objects.create(programme=hidden, title="Secret", body="b", published_at=now)
    Announcement.objects.create(
        programme=programme, round=draft, title="About a draft", body="b", published_at=now
    )

    titles = _entry_titles(_feed(client, reverse("programmes:feed")))

    assert titles == [f"News {n}" for n in range(20)]


def test_each_entry_has_its_own_id_and_links_to_the_programme(client: Client) -> None:
    programme = ProgrammeFactory.create()
    now = timezone.now()
    for title in ("One", "Two"):
        Announcement.objects.create(programme=programme, title=title, body="b", published_at=now)

    entries = list(_feed(client, "/feed.atom").iter(f"{ATOM}entry"))

    assert len({entry.findtext(f"{ATOM}id") for entry in entries}) == 2
    for entry in entries:
        link = entry.find(f"{ATOM}link")
        assert link is not None
        assert link.get("href", "").endswith(programme.get_absolute_url())


def test_programme_feed_holds_only_its_programme(client: Client) -> None:
    mine, other = ProgrammeFactory.create(), ProgrammeFactory.create()
    now = timezone.now()
    Announcement.objects.create(programme=mine, title="Mine", body="b", published_at=now)
    Announcement.objects.create(programme=other, title="Other", body="b", published_at=now)
    path = reverse("programmes:programme_feed", kwargs={"programme_slug": mine.slug})

    root = _feed(client, path)

    assert _entry_titles(root) == ["Mine"]
    assert root.findtext(f"{ATOM}title") == f"{mine.name} announcements"
    unpublished = ProgrammeFactory.create(is_published=False)
    assert client.get(f"/programmes/{unpublished.slug}/feed.atom").status_code == 404


def test_feed_body_markdown_cannot_inject_script(client: Client) -> None:
    programme = ProgrammeFactory.create()
    Announcement.objects.create(
        programme=programme,
        title="News",
        body="<script>alert(1)</script> **ok**",
        published_at=timezone.now(),
    )

    summary = _feed(client, "/feed.atom").findtext(f"{ATOM}entry/{ATOM}summary", "")

    assert "<script" not in summary
    assert "<strong>ok</strong>" in summary


@pytest.mark.parametrize("page", ["home", "list", "programme", "round"])
def test_public_pages_advertise_the_feed(client: Client, page: str) -> None:
    round_ = round_with_dates_create(state=RoundState.OPEN)
    path = {
        "home": "/",
        "list": reverse("programmes:programme_list"),
        "programme": round_.programme.get_absolute_url(),
        "round": round_.get_absolute_url(),
    }[page]

    head = client.get(path).content.decode().split("</head>", 1)[0]

    assert '<link rel="alternate" type="application/atom+xml"' in head
    assert 'href="/feed.atom"' in head
