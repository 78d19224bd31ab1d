"""Staff pages that build a round's application form and its assessment criteria, under
/manage/programmes/<programme>/rounds/<round>/form/ and .../criteria/.

Views parse the form and call ``services.builder``; a ``ValidationError`` goes back on the
form with what was typed. Moves are plain POST forms, so they work from the keyboard and
without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sharedpurpose.accounts.roles import programme_ids_staffed_by
from sharedpurpose.core.web import form_add_service_error, form_data, request_actor, staff_required
from sharedpurpose.programmes.models import Round, RoundState
from sharedpurpose.programmes.selectors import round_staff_get

from ..answers import DEFAULT_MAX_FILE_MB
from ..forms.builder import (
    CopyFromRoundForm,
    CriterionForm,
    FormSettingsForm,
    MoveForm,
    QuestionForm,
    QuestionKindForm,
    QuestionMoveForm,
    SectionForm,
)
from ..models import ApplicationForm, Criterion, FileType, FormSection, Question, QuestionKind
from ..services import builder as services

_GET_OR_POST = ["GET", "HEAD", "POST"]


# --------------------------------------------------------------------------
# Lookups: every record is found through the round in the address, or 404
# --------------------------------------------------------------------------


def _form_get(round_: Round) -> ApplicationForm:
    return get_object_or_404(ApplicationForm.objects.select_related("round"), round=round_)


def _section_get(round_: Round, section_id: int) -> FormSection:
    return get_object_or_404(
        FormSection.objects.select_related("form__round"), pk=section_id, form__round=round_
    )


def _question_get(round_: Round, question_id: int) -> Question:
    return get_object_or_404(
        Question.objects.select_related("section__form__round"),
        pk=question_id,
        section__form__round=round_,
    )


def _criterion_get(round_: Round, criterion_id: int) -> Criterion:
    return get_object_or_404(
        Criterion.objects.select_related("round"), pk=criterion_id, round=round_
    )


def _round_kwargs(round_: Round) -> dict[str, str]:
    return {"programme_slug": round_.programme.slug, "round_slug": round_.slug}


def _outline_redirect(round_: Round, anchor: str = "") -> HttpResponseRedirect:
    url = reverse("applications:form_manage", kwargs=_round_kwargs(round_))
    return HttpResponseRedirect(url + (f"#{anchor}" if anchor else ""))


def _criteria_redirect(round_: Round) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("applications:criteria", kwargs=_round_kwargs(round_)))


def _context(round_: Round, **extra: object) -> dict[str, object]:
    return {"round": round_, "programme": round_.programme, **extra}


def _drafts_cleared(drafts: int) -> str:
    if not drafts:
        return ""
    return f" with the answers of {drafts} draft application{'' if drafts == 1 else 's'}"


# --------------------------------------------------------------------------
# What staff read about a question: one line per setting, on the outline and in the preview
# --------------------------------------------------------------------------


def question_details(question: Question) -> list[str]:
    kind = question.kind
    details: list[str] = []
    if kind == QuestionKind.LONG_TEXT and question.word_limit:
        details.append(f"Up to {question.word_limit:,} words")
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        details.append("Choices: " + ", ".join(question.choices))
    if kind == QuestionKind.NUMBER:
        low, high = question.min_value, question.max_value
        if low is not None and high is not None:
            details.append(f"From {low:g} to {high:g}")
        elif low is not None:
            details.append(f"{low:g} or more")
        elif high is not None:
            details.append(f"{high:g} or less")
    if kind == QuestionKind.FILE:
        types = [FileType(t).label for t in question.allowed_file_types] or ["Any allowed type"]
        size = question.max_file_mb or DEFAULT_MAX_FILE_MB
        details.append(f"{', '.join(types)}; up to {size} MB")
    if question.is_eligibility:
        details.append("Eligible: " + ", ".join(question.eligible_choices))
    return details


@dataclass(frozen=True)
class QuestionRow:
    question: Question
    details: list[str]
    is_first: bool
    is_last: bool


@dataclass(frozen=True)
class SectionRow:
    section: FormSection
    questions: list[QuestionRow]
    is_first: bool
    is_last: bool


def _outline(sections: list[FormSection]) -> list[SectionRow]:
    rows = []
    for index, section in enumerate(sections):
        questions = list(section.questions.all())
        rows.append(
            SectionRow(
                section=section,
                questions=[
                    QuestionRow(q, question_details(q), i == 0, i == len(questions) - 1)
                    for i, q in enumerate(questions)
                ],
                is_first=index == 0,
                is_last=index == len(sections) - 1,
            )
        )
    return rows


# --------------------------------------------------------------------------
# The form: outline, creation, copying, settings, preview
# --------------------------------------------------------------------------


def _sources_staffed(request: HttpRequest, sources: list[Round]) -> list[Round]:
    """Only rounds of programmes the person runs: others' forms and criteria stay private."""
    staffed = programme_ids_staffed_by(request.user)
    return sources if staffed is None else [s for s in sources if s.programme_id in staffed]


