"""Board reports of a round: requested by staff, generated in the background as HTML and PDF.

A report moves queued -> running -> ready, or -> failed with the error; it is never left
ready with half its output. Generating first brings the round's evidence rows up to date
with the data, so the report reads what the database holds at that moment.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone

from sharedpurpose.core.audit import audit_record
from sharedpurpose.core.pdf import pdf_from_html
from sharedpurpose.programmes.models import Round
from sharedpurpose.spc import SpcInputError

from ..models import InterventionUse, ProgrammeReport
from ..report_data import ReportData, report_data_build
from ..report_tasks import programme_report_generate
from .compute import evidence_compute_for_use

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User

logger = logging.getLogger(__name__)

#: A report still queued or running after this long is taken as lost (a stopped worker):
#: it no longer stops staff from asking for a new one.
PENDING_REPORT_LIFETIME = timedelta(minutes=30)

#: What the stored HTML may load when served: its own <style> and data: images, no scripts.
REPORT_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

PENDING_STATUSES = (ProgrammeReport.Status.QUEUED, ProgrammeReport.Status.RUNNING)


def _scope(round_: Round) -> str:
    return f"programme:{round_.programme_id}"


# --------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------


def reports_of_round(*, round_: Round) -> QuerySet[ProgrammeReport]:
    return ProgrammeReport.objects.filter(round=round_).select_related("requested_by")


def report_ready_get(*, report_id: int) -> ProgrammeReport:
    """A ready report with its round and programme; 404 for any other."""
    return get_object_or_404(
        ProgrammeReport.objects.select_related("round__programme"),
        pk=report_id,
        status=ProgrammeReport.Status.READY,
    )


def report_pdf_filename(report: ProgrammeReport) -> str:
    """``<programme>-<round>-report-<date>.pdf``, dated when the report was finished."""
    round_ = report.round
    finished = timezone.localdate(report.finished_at or report.requested_at)
    return f"{round_.programme.slug}-{round_.slug}-report-{finished:%Y-%m-%d}.pdf"


# --------------------------------------------------------------------------
# Asking for a report
# --------------------------------------------------------------------------


def report_request(*, actor: User, round_: Round) -> ProgrammeReport:
    """Queue a new report of ``round_``; the task starts once this transaction commits."""
    with transaction.atomic():
        # Lock the round so two clicks at once cannot both find nothing pending.
        Round.objects.select_for_update().filter(pk=round_.pk).first()
        pending = ProgrammeReport.objects.filter(
            round=round_,
            status__in=PENDING_STATUSES,
            requested_at__gt=timezone.now() - PENDING_REPORT_LIFETIME,
        )
        if pending.exists():
            raise ValidationError(
                "A report of this round is already being generated. Wait for it to finish "
                "before asking for another."
            )
        report = ProgrammeReport.objects.create(round=round_, requested_by=actor)
        audit_record(
            actor=actor,
            action="report.request",
            obj=report,
            scope=_scope(round_),
            summary=f"Asked for a board report of {round_}",
        )
        report_id = report.pk
        transaction.on_commit(lambda: programme_report_generate.enqueue(report_id=report_id))
    return report


# --------------------------------------------------------------------------
# Generating it
# --------------------------------------------------------------------------


def report_html_render(data: ReportData) -> str:
    return render_to_string("evidence/report_document.html", {"report": data})


def _report_start(report_id: int) -> ProgrammeReport | None:
    """Mark the report running and return it; None when it is already ready."""
    with transaction.atomic():
        report = (
            ProgrammeReport.objects.select_for_update()
            .select_related("round__programme")
            .get(pk=report_id)
        )
        if report.status == ProgrammeReport.Status.READY:
            return None
        report.status = ProgrammeReport.Status.RUNNING
        report.started_at = timezone.now()
        report.finished_at = None
        report.error = ""
        report.save(update_fields=["status", "started_at", "finished_at", "error"])
    return report


def _evidence_refresh(round_: Round) -> None:
    """Recompute the evidence of every use of an intervention in the round, so no row is
    older than the data it describes."""
    uses = InterventionUse.objects.filter(change_idea__goal__team__round=round_).select_related(
        "change_idea"
    )
    for use in uses:
        try:
            evidence_compute_for_use(use)
        except SpcInputError:
            # One measure the engine refuses must not cost the board the whole report: the
            # use keeps the rows it has, and the log says which one could not be recomputed.
            logger.warning("Evidence of intervention use %s could not be recomputed", use.pk)


def _report_fail(report: ProgrammeReport, error: Exception) -> None:
    if report.pdf:
        report.pdf.delete(save=False)
    report.status = ProgrammeReport.Status.FAILED
    report.error = f"{type(error).__name__}: {error}"[:2000]
    report.html = ""
    report.pdf = ""
    report.finished_at = timezone.now()
    report.save(update_fields=["status", "error", "html", "pdf", "finished_at"])
    audit_record(
        actor=None,
        action="report.fail",
        obj=report,
        scope=_scope(report.round),
        summary=f"The board report of {report.round} failed: {report.error}",
    )


def report_generate(*, report_id: int) -> ProgrammeReport:
    """Generate the report's HTML and PDF; a ready report is left as it is."""
    report = _report_start(report_id)
    if report is None:
        return ProgrammeReport.objects.get(pk=report_id)
    round_ = report.round
    try:
        _evidence_refresh(round_)
        data = report_data_build(round_=round_, generated_at=report.started_at or timezone.now())
        html = report_html_render(data)
        pdf = pdf_from_html(html)
        report.html = html
        report.finished_at = timezone.now()
        report.pdf.save(report_pdf_filename(report), ContentFile(pdf), save=False)
        report.status = ProgrammeReport.Status.READY
        report.save(update_fields=["html", "pdf", "status", "finished_at"])
    except Exception as error:
        logger.exception("Board report %s failed", report_id)
        _report_fail(report, error)
        return report
    audit_record(
        actor=None,
        action="report.ready",
        obj=report,
        scope=_scope(round_),
        summary=f"The board report of {round_} is ready",
    )
    return report
