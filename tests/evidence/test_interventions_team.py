"""A team links its change ideas to interventions, adds its own, and reads its evidence."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sharedpurpose.core.models import AuditEvent
from sharedpurpose.evidence.models import EvidenceRow, Intervention, InterventionUse
from sharedpurpose.evidence.services.compute import evidence_compute_for_use
from sharedpurpose.improvement.charts import measure_charts_invalidate
from sharedpurpose.improvement.models import DriverNode, Measure
from tests.factories import MeasureFactory, TeamFactory
from tests.improvement.factories_goals import member_of
from tests.improvement.factories_members import GoalFactory

from .factories import BASELINE, STEP_DOWN, InterventionFactory, change_idea, series_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def idea() -> DriverNode:
    """A started change idea of a goal with an outcome measure whose data stepped down."""
    goal = GoalFactory.create()
    measure = MeasureFactory.create(
        team=goal.team, goal=goal, kind="outcome", improvement_direction="decrease"
    )
    series_store(measure, BASELINE + STEP_DOWN)
    node = change_idea(goal)
    node.text = "Sensor lighting at night"
    node.save()
    return node


def _page(team_slug: str) -> str:
    return reverse("evidence:team_interventions", args=[team_slug])


def _use_url(node: DriverNode) -> str:
    return reverse("evidence:team_intervention_use", args=[node.goal.team.slug, node.pk])


def test_a_member_links_a_change_idea_and_its_evidence_is_computed_in_the_background(
    client: Client, idea: DriverNode, django_capture_on_commit_callbacks: Any
) -> None:
    intervention = InterventionFactory.create(name="Falls prevention")
    client.force_login(member_of(idea.goal.team).user)

    form = client.get(_page(idea.goal.team.slug)).content.decode()
    assert "Sensor lighting at night" in form and "Falls prevention" in form
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            _use_url(idea), {"intervention": str(intervention.pk), "site": "Ward 7"}
        )

    assert response.status_code == 302
    assert response["Location"].endswith(f"#change-idea-{idea.pk}")
    use = InterventionUse.objects.get(change_idea=idea)
    assert (use.intervention, use.site) == (intervention, "Ward 7")
    assert len(callbacks) == 1  # the recompute was queued, not run in the request
    assert use.evidence.get().verdict == "improvement"
    assert AuditEvent.objects.filter(action="intervention_use.create", scope__startswith="team:")
    evidence = client.get(reverse("evidence:team_evidence", args=[idea.goal.team.slug]))
    assert "Sustained improvement" in evidence.content.decode()


def test_choosing_none_removes_the_use_and_its_evidence(client: Client, idea: DriverNode) -> None:
    use = InterventionUse.objects.create(
        intervention=InterventionFactory.create(), change_idea=idea, site="Ward 7"
    )
    evidence_compute_for_use(use)
    client.force_login(member_of(idea.goal.team).user)

    response = client.post(_use_url(idea), {"intervention": "", "site": ""})

    assert response.status_code == 302
    assert not InterventionUse.objects.exists() and not EvidenceRow.objects.exists()
    assert AuditEvent.objects.filter(action="intervention_use.remove").exists()


def test_a_use_needs_a_site_and_keeps_what_was_typed(client: Client, idea: DriverNode) -> None:
    intervention = InterventionFactory.create(name="Falls prevention")
    client.force_login(member_of(idea.goal.team).user)

    response = client.post(_use_url(idea), {"intervention": str(intervention.pk), "site": " "})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter where the team uses it" in page
    assert f'href="#use-{idea.pk}-site"' in page  # the error summary points at the field
    assert f'<option value="{intervention.pk}" selected>' in page
    assert not InterventionUse.objects.exists()


def test_an_unknown_intervention_is_a_form_error(client: Client, idea: DriverNode) -> None:
    client.force_login(member_of(idea.goal.team).user)

    response = client.post(_use_url(idea), {"intervention": "999999", "site": "Ward 7"})

    assert response.status_code == 400
    assert "Choose an intervention from the list, or none" in response.content.decode()


def test_a_change_idea_without_a_start_date_points_to_the_driver_diagram(
    client: Client,
) -> None:
    goal = GoalFactory.create()
    change_idea(goal, started_index=None)
    client.force_login(member_of(goal.team).user)

    page = client.get(_page(goal.team.slug)).content.decode()

    assert "Add a start date in the driver diagram to compute evidence" in page
    assert reverse("improvement:goal_diagram_edit", args=[goal.team.slug, goal.pk]) in page


def test_a_data_contributor_reads_but_cannot_link(client: Client, idea: DriverNode) -> None:
    intervention = InterventionFactory.create()
    client.force_login(member_of(idea.goal.team, role="data_contributor").user)

    page = client.get(_page(idea.goal.team.slug))
    response = client.post(_use_url(idea), {"intervention": str(intervention.pk), "site": "W"})

    assert page.status_code == 200 and "<select" not in page.content.decode()
    assert response.status_code == 403
    add = client.get(reverse("evidence:team_intervention_add", args=[idea.goal.team.slug]))
    assert add.status_code == 403
    assert not InterventionUse.objects.exists()


def test_another_teams_member_gets_404_and_anonymous_people_sign_in(
    client: Client, idea: DriverNode
) -> None:
    team = idea.goal.team
    urls = [
        _page(team.slug),
        reverse("evidence:team_evidence", args=[team.slug]),
        reverse("evidence:team_intervention_add", args=[team.slug]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    client.force_login(member_of(TeamFactory.create()).user)
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(_use_url(idea), {"intervention": "", "site": ""}).status_code == 404


def test_a_change_idea_of_another_team_is_404(client: Client, idea: DriverNode) -> None:
    mine = TeamFactory.create()
    client.force_login(member_of(mine).user)
    url = reverse("evidence:team_intervention_use", args=[mine.slug, idea.pk])

    assert client.post(url, {"intervention": "", "site": ""}).status_code == 404


def test_a_team_adds_an_intervention_to_the_catalogue(client: Client) -> None:
    team = TeamFactory.create()
    client.force_login(member_of(team).user)

    response = client.post(
        reverse("evidence:team_intervention_add", args=[team.slug]),
        {
            "name": "Bay nursing",
            "summary": "A nurse stays in the bay with patients at risk of falls.",
            "description": "**Bay nursing** keeps watch.",
            "corporate_services": ["estates"],
            "clinical_areas": "Stroke unit\n\nOlder people's wards\n",
        },
    )

    assert response.status_code == 302
    intervention = Intervention.objects.get(name="Bay nursing")
    assert intervention.slug == "bay-nursing"
    assert intervention.added_by_team == team
    assert intervention.clinical_areas == ["Stroke unit", "Older people's wards"]
    assert intervention.corporate_services == ["estates"]
    assert AuditEvent.objects.get(action="intervention.create").scope == f"team:{team.pk}"


def test_a_name_already_in_the_catalogue_is_a_field_error(client: Client) -> None:
    InterventionFactory.create(name="Telemedicine")
    team = TeamFactory.create()
    client.force_login(member_of(team).user)

    response = client.post(
        reverse("evidence:team_intervention_add", args=[team.slug]),
        {"name": "telemedicine", "summary": "Video clinics.", "clinical_areas": "Diabetes"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "is already in the catalogue" in page and 'href="#id_name"' in page
    assert "Video clinics." in page and "Diabetes" in page
    assert Intervention.objects.count() == 1


def test_the_team_evidence_page_marks_stale_rows_as_recomputing(
    client: Client, idea: DriverNode
) -> None:
    use = InterventionUse.objects.create(
        intervention=InterventionFactory.create(), change_idea=idea, site="Ward 7"
    )
    evidence_compute_for_use(use)
    measure = Measure.objects.get(goal=idea.goal)
    # The data change; the background recompute has not run yet (no commit in this test).
    measure_charts_invalidate(measure_ids=[measure.pk])
    client.force_login(member_of(idea.goal.team).user)

    page = client.get(reverse("evidence:team_evidence", args=[idea.goal.team.slug]))

    assert "Recomputing…" in page.content.decode()
    assert reverse("improvement:measure", args=[idea.goal.team.slug, measure.pk]) in (
        page.content.decode()
    )


def test_the_team_evidence_page_shows_unpublished_teams_their_own_rows(client: Client) -> None:
    team = TeamFactory.create(is_published=False)
    goal = GoalFactory.create(team=team)
    measure = MeasureFactory.create(team=team, goal=goal, improvement_direction="decrease")
    series_store(measure, BASELINE[:8] + STEP_DOWN)
    use = InterventionUse.objects.create(
        intervention=InterventionFactory.create(),
        change_idea=change_idea(goal, started_index=8),
        site="Ward 7",
    )
    evidence_compute_for_use(use)
    client.force_login(member_of(team).user)

    page = client.get(reverse("evidence:team_evidence", args=[team.slug])).content.decode()

    assert "Baseline too short to judge: 8 points before the start, 12 needed." in page


def test_another_unpublished_teams_addition_is_not_offered(
    client: Client, idea: DriverNode
) -> None:
    quiet_team = TeamFactory.create(is_published=False)
    InterventionFactory.create(name="Quiet idea", added_by_team=quiet_team)
    InterventionFactory.create(name="Our idea", added_by_team=idea.goal.team)
    client.force_login(member_of(idea.goal.team).user)

    page = client.get(_page(idea.goal.team.slug)).content.decode()

    assert "Our idea" in page and "Quiet idea" not in page
