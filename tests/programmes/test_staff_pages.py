from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sharedpurpose.core.models import AuditEvent
from sharedpurpose.programmes.models import Announcement, Programme, Round, RoundState
from tests.factories import ProgrammeFactory, UserFactory

from .factories_rounds import round_with_dates_create, staff_create

pytestmark = pytest.mark.django_db


def _round_kwargs(round_: Round) -> dict[str, str]:
    return {"programme_slug": round_.programme.slug, "round_slug": round_.slug}


def _staff_urls() -> list[tuple[str, str]]:
    """Every staff page and action, as (method, path)."""
    round_ = round_with_dates_create()
    programme = round_.programme
    announcement = Announcement.objects.create(
        programme=programme, title="News", body="Body", published_at="2027-01-01T00:00Z"
    )
    p = {"programme_slug": programme.slug}
    a = {**p, "announcement_id": str(announcement.pk)}
    return [
        ("get", reverse("programmes:manage_home")),
        ("get", reverse("programmes:programme_create")),
        ("get", reverse("programmes:programme_edit", kwargs=p)),
        ("get", reverse("programmes:round_create", kwargs=p)),
        ("get", reverse("programmes:round_edit", kwargs=_round_kwargs(round_))),
        ("get", reverse("programmes:round_manage", kwargs=_round_kwargs(round_))),
        ("post", reverse("programmes:round_transition", kwargs=_round_kwargs(round_))),
        ("get", reverse("programmes:announcement_create", kwargs=p)),
        ("get", reverse("programmes:announcement_edit", kwargs=a)),
        ("post", reverse("programmes:announcement_delete", kwargs=a)),
    ]


def test_anonymous_people_are_sent_to_sign_in(client: Client) -> None:
    for method, path in _staff_urls():
        response = getattr(client, method)(path, {"to_state": "announced"})
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path
    assert not AuditEvent.objects.exists()


def test_signed_in_people_who_are_not_staff_are_refused(client: Client) -> None:
    client.force_login(UserFactory.create())
    for method, path in _staff_urls():
        response = getattr(client, method)(path, {"to_state": "announced"})
        assert response.status_code == 403, path
    assert Round.objects.get().state == RoundState.DRAFT
    assert Announcement.objects.count() == 1


def test_manage_home_lists_programmes_rounds_states_and_next_moves(client: Client) -> None:
    round_ = round_with_dates_create(name="Shared Purpose")
    client.force_login(staff_create())

    html = client.get(reverse("programmes:manage_home")).content.decode()

    assert round_.programme.name in html
    assert "Shared Purpose" in html
    assert "Draft" in html
    assert "Announce the round" in html


def test_home_page_links_staff_to_manage_programmes(client: Client) -> None:
    manage = reverse("programmes:manage_home")
    assert manage not in client.get("/").content.decode()
    client.force_login(staff_create())
    assert manage in client.get("/").content.decode()


def _round_post(**overrides: str) -> dict[str, str]:
    data = {
        "number": "3",
        "name": "Shared Purpose",
        "slug": "shared-purpose",
        "summary": "Corporate and clinical teams together.",
        "aims": "Raise awareness\nCreate examples of best practice",
        "body": "**Nine** award-holder teams.",
        "timezone": "Europe/London",
        "applications_open_local": "2027-02-01T09:00",
        "applications_close_local": "2027-03-14T17:00",
        "delivery_starts_on": "2027-09-01",
        "delivery_ends_on": "2029-08-31",
        "action": "save",
    }
    data.update(overrides)
    return data


def test_preview_shows_the_public_view_and_saves_nothing(client: Client) -> None:
    programme = ProgrammeFactory.create()
    client.force_login(staff_create())
    path = reverse("programmes:round_create", kwargs={"programme_slug": programme.slug})

    response = client.post(path, _round_post(action="preview"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview of the public page (not saved)" in html
    assert "<strong>Nine</strong> award-holder teams." in html
    assert "<li>Create examples of best practice</li>" in html
    assert "5pm, 14 March 2027 (Europe/London)" in html
    assert 'value="Shared Purpose"' in html  # the form keeps what was typed
    assert not Round.objects.exists()
    assert not AuditEvent.objects.exists()


def test_save_creates_a_draft_round_and_goes_to_its_management_page(client: Client) -> None:
    programme = ProgrammeFactory.create()
    client.force_login(staff_create())
    path = reverse("programmes:round_create", kwargs={"programme_slug": programme.slug})

    response = client.post(path, _round_post())

    round_ = Round.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:round_manage", kwargs=_round_kwargs(round_))
    assert round_.state == RoundState.DRAFT
    assert round_.aims == ["Raise awareness", "Create examples of best practice"]
    assert round_.applications_close_at is not None
    assert round_.applications_close_at.isoformat() == "2027-03-14T17:00:00+00:00"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"timezone": "Europe/Atlantis"}, "timezone", "timezone database"),
        (
            {"applications_close_local": "2027-01-01T09:00"},
            "applications_close_local",
            "close after they open",
        ),
        ({"applications_open_local": "31 Feb"}, "applications_open_local", "real date"),
        ({"delivery_ends_on": "2027-01-01"}, "delivery_ends_on", "end after it starts"),
        ({"delivery_ends_on": "not a date"}, "delivery_ends_on", "real date"),
        ({"number": "three"}, "number", "whole number"),
    ],
)
def test_bad_dates_and_timezone_are_shown_on_their_fields(
    client: Client, overrides: dict[str, str], field: str, message: str
) -> None:
    programme = ProgrammeFactory.create()
    client.force_login(staff_create())
    path = reverse("programmes:round_create", kwargs={"programme_slug": programme.slug})

    for action in ("save", "preview"):
        response = client.post(path, _round_post(action=action, **overrides))

        assert response.status_code == 200
        html = response.content.decode()
        assert "There is a problem" in html
        assert f'href="#id_{field}"' in html
        assert f'id="id_{field}-error"' in html
        assert message in html
        assert "Preview of the public page" not in html
        assert 'value="Shared Purpose"' in html
    assert not Round.objects.exists()


