"""Background work of board reports: unpack the id, call the service."""

from __future__ import annotations

from django_tasks import task


@task()
def programme_report_generate(*, report_id: int) -> str:
    """Generate the report's HTML and PDF; returns the status it ends in."""
    from .services.reports import report_generate

    return str(report_generate(report_id=report_id).status)