def _copy_form(
    request: HttpRequest, round_: Round, data: QueryDict | None = None
) -> CopyFromRoundForm:
    sources = _sources_staffed(request, services.form_copy_sources(round_=round_))
    default = services.copy_source_default(round_=round_, sources=sources)
    return CopyFromRoundForm(
        data,
        sources=sources,
        initial={"source_round": default.pk if default else None},
    )


def _outline_page(
    request: HttpRequest, round_: Round, copy_form: CopyFromRoundForm | None = None
) -> HttpResponse:
    forms = ApplicationForm.objects.select_related("copied_from__programme")
    form = forms.filter(round=round_).first()
    sections = services.form_sections(form) if form else []
    if copy_form is None and not sections:
        copy_form = _copy_form(request, round_)
    return render(
        request,
        "applications/manage/form_manage.html",
        _context(
            round_,
            form=form,
            outline=_outline(sections),
            copy_form=copy_form,
            is_open=round_.state == RoundState.OPEN,
        ),
        status=400 if copy_form is not None and copy_form.errors else 200,
    )


@require_safe
@staff_required
def form_manage(request: HttpRequest, programme_slug: str, round_slug: str) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    return _outline_page(request, round_)


@require_POST
@staff_required
def form_create(request: HttpRequest, programme_slug: str, round_slug: str) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    try:
        services.form_create(actor=request_actor(request), round_=round_)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The application form was created. Add its first section.")
    return _outline_redirect(round_)


@require_POST
@staff_required
def form_copy(request: HttpRequest, programme_slug: str, round_slug: str) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    copy_form = _copy_form(request, round_, request.POST)
    if copy_form.is_valid():
        source = copy_form.cleaned_data["source_round"]
        try:
            services.form_copy_from(
                actor=request_actor(request), round_=round_, source_round=source
            )
        except ValidationError as error:
            form_add_service_error(copy_form, error)
        else:
            messages.success(request, f"The form of {services.round_label(source)} was copied.")
            return _outline_redirect(round_)
    return _outline_page(request, round_, copy_form)


