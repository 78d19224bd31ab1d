"""The partnership behind an application: its organisations, its members and their sides,
the corporate-services and clinical leads, and invitations to collaborate.

Every change posts the ``Application.version`` its form was loaded with and moves it on with
a compare-and-set, so when two people change the partnership at once the later one is told
and nothing of the earlier change is lost.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sharedpurpose.core.audit import audit_changes, audit_record
from sharedpurpose.core.invitations import invitation_check_usable
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.core.tasks import email_send
from sharedpurpose.improvement.models import Side
from sharedpurpose.improvement.services.members import placement_values

from ..lifecycle import EDITABLE_STATES
from ..models import (
    Application,
    ApplicationForm,
    ApplicationInvitation,
    ApplicationMember,
    ApplicationOrganisation,
    ApplicationState,
)
from .workflow import application_scope

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User

INVITATION_VALID_FOR = timedelta(days=14)
ORGANISATION_FIELDS = ("name", "kind", "role")
MEMBER_FIELDS = ("side", "corporate_service", "clinical_area", "leads_side")
#: Audit actions of partnership changes start with this, so the last change can be named.
ACTION_PREFIX = "partnership."


@dataclass(frozen=True)
class PartnershipProblem:
    """Why the partnership is not ready to submit; ``anchor`` is the part of the page to fix."""

    message: str
    anchor: str


# --------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------


def partnership_problems(application: Application) -> list[PartnershipProblem]:
    """What the round's form requires of the partnership and it does not have yet."""
    form = ApplicationForm.objects.filter(round=application.round_id).first()
    organisations = list(application.organisations.all())
    problems: list[PartnershipProblem] = []
    if not any(o.role == ApplicationOrganisation.Role.LEAD for o in organisations):
        problems.append(PartnershipProblem("Name the lead organisation.", "lead-organisation"))
    needed = form.min_partner_organisations if form else 0
    partners = sum(1 for o in organisations if o.role == ApplicationOrganisation.Role.PARTNER)
    if partners < needed:
        problems.append(
            PartnershipProblem(
                f"Add at least {needed} partner organisation{'s' if needed != 1 else ''} "
                f"(you have {partners}).",
                "partners",
            )
        )
    leads = set(application.members.filter(leads_side=True).values_list("side", flat=True))
    if form and form.requires_corporate_lead and Side.CORPORATE not in leads:
        problems.append(
            PartnershipProblem(
                "Choose the corporate-services lead from the members on the corporate side.",
                "leads",
            )
        )
    if form and form.requires_clinical_lead and Side.CLINICAL not in leads:
        problems.append(
            PartnershipProblem(
                "Choose the clinical lead from the members on the clinical side.", "leads"
            )
        )
    return problems


def invitations_pending(application: Application) -> list[ApplicationInvitation]:
    return list(
        application.invitations.filter(
            accepted_at__isnull=True, expires_at__gt=timezone.now()
        ).select_related("invited_by")
    )


def invitation_url(invitation: ApplicationInvitation) -> str:
    path = reverse("applications:invitation_accept", kwargs={"token": invitation.token})
    return f"{settings.SITE_URL}{path}"


# --------------------------------------------------------------------------
# The compare-and-set every change goes through
# --------------------------------------------------------------------------


def _local_clock(value: Any, zone: str) -> str:
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz, zone = ZoneInfo("UTC"), "UTC"
    return f"{value.astimezone(tz):%H:%M} ({zone})"


def _changed_meanwhile(application: Application) -> ValidationError:
    """Why a change was refused: the application left draft, or someone changed it first."""
    application.refresh_from_db(fields=["state", "version"])
    if application.state not in EDITABLE_STATES:
        state = ApplicationState(application.state).label.lower()
        return ValidationError(
            f"This application is {state}, so its partnership can no longer change."
        )
    last = (
        AuditEvent.objects.filter(
            scope=application_scope(application), action__startswith=ACTION_PREFIX
        )
        .select_related("actor")
        .first()
    )
    if last is None:
        return ValidationError(
            "Someone changed the partnership since you opened this page; reload to see it. "
            "Nothing was changed."
        )
    who = last.actor.get_full_name() if last.actor else "Someone"
    when = _local_clock(last.occurred_at, application.round.timezone)
    return ValidationError(
        f"{who} changed the partnership at {when}; reload to see it. Nothing was changed."
    )


