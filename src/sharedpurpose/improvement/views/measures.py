"""Measure definitions and the measure library."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sharedpurpose.core.web import form_add_service_error, request_actor

from ..access import Capability, team_get_for
from ..forms.measures import AdoptForm, MeasureDeleteForm, MeasureForm
from ..library import MEASURE_SETS, MeasureSet, MeasureTemplate
from ..models import Goal, Measure, Team
from ..services import measures as services

if TYPE_CHECKING:
    pass

MEASURE_FIELDS = (
    "name",
    "goal",
    "definition",
    "unit",
    "frequency",
    "improvement_direction",
    "target",
    "chart_type",
    "kind",
    "side",
    "driver_node",
    "data_owner",
    "source_note",
)


class LibraryItem:
    def __init__(self, template: MeasureTemplate, form: AdoptForm, adopted: bool) -> None:
        self.template = template
        self.form = form
        self.adopted = adopted


class LibraryPage:
    """The measure sets, each template with its own adopt form, and the team's measures."""

    def __init__(
        self, team: Team, bound: AdoptForm | None = None, bound_key: str | None = None
    ) -> None:
        self.team = team
        self.bound = bound
        self.bound_key = bound_key
        if bound is not None and bound_key:
            # The error summary links to the fields of the template's own form.
            bound.auto_id = f"adopt-{bound_key}-%s"

    @cached_property
    def has_goals(self) -> bool:
        return self.team.goals.exists()

    @cached_property
    def team_measures(self) -> list[Measure]:
        return list(
            self.team.measures.select_related("goal")
            .annotate(n_points=Count("points"))
            .order_by("side", "name")
        )

    @cached_property
    def adopted_keys(self) -> set[str]:
        return {m.library_key for m in self.team_measures if m.library_key}

    def _form(self, template: MeasureTemplate) -> AdoptForm:
        if self.bound is not None and self.bound_key == template.key:
            return self.bound
        # Each template has its own form on the page; ids must stay unique.
        return AdoptForm(
            team=self.team,
            initial={"template": template.key, "side": template.side},
            auto_id=f"adopt-{template.key}-%s",
        )

    @cached_property
    def sets(self) -> list[tuple[MeasureSet, list[LibraryItem]]]:
        return [
            (
                measure_set,
                [
                    LibraryItem(t, self._form(t), t.key in self.adopted_keys)
                    for t in measure_set.templates
                ],
            )
            for measure_set in MEASURE_SETS
        ]


def _measure_form_page(
    request: HttpRequest,
    team: Team,
    capabilities: frozenset[Capability],
    form: MeasureForm,
    measure: Measure | None = None,
) -> HttpResponse:
    return render(
        request,
        "improvement/measures/measure_form.html",
        {"team": team, "capabilities": capabilities, "form": form, "measure": measure},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def measure_create(request: HttpRequest, team_slug: str) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_PLAN)
    if request.method == "POST":
        form = MeasureForm(request.POST, team=team)
        if form.is_valid():
            try:
                measure = services.measure_create(
                    actor=request_actor(request), team=team, **form.cleaned_data
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, f"The measure {measure.name} was added.")
                return redirect("improvement:measure", team_slug=team.slug, measure_id=measure.pk)
    else:
        initial: dict[str, Any] = {"frequency": Measure.Frequency.MONTHLY}
        goal_id = request.GET.get("goal", "")
        if goal_id.isdigit():
            initial["goal"] = team.goals.filter(pk=int(goal_id)).first()
        form = MeasureForm(team=team, initial=initial)
    return _measure_form_page(request, team, capabilities, form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def measure_edit(request: HttpRequest, team_slug: str, measure_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_PLAN)
    measure = get_object_or_404(team.measures, pk=measure_id)
    if request.method == "POST":
        form = MeasureForm(request.POST, team=team)
        if form.is_valid():
            try:
                services.measure_update(
                    actor=request_actor(request), measure=measure, **form.cleaned_data
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, f"The measure {measure.name} was saved.")
                return redirect("improvement:measure", team_slug=team.slug, measure_id=measure.pk)
    else:
        form = MeasureForm(
            team=team, initial={name: getattr(measure, name) for name in MEASURE_FIELDS}
        )
    return _measure_form_page(request, team, capabilities, form, measure)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def measure_delete(request: HttpRequest, team_slug: str, measure_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_PLAN)
    measure = get_object_or_404(team.measures.annotate(n_points=Count("points")), pk=measure_id)
    form = MeasureDeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_delete(
                actor=request_actor(request),
                measure=measure,
                confirmed=form.cleaned_data["confirm"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"The measure {measure.name} was deleted.")
            return redirect("improvement:measure_library", team_slug=team.slug)
    return render(
        request,
        "improvement/measures/measure_delete.html",
        {"team": team, "capabilities": capabilities, "measure": measure, "form": form},
    )


def _library_page(
    request: HttpRequest,
    team: Team,
    capabilities: frozenset[Capability],
    page: LibraryPage,
) -> HttpResponse:
    return render(
        request,
        "improvement/measures/library.html",
        {"team": team, "capabilities": capabilities, "page": page},
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def measure_library(request: HttpRequest, team_slug: str) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.VIEW)
    return _library_page(request, team, capabilities, LibraryPage(team))


@login_required
@require_POST
def measure_adopt(request: HttpRequest, team_slug: str) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_PLAN)
    form = AdoptForm(request.POST, team=team)
    if form.is_valid():
        goal: Goal = form.cleaned_data["goal"]
        try:
            measure = services.measure_adopt(
                actor=request_actor(request),
                team=team,
                template_key=form.cleaned_data["template"],
                goal=goal,
                side=form.cleaned_data["side"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"{measure.name} was added to the goal {goal.title}.")
            return redirect("improvement:measure_edit", team_slug=team.slug, measure_id=measure.pk)
    page = LibraryPage(team, bound=form, bound_key=request.POST.get("template"))
    return _library_page(request, team, capabilities, page)
