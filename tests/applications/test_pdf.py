"""The PDF of an application's answers and who may download it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import weasyprint
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from weasyprint.formatting_structure import boxes

from sharedpurpose.applications.models import Answer, ApplicationState, QuestionKind
from sharedpurpose.applications.pdf import application_pdf
from tests.factories import UserFactory

from .factories import (
    ApplicationFactory,
    ApplicationFormFactory,
    CollaboratorFactory,
    QuestionFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


def _texts(box: Any) -> Iterator[str]:
    if isinstance(box, boxes.TextBox):
        yield box.text
    for child in getattr(box, "children", []):
        yield from _texts(child)


class _RecordingHTML(weasyprint.HTML):  # type: ignore[misc]
    """WeasyPrint's document, kept so the test can read the text that was laid out."""

    made: list[_RecordingHTML] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.made.append(self)


def _application_with_answers() -> Any:
    form = ApplicationFormFactory.create()
    section = SectionFactory.create(form=form, title="Your partnership's idea")
    aim = QuestionFactory.create(section=section, label="What will change?")
    services = QuestionFactory.create(
        section=section,
        label="Which services take part?",
        kind=QuestionKind.MULTIPLE_CHOICE,
        choices=["HR", "Finance", "Estates"],
        word_limit=None,
    )
    plan = QuestionFactory.create(
        section=section, label="Project plan", kind=QuestionKind.FILE, word_limit=None
    )
    QuestionFactory.create(section=section, label="Left blank", required=False)
    application = ApplicationFactory.create(
        round=form.round,
        title="Ward-to-board recruitment",
        state=ApplicationState.SUBMITTED,
        submitted_at=timezone.now(),
    )
    application.organisations.create(name="Northmoor Council", kind="Council", role="partner")
    CollaboratorFactory.create(application=application, user__full_name="Nia Okoro")
    Answer.objects.create(application=application, question=aim, value="Hiring in 20 days")
    Answer.objects.create(application=application, question=services, value=["HR", "Finance"])
    Answer.objects.create(
        application=application, question=plan, file="applications/x/plan", file_name="plan.pdf"
    )
    return application


def test_the_pdf_holds_the_partnership_and_every_answer(monkeypatch: Any) -> None:
    application = _application_with_answers()
    _RecordingHTML.made.clear()
    monkeypatch.setattr(weasyprint, "HTML", _RecordingHTML)

    pdf = application_pdf(application)

    assert pdf.startswith(b"%PDF-")
    [document] = _RecordingHTML.made
    text = " ".join(t for page in document.render().pages for t in _texts(page._page_box))
    for expected in (
        "Ward-to-board recruitment",
        application.reference,
        "Submitted",
        "(Europe/London)",
        "Northmoor Council",
        "Nia Okoro",
        "Your partnership's idea",
        "What will change?",
        "Hiring in 20 days",
        "Finance",
        "File: plan.pdf",
        "Not answered",
    ):
        assert expected in text, expected


def test_members_and_staff_download_the_pdf_outsiders_get_404(client: Client) -> None:
    application = _application_with_answers()
    url = reverse("applications:pdf", args=[application.reference])
    collaborator = application.members.get(is_lead_applicant=False).user

    client.force_login(collaborator)
    response = client.get(url)
    client.force_login(UserFactory.create())
    outsider = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{application.reference}.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")
    assert outsider.status_code == 404
