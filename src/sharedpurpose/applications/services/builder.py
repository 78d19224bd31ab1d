"""Staff build a round's application form (settings, sections, questions) and its assessment
criteria. Each function checks its input, raises ``ValidationError`` naming the field, and
records what it changed in the round's audit history (``scope="round:<pk>"``).

Guard rails keep applications intact: a question that a non-draft application answered can
neither be deleted nor change kind, and a criterion with scores can neither be deleted nor
change its scale. Answers that only drafts gave are deleted with their question (the pages
ask first and say how many).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Model, QuerySet

from sharedpurpose.core.audit import audit_changes, audit_record

from ..answers import DEFAULT_MAX_FILE_MB, answer_is_empty
from ..models import (
    Answer,
    ApplicationForm,
    ApplicationState,
    Criterion,
    FileType,
    FormSection,
    Question,
    QuestionKind,
    Score,
)
from ..storage import private_storage

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User
    from sharedpurpose.programmes.models import Round

MoveDirection = Literal["up", "down"]

MIN_FILE_MB = 1
#: Uploads are held in memory and checked by content; 25 MB keeps that affordable.
MAX_FILE_MB = 25
MAX_WORD_LIMIT = 10_000
MAX_PARTNER_ORGANISATIONS = 20
#: Scores are whole numbers a person picks; more than eleven points stops meaning anything.
MAX_SCALE = 10
#: Weights are relative to each other; 100 is plenty to express any split.
MAX_WEIGHT = 100
MAX_CHOICE_LENGTH = 200

_SETTINGS_FIELDS = (
    "introduction",
    "requires_corporate_lead",
    "requires_clinical_lead",
    "min_partner_organisations",
)
_SECTION_FIELDS = ("title", "description")
_QUESTION_FIELDS = (
    "kind",
    "label",
    "help_text",
    "required",
    "word_limit",
    "choices",
    "min_value",
    "max_value",
    "allowed_file_types",
    "max_file_mb",
    "is_eligibility",
    "eligible_choices",
    "ineligible_reason",
)
_CRITERION_FIELDS = ("name", "guidance", "weight", "scale_min", "scale_max")
_CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})


def round_scope(round_: Round) -> str:
    """The audit scope of a round's form and criteria."""
    return f"round:{round_.pk}"


def round_label(round_: Round) -> str:
    return f"{round_.programme.name}, round {round_.number}: {round_.name}"


