"""Awards: an awarded application becomes an award-holder team, and staff publish a round's
awards on its public page.

Making an award is one transaction: the application moves decided -> awarded (a
compare-and-set, so a second click makes nothing), the team is created unpublished with the
partnership's organisations and members carried over, the ``Award`` row keeps the application
and team together, and each member is e-mailed the award's details. Publishing shows the teams
on the round's public page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from sharedpurpose.core.audit import audit_changes, audit_record
from sharedpurpose.engagement.outbox import outbox_enqueue
from sharedpurpose.improvement.access import team_scope
from sharedpurpose.improvement.models import (
    CorporateService,
    Organisation,
    Side,
    Team,
    TeamMembership,
    TeamOrganisation,
)
from sharedpurpose.programmes.dates import when_local

from ..models import Application, ApplicationMember, ApplicationState, Award, Decision
from .decisions import plain_text_render
from .workflow import application_scope, application_transition

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User
    from sharedpurpose.programmes.models import Round

S = ApplicationState
Outcome = Decision.Outcome

KIND_AWARD_DETAILS = "award_details"
#: Longest slug a team address takes (``Team.slug``).
TEAM_SLUG_MAX = 50
TEAM_NAME_MAX = 200
INNOVATION_MAX = 200
#: Largest amount ``Award.amount`` holds: ten digits of pounds.
AMOUNT_MAX = Decimal("9999999999.99")


def money(amount: Decimal) -> str:
    """``£125,000.00``."""
    return f"£{amount:,.2f}"


# --------------------------------------------------------------------------
# Making an award
# --------------------------------------------------------------------------


def award_refusal(application: Application, decision: Decision | None) -> str:
    """Why ``application`` cannot be awarded now, or "" when it can."""
    state = ApplicationState(application.state)
    if state == S.AWARDED:
        return "This application has already been awarded."
    if decision is None or decision.outcome != Outcome.AWARD:
        return "Only an application the panel decided to award can be awarded."
    if state != S.DECIDED:
        return f"Only a decided application can be awarded; this one is {state.label.lower()}."
    return ""


def members_without_side(application: Application) -> list[ApplicationMember]:
    return list(application.members.filter(side="").select_related("user"))


def team_slug_available(slug: str) -> bool:
    return not Team.objects.filter(slug=slug).exists()


def team_slug_suggest(title: str) -> str:
    """The title as a team address, with a number added when another team has it."""
    base = slugify(title)[:TEAM_SLUG_MAX].strip("-") or "team"
    slug, number = base, 2
    while not team_slug_available(slug):
        suffix = f"-{number}"
        slug = f"{base[: TEAM_SLUG_MAX - len(suffix)].strip('-')}{suffix}"
        number += 1
    return slug


def team_summary_suggest(application: Application) -> str:
    names = list(application.organisations.values_list("name", flat=True))
    if not names:
        return application.title
    partners = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{application.title}: a partnership of {partners}."


@dataclass(frozen=True)
class AwardTerms:
    """What staff fill in to make an award."""

    amount: Decimal
    starts_on: date
    ends_on: date
    conditions: str
    team_name: str
    team_slug: str
    innovation: str
    summary: str


def _terms_clean(terms: AwardTerms) -> AwardTerms:
    errors: dict[str, str] = {}
    if terms.amount <= 0:
        errors["amount"] = "Enter an amount of more than £0."
    elif terms.amount > AMOUNT_MAX:
        errors["amount"] = f"Enter an amount of at most {money(AMOUNT_MAX)}."
    elif terms.amount != terms.amount.quantize(Decimal("0.01")):
        errors["amount"] = "Enter the amount in pounds and pence, like 125000 or 125000.50."
    if terms.ends_on <= terms.starts_on:
        errors["ends_on"] = "The end date must be after the start date."
    name = terms.team_name.strip()
    if not name:
        errors["team_name"] = "Enter the team's name."
    elif len(name) > TEAM_NAME_MAX:
        errors["team_name"] = f"The team's name must be {TEAM_NAME_MAX} characters or fewer."
    slug = terms.team_slug.strip().lower()
    if not slug:
        errors["team_slug"] = "Enter the team's web address."
    elif len(slug) > TEAM_SLUG_MAX:
        errors["team_slug"] = f"The web address must be {TEAM_SLUG_MAX} characters or fewer."
    else:
        try:
            validate_slug(slug)
        except ValidationError:
            errors["team_slug"] = (
                "Use only lower-case letters, numbers and hyphens in the web address."
            )
    innovation = terms.innovation.strip()
    if not innovation:
        errors["innovation"] = "Enter the team's main innovation."
    elif len(innovation) > INNOVATION_MAX:
        errors["innovation"] = f"The innovation must be {INNOVATION_MAX} characters or fewer."
    summary = terms.summary.strip()
    if not summary:
        errors["summary"] = "Enter a summary of the team for its public page."
    if errors:
        raise ValidationError(errors)
    return AwardTerms(
        amount=terms.amount,
        starts_on=terms.starts_on,
        ends_on=terms.ends_on,
        conditions=terms.conditions.strip(),
        team_name=name,
        team_slug=slug,
        innovation=innovation,
        summary=summary,
    )


def _slug_taken(slug: str) -> ValidationError:
    return ValidationError(
        {"team_slug": f"Another team already has the web address “{slug}”. Choose another."}
    )


def _team_role(member: ApplicationMember) -> str:
    """The lead applicant and each side's lead lead the team too."""
    if member.is_lead_applicant or member.leads_side:
        return TeamMembership.Role.LEAD
    return TeamMembership.Role.MEMBER


