from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from sharedpurpose.core.models import AuditEvent
from sharedpurpose.improvement.models import DataPoint, Measure
from sharedpurpose.improvement.services.measures import (
    measure_adopt,
    measure_create,
    measure_delete,
    measure_update,
)
from tests.factories import MeasureFactory, MembershipFactory, UserFactory

from .factories_members import DriverNodeFactory, GoalFactory, LeadFactory

pytestmark = pytest.mark.django_db

VALUES = {
    "name": "Falls per 1,000 bed days",
    "definition": "Falls reported per 1,000 occupied bed days.",
    "unit": "per 1,000 bed days",
    "frequency": "monthly",
    "improvement_direction": "decrease",
    "target": "5",
    "chart_type": "u",
    "kind": "outcome",
    "side": "clinical",
    "source_note": "",
}


def test_a_member_defines_a_measure_of_a_goal(client: Client) -> None:
    member = MembershipFactory.create()
    goal = GoalFactory.create(team=member.team)
    client.force_login(member.user)
    path = f"/teams/{member.team.slug}/measures/new/?goal={goal.pk}"

    form = client.get(path)
    response = client.post(
        path, {**VALUES, "goal": goal.pk, "data_owner": member.user.pk}, follow=True
    )

    assert f'<option value="{goal.pk}" selected>' in form.content.decode()
    measure = Measure.objects.get(team=member.team)
    assert (measure.goal, measure.chart_type, measure.target) == (goal, "u", 5.0)
    assert measure.data_owner == member.user
    assert "Falls per 1,000 bed days was added" in response.content.decode()
    assert AuditEvent.objects.filter(action="measure.create", object_id=str(measure.pk)).exists()


def test_a_measure_needs_a_goal_a_node_and_an_owner_of_its_own_team() -> None:
    lead = LeadFactory.create()
    goal = GoalFactory.create(team=lead.team)
    other_goal = GoalFactory.create()
    node_of_another_goal = DriverNodeFactory.create(goal=GoalFactory.create(team=lead.team))
    stranger = UserFactory.create()
    base: dict[str, Any] = {
        "actor": lead.user,
        "team": lead.team,
        "name": "Time to hire",
        "definition": "Days.",
        "frequency": "monthly",
        "improvement_direction": "decrease",
        "side": "corporate",
        "kind": "process",
        "chart_type": "xmr",
    }

    cases: list[tuple[dict[str, Any], str]] = [
        ({"goal": other_goal}, "goal"),
        ({"goal": goal, "driver_node": node_of_another_goal}, "driver_node"),
        ({"goal": goal, "data_owner": stranger}, "data_owner"),
        ({"goal": goal, "chart_type": "pie"}, "chart_type"),
    ]
    for extra, field in cases:
        with pytest.raises(ValidationError) as raised:
            measure_create(**{**base, **extra})
        assert field in raised.value.message_dict, field

    assert not Measure.objects.exists()


