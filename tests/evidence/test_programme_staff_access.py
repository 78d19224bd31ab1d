"""Staff of one programme review its case studies and read its board reports, and find none
of another programme's; the intervention catalogue, shared by every programme, is kept by the
funder's staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from sharedpurpose.accounts.models import User
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.evidence.models import CaseStudy, Intervention, ProgrammeReport
from sharedpurpose.evidence.services import case_studies as case_study_services
from sharedpurpose.programmes.models import Round
from tests.factories import RoundFactory, TeamFactory, UserFactory
from tests.programmes.factories_rounds import staff_create
from tests.programmes.factories_staff import programme_staff_create

from .case_study_factories import CaseStudyFactory
from .factories import InterventionFactory

pytestmark = pytest.mark.django_db


@dataclass
class ProgrammeWorld:
    round: Round
    in_review: CaseStudy
    report: ProgrammeReport
    staff: User


def _programme_world(name: str) -> ProgrammeWorld:
    round_ = RoundFactory.create(programme__name=name, name=f"{name} round")
    report = ProgrammeReport.objects.create(
        round=round_,
        status=ProgrammeReport.Status.READY,
        html=f"<!DOCTYPE html><html lang='en-GB'><title>{name} board report</title></html>",
        finished_at=datetime(2025, 6, 2, 12, 0, tzinfo=UTC),
    )
    report.pdf.save(f"{name}.pdf", ContentFile(b"%PDF-1.7 a board report"))
    return ProgrammeWorld(
        round=round_,
        in_review=CaseStudyFactory.create(
            team=TeamFactory.create(round=round_),
            title=f"{name} case study",
            status=CaseStudy.Status.IN_REVIEW,
        ),
        report=report,
        staff=programme_staff_create(round_.programme),
    )


@pytest.fixture
def alder() -> ProgrammeWorld:
    return _programme_world("Alder")


@pytest.fixture
def birch() -> ProgrammeWorld:
    return _programme_world("Birch")


def _review(case_study: CaseStudy) -> str:
    return reverse("evidence:case_study_review", kwargs={"slug": case_study.slug})


def test_the_review_list_holds_only_case_studies_of_programmes_they_run(
    client: Client, alder: ProgrammeWorld, birch: ProgrammeWorld
) -> None:
    client.force_login(alder.staff)

    html = client.get(reverse("evidence:review_queue")).content.decode()

    assert "Alder case study" in html
    assert "Birch case study" not in html


def test_staff_of_another_programme_cannot_open_or_publish_its_case_studies(
    client: Client, alder: ProgrammeWorld, birch: ProgrammeWorld
) -> None:
    client.force_login(alder.staff)

    assert client.get(_review(birch.in_review)).status_code == 404
    assert client.post(_review(birch.in_review), {"action": "published"}).status_code == 404
    with pytest.raises(PermissionDenied):
        case_study_services.case_study_move(
            actor=alder.staff, case_study=birch.in_review, action="published"
        )

    birch.in_review.refresh_from_db()
    assert birch.in_review.status == CaseStudy.Status.IN_REVIEW
    assert not birch.in_review.reviews.exists()
    assert not AuditEvent.objects.exists()


def test_staff_of_one_programme_publish_its_case_studies(
    client: Client, alder: ProgrammeWorld
) -> None:
    client.force_login(alder.staff)

    assert "Alder case study" in client.get(_review(alder.in_review)).content.decode()
    assert client.post(_review(alder.in_review), {"action": "published"}).status_code == 302

    alder.in_review.refresh_from_db()
    assert alder.in_review.status == CaseStudy.Status.PUBLISHED
    assert alder.in_review.reviews.get().actor == alder.staff


def test_the_intervention_catalogue_is_kept_by_staff_of_every_programme(
    client: Client, alder: ProgrammeWorld
) -> None:
    intervention = InterventionFactory.create(name="Telemedicine", slug="telemedicine")
    edit = reverse("evidence:manage_intervention_edit", args=[intervention.slug])
    create = reverse("evidence:manage_intervention_create")
    client.force_login(alder.staff)

    responses = [
        client.get(reverse("evidence:manage_interventions")),
        client.get(create),
        client.post(create, {"name": "Ours", "summary": "Ours."}),
        client.get(edit),
        client.post(edit, {"name": "Renamed", "summary": "Renamed."}),
    ]

    for response in responses:
        assert response.status_code == 403
        assert "only staff of every programme manage it" in response.content.decode()
    assert list(Intervention.objects.values_list("name", flat=True)) == ["Telemedicine"]

    client.force_login(staff_create())
    assert client.get(edit).status_code == 200


def _report_urls(world: ProgrammeWorld) -> list[str]:
    return [
        reverse(
            "evidence:reports",
            kwargs={"programme_slug": world.round.programme.slug, "round_slug": world.round.slug},
        ),
        reverse("evidence:report", kwargs={"report_id": world.report.pk}),
        reverse("evidence:report_pdf", kwargs={"report_id": world.report.pk}),
    ]


def test_board_reports_are_read_only_by_their_programmes_staff(
    client: Client, alder: ProgrammeWorld, birch: ProgrammeWorld
) -> None:
    client.force_login(alder.staff)

    for url in _report_urls(alder):
        assert client.get(url).status_code == 200, url
    for url in _report_urls(birch):
        assert client.get(url).status_code == 404, url
    assert client.post(_report_urls(birch)[0]).status_code == 404
    assert list(ProgrammeReport.objects.filter(round=birch.round)) == [birch.report]


@pytest.mark.parametrize("who", ["funder staff", "administrator"])
def test_funder_staff_and_administrators_still_review_and_report_on_every_programme(
    client: Client, alder: ProgrammeWorld, birch: ProgrammeWorld, who: str
) -> None:
    person = staff_create() if who == "funder staff" else UserFactory.create(is_superuser=True)
    client.force_login(person)

    queue = client.get(reverse("evidence:review_queue")).content.decode()

    assert "Alder case study" in queue and "Birch case study" in queue
    for url in [*_report_urls(alder), *_report_urls(birch), _review(birch.in_review)]:
        assert client.get(url).status_code == 200, url