def _team_areas(members: Sequence[ApplicationMember]) -> tuple[list[str], list[str]]:
    """The team's corporate services (in the usual order) and clinical areas (first seen
    first), from its members."""
    services = {m.corporate_service for m in members if m.side == Side.CORPORATE}
    clinical: list[str] = []
    for member in members:
        area = member.clinical_area.strip()
        if member.side == Side.CLINICAL and area and area not in clinical:
            clinical.append(area)
    return [value for value in CorporateService.values if value in services], clinical


def application_award(*, actor: User, application: Application, terms: AwardTerms) -> Award:
    """Make the award: the application becomes an unpublished award-holder team."""
    terms = _terms_clean(terms)
    try:
        with transaction.atomic():
            award = _award_make(actor=actor, application=application, terms=terms)
    except IntegrityError as error:
        # Two awards raced for one address; the loser makes nothing.
        if not team_slug_available(terms.team_slug):
            raise _slug_taken(terms.team_slug) from error
        raise
    return award


def _award_make(*, actor: User, application: Application, terms: AwardTerms) -> Award:
    application.refresh_from_db(fields=["state"])
    decision = Decision.objects.filter(application=application).first()
    refusal = award_refusal(application, decision)
    if refusal:
        raise ValidationError(refusal)
    members = list(application.members.select_related("user"))
    sideless = [member for member in members if not member.side]
    if sideless:
        names = ", ".join(member.user.get_full_name() or member.user.email for member in sideless)
        raise ValidationError(
            "Every member of the team works on the corporate or the clinical side, but the "
            f"application does not say which for: {names}. Record their side before making "
            "the award."
        )
    if not team_slug_available(terms.team_slug):
        raise _slug_taken(terms.team_slug)
    # First, so that a second click (or a second member of staff) stops here.
    application_transition(
        application=application,
        to_state=S.AWARDED,
        actor=actor,
        reason=f"Award made: {money(terms.amount)}",
    )
    corporate_services, clinical_areas = _team_areas(members)
    team = Team.objects.create(
        round=application.round,
        slug=terms.team_slug,
        name=terms.team_name,
        summary=terms.summary,
        innovation=terms.innovation,
        corporate_services=corporate_services,
        clinical_areas=clinical_areas,
        is_published=False,
    )
    for partner in application.organisations.all():
        organisation, _ = Organisation.objects.get_or_create(
            name=partner.name, defaults={"kind": partner.kind}
        )
        TeamOrganisation.objects.create(
            team=team, organisation=organisation, role=TeamOrganisation.Role(partner.role)
        )
    TeamMembership.objects.bulk_create(
        TeamMembership(
            team=team,
            user=member.user,
            role=_team_role(member),
            side=member.side,
            corporate_service=member.corporate_service if member.side == Side.CORPORATE else "",
            clinical_area=member.clinical_area if member.side == Side.CLINICAL else "",
        )
        for member in members
    )
    award = Award.objects.create(
        application=application,
        team=team,
        amount=terms.amount,
        starts_on=terms.starts_on,
        ends_on=terms.ends_on,
        conditions=terms.conditions,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="award.create",
        obj=award,
        scope=application_scope(application),
        summary=f"{application.reference}: awarded {money(terms.amount)} as {team.name}",
        changes=audit_changes(
            {},
            {
                "amount": terms.amount,
                "starts_on": terms.starts_on,
                "ends_on": terms.ends_on,
                "conditions": terms.conditions,
                "team": team.slug,
            },
        ),
    )
    audit_record(
        actor=actor,
        action="team.create",
        obj=team,
        scope=team_scope(team),
        summary=f"Team {team.name} created from application {application.reference}",
        changes=audit_changes(
            {}, {"name": team.name, "members": len(members), "application": application.pk}
        ),
    )
    _award_details_send(application=application, award=award, members=members)
    return award


