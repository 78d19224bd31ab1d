"""A programme's public evidence page: every intervention its published teams used, rolled up."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from sharedpurpose.evidence.models import Intervention, InterventionUse
from sharedpurpose.evidence.services.compute import evidence_compute_for_use
from sharedpurpose.improvement.models import Team
from tests.factories import ProgrammeFactory, RoundFactory, TeamFactory

from .factories import BASELINE, FLAT, STEP_DOWN, InterventionFactory, site_with

pytestmark = pytest.mark.django_db


def _site(intervention: Intervention, values: list[float], team: Team) -> InterventionUse:
    use = site_with(intervention, values, team=team, balancing=BASELINE + FLAT)
    evidence_compute_for_use(use)
    return use


def test_the_page_rolls_up_each_intervention_of_the_programmes_published_teams(
    client: Client,
) -> None:
    round_ = RoundFactory.create(programme=ProgrammeFactory.create(name="Closing the Gap"))
    coaching = InterventionFactory.create(name="Microsystem coaching")
    for name in ("Ashby", "Southgate"):
        _site(coaching, BASELINE + STEP_DOWN, TeamFactory.create(round=round_, name=name))
    _site(coaching, BASELINE + FLAT, TeamFactory.create(round=round_, name="Eastfield"))
    hidden = TeamFactory.create(round=round_, name="Unpublished team", is_published=False)
    _site(InterventionFactory.create(name="Hidden idea"), BASELINE + STEP_DOWN, hidden)
    elsewhere = TeamFactory.create(name="Other programme team")
    _site(InterventionFactory.create(name="Elsewhere idea"), BASELINE + STEP_DOWN, elsewhere)

    response = client.get(reverse("evidence:programme", args=[round_.programme.slug]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Microsystem coaching" in page
    assert (
        "Sustained improvement at 2 of 3 sites; no change at 1; balancing measures stable." in page
    )
    assert "Moderate" in page and "Sustained improvement at 2 or more sites" in page
    assert "Ashby" in page and "Southgate" in page and "Eastfield" in page
    assert "How we judge evidence" in page and reverse("evidence:rules") in page
    assert "Hidden idea" not in page and "Unpublished team" not in page
    assert "Elsewhere idea" not in page
    assert reverse("evidence:programme_export", args=[round_.programme.slug, "csv"]) in page


def test_a_site_without_a_start_date_is_listed_but_not_counted(client: Client) -> None:
    team = TeamFactory.create()
    intervention = InterventionFactory.create(name="Telemedicine")
    site_with(intervention, BASELINE + STEP_DOWN, team=team, started_index=None)

    page = client.get(
        reverse("evidence:programme", args=[team.round.programme.slug])
    ).content.decode()

    assert "No team has recorded a start date for this intervention yet." in page
    assert "Not recorded yet" in page and "Insufficient data" in page


def test_the_programme_page_links_to_its_evidence(client: Client) -> None:
    programme = ProgrammeFactory.create()

    page = client.get(programme.get_absolute_url()).content.decode()

    assert reverse("evidence:programme", args=[programme.slug]) in page


def test_an_unpublished_or_unknown_programme_is_404(client: Client) -> None:
    hidden = ProgrammeFactory.create(is_published=False)

    assert client.get(reverse("evidence:programme", args=[hidden.slug])).status_code == 404
    assert client.get(reverse("evidence:programme", args=["nothing"])).status_code == 404


def test_the_page_shows_new_evidence_without_waiting_for_a_cache(client: Client) -> None:
    team = TeamFactory.create()
    intervention = InterventionFactory.create(name="Telemedicine")
    url = reverse("evidence:programme", args=[team.round.programme.slug])
    use = site_with(intervention, BASELINE + STEP_DOWN, team=team)

    assert "Not judged at 1 of 1 site." in client.get(url).content.decode()
    evidence_compute_for_use(use)

    assert "Sustained improvement at 1 of 1 site." in client.get(url).content.decode()
