"""Staff of one programme open every workspace of its teams with full rights, and find none
of another programme's teams."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from sharedpurpose.accounts.models import User
from sharedpurpose.applications.models import ApplicationState, Award
from sharedpurpose.improvement.access import ALL, team_capabilities, teams_visible_to
from sharedpurpose.improvement.models import Measure, Team
from tests.applications.factories import ApplicationFactory
from tests.factories import (
    MeasureFactory,
    MembershipFactory,
    RoundFactory,
    TeamFactory,
    UserFactory,
)
from tests.programmes.factories_rounds import staff_create
from tests.programmes.factories_staff import programme_staff_create

pytestmark = pytest.mark.django_db


@dataclass
class ProgrammeWorld:
    team: Team
    measure: Measure
    award: Award
    staff: User


def _programme_world(name: str) -> ProgrammeWorld:
    round_ = RoundFactory.create(programme__name=name)
    team = TeamFactory.create(round=round_, name=f"{name} team")
    application = ApplicationFactory.create(
        round=round_, reference=f"{name.upper()}-1", state=ApplicationState.AWARDED
    )
    return ProgrammeWorld(
        team=team,
        measure=MeasureFactory.create(team=team, name=f"{name} falls"),
        award=Award.objects.create(
            application=application,
            team=team,
            amount=10000,
            starts_on=date(2027, 1, 1),
            ends_on=date(2028, 1, 1),
        ),
        staff=programme_staff_create(round_.programme),
    )


@pytest.fixture
def alder() -> ProgrammeWorld:
    return _programme_world("Alder")


@pytest.fixture
def birch() -> ProgrammeWorld:
    return _programme_world("Birch")


def _workspace_urls(world: ProgrammeWorld) -> list[str]:
    slug = world.team.slug
    return [
        reverse("improvement:workspace", kwargs={"team_slug": slug}),
        reverse("improvement:members", kwargs={"team_slug": slug}),
        reverse("improvement:measure", kwargs={"team_slug": slug, "measure_id": world.measure.pk}),
    ]


def test_staff_of_one_programme_open_its_teams_workspaces_with_every_right(
    client: Client, alder: ProgrammeWorld
) -> None:
    client.force_login(alder.staff)

    for url in _workspace_urls(alder):
        assert client.get(url).status_code == 200, url
    assert team_capabilities(alder.staff, alder.team) == ALL


def test_staff_of_another_programme_find_none_of_its_teams(
    client: Client, alder: ProgrammeWorld, birch: ProgrammeWorld
) -> None:
    client.force_login(alder.staff)

    for url in _workspace_urls(birch):
        assert client.get(url).status_code == 404, url
    assert not team_capabilities(alder.staff, birch.team)
    my_teams = client.get(reverse("improvement:my_teams")).content.decode()
    assert "Alder team" in my_teams and "Birch team" not in my_teams


def test_a_member_elsewhere_keeps_their_own_team_beside_the_programme_they_run(
    alder: ProgrammeWorld, birch: ProgrammeWorld
) -> None:
    MembershipFactory.create(team=birch.team, user=alder.staff)

    assert set(teams_visible_to(alder.staff)) == {alder.team, birch.team}
    assert team_capabilities(alder.staff, birch.team) != ALL


def test_the_team_page_links_to_its_application_only_for_its_programmes_staff(
    client: Client, alder: ProgrammeWorld, birch: ProgrammeWorld
) -> None:
    client.force_login(alder.staff)

    own = client.get(alder.team.get_absolute_url()).content.decode()
    other = client.get(birch.team.get_absolute_url()).content.decode()

    assert "ALDER-1" in own
    assert "BIRCH-1" not in other


@pytest.mark.parametrize("who", ["funder staff", "administrator"])
def test_funder_staff_and_administrators_still_open_every_team(
    client: Client, alder: ProgrammeWorld, birch: ProgrammeWorld, who: str
) -> None:
    person = staff_create() if who == "funder staff" else UserFactory.create(is_superuser=True)
    client.force_login(person)

    assert {alder.team, birch.team} <= set(teams_visible_to(person))
    for url in [*_workspace_urls(alder), *_workspace_urls(birch)]:
        assert client.get(url).status_code == 200, url
    assert "BIRCH-1" in client.get(birch.team.get_absolute_url()).content.decode()
