"""Staff pages of board reports: ask for one, watch it being generated, read and download it.

The list refreshes itself with htmx while a report is queued or running (the partial
``reports_list.html``); without JavaScript a reload shows the same.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_safe

from sharedpurpose.core.web import request_actor, staff_required
from sharedpurpose.programmes.models import Round
from sharedpurpose.programmes.selectors import round_staff_get

from ..models import ProgrammeReport
from ..services.reports import (
    PENDING_STATUSES,
    REPORT_CONTENT_SECURITY_POLICY,
    report_pdf_filename,
    report_ready_get,
    report_request,
    reports_of_round,
)


def _reports_url(round_: Round) -> str:
    return reverse(
        "evidence:reports",
        kwargs={"programme_slug": round_.programme.slug, "round_slug": round_.slug},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def reports(request: HttpRequest, programme_slug: str, round_slug: str) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    error = ""
    if request.method == "POST":
        try:
            report_request(actor=request_actor(request), round_=round_)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"A new board report of {round_.name} has been requested.")
            return redirect(_reports_url(round_))
    round_reports = list(reports_of_round(round_=round_))
    pending = any(report.status in PENDING_STATUSES for report in round_reports)
    partial = request.headers.get("HX-Request") == "true" and request.method != "POST"
    response = render(
        request,
        "evidence/reports_list.html" if partial else "evidence/reports.html",
        {
            "round": round_,
            "programme": round_.programme,
            "reports": round_reports,
            "pending": pending,
            "reports_url": _reports_url(round_),
            "request_error": error,
        },
        status=400 if error else 200,
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _ready_report_get(request: HttpRequest, report_id: int) -> ProgrammeReport:
    """A ready report of a round whose programme the person runs; 404 for any other."""
    ready = report_ready_get(report_id=report_id)
    round_staff_get(
        user=request.user, programme_slug=ready.round.programme.slug, round_slug=ready.round.slug
    )
    return ready


@require_safe
@staff_required
def report(request: HttpRequest, report_id: int) -> HttpResponse:
    """The stored HTML as it is: a standalone document allowed its own styles, nothing else."""
    ready = _ready_report_get(request, report_id)
    response = HttpResponse(ready.html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = REPORT_CONTENT_SECURITY_POLICY
    return response


@require_safe
@staff_required
def report_pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    ready = _ready_report_get(request, report_id)
    if not ready.pdf or not ready.pdf.storage.exists(ready.pdf.name):
        raise Http404("The report's PDF is missing.")
    with ready.pdf.open("rb") as pdf:
        response = HttpResponse(pdf.read(), content_type="application/pdf")
    # The name is made of slugs and a date: plain ASCII, safe to quote as it is.
    response["Content-Disposition"] = f'attachment; filename="{report_pdf_filename(ready)}"'
    return response
