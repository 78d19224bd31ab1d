"""The partnership: organisations, members and their sides, the two leads, invitations, and
the version check that stops one person's change overwriting another's."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.applications.models import (
    Application,
    ApplicationInvitation,
    ApplicationMember,
    ApplicationOrganisation,
    ApplicationState,
)
from sharedpurpose.applications.services import partnership as services
from sharedpurpose.core.models import AuditEvent
from tests.factories import UserFactory

from .factories import ApplicationFactory, ApplicationFormFactory, CollaboratorFactory

pytestmark = pytest.mark.django_db

CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def _url(name: str, application: Application, *args: Any) -> str:
    return reverse(f"applications:{name}", args=[application.reference, *args])


def _version(application: Application) -> int:
    application.refresh_from_db()
    return application.version


# --- organisations -----------------------------------------------------------------------


def test_members_add_change_and_remove_partner_organisations(client: Client) -> None:
    application = ApplicationFactory.create()
    collaborator = CollaboratorFactory.create(application=application).user
    client.force_login(collaborator)

    added = client.post(
        _url("partnership_partner_add", application),
        {"partner-version": _version(application), "partner-name": " Northmoor Council "},
    )
    partner = application.organisations.get(role=ApplicationOrganisation.Role.PARTNER)
    changed = client.post(
        _url("partnership_partner_edit", application, partner.pk),
        {"version": _version(application), "name": "Northmoor City Council", "kind": "Council"},
    )
    partner.refresh_from_db()

    assert added.status_code == 302 and changed.status_code == 302
    assert (partner.name, partner.kind) == ("Northmoor City Council", "Council")
    removed = client.post(
        _url("partnership_partner_remove", application, partner.pk),
        {"version": _version(application)},
    )
    assert removed.status_code == 302
    assert not application.organisations.filter(role="partner").exists()
    actions = set(
        AuditEvent.objects.filter(scope=f"application:{application.pk}").values_list(
            "action", flat=True
        )
    )
    assert {"partnership.partner_save", "partnership.partner_remove"} <= actions


def test_an_organisation_name_is_used_once_per_application(client: Client) -> None:
    application = ApplicationFactory.create()
    lead_name = application.organisations.get().name
    client.force_login(application.lead_applicant)

    response = client.post(
        _url("partnership_partner_add", application),
        {"partner-version": _version(application), "partner-name": lead_name.upper()},
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "is already in this partnership" in content
    assert 'href="#id_partner-name"' in content
    assert f'value="{lead_name.upper()}"' in content
    assert application.organisations.count() == 1
    assert _version(application) == 1


def test_the_lead_organisation_is_named_and_cannot_be_removed() -> None:
    application = ApplicationFactory.create()
    lead = application.organisations.get()

    services.lead_organisation_set(
        actor=application.lead_applicant,
        application=application,
        version=application.version,
        name="Westshire Hospitals",
        kind="Acute trust",
    )

    lead.refresh_from_db()
    assert lead.name == "Westshire Hospitals"
    with pytest.raises(ValidationError, match="lead organisation cannot be removed"):
        services.partner_remove(
            actor=application.lead_applicant,
            application=application,
            version=application.version,
            organisation=lead,
        )


# --- the version check -------------------------------------------------------------------


def test_a_change_based_on_an_old_version_is_refused_and_names_who_changed_it(
    client: Client,
) -> None:
    application = ApplicationFactory.create(lead_applicant__full_name="Ada Lovelace")
    collaborator = CollaboratorFactory.create(application=application).user
    loaded_version = application.version
    # The lead applicant saves first …
    services.partner_save(
        actor=application.lead_applicant,
        application=application,
        version=loaded_version,
        name="Eastfield Trust",
        kind="",
    )
    client.force_login(collaborator)

    # … and the collaborator, who loaded the page before, saves later.
    response = client.post(
        _url("partnership_partner_add", application),
        {"partner-version": loaded_version, "partner-name": "Southport ICB"},
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "Ada Lovelace changed the partnership at" in content
    assert "(Europe/London); reload to see it" in content
    assert list(
        application.organisations.filter(role="partner").values_list("name", flat=True)
    ) == ["Eastfield Trust"]
    assert _version(application) == loaded_version + 1


def test_nothing_in_the_partnership_changes_once_submitted() -> None:
    application = ApplicationFactory.create(state=ApplicationState.SUBMITTED)

    with pytest.raises(ValidationError, match="is submitted, so its partnership can no longer"):
        services.partner_save(
            actor=application.lead_applicant,
            application=application,
            version=application.version,
            name="Late partner",
            kind="",
        )
    assert application.organisations.count() == 1


# --- members and leads -------------------------------------------------------------------


def test_the_lead_applicant_chooses_one_lead_per_side_from_that_side(client: Client) -> None:
    application = ApplicationFactory.create()
    lead_member = application.members.get()
    clinician = CollaboratorFactory.create(application=application)
    client.force_login(application.lead_applicant)

    response = client.post(
        _url("partnership_leads", application),
        {
            "leads-version": _version(application),
            "leads-corporate_lead": lead_member.pk,
            "leads-clinical_lead": clinician.pk,
        },
    )

    assert response.status_code == 302
    assert set(application.members.filter(leads_side=True).values_list("pk", flat=True)) == {
        lead_member.pk,
        clinician.pk,
    }
    with pytest.raises(ValidationError) as raised:
        services.leads_set(
            actor=application.lead_applicant,
            application=application,
            version=_version(application),
            corporate_lead=clinician,
            clinical_lead=None,
        )
    assert "corporate support services" in str(raised.value.message_dict["corporate_lead"])


def test_a_member_moving_side_stops_leading_the_side_they_left() -> None:
    application = ApplicationFactory.create()
    lead_member = application.members.get()
    assert lead_member.leads_side

    services.member_placement_set(
        actor=application.lead_applicant,
        application=application,
        version=application.version,
        member=lead_member,
        side="clinical",
        clinical_area="Diabetes",
    )

    lead_member.refresh_from_db()
    assert (lead_member.side, lead_member.clinical_area, lead_member.leads_side) == (
        "clinical",
        "Diabetes",
        False,
    )
    assert lead_member.corporate_service == ""


def test_a_collaborator_places_themselves_but_not_others(client: Client) -> None:
    application = ApplicationFactory.create()
    me = CollaboratorFactory.create(application=application)
    other = CollaboratorFactory.create(application=application)
    client.force_login(me.user)

    mine = client.post(
        _url("partnership_member_edit", application, me.pk),
        {"version": _version(application), "side": "corporate", "corporate_service": "finance"},
    )
    theirs = client.get(_url("partnership_member_edit", application, other.pk))
    missing_service = client.post(
        _url("partnership_member_edit", application, me.pk),
        {"version": _version(application), "side": "corporate", "corporate_service": ""},
    )

    me.refresh_from_db()
    assert mine.status_code == 302 and me.corporate_service == "finance"
    assert theirs.status_code == 403
    assert missing_service.status_code == 400
    assert "Choose the corporate service" in missing_service.content.decode()


def test_the_lead_applicant_removes_collaborators_but_not_themselves(client: Client) -> None:
    application = ApplicationFactory.create()
    collaborator = CollaboratorFactory.create(application=application)
    lead_member = application.members.get(is_lead_applicant=True)
    client.force_login(application.lead_applicant)

    confirm = client.get(_url("partnership_member_remove", application, collaborator.pk))
    removed = client.post(
        _url("partnership_member_remove", application, collaborator.pk),
        {"version": _version(application)},
    )
    refused = client.post(
        _url("partnership_member_remove", application, lead_member.pk),
        {"version": _version(application)},
    )

    assert confirm.status_code == 200
    assert removed.status_code == 302
    assert not ApplicationMember.objects.filter(pk=collaborator.pk).exists()
    assert refused.status_code == 400
    assert "lead applicant cannot be removed" in refused.content.decode()


def test_partnership_problems_follow_the_rounds_form() -> None:
    form = ApplicationFormFactory.create(min_partner_organisations=2)
    application = ApplicationFactory.create(round=form.round)
    application.organisations.all().delete()
    application.members.update(leads_side=False)

    messages = [problem.message for problem in services.partnership_problems(application)]

    assert messages == [
        "Name the lead organisation.",
        "Add at least 2 partner organisations (you have 0).",
        "Choose the corporate-services lead from the members on the corporate side.",
        "Choose the clinical lead from the members on the clinical side.",
    ]
    form.requires_clinical_lead = False
    form.min_partner_organisations = 0
    form.save()
    application.organisations.create(name="Lead", role="lead")
    application.members.update(leads_side=True)
    assert services.partnership_problems(application) == []


# --- invitations -------------------------------------------------------------------------


def test_the_lead_applicant_invites_and_the_link_is_emailed_after_commit(
    client: Client, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    application = ApplicationFactory.create()
    client.force_login(application.lead_applicant)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("partnership_invite", application),
            {
                "invite-version": _version(application),
                "invite-email": " Nia.Okoro@Example.org ",
                "invite-side": "clinical",
                "invite-clinical_area": "Acute medical unit",
                "invite-leads_side": "on",
            },
        )

    invitation = ApplicationInvitation.objects.get()
    assert response.status_code == 302
    assert invitation.email == "nia.okoro@example.org" and invitation.leads_side
    assert timedelta(days=13, hours=23) < invitation.expires_at - timezone.now()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nia.okoro@example.org"]
    accept_path = reverse("applications:invitation_accept", args=[invitation.token])
    assert accept_path in mail.outbox[0].body
    assert application.reference in mail.outbox[0].subject
    page = client.get(_url("partnership", application)).content.decode()
    assert "nia.okoro@example.org" in page


def test_a_collaborator_cannot_invite_and_staff_cannot_change_the_partnership(
    client: Client,
) -> None:
    application = ApplicationFactory.create()
    collaborator = CollaboratorFactory.create(application=application).user
    staff = UserFactory.create()
    user_role_grant(user=staff, role=SiteRole.PROGRAMME_STAFF)
    data = {
        "invite-version": application.version,
        "invite-email": "x@example.org",
        "invite-side": "clinical",
        "invite-clinical_area": "ED",
    }

    client.force_login(collaborator)
    by_collaborator = client.post(_url("partnership_invite", application), data)
    client.force_login(staff)
    staff_view = client.get(_url("partnership", application))
    by_staff = client.post(
        _url("partnership_partner_add", application),
        {"partner-version": application.version, "partner-name": "Staff Org"},
    )

    assert by_collaborator.status_code == 403
    assert staff_view.status_code == 200
    assert by_staff.status_code == 403
    assert not ApplicationInvitation.objects.exists()


def test_outsiders_get_404_on_the_partnership(client: Client) -> None:
    application = ApplicationFactory.create()
    client.force_login(UserFactory.create())

    assert client.get(_url("partnership", application)).status_code == 404
    assert (
        client.post(
            _url("partnership_partner_add", application),
            {"partner-version": 1, "partner-name": "X"},
        ).status_code
        == 404
    )


def _invite(application: Application, email: str, **fields: Any) -> ApplicationInvitation:
    return services.member_invite(
        actor=application.lead_applicant,
        application=application,
        version=_version(application),
        email=email,
        **{"side": "clinical", "clinical_area": "Emergency department", **fields},
    )


def test_the_invited_address_accepts_and_joins_on_the_chosen_side(client: Client) -> None:
    application = ApplicationFactory.create()
    invitation = _invite(application, "nurse@example.org", leads_side=True)
    invitee = UserFactory.create(email="nurse@example.org")
    client.force_login(invitee)
    url = reverse("applications:invitation_accept", args=[invitation.token])

    shown = client.get(url)
    accepted = client.post(url)

    member = application.members.get(user=invitee)
    assert shown.status_code == 200 and "Join the application" in shown.content.decode()
    assert accepted.status_code == 302 and accepted["Location"] == application.get_absolute_url()
    assert (member.side, member.clinical_area, member.leads_side) == (
        "clinical",
        "Emergency department",
        True,
    )
    invitation.refresh_from_db()
    assert invitation.accepted_by == invitee
    assert AuditEvent.objects.filter(action="partnership.member_join", actor=invitee).exists()
    again = client.post(url)
    assert again.status_code == 400 and "already been used" in again.content.decode()


def test_an_invitation_to_lead_a_side_already_led_joins_without_leading() -> None:
    application = ApplicationFactory.create()
    CollaboratorFactory.create(application=application, leads_side=True)
    invitation = _invite(application, "second@example.org", leads_side=True)
    invitee = UserFactory.create(email="second@example.org")

    member = services.invitation_accept(actor=invitee, token=invitation.token)

    assert not member.leads_side


def test_the_wrong_account_an_expired_link_and_a_bad_token_are_told_why(
    client: Client,
) -> None:
    application = ApplicationFactory.create()
    invitation = _invite(application, "right@example.org")
    expired = _invite(application, "late@example.org")
    expired.expires_at = timezone.now() - timedelta(minutes=1)
    expired.save()
    late_invitee = UserFactory.create(email="late@example.org")

    client.force_login(UserFactory.create(email="wrong@example.org"))
    wrong = client.post(reverse("applications:invitation_accept", args=[invitation.token]))
    client.force_login(late_invitee)
    late = client.get(reverse("applications:invitation_accept", args=[expired.token]))
    bad = client.get(reverse("applications:invitation_accept", args=["not-a-token"]))

    assert wrong.status_code == 400
    assert "This invitation was sent to right@example.org" in wrong.content.decode()
    assert late.status_code == 400 and "This invitation expired on" in late.content.decode()
    assert bad.status_code == 400 and "not valid" in bad.content.decode()
    assert application.members.count() == 1


def test_a_withdrawn_invitation_stops_working() -> None:
    application = ApplicationFactory.create()
    invitation = _invite(application, "gone@example.org")
    invitee = UserFactory.create(email="gone@example.org")

    services.invitation_withdraw(
        actor=application.lead_applicant,
        application=application,
        version=_version(application),
        invitation=invitation,
    )

    with pytest.raises(ValidationError, match="expired"):
        services.invitation_accept(actor=invitee, token=invitation.token)


def test_the_invitation_page_needs_sign_in(client: Client) -> None:
    application = ApplicationFactory.create()
    invitation = _invite(application, "someone@example.org")

    response = client.get(reverse("applications:invitation_accept", args=[invitation.token]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
