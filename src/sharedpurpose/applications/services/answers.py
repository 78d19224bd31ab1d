"""Saving an application's answers one section at a time, without lost updates.

Every answer carries a version that moves on each change. A save says which version each
question had when the person loaded the page; a question whose value they changed but whose
stored version has moved since is a conflict: nothing of theirs is saved and they are told
who changed it, when and to what, so they can merge and save again. Writes are
compare-and-set (and the unique constraint for a new answer), so the rule holds under real
concurrency on SQLite and PostgreSQL alike. Questions whose value did not change are never
written, so two people editing different questions of one section never conflict.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from sharedpurpose.core.audit import audit_record

from ..answers import answer_clean, upload_check
from ..lifecycle import EDITABLE_STATES
from ..models import Answer, Application, ApplicationState, FormSection, Question, QuestionKind
from .workflow import application_scope

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User

#: Bytes of an upload read to recognise its type by content.
UPLOAD_HEAD_BYTES = 8192
FILE_NAME_MAX = 255


def answer_field_name(question_id: int) -> str:
    """The name of a question's field in forms, and the key of its errors."""
    return f"question_{question_id}"


def section_questions(section: FormSection) -> list[Question]:
    """The questions answered on a section's page; eligibility questions were answered when
    the application started."""
    return list(section.questions.filter(is_eligibility=False).order_by("position", "pk"))


def section_answers(application: Application, questions: Iterable[Question]) -> dict[int, Answer]:
    """The stored answers to ``questions``, by question id."""
    return {
        answer.question_id: answer
        for answer in Answer.objects.filter(
            application=application, question__in=list(questions)
        ).select_related("updated_by")
    }


def round_zone(application: Application) -> ZoneInfo:
    """The time zone the application's round keeps its dates in."""
    return ZoneInfo(application.round.timezone)


def round_moment(moment: datetime, application: Application) -> str:
    """A moment as applicants read it: in the round's time zone, naming the zone."""
    local = timezone.localtime(moment, round_zone(application))
    return f"{local:%-d %B %Y} at {local:%H:%M} {local.tzname()}"


@dataclass(frozen=True)
class AnswerConflict:
    """A question someone else changed after the person saving loaded the page."""

    question: Question
    #: The answer as stored now: their value and the version a merged answer is saved
    #: over. None only if it disappeared meanwhile.
    answer: Answer | None
    #: Who changed it and when, as the person saving reads them.
    changed_by: str
    changed_at: str

    @property
    def version(self) -> int:
        return self.answer.version if self.answer else 0

    @property
    def message(self) -> str:
        when = f" on {self.changed_at}" if self.changed_at else ""
        return (
            f"{self.changed_by} changed this answer{when}, after you opened this page. Their "
            "answer is shown below: keep what you need in yours and save again."
        )


def _conflict(
    application: Application, question: Question, answer: Answer | None, actor: User
) -> AnswerConflict:
    if answer is None or answer.updated_by is None:
        who = "Someone else"
    elif answer.updated_by.pk == actor.pk:
        who = "You (in another window or tab)"
    else:
        who = answer.updated_by.get_full_name() or "Someone else"
    when = round_moment(answer.updated_at, application) if answer else ""
    return AnswerConflict(question=question, answer=answer, changed_by=who, changed_at=when)


@dataclass(frozen=True)
class SectionSaveResult:
    #: Questions whose answers this save changed, in form order.
    changed: list[Question]
    #: Every answer of the section as stored after the save, by question id.
    answers: dict[int, Answer]
    saved_at: datetime


class AnswersNotSaved(ValidationError):  # noqa: N818 - reads as what happened to the answers
    """Nothing was saved. The errors are keyed by ``answer_field_name``; ``conflicts`` holds
    what other people saved meanwhile, by question id."""

    def __init__(self, errors: dict[str, list[str]], conflicts: dict[int, AnswerConflict]) -> None:
        super().__init__(errors)
        self.conflicts = conflicts


class _Raced(Exception):  # noqa: N818 - internal signal, never leaves this module
    """A compare-and-set lost to a concurrent writer; the transaction must roll back."""

    def __init__(self, question_ids: list[int]) -> None:
        super().__init__(question_ids)
        self.question_ids = question_ids


def _editable_check(application: Application) -> None:
    if application.state not in EDITABLE_STATES:
        state = ApplicationState(application.state).label.lower()
        raise ValidationError(
            f"This application is {state}, so its answers can no longer be changed.",
            code="not_editable",
        )


def _stored_answers(application: Application, questions: list[Question]) -> dict[int, Answer]:
    # One read of what is stored; the writes then check nothing moved since (compare-and-set).
    return section_answers(application, questions)