def _award_details_send(
    *, application: Application, award: Award, members: Sequence[ApplicationMember]
) -> None:
    """The details the decision letter promised, to every member, once."""
    round_ = application.round
    workspace_url = settings.SITE_URL + reverse(
        "improvement:workspace", kwargs={"team_slug": award.team.slug}
    )
    for member in members:
        body = plain_text_render(
            "applications/emails/decision_award_details.txt",
            {
                "name": member.user.get_full_name() or member.user.email,
                "application": application,
                "award": award,
                "amount": money(award.amount),
                "round": round_,
                "programme": round_.programme,
                "workspace_url": workspace_url,
                "funder_name": settings.SHAREDPURPOSE_FUNDER_NAME,
                "site_name": settings.SHAREDPURPOSE_SITE_NAME,
            },
        )
        outbox_enqueue(
            dedupe_key=f"award-details:{application.pk}:{member.user_id}",
            kind=KIND_AWARD_DETAILS,
            to_email=member.user.email,
            subject=f"Your award for application {application.reference}",
            body_text=body,
            round_=round_,
        )


# --------------------------------------------------------------------------
# The round's awards and publishing them
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class AwardShown:
    """An award as staff read it, with its times in the round's timezone."""

    award: Award
    amount: str
    period: str
    created_when: str
    published_when: str


def award_shown(award: Award) -> AwardShown:
    zone = award.application.round.timezone
    return AwardShown(
        award=award,
        amount=money(award.amount),
        period=f"{award.starts_on:%-d %B %Y} to {award.ends_on:%-d %B %Y}",
        created_when=when_local(award.created_at, zone),
        published_when=when_local(award.published_at, zone) if award.published_at else "",
    )


def award_of(application: Application) -> Award | None:
    return (
        Award.objects.filter(application=application)
        .select_related("team", "created_by", "application__round")
        .first()
    )


def awards_of_round(round_: Round) -> QuerySet[Award]:
    return (
        Award.objects.filter(application__round=round_)
        .select_related("application", "application__round", "team")
        .order_by("application__reference")
    )


def applications_awaiting_award(round_: Round) -> QuerySet[Application]:
    """Applications the panel decided to award that have no award yet."""
    return Application.objects.filter(
        round=round_, state=S.DECIDED, decision__outcome=Outcome.AWARD
    ).order_by("reference")


def awards_publish(*, actor: User, round_: Round) -> list[Award]:
    """Publish every unpublished award of the round: their teams appear on its public page."""
    now = timezone.now()
    with transaction.atomic():
        unpublished = list(awards_of_round(round_).filter(published_at__isnull=True).order_by("pk"))
        published = []
        for award in unpublished:
            # Compare-and-set: a second click publishes (and records) nothing again.
            if not Award.objects.filter(pk=award.pk, published_at__isnull=True).update(
                published_at=now
            ):
                continue
            Team.objects.filter(pk=award.team_id).update(is_published=True)
            award.published_at = now
            award.team.is_published = True
            audit_record(
                actor=actor,
                action="award.publish",
                obj=award,
                scope=application_scope(award.application),
                summary=f"{award.application.reference}: award to {award.team.name} published",
                changes={"published_at": [None, now.isoformat()]},
            )
            published.append(award)
        if not published:
            raise ValidationError("There are no unpublished awards in this round.")
        audit_record(
            actor=actor,
            action="awards.publish",
            obj=round_,
            scope=f"round:{round_.pk}",
            summary=f"Published {len(published)} award{'s' if len(published) != 1 else ''}",
            changes={"teams": [None, [award.team.slug for award in published]]},
        )
    return published
