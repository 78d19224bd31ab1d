"""Case studies: the public library and pages, the team's drafts, and staff review."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sharedpurpose.core.public_cache import public_page, render_public_page
from sharedpurpose.core.web import form_add_service_error, request_actor, staff_required
from sharedpurpose.improvement.access import Capability, team_get_for
from sharedpurpose.improvement.charts import ChartView, format_value, measure_charts
from sharedpurpose.improvement.models import ChartType, CorporateService, Measure, Team
from sharedpurpose.improvement.views.team import is_htmx_partial

from .. import search
from ..forms.case_studies import CaseStudyForm, CaseStudySearchForm, ReviewForm
from ..models import CaseStudy, CaseStudyReview, EvidenceRow, Intervention, OutcomeArea, Verdict
from ..services import case_studies as services
from ..services.case_studies import Mover

#: NHS.UK tag colours of each status.
STATUS_TAGS = {
    CaseStudy.Status.DRAFT: "nhsuk-tag--grey",
    CaseStudy.Status.IN_REVIEW: "nhsuk-tag--blue",
    CaseStudy.Status.CHANGES_REQUESTED: "nhsuk-tag--orange",
    CaseStudy.Status.PUBLISHED: "nhsuk-tag--green",
}


# --------------------------------------------------------------------------
# Presenters
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Tag:
    kind: str  # read out before the label, e.g. "Outcome"
    label: str
    css: str


def case_study_tags(case_study: CaseStudy) -> list[Tag]:
    """Outcome, interventions, corporate services and clinical areas, as tags."""
    services_named = dict(CorporateService.choices)
    return [
        Tag("Outcome", str(OutcomeArea(case_study.outcome_area).label), "nhsuk-tag--green"),
        *(Tag("Innovation", i.name, "nhsuk-tag--blue") for i in case_study.interventions.all()),
        *(
            Tag("Corporate service", str(services_named.get(s, s)), "nhsuk-tag--purple")
            for s in case_study.corporate_services
        ),
        *(
            Tag("Clinical area", area, "nhsuk-tag--aqua-green")
            for area in case_study.clinical_areas
        ),
    ]


def _signed(measure: Measure, value: float) -> tuple[str, str]:
    """A change in the measure's own terms, and its unit: percentage points for percentages."""
    if measure.unit == "%" or measure.chart_type == ChartType.P:
        return f"{value * 100:+.1f}", "percentage points"
    return f"{value:+,.3g}", measure.unit


@dataclass(frozen=True)
class EvidenceLine:
    """One evidence row as the case study page reads it."""

    row: EvidenceRow

    @property
    def measure(self) -> Measure:
        return self.row.measure

    @property
    def sustained(self) -> str:
        if self.row.verdict != Verdict.IMPROVEMENT:
            return "Not applicable"
        return "Yes" if self.row.sustained else "Not yet"

    @property
    def change(self) -> str:
        row = self.row
        if row.change is None:
            return "Not estimated"
        change, unit = _signed(row.measure, row.change)
        text = f"{change} {unit}".rstrip()
        if row.change_low is not None and row.change_high is not None:
            low, _ = _signed(row.measure, row.change_low)
            high, _ = _signed(row.measure, row.change_high)
            text += f" (95% interval {low} to {high})"
        return text

    @property
    def means(self) -> str:
        row = self.row
        return (
            f"{format_value(row.measure, row.baseline_mean)} before, "
            f"{format_value(row.measure, row.followup_mean)} after"
        )


