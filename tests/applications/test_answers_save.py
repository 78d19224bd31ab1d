"""Saving a section's answers: cleaning each kind, all-or-nothing, no lost updates, files."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F

from sharedpurpose.accounts.models import User
from sharedpurpose.applications.models import (
    Answer,
    Application,
    ApplicationState,
    FormSection,
    Question,
    QuestionKind,
)
from sharedpurpose.applications.services import answers as services
from sharedpurpose.applications.services.answers import (
    AnswersNotSaved,
    answer_field_name,
    answer_file_delete,
    section_answers_save,
)
from sharedpurpose.core.models import AuditEvent

from .factories import (
    ApplicationFactory,
    CollaboratorFactory,
    EligibilityQuestionFactory,
    QuestionFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture
def application() -> Application:
    return ApplicationFactory.create()


@pytest.fixture
def section(application: Application) -> FormSection:
    return SectionFactory.create(form__round=application.round, title="About the partnership")


def _question(section: FormSection, kind: str, **fields: Any) -> Question:
    return QuestionFactory.create(section=section, kind=kind, **fields)


def _save(
    application: Application,
    section: FormSection,
    actor: User,
    values: dict[int, Any] | None = None,
    versions: dict[int, int] | None = None,
    files: dict[int, Any] | None = None,
) -> services.SectionSaveResult:
    return section_answers_save(
        application=application,
        section=section,
        actor=actor,
        raw_values=values or {},
        base_versions=versions or {},
        files=files or {},
    )


def _stored(application: Application) -> dict[int, Any]:
    return {a.question_id: a.value for a in Answer.objects.filter(application=application)}


def _first_read_returns(monkeypatch: pytest.MonkeyPatch, snapshot: dict[int, Answer]) -> None:
    """The save's first read sees ``snapshot``: what was stored before a concurrent write."""
    real_read = services._stored_answers
    reads = [snapshot]

    def read(application: Application, questions: list[Question]) -> dict[int, Answer]:
        return reads.pop() if reads else real_read(application, questions)

    monkeypatch.setattr(services, "_stored_answers", read)


@pytest.fixture
def private_files() -> Iterator[list[str]]:
    """Names stored in private storage by a test, removed afterwards."""
    names: list[str] = []
    yield names
    storage = Answer._meta.get_field("file").storage
    for answer in Answer.objects.exclude(file=""):
        names.append(answer.file.name)
    for name in names:
        if storage.exists(name):
            storage.delete(name)


def test_each_kind_is_cleaned_and_saved_with_one_audit_record(
    application: Application, section: FormSection
) -> None:
    short = _question(section, QuestionKind.SHORT_TEXT)
    long = _question(section, QuestionKind.LONG_TEXT, word_limit=5)
    single = _question(section, QuestionKind.SINGLE_CHOICE, choices=["Yes", "No"])
    multiple = _question(section, QuestionKind.MULTIPLE_CHOICE, choices=["HR", "IT", "Estates"])
    number = _question(section, QuestionKind.NUMBER, min_value=0, max_value=500000)
    when = _question(section, QuestionKind.DATE)
    lead = application.lead_applicant

    result = _save(
        application,
        section,
        lead,
        {
            short.pk: "  Northmoor and Eastfield  ",
            long.pk: "Fewer vacancies\nin nursing",
            single.pk: "Yes",
            multiple.pk: ["IT", "HR"],
            number.pk: "125,000.50",
            when.pk: "2027-03-05",
        },
    )

    assert _stored(application) == {
        short.pk: "Northmoor and Eastfield",
        long.pk: "Fewer vacancies\nin nursing",
        single.pk: "Yes",
        multiple.pk: ["HR", "IT"],
        number.pk: "125000.5",
        when.pk: "2027-03-05",
    }
    assert [q.pk for q in result.changed] == [
        short.pk,
        long.pk,
        single.pk,
        multiple.pk,
        number.pk,
        when.pk,
    ]
    assert {a.version for a in result.answers.values()} == {1}
    assert {a.updated_by_id for a in result.answers.values()} == {lead.pk}
    event = AuditEvent.objects.get(action="application.answers_saved")
    assert event.actor == lead and event.scope == f"application:{application.pk}"
    assert set(event.changes) == {f"question:{q.pk}" for q in result.changed}


