"""The public team page, a person's teams, and the team dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from .. import selectors
from ..access import Capability, team_get_for, teams_visible_to
from ..forms.pdsa import DashboardFilterForm
from ..presenters import Dashboard


@require_safe
def team_detail(request: HttpRequest, team_slug: str) -> HttpResponse:
    team = selectors.team_public_get(slug=team_slug)
    can_open_workspace = teams_visible_to(request.user).filter(pk=team.pk).exists()
    return render(
        request,
        "improvement/team_detail.html",
        {"team": team, "can_open_workspace": can_open_workspace},
    )


@login_required
@require_safe
def my_teams(request: HttpRequest) -> HttpResponse:
    return render(request, "improvement/my_teams.html", {"teams": teams_visible_to(request.user)})


def is_htmx_partial(request: HttpRequest) -> bool:
    """An htmx swap wants a fragment; restoring history after a reload wants the whole page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


@login_required
@require_safe
def team_workspace(request: HttpRequest, team_slug: str) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.VIEW)
    form = DashboardFilterForm(request.GET, team=team)
    # A bad filter shows its error and every measure rather than failing.
    valid = form.is_valid()
    dashboard = Dashboard(
        team,
        goal=form.cleaned_data.get("goal") if valid else None,
        side=form.cleaned_data.get("side", "") if valid else "",
    )
    template = (
        "improvement/charts/_dashboard_measures.html"
        if is_htmx_partial(request)
        else "improvement/team_workspace.html"
    )
    response = render(
        request,
        template,
        {"team": team, "capabilities": capabilities, "form": form, "dashboard": dashboard},
    )
    patch_vary_headers(response, ["HX-Request"])
    return response
