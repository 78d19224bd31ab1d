"""Reads of team data. Workspace reads get their team through ``access.team_get_for``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from sharedpurpose.programmes.models import PUBLIC_ROUND_STATES

from .access import team_get_for
from .models import DataPoint, Measure, Team, TeamMembership, TeamOrganisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sharedpurpose.accounts.models import User
    from sharedpurpose.programmes.models import Round


def teams_published_for_round(round_: Round) -> QuerySet[Team]:
    return (
        Team.objects.filter(round=round_, is_published=True)
        .prefetch_related(
            Prefetch(
                "teamorganisation_set",
                queryset=TeamOrganisation.objects.select_related("organisation").order_by(
                    "role", "organisation__name"
                ),
            )
        )
        .order_by("name")
    )


def teams_public() -> QuerySet[Team]:
    return Team.objects.filter(
        is_published=True, round__state__in=PUBLIC_ROUND_STATES, round__programme__is_published=True
    ).select_related("round", "round__programme")


def team_public_get(*, slug: str) -> Team:
    return get_object_or_404(teams_public(), slug=slug)


def team_workspace_get(*, user: User | AnonymousUser, slug: str) -> Team:
    """A team's workspace, or 404 for people outside it (not 403: existence stays private)."""
    team, _ = team_get_for(user, slug)
    return team


def team_members(team: Team) -> QuerySet[TeamMembership]:
    return team.memberships.select_related("user").order_by("side", "role", "user__email")


def team_measures_with_points(team: Team) -> QuerySet[Measure]:
    return team.measures.prefetch_related(
        Prefetch("points", queryset=DataPoint.objects.order_by("period"))
    ).order_by("side", "name")


def user_teams(user: User | AnonymousUser) -> QuerySet[Team]:
    if not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(memberships__user=user).distinct().order_by("name")