def test_names_are_unique_in_a_team_and_the_form_keeps_what_was_typed(client: Client) -> None:
    member = MembershipFactory.create()
    goal = GoalFactory.create(team=member.team)
    MeasureFactory.create(team=member.team, name="Time to hire", goal=goal)
    client.force_login(member.user)

    response = client.post(
        f"/teams/{member.team.slug}/measures/new/",
        {**VALUES, "name": "time to hire", "goal": goal.pk, "definition": "Typed text."},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Your team already has a measure called time to hire." in html
    assert "Typed text." in html
    assert Measure.objects.count() == 1


def test_changing_a_chart_setting_bumps_the_data_version_and_is_audited() -> None:
    lead = LeadFactory.create()
    goal = GoalFactory.create(team=lead.team)
    measure = MeasureFactory.create(team=lead.team, goal=goal, name="DNA rate")
    settings: dict[str, Any] = {
        "goal": goal,
        "name": "DNA rate",
        "definition": "New definition.",
        "frequency": "monthly",
        "improvement_direction": "increase",
        "side": "clinical",
        "kind": "outcome",
        "chart_type": "xmr",
        "unit": "",
    }

    measure_update(actor=lead.user, measure=measure, **settings)
    measure.refresh_from_db()
    assert measure.data_version == 0  # the definition is not drawn on the chart

    measure_update(actor=lead.user, measure=measure, **{**settings, "target": 0.05})
    measure.refresh_from_db()
    assert measure.data_version == 1 and measure.target == 0.05

    measure_update(actor=lead.user, measure=measure, **{**settings, "target": 0.05})
    measure.refresh_from_db()
    assert measure.data_version == 1  # nothing changed, nothing recorded
    events = AuditEvent.objects.filter(action="measure.update").order_by("pk")
    assert [sorted(e.changes) for e in events] == [["definition"], ["target"]]


def test_deleting_a_measure_with_data_needs_confirmation(client: Client) -> None:
    member = MembershipFactory.create()
    measure = MeasureFactory.create(team=member.team)
    DataPoint.objects.create(measure=measure, period="2024-01-01", value=3)
    client.force_login(member.user)
    path = f"/teams/{member.team.slug}/measures/{measure.pk}/delete/"

    refused = client.post(path)
    assert refused.status_code == 200
    assert "has 1 data point." in refused.content.decode()
    assert Measure.objects.filter(pk=measure.pk).exists()

    response = client.post(path, {"confirm": "on"})
    assert response.status_code == 302
    assert not Measure.objects.filter(pk=measure.pk).exists()
    assert AuditEvent.objects.filter(action="measure.delete", object_id=str(measure.pk)).exists()


def test_a_measure_without_data_is_deleted_without_confirmation() -> None:
    lead = LeadFactory.create()
    measure = MeasureFactory.create(team=lead.team)

    measure_delete(actor=lead.user, measure=measure)

    assert not Measure.objects.exists()


def test_a_data_contributor_cannot_change_measure_definitions(client: Client) -> None:
    contributor = MembershipFactory.create(role="data_contributor")
    goal = GoalFactory.create(team=contributor.team)
    measure = MeasureFactory.create(team=contributor.team, goal=goal)
    client.force_login(contributor.user)
    base = f"/teams/{contributor.team.slug}/measures"

    assert client.post(f"{base}/new/", {**VALUES, "goal": goal.pk}).status_code == 403
    assert client.post(f"{base}/{measure.pk}/edit/", {**VALUES, "goal": goal.pk}).status_code == 403
    assert client.post(f"{base}/{measure.pk}/delete/", {"confirm": "on"}).status_code == 403
    assert (
        client.post(
            f"{base}/adopt/", {"template": "vbi-time-to-hire", "goal": goal.pk, "side": "corporate"}
        ).status_code
        == 403
    )
    assert Measure.objects.get(pk=measure.pk).name == measure.name
    assert Measure.objects.count() == 1


def test_another_teams_member_gets_404_for_measures(client: Client) -> None:
    measure = MeasureFactory.create()
    outsider = LeadFactory.create()
    client.force_login(outsider.user)
    base = f"/teams/{measure.team.slug}/measures"

    for path in (f"{base}/library/", f"{base}/new/", f"{base}/{measure.pk}/edit/"):
        assert client.get(path).status_code == 404, path
    # Nor through their own team's address.
    own = f"/teams/{outsider.team.slug}/measures/{measure.pk}/edit/"
    assert client.get(own).status_code == 404


def test_adopting_from_the_library_copies_the_template_into_the_goal(client: Client) -> None:
    lead = LeadFactory.create()
    goal = GoalFactory.create(team=lead.team)
    client.force_login(lead.user)

    response = client.post(
        f"/teams/{lead.team.slug}/measures/adopt/",
        {"template": "falls-per-1000-bed-days", "goal": goal.pk, "side": "clinical"},
    )

    measure = Measure.objects.get(team=lead.team)
    assert response.status_code == 302
    assert response["Location"] == f"/teams/{lead.team.slug}/measures/{measure.pk}/edit/"
    assert (measure.name, measure.chart_type, measure.library_key) == (
        "Inpatient falls per 1,000 bed days",
        "u",
        "falls-per-1000-bed-days",
    )
    assert measure.goal == goal and measure.data_owner == lead.user
    assert "bed day" in measure.definition


def test_adopting_the_same_template_twice_says_why_and_adds_nothing(client: Client) -> None:
    lead = LeadFactory.create()
    goal = GoalFactory.create(team=lead.team)
    measure_adopt(actor=lead.user, team=lead.team, template_key="vbi-time-to-hire", goal=goal)
    client.force_login(lead.user)

    response = client.post(
        f"/teams/{lead.team.slug}/measures/adopt/",
        {"template": "vbi-time-to-hire", "goal": goal.pk, "side": "corporate"},
    )

    assert response.status_code == 200
    assert "Your team already has a measure called Time to hire." in response.content.decode()
    assert Measure.objects.count() == 1


def test_adopting_into_another_teams_goal_is_refused(client: Client) -> None:
    lead = LeadFactory.create()
    GoalFactory.create(team=lead.team)
    foreign_goal = GoalFactory.create()
    client.force_login(lead.user)

    response = client.post(
        f"/teams/{lead.team.slug}/measures/adopt/",
        {"template": "vbi-time-to-hire", "goal": foreign_goal.pk, "side": "corporate"},
    )

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not Measure.objects.exists()


def test_the_library_page_offers_adoption_into_the_teams_goals(client: Client) -> None:
    lead = LeadFactory.create()
    goal = GoalFactory.create(team=lead.team, title="Safer wards")
    client.force_login(lead.user)

    html = client.get(f"/teams/{lead.team.slug}/measures/library/").content.decode()

    for name in ("Value-based interviewing", "Telemedicine", "Common clinical outcomes"):
        assert name in html
    assert html.count('name="template"') == html.count("Adopt<span")
    assert 'id="adopt-vbi-time-to-hire-goal"' in html
    assert f'<option value="{goal.pk}">Safer wards</option>' in html
