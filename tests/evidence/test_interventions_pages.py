"""The public catalogue and intervention pages: published teams only, rows computed from data."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from sharedpurpose.evidence.models import InterventionUse
from sharedpurpose.evidence.services.compute import evidence_compute_for_use
from tests.factories import TeamFactory
from tests.improvement.factories_goals import member_of

from .factories import BASELINE, FLAT, STEP_DOWN, InterventionFactory, site_with

pytestmark = pytest.mark.django_db


def _computed(use: InterventionUse) -> InterventionUse:
    evidence_compute_for_use(use)
    return use


def test_the_catalogue_lists_interventions_with_tags_site_counts_and_strength(
    client: Client,
) -> None:
    intervention = InterventionFactory.create(
        name="Telemedicine",
        summary="Follow-ups by video.",
        corporate_services=["it_digital"],
        clinical_areas=["Diabetes"],
    )
    _computed(site_with(intervention, BASELINE + STEP_DOWN))
    _computed(site_with(intervention, BASELINE + FLAT))
    site_with(intervention, BASELINE + STEP_DOWN, started_index=None)

    page = client.get(reverse("evidence:interventions")).content.decode()

    assert "Telemedicine" in page and "Follow-ups by video." in page
    assert "IT and digital" in page and "Diabetes" in page
    assert "Sites with a start date: 2" in page
    assert "Emerging" in page


def test_the_intervention_page_shows_the_rollup_the_rule_and_each_sites_rows(
    client: Client,
) -> None:
    intervention = InterventionFactory.create(name="Sensor lighting")
    use = _computed(site_with(intervention, BASELINE + STEP_DOWN, balancing=BASELINE + FLAT))
    use.site = "Wards 7 to 10, Riverside"
    use.save()

    page = client.get(intervention.get_absolute_url()).content.decode()

    assert "Sustained improvement at 1 of 1 site; balancing measures stable." in page
    assert "Improvement at 1 or more sites, sustained or not yet." in page
    assert reverse("evidence:rules") + "#emerging" in page
    assert "Wards 7 to 10, Riverside" in page
    assert "1 September 2021" in page  # the start date, month 20
    assert "outcome and process measures" in page and "balancing measures" in page
    # The change in mean, 40.5 − 50.25, with its interval; the first point signalled
    assert "\u22129.75" in page and "95% interval" in page
    assert "In the first month from the start (September 2021)" in page
    assert "20 points before the start" in page


def test_a_too_short_baseline_is_stated_in_the_row(client: Client) -> None:
    intervention = InterventionFactory.create()
    _computed(site_with(intervention, BASELINE[:8] + STEP_DOWN, started_index=8))

    page = client.get(intervention.get_absolute_url()).content.decode()

    assert "Baseline too short to judge: 8 points before the start, 12 needed." in page
    assert "Not judged" in page
    assert "Insufficient data" in page


def test_an_unpublished_teams_use_is_hidden_from_the_public(client: Client) -> None:
    intervention = InterventionFactory.create()
    hidden_team = TeamFactory.create(name="Quiet team", is_published=False)
    _computed(site_with(intervention, BASELINE + STEP_DOWN, team=hidden_team))
    _computed(site_with(intervention, BASELINE + FLAT))

    page = client.get(intervention.get_absolute_url()).content.decode()
    catalogue = client.get(reverse("evidence:interventions")).content.decode()

    assert "Quiet team" not in page
    assert "No change at 1 of 1 site." in page
    assert "Sites with a start date: 1" in catalogue


def test_an_intervention_added_by_an_unpublished_team_stays_private(client: Client) -> None:
    hidden_team = TeamFactory.create(is_published=False)
    intervention = InterventionFactory.create(name="Hidden idea", added_by_team=hidden_team)

    assert "Hidden idea" not in client.get(reverse("evidence:interventions")).content.decode()
    assert client.get(intervention.get_absolute_url()).status_code == 404


def test_rows_link_to_charts_only_for_people_who_may_open_the_team_workspace(
    client: Client,
) -> None:
    intervention = InterventionFactory.create()
    use = _computed(site_with(intervention, BASELINE + STEP_DOWN))
    team = use.change_idea.goal.team
    measure = use.evidence.get().measure
    chart_url = reverse("improvement:measure", args=[team.slug, measure.pk])

    assert chart_url not in client.get(intervention.get_absolute_url()).content.decode()
    client.force_login(member_of(TeamFactory.create()).user)
    assert chart_url not in client.get(intervention.get_absolute_url()).content.decode()
    client.force_login(member_of(team).user)
    assert chart_url in client.get(intervention.get_absolute_url()).content.decode()


def test_an_unknown_intervention_is_404(client: Client) -> None:
    response = client.get(reverse("evidence:intervention", args=["no-such-thing"]))
    assert response.status_code == 404


def test_the_rules_page_states_the_numbers_the_rules_use(client: Client) -> None:
    page = client.get(reverse("evidence:rules")).content.decode()

    assert "fewer than 12 points is too short to judge" in page
    assert "the last 7 points all lie on the better side" in page
    assert 'id="strong"' in page and "at least 20 points" in page
    assert "association, not proof" in page