@require_http_methods(_GET_OR_POST)
@staff_required
def form_settings(request: HttpRequest, programme_slug: str, round_slug: str) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    application_form = _form_get(round_)
    form = FormSettingsForm(
        form_data(request), initial=FormSettingsForm.initial_from(application_form)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.form_settings_update(
                actor=request_actor(request), form=application_form, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "The form settings were saved.")
            return _outline_redirect(round_)
    return render(request, "applications/manage/form_settings.html", _context(round_, form=form))


@dataclass(frozen=True)
class PreviewSection:
    section: FormSection
    questions: list[QuestionRow]


@require_safe
@staff_required
def form_preview(request: HttpRequest, programme_slug: str, round_slug: str) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    application_form = _form_get(round_)
    sections = services.form_sections(application_form)
    questions = [question for section in sections for question in section.questions.all()]
    eligibility = [
        QuestionRow(q, question_details(q), False, False) for q in questions if q.is_eligibility
    ]
    preview = [
        PreviewSection(
            section,
            [
                QuestionRow(q, question_details(q), False, False)
                for q in section.questions.all()
                if not q.is_eligibility
            ],
        )
        for section in sections
    ]
    return render(
        request,
        "applications/manage/form_preview.html",
        _context(
            round_,
            application_form=application_form,
            eligibility=eligibility,
            sections=[section for section in preview if section.questions],
        ),
    )


# --------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------


@require_http_methods(_GET_OR_POST)
@staff_required
def section_create(request: HttpRequest, programme_slug: str, round_slug: str) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    application_form = _form_get(round_)
    form = SectionForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            section = services.section_create(
                actor=request_actor(request), form=application_form, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"The section “{section.title}” was added.")
            return _outline_redirect(round_, f"section-{section.pk}")
    return render(
        request, "applications/manage/section_form.html", _context(round_, form=form, section=None)
    )


@require_http_methods(_GET_OR_POST)
@staff_required
def section_edit(
    request: HttpRequest, programme_slug: str, round_slug: str, section_id: int
) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    section = _section_get(round_, section_id)
    form = SectionForm(form_data(request), initial=SectionForm.initial_from(section))
    if request.method == "POST" and form.is_valid():
        try:
            services.section_update(
                actor=request_actor(request), section=section, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"The section “{section.title}” was saved.")
            return _outline_redirect(round_, f"section-{section.pk}")
    return render(
        request,
        "applications/manage/section_form.html",
        _context(round_, form=form, section=section),
    )


@require_http_methods(_GET_OR_POST)
@staff_required
def section_delete(
    request: HttpRequest, programme_slug: str, round_slug: str, section_id: int
) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    section = _section_get(round_, section_id)
    error = ""
    if request.method == "POST":
        try:
            drafts = services.section_delete(actor=request_actor(request), section=section)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            cleared = _drafts_cleared(drafts)
            messages.success(request, f"The section “{section.title}” was deleted{cleared}.")
            return _outline_redirect(round_)
    return render(
        request,
        "applications/manage/section_delete.html",
        _context(
            round_,
            section=section,
            questions=list(section.questions.all()),
            usage=services.section_usage(section),
            error=error,
        ),
        status=400 if error else 200,
    )


def _move(
    request: HttpRequest, move: Callable[[services.MoveDirection], object], *, moved: str
) -> None:
    """Move something up or down as the posted form asks, and say what happened."""
    form = MoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Choose to move up or down.")
        direction = form.cleaned_data["direction"]
        move(direction)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{moved} was moved {direction}.")


@require_POST
@staff_required
def section_move(
    request: HttpRequest, programme_slug: str, round_slug: str, section_id: int
) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    section = _section_get(round_, section_id)
    _move(
        request,
        lambda direction: services.section_move(
            actor=request_actor(request), section=section, direction=direction
        ),
        moved=f"The section “{section.title}”",
    )
    return _outline_redirect(round_, f"section-{section.pk}")


# --------------------------------------------------------------------------
# Questions
# --------------------------------------------------------------------------


def _kind_page(
    request: HttpRequest, round_: Round, kind_form: QuestionKindForm, **extra: object
) -> HttpResponse:
    return render(
        request,
        "applications/manage/question_kind.html",
        _context(round_, kind_form=kind_form, **extra),
        status=400 if kind_form.errors else 200,
    )


@require_http_methods(_GET_OR_POST)
@staff_required
def question_create(
    request: HttpRequest, programme_slug: str, round_slug: str, section_id: int
) -> HttpResponse:
    """First the kind of question (a GET form, so it can be bookmarked), then its fields."""
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    section = _section_get(round_, section_id)
    source = request.POST if request.method == "POST" else request.GET
    kind = source.get("kind", "")
    if kind not in QuestionKind.values:
        kind_form = QuestionKindForm(source if "kind" in source else None)
        kind_form.is_valid()
        return _kind_page(request, round_, kind_form, section=section, question=None)
    form = QuestionForm(form_data(request), kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            question = services.question_create(
                actor=request_actor(request), section=section, values=form.values()
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"The question “{question.label}” was added.")
            return _outline_redirect(round_, f"question-{question.pk}")
    return render(
        request,
        "applications/manage/question_form.html",
        _context(round_, form=form, section=section, question=None, kind=form.kind),
    )


@require_safe
@staff_required
def question_kind(
    request: HttpRequest, programme_slug: str, round_slug: str, question_id: int
) -> HttpResponse:
    """Choose a new kind for a question; the edit page then asks for that kind's fields."""
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    question = _question_get(round_, question_id)
    kind_form = QuestionKindForm(initial={"kind": question.kind})
    return _kind_page(
        request,
        round_,
        kind_form,
        section=question.section,
        question=question,
        usage=services.question_usage(question),
    )


@require_http_methods(_GET_OR_POST)
@staff_required
def question_edit(
    request: HttpRequest, programme_slug: str, round_slug: str, question_id: int
) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    question = _question_get(round_, question_id)
    source = request.POST if request.method == "POST" else request.GET
    kind = source.get("kind") or question.kind
    if kind not in QuestionKind.values:
        kind = question.kind
    form = QuestionForm(form_data(request), kind=kind, initial=QuestionForm.initial_from(question))
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(
                actor=request_actor(request), question=question, values=form.values()
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"The question “{question.label}” was saved.")
            return _outline_redirect(round_, f"question-{question.pk}")
    return render(
        request,
        "applications/manage/question_form.html",
        _context(
            round_,
            form=form,
            section=question.section,
            question=question,
            kind=form.kind,
            kind_changes=form.kind != question.kind,
            usage=services.question_usage(question),
            move_form=QuestionMoveForm(question=question),
        ),
    )


@require_http_methods(_GET_OR_POST)
@staff_required
def question_delete(
    request: HttpRequest, programme_slug: str, round_slug: str, question_id: int
) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    question = _question_get(round_, question_id)
    error = ""
    if request.method == "POST":
        try:
            drafts = services.question_delete(actor=request_actor(request), question=question)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            cleared = _drafts_cleared(drafts)
            messages.success(request, f"The question “{question.label}” was deleted{cleared}.")
            return _outline_redirect(round_, f"section-{question.section_id}")
    return render(
        request,
        "applications/manage/question_delete.html",
        _context(round_, question=question, usage=services.question_usage(question), error=error),
        status=400 if error else 200,
    )


@require_POST
@staff_required
def question_move(
    request: HttpRequest, programme_slug: str, round_slug: str, question_id: int
) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    question = _question_get(round_, question_id)
    form = QuestionMoveForm(request.POST, question=question)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.question_move(
            actor=request_actor(request),
            question=question,
            direction=form.cleaned_data["direction"] or None,
            to_section=form.cleaned_data["to_section"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The question “{question.label}” was moved.")
    return _outline_redirect(round_, f"question-{question.pk}")


# --------------------------------------------------------------------------
# Assessment criteria
# --------------------------------------------------------------------------


def _criteria_copy_form(
    request: HttpRequest, round_: Round, data: QueryDict | None = None
) -> CopyFromRoundForm:
    sources = _sources_staffed(request, services.criteria_copy_sources(round_=round_))
    default = services.copy_source_default(round_=round_, sources=sources)
    return CopyFromRoundForm(
        data,
        sources=sources,
        initial={"source_round": default.pk if default else None},
    )


def _criteria_page(
    request: HttpRequest, round_: Round, copy_form: CopyFromRoundForm | None = None
) -> HttpResponse:
    shares = services.criteria_with_shares(round_=round_)
    if copy_form is None and not shares:
        copy_form = _criteria_copy_form(request, round_)
    return render(
        request,
        "applications/manage/criteria.html",
        _context(
            round_,
            shares=shares,
            total_weight=sum(share.criterion.weight for share in shares),
            copy_form=copy_form,
        ),
        status=400 if copy_form is not None and copy_form.errors else 200,
    )


@require_safe
@staff_required
def criteria(request: HttpRequest, programme_slug: str, round_slug: str) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    return _criteria_page(request, round_)


@require_POST
@staff_required
def criteria_copy(request: HttpRequest, programme_slug: str, round_slug: str) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    copy_form = _criteria_copy_form(request, round_, request.POST)
    if copy_form.is_valid():
        source = copy_form.cleaned_data["source_round"]
        try:
            copied = services.criteria_copy_from(
                actor=request_actor(request), round_=round_, source_round=source
            )
        except ValidationError as error:
            form_add_service_error(copy_form, error)
        else:
            messages.success(
                request, f"{len(copied)} criteria were copied from {services.round_label(source)}."
            )
            return _criteria_redirect(round_)
    return _criteria_page(request, round_, copy_form)


@require_http_methods(_GET_OR_POST)
@staff_required
def criterion_create(request: HttpRequest, programme_slug: str, round_slug: str) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    form = CriterionForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            criterion = services.criterion_create(
                actor=request_actor(request), round_=round_, values=form.values()
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"The criterion “{criterion.name}” was added.")
            return _criteria_redirect(round_)
    return render(
        request,
        "applications/manage/criterion_form.html",
        _context(round_, form=form, criterion=None, score_count=0),
    )


@require_http_methods(_GET_OR_POST)
@staff_required
def criterion_edit(
    request: HttpRequest, programme_slug: str, round_slug: str, criterion_id: int
) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    criterion = _criterion_get(round_, criterion_id)
    form = CriterionForm(form_data(request), initial=CriterionForm.initial_from(criterion))
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_update(
                actor=request_actor(request), criterion=criterion, values=form.values()
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"The criterion “{criterion.name}” was saved.")
            return _criteria_redirect(round_)
    return render(
        request,
        "applications/manage/criterion_form.html",
        _context(
            round_,
            form=form,
            criterion=criterion,
            score_count=services.criterion_score_count(criterion),
        ),
    )


@require_http_methods(_GET_OR_POST)
@staff_required
def criterion_delete(
    request: HttpRequest, programme_slug: str, round_slug: str, criterion_id: int
) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    criterion = _criterion_get(round_, criterion_id)
    error = ""
    if request.method == "POST":
        try:
            services.criterion_delete(actor=request_actor(request), criterion=criterion)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, f"The criterion “{criterion.name}” was deleted.")
            return _criteria_redirect(round_)
    return render(
        request,
        "applications/manage/criterion_delete.html",
        _context(
            round_,
            criterion=criterion,
            score_count=services.criterion_score_count(criterion),
            error=error,
        ),
        status=400 if error else 200,
    )


@require_POST
@staff_required
def criterion_move(
    request: HttpRequest, programme_slug: str, round_slug: str, criterion_id: int
) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    criterion = _criterion_get(round_, criterion_id)
    _move(
        request,
        lambda direction: services.criterion_move(
            actor=request_actor(request), criterion=criterion, direction=direction
        ),
        moved=f"The criterion “{criterion.name}”",
    )
    return _criteria_redirect(round_)
