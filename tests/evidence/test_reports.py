"""Board reports generated in the background: the task, its failure path and the PDF's text."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from sharedpurpose.core.models import AuditEvent
from sharedpurpose.evidence.models import EvidenceRow, ProgrammeReport
from sharedpurpose.evidence.rollups import EMERGING, MODERATE
from sharedpurpose.evidence.services import reports as report_services
from sharedpurpose.evidence.services.reports import (
    report_generate,
    report_pdf_filename,
    report_request,
)
from sharedpurpose.improvement.models import Goal
from sharedpurpose.programmes.models import Round
from sharedpurpose.spc import SpcInputError
from tests.factories import ProgrammeFactory, RoundFactory, TeamFactory
from tests.programmes.factories_rounds import staff_create

from .factories import BASELINE, STEP_DOWN, InterventionFactory, site_with

pytestmark = pytest.mark.django_db


def _round_with_evidence() -> Round:
    """Two interventions used by three teams of one round, one team unpublished."""
    programme = ProgrammeFactory.create(slug="closing-the-gap", name="Closing the Gap")
    round_ = RoundFactory.create(programme=programme, slug="round-3", number=3)
    huddles = InterventionFactory.create(name="Microsystem coaching")
    telemedicine = InterventionFactory.create(name="Telemedicine clinics")
    for name, published in (("Northmoor", True), ("Riverside", False)):
        team = TeamFactory.create(round=round_, name=name, is_published=published)
        site_with(huddles, BASELINE + STEP_DOWN, team=team)
    site_with(telemedicine, BASELINE + STEP_DOWN, team=TeamFactory.create(round=round_))
    Goal.objects.filter(team__name="Riverside").update(
        aim_what="Cut missed outpatient appointments", aim_how_much="by a quarter"
    )
    return round_


def _pdf_text(report: ProgrammeReport) -> str:
    with report.pdf.open("rb") as pdf:
        reader = PdfReader(io.BytesIO(pdf.read()))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_a_requested_report_is_generated_as_html_and_pdf(
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Given a round whose teams use two interventions, and no evidence rows computed yet
    round_ = _round_with_evidence()
    staff = staff_create(full_name="Priya Shah")
    assert not EvidenceRow.objects.exists()

    # When staff ask for a report (the task runs once the request commits)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(actor=staff, round_=round_)

    # Then it is ready, with the HTML stored and a PDF in private storage
    report.refresh_from_db()
    assert report.status == ProgrammeReport.Status.READY
    assert report.requested_by == staff
    assert report.started_at is not None and report.finished_at is not None
    assert report.error == ""
    assert "<h1>Closing the Gap</h1>" in report.html
    assert "<script" not in report.html
    with report.pdf.open("rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    assert report.pdf.name.startswith("reports/closing-the-gap-round-3-report-")
    # The evidence was brought up to date with the data before it was read
    assert EvidenceRow.objects.count() == 3
    assert set(
        AuditEvent.objects.filter(object_id=str(report.pk)).values_list("action", flat=True)
    ) == {"report.request", "report.ready"}


def test_the_pdf_says_what_the_data_say_for_each_intervention_and_how_strongly(
    django_capture_on_commit_callbacks: Any,
) -> None:
    round_ = _round_with_evidence()
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(actor=staff_create(), round_=round_)
    report.refresh_from_db()

    text = _pdf_text(report)

    assert "Board report" in text and "Closing the Gap" in text
    assert "Microsystem coaching" in text and "Telemedicine clinics" in text
    assert f"Strength of evidence: {MODERATE}" in text
    assert f"Strength of evidence: {EMERGING}" in text
    assert "Sustained improvement at 2 of 2 sites." in text
    # Unpublished teams are in the board's report, with their goals' aims
    assert "Riverside" in text
    assert "Cut missed outpatient appointments by a quarter by March 2026" in text
    assert "Making Data Count summary" in text and "Consistently passing" in text
    assert "How to read this report" in text
    assert "Strong: sustained improvement at 3 or more sites" in text
    assert "Reproducible: computed from the data in the database on" in text
    assert "evidence rules version" in text


def test_a_failure_is_recorded_with_its_error_and_leaves_no_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    round_ = RoundFactory.create()
    report = ProgrammeReport.objects.create(round=round_)

    def broken(html: str) -> bytes:
        raise RuntimeError("The PDF engine is missing a font")

    monkeypatch.setattr(report_services, "pdf_from_html", broken)

    result = report_generate(report_id=report.pk)

    report.refresh_from_db()
    assert result.status == report.status == ProgrammeReport.Status.FAILED
    assert report.error == "RuntimeError: The PDF engine is missing a font"
    assert report.html == "" and not report.pdf
    assert report.finished_at is not None
    assert AuditEvent.objects.filter(object_id=str(report.pk), action="report.fail").exists()


def test_a_failure_after_the_pdf_is_saved_removes_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = ProgrammeReport.objects.create(round=RoundFactory.create())
    monkeypatch.setattr(report_services, "pdf_from_html", lambda html: b"%PDF-1.7 tiny")
    saved: list[str] = []
    original_save = ProgrammeReport.save

    def save_then_fail(self: ProgrammeReport, *args: Any, **kwargs: Any) -> None:
        if self.status == ProgrammeReport.Status.READY:
            saved.append(self.pdf.name)
            raise RuntimeError("database went away")
        original_save(self, *args, **kwargs)

    monkeypatch.setattr(ProgrammeReport, "save", save_then_fail)

    report_generate(report_id=report.pk)

    report.refresh_from_db()
    assert report.status == ProgrammeReport.Status.FAILED and not report.pdf
    assert saved and not report.pdf.storage.exists(saved[0])


def test_generating_a_ready_report_again_leaves_it_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = ProgrammeReport.objects.create(round=RoundFactory.create())
    monkeypatch.setattr(report_services, "pdf_from_html", lambda html: b"%PDF-1.7 tiny")
    report_generate(report_id=report.pk)
    report.refresh_from_db()
    first = (report.pdf.name, report.finished_at, report.html)

    def must_not_run(html: str) -> bytes:
        raise AssertionError("a ready report was generated again")

    monkeypatch.setattr(report_services, "pdf_from_html", must_not_run)
    again = report_generate(report_id=report.pk)

    report.refresh_from_db()
    assert again.status == ProgrammeReport.Status.READY
    assert (report.pdf.name, report.finished_at, report.html) == first


def test_a_failed_report_generated_again_can_succeed(monkeypatch: pytest.MonkeyPatch) -> None:
    report = ProgrammeReport.objects.create(
        round=RoundFactory.create(), status=ProgrammeReport.Status.FAILED, error="Earlier"
    )
    monkeypatch.setattr(report_services, "pdf_from_html", lambda html: b"%PDF-1.7 tiny")

    report_generate(report_id=report.pk)

    report.refresh_from_db()
    assert report.status == ProgrammeReport.Status.READY and report.error == ""


def test_a_report_being_generated_stops_another_being_requested() -> None:
    round_ = RoundFactory.create()
    staff = staff_create()
    ProgrammeReport.objects.create(round=round_, status=ProgrammeReport.Status.RUNNING)

    with pytest.raises(ValidationError, match="already being generated"):
        report_request(actor=staff, round_=round_)

    # A report of another round does not count
    assert report_request(actor=staff, round_=RoundFactory.create()).status == "queued"


def test_a_report_pending_for_too_long_no_longer_blocks_a_new_one() -> None:
    round_ = RoundFactory.create()
    lost = ProgrammeReport.objects.create(round=round_, status=ProgrammeReport.Status.QUEUED)
    ProgrammeReport.objects.filter(pk=lost.pk).update(
        requested_at=timezone.now() - report_services.PENDING_REPORT_LIFETIME - timedelta(minutes=1)
    )

    report = report_request(actor=staff_create(), round_=round_)

    assert report.pk != lost.pk


def test_the_pdf_is_named_after_the_programme_round_and_date() -> None:
    programme = ProgrammeFactory.create(slug="closing-the-gap")
    round_ = RoundFactory.create(programme=programme, slug="round-3")
    report = ProgrammeReport.objects.create(round=round_)
    report.finished_at = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)

    assert report_pdf_filename(report) == "closing-the-gap-round-3-report-2025-06-02.pdf"


def test_a_use_the_engine_cannot_recompute_does_not_cost_the_whole_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    round_ = _round_with_evidence()
    report = ProgrammeReport.objects.create(round=round_)
    monkeypatch.setattr(report_services, "pdf_from_html", lambda html: b"%PDF-1.7 tiny")

    def refused(use: object) -> int:
        raise SpcInputError("improvement_direction must be increase, decrease or neutral")

    monkeypatch.setattr(report_services, "evidence_compute_for_use", refused)

    report_generate(report_id=report.pk)

    report.refresh_from_db()
    assert report.status == ProgrammeReport.Status.READY
    assert "Microsystem coaching" in report.html
    assert "No evidence has been computed from the goal&#x27;s measures." in report.html
