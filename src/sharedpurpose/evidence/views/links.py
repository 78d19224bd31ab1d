"""A goal's corporate ↔ clinical links: which side's signals came first, and how the two
sides' changes correlate across lags (association, not proof)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from sharedpurpose.improvement.access import Capability, team_get_for

from ..services.links import goal_links as goal_links_compute


@login_required
@require_safe
def goal_links(request: HttpRequest, team_slug: str, goal_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.VIEW)
    goal = get_object_or_404(team.goals.select_related("team"), pk=goal_id)
    return render(
        request,
        "evidence/goal_links.html",
        {
            "team": team,
            "capabilities": capabilities,
            "goal": goal,
            "links": goal_links_compute(goal),
        },
    )
