"""The demo's evidence: interventions, uses and roll-ups computed from the demo teams' data."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from sharedpurpose.demo.evidence import evidence_demo_load
from sharedpurpose.evidence.models import EvidenceRow, Intervention, InterventionUse, Verdict

pytestmark = pytest.mark.django_db


def test_the_programme_evidence_page_shows_improvement_computed_from_the_data(
    client: Client,
) -> None:
    call_command("demo", stdout=StringIO())
    uses = evidence_demo_load()

    assert {use.intervention.slug for use in uses} == {
        "value-based-interviewing",
        "telemedicine",
        "workforce-intelligence",
        "microsystem-coaching",
        "estates-led-falls-prevention",
    }
    # Every started use has one row per measure of its goal, computed from the data.
    for use in uses:
        assert use.evidence.count() == use.change_idea.goal.measures.count()
    improved = EvidenceRow.objects.filter(
        use__intervention__slug="workforce-intelligence",
        measure_kind="outcome",
        verdict=Verdict.IMPROVEMENT,
        sustained=True,
    )
    assert improved.exists()

    page = client.get(reverse("evidence:programme", args=["closing-the-gap"])).content.decode()

    assert "Workforce intelligence" in page
    assert "Sustained improvement at 1 of 1 site; balancing measures stable." in page
    assert "Baseline too short to judge: 6 points before the start, 12 needed." in page
    falls = Intervention.objects.get(slug="estates-led-falls-prevention")
    assert falls.added_by_team is not None and falls.added_by_team.slug == "riverside-estates-falls"


def test_loading_again_writes_nothing() -> None:
    call_command("demo", stdout=StringIO())
    evidence_demo_load()
    before = list(EvidenceRow.objects.order_by("pk").values_list("pk", "computed_at", "verdict"))
    uses = list(InterventionUse.objects.order_by("pk").values_list("pk", "site"))

    evidence_demo_load()

    assert (
        list(EvidenceRow.objects.order_by("pk").values_list("pk", "computed_at", "verdict"))
        == before
    )
    assert list(InterventionUse.objects.order_by("pk").values_list("pk", "site")) == uses