def _claim(application: Application, version: int) -> None:
    """Move the version on from the one the change was based on, or refuse the change."""
    claimed = Application.objects.filter(
        pk=application.pk, version=version, state__in=EDITABLE_STATES
    ).update(version=F("version") + 1, updated_at=timezone.now())
    if not claimed:
        raise _changed_meanwhile(application)
    application.version = version + 1


def _record(
    *,
    actor: User | None,
    application: Application,
    action: str,
    obj: Any,
    summary: str,
    changes: dict[str, list[Any]] | None = None,
) -> None:
    audit_record(
        actor=actor,
        action=ACTION_PREFIX + action,
        obj=obj,
        scope=application_scope(application),
        summary=f"{application.reference}: {summary}",
        changes=changes,
    )


# --------------------------------------------------------------------------
# Organisations
# --------------------------------------------------------------------------


def _organisation_values(
    application: Application, *, name: str, kind: str, exclude_pk: int | None
) -> dict[str, str]:
    name, kind = name.strip(), kind.strip()
    if not name:
        raise ValidationError({"name": "Enter the organisation's name."})
    same_name = application.organisations.filter(name__iexact=name)
    if exclude_pk is not None:
        same_name = same_name.exclude(pk=exclude_pk)
    if same_name.exists():
        raise ValidationError({"name": f"{name} is already in this partnership."})
    return {"name": name, "kind": kind}


def _organisation_state(organisation: ApplicationOrganisation) -> dict[str, Any]:
    return {field: getattr(organisation, field) for field in ORGANISATION_FIELDS}


@transaction.atomic
def lead_organisation_set(
    *, actor: User, application: Application, version: int, name: str, kind: str
) -> ApplicationOrganisation:
    """Name the lead organisation, or change its name and kind."""
    lead = application.organisations.filter(role=ApplicationOrganisation.Role.LEAD).first()
    values = _organisation_values(
        application, name=name, kind=kind, exclude_pk=lead.pk if lead else None
    )
    _claim(application, version)
    before = _organisation_state(lead) if lead else {}
    if lead is None:
        lead = ApplicationOrganisation.objects.create(
            application=application, role=ApplicationOrganisation.Role.LEAD, **values
        )
    else:
        lead.name, lead.kind = values["name"], values["kind"]
        lead.save(update_fields=["name", "kind"])
    _record(
        actor=actor,
        application=application,
        action="lead_organisation",
        obj=lead,
        summary=f"lead organisation is {lead.name}",
        changes=audit_changes(before, _organisation_state(lead)),
    )
    return lead


@transaction.atomic
def partner_save(
    *,
    actor: User,
    application: Application,
    version: int,
    name: str,
    kind: str,
    organisation: ApplicationOrganisation | None = None,
) -> ApplicationOrganisation:
    """Add a partner organisation, or change one (``organisation``)."""
    if organisation is not None and organisation.role != ApplicationOrganisation.Role.PARTNER:
        raise ValidationError("Change the lead organisation in its own form.")
    values = _organisation_values(
        application,
        name=name,
        kind=kind,
        exclude_pk=organisation.pk if organisation else None,
    )
    _claim(application, version)
    before = _organisation_state(organisation) if organisation else {}
    if organisation is None:
        organisation = ApplicationOrganisation.objects.create(
            application=application, role=ApplicationOrganisation.Role.PARTNER, **values
        )
        summary = f"added the partner {organisation.name}"
    else:
        organisation.name, organisation.kind = values["name"], values["kind"]
        organisation.save(update_fields=["name", "kind"])
        summary = f"changed the partner {organisation.name}"
    _record(
        actor=actor,
        application=application,
        action="partner_save",
        obj=organisation,
        summary=summary,
        changes=audit_changes(before, _organisation_state(organisation)),
    )
    return organisation