def test_invalid_input_is_named_per_field_and_nothing_is_stored(
    application: Application, section: FormSection
) -> None:
    short = _question(section, QuestionKind.SHORT_TEXT)
    long = _question(section, QuestionKind.LONG_TEXT, word_limit=3)
    number = _question(section, QuestionKind.NUMBER, max_value=100)
    single = _question(section, QuestionKind.SINGLE_CHOICE, choices=["Yes", "No"])
    when = _question(section, QuestionKind.DATE)

    with pytest.raises(AnswersNotSaved) as caught:
        _save(
            application,
            section,
            application.lead_applicant,
            {
                short.pk: "A valid answer",
                long.pk: "one two three four",
                number.pk: "lots",
                single.pk: "Maybe",
                when.pk: "2027-02-30",
            },
        )

    errors = caught.value.message_dict
    assert set(errors) == {answer_field_name(q.pk) for q in (long, number, single, when)}
    assert "3 words or fewer (you used 4)" in errors[answer_field_name(long.pk)][0]
    assert "Enter a number" in errors[answer_field_name(number.pk)][0]
    assert not caught.value.conflicts
    assert not Answer.objects.exists()
    assert not AuditEvent.objects.filter(action="application.answers_saved").exists()


def test_a_draft_may_leave_required_questions_empty_and_unchanged_values_are_not_written(
    application: Application, section: FormSection
) -> None:
    required = _question(section, QuestionKind.SHORT_TEXT, required=True)
    other = _question(section, QuestionKind.SHORT_TEXT)
    lead = application.lead_applicant
    _save(application, section, lead, {required.pk: "", other.pk: "First"})
    assert _stored(application) == {other.pk: "First"}

    result = _save(application, section, lead, {other.pk: "First"}, {other.pk: 1})

    assert result.changed == []
    assert Answer.objects.get(question=other).version == 1
    assert AuditEvent.objects.filter(action="application.answers_saved").count() == 1


def test_eligibility_questions_are_not_saved_from_a_section(
    application: Application, section: FormSection
) -> None:
    eligibility = EligibilityQuestionFactory.create(section=section)
    _save(application, section, application.lead_applicant, {eligibility.pk: "No"})
    assert not Answer.objects.exists()


def test_the_later_writer_of_the_same_question_is_told_and_nothing_of_theirs_is_stored(
    application: Application, section: FormSection
) -> None:
    first_question = _question(section, QuestionKind.SHORT_TEXT)
    second_question = _question(section, QuestionKind.SHORT_TEXT)
    lead = application.lead_applicant
    _save(application, section, lead, {first_question.pk: "Original"})
    collaborator = CollaboratorFactory.create(
        application=application, user__full_name="Priya Shah"
    ).user
    loaded = {first_question.pk: 1}  # both people opened the page at version 1

    _save(application, section, collaborator, {first_question.pk: "Priya's"}, loaded)
    with pytest.raises(AnswersNotSaved) as caught:
        _save(
            application,
            section,
            lead,
            {first_question.pk: "Lead's", second_question.pk: "Also lead's"},
            loaded,
        )

    conflict = caught.value.conflicts[first_question.pk]
    assert conflict.changed_by == "Priya Shah"
    assert conflict.answer is not None and conflict.answer.value == "Priya's"
    assert conflict.version == 2
    assert "GMT" in conflict.changed_at or "BST" in conflict.changed_at
    message = caught.value.message_dict[answer_field_name(first_question.pk)][0]
    assert message.startswith("Priya Shah changed this answer on ")
    assert _stored(application) == {first_question.pk: "Priya's"}

    # Merged and saved again over the version they were shown: accepted.
    _save(
        application,
        section,
        lead,
        {first_question.pk: "Priya's and lead's"},
        {first_question.pk: 2},
    )
    assert _stored(application)[first_question.pk] == "Priya's and lead's"


def test_two_people_changing_different_questions_are_both_saved(
    application: Application, section: FormSection
) -> None:
    one = _question(section, QuestionKind.SHORT_TEXT)
    two = _question(section, QuestionKind.SHORT_TEXT)
    collaborator = CollaboratorFactory.create(application=application).user

    _save(application, section, application.lead_applicant, {one.pk: "Lead's"}, {})
    _save(application, section, collaborator, {two.pk: "Collaborator's"}, {})

    assert _stored(application) == {one.pk: "Lead's", two.pk: "Collaborator's"}


