from __future__ import annotations

import pytest
from django.test import Client

from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.improvement.models import DataPoint
from tests.factories import MeasureFactory, MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_members_open_their_team_workspace(client: Client) -> None:
    membership = MembershipFactory.create()
    measure = MeasureFactory.create(team=membership.team, name="Falls per 1,000 bed days")
    DataPoint.objects.create(measure=measure, period="2024-01-01", value=6.5)
    client.force_login(membership.user)

    response = client.get(f"/teams/{membership.team.slug}/workspace/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Falls per 1,000 bed days" in html
    assert "6.5" in html


def test_a_member_of_one_team_never_sees_another_teams_workspace(client: Client) -> None:
    mine = MembershipFactory.create()
    other_team = TeamFactory.create()
    client.force_login(mine.user)

    assert client.get(f"/teams/{other_team.slug}/workspace/").status_code == 404
    assert other_team.name not in client.get("/teams/").content.decode()


def test_programme_staff_see_every_team(client: Client) -> None:
    staff = UserFactory.create()
    user_role_grant(user=staff, role=SiteRole.PROGRAMME_STAFF)
    team = TeamFactory.create()
    client.force_login(staff)

    assert client.get(f"/teams/{team.slug}/workspace/").status_code == 200


def test_public_team_page_offers_the_workspace_only_to_members(client: Client) -> None:
    membership = MembershipFactory.create()
    path = membership.team.get_absolute_url()

    assert "Open the team workspace" not in client.get(path).content.decode()
    client.force_login(membership.user)
    assert "Open the team workspace" in client.get(path).content.decode()