class CaseStudyPage:
    """What a case study shows: its tags, its measures' live charts and its evidence rows."""

    def __init__(self, case_study: CaseStudy) -> None:
        self.case_study = case_study

    @cached_property
    def status_tag(self) -> str:
        return STATUS_TAGS[CaseStudy.Status(self.case_study.status)]

    @cached_property
    def tags(self) -> list[Tag]:
        return case_study_tags(self.case_study)

    @cached_property
    def corporate_services(self) -> list[str]:
        named = dict(CorporateService.choices)
        return [str(named.get(s, s)) for s in self.case_study.corporate_services]

    @cached_property
    def interventions(self) -> list[Intervention]:
        return list(self.case_study.interventions.order_by("name"))

    @cached_property
    def measures(self) -> list[Measure]:
        return search.case_study_measures(self.case_study)

    @cached_property
    def charts(self) -> list[ChartView]:
        return measure_charts(self.measures)

    @cached_property
    def evidence(self) -> list[EvidenceLine]:
        return [EvidenceLine(row) for row in search.case_study_evidence_rows(self.case_study)]

    def fingerprint(self) -> tuple[object, ...]:
        """Everything the public page shows, so a cached copy changes when any of it does."""
        case_study = self.case_study
        return (
            case_study.updated_at,
            case_study.team.name,
            tuple((m.pk, m.data_version) for m in self.measures),
            tuple(case_study.interventions.order_by("pk").values_list("pk", "updated_at")),
            tuple(
                search.case_study_evidence_rows(case_study)
                .order_by("pk")
                .values_list("pk", "computed_at")
            ),
        )


@dataclass(frozen=True)
class TeamCaseStudy:
    """A row of the team's list: the case study, its status tag and any changes asked for."""

    case_study: CaseStudy

    @property
    def status_tag(self) -> str:
        return STATUS_TAGS[CaseStudy.Status(self.case_study.status)]

    @cached_property
    def changes_requested(self) -> CaseStudyReview | None:
        return search.case_study_changes_requested(self.case_study)


# --------------------------------------------------------------------------
# The public library and case study pages
# --------------------------------------------------------------------------


@require_safe
def case_study_library(request: HttpRequest) -> HttpResponse:
    form = CaseStudySearchForm(request.GET)
    # A bad filter is reported and left out rather than failing the search.
    form.is_valid()
    results = list(search.case_studies_search(form.query(), form.filters()))
    context = {
        "form": form,
        "results": [(case_study, case_study_tags(case_study)) for case_study in results],
        "searched": bool(request.GET),
    }
    if is_htmx_partial(request):
        response = render(request, "evidence/case_studies_results.html", context)
    else:
        response = render_public_page(
            request,
            "evidence/case_studies.html",
            context,
            fingerprint=search.library_fingerprint(),
        )
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
@public_page
def case_study_detail(request: HttpRequest, slug: str) -> HttpResponse:
    case_study = search.case_study_public_get(slug=slug)
    if case_study is None:
        raise Http404("No such case study")
    page = CaseStudyPage(case_study)
    return render_public_page(
        request,
        "evidence/case_study.html",
        {"case_study": case_study, "page": page},
        fingerprint=page.fingerprint(),
    )


# --------------------------------------------------------------------------
# The team's case studies
# --------------------------------------------------------------------------


def _team_case_study(team: Team, slug: str) -> CaseStudy:
    return get_object_or_404(team.case_studies.select_related("team"), slug=slug)


@login_required
@require_safe
def team_case_studies(request: HttpRequest, team_slug: str) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.VIEW)
    return render(
        request,
        "evidence/case_studies_team.html",
        {
            "team": team,
            "capabilities": capabilities,
            "case_studies": [TeamCaseStudy(c) for c in search.team_case_studies(team)],
        },
    )


@login_required
@require_safe
def team_case_study(request: HttpRequest, team_slug: str, slug: str) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.VIEW)
    case_study = _team_case_study(team, slug)
    may_edit = Capability.EDIT_PLAN in capabilities
    return render(
        request,
        "evidence/case_study_team.html",
        {
            "team": team,
            "capabilities": capabilities,
            "case_study": case_study,
            "page": CaseStudyPage(case_study),
            "reviews": search.case_study_reviews(case_study),
            "changes_requested": search.case_study_changes_requested(case_study),
            "can_edit": may_edit and services.case_study_editable(case_study),
            "can_submit": may_edit
            and any(
                move.action == services.Action.SUBMITTED
                for move in services.moves_for(case_study, Mover.TEAM)
            ),
        },
    )


