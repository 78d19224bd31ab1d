"""Who may do what in a team's workspace: one permission system for pages, API and exports.

Every view and API route that touches team data gets its team through
:func:`team_get_for`, which answers 404 to people with no access at all (so a team's
existence stays private) and 403 to people who may look but not make that change.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from sharedpurpose.accounts.roles import programme_ids_staffed_by, user_staffs_programme

from .models import Team, TeamMembership

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sharedpurpose.accounts.models import User


class Capability(StrEnum):
    VIEW = "view"
    EDIT_PLAN = "edit_plan"  # goals, driver diagrams, measures, PDSA cycles
    EDIT_DATA = "edit_data"  # data points, imports, rebases
    MANAGE_MEMBERS = "manage_members"  # invitations, removals, sharing


ALL = frozenset(Capability)
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    TeamMembership.Role.LEAD: ALL,
    TeamMembership.Role.MEMBER: frozenset(
        {Capability.VIEW, Capability.EDIT_PLAN, Capability.EDIT_DATA}
    ),
    TeamMembership.Role.DATA_CONTRIBUTOR: frozenset({Capability.VIEW, Capability.EDIT_DATA}),
    TeamMembership.Role.COACH: frozenset({Capability.VIEW, Capability.EDIT_PLAN}),
}
READ_ONLY = frozenset({Capability.VIEW})
NONE: frozenset[Capability] = frozenset()


def teams_visible_to(user: User | AnonymousUser) -> QuerySet[Team]:
    """Teams whose workspace ``user`` may read: members their own and those shared with them,
    programme staff the teams of the programmes they run (the funder's staff: every team)."""
    if not user.is_authenticated or not user.is_active:
        return Team.objects.none()
    programme_ids = programme_ids_staffed_by(user)
    if programme_ids is None:
        return Team.objects.all()
    visible = Q(memberships__user=user) | Q(shared_with__memberships__user=user)
    if programme_ids:
        visible |= Q(round__programme__in=programme_ids)
    return Team.objects.filter(visible).distinct()


def team_capabilities(user: User | AnonymousUser, team: Team) -> frozenset[Capability]:
    if not user.is_authenticated or not user.is_active:
        return NONE
    if user_staffs_programme(user, team.round.programme_id):
        return ALL
    role = (
        TeamMembership.objects.filter(team=team, user=user).values_list("role", flat=True).first()
    )
    if role is not None:
        return ROLE_CAPABILITIES[role]
    if team.shared_with.filter(memberships__user=user).exists():
        return READ_ONLY
    return NONE


def team_get_for(
    user: User | AnonymousUser, slug: str, capability: Capability = Capability.VIEW
) -> tuple[Team, frozenset[Capability]]:
    """The team and what ``user`` may do in it; 404 without access, 403 without ``capability``."""
    team = Team.objects.filter(slug=slug).select_related("round", "round__programme").first()
    capabilities = team_capabilities(user, team) if team is not None else NONE
    if team is None or Capability.VIEW not in capabilities:
        raise Http404("No such team")
    if capability not in capabilities:
        raise PermissionDenied(f"Your role in {team.name} does not allow this.")
    return team, capabilities


def team_scope(team: Team) -> str:
    """The audit scope of a team's records."""
    return f"team:{team.pk}"
