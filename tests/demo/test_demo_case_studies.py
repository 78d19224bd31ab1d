"""The demo's case studies: three published from the demo teams, one waiting for review."""

from __future__ import annotations

import pytest
from django.core import serializers
from django.db.models import Model
from django.test import Client

from sharedpurpose.demo.case_studies import CASE_STUDIES, case_studies_demo_load
from sharedpurpose.demo.loader import demo_load
from sharedpurpose.evidence.models import CaseStudy, CaseStudyReview, Intervention
from sharedpurpose.evidence.search import case_studies_search

pytestmark = pytest.mark.django_db

Status = CaseStudy.Status


def _snapshot() -> str:
    models: list[type[Model]] = [
        CaseStudy,
        CaseStudyReview,
        CaseStudy.interventions.through,
        CaseStudy.measures.through,
    ]
    return "".join(serializers.serialize("json", m._default_manager.order_by("pk")) for m in models)


def test_three_published_case_studies_and_one_in_review_with_live_charts(client: Client) -> None:
    demo_load()

    loaded = case_studies_demo_load()

    assert [c.status for c in loaded].count(Status.PUBLISHED) == 3
    assert [c.status for c in loaded].count(Status.IN_REVIEW) == 1
    for spec, case_study in zip(CASE_STUDIES, loaded, strict=True):
        assert case_study.team.slug == spec.team
        assert sorted(case_study.measures.values_list("name", flat=True)) == sorted(spec.measures)
    assert {c.slug for c in case_studies_search("telemedicine")} == {
        "video-follow-ups-patients-choose"
    }
    published = next(c for c in loaded if c.status == Status.PUBLISHED)
    assert list(published.reviews.values_list("action", flat=True)) == [
        CaseStudyReview.Action.SUBMITTED,
        CaseStudyReview.Action.PUBLISHED,
    ]
    page = client.get(f"/case-studies/{published.slug}/").content.decode()
    assert page.count('class="sp-chart sp-chart-') == len(CASE_STUDIES[0].measures)
    in_review = next(c for c in loaded if c.status == Status.IN_REVIEW)
    assert client.get(f"/case-studies/{in_review.slug}/").status_code == 404


def test_loading_again_writes_nothing_and_links_interventions_that_exist() -> None:
    demo_load()
    case_studies_demo_load()
    before = _snapshot()

    case_studies_demo_load()
    assert _snapshot() == before

    # The evidence demo may have made the catalogue already; if not, make its entry now.
    telemedicine = Intervention.objects.filter(slug="telemedicine").first()
    if telemedicine is None:
        telemedicine = Intervention.objects.create(
            slug="telemedicine", name="Telemedicine", summary="Video and telephone care."
        )
    case_studies_demo_load()
    linked = CaseStudy.objects.get(slug="video-follow-ups-patients-choose")
    assert list(linked.interventions.all()) == [telemedicine]


def test_without_the_demo_teams_nothing_is_loaded() -> None:
    assert case_studies_demo_load() == []
    assert not CaseStudy.objects.exists()
