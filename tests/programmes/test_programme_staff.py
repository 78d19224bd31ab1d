"""Staff of one programme run that programme fully and see nothing of another's manage pages;
the funder's staff of every programme choose who runs each one."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from sharedpurpose.accounts.models import User
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.programmes import services
from sharedpurpose.programmes.models import Announcement, Programme, Round, RoundState
from tests.factories import UserFactory

from .factories_rounds import round_with_dates_create, staff_create
from .factories_staff import programme_staff_create

pytestmark = pytest.mark.django_db


@dataclass
class TwoProgrammes:
    a: Programme
    a_round: Round
    a_announcement: Announcement
    b: Programme
    b_round: Round
    staff_of_a: User
    staff_of_b: User


@pytest.fixture
def world() -> TwoProgrammes:
    a_round = round_with_dates_create(name="Alder draft round", programme__name="Alder")
    b_round = round_with_dates_create(name="Birch draft round", programme__name="Birch")
    b_round.programme.is_published = False
    b_round.programme.save()
    a = a_round.programme
    announcement = Announcement.objects.create(
        programme=a, title="Alder news", body="Body", published_at="2027-01-01T00:00Z"
    )
    return TwoProgrammes(
        a=a,
        a_round=a_round,
        a_announcement=announcement,
        b=b_round.programme,
        b_round=b_round,
        staff_of_a=programme_staff_create(a, full_name="Tia Alder"),
        staff_of_b=programme_staff_create(b_round.programme, full_name="Olu Birch"),
    )


def _round_kwargs(round_: Round) -> dict[str, str]:
    return {"programme_slug": round_.programme.slug, "round_slug": round_.slug}


def _manage_pages(world: TwoProgrammes) -> list[tuple[str, str]]:
    """Every manage page and action of programme A, as (method, path)."""
    p = {"programme_slug": world.a.slug}
    a = {**p, "announcement_id": str(world.a_announcement.pk)}
    r = _round_kwargs(world.a_round)
    return [
        ("get", reverse("programmes:programme_edit", kwargs=p)),
        ("post", reverse("programmes:programme_edit", kwargs=p)),
        ("get", reverse("programmes:round_create", kwargs=p)),
        ("post", reverse("programmes:round_create", kwargs=p)),
        ("get", reverse("programmes:round_manage", kwargs=r)),
        ("get", reverse("programmes:round_edit", kwargs=r)),
        ("post", reverse("programmes:round_edit", kwargs=r)),
        ("post", reverse("programmes:round_transition", kwargs=r)),
        ("get", reverse("programmes:announcement_create", kwargs=p)),
        ("post", reverse("programmes:announcement_create", kwargs=p)),
        ("get", reverse("programmes:announcement_edit", kwargs=a)),
        ("post", reverse("programmes:announcement_edit", kwargs=a)),
        ("post", reverse("programmes:announcement_delete", kwargs=a)),
        ("get", reverse("programmes:programme_staff", kwargs=p)),
        ("post", reverse("programmes:programme_staff", kwargs=p)),
        ("post", reverse("programmes:programme_staff_remove", kwargs=p)),
    ]


_CHANGES = {
    "name": "Renamed",
    "slug": "renamed",
    "summary": "Changed.",
    "number": "9",
    "timezone": "Europe/London",
    "to_state": "announced",
    "title": "Changed",
    "body": "Changed",
    "email": "someone@example.org",
    "action": "save",
}


def test_staff_of_another_programme_get_404_on_every_manage_page_and_change_nothing(
    client: Client, world: TwoProgrammes
) -> None:
    client.force_login(world.staff_of_b)

    for method, path in _manage_pages(world):
        response = getattr(client, method)(path, {**_CHANGES, "person": world.staff_of_a.pk})
        assert response.status_code == 404, (method, path)

    world.a.refresh_from_db()
    world.a_round.refresh_from_db()
    assert world.a.name == "Alder"
    assert world.a_round.state == RoundState.DRAFT
    assert list(world.a.rounds.all()) == [world.a_round]
    assert Announcement.objects.filter(pk=world.a_announcement.pk, title="Alder news").exists()
    assert list(world.a.staff.all()) == [world.staff_of_a]
    assert not AuditEvent.objects.exists()


def test_staff_of_one_programme_open_its_manage_pages(client: Client, world: TwoProgrammes) -> None:
    client.force_login(world.staff_of_a)

    for method, path in _manage_pages(world):
        if method == "get" and not path.endswith("/staff/"):
            assert client.get(path).status_code == 200, path


def test_staff_of_one_programme_run_its_rounds_and_announcements(
    client: Client, world: TwoProgrammes
) -> None:
    client.force_login(world.staff_of_a)
    round_page = reverse("programmes:round_manage", kwargs=_round_kwargs(world.a_round))
    move = reverse("programmes:round_transition", kwargs=_round_kwargs(world.a_round))
    news = reverse("programmes:announcement_create", kwargs={"programme_slug": world.a.slug})

    assert client.post(move, {"to_state": "announced"})["Location"] == round_page
    assert client.post(news, {"title": "Alder opens soon", "body": "Soon."}).status_code == 302

    world.a_round.refresh_from_db()
    assert world.a_round.state == RoundState.ANNOUNCED
    assert Announcement.objects.filter(programme=world.a, title="Alder opens soon").exists()
    recorded = AuditEvent.objects.filter(actor=world.staff_of_a)
    assert {event.action for event in recorded} == {"round.transition", "announcement.create"}
    assert {event.scope for event in recorded} == {f"programme:{world.a.pk}"}


def test_manage_home_lists_only_the_programmes_they_run(
    client: Client, world: TwoProgrammes
) -> None:
    client.force_login(world.staff_of_b)

    html = client.get(reverse("programmes:manage_home")).content.decode()

    assert "Birch" in html and "Birch draft round" in html
    assert "Alder" not in html
    assert reverse("programmes:programme_create") not in html
    assert reverse("evidence:manage_interventions") not in html
    for programme in (world.a, world.b):
        assert _staff_page(programme) not in html


@pytest.mark.parametrize("who", ["funder staff", "administrator"])
def test_funder_staff_and_administrators_still_run_every_programme(
    client: Client, world: TwoProgrammes, who: str
) -> None:
    person = staff_create() if who == "funder staff" else UserFactory.create(is_superuser=True)
    client.force_login(person)

    html = client.get(reverse("programmes:manage_home")).content.decode()

    assert "Alder draft round" in html and "Birch draft round" in html
    assert reverse("programmes:programme_create") in html
    assert reverse("programmes:programme_staff", kwargs={"programme_slug": world.b.slug}) in html
    for round_ in (world.a_round, world.b_round):
        path = reverse("programmes:round_manage", kwargs=_round_kwargs(round_))
        assert client.get(path).status_code == 200


def test_creating_a_programme_is_refused_to_staff_of_one_programme_with_the_reason(
    client: Client, world: TwoProgrammes
) -> None:
    client.force_login(world.staff_of_a)
    path = reverse("programmes:programme_create")

    for response in (
        client.get(path),
        client.post(path, {**_CHANGES, "slug": "a-new-one", "is_published": "on"}),
    ):
        assert response.status_code == 403
        assert "Only staff of every programme can create a programme" in response.content.decode()
    assert not Programme.objects.filter(slug="a-new-one").exists()
    with pytest.raises(PermissionDenied):
        services.programme_create(
            actor=world.staff_of_a, slug="a-new-one", name="New", summary="New."
        )


def test_services_refuse_changes_to_a_programme_the_actor_does_not_run(
    world: TwoProgrammes,
) -> None:
    attempts = [
        lambda: services.programme_update(
            actor=world.staff_of_b,
            programme=world.a,
            slug=world.a.slug,
            name="Taken over",
            summary="No.",
            description="",
            is_published=True,
        ),
        lambda: services.round_transition(
            actor=world.staff_of_b, round_=world.a_round, to_state=RoundState.ANNOUNCED
        ),
        lambda: services.announcement_create(
            actor=world.staff_of_b, programme=world.a, title="Not ours", body="No."
        ),
        lambda: services.announcement_delete(
            actor=world.staff_of_b, announcement=world.a_announcement
        ),
    ]

    for attempt in attempts:
        with pytest.raises(PermissionDenied, match="Only the staff of Alder"):
            attempt()
    world.a_round.refresh_from_db()
    assert world.a_round.state == RoundState.DRAFT
    assert not AuditEvent.objects.exists()


def test_the_header_offers_the_manage_pages_to_anyone_who_runs_a_programme(
    client: Client, world: TwoProgrammes
) -> None:
    manage = reverse("programmes:manage_home")
    for person, offered in (
        (UserFactory.create(), False),
        (world.staff_of_a, True),
        (UserFactory.create(is_superuser=True), True),
        (staff_create(), True),
    ):
        client.force_login(person)
        assert (f'href="{manage}"' in client.get("/").content.decode()) is offered, person


# --------------------------------------------------------------------------
# Choosing the people who run a programme
# --------------------------------------------------------------------------


def _staff_page(programme: Programme) -> str:
    return reverse("programmes:programme_staff", kwargs={"programme_slug": programme.slug})


def test_funder_staff_add_and_remove_the_people_who_run_a_programme(
    client: Client, world: TwoProgrammes
) -> None:
    funder = staff_create(full_name="Sam Funder")
    newcomer = UserFactory.create(full_name="Nia Newcomer", email="nia@example.org")
    newcomer_round_page = reverse("programmes:round_manage", kwargs=_round_kwargs(world.a_round))
    client.force_login(funder)
    page = _staff_page(world.a)

    listed = client.get(page).content.decode()
    assert "Tia Alder" in listed and "Olu Birch" not in listed
    added = client.post(page, {"email": "  NIA@example.org "})

    assert added["Location"] == page
    assert set(world.a.staff.all()) == {world.staff_of_a, newcomer}
    assert "Nia Newcomer" in client.get(page).content.decode()
    event = AuditEvent.objects.get(action="programme.staff_add")
    assert (event.actor, event.scope) == (funder, f"programme:{world.a.pk}")
    assert event.changes == {"staff": [None, newcomer.pk]}

    client.force_login(newcomer)
    assert client.get(newcomer_round_page).status_code == 200

    client.force_login(funder)
    removed = client.post(
        reverse("programmes:programme_staff_remove", kwargs={"programme_slug": world.a.slug}),
        {"person": newcomer.pk},
    )

    assert removed["Location"] == page
    assert list(world.a.staff.all()) == [world.staff_of_a]
    event = AuditEvent.objects.get(action="programme.staff_remove")
    assert (event.actor, event.changes) == (funder, {"staff": [newcomer.pk, None]})
    client.force_login(newcomer)
    assert client.get(newcomer_round_page).status_code == 403


def test_an_address_with_no_account_stays_in_the_form_with_a_message_on_its_field(
    client: Client, world: TwoProgrammes
) -> None:
    client.force_login(staff_create())

    response = client.post(_staff_page(world.a), {"email": "nobody@example.org"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_email"' in html
    assert "There is no account with the e-mail address nobody@example.org" in html
    assert 'value="nobody@example.org"' in html
    assert list(world.a.staff.all()) == [world.staff_of_a]
    assert not AuditEvent.objects.exists()


def test_adding_someone_who_already_runs_it_or_every_programme_is_explained(
    client: Client, world: TwoProgrammes
) -> None:
    funder = staff_create(full_name="Sam Funder")
    client.force_login(funder)

    again = client.post(_staff_page(world.a), {"email": world.staff_of_a.email})
    funder_added = client.post(_staff_page(world.a), {"email": funder.email})

    assert "Tia Alder already runs Alder" in again.content.decode()
    assert "Sam Funder already runs every programme" in funder_added.content.decode()
    assert list(world.a.staff.all()) == [world.staff_of_a]


def test_staff_of_one_programme_cannot_choose_who_runs_it(
    client: Client, world: TwoProgrammes
) -> None:
    outsider = UserFactory.create(email="friend@example.org")
    client.force_login(world.staff_of_a)
    remove = reverse("programmes:programme_staff_remove", kwargs={"programme_slug": world.a.slug})

    responses = [
        client.get(_staff_page(world.a)),
        client.post(_staff_page(world.a), {"email": outsider.email}),
        client.post(remove, {"person": world.staff_of_a.pk}),
    ]

    for response in responses:
        assert response.status_code == 403
        assert "Only staff of every programme choose" in response.content.decode()
    assert list(world.a.staff.all()) == [world.staff_of_a]
    with pytest.raises(PermissionDenied):
        services.programme_staff_add(
            actor=world.staff_of_a, programme=world.a, email=outsider.email
        )


def test_removing_someone_who_does_not_run_the_programme_is_not_found(
    client: Client, world: TwoProgrammes
) -> None:
    client.force_login(staff_create())
    remove = reverse("programmes:programme_staff_remove", kwargs={"programme_slug": world.a.slug})

    assert client.post(remove, {"person": world.staff_of_b.pk}).status_code == 404
    assert list(world.b.staff.all()) == [world.staff_of_b]
    assert not AuditEvent.objects.exists()


def test_the_admin_chooses_a_programmes_staff_with_a_searchable_picker(
    client: Client, world: TwoProgrammes
) -> None:
    client.force_login(UserFactory.create(is_superuser=True, is_staff=True))

    html = client.get(f"/admin/programmes/programme/{world.a.pk}/change/").content.decode()

    assert 'name="staff"' in html
    assert "selectfilter" in html