def test_edit_form_shows_dates_in_the_rounds_timezone(client: Client) -> None:
    round_ = round_with_dates_create(timezone="Asia/Tokyo")
    client.force_login(staff_create())

    html = client.get(reverse("programmes:round_edit", kwargs=_round_kwargs(round_))).content
    # 17:00 UTC on 14 March is 02:00 the next day in Tokyo.
    assert b'value="2027-03-15T02:00"' in html


def test_programme_preview_does_not_save_and_save_does(client: Client) -> None:
    client.force_login(staff_create())
    path = reverse("programmes:programme_create")
    data = {
        "name": "Closing the Gap",
        "slug": "closing-the-gap",
        "summary": "An improvement programme.",
        "description": "In *rounds*.",
        "is_published": "on",
    }

    preview = client.post(path, {**data, "action": "preview"}).content.decode()
    assert "<em>rounds</em>" in preview
    assert not Programme.objects.exists()

    assert client.post(path, {**data, "action": "save"}).status_code == 302
    programme = Programme.objects.get()
    assert programme.is_published
    assert AuditEvent.objects.filter(action="programme.create").count() == 1


def test_staff_move_a_round_and_see_who_moved_it(client: Client) -> None:
    staff = staff_create(full_name="Ada Okafor")
    round_ = round_with_dates_create()
    client.force_login(staff)
    manage = reverse("programmes:round_manage", kwargs=_round_kwargs(round_))
    move = reverse("programmes:round_transition", kwargs=_round_kwargs(round_))

    page = client.get(manage).content.decode()
    assert "Announce the round" in page
    assert "will be e-mailed once" in page  # draft can go straight to open

    assert client.post(move, {"to_state": "announced"})["Location"] == manage
    assert client.post(move, {"to_state": "open"})["Location"] == manage

    round_.refresh_from_db()
    assert round_.state == RoundState.OPEN
    html = client.get(manage).content.decode()
    assert "Ada Okafor" in html
    assert "Applications open: " in html
    assert "Close applications" in html


def test_a_forbidden_move_is_explained_and_changes_nothing(client: Client) -> None:
    round_ = round_with_dates_create()
    client.force_login(staff_create())
    move = reverse("programmes:round_transition", kwargs=_round_kwargs(round_))

    for data in ({"to_state": "complete"}, {"to_state": "nonsense"}, {}):
        response = client.post(move, data)
        assert response.status_code == 400
        assert "There is a problem" in response.content.decode()
    round_.refresh_from_db()
    assert round_.state == RoundState.DRAFT


def test_staff_publish_edit_and_delete_news(client: Client) -> None:
    round_ = round_with_dates_create(state=RoundState.OPEN)
    programme = round_.programme
    client.force_login(staff_create())
    create = reverse("programmes:announcement_create", kwargs={"programme_slug": programme.slug})

    empty: dict[str, Any] = {"title": "", "body": ""}
    assert "Enter the title" in client.post(create, empty).content.decode()
    client.post(create, {"title": "Webinar", "body": "Join us.", "round": str(round_.pk)})
    announcement = Announcement.objects.get()
    assert announcement.round == round_
    assert announcement.kind == Announcement.Kind.NEWS

    kwargs = {"programme_slug": programme.slug, "announcement_id": announcement.pk}
    client.post(
        reverse("programmes:announcement_edit", kwargs=kwargs),
        {"title": "Webinar moved", "body": "Join us later."},
    )
    announcement.refresh_from_db()
    assert announcement.title == "Webinar moved"
    assert announcement.round is None

    client.post(reverse("programmes:announcement_delete", kwargs=kwargs))
    assert not Announcement.objects.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"announcement.create", "announcement.update", "announcement.delete"} <= actions