@transaction.atomic
def partner_remove(
    *,
    actor: User,
    application: Application,
    version: int,
    organisation: ApplicationOrganisation,
) -> None:
    if organisation.role != ApplicationOrganisation.Role.PARTNER:
        raise ValidationError("The lead organisation cannot be removed; change it instead.")
    _claim(application, version)
    _record(
        actor=actor,
        application=application,
        action="partner_remove",
        obj=organisation,
        summary=f"removed the partner {organisation.name}",
        changes=audit_changes(_organisation_state(organisation), {}),
    )
    organisation.delete()


# --------------------------------------------------------------------------
# Members, their sides and the two leads
# --------------------------------------------------------------------------


def _member_state(member: ApplicationMember) -> dict[str, Any]:
    return {field: getattr(member, field) for field in MEMBER_FIELDS}


@transaction.atomic
def member_placement_set(
    *,
    actor: User,
    application: Application,
    version: int,
    member: ApplicationMember,
    side: str,
    corporate_service: str = "",
    clinical_area: str = "",
) -> ApplicationMember:
    """Change the side and service or area a member works in; a member who moves side no
    longer leads the side they left."""
    values = placement_values(
        side=side, corporate_service=corporate_service, clinical_area=clinical_area
    )
    _claim(application, version)
    before = _member_state(member)
    if member.side != values["side"]:
        member.leads_side = False
    for field, value in values.items():
        setattr(member, field, value)
    changes = audit_changes(before, _member_state(member))
    member.save(update_fields=list(MEMBER_FIELDS))
    _record(
        actor=actor,
        application=application,
        action="member_placement",
        obj=member,
        summary=f"{member.user.get_full_name()} works in {_area_words(member)}",
        changes=changes,
    )
    return member


def _area_words(member: ApplicationMember | ApplicationInvitation) -> str:
    if member.side == Side.CORPORATE:
        return str(member.get_corporate_service_display())
    return member.clinical_area or "no side yet"


@transaction.atomic
def leads_set(
    *,
    actor: User,
    application: Application,
    version: int,
    corporate_lead: ApplicationMember | None,
    clinical_lead: ApplicationMember | None,
) -> None:
    """Choose the corporate-services lead and the clinical lead, each from their own side."""
    if corporate_lead is not None and corporate_lead.side != Side.CORPORATE:
        raise ValidationError(
            {"corporate_lead": "Choose someone who works in corporate support services."}
        )
    if clinical_lead is not None and clinical_lead.side != Side.CLINICAL:
        raise ValidationError({"clinical_lead": "Choose someone who works in clinical services."})
    for chosen in (corporate_lead, clinical_lead):
        if chosen is not None and chosen.application_id != application.pk:
            raise ValidationError("Choose members of this application.")
    _claim(application, version)
    before = {
        str(side): pk
        for side, pk in application.members.filter(leads_side=True).values_list("side", "pk")
    }
    # Clear first: at most one lead per side is a database constraint.
    application.members.filter(leads_side=True).update(leads_side=False)
    chosen_pks = [m.pk for m in (corporate_lead, clinical_lead) if m is not None]
    application.members.filter(pk__in=chosen_pks).update(leads_side=True)
    after = {str(m.side): m.pk for m in (corporate_lead, clinical_lead) if m is not None}
    names = [
        f"{m.user.get_full_name()} leads {Side(m.side).label.lower()}"
        for m in (corporate_lead, clinical_lead)
        if m is not None
    ]
    _record(
        actor=actor,
        application=application,
        action="leads",
        obj=application,
        summary="; ".join(names) or "no leads chosen",
        changes=audit_changes(before, after),
    )


@transaction.atomic
def member_remove(
    *, actor: User, application: Application, version: int, member: ApplicationMember
) -> None:
    """Remove a collaborator; the lead applicant stays."""
    if member.is_lead_applicant:
        raise ValidationError("The lead applicant cannot be removed from the application.")
    _claim(application, version)
    _record(
        actor=actor,
        application=application,
        action="member_remove",
        obj=member,
        summary=f"removed {member.user.get_full_name()}",
        changes=audit_changes(_member_state(member), {}),
    )
    member.delete()


# --------------------------------------------------------------------------
# Invitations
# --------------------------------------------------------------------------


