from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import selectors
from ..access import teams_visible_to
from ..presenters import MeasurePresenter


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
    return render(
        request, "improvement/my_teams.html", {"teams": teams_visible_to(request.user)}
    )


@login_required
@require_safe
def team_workspace(request: HttpRequest, team_slug: str) -> HttpResponse:
    team = selectors.team_workspace_get(user=request.user, slug=team_slug)
    measures = [MeasurePresenter(m) for m in selectors.team_measures_with_points(team)]
    return render(
        request,
        "improvement/team_workspace.html",
        {"team": team, "members": selectors.team_members(team), "measures": measures},
    )
