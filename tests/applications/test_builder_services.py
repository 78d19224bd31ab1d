"""Staff build a round's form and criteria: every rule the builder's services enforce."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from sharedpurpose.accounts.models import User
from sharedpurpose.applications.models import (
    Answer,
    Application,
    ApplicationForm,
    ApplicationState,
    Criterion,
    FormSection,
    Question,
    QuestionKind,
    Score,
)
from sharedpurpose.applications.services import builder
from sharedpurpose.applications.services.builder import CriterionValues, QuestionValues
from sharedpurpose.applications.storage import private_storage
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.programmes.models import Round
from tests.factories import RoundFactory, UserFactory

from .factories import (
    ApplicationFactory,
    ApplicationFormFactory,
    AssignmentFactory,
    CriterionFactory,
    EligibilityQuestionFactory,
    QuestionFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor() -> User:
    return UserFactory.create()


def _field_errors(call: Callable[[], Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def _answer(question: Question, state: ApplicationState, value: Any = "An answer") -> Answer:
    application = ApplicationFactory.create(round=question.section.form.round, state=state)
    return Answer.objects.create(application=application, question=question, value=value)


def _positions(items: Any) -> list[tuple[str, int]]:
    return [(str(item), item.position) for item in items.order_by("position", "pk")]


# --------------------------------------------------------------------------
# The form and its settings
# --------------------------------------------------------------------------


def test_form_create_makes_an_empty_form_once_and_records_it(actor: User) -> None:
    round_ = RoundFactory.create()

    form = builder.form_create(actor=actor, round_=round_)

    assert form.round == round_ and not form.sections.exists()
    event = AuditEvent.objects.get(action="application_form.create")
    assert event.scope == f"round:{round_.pk}" and event.actor == actor
    with pytest.raises(ValidationError, match="already has an application form"):
        builder.form_create(actor=actor, round_=round_)
    assert ApplicationForm.objects.count() == 1


def test_form_settings_are_saved_and_audited(actor: User) -> None:
    form = ApplicationFormFactory.create()

    builder.form_settings_update(
        actor=actor,
        form=form,
        introduction="  Read the **guidance**.  ",
        requires_corporate_lead=True,
        requires_clinical_lead=False,
        min_partner_organisations=2,
    )

    form.refresh_from_db()
    assert form.introduction == "Read the **guidance**."
    assert (form.requires_clinical_lead, form.min_partner_organisations) == (False, 2)
    event = AuditEvent.objects.get(action="application_form.settings")
    assert event.changes["min_partner_organisations"] == [1, 2]


@pytest.mark.parametrize("minimum", [-1, 21])
def test_form_settings_refuse_a_minimum_of_partners_out_of_range(actor: User, minimum: int) -> None:
    form = ApplicationFormFactory.create()

    errors = _field_errors(
        lambda: builder.form_settings_update(
            actor=actor,
            form=form,
            introduction="",
            requires_corporate_lead=True,
            requires_clinical_lead=True,
            min_partner_organisations=minimum,
        )
    )

    assert "between 0 and 20" in errors["min_partner_organisations"][0]
    form.refresh_from_db()
    assert form.min_partner_organisations == 1


# --------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------


def test_sections_are_added_in_order_and_need_a_title(actor: User) -> None:
    form = ApplicationFormFactory.create()

    first = builder.section_create(actor=actor, form=form, title=" About you ")
    second = builder.section_create(actor=actor, form=form, title="Your project")

    assert (first.title, first.position, second.position) == ("About you", 0, 1)
    errors = _field_errors(lambda: builder.section_create(actor=actor, form=form, title="  "))
    assert errors["title"] == ["Enter the section's title."]
    errors = _field_errors(lambda: builder.section_create(actor=actor, form=form, title="x" * 201))
    assert "200 characters" in errors["title"][0]
    assert form.sections.count() == 2
    assert AuditEvent.objects.filter(action="form_section.create").count() == 2


def test_a_section_is_renamed(actor: User) -> None:
    section = SectionFactory.create(title="Old")

    builder.section_update(actor=actor, section=section, title="New", description="*Why*")

    section.refresh_from_db()
    assert (section.title, section.description) == ("New", "*Why*")
    assert AuditEvent.objects.get(action="form_section.update").changes["title"] == ["Old", "New"]


def test_sections_move_up_and_down_and_are_renumbered(actor: User) -> None:
    form = ApplicationFormFactory.create()
    # Gaps in the stored positions are closed by the move.
    a, b, c = (
        SectionFactory.create(form=form, title=t, position=p)
        for t, p in zip("ABC", (0, 4, 9), strict=True)
    )

    builder.section_move(actor=actor, section=c, direction="up")

    assert _positions(form.sections.all()) == [("A", 0), ("C", 1), ("B", 2)]
    builder.section_move(actor=actor, section=a, direction="down")
    assert _positions(form.sections.all()) == [("C", 0), ("A", 1), ("B", 2)]
    errors = _field_errors(lambda: builder.section_move(actor=actor, section=c, direction="up"))
    assert errors["direction"] == ["“C” is already first."]
    assert AuditEvent.objects.filter(action="form_section.move").count() == 2


def test_a_section_that_submitted_applications_answered_cannot_be_deleted(actor: User) -> None:
    question = QuestionFactory.create()
    _answer(question, ApplicationState.SUBMITTED)
    _answer(question, ApplicationState.WITHDRAWN)

    with pytest.raises(ValidationError) as caught:
        builder.section_delete(actor=actor, section=question.section)

    assert "2 submitted applications answered questions in this section" in caught.value.messages[0]
    assert Question.objects.filter(pk=question.pk).exists()


def test_deleting_a_section_deletes_its_questions_and_drafts_answers(actor: User) -> None:
    form = ApplicationFormFactory.create()
    doomed, kept = SectionFactory.create(form=form), SectionFactory.create(form=form)
    question = QuestionFactory.create(section=doomed)
    _answer(question, ApplicationState.DRAFT)
    # An empty answer of a submitted application holds nothing to keep.
    _answer(question, ApplicationState.SUBMITTED, value=None)

    drafts = builder.section_delete(actor=actor, section=doomed)

    assert drafts == 1
    assert not FormSection.objects.filter(pk=doomed.pk).exists()
    assert not Question.objects.filter(pk=question.pk).exists()
    assert not Answer.objects.exists()
    kept.refresh_from_db()
    assert kept.position == 0
    assert "the answers of 1 draft" in AuditEvent.objects.get(action="form_section.delete").summary


# --------------------------------------------------------------------------
# Questions: what each kind needs
# --------------------------------------------------------------------------


def _create(actor: User, **values: Any) -> Question:
    section = SectionFactory.create()
    return builder.question_create(actor=actor, section=section, values=QuestionValues(**values))


def _create_errors(actor: User, **values: Any) -> dict[str, list[str]]:
    errors = _field_errors(lambda: _create(actor, **values))
    assert not Question.objects.exists()
    return errors


def test_a_long_text_question_keeps_its_word_limit_and_drops_other_kinds_settings(
    actor: User,
) -> None:
    question = _create(
        actor,
        kind=QuestionKind.LONG_TEXT,
        label=" Describe the problem ",
        help_text="Use data.",
        word_limit=500,
        choices=["Yes", "No"],
        max_file_mb=10,
    )

    assert (question.label, question.word_limit, question.position) == (
        "Describe the problem",
        500,
        0,
    )
    assert question.choices == [] and question.max_file_mb is None
    event = AuditEvent.objects.get(action="question.create")
    assert event.scope == f"round:{question.section.form.round_id}"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"kind": "essay", "label": "Q"}, "kind", "Choose the kind of question."),
        ({"kind": QuestionKind.SHORT_TEXT, "label": "  "}, "label", "Enter the question."),
        ({"kind": QuestionKind.SHORT_TEXT, "label": "x" * 301}, "label", "300 characters"),
        ({"kind": QuestionKind.LONG_TEXT, "label": "Q"}, "word_limit", "Enter the word limit"),
        (
            {"kind": QuestionKind.LONG_TEXT, "label": "Q", "word_limit": 0},
            "word_limit",
            "between 1 and 10,000",
        ),
        (
            {"kind": QuestionKind.SINGLE_CHOICE, "label": "Q", "choices": ["Yes", " ", ""]},
            "choices",
            "at least two choices",
        ),
        (
            {
                "kind": QuestionKind.MULTIPLE_CHOICE,
                "label": "Q",
                "choices": ["HR", "Finance", "hr "],
            },
            "choices",
            "“hr” is listed twice",
        ),
        (
            {"kind": QuestionKind.NUMBER, "label": "Q", "min_value": 10, "max_value": 10},
            "max_value",
            "more than the smallest",
        ),
        (
            {"kind": QuestionKind.FILE, "label": "Q", "allowed_file_types": []},
            "allowed_file_types",
            "at least one file type",
        ),
        (
            {"kind": QuestionKind.FILE, "label": "Q", "allowed_file_types": ["exe"]},
            "allowed_file_types",
            "“exe” is not a file type",
        ),
        (
            {
                "kind": QuestionKind.FILE,
                "label": "Q",
                "allowed_file_types": ["pdf"],
                "max_file_mb": 26,
            },
            "max_file_mb",
            "between 1 and 25 MB",
        ),
        (
            {
                "kind": QuestionKind.FILE,
                "label": "Q",
                "allowed_file_types": ["pdf"],
                "max_file_mb": 0,
            },
            "max_file_mb",
            "between 1 and 25 MB",
        ),
    ],
)
def test_question_values_are_checked_field_by_field(
    actor: User, values: dict[str, Any], field: str, message: str
) -> None:
    errors = _create_errors(actor, **values)

    assert message in errors[field][0]


def test_choices_are_trimmed_one_per_line_without_blank_lines(actor: User) -> None:
    question = _create(
        actor, kind=QuestionKind.MULTIPLE_CHOICE, label="Services", choices=[" HR ", "", "IT"]
    )

    assert question.choices == ["HR", "IT"]


def test_a_file_question_keeps_its_types_in_a_stable_order_and_its_size(actor: User) -> None:
    question = _create(
        actor,
        kind=QuestionKind.FILE,
        label="Budget",
        allowed_file_types=["xlsx", "pdf", "pdf"],
        max_file_mb=25,
    )

    assert (question.allowed_file_types, question.max_file_mb) == (["pdf", "xlsx"], 25)


def test_a_number_question_keeps_its_range(actor: User) -> None:
    question = _create(
        actor,
        kind=QuestionKind.NUMBER,
        label="Amount",
        min_value=Decimal("1000"),
        max_value=Decimal("250000"),
    )

    assert (question.min_value, question.max_value) == (Decimal(1000), Decimal(250000))


def _eligibility(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": QuestionKind.SINGLE_CHOICE,
        "label": "Is the lead organisation an NHS body?",
        "choices": ["Yes", "No", "Not sure"],
        "is_eligibility": True,
        "eligible_choices": ["Yes"],
        "ineligible_reason": "Only NHS bodies can lead.",
        **overrides,
    }


def test_an_eligibility_question_is_always_required(actor: User) -> None:
    question = _create(actor, **_eligibility(required=False, eligible_choices=[" Yes ", ""]))

    assert question.is_eligibility and question.required
    assert question.eligible_choices == ["Yes"]
    assert question.ineligible_reason == "Only NHS bodies can lead."


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"kind": QuestionKind.MULTIPLE_CHOICE}, "is_eligibility", "Only single-choice"),
        ({"eligible_choices": []}, "eligible_choices", "Enter the choices that make"),
        ({"eligible_choices": ["Maybe"]}, "eligible_choices", "“Maybe” is not one of the choices"),
        (
            {"eligible_choices": ["Yes", "No", "Not sure"]},
            "eligible_choices",
            "At least one choice must make an applicant ineligible",
        ),
        ({"ineligible_reason": "  "}, "ineligible_reason", "Enter the reason"),
    ],
)
def test_eligibility_questions_need_eligible_choices_and_a_reason(
    actor: User, overrides: dict[str, Any], field: str, message: str
) -> None:
    errors = _create_errors(actor, **_eligibility(**overrides))

    assert message in errors[field][0]


def test_every_field_error_is_reported_at_once(actor: User) -> None:
    errors = _create_errors(actor, **_eligibility(label="", choices=["Yes"], ineligible_reason=""))

    assert set(errors) == {"label", "choices", "ineligible_reason"}


# --------------------------------------------------------------------------
# Questions: guard rails for applications that answered them
# --------------------------------------------------------------------------


def _values_of(question: Question, **overrides: Any) -> QuestionValues:
    values = {
        "kind": question.kind,
        "label": question.label,
        "help_text": question.help_text,
        "required": question.required,
        "word_limit": question.word_limit,
        "choices": question.choices,
        **overrides,
    }
    return QuestionValues(**values)


def test_a_question_submitted_applications_answered_keeps_its_kind(actor: User) -> None:
    question = QuestionFactory.create(kind=QuestionKind.LONG_TEXT)
    _answer(question, ApplicationState.IN_ASSESSMENT)

    errors = _field_errors(
        lambda: builder.question_update(
            actor=actor, question=question, values=_values_of(question, kind=QuestionKind.NUMBER)
        )
    )

    assert errors["kind"] == [
        "1 submitted application answered this question, so its kind cannot change."
    ]
    question.refresh_from_db()
    assert question.kind == QuestionKind.LONG_TEXT


def test_a_question_submitted_applications_answered_can_still_be_reworded(actor: User) -> None:
    question = QuestionFactory.create(kind=QuestionKind.LONG_TEXT, label="Old")
    answer = _answer(question, ApplicationState.SUBMITTED)

    builder.question_update(
        actor=actor, question=question, values=_values_of(question, label="New")
    )

    question.refresh_from_db()
    assert question.label == "New"
    assert Answer.objects.filter(pk=answer.pk).exists()
    assert AuditEvent.objects.get(action="question.update").changes["label"] == ["Old", "New"]


def test_changing_a_questions_kind_clears_the_drafts_answers_that_no_longer_fit(
    actor: User,
) -> None:
    question = QuestionFactory.create(kind=QuestionKind.LONG_TEXT)
    _answer(question, ApplicationState.DRAFT, value="Some words")

    builder.question_update(
        actor=actor,
        question=question,
        values=_values_of(question, kind=QuestionKind.NUMBER, word_limit=None),
    )

    question.refresh_from_db()
    assert (question.kind, question.word_limit) == (QuestionKind.NUMBER, None)
    assert not Answer.objects.exists()
    assert (
        "cleared the answers of 1 draft" in AuditEvent.objects.get(action="question.update").summary
    )


def test_an_update_that_changes_nothing_is_not_recorded(actor: User) -> None:
    question = QuestionFactory.create()

    builder.question_update(actor=actor, question=question, values=_values_of(question))

    assert not AuditEvent.objects.filter(action="question.update").exists()


def test_a_question_submitted_applications_answered_cannot_be_deleted(actor: User) -> None:
    question = QuestionFactory.create()
    _answer(question, ApplicationState.SUBMITTED)
    _answer(question, ApplicationState.AWARDED)
    _answer(question, ApplicationState.DRAFT)

    with pytest.raises(ValidationError) as caught:
        builder.question_delete(actor=actor, question=question)

    assert caught.value.messages[0].startswith("2 submitted applications answered this question")
    assert Answer.objects.count() == 3


def test_deleting_a_question_only_drafts_answered_deletes_their_answers_and_files(
    actor: User, django_capture_on_commit_callbacks: Any
) -> None:
    section = SectionFactory.create()
    first, doomed, last = (QuestionFactory.create(section=section, position=p) for p in (0, 1, 2))
    draft = ApplicationFactory.create(round=section.form.round)
    upload = Answer(application=draft, question=doomed, file_name="plan.pdf")
    upload.file.save("plan.pdf", ContentFile(b"%PDF-1.7 plan"), save=True)
    stored = upload.file.name
    _answer(doomed, ApplicationState.DRAFT)

    with django_capture_on_commit_callbacks(execute=True):
        drafts = builder.question_delete(actor=actor, question=doomed)

    assert drafts == 2
    assert not Answer.objects.exists()
    assert not private_storage().exists(stored)
    assert _positions(section.questions.all()) == [(first.label, 0), (last.label, 1)]
    assert "the answers of 2 drafts" in AuditEvent.objects.get(action="question.delete").summary


def test_questions_move_within_their_section(actor: User) -> None:
    section = SectionFactory.create()
    a, b = (QuestionFactory.create(section=section, label=label) for label in "AB")

    builder.question_move(actor=actor, question=b, direction="up")

    assert _positions(section.questions.all()) == [("B", 0), ("A", 1)]
    errors = _field_errors(lambda: builder.question_move(actor=actor, question=a, direction="down"))
    assert errors["direction"] == ["“A” is already last."]


def test_a_question_moves_to_the_end_of_another_section_of_the_form(actor: User) -> None:
    form = ApplicationFormFactory.create()
    here, there = SectionFactory.create(form=form), SectionFactory.create(form=form)
    a, b = (QuestionFactory.create(section=here, label=label) for label in "AB")
    QuestionFactory.create(section=there, label="C")

    builder.question_move(actor=actor, question=a, to_section=there)

    assert _positions(here.questions.all()) == [("B", 0)]
    assert _positions(there.questions.all()) == [("C", 0), ("A", 1)]
    event = AuditEvent.objects.get(action="question.move")
    assert event.changes["section"] == [here.pk, there.pk]


def test_a_question_cannot_move_to_another_forms_section_or_nowhere(actor: User) -> None:
    question = QuestionFactory.create()
    elsewhere = SectionFactory.create()

    errors = _field_errors(
        lambda: builder.question_move(actor=actor, question=question, to_section=elsewhere)
    )
    assert errors["to_section"] == ["Choose a section of this form."]
    errors = _field_errors(
        lambda: builder.question_move(actor=actor, question=question, to_section=question.section)
    )
    assert "is already in" in errors["to_section"][0]
    errors = _field_errors(lambda: builder.question_move(actor=actor, question=question))
    assert "direction" in errors
    assert not AuditEvent.objects.exists()


# --------------------------------------------------------------------------
# Copying a form from a previous round
# --------------------------------------------------------------------------


def _source_form() -> ApplicationForm:
    form = ApplicationFormFactory.create(
        introduction="Welcome", requires_clinical_lead=False, min_partner_organisations=3
    )
    eligibility_section = SectionFactory.create(form=form, title="Eligibility", position=0)
    EligibilityQuestionFactory.create(section=eligibility_section, position=0)
    project = SectionFactory.create(form=form, title="Project", position=1)
    QuestionFactory.create(section=project, label="Aims", position=0, word_limit=300)
    QuestionFactory.create(
        section=project,
        label="Budget",
        kind=QuestionKind.FILE,
        word_limit=None,
        allowed_file_types=["xlsx"],
        max_file_mb=5,
        position=1,
    )
    return form


def test_a_form_is_copied_with_its_settings_sections_and_questions(actor: User) -> None:
    source = _source_form()
    target = RoundFactory.create()

    form = builder.form_copy_from(actor=actor, round_=target, source_round=source.round)

    assert form.round == target and form.copied_from == source.round
    assert (form.introduction, form.requires_clinical_lead, form.min_partner_organisations) == (
        "Welcome",
        False,
        3,
    )
    sections = builder.form_sections(form)
    assert [s.title for s in sections] == ["Eligibility", "Project"]
    eligibility = sections[0].questions.get()
    assert eligibility.is_eligibility and eligibility.eligible_choices == ["Yes"]
    budget = sections[1].questions.get(label="Budget")
    assert (budget.allowed_file_types, budget.max_file_mb, budget.position) == (["xlsx"], 5, 1)
    # The source is untouched.
    assert Question.objects.filter(section__form=source).count() == 3
    event = AuditEvent.objects.get(action="application_form.copy")
    assert event.scope == f"round:{target.pk}" and "2 sections, 3 questions" in event.summary


def test_copying_into_an_existing_empty_form_replaces_its_settings(actor: User) -> None:
    source = _source_form()
    target = ApplicationFormFactory.create(introduction="Draft intro")

    builder.form_copy_from(actor=actor, round_=target.round, source_round=source.round)

    target.refresh_from_db()
    assert target.introduction == "Welcome" and target.sections.count() == 2


def test_copying_is_refused_when_the_form_already_has_sections(actor: User) -> None:
    source = _source_form()
    target = SectionFactory.create(title="Mine").form

    errors = _field_errors(
        lambda: builder.form_copy_from(actor=actor, round_=target.round, source_round=source.round)
    )

    assert "already has sections" in errors["source_round"][0]
    assert [s.title for s in target.sections.all()] == ["Mine"]


def test_copying_needs_another_round_with_sections(actor: User) -> None:
    source = _source_form()
    empty = ApplicationFormFactory.create()

    errors = _field_errors(
        lambda: builder.form_copy_from(actor=actor, round_=source.round, source_round=source.round)
    )
    assert errors["source_round"] == ["Choose another round to copy the form from."]
    errors = _field_errors(
        lambda: builder.form_copy_from(
            actor=actor, round_=RoundFactory.create(), source_round=empty.round
        )
    )
    assert "has no form sections to copy" in errors["source_round"][0]


def test_a_copy_that_fails_part_way_leaves_nothing_behind(
    actor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _source_form()
    target = RoundFactory.create()
    real_bulk_create = Question.objects.bulk_create
    calls: list[int] = []

    def failing_bulk_create(objs: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_bulk_create(objs, *args, **kwargs)

    monkeypatch.setattr(Question.objects, "bulk_create", failing_bulk_create)

    with pytest.raises(RuntimeError):
        builder.form_copy_from(actor=actor, round_=target, source_round=source.round)

    assert not ApplicationForm.objects.filter(round=target).exists()
    assert FormSection.objects.count() == 2 and Question.objects.count() == 3
    assert not AuditEvent.objects.exists()


def test_copy_sources_are_forms_with_sections_defaulting_to_the_latest_earlier_round() -> None:
    target = RoundFactory.create(number=5)
    programme = target.programme
    older = SectionFactory.create(form__round=RoundFactory.create(programme=programme, number=3))
    latest = SectionFactory.create(form__round=RoundFactory.create(programme=programme, number=4))
    SectionFactory.create(form__round=RoundFactory.create(programme=programme, number=6))
    elsewhere = SectionFactory.create()
    ApplicationFormFactory.create(round=RoundFactory.create(programme=programme, number=2))

    sources = builder.form_copy_sources(round_=target)

    assert older.form.round in sources and elsewhere.form.round in sources
    assert len(sources) == 4  # the round with an empty form is not offered
    assert builder.copy_source_default(round_=target, sources=sources) == latest.form.round
    assert builder.copy_source_default(round_=elsewhere.form.round, sources=sources) is None


# --------------------------------------------------------------------------
# Assessment criteria
# --------------------------------------------------------------------------


def _criterion_errors(actor: User, round_: Round, **values: Any) -> dict[str, list[str]]:
    errors = _field_errors(
        lambda: builder.criterion_create(
            actor=actor, round_=round_, values=CriterionValues(**{"name": "Impact", **values})
        )
    )
    assert not Criterion.objects.filter(round=round_).exists()
    return errors


def test_criteria_are_added_in_order_and_audited(actor: User) -> None:
    round_ = RoundFactory.create()

    first = builder.criterion_create(
        actor=actor,
        round_=round_,
        values=CriterionValues(name=" Impact ", guidance="5: *transformative*", weight=3),
    )
    second = builder.criterion_create(
        actor=actor, round_=round_, values=CriterionValues(name="Partnership", scale_max=10)
    )

    assert (first.name, first.weight, first.position, second.position) == ("Impact", 3, 0, 1)
    assert (second.scale_min, second.scale_max) == (0, 10)
    event = AuditEvent.objects.filter(action="criterion.create").first()
    assert event is not None and event.scope == f"round:{round_.pk}"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": " "}, "name", "Enter the criterion's name."),
        ({"weight": 0}, "weight", "from 1 to 100"),
        ({"weight": -2}, "weight", "from 1 to 100"),
        ({"weight": None}, "weight", "Enter the weight"),
        ({"scale_min": 3, "scale_max": 3}, "scale_max", "more than the lowest"),
        ({"scale_min": 4, "scale_max": 2}, "scale_max", "more than the lowest"),
        ({"scale_max": 11}, "scale_max", "10 or less"),
        ({"scale_min": -1}, "scale_min", "from 0 to 9"),
    ],
)
def test_criterion_values_are_checked(
    actor: User, values: dict[str, Any], field: str, message: str
) -> None:
    errors = _criterion_errors(actor, RoundFactory.create(), **values)

    assert message in errors[field][0]


def _scored(criterion: Criterion, count: int) -> None:
    for _ in range(count):
        Score.objects.create(
            assignment=AssignmentFactory.create(), criterion=criterion, score=3, comment="Good"
        )


def test_a_scored_criterion_keeps_its_scale_but_can_change_its_weight(actor: User) -> None:
    criterion = CriterionFactory.create(weight=1, scale_min=0, scale_max=5)
    _scored(criterion, 3)

    errors = _field_errors(
        lambda: builder.criterion_update(
            actor=actor,
            criterion=criterion,
            values=CriterionValues(name=criterion.name, weight=1, scale_min=1, scale_max=5),
        )
    )
    assert errors["scale_max"] == [
        "Assessors have given 3 scores on this criterion, so its scale cannot change."
    ]

    builder.criterion_update(
        actor=actor,
        criterion=criterion,
        values=CriterionValues(name=criterion.name, weight=2, scale_min=0, scale_max=5),
    )
    criterion.refresh_from_db()
    assert (criterion.weight, criterion.scale_min) == (2, 0)


def test_a_scored_criterion_cannot_be_deleted(actor: User) -> None:
    criterion = CriterionFactory.create(name="Impact")
    _scored(criterion, 1)

    with pytest.raises(ValidationError) as caught:
        builder.criterion_delete(actor=actor, criterion=criterion)

    assert caught.value.messages == [
        "Assessors have given 1 score on “Impact”, so it cannot be deleted."
    ]
    assert Criterion.objects.filter(pk=criterion.pk).exists()


def test_deleting_and_moving_criteria_renumbers_them(actor: User) -> None:
    round_ = RoundFactory.create()
    a, b, c = (CriterionFactory.create(round=round_, name=name) for name in "ABC")

    builder.criterion_delete(actor=actor, criterion=a)
    builder.criterion_move(actor=actor, criterion=c, direction="up")

    assert _positions(Criterion.objects.filter(round=round_)) == [("C", 0), ("B", 1)]
    errors = _field_errors(lambda: builder.criterion_move(actor=actor, criterion=c, direction="up"))
    assert errors["direction"] == ["“C” is already first."]
    assert AuditEvent.objects.filter(action__in=["criterion.delete", "criterion.move"]).count() == 2


def test_criteria_are_copied_from_another_round_all_or_nothing(actor: User) -> None:
    source = RoundFactory.create()
    CriterionFactory.create(round=source, name="Impact", weight=2, guidance="G", scale_max=10)
    CriterionFactory.create(round=source, name="Feasibility")
    target = RoundFactory.create()

    copied = builder.criteria_copy_from(actor=actor, round_=target, source_round=source)

    assert [(c.name, c.weight, c.position) for c in copied] == [
        ("Impact", 2, 0),
        ("Feasibility", 1, 1),
    ]
    assert Criterion.objects.get(round=target, name="Impact").scale_max == 10
    assert "Copied 2 assessment criteria" in AuditEvent.objects.get(action="criteria.copy").summary
    errors = _field_errors(
        lambda: builder.criteria_copy_from(actor=actor, round_=target, source_round=source)
    )
    assert "already has assessment criteria" in errors["source_round"][0]
    assert Criterion.objects.filter(round=target).count() == 2


def test_criteria_shares_are_percentages_of_the_total_weight() -> None:
    round_ = RoundFactory.create()
    CriterionFactory.create(round=round_, weight=1)
    CriterionFactory.create(round=round_, weight=2)

    shares = builder.criteria_with_shares(round_=round_)

    assert [share.share for share in shares] == [Decimal("33.3"), Decimal("66.7")]


def test_an_application_that_did_not_answer_does_not_stop_a_deletion(actor: User) -> None:
    question = QuestionFactory.create()
    ApplicationFactory.create(round=question.section.form.round, state=ApplicationState.SUBMITTED)

    assert builder.question_delete(actor=actor, question=question) == 0
    assert Application.objects.count() == 1
