"""Board reports of a round: the staff list, each report's HTML and its PDF."""

from __future__ import annotations

from django.urls import URLPattern, path

from ..views import reports

urlpatterns: list[URLPattern] = [
    path(
        "manage/programmes/<slug:programme_slug>/rounds/<slug:round_slug>/reports/",
        reports.reports,
        name="reports",
    ),
    path("manage/reports/<int:report_id>/", reports.report, name="report"),
    path("manage/reports/<int:report_id>/report.pdf", reports.report_pdf, name="report_pdf"),
]