def _file_name_safe(name: str) -> str:
    """The applicant's file name without paths or control characters, kept for downloads."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    if len(cleaned) > FILE_NAME_MAX:
        stem, dot, extension = cleaned.rpartition(".")
        keep = FILE_NAME_MAX - len(extension) - 1
        cleaned = f"{stem[:keep]}.{extension}" if dot and keep > 0 else cleaned[:FILE_NAME_MAX]
    return cleaned or "file"


def _upload_check(question: Question, upload: UploadedFile) -> str:
    name = _file_name_safe(upload.name or "")
    upload.seek(0)
    head = upload.read(UPLOAD_HEAD_BYTES)
    upload.seek(0)
    return upload_check(question, name=name, size=upload.size or 0, head=head, file=upload)


def _answer_file_field() -> models.FileField:
    return Answer._meta.get_field("file")


def _file_store(application: Application, upload: UploadedFile) -> str:
    field = _answer_file_field()
    name = field.generate_filename(Answer(application=application), upload.name or "file")
    upload.seek(0)
    return field.storage.save(name, upload, max_length=field.max_length)


def _files_discard(names: Iterable[str]) -> None:
    storage = _answer_file_field().storage
    for name in names:
        if name:
            storage.delete(name)


def _conflicts_for(
    application: Application, questions: list[Question], question_ids: Iterable[int], actor: User
) -> dict[int, AnswerConflict]:
    by_id = {question.pk: question for question in questions}
    now = _stored_answers(application, [by_id[pk] for pk in question_ids])
    return {pk: _conflict(application, by_id[pk], now.get(pk), actor) for pk in question_ids}


def _not_saved(
    conflicts: dict[int, AnswerConflict], errors: dict[str, list[str]]
) -> AnswersNotSaved:
    for question_id, conflict in conflicts.items():
        errors.setdefault(answer_field_name(question_id), []).append(conflict.message)
    return AnswersNotSaved(errors, conflicts)


def _input_clean(
    questions: list[Question], raw_values: Mapping[int, Any], files: Mapping[int, UploadedFile]
) -> tuple[dict[int, Any], dict[int, tuple[UploadedFile, str]], dict[str, list[str]]]:
    """The submitted values cleaned, the uploads with their checked content types, and the
    errors of the fields that are neither, keyed by ``answer_field_name``."""
    values: dict[int, Any] = {}
    uploads: dict[int, tuple[UploadedFile, str]] = {}
    errors: dict[str, list[str]] = {}
    for question in questions:
        try:
            if question.kind == QuestionKind.FILE:
                if question.pk in files:
                    upload = files[question.pk]
                    uploads[question.pk] = (upload, _upload_check(question, upload))
            elif question.pk in raw_values:
                values[question.pk] = answer_clean(question, raw_values[question.pk])
        except ValidationError as error:
            errors[answer_field_name(question.pk)] = error.messages
    return values, uploads, errors


def section_answers_problems(
    *, section: FormSection, raw_values: Mapping[int, Any], files: Mapping[int, UploadedFile]
) -> dict[str, list[str]]:
    """What is wrong with the submitted input, checked as a save checks it, without saving:
    for showing every field's error at once when a form could not even be read whole."""
    return _input_clean(section_questions(section), raw_values, files)[2]


def section_answers_save(
    *,
    application: Application,
    section: FormSection,
    actor: User,
    raw_values: Mapping[int, Any],
    base_versions: Mapping[int, int],
    files: Mapping[int, UploadedFile],
) -> SectionSaveResult:
    """Save the answers of one section of a draft, all or nothing.

    ``raw_values`` holds what the person submitted for the questions they changed (a string,
    or a list of strings for multiple choice), by question id; questions left out stay as
    they are. ``base_versions`` holds each answer's version when the page was loaded (0 when
    there was none); ``files`` the uploads. Raises ``AnswersNotSaved`` naming each invalid or
    conflicting field (a required question may be empty in a draft), or ``ValidationError``
    when the application can no longer be changed.
    """
    try:
        return _section_answers_save(
            application=application,
            section=section,
            actor=actor,
            raw_values=raw_values,
            base_versions=base_versions,
            files=files,
        )
    except _Raced:
        # Another save wrote these answers between our read and our write, often the
        # person's own autosave racing their Save button. Read again and apply the same
        # rules: what now equals their input is no change; anything else is a conflict.
        return _section_answers_save(
            application=application,
            section=section,
            actor=actor,
            raw_values=raw_values,
            base_versions=base_versions,
            files=files,
            raced_before=True,
        )


