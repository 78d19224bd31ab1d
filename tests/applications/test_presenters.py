from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from sharedpurpose.applications.models import Answer, QuestionKind
from sharedpurpose.applications.presenters import (
    COMPLETED,
    IN_PROGRESS,
    NOT_STARTED,
    application_summary,
    section_progress,
)

from .factories import (
    ApplicationFactory,
    EligibilityQuestionFactory,
    QuestionFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


def test_sections_are_not_started_in_progress_or_completed_by_required_answers() -> None:
    application = ApplicationFactory.create()
    form_round = application.round
    eligibility = EligibilityQuestionFactory.create(section__form__round=form_round)
    untouched = SectionFactory.create(form=eligibility.section.form)
    QuestionFactory.create(section=untouched)
    partly = SectionFactory.create(form=untouched.form)
    first = QuestionFactory.create(section=partly)
    QuestionFactory.create(section=partly)
    done = SectionFactory.create(form=untouched.form)
    needed = QuestionFactory.create(section=done)
    QuestionFactory.create(section=done, required=False)
    Answer.objects.create(application=application, question=eligibility, value="Yes")
    Answer.objects.create(application=application, question=first, value="Some words")
    Answer.objects.create(application=application, question=needed, value="Done")

    assert section_progress(application) == {
        untouched.pk: NOT_STARTED,
        partly.pk: IN_PROGRESS,
        done.pk: COMPLETED,
    }


def test_the_summary_shows_each_kind_as_people_read_it(settings: object, tmp_path: object) -> None:
    application = ApplicationFactory.create()
    section = SectionFactory.create(form__round=application.round, title="Plan")
    kinds = {
        QuestionKind.LONG_TEXT: "We will redesign recruitment.",
        QuestionKind.MULTIPLE_CHOICE: ["HR", "Finance"],
        QuestionKind.NUMBER: "250000.5",
        QuestionKind.DATE: "2027-03-31",
    }
    for kind, value in kinds.items():
        question = QuestionFactory.create(section=section, kind=kind, label=kind.label)
        Answer.objects.create(application=application, question=question, value=value)
    upload = QuestionFactory.create(section=section, kind=QuestionKind.FILE, label="Budget")
    answer = Answer(application=application, question=upload, file_name="budget.pdf")
    answer.file.save("x", ContentFile(b"%PDF-1.7"), save=False)
    answer.save()
    QuestionFactory.create(section=section, label="Unanswered")

    [shown] = application_summary(application)

    assert shown.section == section
    text, choices, number, when, budget, empty = shown.answers
    assert text.text == "We will redesign recruitment."
    assert choices.items == ["HR", "Finance"]
    assert number.text == "250,000.5"
    assert when.text == "31 March 2027"
    assert budget.file_name == "budget.pdf"
    assert budget.file_url == f"/applications/{application.reference}/answers/{upload.pk}/file/"
    assert not empty.is_answered
    answer.file.delete(save=False)
