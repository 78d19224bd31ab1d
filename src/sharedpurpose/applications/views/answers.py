"""Answering an application one section at a time: the section page, its autosave, and the
uploaded files (streamed only to people who may see the application).

Every page gets its application through ``access.application_get_for``; the save itself is
``services.answers.section_answers_save``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sharedpurpose.core.web import form_add_service_error, request_actor

from ..access import AppCapability, application_get_for
from ..answers import DEFAULT_MAX_FILE_MB, FILE_EXTENSIONS, word_count
from ..forms.answers import (
    DATE_PARTS,
    AnswerBase,
    FileRemoveForm,
    SectionAnswersForm,
    loaded_field_name,
    version_field_name,
)
from ..lifecycle import EDITABLE_STATES
from ..models import Answer, Application, ApplicationState, FileType, FormSection, Question
from ..models import QuestionKind as Kind
from ..services import answers as services
from ..services.answers import AnswerConflict, AnswersNotSaved, answer_field_name

#: The Save button that goes on to the next section (the other returns to the application).
NEXT_SECTION = "continue"


# --------------------------------------------------------------------------
# Presenters
# --------------------------------------------------------------------------


def _words(count: int) -> str:
    return f"{count} word{'' if count == 1 else 's'}"


def _number(value: Decimal) -> str:
    return f"{value.normalize():,f}"


def _or_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def value_shown(question: Question, answer: Answer | None) -> str:
    """An answer as one line of text, for showing someone else's version of it."""
    if answer is None:
        return ""
    if question.kind == Kind.FILE:
        return answer.file_name if answer.file else ""
    value = answer.value
    if value in (None, "", []):
        return ""
    if question.kind == Kind.MULTIPLE_CHOICE:
        return ", ".join(str(item) for item in value or [])
    if question.kind == Kind.DATE:
        try:
            return date.fromisoformat(str(value)).strftime("%-d %B %Y")
        except ValueError:
            return str(value)
    return str(value)


@dataclass(frozen=True)
class ChoiceShown:
    value: str
    input_id: str
    checked: bool


