"""The library's search and filters. The same expectations hold on SQLite (the word fallback)
and on PostgreSQL (full-text search): run the suite with DATABASE_URL set for the latter."""

from __future__ import annotations

import pytest

from sharedpurpose.evidence.models import CaseStudy, OutcomeArea
from sharedpurpose.evidence.search import (
    CaseStudyFilters,
    case_studies_search,
    library_clinical_areas,
    library_interventions,
    search_terms,
)
from tests.factories import TeamFactory

from .case_study_factories import CaseStudyFactory, PublishedCaseStudyFactory
from .factories import InterventionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def library() -> dict[str, CaseStudy]:
    telemedicine = InterventionFactory.create(slug="telemedicine", name="Telemedicine")
    lighting = InterventionFactory.create(slug="sensor-lighting", name="Sensor lighting")
    video = PublishedCaseStudyFactory.create(
        title="Telemedicine follow-ups patients choose",
        summary="Video clinics for diabetes.",
        what_we_did="A video link in every follow-up letter.",
        outcome_area=OutcomeArea.ACCESS,
        corporate_services=["it_digital", "estates"],
        clinical_areas=["Diabetes", "Outpatients"],
    )
    video.interventions.add(telemedicine)
    falls = PublishedCaseStudyFactory.create(
        title="Sensor lighting on older people's wards",
        summary="Estates fitted lights from bed to bathroom.",
        problem="Falls at night on the way to the bathroom.",
        outcome_area=OutcomeArea.SAFETY,
        corporate_services=["estates"],
        clinical_areas=["Older people's wards"],
    )
    falls.interventions.add(lighting)
    hiring = PublishedCaseStudyFactory.create(
        title="Recruiting for values",
        summary="Interviews written with patients.",
        learning="Interviewing for values kept new starters; telemedicine was not involved.",
        outcome_area=OutcomeArea.WORKFORCE,
        corporate_services=["hr_workforce"],
        clinical_areas=["Emergency department"],
    )
    return {"video": video, "falls": falls, "hiring": hiring}


def _titles(found: object) -> list[str]:
    assert hasattr(found, "__iter__")
    return [case_study.title for case_study in found]


def test_a_word_finds_the_case_studies_that_use_it_title_matches_first(
    library: dict[str, CaseStudy],
) -> None:
    found = _titles(case_studies_search("telemedicine"))

    assert found == [library["video"].title, library["hiring"].title]


def test_every_word_must_match(library: dict[str, CaseStudy]) -> None:
    assert _titles(case_studies_search("telemedicine diabetes")) == [library["video"].title]
    assert _titles(case_studies_search("telemedicine bathroom")) == []


def test_plurals_and_ing_forms_find_their_stems(library: dict[str, CaseStudy]) -> None:
    assert _titles(case_studies_search("fall")) == [library["falls"].title]
    assert _titles(case_studies_search("lights")) == [library["falls"].title]
    assert _titles(case_studies_search("interviewing")) == [library["hiring"].title]


def test_case_does_not_matter_and_odd_punctuation_is_harmless(
    library: dict[str, CaseStudy],
) -> None:
    assert _titles(case_studies_search("SENSOR")) == [library["falls"].title]
    assert _titles(case_studies_search('"sensor -" OR (')) == [library["falls"].title]


def test_an_empty_query_lists_every_published_case_study(library: dict[str, CaseStudy]) -> None:
    assert len(case_studies_search("  ")) == 3


def test_unpublished_case_studies_and_those_of_hidden_teams_never_appear(
    library: dict[str, CaseStudy],
) -> None:
    for status in (
        CaseStudy.Status.DRAFT,
        CaseStudy.Status.IN_REVIEW,
        CaseStudy.Status.CHANGES_REQUESTED,
    ):
        CaseStudyFactory.create(title=f"Telemedicine {status}", status=status)
    PublishedCaseStudyFactory.create(
        title="Telemedicine in a hidden team", team=TeamFactory.create(is_published=False)
    )

    assert _titles(case_studies_search("telemedicine")) == [
        library["video"].title,
        library["hiring"].title,
    ]
    assert len(case_studies_search("")) == 3


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (CaseStudyFilters(innovation="telemedicine"), ["video"]),
        (CaseStudyFilters(outcome_area=OutcomeArea.SAFETY), ["falls"]),
        (CaseStudyFilters(corporate_service="estates"), ["video", "falls"]),
        (CaseStudyFilters(corporate_service="it_digital"), ["video"]),
        (CaseStudyFilters(clinical_area="Older people's wards"), ["falls"]),
        (CaseStudyFilters(clinical_area="Older"), []),
        (CaseStudyFilters(corporate_service="estates", outcome_area=OutcomeArea.ACCESS), ["video"]),
        (CaseStudyFilters(innovation="no-such-intervention"), []),
    ],
)
def test_filters_narrow_the_results(
    library: dict[str, CaseStudy], filters: CaseStudyFilters, expected: list[str]
) -> None:
    found = set(_titles(case_studies_search("", filters)))

    assert found == {library[key].title for key in expected}


def test_a_filter_narrows_a_search(library: dict[str, CaseStudy]) -> None:
    found = case_studies_search("telemedicine", CaseStudyFilters(outcome_area="workforce"))

    assert _titles(found) == [library["hiring"].title]


def test_the_filters_offer_what_the_published_library_holds(
    library: dict[str, CaseStudy],
) -> None:
    hidden = InterventionFactory.create(name="Only in drafts")
    CaseStudyFactory.create(clinical_areas=["Draft ward"]).interventions.add(hidden)

    assert list(library_interventions().order_by("name").values_list("slug", flat=True)) == [
        "sensor-lighting",
        "telemedicine",
    ]
    assert library_clinical_areas() == [
        "Diabetes",
        "Emergency department",
        "Older people's wards",
        "Outpatients",
    ]


def test_search_terms_drop_common_words_and_strip_endings() -> None:
    assert search_terms("How the wards reduced Falls, interviewing") == [
        "ward",
        "reduced",
        "fall",
        "interview",
    ]
