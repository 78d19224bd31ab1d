"""Members, invitations and sharing of a team's workspace."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from sharedpurpose.core.web import form_add_service_error, request_actor

from ..access import Capability, team_get_for
from ..forms.members import InviteForm, MemberPlacementForm, MemberRemoveForm, ShareForm
from ..models import Side, Team, TeamInvitation, TeamMembership, TeamOrganisation
from ..services import members as services

if TYPE_CHECKING:
    pass


class MembersPage:
    """The members table by side, partner organisations and pending invitations."""

    def __init__(self, team: Team, capabilities: frozenset[Capability]) -> None:
        self.team = team
        self.can_manage = Capability.MANAGE_MEMBERS in capabilities

    @cached_property
    def memberships(self) -> list[TeamMembership]:
        return list(
            self.team.memberships.select_related("user").order_by("role", "user__full_name")
        )

    @cached_property
    def corporate(self) -> list[TeamMembership]:
        return [m for m in self.memberships if m.side == Side.CORPORATE]

    @cached_property
    def clinical(self) -> list[TeamMembership]:
        return [m for m in self.memberships if m.side == Side.CLINICAL]

    @cached_property
    def sides(self) -> list[tuple[str, list[TeamMembership]]]:
        return [
            (str(Side.CORPORATE.label), self.corporate),
            (str(Side.CLINICAL.label), self.clinical),
        ]

    @cached_property
    def organisations(self) -> list[TeamOrganisation]:
        return list(
            self.team.teamorganisation_set.select_related("organisation").order_by(
                "role", "organisation__name"
            )
        )

    @cached_property
    def pending_invitations(self) -> list[TeamInvitation]:
        if not self.can_manage:
            return []
        return list(
            self.team.invitations.filter(
                accepted_at__isnull=True, expires_at__gt=timezone.now()
            ).select_related("invited_by")
        )


class SharingPage:
    def __init__(self, team: Team) -> None:
        self.team = team

    @cached_property
    def programme_teams(self) -> list[tuple[Team, bool]]:
        shared = set(self.team.shared_with.values_list("pk", flat=True))
        others: QuerySet[Team] = (
            Team.objects.filter(round__programme=self.team.round.programme)
            .exclude(pk=self.team.pk)
            .select_related("round")
            .order_by("round__number", "name")
        )
        return [(other, other.pk in shared) for other in others]

    @cached_property
    def shared_by(self) -> list[Team]:
        return list(self.team.shared_by.order_by("name"))


def _members_page(
    request: HttpRequest,
    team: Team,
    capabilities: frozenset[Capability],
    invite_form: InviteForm | None = None,
) -> HttpResponse:
    page = MembersPage(team, capabilities)
    if invite_form is None and page.can_manage:
        invite_form = InviteForm(initial={"role": TeamMembership.Role.MEMBER})
    return render(
        request,
        "improvement/members/members.html",
        {"team": team, "capabilities": capabilities, "page": page, "invite_form": invite_form},
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def members(request: HttpRequest, team_slug: str) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.VIEW)
    return _members_page(request, team, capabilities)


@login_required
@require_POST
def member_invite(request: HttpRequest, team_slug: str) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.MANAGE_MEMBERS)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.member_invite(
                actor=request_actor(request), team=team, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("improvement:members", team_slug=team.slug)
    return _members_page(request, team, capabilities, invite_form=form)


@login_required
@require_POST
def invitation_cancel(request: HttpRequest, team_slug: str, invitation_id: int) -> HttpResponse:
    team, _ = team_get_for(request.user, team_slug, Capability.MANAGE_MEMBERS)
    invitation = get_object_or_404(team.invitations, pk=invitation_id)
    try:
        services.invitation_cancel(actor=request_actor(request), invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The invitation for {invitation.email} was withdrawn.")
    return redirect("improvement:members", team_slug=team.slug)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def member_edit(request: HttpRequest, team_slug: str, membership_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.MANAGE_MEMBERS)
    membership = get_object_or_404(team.memberships.select_related("user"), pk=membership_id)
    if request.method == "POST":
        form = MemberPlacementForm(request.POST)
        if form.is_valid():
            try:
                services.member_update(
                    actor=request_actor(request), membership=membership, **form.cleaned_data
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, f"{membership.user.get_full_name()}'s details saved.")
                return redirect("improvement:members", team_slug=team.slug)
    else:
        form = MemberPlacementForm(
            initial={name: getattr(membership, name) for name in services.MEMBER_FIELDS}
        )
    return render(
        request,
        "improvement/members/member_edit.html",
        {"team": team, "capabilities": capabilities, "membership": membership, "form": form},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def member_remove(request: HttpRequest, team_slug: str, membership_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.MANAGE_MEMBERS)
    membership = get_object_or_404(team.memberships.select_related("user"), pk=membership_id)
    form = MemberRemoveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            services.member_remove(actor=request_actor(request), membership=membership)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request, f"{membership.user.get_full_name()} was removed from {team.name}."
            )
            if membership.user_id == request.user.pk:
                return redirect("improvement:my_teams")
            return redirect("improvement:members", team_slug=team.slug)
    return render(
        request,
        "improvement/members/member_remove.html",
        {"team": team, "capabilities": capabilities, "membership": membership, "form": form},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def sharing(request: HttpRequest, team_slug: str) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.MANAGE_MEMBERS)
    form = ShareForm(request.POST if request.method == "POST" else None, team=team)
    if request.method == "POST" and form.is_valid():
        other: Team = form.cleaned_data["team"]
        try:
            if form.cleaned_data["action"] == ShareForm.SHARE:
                services.team_share(actor=request_actor(request), team=team, other=other)
                messages.success(request, f"{other.name} can now read this workspace.")
            else:
                services.team_unshare(actor=request_actor(request), team=team, other=other)
                messages.success(request, f"{other.name} can no longer read this workspace.")
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            return redirect("improvement:sharing", team_slug=team.slug)
    return render(
        request,
        "improvement/members/sharing.html",
        {
            "team": team,
            "capabilities": capabilities,
            "page": SharingPage(team),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone signed in may open the link; only the invited, verified address may accept."""
    actor = request_actor(request)
    context: dict[str, Any] = {"problem": None, "invitation": None}
    try:
        if request.method == "POST":
            membership = services.invitation_accept(actor=actor, token=token)
            messages.success(request, f"You have joined {membership.team.name}.")
            return redirect(membership.team.get_workspace_url())
        context["invitation"] = services.invitation_get_usable(actor=actor, token=token)
    except ValidationError as error:
        context["problem"] = " ".join(error.messages)
        return render(request, "improvement/members/invitation_accept.html", context, status=400)
    return render(request, "improvement/members/invitation_accept.html", context)