def _section_answers_save(
    *,
    application: Application,
    section: FormSection,
    actor: User,
    raw_values: Mapping[int, Any],
    base_versions: Mapping[int, int],
    files: Mapping[int, UploadedFile],
    raced_before: bool = False,
) -> SectionSaveResult:
    _editable_check(application)
    if section.form.round_id != application.round_id:
        raise ValidationError("This section is not part of this application's form.")
    questions = section_questions(section)
    stored = _stored_answers(application, questions)

    cleaned, uploads, errors = _input_clean(questions, raw_values, files)
    values = {
        pk: value
        for pk, value in cleaned.items()
        if value != (stored[pk].value if pk in stored else None)
    }

    changed = [q for q in questions if q.pk in values or q.pk in uploads]
    stale = [
        q.pk
        for q in changed
        if (stored[q.pk].version if q.pk in stored else 0) != base_versions.get(q.pk, 0)
    ]
    if errors or stale:
        by_id = {question.pk: question for question in questions}
        conflicts = {pk: _conflict(application, by_id[pk], stored.get(pk), actor) for pk in stale}
        raise _not_saved(conflicts, errors)
    now = timezone.now()
    if not changed:
        return SectionSaveResult(changed=[], answers=stored, saved_at=now)

    new_files: dict[int, str] = {}
    try:
        for question_id, (upload, _content_type) in uploads.items():
            new_files[question_id] = _file_store(application, upload)
        with transaction.atomic():
            _answers_write(
                application=application,
                changed=changed,
                stored=stored,
                values=values,
                uploads=uploads,
                new_files=new_files,
                actor=actor,
                now=now,
            )
            Application.objects.filter(pk=application.pk).update(updated_at=now)
            audit_record(
                actor=actor,
                action="application.answers_saved",
                obj=application,
                scope=application_scope(application),
                summary=(
                    f"{application.reference}: saved {len(changed)} answer"
                    f"{'' if len(changed) == 1 else 's'} in “{section.title}”"
                ),
                changes={
                    f"question:{q.pk}": [
                        stored[q.pk].version if q.pk in stored else 0,
                        stored[q.pk].version + 1 if q.pk in stored else 1,
                    ]
                    for q in changed
                },
            )
            replaced = [stored[pk].file.name for pk in uploads if pk in stored and stored[pk].file]
            transaction.on_commit(lambda: _files_discard(replaced))
    except _Raced as race:
        _files_discard(new_files.values())
        if not raced_before and not uploads:
            raise
        conflicts = _conflicts_for(application, questions, race.question_ids, actor)
        raise _not_saved(conflicts, {}) from None
    except BaseException:
        _files_discard(new_files.values())
        raise
    return SectionSaveResult(
        changed=changed, answers=_stored_answers(application, questions), saved_at=now
    )


def _answers_write(
    *,
    application: Application,
    changed: list[Question],
    stored: dict[int, Answer],
    values: dict[int, Any],
    uploads: dict[int, tuple[UploadedFile, str]],
    new_files: dict[int, str],
    actor: User,
    now: datetime,
) -> None:
    raced: list[int] = []
    for question in changed:
        if question.pk in uploads:
            upload, content_type = uploads[question.pk]
            fields: dict[str, Any] = {
                "file": new_files[question.pk],
                "file_name": _file_name_safe(upload.name or ""),
                "file_content_type": content_type,
                "file_size": upload.size,
            }
        else:
            fields = {"value": values[question.pk]}
        answer = stored.get(question.pk)
        if answer is None:
            try:
                # A savepoint, so a lost race leaves the outer transaction usable.
                with transaction.atomic():
                    Answer.objects.create(
                        application=application, question=question, updated_by=actor, **fields
                    )
            except IntegrityError:
                raced.append(question.pk)
            continue
        moved = Answer.objects.filter(pk=answer.pk, version=answer.version).update(
            **fields, version=F("version") + 1, updated_by=actor, updated_at=now
        )
        if not moved:
            raced.append(question.pk)
    if raced:
        raise _Raced(raced)


def answer_file_delete(
    *, application: Application, question: Question, actor: User, base_version: int
) -> None:
    """Remove the uploaded file answering ``question``, if nobody changed it since
    ``base_version``; the stored file is deleted once the change is committed."""
    _editable_check(application)
    answer = (
        Answer.objects.filter(application=application, question=question)
        .select_related("updated_by")
        .first()
    )
    if answer is None or not answer.file:
        raise ValidationError("There is no file to remove.")
    if answer.version != base_version:
        conflict = _conflict(application, question, answer, actor)
        raise ValidationError(
            f"{conflict.changed_by} changed this file on {conflict.changed_at}, after you "
            "opened the page, so it was not removed. Check the file and try again."
        )
    name = answer.file.name
    with transaction.atomic():
        moved = Answer.objects.filter(pk=answer.pk, version=base_version).update(
            file="",
            file_name="",
            file_content_type="",
            file_size=None,
            version=F("version") + 1,
            updated_by=actor,
            updated_at=timezone.now(),
        )
        if not moved:
            raise ValidationError(
                "Someone changed this file at the same time, so it was not removed."
            )
        audit_record(
            actor=actor,
            action="application.answer_file_removed",
            obj=application,
            scope=application_scope(application),
            summary=f"{application.reference}: removed the file “{answer.file_name}”",
            changes={f"question:{question.pk}": [base_version, base_version + 1]},
        )
        transaction.on_commit(lambda: _files_discard([name]))