@dataclass
class QuestionInput:
    """One question of the section page, as its template lays it out."""

    question: Question
    bound: BoundField
    answer: Answer | None
    application: Application
    disabled: bool
    conflict: AnswerConflict | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def template(self) -> str:
        return f"applications/_question_{self.question.kind}.html"

    @property
    def input_id(self) -> str:
        return str(self.bound.auto_id)

    @property
    def name(self) -> str:
        return self.bound.html_name

    @property
    def hint_id(self) -> str:
        return f"{self.input_id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.input_id}-error"

    @property
    def info_id(self) -> str:
        return f"{self.input_id}-info"

    @property
    def has_hint(self) -> bool:
        return bool(self.question.help_text or self.kind_hint)

    @property
    def kind_hint(self) -> str:
        """What the kind of question asks for, after the question's own help text."""
        question = self.question
        if question.kind == Kind.FILE:
            return self.file_hint
        if question.kind == Kind.DATE:
            return "For example, 31 3 2027."
        if question.kind == Kind.NUMBER:
            low, high = question.min_value, question.max_value
            if low is not None and high is not None:
                return f"Enter a number from {_number(low)} to {_number(high)}."
            if low is not None:
                return f"Enter {_number(low)} or more."
            if high is not None:
                return f"Enter {_number(high)} or less."
        if question.kind == Kind.MULTIPLE_CHOICE:
            return "Select all that apply."
        return ""

    @property
    def described_by(self) -> str:
        ids = [self.hint_id] if self.has_hint else []
        if self.question.kind == Kind.LONG_TEXT and self.question.word_limit:
            ids.append(self.info_id)
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids)

    @cached_property
    def value(self) -> Any:
        """What the field shows: what was typed when the form came back, else the answer."""
        value = self.bound.value()
        if self.question.kind == Kind.MULTIPLE_CHOICE:
            return [str(item) for item in value or []]
        if self.question.kind == Kind.DATE:
            return self._date_parts(value)
        return "" if value is None else str(value)

    @staticmethod
    def _date_parts(value: Any) -> dict[str, str]:
        if isinstance(value, list | tuple):
            return {part: str(v or "") for part, v in zip(DATE_PARTS, value, strict=False)}
        if isinstance(value, str) and value:
            try:
                moment = date.fromisoformat(value)
            except ValueError:
                return {}
            return {"day": str(moment.day), "month": str(moment.month), "year": str(moment.year)}
        return {}

    @property
    def date_inputs(self) -> list[tuple[str, str, str, str]]:
        """(part, label, input id, value) of the date input's three boxes; the day box has
        the field's id, so error links land on it."""
        labels = {"day": "Day", "month": "Month", "year": "Year"}
        parts = self.value if isinstance(self.value, dict) else {}
        return [
            (
                part,
                labels[part],
                self.input_id if part == "day" else f"{self.input_id}-{part}",
                parts.get(part, ""),
            )
            for part in DATE_PARTS
        ]

    @property
    def choices(self) -> list[ChoiceShown]:
        chosen = self.value if isinstance(self.value, list) else [self.value]
        return [
            ChoiceShown(
                value=str(choice),
                input_id=self.input_id if index == 0 else f"{self.input_id}-{index + 1}",
                checked=str(choice) in chosen,
            )
            for index, choice in enumerate(self.question.choices)
        ]

    @property
    def words_message(self) -> str:
        limit = self.question.word_limit
        if not limit:
            return ""
        remaining = limit - word_count(str(self.value))
        if remaining >= 0:
            return f"You have {_words(remaining)} remaining"
        return f"You have {_words(-remaining)} too many"

    @property
    def file_hint(self) -> str:
        types = [FileType(t).label for t in self.question.allowed_file_types] or [
            t.label for t in FileType
        ]
        size = self.question.max_file_mb or DEFAULT_MAX_FILE_MB
        return f"Upload a {_or_list([str(t) for t in types])}, up to {size} MB."

    @property
    def file_accept(self) -> str:
        types = [FileType(t) for t in self.question.allowed_file_types] or list(FileType)
        return ",".join(extension for t in types for extension in FILE_EXTENSIONS[t])

    @property
    def file_url(self) -> str:
        if self.answer is None or not self.answer.file:
            return ""
        return reverse(
            "applications:answer_file",
            kwargs={"reference": self.application.reference, "question_id": self.question.pk},
        )

    @property
    def file_remove_url(self) -> str:
        return reverse(
            "applications:answer_file_delete",
            kwargs={"reference": self.application.reference, "question_id": self.question.pk},
        )

    @property
    def file_size_shown(self) -> str:
        size = self.answer.file_size if self.answer else None
        if not size:
            return ""
        if size < 1024 * 1024:
            return f"{max(1, round(size / 1024))} KB"
        return f"{size / (1024 * 1024):.1f} MB"

    @property
    def their_value(self) -> str:
        if self.conflict is None:
            return ""
        return value_shown(self.question, self.conflict.answer)


class SectionPage:
    """A section of an application's form with its questions, answers and where to go next."""

    def __init__(
        self,
        *,
        application: Application,
        section: FormSection,
        capabilities: frozenset[AppCapability],
        form: SectionAnswersForm,
        answers: dict[int, Answer],
        conflicts: dict[int, AnswerConflict] | None = None,
    ) -> None:
        self.application = application
        self.section = section
        self.form = form
        self.answers = answers
        self.conflicts = conflicts or {}
        self.is_member = AppCapability.EDIT in capabilities
        self.can_edit = self.is_member and application.state in EDITABLE_STATES

    @cached_property
    def sections(self) -> list[FormSection]:
        return sections_answered_on_pages(self.application)

    @property
    def position(self) -> int:
        ids = [s.pk for s in self.sections]
        return ids.index(self.section.pk) + 1 if self.section.pk in ids else 0

    @cached_property
    def inputs(self) -> list[QuestionInput]:
        items = []
        for question in self.form.questions:
            bound = self.form[answer_field_name(question.pk)]
            items.append(
                QuestionInput(
                    question=question,
                    bound=bound,
                    answer=self.answers.get(question.pk),
                    application=self.application,
                    disabled=not self.can_edit,
                    conflict=self.conflicts.get(question.pk),
                    errors=[str(e) for e in bound.errors],
                )
            )
        return items

    @cached_property
    def bases(self) -> list[tuple[str, str, str, str]]:
        """The hidden inputs carrying each question's base: (version name, version, digest
        name, digest)."""
        bases = self.form.bases_after(self.answers, self.conflicts)
        return _base_inputs(self.form, bases)

    @property
    def error_links(self) -> list[tuple[str, str]]:
        """The error summary: (anchor, message) in page order, the form's own errors first."""
        links = [("", str(error)) for error in self.form.non_field_errors()]
        for item in self.inputs:
            links.extend((f"#{item.input_id}", f"{item.question.label}: {e}") for e in item.errors)
        return links

    @property
    def file_field_names(self) -> str:
        """The upload fields autosave leaves out (files are saved with the Save button)."""
        return ",".join(item.name for item in self.inputs if item.question.kind == Kind.FILE)

    @property
    def not_editable_reason(self) -> str:
        if self.can_edit:
            return ""
        if not self.is_member:
            return "You are reading this application's answers: only its applicants change them."
        state = ApplicationState(self.application.state).label.lower()
        return f"This application is {state}, so its answers can no longer be changed."