def _snapshot(obj: Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


# --------------------------------------------------------------------------
# Reads the builder's pages need
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerUsage:
    """How many applications answered a question (or a section's questions)."""

    submitted: int = 0  # applications past draft: their answers must stay as they are
    drafts: int = 0  # drafts: their answers go with the question


def _usage(answers: QuerySet[Answer]) -> AnswerUsage:
    submitted: set[int] = set()
    drafts: set[int] = set()
    rows = answers.values_list("application_id", "application__state", "value", "file")
    for application_id, state, value, file in rows:
        if not file and answer_is_empty(value):
            continue
        (drafts if state == ApplicationState.DRAFT else submitted).add(application_id)
    return AnswerUsage(submitted=len(submitted), drafts=len(drafts))


def question_usage(question: Question) -> AnswerUsage:
    return _usage(Answer.objects.filter(question=question))


def section_usage(section: FormSection) -> AnswerUsage:
    return _usage(Answer.objects.filter(question__section=section))


def form_sections(form: ApplicationForm) -> list[FormSection]:
    """The form's sections in order, each with its questions prefetched in order."""
    return list(form.sections.prefetch_related("questions").order_by("position", "pk"))


def form_copy_sources(*, round_: Round) -> list[Round]:
    """Rounds of any programme whose form has sections to copy, newest first per programme."""
    from sharedpurpose.programmes.models import Round

    return list(
        Round.objects.filter(application_form__sections__isnull=False)
        .exclude(pk=round_.pk)
        .select_related("programme")
        .distinct()
        .order_by("programme__name", "-number")
    )


def criteria_copy_sources(*, round_: Round) -> list[Round]:
    """Rounds of any programme with assessment criteria, newest first per programme."""
    from sharedpurpose.programmes.models import Round

    return list(
        Round.objects.filter(criteria__isnull=False)
        .exclude(pk=round_.pk)
        .select_related("programme")
        .distinct()
        .order_by("programme__name", "-number")
    )


def copy_source_default(*, round_: Round, sources: Sequence[Round]) -> Round | None:
    """The latest earlier round of the same programme among ``sources``, if any."""
    earlier = [
        source
        for source in sources
        if source.programme_id == round_.programme_id and source.number < round_.number
    ]
    return max(earlier, key=lambda source: source.number, default=None)


@dataclass(frozen=True)
class CriterionShare:
    criterion: Criterion
    #: The criterion's weight as a percentage of the round's total weight.
    share: Decimal
    score_count: int


def criteria_with_shares(*, round_: Round) -> list[CriterionShare]:
    criteria = list(
        Criterion.objects.filter(round=round_)
        .annotate(score_count=Count("scores"))
        .order_by("position", "pk")
    )
    total = sum(criterion.weight for criterion in criteria)
    return [
        CriterionShare(
            criterion=criterion,
            share=(Decimal(100) * criterion.weight / total).quantize(Decimal("0.1")),
            score_count=criterion.score_count,
        )
        for criterion in criteria
    ]


def criterion_score_count(criterion: Criterion) -> int:
    return Score.objects.filter(criterion=criterion).count()


# --------------------------------------------------------------------------
# Positions: 0..n-1 within their parent, renumbered on every move
# --------------------------------------------------------------------------


def _next_position(siblings: QuerySet[Any]) -> int:
    highest = siblings.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


def _renumber(model: type[Model], siblings: list[Any]) -> None:
    for position, sibling in enumerate(siblings):
        sibling.position = position
    model._default_manager.bulk_update(siblings, ["position"])


def _swap(model: type[Model], siblings: list[Any], obj: Any, direction: str, name: str) -> None:
    """Move ``obj`` one place among ``siblings`` (locked, in order) and renumber them all."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Choose to move up or down."})
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == obj.pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(siblings):
        where = "first" if direction == "up" else "last"
        raise ValidationError({"direction": f"“{name}” is already {where}."})
    siblings[index], siblings[target] = siblings[target], siblings[index]
    _renumber(model, siblings)
    obj.position = target


# --------------------------------------------------------------------------
# The form and its settings
# --------------------------------------------------------------------------


def form_create(*, actor: User, round_: Round) -> ApplicationForm:
    """An empty form for ``round_``, with the default settings."""
    try:
        with transaction.atomic():
            form = ApplicationForm.objects.create(round=round_)
            audit_record(
                actor=actor,
                action="application_form.create",
                obj=form,
                scope=round_scope(round_),
                summary=f"Created an empty application form for {round_.name}",
                changes=audit_changes({}, _snapshot(form, _SETTINGS_FIELDS)),
            )
    except IntegrityError:
        raise ValidationError(f"{round_.name} already has an application form.") from None
    return form


def form_copy_from(*, actor: User, round_: Round, source_round: Round) -> ApplicationForm:
    """Copy the settings, sections and questions of ``source_round``'s form into ``round_``'s,
    all or nothing. Refused when ``round_``'s form already has sections."""
    if source_round.pk == round_.pk:
        raise ValidationError({"source_round": "Choose another round to copy the form from."})
    source = ApplicationForm.objects.filter(round=source_round).first()
    sections = form_sections(source) if source else []
    if source is None or not sections:
        raise ValidationError(
            {"source_round": f"{round_label(source_round)} has no form sections to copy."}
        )
    with transaction.atomic():
        form, _ = ApplicationForm.objects.select_for_update().get_or_create(round=round_)
        if form.sections.exists():
            raise ValidationError(
                {
                    "source_round": "This round's form already has sections, so nothing was "
                    "copied. Change its sections instead, or delete them before copying."
                }
            )
        before = _snapshot(form, (*_SETTINGS_FIELDS, "copied_from"))
        for name in _SETTINGS_FIELDS:
            setattr(form, name, getattr(source, name))
        form.copied_from = source_round
        form.save()
        questions = 0
        for position, section in enumerate(sections):
            copy = FormSection.objects.create(
                form=form, position=position, **_snapshot(section, _SECTION_FIELDS)
            )
            copied = Question.objects.bulk_create(
                Question(section=copy, position=index, **_snapshot(question, _QUESTION_FIELDS))
                for index, question in enumerate(section.questions.all())
            )
            questions += len(copied)
        audit_record(
            actor=actor,
            action="application_form.copy",
            obj=form,
            scope=round_scope(round_),
            summary=(
                f"Copied the application form of {round_label(source_round)}: "
                f"{_plural(len(sections), 'section')}, {_plural(questions, 'question')}"
            ),
            changes=audit_changes(before, _snapshot(form, (*_SETTINGS_FIELDS, "copied_from"))),
        )
    return form


@transaction.atomic
def form_settings_update(
    *,
    actor: User,
    form: ApplicationForm,
    introduction: str,
    requires_corporate_lead: bool,
    requires_clinical_lead: bool,
    min_partner_organisations: int,
) -> ApplicationForm:
    if not 0 <= min_partner_organisations <= MAX_PARTNER_ORGANISATIONS:
        raise ValidationError(
            {
                "min_partner_organisations": "Minimum partner organisations must be between 0 "
                f"and {MAX_PARTNER_ORGANISATIONS}."
            }
        )
    before = _snapshot(form, _SETTINGS_FIELDS)
    form.introduction = introduction.strip()
    form.requires_corporate_lead = requires_corporate_lead
    form.requires_clinical_lead = requires_clinical_lead
    form.min_partner_organisations = min_partner_organisations
    changes = audit_changes(before, _snapshot(form, _SETTINGS_FIELDS))
    if changes:
        form.save()
        audit_record(
            actor=actor,
            action="application_form.settings",
            obj=form,
            scope=round_scope(form.round),
            summary=f"Changed the application form settings of {form.round.name}",
            changes=changes,
        )
    return form


# --------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------


def _section_values_clean(*, title: str, description: str) -> dict[str, str]:
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Enter the section's title."})
    if len(title) > 200:
        raise ValidationError({"title": "Use 200 characters or fewer for the title."})
    return {"title": title, "description": description.strip()}


@transaction.atomic
def section_create(
    *, actor: User, form: ApplicationForm, title: str, description: str = ""
) -> FormSection:
    values = _section_values_clean(title=title, description=description)
    section = FormSection.objects.create(
        form=form, position=_next_position(form.sections.all()), **values
    )
    audit_record(
        actor=actor,
        action="form_section.create",
        obj=section,
        scope=round_scope(form.round),
        summary=f"Added the section “{section.title}” to the application form",
        changes=audit_changes({}, _snapshot(section, _SECTION_FIELDS)),
    )
    return section


@transaction.atomic
def section_update(
    *, actor: User, section: FormSection, title: str, description: str = ""
) -> FormSection:
    values = _section_values_clean(title=title, description=description)
    before = _snapshot(section, _SECTION_FIELDS)
    for name, value in values.items():
        setattr(section, name, value)
    changes = audit_changes(before, _snapshot(section, _SECTION_FIELDS))
    if changes:
        section.save()
        audit_record(
            actor=actor,
            action="form_section.update",
            obj=section,
            scope=round_scope(section.form.round),
            summary=f"Changed the section “{section.title}”",
            changes=changes,
        )
    return section


def _submitted_refusal(usage: AnswerUsage, what: str) -> ValidationError:
    return ValidationError(
        f"{_plural(usage.submitted, 'submitted application')} answered {what}, "
        "so it cannot be deleted: their answers must stay as they were submitted."
    )


def _answers_delete(answers: QuerySet[Answer]) -> None:
    """Delete answers and, once the deletion is committed, their uploaded files."""
    files = [name for name in answers.values_list("file", flat=True) if name]
    answers.delete()

    def files_delete() -> None:
        storage = private_storage()
        for name in files:
            storage.delete(name)

    if files:
        transaction.on_commit(files_delete)


@transaction.atomic
def section_delete(*, actor: User, section: FormSection) -> int:
    """Delete a section with its questions and the draft answers to them; the number of
    draft applications whose answers went with it."""
    usage = section_usage(section)
    if usage.submitted:
        raise _submitted_refusal(usage, "questions in this section")
    form = section.form
    questions = list(section.questions.values_list("label", flat=True))
    _answers_delete(Answer.objects.filter(question__section=section))
    audit_record(
        actor=actor,
        action="form_section.delete",
        obj=section,
        scope=round_scope(form.round),
        summary=(
            f"Deleted the section “{section.title}” with {_plural(len(questions), 'question')}"
            + (f" and the answers of {_plural(usage.drafts, 'draft')}" if usage.drafts else "")
        ),
        changes=audit_changes({**_snapshot(section, _SECTION_FIELDS), "questions": questions}, {}),
    )
    section.delete()
    _renumber(FormSection, list(form.sections.select_for_update().order_by("position", "pk")))
    return usage.drafts


@transaction.atomic
def section_move(*, actor: User, section: FormSection, direction: MoveDirection) -> FormSection:
    siblings = list(
        FormSection.objects.filter(form_id=section.form_id)
        .select_for_update()
        .order_by("position", "pk")
    )
    before = section.position
    _swap(FormSection, siblings, section, direction, section.title)
    audit_record(
        actor=actor,
        action="form_section.move",
        obj=section,
        scope=round_scope(section.form.round),
        summary=f"Moved the section “{section.title}” {direction}",
        changes={"position": [before, section.position]},
    )
    return section


# --------------------------------------------------------------------------
# Questions
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionValues:
    """What staff enter for a question; fields that do not apply to ``kind`` are ignored."""

    kind: str
    label: str
    help_text: str = ""
    required: bool = True
    word_limit: int | None = None
    choices: list[str] = field(default_factory=list)
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    allowed_file_types: list[str] = field(default_factory=list)
    max_file_mb: int | None = DEFAULT_MAX_FILE_MB
    is_eligibility: bool = False
    eligible_choices: list[str] = field(default_factory=list)
    ineligible_reason: str = ""


def _lines_clean(values: Iterable[str]) -> list[str]:
    return [stripped for value in values if (stripped := value.strip())]


def _choices_clean(raw: Iterable[str], errors: dict[str, str]) -> list[str]:
    choices = _lines_clean(raw)
    seen: dict[str, str] = {}
    for choice in choices:
        if len(choice) > MAX_CHOICE_LENGTH:
            errors["choices"] = (
                f"Use {MAX_CHOICE_LENGTH} characters or fewer for each choice "
                f"(“{choice[:30]}…” is longer)."
            )
            return choices
        if choice.casefold() in seen:
            errors["choices"] = f"“{choice}” is listed twice: list each choice once."
            return choices
        seen[choice.casefold()] = choice
    if len(choices) < 2:
        errors["choices"] = "Enter at least two choices, one per line."
    return choices


def _question_values_clean(values: QuestionValues) -> dict[str, Any]:
    """The model fields for ``values``, every field error found at once."""
    errors: dict[str, str] = {}
    if values.kind not in QuestionKind.values:
        raise ValidationError({"kind": "Choose the kind of question."})
    kind = QuestionKind(values.kind)
    label = values.label.strip()
    if not label:
        errors["label"] = "Enter the question."
    elif len(label) > 300:
        errors["label"] = "Use 300 characters or fewer for the question."
    cleaned: dict[str, Any] = {
        "kind": kind.value,
        "label": label,
        "help_text": values.help_text.strip(),
        "required": values.required,
        "word_limit": None,
        "choices": [],
        "min_value": None,
        "max_value": None,
        "allowed_file_types": [],
        "max_file_mb": None,
        "is_eligibility": False,
        "eligible_choices": [],
        "ineligible_reason": "",
    }
    if kind == QuestionKind.LONG_TEXT:
        if values.word_limit is None:
            errors["word_limit"] = "Enter the word limit, for example 500."
        elif not 1 <= values.word_limit <= MAX_WORD_LIMIT:
            errors["word_limit"] = f"The word limit must be between 1 and {MAX_WORD_LIMIT:,}."
        cleaned["word_limit"] = values.word_limit
    if kind in _CHOICE_KINDS:
        cleaned["choices"] = _choices_clean(values.choices, errors)
    if kind == QuestionKind.NUMBER:
        low, high = values.min_value, values.max_value
        if low is not None and high is not None and high <= low:
            errors["max_value"] = "The largest number must be more than the smallest."
        cleaned["min_value"], cleaned["max_value"] = low, high
    if kind == QuestionKind.FILE:
        types = list(dict.fromkeys(values.allowed_file_types))
        if not types:
            errors["allowed_file_types"] = "Choose at least one file type applicants may upload."
        elif unknown := [t for t in types if t not in FileType.values]:
            errors["allowed_file_types"] = f"“{unknown[0]}” is not a file type we can check."
        size = values.max_file_mb
        if size is None:
            errors["max_file_mb"] = (
                f"Enter the largest file size, for example {DEFAULT_MAX_FILE_MB}."
            )
        elif not MIN_FILE_MB <= size <= MAX_FILE_MB:
            errors["max_file_mb"] = (
                f"The largest file size must be between {MIN_FILE_MB} and {MAX_FILE_MB} MB."
            )
        cleaned["allowed_file_types"] = [t for t in FileType.values if t in types]
        cleaned["max_file_mb"] = size
    if values.is_eligibility:
        _eligibility_clean(values, kind, cleaned, errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _eligibility_clean(
    values: QuestionValues, kind: QuestionKind, cleaned: dict[str, Any], errors: dict[str, str]
) -> None:
    if kind != QuestionKind.SINGLE_CHOICE:
        errors["is_eligibility"] = "Only single-choice questions can be eligibility questions."
        return
    choices: list[str] = cleaned["choices"]
    eligible = list(dict.fromkeys(_lines_clean(values.eligible_choices)))
    unknown = [choice for choice in eligible if choice not in choices]
    if not eligible:
        errors["eligible_choices"] = "Enter the choices that make an applicant eligible."
    elif unknown:
        errors["eligible_choices"] = (
            f"“{unknown[0]}” is not one of the choices: copy the eligible choices exactly."
        )
    elif "choices" not in errors and len(eligible) == len(choices):
        errors["eligible_choices"] = (
            "At least one choice must make an applicant ineligible, or the question stops nobody."
        )
    reason = values.ineligible_reason.strip()
    if not reason:
        errors["ineligible_reason"] = "Enter the reason ineligible applicants are shown."
    cleaned.update(
        is_eligibility=True,
        # Every applicant must answer before starting, so the question is always required.
        required=True,
        eligible_choices=[choice for choice in choices if choice in eligible],
        ineligible_reason=reason,
    )


@transaction.atomic
def question_create(*, actor: User, section: FormSection, values: QuestionValues) -> Question:
    cleaned = _question_values_clean(values)
    question = Question.objects.create(
        section=section, position=_next_position(section.questions.all()), **cleaned
    )
    audit_record(
        actor=actor,
        action="question.create",
        obj=question,
        scope=round_scope(section.form.round),
        summary=f"Added the question “{question.label}” to the section “{section.title}”",
        changes=audit_changes({}, _snapshot(question, _QUESTION_FIELDS)),
    )
    return question


@transaction.atomic
def question_update(*, actor: User, question: Question, values: QuestionValues) -> Question:
    """Change a question. A new kind is refused once a non-draft application answered it;
    otherwise the drafts' answers, which no longer fit, are deleted."""
    cleaned = _question_values_clean(values)
    kind_changes = cleaned["kind"] != question.kind
    usage = question_usage(question) if kind_changes else AnswerUsage()
    if usage.submitted:
        raise ValidationError(
            {
                "kind": f"{_plural(usage.submitted, 'submitted application')} answered this "
                "question, so its kind cannot change."
            }
        )
    before = _snapshot(question, _QUESTION_FIELDS)
    for name, value in cleaned.items():
        setattr(question, name, value)
    changes = audit_changes(before, _snapshot(question, _QUESTION_FIELDS))
    if not changes:
        return question
    question.save()
    if kind_changes:
        _answers_delete(Answer.objects.filter(question=question))
    audit_record(
        actor=actor,
        action="question.update",
        obj=question,
        scope=round_scope(question.section.form.round),
        summary=f"Changed the question “{question.label}”"
        + (f" and cleared the answers of {_plural(usage.drafts, 'draft')}" if usage.drafts else ""),
        changes=changes,
    )
    return question


@transaction.atomic
def question_delete(*, actor: User, question: Question) -> int:
    """Delete a question and the draft answers to it; the number of drafts that answered it."""
    usage = question_usage(question)
    if usage.submitted:
        raise _submitted_refusal(usage, "this question")
    section = question.section
    _answers_delete(Answer.objects.filter(question=question))
    audit_record(
        actor=actor,
        action="question.delete",
        obj=question,
        scope=round_scope(section.form.round),
        summary=f"Deleted the question “{question.label}”"
        + (f" and the answers of {_plural(usage.drafts, 'draft')}" if usage.drafts else ""),
        changes=audit_changes(_snapshot(question, _QUESTION_FIELDS), {}),
    )
    question.delete()
    _renumber(Question, list(section.questions.select_for_update().order_by("position", "pk")))
    return usage.drafts


@transaction.atomic
def question_move(
    *,
    actor: User,
    question: Question,
    direction: MoveDirection | None = None,
    to_section: FormSection | None = None,
) -> Question:
    """Move a question up or down within its section, or to the end of another section of
    the same form."""
    if (direction is None) == (to_section is None):
        raise ValidationError({"direction": "Choose to move up, down, or to another section."})
    section = question.section
    before = {"section": section.pk, "position": question.position}
    if to_section is not None:
        if to_section.form_id != section.form_id:
            raise ValidationError({"to_section": "Choose a section of this form."})
        if to_section.pk == section.pk:
            raise ValidationError(
                {"to_section": f"“{question.label}” is already in “{section.title}”."}
            )
        arriving_after = list(to_section.questions.select_for_update().order_by("position", "pk"))
        question.section = to_section
        question.save(update_fields=["section"])
        _renumber(Question, [*arriving_after, question])
        _renumber(Question, list(section.questions.select_for_update().order_by("position", "pk")))
        summary = f"Moved the question “{question.label}” to the section “{to_section.title}”"
    else:
        assert direction is not None
        siblings = list(section.questions.select_for_update().order_by("position", "pk"))
        _swap(Question, siblings, question, direction, question.label)
        summary = f"Moved the question “{question.label}” {direction}"
    audit_record(
        actor=actor,
        action="question.move",
        obj=question,
        scope=round_scope(section.form.round),
        summary=summary,
        changes=audit_changes(
            before, {"section": question.section_id, "position": question.position}
        ),
    )
    return question


# --------------------------------------------------------------------------
# Assessment criteria
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionValues:
    name: str
    guidance: str = ""
    weight: int | None = 1
    scale_min: int | None = 0
    scale_max: int | None = 5


def _criterion_values_clean(values: CriterionValues) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = values.name.strip()
    if not name:
        errors["name"] = "Enter the criterion's name."
    elif len(name) > 200:
        errors["name"] = "Use 200 characters or fewer for the name."
    weight, low, high = values.weight, values.scale_min, values.scale_max
    if weight is None:
        errors["weight"] = "Enter the weight, a whole number such as 1."
    elif not 1 <= weight <= MAX_WEIGHT:
        errors["weight"] = f"The weight must be a whole number from 1 to {MAX_WEIGHT}."
    if low is None:
        errors["scale_min"] = "Enter the lowest score, for example 0."
    elif not 0 <= low < MAX_SCALE:
        errors["scale_min"] = f"The lowest score must be from 0 to {MAX_SCALE - 1}."
    if high is None:
        errors["scale_max"] = "Enter the highest score, for example 5."
    elif high > MAX_SCALE:
        errors["scale_max"] = f"The highest score must be {MAX_SCALE} or less."
    elif low is not None and high <= low:
        errors["scale_max"] = "The highest score must be more than the lowest."
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "guidance": values.guidance.strip(),
        "weight": weight,
        "scale_min": low,
        "scale_max": high,
    }


@transaction.atomic
def criterion_create(*, actor: User, round_: Round, values: CriterionValues) -> Criterion:
    cleaned = _criterion_values_clean(values)
    criterion = Criterion.objects.create(
        round=round_, position=_next_position(Criterion.objects.filter(round=round_)), **cleaned
    )
    audit_record(
        actor=actor,
        action="criterion.create",
        obj=criterion,
        scope=round_scope(round_),
        summary=f"Added the assessment criterion “{criterion.name}”",
        changes=audit_changes({}, _snapshot(criterion, _CRITERION_FIELDS)),
    )
    return criterion


@transaction.atomic
def criterion_update(*, actor: User, criterion: Criterion, values: CriterionValues) -> Criterion:
    cleaned = _criterion_values_clean(values)
    scale_changes = (cleaned["scale_min"], cleaned["scale_max"]) != (
        criterion.scale_min,
        criterion.scale_max,
    )
    if scale_changes and (scores := criterion_score_count(criterion)):
        raise ValidationError(
            {
                "scale_max": f"Assessors have given {_plural(scores, 'score')} on this "
                "criterion, so its scale cannot change."
            }
        )
    before = _snapshot(criterion, _CRITERION_FIELDS)
    for name, value in cleaned.items():
        setattr(criterion, name, value)
    changes = audit_changes(before, _snapshot(criterion, _CRITERION_FIELDS))
    if changes:
        criterion.save()
        audit_record(
            actor=actor,
            action="criterion.update",
            obj=criterion,
            scope=round_scope(criterion.round),
            summary=f"Changed the assessment criterion “{criterion.name}”",
            changes=changes,
        )
    return criterion


@transaction.atomic
def criterion_delete(*, actor: User, criterion: Criterion) -> None:
    if scores := criterion_score_count(criterion):
        raise ValidationError(
            f"Assessors have given {_plural(scores, 'score')} on “{criterion.name}”, "
            "so it cannot be deleted."
        )
    round_ = criterion.round
    audit_record(
        actor=actor,
        action="criterion.delete",
        obj=criterion,
        scope=round_scope(round_),
        summary=f"Deleted the assessment criterion “{criterion.name}”",
        changes=audit_changes(_snapshot(criterion, _CRITERION_FIELDS), {}),
    )
    criterion.delete()
    _renumber(
        Criterion,
        list(Criterion.objects.filter(round=round_).select_for_update().order_by("position", "pk")),
    )


@transaction.atomic
def criterion_move(*, actor: User, criterion: Criterion, direction: MoveDirection) -> Criterion:
    siblings = list(
        Criterion.objects.filter(round_id=criterion.round_id)
        .select_for_update()
        .order_by("position", "pk")
    )
    before = criterion.position
    _swap(Criterion, siblings, criterion, direction, criterion.name)
    audit_record(
        actor=actor,
        action="criterion.move",
        obj=criterion,
        scope=round_scope(criterion.round),
        summary=f"Moved the assessment criterion “{criterion.name}” {direction}",
        changes={"position": [before, criterion.position]},
    )
    return criterion


def criteria_copy_from(*, actor: User, round_: Round, source_round: Round) -> list[Criterion]:
    """Copy ``source_round``'s criteria into ``round_``, all or nothing; refused when
    ``round_`` already has criteria."""
    if source_round.pk == round_.pk:
        raise ValidationError({"source_round": "Choose another round to copy criteria from."})
    sources = list(Criterion.objects.filter(round=source_round).order_by("position", "pk"))
    if not sources:
        raise ValidationError(
            {"source_round": f"{round_label(source_round)} has no assessment criteria to copy."}
        )
    with transaction.atomic():
        if Criterion.objects.filter(round=round_).select_for_update().exists():
            raise ValidationError(
                {
                    "source_round": "This round already has assessment criteria, so nothing "
                    "was copied. Change them instead, or delete them before copying."
                }
            )
        criteria = Criterion.objects.bulk_create(
            Criterion(round=round_, position=position, **_snapshot(source, _CRITERION_FIELDS))
            for position, source in enumerate(sources)
        )
        audit_record(
            actor=actor,
            action="criteria.copy",
            obj=round_,
            scope=round_scope(round_),
            summary=(
                f"Copied {_plural(len(criteria), 'assessment criterion', 'assessment criteria')}"
                f" from {round_label(source_round)}"
            ),
            changes={"criteria": [[], [criterion.name for criterion in criteria]]},
        )
    return criteria
