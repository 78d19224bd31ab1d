"""What makes an answer valid, in one place: used when saving a section, when autosaving and
when checking an application before it is submitted.

Saving a draft accepts incomplete answers (a required question may be empty) but never
malformed ones; submitting needs every required question answered.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from .models import Answer, FileType, Question, QuestionKind

if TYPE_CHECKING:
    from .models import Application

_WORD = re.compile(r"\S+")

#: Content types recorded for each file type; the file's bytes decide, not the browser.
FILE_CONTENT_TYPES: dict[str, str] = {
    FileType.PDF: "application/pdf",
    FileType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileType.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileType.PNG: "image/png",
    FileType.JPEG: "image/jpeg",
    FileType.CSV: "text/csv",
}
FILE_EXTENSIONS: dict[str, tuple[str, ...]] = {
    FileType.PDF: (".pdf",),
    FileType.DOCX: (".docx",),
    FileType.XLSX: (".xlsx",),
    FileType.PNG: (".png",),
    FileType.JPEG: (".jpg", ".jpeg"),
    FileType.CSV: (".csv",),
}
DEFAULT_MAX_FILE_MB = 10


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def answer_is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def answer_clean(question: Question, raw: Any) -> Any:
    """The stored value for ``raw`` (a string, or a list of strings for multiple choice), or
    ``ValidationError`` naming what is wrong. Empty input cleans to None."""
    kind = question.kind
    if kind == QuestionKind.MULTIPLE_CHOICE:
        values = [str(v) for v in (raw or []) if str(v).strip()]
        unknown = [v for v in values if v not in question.choices]
        if unknown:
            raise ValidationError(f"“{unknown[0]}” is not one of the choices.")
        return [c for c in question.choices if c in values] or None
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    if kind == QuestionKind.SHORT_TEXT:
        if len(text) > 300:
            raise ValidationError(f"Use 300 characters or fewer (you used {len(text)}).")
        return text
    if kind == QuestionKind.LONG_TEXT:
        words = word_count(text)
        if question.word_limit and words > question.word_limit:
            raise ValidationError(f"Use {question.word_limit} words or fewer (you used {words}).")
        return text
    if kind == QuestionKind.SINGLE_CHOICE:
        if text not in question.choices:
            raise ValidationError(f"“{text}” is not one of the choices.")
        return text
    if kind == QuestionKind.NUMBER:
        return _number_clean(question, text)
    if kind == QuestionKind.DATE:
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValidationError("Enter a real date, for example 2027-03-31.") from None
    raise ValidationError("Upload files with the file field.")


def _number_clean(question: Question, text: str) -> str:
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValidationError(f"Enter a number, for example 1250 (not “{text}”).") from None
    if not number.is_finite():
        raise ValidationError("Enter a number.")
    if question.min_value is not None and number < question.min_value:
        raise ValidationError(f"Enter {question.min_value:g} or more.")
    if question.max_value is not None and number > question.max_value:
        raise ValidationError(f"Enter {question.max_value:g} or less.")
    return format(number.normalize(), "f")


def upload_check(question: Question, *, name: str, size: int, head: bytes, file: IO[bytes]) -> str:
    """The content type of an acceptable upload, or ``ValidationError`` saying what is wrong.

    Checked by size, by extension against the question's allowed types, and by the file's
    own bytes (so a renamed executable or HTML page is refused).
    """
    allowed = [FileType(t) for t in question.allowed_file_types] or list(FileType)
    limit_mb = question.max_file_mb or DEFAULT_MAX_FILE_MB
    if size == 0:
        raise ValidationError(f"“{name}” is empty.")
    if size > limit_mb * 1024 * 1024:
        raise ValidationError(f"“{name}” is larger than {limit_mb} MB.")
    lower = name.lower()
    matching = [t for t in allowed if lower.endswith(FILE_EXTENSIONS[t])]
    if not matching:
        names = ", ".join(FileType(t).label for t in allowed)
        raise ValidationError(f"“{name}” is not an allowed type. Upload one of: {names}.")
    file_type = matching[0]
    if not _content_matches(file_type, head, file):
        raise ValidationError(
            f"“{name}” does not contain what its name says ({file_type.label}). "
            "Save it again in that format and upload it."
        )
    return FILE_CONTENT_TYPES[file_type]


def _content_matches(file_type: FileType, head: bytes, file: IO[bytes]) -> bool:
    if file_type == FileType.PDF:
        return head.startswith(b"%PDF-")
    if file_type == FileType.PNG:
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if file_type == FileType.JPEG:
        return head.startswith(b"\xff\xd8\xff")
    if file_type in (FileType.DOCX, FileType.XLSX):
        if not head.startswith(b"PK\x03\x04"):
            return False
        part = "word/document.xml" if file_type == FileType.DOCX else "xl/workbook.xml"
        try:
            file.seek(0)
            with zipfile.ZipFile(file) as archive:
                return part in archive.namelist()
        except zipfile.BadZipFile:
            return False
        finally:
            file.seek(0)
    # CSV: text, not a binary or markup file in disguise.
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # The head may end inside a multi-byte character; bytes that are not UTF-8 before
        # that are not text.
        if exc.start < len(head) - 3:
            return False
        text = head[: exc.start].decode("utf-8-sig")
    return "\x00" not in text and not text.lstrip().startswith("<")


@dataclass(frozen=True)
class AnswerProblem:
    """Why an application is not ready to submit, pointing at the question to fix."""

    question: Question
    message: str


def application_answer_problems(application: Application) -> list[AnswerProblem]:
    """Required questions unanswered and stored answers no longer valid (e.g. a word limit
    staff lowered), in form order."""
    answers = {a.question_id: a for a in Answer.objects.filter(application=application)}
    problems: list[AnswerProblem] = []
    questions = Question.objects.filter(section__form__round=application.round_id).select_related(
        "section"
    )
    for question in questions.order_by("section__position", "section__pk", "position", "pk"):
        answer = answers.get(question.pk)
        if question.kind == QuestionKind.FILE:
            empty = answer is None or not answer.file
        else:
            empty = answer is None or answer_is_empty(answer.value)
        if empty:
            if question.required:
                problems.append(AnswerProblem(question, f"Answer “{question.label}”."))
            continue
        if question.kind != QuestionKind.FILE:
            assert answer is not None
            try:
                answer_clean(question, answer.value)
            except ValidationError as error:
                problems.append(AnswerProblem(question, f"{question.label}: {error.messages[0]}"))
    return problems