@transaction.atomic
def member_invite(
    *,
    actor: User,
    application: Application,
    version: int,
    email: str,
    side: str,
    corporate_service: str = "",
    clinical_area: str = "",
    leads_side: bool = False,
) -> ApplicationInvitation:
    """Invite ``email`` to collaborate and e-mail them the link once the change is kept;
    earlier pending invitations to the same address lapse."""
    address = email.strip().lower()
    if not address:
        raise ValidationError({"email": "Enter the e-mail address to invite."})
    placement = placement_values(
        side=side, corporate_service=corporate_service, clinical_area=clinical_area
    )
    if application.members.filter(user__email__iexact=address).exists():
        raise ValidationError({"email": f"{address} is already working on this application."})
    _claim(application, version)
    now = timezone.now()
    application.invitations.filter(
        email__iexact=address, accepted_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
    invitation = ApplicationInvitation.objects.create(
        application=application,
        email=address,
        token=secrets.token_urlsafe(32),
        invited_by=actor,
        expires_at=now + INVITATION_VALID_FOR,
        leads_side=leads_side,
        **placement,
    )
    _record(
        actor=actor,
        application=application,
        action="invite",
        obj=invitation,
        summary=f"invited {address} ({_area_words(invitation)})",
        changes=audit_changes({}, {"email": address, "leads_side": leads_side, **placement}),
    )
    subject = f"Join the application {application.reference} on Shared Purpose"
    body = render_to_string(
        "applications/emails/invitation.txt",
        {
            "invitation": invitation,
            "application": application,
            "round": application.round,
            "inviter": actor,
            "area": _area_words(invitation),
            "url": invitation_url(invitation),
        },
    )
    # Only send once the invitation is kept: a rolled-back invitation must reach no one.
    transaction.on_commit(lambda: email_send.enqueue(subject=subject, body=body, to=[address]))
    return invitation


@transaction.atomic
def invitation_withdraw(
    *,
    actor: User,
    application: Application,
    version: int,
    invitation: ApplicationInvitation,
) -> None:
    """Withdraw a pending invitation: its link stops working at once."""
    if invitation.accepted_at is not None:
        raise ValidationError(f"{invitation.email} has already accepted the invitation.")
    _claim(application, version)
    invitation.expires_at = timezone.now()
    invitation.save(update_fields=["expires_at"])
    _record(
        actor=actor,
        application=application,
        action="invitation_withdraw",
        obj=invitation,
        summary=f"withdrew the invitation for {invitation.email}",
    )


def invitation_get_usable(*, actor: User, token: str) -> ApplicationInvitation:
    """The invitation behind ``token`` if ``actor`` may accept it, else ``ValidationError``
    saying what is wrong."""
    invitation = (
        ApplicationInvitation.objects.select_related(
            "application", "application__round", "invited_by"
        )
        .filter(token=token)
        .first()
    )
    invitation_check_usable(invitation, actor=actor, inviter="the lead applicant")
    assert invitation is not None
    if invitation.application.state not in EDITABLE_STATES:
        raise ValidationError(
            f"The application {invitation.application.reference} is no longer a draft, "
            "so it takes no new collaborators."
        )
    return invitation


@transaction.atomic
def invitation_accept(*, actor: User, token: str) -> ApplicationMember:
    """Make ``actor`` a member of the application, on the side the lead applicant chose.

    The invitee leads their side only if nobody leads it by the time they accept.
    """
    invitation = invitation_get_usable(actor=actor, token=token)
    # Lock the row so the same link cannot be accepted twice at once.
    invitation = (
        ApplicationInvitation.objects.select_for_update()
        .select_related("application", "application__round")
        .get(pk=invitation.pk)
    )
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has already been used.")
    application = invitation.application
    member = application.members.filter(user=actor).first()
    if member is None:
        side_led = application.members.filter(side=invitation.side, leads_side=True).exists()
        member = ApplicationMember.objects.create(
            application=application,
            user=actor,
            side=invitation.side,
            corporate_service=invitation.corporate_service,
            clinical_area=invitation.clinical_area,
            leads_side=invitation.leads_side and not side_led,
        )
        # Joining changes the partnership: forms opened before it must reload.
        Application.objects.filter(pk=application.pk).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        _record(
            actor=actor,
            application=application,
            action="member_join",
            obj=member,
            summary=f"{actor.get_full_name()} accepted an invitation and joined",
            changes=audit_changes({}, _member_state(member)),
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = actor
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return member
