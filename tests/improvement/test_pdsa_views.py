"""PDSA pages: the timeline, planning, editing and deleting a cycle, and who may do it."""

from __future__ import annotations

import pytest
from django.test import Client

from sharedpurpose.core.models import AuditEvent
from sharedpurpose.improvement.models import PdsaCycle, TeamMembership
from tests.factories import MembershipFactory, TeamFactory

from .factories_charts import (
    ChangeIdeaFactory,
    ChartGoalFactory,
    PdsaCycleFactory,
    measure_with_points,
)

pytestmark = pytest.mark.django_db

PLAN = {
    "title": "Huddle on ward A",
    "plan_question": "Will a huddle reduce falls?",
    "plan_prediction": "Two fewer falls a month.",
    "starts_on": "2024-05-06",
}


def test_a_member_plans_a_cycle_that_appears_on_the_chart_and_timeline(client: Client) -> None:
    membership = MembershipFactory.create()
    team = membership.team
    goal = ChartGoalFactory.create(team=team)
    idea = ChangeIdeaFactory.create(goal=goal, text="Night huddles")
    measure = measure_with_points(team, goal=goal, name="Falls")
    client.force_login(membership.user)
    form_page = client.get(f"/teams/{team.slug}/change-ideas/{idea.pk}/cycles/new/")
    assert form_page.status_code == 200

    response = client.post(
        f"/teams/{team.slug}/change-ideas/{idea.pk}/cycles/new/",
        {**PLAN, "measures": [measure.pk]},
        follow=True,
    )

    cycle = PdsaCycle.objects.get()
    assert response.redirect_chain[-1][0] == f"/teams/{team.slug}/cycles/{cycle.pk}/"
    assert "Chart points during the cycle" in response.content.decode()
    chart = client.get(f"/teams/{team.slug}/measures/{measure.pk}/").content.decode()
    assert "1. PDSA: Huddle on ward A (6 May 2024)" in chart
    timeline = client.get(f"/teams/{team.slug}/pdsa/").content.decode()
    assert "Night huddles" in timeline and "Huddle on ward A" in timeline


def test_missing_plan_fields_are_reported_and_kept(client: Client) -> None:
    membership = MembershipFactory.create()
    idea = ChangeIdeaFactory.create(goal=ChartGoalFactory.create(team=membership.team))
    client.force_login(membership.user)

    response = client.post(
        f"/teams/{membership.team.slug}/change-ideas/{idea.pk}/cycles/new/",
        {**PLAN, "plan_prediction": "", "ends_on": "2024-05-01"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter what you predict will happen" in html
    assert "Huddle on ward A" in html
    assert not PdsaCycle.objects.exists()


def test_end_before_start_is_refused_by_the_service(client: Client) -> None:
    membership = MembershipFactory.create()
    idea = ChangeIdeaFactory.create(goal=ChartGoalFactory.create(team=membership.team))
    client.force_login(membership.user)

    response = client.post(
        f"/teams/{membership.team.slug}/change-ideas/{idea.pk}/cycles/new/",
        {**PLAN, "ends_on": "2024-05-01"},
    )

    assert response.status_code == 400
    assert "End date must be the same as or after the start date" in response.content.decode()


def test_a_data_contributor_may_read_but_not_change_cycles(client: Client) -> None:
    membership = MembershipFactory.create(role=TeamMembership.Role.DATA_CONTRIBUTOR)
    cycle = PdsaCycleFactory.create(change_idea__goal=ChartGoalFactory.create(team=membership.team))
    slug = membership.team.slug
    client.force_login(membership.user)

    assert client.get(f"/teams/{slug}/cycles/{cycle.pk}/").status_code == 200
    assert "Plan a cycle" not in client.get(f"/teams/{slug}/pdsa/").content.decode()
    new = f"/teams/{slug}/change-ideas/{cycle.change_idea.pk}/cycles/new/"
    assert client.post(new, PLAN).status_code == 403
    assert client.post(f"/teams/{slug}/cycles/{cycle.pk}/edit/", PLAN).status_code == 403
    assert client.post(f"/teams/{slug}/cycles/{cycle.pk}/delete/").status_code == 403
    assert PdsaCycle.objects.count() == 1 and not AuditEvent.objects.exists()


def test_another_teams_cycles_are_not_found(client: Client) -> None:
    membership = MembershipFactory.create()
    foreign = PdsaCycleFactory.create(change_idea__goal=ChartGoalFactory.create())
    slug = membership.team.slug
    client.force_login(membership.user)

    assert client.get(f"/teams/{slug}/cycles/{foreign.pk}/").status_code == 404
    assert client.post(f"/teams/{slug}/cycles/{foreign.pk}/delete/").status_code == 404
    new = f"/teams/{slug}/change-ideas/{foreign.change_idea.pk}/cycles/new/"
    assert client.post(new, PLAN).status_code == 404
    assert client.get(f"/teams/{foreign.change_idea.goal.team.slug}/pdsa/").status_code == 404
    assert PdsaCycle.objects.count() == 1


def test_editing_records_study_and_act_and_ramps_show_in_the_timeline(client: Client) -> None:
    membership = MembershipFactory.create()
    first = PdsaCycleFactory.create(
        change_idea__goal=ChartGoalFactory.create(team=membership.team), title="First test"
    )
    second = PdsaCycleFactory.create(change_idea=first.change_idea, title="Second test")
    slug = membership.team.slug
    client.force_login(membership.user)
    assert client.get(f"/teams/{slug}/cycles/{second.pk}/edit/").status_code == 200

    response = client.post(
        f"/teams/{slug}/cycles/{second.pk}/edit/",
        {
            **PLAN,
            "title": "Second test",
            "previous": first.pk,
            "study_notes": "Falls halved.",
            "act_decision": "adopt",
        },
    )

    assert response.status_code == 302
    second.refresh_from_db()
    assert second.previous == first and second.act_decision == "adopt"
    timeline = client.get(f"/teams/{slug}/pdsa/").content.decode()
    assert "builds on “First test”" in timeline
    assert "Ramp 2" not in timeline


def test_deleting_a_cycle_asks_first(client: Client) -> None:
    membership = MembershipFactory.create()
    cycle = PdsaCycleFactory.create(change_idea__goal=ChartGoalFactory.create(team=membership.team))
    slug = membership.team.slug
    client.force_login(membership.user)

    assert (
        "Delete the PDSA cycle"
        in client.get(f"/teams/{slug}/cycles/{cycle.pk}/delete/").content.decode()
    )
    response = client.post(f"/teams/{slug}/cycles/{cycle.pk}/delete/")

    assert response.status_code == 302 and response["Location"] == f"/teams/{slug}/pdsa/"
    assert not PdsaCycle.objects.exists()


def test_outsiders_do_not_see_the_timeline(client: Client) -> None:
    team = TeamFactory.create()
    client.force_login(MembershipFactory.create().user)
    assert client.get(f"/teams/{team.slug}/pdsa/").status_code == 404
