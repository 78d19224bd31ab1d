from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from sharedpurpose.applications.answers import (
    answer_clean,
    application_answer_problems,
    upload_check,
    word_count,
)
from sharedpurpose.applications.models import Answer, Question, QuestionKind

from .factories import ApplicationFactory, QuestionFactory, SectionFactory

K = QuestionKind


def _question(**fields: object) -> Question:
    defaults: dict[str, object] = {"kind": K.SHORT_TEXT, "label": "Q", "choices": []}
    return Question(**(defaults | fields))


def test_empty_input_is_no_answer_for_every_kind() -> None:
    for kind in K:
        if kind != K.FILE:
            assert answer_clean(_question(kind=kind), "  ") is None
    assert answer_clean(_question(kind=K.MULTIPLE_CHOICE, choices=["A"]), []) is None


def test_long_text_over_its_word_limit_says_how_many_words_were_used() -> None:
    question = _question(kind=K.LONG_TEXT, word_limit=3)

    assert answer_clean(question, "  one two  three ") == "one two  three"
    with pytest.raises(ValidationError, match=r"3 words or fewer \(you used 4\)"):
        answer_clean(question, "one two three four")


def test_choices_must_be_offered_ones_and_keep_the_forms_order() -> None:
    single = _question(kind=K.SINGLE_CHOICE, choices=["Yes", "No"])
    multiple = _question(kind=K.MULTIPLE_CHOICE, choices=["HR", "Finance", "Estates"])

    assert answer_clean(single, "No") == "No"
    with pytest.raises(ValidationError, match="“Maybe” is not one of the choices"):
        answer_clean(single, "Maybe")
    assert answer_clean(multiple, ["Estates", "HR"]) == ["HR", "Estates"]
    with pytest.raises(ValidationError):
        answer_clean(multiple, ["HR", "<script>"])


def test_numbers_are_checked_against_the_range_and_stored_exactly() -> None:
    question = _question(kind=K.NUMBER, min_value=Decimal(0), max_value=Decimal(500000))

    assert answer_clean(question, "250,000.50") == "250000.5"
    for bad, message in (("lots", "Enter a number"), ("-1", "0 or more"), ("1e9", "or less")):
        with pytest.raises(ValidationError, match=message):
            answer_clean(question, bad)
    with pytest.raises(ValidationError):
        answer_clean(question, "NaN")


def test_dates_must_be_real() -> None:
    question = _question(kind=K.DATE)

    assert answer_clean(question, "2027-03-31") == "2027-03-31"
    with pytest.raises(ValidationError, match="real date"):
        answer_clean(question, "2027-02-30")


@given(st.text(max_size=400))
def test_any_text_either_cleans_or_is_refused_with_a_message(text: str) -> None:
    for kind in (K.SHORT_TEXT, K.LONG_TEXT, K.NUMBER, K.DATE, K.SINGLE_CHOICE):
        question = _question(kind=kind, word_limit=20, choices=["Yes"])
        try:
            answer_clean(question, text)
        except ValidationError as error:
            assert error.messages[0]


def test_word_count_counts_words_not_spaces() -> None:
    assert word_count(" a\nb\t c  ") == 3


def _check(question: Question, name: str, content: bytes) -> str:
    return upload_check(
        question, name=name, size=len(content), head=content[:2048], file=io.BytesIO(content)
    )


def _office(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


def test_an_upload_must_match_its_allowed_type_by_name_and_by_content() -> None:
    question = _question(kind=K.FILE, allowed_file_types=["pdf", "docx"], max_file_mb=1)

    assert _check(question, "Plan.PDF", b"%PDF-1.7 ...") == "application/pdf"
    assert _check(question, "plan.docx", _office("word/document.xml")).endswith(".document")
    with pytest.raises(ValidationError, match="not an allowed type"):
        _check(question, "plan.exe", b"MZ...")
    with pytest.raises(ValidationError, match="does not contain what its name says"):
        _check(question, "plan.pdf", b"<html><script>alert(1)</script>")
    with pytest.raises(ValidationError, match="does not contain"):
        _check(question, "plan.docx", _office("xl/workbook.xml"))
    with pytest.raises(ValidationError, match="is empty"):
        _check(question, "plan.pdf", b"")
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        _check(question, "plan.pdf", b"%PDF-" + b"0" * (1024 * 1024))


def test_a_csv_upload_must_be_text_not_markup() -> None:
    question = _question(kind=K.FILE, allowed_file_types=["csv"])

    assert _check(question, "data.csv", b"month,value\n2024-01,5\n") == "text/csv"
    with pytest.raises(ValidationError):
        _check(question, "data.csv", b"<svg onload=alert(1)>")
    with pytest.raises(ValidationError):
        _check(question, "data.csv", b"\x00\x01binary")


@pytest.mark.django_db
def test_problems_list_required_questions_unanswered_and_answers_no_longer_valid() -> None:
    application = ApplicationFactory.create()
    section = SectionFactory.create(form__round=application.round)
    required = QuestionFactory.create(section=section, label="What will you do?")
    optional = QuestionFactory.create(section=section, required=False, label="Anything else?")
    shortened = QuestionFactory.create(section=section, word_limit=2, label="In brief")
    upload = QuestionFactory.create(section=section, kind=K.FILE, label="Budget")
    Answer.objects.create(application=application, question=shortened, value="three words here")

    problems = application_answer_problems(application)

    assert [(p.question, p.message) for p in problems] == [
        (required, "Answer “What will you do?”."),
        (shortened, "In brief: Use 2 words or fewer (you used 3)."),
        (upload, "Answer “Budget”."),
    ]
    assert optional not in [p.question for p in problems]
