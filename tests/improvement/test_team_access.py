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


def test_each_measure_page_draws_an_accessible_xmr_chart(client: Client) -> None:
    membership = MembershipFactory.create()
    measure = MeasureFactory.create(
        team=membership.team, name="Did-not-attend rate", improvement_direction="decrease"
    )
    values = [9.0, 8.5, 9.2, 8.8, 9.1, 8.9, 9.0, 8.7, 9.3, 8.6, 9.0, 4.0]
    DataPoint.objects.bulk_create(
        DataPoint(measure=measure, period=f"2024-{month:02d}-01", value=value)
        for month, value in enumerate(values, start=1)
    )
    client.force_login(membership.user)

    dashboard = client.get(f"/teams/{membership.team.slug}/workspace/").content.decode()
    page = f"/teams/{membership.team.slug}/measures/{measure.pk}/"
    assert f'href="{page}"' in dashboard
    html = client.get(page).content.decode()

    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html
    assert f'aria-labelledby="measure-{measure.pk}-chart-title' in html
    assert "special_cause_improvement" in html or "special cause improvement" in html.lower()
    assert "<table" in html and "Did-not-attend rate: chart data" in html