def _case_study_form_page(
    request: HttpRequest,
    team: Team,
    capabilities: frozenset[Capability],
    case_study: CaseStudy | None,
) -> HttpResponse:
    initial = CaseStudyForm.initial_from(case_study) if case_study is not None else None
    posted = request.method == "POST"
    form = CaseStudyForm(request.POST if posted else None, team=team, initial=initial)
    previewing = posted and "preview" in request.POST
    if posted and not previewing and form.is_valid():
        actor = request_actor(request)
        try:
            if case_study is None:
                saved = services.case_study_create(actor=actor, team=team, values=form.values())
            else:
                saved = services.case_study_update(
                    actor=actor, case_study=case_study, values=form.values()
                )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"Case study “{saved.title}” saved.")
            return redirect("evidence:team_case_study", team_slug=team.slug, slug=saved.slug)
    return render(
        request,
        "evidence/case_study_form.html",
        {
            "team": team,
            "capabilities": capabilities,
            "case_study": case_study,
            "form": form,
            "preview": form.preview() if previewing else None,
            "changes_requested": (
                search.case_study_changes_requested(case_study) if case_study else None
            ),
        },
        status=400 if posted and not previewing else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_study_create(request: HttpRequest, team_slug: str) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_PLAN)
    return _case_study_form_page(request, team, capabilities, None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_study_edit(request: HttpRequest, team_slug: str, slug: str) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_PLAN)
    case_study = _team_case_study(team, slug)
    if not services.case_study_editable(case_study):
        messages.error(
            request,
            f"“{case_study.title}” is {case_study.get_status_display().lower()}, so it cannot "
            "be edited now.",
        )
        return redirect("evidence:team_case_study", team_slug=team.slug, slug=case_study.slug)
    return _case_study_form_page(request, team, capabilities, case_study)


@login_required
@require_POST
def case_study_submit(request: HttpRequest, team_slug: str, slug: str) -> HttpResponse:
    team, _ = team_get_for(request.user, team_slug, Capability.EDIT_PLAN)
    case_study = _team_case_study(team, slug)
    try:
        services.case_study_move(
            actor=request_actor(request),
            case_study=case_study,
            action=services.Action.SUBMITTED,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"“{case_study.title}” is submitted for review. Programme staff will publish it or "
            "ask for changes.",
        )
    return redirect("evidence:team_case_study", team_slug=team.slug, slug=case_study.slug)


# --------------------------------------------------------------------------
# Staff review
# --------------------------------------------------------------------------


@staff_required
@require_safe
def review_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "evidence/review_queue.html",
        {"groups": search.case_studies_for_review(user=request.user), "status_tags": STATUS_TAGS},
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_study_review(request: HttpRequest, slug: str) -> HttpResponse:
    case_study = get_object_or_404(
        search.case_studies_for_staff(user=request.user).select_related("team__round"), slug=slug
    )
    posted_action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = [
        ReviewForm(request.POST if move.action == posted_action else None, move=move)
        for move in services.moves_for(case_study, Mover.STAFF)
    ]
    status = 200
    if request.method == "POST":
        bound = next((form for form in forms if form.is_bound), None)
        if bound is None:
            messages.error(
                request,
                f"“{case_study.title}” is {case_study.get_status_display().lower()}; "
                "that move is not open to it now.",
            )
            return redirect("evidence:case_study_review", slug=case_study.slug)
        if bound.is_valid():
            try:
                services.case_study_move(
                    actor=request_actor(request),
                    case_study=case_study,
                    action=posted_action,
                    comment=bound.comment_text(),
                )
            except ValidationError as error:
                form_add_service_error(bound, error)
            else:
                messages.success(request, f"{bound.move.action.label}: “{case_study.title}”.")
                return redirect("evidence:case_study_review", slug=case_study.slug)
        status = 400
    return render(
        request,
        "evidence/review_case_study.html",
        {
            "case_study": case_study,
            "page": CaseStudyPage(case_study),
            "reviews": search.case_study_reviews(case_study),
            "forms": forms,
        },
        status=status,
    )
