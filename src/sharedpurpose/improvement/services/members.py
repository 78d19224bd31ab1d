"""Team membership: invitations, roles and sides, removals, and read-only sharing."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from sharedpurpose.core.audit import audit_changes, audit_record
from sharedpurpose.core.invitations import invitation_check_usable
from sharedpurpose.core.tasks import email_send

from ..access import team_scope
from ..models import CorporateService, Side, Team, TeamInvitation, TeamMembership

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User

INVITATION_VALID_FOR = timedelta(days=14)
MEMBER_FIELDS = ("role", "side", "corporate_service", "clinical_area")


def placement_values(*, side: str, corporate_service: str, clinical_area: str) -> dict[str, str]:
    """Where a person works: a corporate service or a clinical area, never both (team members
    and applicants alike)."""
    if side == Side.CORPORATE:
        if corporate_service not in CorporateService.values:
            raise ValidationError(
                {"corporate_service": "Choose the corporate service this person works in."}
            )
        return {"side": side, "corporate_service": corporate_service, "clinical_area": ""}
    if side == Side.CLINICAL:
        area = clinical_area.strip()
        if not area:
            raise ValidationError(
                {"clinical_area": "Enter the clinical service, specialty or ward."}
            )
        return {"side": side, "corporate_service": "", "clinical_area": area}
    raise ValidationError({"side": "Choose corporate support services or clinical services."})


def _check_role(role: str) -> None:
    if role not in TeamMembership.Role.values:
        raise ValidationError({"role": "Choose a team role."})


def _member_state(membership: TeamMembership) -> dict[str, Any]:
    return {name: getattr(membership, name) for name in MEMBER_FIELDS}


def _leads_left(team: Team, *, without: TeamMembership) -> int:
    return team.memberships.filter(role=TeamMembership.Role.LEAD).exclude(pk=without.pk).count()


def invitation_url(invitation: TeamInvitation) -> str:
    path = reverse("improvement:invitation_accept", kwargs={"token": invitation.token})
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def member_invite(
    *,
    actor: User,
    team: Team,
    email: str,
    role: str,
    side: str,
    corporate_service: str = "",
    clinical_area: str = "",
) -> TeamInvitation:
    """Invite ``email`` to ``team`` and send them the link; earlier pending invitations lapse."""
    address = email.strip().lower()
    if not address:
        raise ValidationError({"email": "Enter the e-mail address to invite."})
    _check_role(role)
    placement = placement_values(
        side=side, corporate_service=corporate_service, clinical_area=clinical_area
    )
    if team.memberships.filter(user__email__iexact=address).exists():
        raise ValidationError({"email": f"{address} is already a member of {team.name}."})
    now = timezone.now()
    team.invitations.filter(
        email__iexact=address, accepted_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
    invitation = TeamInvitation.objects.create(
        team=team,
        email=address,
        role=role,
        token=secrets.token_urlsafe(32),
        invited_by=actor,
        expires_at=now + INVITATION_VALID_FOR,
        **placement,
    )
    audit_record(
        actor=actor,
        action="member.invite",
        obj=invitation,
        scope=team_scope(team),
        summary=f"Invited {address} to join as {invitation.get_role_display().lower()}",
        changes=audit_changes({}, {"email": address, "role": role, **placement}),
    )
    subject = f"Join {team.name} on Shared Purpose"
    body = (
        f"{actor.get_full_name()} has invited you to join {team.name} as "
        f"{invitation.get_role_display().lower()}.\n\n"
        f"Sign in with this e-mail address ({address}) and accept the invitation here:\n"
        f"{invitation_url(invitation)}\n\n"
        f"The link works once and expires on {invitation.expires_at:%d %B %Y}."
    )
    # Only send once the invitation exists: a rolled-back invitation must not reach anyone.
    transaction.on_commit(lambda: email_send.enqueue(subject=subject, body=body, to=[address]))
    return invitation


def invitation_get_usable(*, actor: User, token: str) -> TeamInvitation:
    """The invitation behind ``token`` if ``actor`` may accept it, else a ValidationError."""
    invitation = TeamInvitation.objects.select_related("team").filter(token=token).first()
    invitation_check_usable(invitation, actor=actor, inviter="a team lead")
    assert invitation is not None
    return invitation


@transaction.atomic
def invitation_accept(*, actor: User, token: str) -> TeamMembership:
    """Make ``actor`` a member of the invitation's team, as the lead who invited them chose."""
    invitation = invitation_get_usable(actor=actor, token=token)
    # Lock the row so the same link cannot be accepted twice at once.
    invitation = (
        TeamInvitation.objects.select_for_update().select_related("team").get(pk=invitation.pk)
    )
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has already been used.")
    team = invitation.team
    membership = team.memberships.filter(user=actor).first()
    if membership is None:
        membership = TeamMembership.objects.create(
            team=team,
            user=actor,
            role=invitation.role,
            side=invitation.side,
            corporate_service=invitation.corporate_service,
            clinical_area=invitation.clinical_area,
        )
        audit_record(
            actor=actor,
            action="member.join",
            obj=membership,
            scope=team_scope(team),
            summary=f"{actor.get_full_name()} accepted an invitation and joined the team",
            changes=audit_changes({}, _member_state(membership)),
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = actor
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_cancel(*, actor: User, invitation: TeamInvitation) -> None:
    """Withdraw a pending invitation: its link stops working at once."""
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has already been accepted.")
    invitation.expires_at = timezone.now()
    invitation.save(update_fields=["expires_at"])
    audit_record(
        actor=actor,
        action="member.invitation_cancel",
        obj=invitation,
        scope=team_scope(invitation.team),
        summary=f"Withdrew the invitation for {invitation.email}",
    )


@transaction.atomic
def member_update(
    *,
    actor: User,
    membership: TeamMembership,
    role: str,
    side: str,
    corporate_service: str = "",
    clinical_area: str = "",
) -> TeamMembership:
    _check_role(role)
    placement = placement_values(
        side=side, corporate_service=corporate_service, clinical_area=clinical_area
    )
    team = membership.team
    if (
        membership.role == TeamMembership.Role.LEAD
        and role != TeamMembership.Role.LEAD
        and _leads_left(team, without=membership) == 0
    ):
        raise ValidationError(
            {"role": "A team needs at least one lead. Make someone else a lead first."}
        )
    before = _member_state(membership)
    membership.role = role
    for name, value in placement.items():
        setattr(membership, name, value)
    after = _member_state(membership)
    changes = audit_changes(before, after)
    if not changes:
        return membership
    membership.save(update_fields=list(changes))
    audit_record(
        actor=actor,
        action="member.update",
        obj=membership,
        scope=team_scope(team),
        summary=f"Changed {membership.user.get_full_name()}'s role or area",
        changes=changes,
    )
    return membership


@transaction.atomic
def member_remove(*, actor: User, membership: TeamMembership) -> None:
    """Remove a member; measures whose data they owned are left without an owner."""
    team = membership.team
    if membership.role == TeamMembership.Role.LEAD and _leads_left(team, without=membership) == 0:
        raise ValidationError(
            "You cannot remove the team's last lead. Make someone else a lead first."
        )
    user = membership.user
    released = team.measures.filter(data_owner=user).update(data_owner=None)
    audit_record(
        actor=actor,
        action="member.remove",
        obj=membership,
        scope=team_scope(team),
        summary=(
            f"Removed {user.get_full_name()} from the team"
            + (f"; {released} measure(s) now have no data owner" if released else "")
        ),
        changes=audit_changes(_member_state(membership), {}),
    )
    membership.delete()


def _same_programme(team: Team, other: Team) -> None:
    if other.pk == team.pk:
        raise ValidationError({"team": "A team always sees its own workspace."})
    if other.round.programme_id != team.round.programme_id:
        raise ValidationError({"team": "Share only with teams of the same programme."})


@transaction.atomic
def team_share(*, actor: User, team: Team, other: Team) -> None:
    """Let ``other``'s members read ``team``'s workspace (read-only)."""
    _same_programme(team, other)
    if team.shared_with.filter(pk=other.pk).exists():
        return
    team.shared_with.add(other)
    audit_record(
        actor=actor,
        action="team.share",
        obj=team,
        scope=team_scope(team),
        summary=f"Shared a read-only view of the workspace with {other.name}",
        changes={"shared_with": [None, other.pk]},
    )


@transaction.atomic
def team_unshare(*, actor: User, team: Team, other: Team) -> None:
    if not team.shared_with.filter(pk=other.pk).exists():
        return
    team.shared_with.remove(other)
    audit_record(
        actor=actor,
        action="team.unshare",
        obj=team,
        scope=team_scope(team),
        summary=f"Stopped sharing the workspace with {other.name}",
        changes={"shared_with": [other.pk, None]},
    )