def test_a_write_racing_after_the_read_is_caught_by_compare_and_set(
    application: Application, section: FormSection, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = _question(section, QuestionKind.SHORT_TEXT)
    other = _question(section, QuestionKind.SHORT_TEXT)
    lead = application.lead_applicant
    _save(application, section, lead, {question.pk: "Original"})
    stale = services.section_answers(application, [question, other])
    # Another request commits between this save's read and its write.
    Answer.objects.filter(question=question).update(value="Theirs", version=F("version") + 1)
    _first_read_returns(monkeypatch, stale)

    with pytest.raises(AnswersNotSaved) as caught:
        _save(application, section, lead, {question.pk: "Mine", other.pk: "New"}, {question.pk: 1})

    assert caught.value.conflicts[question.pk].version == 2
    assert _stored(application) == {question.pk: "Theirs"}


def test_a_new_answer_racing_another_new_answer_is_a_conflict(
    application: Application, section: FormSection, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = _question(section, QuestionKind.SHORT_TEXT)
    collaborator = CollaboratorFactory.create(application=application).user
    _first_read_returns(monkeypatch, {})
    Answer.objects.create(
        application=application, question=question, value="Theirs", updated_by=collaborator
    )

    with pytest.raises(AnswersNotSaved) as caught:
        _save(application, section, application.lead_applicant, {question.pk: "Mine"}, {})

    assert caught.value.conflicts[question.pk].answer is not None
    assert _stored(application) == {question.pk: "Theirs"}


def test_losing_a_race_to_the_same_words_is_no_conflict(
    application: Application, section: FormSection, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The person's own autosave stores their words just before their Save button arrives.
    question = _question(section, QuestionKind.SHORT_TEXT)
    other = _question(section, QuestionKind.SHORT_TEXT)
    lead = application.lead_applicant
    _first_read_returns(monkeypatch, {})
    Answer.objects.create(application=application, question=question, value="Mine", updated_by=lead)

    _save(application, section, lead, {question.pk: "Mine", other.pk: "More"}, {})

    assert _stored(application) == {question.pk: "Mine", other.pk: "More"}


@pytest.mark.parametrize("state", [ApplicationState.SUBMITTED, ApplicationState.WITHDRAWN])
def test_answers_of_an_application_past_draft_cannot_change(
    section: FormSection, application: Application, state: ApplicationState
) -> None:
    question = _question(section, QuestionKind.SHORT_TEXT)
    Application.objects.filter(pk=application.pk).update(state=state)
    application.refresh_from_db()

    with pytest.raises(ValidationError, match="can no longer be changed"):
        _save(application, section, application.lead_applicant, {question.pk: "Late"})
    assert not Answer.objects.exists()


def test_a_section_of_another_rounds_form_is_refused(application: Application) -> None:
    other_section = SectionFactory.create()
    question = _question(other_section, QuestionKind.SHORT_TEXT)
    with pytest.raises(ValidationError, match="not part of this application"):
        _save(application, other_section, application.lead_applicant, {question.pk: "x"})


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.exe", b"MZ\x90\x00", "is not an allowed type"),
        ("plan.pdf", b"<html><script>alert(1)</script></html>", "does not contain what its name"),
        ("plan.pdf", b"", "is empty"),
        ("plan.pdf", PDF + b"0" * (1024 * 1024), "larger than 1 MB"),
    ],
)
def test_bad_uploads_are_refused_and_the_previous_file_kept(
    application: Application,
    section: FormSection,
    private_files: list[str],
    name: str,
    content: bytes,
    message: str,
) -> None:
    upload_question = _question(
        section, QuestionKind.FILE, allowed_file_types=["pdf", "docx"], max_file_mb=1
    )
    text = _question(section, QuestionKind.SHORT_TEXT)
    lead = application.lead_applicant
    _save(
        application, section, lead, files={upload_question.pk: SimpleUploadedFile("old.pdf", PDF)}
    )
    before = Answer.objects.get(question=upload_question)
    storage = Answer._meta.get_field("file").storage
    stored_before = set(storage.listdir(f"applications/{application.pk}")[1])

    with pytest.raises(AnswersNotSaved) as caught:
        _save(
            application,
            section,
            lead,
            {text.pk: "Typed"},
            {upload_question.pk: 1},
            {upload_question.pk: SimpleUploadedFile(name, content)},
        )

    assert message in caught.value.message_dict[answer_field_name(upload_question.pk)][0]
    after = Answer.objects.get(question=upload_question)
    assert (after.file.name, after.file_name, after.version) == (before.file.name, "old.pdf", 1)
    assert not Answer.objects.filter(question=text).exists()
    assert set(storage.listdir(f"applications/{application.pk}")[1]) == stored_before


def test_an_accepted_pdf_is_stored_privately_with_its_name_type_and_size(
    application: Application,
    section: FormSection,
    private_files: list[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    upload_question = _question(section, QuestionKind.FILE, allowed_file_types=["pdf"])
    lead = application.lead_applicant

    _save(
        application,
        section,
        lead,
        files={upload_question.pk: SimpleUploadedFile("../../Plan 2027.pdf", PDF)},
    )

    answer = Answer.objects.get(question=upload_question)
    assert answer.file_name == "Plan 2027.pdf"
    assert answer.file_content_type == "application/pdf"
    assert answer.file_size == len(PDF)
    assert answer.file.name.startswith(f"applications/{application.pk}/")
    assert "Plan" not in answer.file.name
    with answer.file.open("rb") as stored:
        assert stored.read() == PDF
    first_name = answer.file.name

    # A replacement removes the old file once the change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        _save(
            application,
            section,
            lead,
            versions={upload_question.pk: 1},
            files={upload_question.pk: SimpleUploadedFile("v2.pdf", PDF + b"%v2")},
        )
    answer.refresh_from_db()
    assert (answer.file_name, answer.version) == ("v2.pdf", 2)
    assert not answer.file.storage.exists(first_name)


def test_a_file_is_removed_only_from_the_version_the_person_saw(
    application: Application,
    section: FormSection,
    private_files: list[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    upload_question = _question(section, QuestionKind.FILE)
    lead = application.lead_applicant
    _save(application, section, lead, files={upload_question.pk: SimpleUploadedFile("a.pdf", PDF)})
    name = Answer.objects.get(question=upload_question).file.name

    with pytest.raises(ValidationError, match="so it was not removed"):
        answer_file_delete(
            application=application, question=upload_question, actor=lead, base_version=0
        )
    with django_capture_on_commit_callbacks(execute=True):
        answer_file_delete(
            application=application, question=upload_question, actor=lead, base_version=1
        )

    answer = Answer.objects.get(question=upload_question)
    assert (answer.file.name, answer.file_name, answer.version) == ("", "", 2)
    assert not answer.file.storage.exists(name)
    assert AuditEvent.objects.filter(action="application.answer_file_removed").count() == 1
    with pytest.raises(ValidationError, match="no file to remove"):
        answer_file_delete(
            application=application, question=upload_question, actor=lead, base_version=2
        )


def test_the_same_person_in_another_tab_is_named_as_such(
    application: Application, section: FormSection
) -> None:
    question = _question(section, QuestionKind.SHORT_TEXT)
    lead = application.lead_applicant
    _save(application, section, lead, {question.pk: "Tab one"}, {})
    with pytest.raises(AnswersNotSaved) as caught:
        _save(application, section, lead, {question.pk: "Tab two"}, {})
    assert caught.value.conflicts[question.pk].changed_by == "You (in another window or tab)"


def test_a_change_by_someone_since_removed_is_told_as_someone_else(
    application: Application, section: FormSection
) -> None:
    question = _question(section, QuestionKind.SHORT_TEXT)
    collaborator = CollaboratorFactory.create(application=application).user
    _save(application, section, collaborator, {question.pk: "Theirs"}, {})
    Answer.objects.filter(question=question).update(updated_by=None)
    with pytest.raises(AnswersNotSaved) as caught:
        _save(application, section, application.lead_applicant, {question.pk: "Mine"}, {})
    assert caught.value.conflicts[question.pk].changed_by == "Someone else"