def _base_inputs(
    form: SectionAnswersForm, bases: dict[int, AnswerBase]
) -> list[tuple[str, str, str, str]]:
    return [
        (
            version_field_name(question.pk),
            str(bases[question.pk].version),
            loaded_field_name(question.pk),
            bases[question.pk].digest,
        )
        for question in form.questions
    ]


def sections_answered_on_pages(application: Application) -> list[FormSection]:
    """The sections of the application's form that have questions besides eligibility."""
    return list(
        FormSection.objects.filter(
            form__round=application.round_id, questions__is_eligibility=False
        )
        .distinct()
        .order_by("position", "pk")
    )


# --------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------


def _section_get(application: Application, section_id: int) -> FormSection:
    section = (
        FormSection.objects.filter(pk=section_id, form__round=application.round_id)
        .select_related("form")
        .first()
    )
    if section is None:
        raise Http404("No such section in this application's form")
    return section


def _section_render(
    request: HttpRequest,
    application: Application,
    section: FormSection,
    capabilities: frozenset[AppCapability],
    form: SectionAnswersForm,
    conflicts: dict[int, AnswerConflict] | None = None,
    answers: dict[int, Answer] | None = None,
) -> HttpResponse:
    if answers is None:
        answers = services.section_answers(application, form.questions)
    page = SectionPage(
        application=application,
        section=section,
        capabilities=capabilities,
        form=form,
        answers=answers,
        conflicts=conflicts,
    )
    return render(
        request,
        "applications/section.html",
        {"application": application, "section": section, "page": page, "form": form},
    )


def _after_save_url(application: Application, section: FormSection, choice: str) -> str:
    if choice == NEXT_SECTION:
        sections = sections_answered_on_pages(application)
        ids = [s.pk for s in sections]
        if section.pk in ids and ids.index(section.pk) + 1 < len(ids):
            following = sections[ids.index(section.pk) + 1]
            return reverse(
                "applications:section",
                kwargs={"reference": application.reference, "section_id": following.pk},
            )
    return reverse("applications:application", kwargs={"reference": application.reference})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def section(request: HttpRequest, reference: str, section_id: int) -> HttpResponse:
    needed = AppCapability.EDIT if request.method == "POST" else AppCapability.VIEW
    application, capabilities = application_get_for(request.user, reference, needed)
    section = _section_get(application, section_id)
    questions = services.section_questions(section)
    if request.method != "POST":
        answers = services.section_answers(application, questions)
        form = SectionAnswersForm(questions=questions, answers=answers)
        # The values shown and the bases they carry must come from one read: a base newer
        # than the value shown would let an untouched field save over someone's answer.
        return _section_render(request, application, section, capabilities, form, answers=answers)

    form = SectionAnswersForm(
        request.POST,
        request.FILES,
        questions=questions,
        answers=services.section_answers(application, questions),
    )
    conflicts: dict[int, AnswerConflict] = {}
    if form.is_valid():
        try:
            services.section_answers_save(
                application=application,
                section=section,
                actor=request_actor(request),
                raw_values=form.changed_values(),
                base_versions=form.base_versions(),
                files=form.uploads(),
            )
        except AnswersNotSaved as error:
            conflicts = error.conflicts
            form_add_service_error(form, error)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"Your answers to “{section.title}” were saved.")
            return redirect(_after_save_url(application, section, request.POST.get("next", "")))
    else:
        _form_add_answer_problems(form, section)
    return _section_render(request, application, section, capabilities, form, conflicts)


def _form_add_answer_problems(form: SectionAnswersForm, section: FormSection) -> None:
    """Beside the fields the form could not read, the errors of the ones it could."""
    problems = services.section_answers_problems(
        section=section, raw_values=form.changed_values(), files=form.uploads()
    )
    for field_name, messages_of_field in problems.items():
        if field_name not in form.errors:
            form.add_error(field_name, messages_of_field)


