from __future__ import annotations

import pytest

from sharedpurpose.evidence.models import EvidenceRow, Intervention, InterventionUse
from sharedpurpose.evidence.rollups import (
    DETERIORATION,
    EMERGING,
    INSUFFICIENT,
    MODERATE,
    NO_CHANGE,
    NONE_SEEN,
    NOT_JUDGED,
    STRONG,
    SUSTAINED,
    InterventionRollup,
    intervention_rollup,
)
from sharedpurpose.evidence.services.compute import evidence_compute_for_use

from .factories import BASELINE, FLAT, STEP_DOWN, STEP_UP, InterventionFactory, site_with

pytestmark = pytest.mark.django_db


def _rollup(intervention: Intervention) -> InterventionRollup:
    uses = list(InterventionUse.objects.filter(intervention=intervention).order_by("pk"))
    for use in uses:
        evidence_compute_for_use(use)
    rows = EvidenceRow.objects.filter(use__in=uses)
    return intervention_rollup(intervention, uses, rows)


def test_three_sustained_sites_with_good_baselines_and_stable_balancing_are_strong() -> None:
    intervention = InterventionFactory.create()
    for _ in range(3):
        site_with(intervention, BASELINE + STEP_DOWN, balancing=BASELINE + FLAT)
    site_with(intervention, BASELINE + FLAT, balancing=BASELINE + FLAT)

    rollup = _rollup(intervention)

    assert rollup.strength == STRONG
    assert rollup.sentence == (
        "Sustained improvement at 3 of 4 sites; no change at 1; balancing measures stable."
    )


def test_a_site_that_got_worse_keeps_the_evidence_moderate_at_best() -> None:
    intervention = InterventionFactory.create()
    for _ in range(3):
        site_with(intervention, BASELINE + STEP_DOWN)
    site_with(intervention, BASELINE + STEP_UP)

    rollup = _rollup(intervention)

    assert rollup.counts[SUSTAINED] == 3 and rollup.counts[DETERIORATION] == 1
    assert rollup.strength == EMERGING


def test_worse_balancing_measures_are_said_and_stop_strong() -> None:
    intervention = InterventionFactory.create()
    for _ in range(3):
        site_with(intervention, BASELINE + STEP_DOWN, balancing=BASELINE + STEP_UP)

    rollup = _rollup(intervention)

    assert rollup.strength == MODERATE
    assert rollup.sentence.endswith("balancing measures worse at 3 sites.")


def test_two_sustained_sites_are_moderate_and_one_is_emerging() -> None:
    two = InterventionFactory.create()
    site_with(two, BASELINE + STEP_DOWN)
    site_with(two, BASELINE + STEP_DOWN)
    one = InterventionFactory.create()
    site_with(one, BASELINE + STEP_DOWN)

    assert _rollup(two).strength == MODERATE
    assert _rollup(one).strength == EMERGING


def test_short_baselines_are_insufficient_and_noise_is_no_improvement_seen() -> None:
    short = InterventionFactory.create()
    site_with(short, BASELINE[:8] + STEP_DOWN, started_index=8)
    noise = InterventionFactory.create()
    site_with(noise, BASELINE + FLAT)

    short_rollup = _rollup(short)
    assert short_rollup.strength == INSUFFICIENT
    assert short_rollup.sites[0].result == NOT_JUDGED
    assert "Baseline too short" in short_rollup.sites[0].reasons[0]
    noise_rollup = _rollup(noise)
    assert noise_rollup.strength == NONE_SEEN
    assert noise_rollup.sites[0].result == NO_CHANGE


def test_an_intervention_no_team_has_started_says_so() -> None:
    rollup = intervention_rollup(InterventionFactory.create(), [], [])

    assert rollup.strength == INSUFFICIENT
    assert rollup.sentence == "No team has recorded a start date for this intervention yet."


def test_a_single_site_reads_as_one_site() -> None:
    intervention = InterventionFactory.create()
    site_with(intervention, BASELINE + STEP_DOWN)

    assert _rollup(intervention).sentence == "Sustained improvement at 1 of 1 site."
