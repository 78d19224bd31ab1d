"""The form of one section's answers.

Fields only parse what the browser sends (date parts, lists of choices, uploads); what makes
an answer valid is decided once, by ``answers.answer_clean`` inside the save. Each question
also carries its *base*: the version and a digest of the value the person loaded, so a save
passes on only the questions they changed and a stale copy of someone else's answer is never
written back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from ..answers import answer_clean, answer_is_empty
from ..models import Answer, Question, QuestionKind
from ..services.answers import AnswerConflict, answer_field_name

DATE_PARTS = ("day", "month", "year")


def version_field_name(question_id: int) -> str:
    return f"{answer_field_name(question_id)}_version"


def loaded_field_name(question_id: int) -> str:
    return f"{answer_field_name(question_id)}_loaded"


def value_digest(value: Any) -> str:
    """A short fingerprint of an answer's value, carried by the form instead of the value."""
    plain = None if answer_is_empty(value) else value
    text = json.dumps(plain, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def value_comparable(question: Question, raw: Any) -> Any:
    """What ``raw`` would be stored as, or ``raw`` itself when it is not valid."""
    try:
        return answer_clean(question, raw)
    except ValidationError:
        return raw


@dataclass(frozen=True)
class AnswerBase:
    """The version and value digest a question had when the person loaded it."""

    version: int
    digest: str

    @classmethod
    def of(cls, answer: Answer | None) -> AnswerBase:
        if answer is None:
            return cls(0, value_digest(None))
        return cls(answer.version, value_digest(answer.value))


class AnswerTextField(forms.CharField):
    """Text with line endings as the browser's scripts send them, so a textarea saved by
    autosave and by the Save button compares equal."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""
        return text.replace("\r\n", "\n").replace("\r", "\n")


class ChoicesField(forms.Field):
    """The ticked options of a multiple-choice question, unchecked."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        return [str(item) for item in value]


class DatePartsField(forms.MultiValueField):
    """The day, month and year boxes of the NHS.UK date input, as an ISO date."""

    def __init__(self, **kwargs: Any) -> None:
        parts = tuple(forms.CharField(required=False) for _ in DATE_PARTS)
        widget = forms.MultiWidget(widgets={part: forms.TextInput() for part in DATE_PARTS})
        super().__init__(
            fields=parts, widget=widget, require_all_fields=False, required=False, **kwargs
        )

    def compress(self, data_list: list[str]) -> str:
        parts = dict(zip(DATE_PARTS, (p.strip() for p in data_list or []), strict=False))
        if not any(parts.values()):
            return ""
        missing = [part for part in DATE_PARTS if not parts.get(part)]
        if missing:
            raise ValidationError(f"The date must include a {' and a '.join(missing)}.")
        if not all(value.isdigit() for value in parts.values()):
            raise ValidationError("Enter the date in numbers, for example 31 3 2027.")
        if len(parts["year"]) != 4:
            raise ValidationError("Enter the year with 4 numbers, for example 2027.")
        try:
            return date(int(parts["year"]), int(parts["month"]), int(parts["day"])).isoformat()
        except ValueError:
            raise ValidationError("Enter a real date, for example 31 3 2027.") from None


def _question_field(question: Question) -> forms.Field:
    kind = question.kind
    if kind == QuestionKind.LONG_TEXT:
        return AnswerTextField(required=False, widget=forms.Textarea)
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return ChoicesField(required=False)
    if kind == QuestionKind.DATE:
        return DatePartsField()
    if kind == QuestionKind.FILE:
        # Empty files reach upload_check, which says so with the file's name.
        return forms.FileField(required=False, allow_empty_file=True)
    return AnswerTextField(required=False)


class SectionAnswersForm(forms.Form):
    """Every question of a section, with the base each was loaded at."""

    def __init__(
        self,
        data: QueryDict | None = None,
        files: MultiValueDict[str, UploadedFile] | None = None,
        *,
        questions: list[Question],
        answers: Mapping[int, Answer],
    ) -> None:
        super().__init__(data, files)
        self.questions = questions
        for question in questions:
            answer = answers.get(question.pk)
            name = answer_field_name(question.pk)
            self.fields[name] = _question_field(question)
            base = AnswerBase.of(answer)
            self.fields[version_field_name(question.pk)] = forms.CharField(
                required=False, widget=forms.HiddenInput, initial=str(base.version)
            )
            self.fields[loaded_field_name(question.pk)] = forms.CharField(
                required=False, widget=forms.HiddenInput, initial=base.digest
            )
            if answer is not None and question.kind != QuestionKind.FILE:
                self.initial[name] = answer.value

    def _posted_base(self, question: Question) -> AnswerBase | None:
        """The base the person's page carried; None when it sent none (treated as stale)."""
        version = str(self.cleaned_data.get(version_field_name(question.pk)) or "")
        digest = str(self.cleaned_data.get(loaded_field_name(question.pk)) or "")
        if not version.isdigit() or not digest:
            return None
        return AnswerBase(int(version), digest)

    def changed_values(self) -> dict[int, Any]:
        """The raw values of the questions the person changed since loading the page."""
        changed: dict[int, Any] = {}
        for question in self.questions:
            name = answer_field_name(question.pk)
            if question.kind == QuestionKind.FILE or name not in self.cleaned_data:
                continue
            raw = self.cleaned_data[name]
            base = self._posted_base(question)
            if base is None or value_digest(value_comparable(question, raw)) != base.digest:
                changed[question.pk] = raw
        return changed

    def base_versions(self) -> dict[int, int]:
        return {
            question.pk: base.version
            for question in self.questions
            if (base := self._posted_base(question)) is not None
        }

    def uploads(self) -> dict[int, UploadedFile]:
        uploads: dict[int, UploadedFile] = {}
        for question in self.questions:
            if question.kind != QuestionKind.FILE:
                continue
            upload = self.cleaned_data.get(answer_field_name(question.pk))
            if isinstance(upload, UploadedFile):
                uploads[question.pk] = upload
        return uploads

    def bases_after(
        self, answers: Mapping[int, Answer], conflicts: Mapping[int, AnswerConflict]
    ) -> dict[int, AnswerBase]:
        """The bases the page carries next, given what is stored now.

        A question moves to the stored version only where the person now sees the stored
        value (or was just shown someone else's change, to merge): a stale copy they did
        not touch keeps its old base, so it can never be saved over the newer answer. A
        file question keeps its base unless shown in conflict: its page has just been
        loaded again (a fresh base) or a save succeeded (and the page moved on).
        """
        bases: dict[int, AnswerBase] = {}
        cleaned = getattr(self, "cleaned_data", {})
        for question in self.questions:
            stored = answers.get(question.pk)
            posted = self._posted_base(question) if cleaned else None
            name = answer_field_name(question.pk)
            if question.pk in conflicts:
                # The version whose value the person is shown beside their own.
                bases[question.pk] = AnswerBase.of(conflicts[question.pk].answer)
            elif posted is None:
                bases[question.pk] = AnswerBase.of(stored)
            elif question.kind != QuestionKind.FILE and name in cleaned:
                seen = value_comparable(question, cleaned[name])
                in_step = value_digest(seen) == AnswerBase.of(stored).digest
                bases[question.pk] = AnswerBase.of(stored) if in_step else posted
            else:
                bases[question.pk] = posted
        return bases


class FileRemoveForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
