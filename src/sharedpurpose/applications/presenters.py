"""Applications shown to people: the answers as read-only summaries (pages and the PDF) and
each section's progress for the task list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.urls import reverse

from .answers import answer_is_empty
from .models import Answer, Application, FormSection, Question, QuestionKind

NOT_STARTED = "Not started"
IN_PROGRESS = "In progress"
COMPLETED = "Completed"


@dataclass(frozen=True)
class AnswerShown:
    question: Question
    #: Paragraph text, a choice, a number or a date as people read it; "" when unanswered.
    text: str = ""
    #: The chosen options of a multiple-choice question.
    items: list[str] = field(default_factory=list)
    file_name: str = ""
    file_url: str = ""

    @property
    def is_answered(self) -> bool:
        return bool(self.text or self.items or self.file_name)


@dataclass(frozen=True)
class SectionShown:
    section: FormSection
    answers: list[AnswerShown]


def _sections(application: Application) -> list[FormSection]:
    return list(
        FormSection.objects.filter(form__round=application.round_id)
        .prefetch_related("questions")
        .order_by("position", "pk")
    )


def _answers(application: Application) -> dict[int, Answer]:
    return {answer.question_id: answer for answer in application.answers.all()}


def _shown(application: Application, question: Question, answer: Answer | None) -> AnswerShown:
    if answer is None:
        return AnswerShown(question)
    if question.kind == QuestionKind.FILE:
        if not answer.file:
            return AnswerShown(question)
        url = reverse(
            "applications:answer_file",
            kwargs={"reference": application.reference, "question_id": question.pk},
        )
        return AnswerShown(question, file_name=answer.file_name, file_url=url)
    value = answer.value
    if answer_is_empty(value):
        return AnswerShown(question)
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return AnswerShown(question, items=[str(item) for item in value or []])
    if question.kind == QuestionKind.DATE:
        return AnswerShown(question, text=date.fromisoformat(str(value)).strftime("%-d %B %Y"))
    if question.kind == QuestionKind.NUMBER:
        return AnswerShown(question, text=f"{Decimal(str(value)):,f}")
    return AnswerShown(question, text=str(value))


def application_summary(application: Application) -> list[SectionShown]:
    """Every section of the round's form with each question's answer, in form order."""
    answers = _answers(application)
    return [
        SectionShown(
            section,
            [
                _shown(application, question, answers.get(question.pk))
                for question in sorted(section.questions.all(), key=lambda q: (q.position, q.pk))
            ],
        )
        for section in _sections(application)
    ]


def section_progress(application: Application) -> dict[int, str]:
    """Each section's status for the task list, by section id.

    Eligibility questions are answered before an application starts, so they do not count;
    a section made only of them is left out.
    """
    answers = _answers(application)
    progress: dict[int, str] = {}
    for section in _sections(application):
        questions = [q for q in section.questions.all() if not q.is_eligibility]
        if not questions:
            continue
        answered = {
            q.pk for q in questions if _shown(application, q, answers.get(q.pk)).is_answered
        }
        required = {q.pk for q in questions if q.required}
        if not answered:
            progress[section.pk] = NOT_STARTED
        elif required <= answered:
            progress[section.pk] = COMPLETED
        else:
            progress[section.pk] = IN_PROGRESS
    return progress
