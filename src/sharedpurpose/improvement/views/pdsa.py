"""PDSA cycles: the team's timeline, and planning, recording and deleting a cycle."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from sharedpurpose.core.web import form_add_service_error

from ..access import Capability, team_get_for
from ..forms.pdsa import PdsaForm
from ..models import DriverNode, PdsaCycle, Team
from ..presenters import CyclePage, PdsaTimelines
from ..services import pdsa as services
from .charts import actor_of


def _cycle(team: Team, cycle_id: int) -> PdsaCycle:
    return get_object_or_404(
        PdsaCycle.objects.filter(change_idea__goal__team=team).select_related(
            "change_idea__goal", "previous", "created_by"
        ),
        pk=cycle_id,
    )


@login_required
@require_safe
def pdsa_list(request: HttpRequest, team_slug: str) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.VIEW)
    return render(
        request,
        "improvement/pdsa/list.html",
        {"team": team, "capabilities": capabilities, "timelines": PdsaTimelines(team)},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def pdsa_create(request: HttpRequest, team_slug: str, node_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_PLAN)
    idea = get_object_or_404(
        DriverNode.objects.filter(goal__team=team, kind=DriverNode.Kind.CHANGE_IDEA).select_related(
            "goal"
        ),
        pk=node_id,
    )
    initial = {"measures": list(idea.measures.values_list("pk", flat=True))}
    form = PdsaForm(
        request.POST if request.method == "POST" else None,
        team=team,
        change_idea=idea,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.pdsa_create(
                actor=actor_of(request), change_idea=idea, values=form.values()
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"PDSA cycle “{cycle.title}” planned.")
            return redirect("improvement:pdsa", team_slug=team.slug, cycle_id=cycle.pk)
    return render(
        request,
        "improvement/pdsa/form.html",
        {"team": team, "capabilities": capabilities, "idea": idea, "form": form, "cycle": None},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_safe
def pdsa_detail(request: HttpRequest, team_slug: str, cycle_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.VIEW)
    cycle = _cycle(team, cycle_id)
    return render(
        request,
        "improvement/pdsa/detail.html",
        {"team": team, "capabilities": capabilities, "cycle": cycle, "page": CyclePage(cycle)},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def pdsa_edit(request: HttpRequest, team_slug: str, cycle_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_PLAN)
    cycle = _cycle(team, cycle_id)
    form = PdsaForm(
        request.POST if request.method == "POST" else None,
        team=team,
        change_idea=cycle.change_idea,
        cycle=cycle,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.pdsa_update(actor=actor_of(request), cycle=cycle, values=form.values())
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"PDSA cycle “{cycle.title}” updated.")
            return redirect("improvement:pdsa", team_slug=team.slug, cycle_id=cycle.pk)
    return render(
        request,
        "improvement/pdsa/form.html",
        {
            "team": team,
            "capabilities": capabilities,
            "idea": cycle.change_idea,
            "form": form,
            "cycle": cycle,
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def pdsa_delete(request: HttpRequest, team_slug: str, cycle_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_PLAN)
    cycle = _cycle(team, cycle_id)
    if request.method == "POST":
        title = cycle.title
        services.pdsa_delete(actor=actor_of(request), cycle=cycle)
        messages.success(request, f"PDSA cycle “{title}” deleted.")
        return redirect("improvement:pdsa_list", team_slug=team.slug)
    return render(
        request,
        "improvement/pdsa/delete.html",
        {"team": team, "capabilities": capabilities, "cycle": cycle},
    )
