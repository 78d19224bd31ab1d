"""Reads of team data. Every team-owned read goes through :func:`teams_visible_to`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from sharedpurpose.accounts.roles import user_is_programme_staff
from sharedpurpose.programmes.models import PUBLIC_ROUND_STATES

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


def teams_visible_to(user: User | AnonymousUser) -> QuerySet[Team]:
    """Teams whose workspace ``user`` may open: programme staff see all, members their own."""
    if not user.is_authenticated or not user.is_active:
        return Team.objects.none()
    if user_is_programme_staff(user):
        return Team.objects.all()
    return Team.objects.filter(memberships__user=user).distinct()


def team_workspace_get(*, user: User | AnonymousUser, slug: str) -> Team:
    """A team's workspace, or 404 for people outside it (not 403: existence stays private)."""
    try:
        return teams_visible_to(user).select_related("round", "round__programme").get(slug=slug)
    except Team.DoesNotExist:
        raise Http404("No such team") from None


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