def saved_at_shown(moment: datetime, application: Application) -> str:
    local = timezone.localtime(moment, services.round_zone(application))
    return f"{local:%H:%M} {local.tzname()}"


def _not_saved_message(form: SectionAnswersForm, error: ValidationError | None) -> str:
    if isinstance(error, AnswersNotSaved) and error.conflicts:
        conflict = next(iter(error.conflicts.values()))
        return (
            f"Not saved: {conflict.changed_by} changed “{conflict.question.label}” after you "
            "opened this page. Select “Save and continue” to see their answer."
        )
    if error is not None and not hasattr(error, "error_dict"):
        return f"Not saved: {error.messages[0]}"
    for question in form.questions:
        problems = form.errors.get(answer_field_name(question.pk))
        if problems:
            return f"Not saved: “{question.label}”: {problems[0]}"
    return "Not saved. Select “Save and continue” to see what to change."


@login_required
@require_POST
def section_autosave(request: HttpRequest, reference: str, section_id: int) -> HttpResponse:
    """The section form saved in the background: a status line for the page's live region
    and the bases the next save starts from. Uploads wait for the Save button."""
    application, _capabilities = application_get_for(request.user, reference, AppCapability.EDIT)
    section = _section_get(application, section_id)
    questions = services.section_questions(section)
    form = SectionAnswersForm(
        request.POST,
        questions=questions,
        answers=services.section_answers(application, questions),
    )
    failure: ValidationError | None = None
    saved_at: datetime | None = None
    if form.is_valid():
        try:
            result = services.section_answers_save(
                application=application,
                section=section,
                actor=request_actor(request),
                raw_values=form.changed_values(),
                base_versions=form.base_versions(),
                files={},
            )
        except ValidationError as error:
            failure = error
            form_add_service_error(form, error)
        else:
            saved_at = result.saved_at
    if saved_at is not None:
        status = f"Saved at {saved_at_shown(saved_at, application)}"
    else:
        status = _not_saved_message(form, failure)
    answers = services.section_answers(application, questions)
    # Someone else's change is shown only by the full page, where it can be merged: until
    # then their question keeps its old base and autosave keeps saying "Not saved".
    bases = form.bases_after(answers, {})
    return render(
        request,
        "applications/_autosave_status.html",
        {"status": status, "bases": _base_inputs(form, bases)},
    )


@login_required
@require_safe
def answer_file(request: HttpRequest, reference: str, question_id: int) -> FileResponse:
    """An uploaded file, as a download, for anyone who may see the application."""
    application, _capabilities = application_get_for(request.user, reference, AppCapability.VIEW)
    answer = (
        Answer.objects.filter(
            application=application,
            question_id=question_id,
            question__section__form__round=application.round_id,
        )
        .exclude(file="")
        .first()
    )
    if answer is None:
        raise Http404("No file has been uploaded for this question")
    try:
        handle = answer.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=answer.file_name or "file",
        content_type=answer.file_content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _file_question_get(application: Application, question_id: int) -> Question:
    question = (
        Question.objects.filter(
            pk=question_id,
            kind=Kind.FILE,
            is_eligibility=False,
            section__form__round=application.round_id,
        )
        .select_related("section")
        .first()
    )
    if question is None:
        raise Http404("No such file question in this application's form")
    return question


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def answer_file_delete(request: HttpRequest, reference: str, question_id: int) -> HttpResponse:
    """Ask, then remove an uploaded file from a draft."""
    application, _capabilities = application_get_for(request.user, reference, AppCapability.EDIT)
    question = _file_question_get(application, question_id)
    answer = Answer.objects.filter(application=application, question=question).first()
    section_url = reverse(
        "applications:section",
        kwargs={"reference": application.reference, "section_id": question.section_id},
    )
    if answer is None or not answer.file:
        messages.info(request, "There is no file to remove.")
        return redirect(section_url)
    if request.method == "POST":
        form = FileRemoveForm(request.POST)
        if form.is_valid():
            try:
                services.answer_file_delete(
                    application=application,
                    question=question,
                    actor=request_actor(request),
                    base_version=form.cleaned_data["version"],
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, f"The file “{answer.file_name}” was removed.")
                return redirect(section_url)
        else:
            form.add_error(None, "Open the page again and then remove the file.")
    else:
        form = FileRemoveForm(initial={"version": answer.version})
    return render(
        request,
        "applications/section_file_delete.html",
        {
            "application": application,
            "question": question,
            "answer": answer,
            "form": form,
            "section_url": section_url,
            "can_edit": application.state in EDITABLE_STATES,
        },
    )
