from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from sharedpurpose.core.models import AuditEvent
from sharedpurpose.improvement.access import team_capabilities
from sharedpurpose.improvement.models import Side, TeamInvitation, TeamMembership
from sharedpurpose.improvement.services.members import (
    invitation_accept,
    member_invite,
    member_remove,
    member_update,
    team_share,
    team_unshare,
)
from tests.factories import MeasureFactory, MembershipFactory, TeamFactory, UserFactory

from .factories_members import InvitationFactory, LeadFactory

pytestmark = pytest.mark.django_db

CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


# --- invitations -------------------------------------------------------------------------


def test_a_lead_invites_by_email_and_the_link_is_sent_after_commit(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    lead = LeadFactory.create()

    with django_capture_on_commit_callbacks(execute=True):
        invitation = member_invite(
            actor=lead.user,
            team=lead.team,
            email=" New.Person@Example.org ",
            role=TeamMembership.Role.DATA_CONTRIBUTOR,
            side=Side.CLINICAL,
            clinical_area="Ward 7",
        )

    assert invitation.email == "new.person@example.org"
    assert len(invitation.token) >= 40
    assert (
        timedelta(days=13, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=14)
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.org"]
    assert f"/teams/invitations/{invitation.token}/" in message.body
    assert AuditEvent.objects.filter(action="member.invite", object_id=str(invitation.pk)).exists()


def test_inviting_someone_already_in_the_team_is_refused() -> None:
    lead = LeadFactory.create()
    member = MembershipFactory.create(team=lead.team)

    with pytest.raises(ValidationError) as raised:
        member_invite(
            actor=lead.user,
            team=lead.team,
            email=member.user.email.upper(),
            role=TeamMembership.Role.MEMBER,
            side=Side.CLINICAL,
            clinical_area="ED",
        )

    assert "already a member" in str(raised.value.message_dict["email"])
    assert not TeamInvitation.objects.exists()


def test_a_corporate_invitation_needs_a_corporate_service() -> None:
    lead = LeadFactory.create()

    with pytest.raises(ValidationError) as raised:
        member_invite(
            actor=lead.user,
            team=lead.team,
            email="a@example.org",
            role=TeamMembership.Role.MEMBER,
            side=Side.CORPORATE,
        )

    assert "corporate_service" in raised.value.message_dict


def test_the_invited_person_accepts_and_becomes_a_member_once() -> None:
    invitation = InvitationFactory.create(role=TeamMembership.Role.COACH)
    invitee = UserFactory.create(email=invitation.email)

    membership = invitation_accept(actor=invitee, token=invitation.token)

    assert membership.team == invitation.team
    assert membership.role == TeamMembership.Role.COACH
    assert membership.clinical_area == "Ward 7"
    invitation.refresh_from_db()
    assert invitation.accepted_by == invitee and invitation.accepted_at is not None
    assert AuditEvent.objects.filter(action="member.join").count() == 1
    with pytest.raises(ValidationError, match="already been used"):
        invitation_accept(actor=invitee, token=invitation.token)


def test_an_expired_invitation_says_so_and_adds_nobody() -> None:
    invitation = InvitationFactory.create(expires_at=timezone.now() - timedelta(minutes=1))
    invitee = UserFactory.create(email=invitation.email)

    with pytest.raises(ValidationError, match="expired"):
        invitation_accept(actor=invitee, token=invitation.token)

    assert not TeamMembership.objects.filter(user=invitee).exists()


def test_only_the_invited_verified_address_can_accept() -> None:
    invitation = InvitationFactory.create()
    someone_else = UserFactory.create()
    unverified = UserFactory.create(email=invitation.email, verified=False)

    for user in (someone_else, unverified):
        with pytest.raises(ValidationError, match="was sent to"):
            invitation_accept(actor=user, token=invitation.token)

    assert not TeamMembership.objects.filter(team=invitation.team).exists()


def test_the_invitation_page_sends_anonymous_visitors_to_sign_in_first(client: Client) -> None:
    invitation = InvitationFactory.create()
    path = f"/teams/invitations/{invitation.token}/"

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "next=" in response["Location"]


def test_accepting_through_the_page_opens_the_workspace(client: Client) -> None:
    invitation = InvitationFactory.create()
    invitee = UserFactory.create(email=invitation.email)
    client.force_login(invitee)
    path = f"/teams/invitations/{invitation.token}/"

    page = client.get(path)
    response = client.post(path, follow=True)

    assert f"Join {invitation.team.name}" in page.content.decode()
    assert response.redirect_chain[-1][0] == invitation.team.get_workspace_url()
    assert f"You have joined {invitation.team.name}" in response.content.decode()


def test_an_unknown_token_gives_a_clear_page_not_an_error(client: Client) -> None:
    client.force_login(UserFactory.create())

    response = client.get("/teams/invitations/not-a-token/")

    assert response.status_code == 400
    assert "This invitation link is not valid" in response.content.decode()


# --- the members page and its permissions --------------------------------------------------


def test_members_page_lists_both_sides_partners_and_pending_invitations(client: Client) -> None:
    lead = LeadFactory.create()
    MembershipFactory.create(team=lead.team, clinical_area="Acute medical unit")
    InvitationFactory.create(team=lead.team, email="waiting@example.org")
    client.force_login(lead.user)

    html = client.get(f"/teams/{lead.team.slug}/members/").content.decode()

    assert "Corporate support services" in html and "Clinical services" in html
    assert "Acute medical unit" in html and "HR and workforce" in html
    assert "waiting@example.org" in html
    assert "Send invitation" in html


def test_members_see_the_table_but_no_invite_form(client: Client) -> None:
    member = MembershipFactory.create()
    InvitationFactory.create(team=member.team, email="waiting@example.org")
    client.force_login(member.user)

    response = client.get(f"/teams/{member.team.slug}/members/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Send invitation" not in html and "waiting@example.org" not in html


def test_a_member_cannot_invite(client: Client) -> None:
    member = MembershipFactory.create()
    client.force_login(member.user)

    response = client.post(
        f"/teams/{member.team.slug}/members/invite/",
        {"email": "x@example.org", "role": "member", "side": "clinical", "clinical_area": "ED"},
    )

    assert response.status_code == 403
    assert not TeamInvitation.objects.exists()


def test_another_teams_member_gets_404_on_every_member_page(client: Client) -> None:
    lead = LeadFactory.create()
    outsider = LeadFactory.create()
    client.force_login(outsider.user)
    base = f"/teams/{lead.team.slug}"

    for path in (
        f"{base}/members/",
        f"{base}/members/{lead.pk}/edit/",
        f"{base}/members/{lead.pk}/remove/",
        f"{base}/sharing/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"{base}/members/{lead.pk}/remove/").status_code == 404
    assert TeamMembership.objects.filter(pk=lead.pk).exists()


def test_a_lead_cannot_reach_a_membership_of_another_team_through_their_own(
    client: Client,
) -> None:
    lead = LeadFactory.create()
    elsewhere = MembershipFactory.create()
    client.force_login(lead.user)

    response = client.post(f"/teams/{lead.team.slug}/members/{elsewhere.pk}/remove/")

    assert response.status_code == 404
    assert TeamMembership.objects.filter(pk=elsewhere.pk).exists()


def test_bad_invite_input_is_shown_in_the_error_summary_and_kept(client: Client) -> None:
    lead = LeadFactory.create()
    client.force_login(lead.user)

    response = client.post(
        f"/teams/{lead.team.slug}/members/invite/",
        {"email": "keep@example.org", "role": "member", "side": "clinical", "clinical_area": ""},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter the clinical service, specialty or ward." in html
    assert 'value="keep@example.org"' in html
    assert not TeamInvitation.objects.exists()


# --- changing and removing members ----------------------------------------------------------


def test_the_last_lead_cannot_be_removed_or_demoted() -> None:
    lead = LeadFactory.create()

    with pytest.raises(ValidationError, match="last lead"):
        member_remove(actor=lead.user, membership=lead)
    with pytest.raises(ValidationError, match="at least one lead"):
        member_update(
            actor=lead.user,
            membership=lead,
            role=TeamMembership.Role.MEMBER,
            side=Side.CORPORATE,
            corporate_service="finance",
        )

    lead.refresh_from_db()
    assert lead.role == TeamMembership.Role.LEAD
    assert lead.corporate_service == "hr_workforce"


def test_the_remove_page_explains_why_the_last_lead_stays(client: Client) -> None:
    lead = LeadFactory.create()
    client.force_login(lead.user)

    response = client.post(f"/teams/{lead.team.slug}/members/{lead.pk}/remove/")

    assert response.status_code == 200
    assert "You cannot remove the team&#x27;s last lead" in response.content.decode()
    assert TeamMembership.objects.filter(pk=lead.pk).exists()
    assert not AuditEvent.objects.filter(action="member.remove").exists()


def test_removing_a_member_audits_it_and_frees_their_measures(client: Client) -> None:
    lead = LeadFactory.create()
    member = MembershipFactory.create(team=lead.team)
    measure = MeasureFactory.create(team=lead.team, data_owner=member.user)
    client.force_login(lead.user)
    path = f"/teams/{lead.team.slug}/members/{member.pk}/remove/"

    confirm = client.get(path)
    response = client.post(path)

    assert "Remove from team" in confirm.content.decode()
    assert response.status_code == 302
    assert not TeamMembership.objects.filter(pk=member.pk).exists()
    measure.refresh_from_db()
    assert measure.data_owner is None
    event = AuditEvent.objects.get(action="member.remove")
    assert event.actor == lead.user and "1 measure" in event.summary


def test_a_lead_changes_a_members_role_and_side(client: Client) -> None:
    lead = LeadFactory.create()
    member = MembershipFactory.create(team=lead.team)
    client.force_login(lead.user)

    response = client.post(
        f"/teams/{lead.team.slug}/members/{member.pk}/edit/",
        {"role": "lead", "side": "corporate", "corporate_service": "it_digital"},
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.role, member.side, member.corporate_service, member.clinical_area) == (
        "lead",
        "corporate",
        "it_digital",
        "",
    )
    event = AuditEvent.objects.get(action="member.update")
    assert event.changes["role"] == ["member", "lead"]


# --- sharing ---------------------------------------------------------------------------------


def test_sharing_gives_another_team_of_the_programme_read_only_access(client: Client) -> None:
    lead = LeadFactory.create()
    reader = MembershipFactory.create(team=TeamFactory.create(round=lead.team.round))
    client.force_login(lead.user)

    response = client.post(
        f"/teams/{lead.team.slug}/sharing/", {"action": "share", "team": reader.team.pk}
    )

    assert response.status_code == 302
    assert team_capabilities(reader.user, lead.team) == frozenset({"view"})
    assert AuditEvent.objects.filter(action="team.share").count() == 1

    team_unshare(actor=lead.user, team=lead.team, other=reader.team)
    assert team_capabilities(reader.user, lead.team) == frozenset()


def test_sharing_with_a_team_of_another_programme_is_refused() -> None:
    lead = LeadFactory.create()
    stranger = TeamFactory.create()

    with pytest.raises(ValidationError, match="same programme"):
        team_share(actor=lead.user, team=lead.team, other=stranger)

    assert not lead.team.shared_with.exists()


def test_a_member_who_is_not_a_lead_cannot_open_sharing(client: Client) -> None:
    member = MembershipFactory.create()
    client.force_login(member.user)

    assert client.get(f"/teams/{member.team.slug}/sharing/").status_code == 403
