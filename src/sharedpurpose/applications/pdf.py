"""An application's answers as a PDF: attached to the confirmation e-mail and downloadable by
everyone who may read the application."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from sharedpurpose.core.pdf import pdf_from_html
from sharedpurpose.programmes.dates import when_local

from .models import Application, ApplicationOrganisation
from .presenters import application_summary


def application_pdf_context(application: Application) -> dict[str, Any]:
    round_ = application.round
    organisations = list(application.organisations.all())
    return {
        "application": application,
        "round": round_,
        "programme": round_.programme,
        "submitted_at": (
            when_local(application.submitted_at, round_.timezone)
            if application.submitted_at
            else ""
        ),
        "printed_at": when_local(timezone.now(), round_.timezone),
        "lead_organisation": next(
            (o for o in organisations if o.role == ApplicationOrganisation.Role.LEAD), None
        ),
        "partners": [o for o in organisations if o.role == ApplicationOrganisation.Role.PARTNER],
        "members": list(application.members.select_related("user")),
        "summary": application_summary(application),
    }


def application_pdf(application: Application) -> bytes:
    """The PDF of ``application``: its partnership and every section's answers."""
    return pdf_from_html(
        render_to_string("applications/application_pdf.html", application_pdf_context(application))
    )
