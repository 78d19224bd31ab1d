"""Case studies: a team drafts one, staff review it, and the public read it once published.

The review workflow is declared once, in ``MOVES``: the statuses each move starts from, the
status it leads to, who makes it and whether it needs a comment. Views offer only the moves
``moves_for`` lists, and ``case_study_move`` checks them again. Every move writes a
``CaseStudyReview`` and an audit event; the team's members are e-mailed, once the move is
committed, when staff request changes or publish.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from sharedpurpose.accounts.roles import user_staffs_programme
from sharedpurpose.core.audit import audit_changes, audit_record
from sharedpurpose.core.tasks import email_send
from sharedpurpose.improvement.access import Capability, team_capabilities, team_scope
from sharedpurpose.improvement.models import CorporateService, Measure, Team

from ..models import CaseStudy, CaseStudyReview, Intervention, OutcomeArea

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User

Status = CaseStudy.Status
Action = CaseStudyReview.Action

#: Teams change a case study only while it is theirs: before review, or when sent back.
EDITABLE = frozenset({Status.DRAFT, Status.CHANGES_REQUESTED})


class Mover(StrEnum):
    TEAM = "team"  # people who may edit the team's plan
    STAFF = "staff"  # programme staff


@dataclass(frozen=True)
class Move:
    action: Action
    label: str
    sources: frozenset[Status]
    target: Status
    by: Mover
    comment_label: str = ""  # the question a required comment answers
    comment_required: str = ""  # the error when that comment is missing
    notify_team: bool = False


MOVES: dict[Action, Move] = {
    Action.SUBMITTED: Move(
        Action.SUBMITTED, "Submit for review", EDITABLE, Status.IN_REVIEW, Mover.TEAM
    ),
    Action.CHANGES_REQUESTED: Move(
        Action.CHANGES_REQUESTED,
        "Request changes",
        frozenset({Status.IN_REVIEW}),
        Status.CHANGES_REQUESTED,
        Mover.STAFF,
        comment_label="What should the team change?",
        comment_required="Enter the changes the team should make",
        notify_team=True,
    ),
    Action.PUBLISHED: Move(
        Action.PUBLISHED,
        "Publish",
        frozenset({Status.IN_REVIEW}),
        Status.PUBLISHED,
        Mover.STAFF,
        notify_team=True,
    ),
    Action.UNPUBLISHED: Move(
        Action.UNPUBLISHED,
        "Unpublish",
        frozenset({Status.PUBLISHED}),
        Status.DRAFT,
        Mover.STAFF,
        comment_label="Why is it being unpublished?",
        comment_required="Enter why the case study is being unpublished",
    ),
}

#: Addresses under /teams/<team>/case-studies/ that a slug must not take.
RESERVED_SLUGS = frozenset({"new"})
SLUG_LENGTH = 50  # the model's SlugField
_MAX_LENGTHS = {"title": 200, "summary": 300}
_CLINICAL_AREA_LENGTH = 200
_TEXT_FIELDS = (
    "title",
    "summary",
    "problem",
    "what_we_did",
    "results",
    "learning",
    "contacts",
)
_REQUIRED = {
    "title": "Enter a title",
    "summary": "Enter a one-sentence summary",
    "problem": "Enter the problem the team set out to solve",
    "what_we_did": "Enter what the team did",
    "results": "Enter the results",
    "learning": "Enter what the team learnt",
}


def moves_for(case_study: CaseStudy, by: Mover) -> list[Move]:
    """The moves ``by`` may make from the case study's status, in the table's order."""
    return [m for m in MOVES.values() if m.by == by and case_study.status in m.sources]


def case_study_editable(case_study: CaseStudy) -> bool:
    return case_study.status in EDITABLE


@dataclass(frozen=True, kw_only=True)
class CaseStudyValues:
    """What a team writes in a case study and what it links to."""

    title: str
    slug: str = ""
    summary: str
    problem: str
    what_we_did: str
    results: str
    learning: str
    contacts: str = ""
    outcome_area: str
    corporate_services: tuple[str, ...] = ()
    clinical_areas: tuple[str, ...] = ()
    interventions: tuple[Intervention, ...] = field(default=())
    measures: tuple[Measure, ...] = field(default=())


def _slug_for(values: CaseStudyValues, *, title: str, current: CaseStudy | None) -> str:
    """The slug typed (it must be free), else the current one, else one made from the title."""
    others = CaseStudy.objects.exclude(pk=current.pk) if current is not None else CaseStudy.objects
    typed = values.slug.strip().lower()
    if typed:
        if slugify(typed) != typed or len(typed) > SLUG_LENGTH:
            raise ValidationError(
                {
                    "slug": "Use only lower-case letters, numbers and hyphens, "
                    f"{SLUG_LENGTH} characters or fewer"
                }
            )
        if typed in RESERVED_SLUGS or others.filter(slug=typed).exists():
            raise ValidationError({"slug": f"The address “{typed}” is taken; choose another"})
        return typed
    if current is not None:
        return current.slug
    base = slugify(title)[:SLUG_LENGTH].strip("-") or "case-study"
    candidate, number = base, 1
    while candidate in RESERVED_SLUGS or others.filter(slug=candidate).exists():
        number += 1
        suffix = f"-{number}"
        candidate = base[: SLUG_LENGTH - len(suffix)].rstrip("-") + suffix
    return candidate


def _clean(values: CaseStudyValues, *, team: Team, current: CaseStudy | None) -> dict[str, Any]:
    cleaned: dict[str, Any] = {
        name: str(getattr(values, name) or "").strip() for name in _TEXT_FIELDS
    }
    errors: dict[str, str] = {}
    for name, message in _REQUIRED.items():
        if not cleaned[name]:
            errors[name] = message
    for name, most in _MAX_LENGTHS.items():
        if len(cleaned[name]) > most:
            errors.setdefault(name, f"Enter {most} characters or fewer")
    if values.outcome_area not in OutcomeArea.values:
        errors["outcome_area"] = "Choose the outcome area the case study is about"
    if any(service not in CorporateService.values for service in values.corporate_services):
        errors["corporate_services"] = "Choose corporate services from the list"
    areas = list(dict.fromkeys(a.strip() for a in values.clinical_areas if a.strip()))
    if any(len(area) > _CLINICAL_AREA_LENGTH for area in areas):
        errors["clinical_areas"] = (
            f"Keep each clinical area to {_CLINICAL_AREA_LENGTH} characters or fewer"
        )
    if any(measure.team_id != team.pk for measure in values.measures):
        errors["measures"] = "Choose measures of this team"
    try:
        slug = _slug_for(values, title=cleaned["title"], current=current)
    except ValidationError as error:
        errors.update({name: " ".join(msgs) for name, msgs in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    corporate = [s for s in CorporateService.values if s in set(values.corporate_services)]
    cleaned.update(
        slug=slug,
        outcome_area=values.outcome_area,
        corporate_services=corporate,
        clinical_areas=areas,
    )
    return cleaned


def _snapshot(case_study: CaseStudy) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(case_study, name) for name in _TEXT_FIELDS}
    data.update(
        slug=case_study.slug,
        status=case_study.status,
        outcome_area=case_study.outcome_area,
        corporate_services=", ".join(case_study.corporate_services),
        clinical_areas=", ".join(case_study.clinical_areas),
        interventions=", ".join(sorted(case_study.interventions.values_list("slug", flat=True))),
        measures=", ".join(
            str(pk) for pk in sorted(case_study.measures.values_list("pk", flat=True))
        ),
    )
    return data


def _link(case_study: CaseStudy, values: CaseStudyValues) -> None:
    case_study.interventions.set(values.interventions)
    case_study.measures.set(values.measures)


@transaction.atomic
def case_study_create(*, actor: User, team: Team, values: CaseStudyValues) -> CaseStudy:
    """A new draft case study of ``team``."""
    cleaned = _clean(values, team=team, current=None)
    case_study = CaseStudy.objects.create(team=team, created_by=actor, **cleaned)
    _link(case_study, values)
    audit_record(
        actor=actor,
        action="case_study.create",
        obj=case_study,
        scope=team_scope(team),
        summary=f"Drafted the case study “{case_study.title}”",
        changes=audit_changes({}, _snapshot(case_study)),
    )
    return case_study


@transaction.atomic
def case_study_update(*, actor: User, case_study: CaseStudy, values: CaseStudyValues) -> CaseStudy:
    """Change a case study the team still holds (a draft, or one sent back for changes)."""
    case_study = CaseStudy.objects.select_for_update().select_related("team").get(pk=case_study.pk)
    if not case_study_editable(case_study):
        raise ValidationError(
            f"This case study is {case_study.get_status_display().lower()}, so it cannot be "
            "changed now. It can be edited again if staff request changes or unpublish it."
        )
    cleaned = _clean(values, team=case_study.team, current=case_study)
    before = _snapshot(case_study)
    for name, value in cleaned.items():
        setattr(case_study, name, value)
    case_study.save()
    _link(case_study, values)
    audit_record(
        actor=actor,
        action="case_study.update",
        obj=case_study,
        scope=team_scope(case_study.team),
        summary=f"Edited the case study “{case_study.title}”",
        changes=audit_changes(before, _snapshot(case_study)),
    )
    return case_study


def _may_make(actor: User, move: Move, team: Team) -> bool:
    if move.by == Mover.STAFF:
        return user_staffs_programme(actor, team.round.programme_id)
    return Capability.EDIT_PLAN in team_capabilities(actor, team)


@transaction.atomic
def case_study_move(
    *, actor: User, case_study: CaseStudy, action: str, comment: str = ""
) -> CaseStudy:
    """Make one move of the review workflow (``MOVES``), recording it and telling the team."""
    move = MOVES.get(Action(action)) if action in Action.values else None
    if move is None:
        raise ValidationError("Choose submit, request changes, publish or unpublish")
    case_study = CaseStudy.objects.select_for_update().select_related("team").get(pk=case_study.pk)
    team = case_study.team
    if not _may_make(actor, move, team):
        raise PermissionDenied(f"You may not {move.label.lower()} this case study.")
    if case_study.status not in move.sources:
        raise ValidationError(
            f"This case study is {case_study.get_status_display().lower()}, so it cannot be "
            f"moved by “{move.label}”."
        )
    comment = comment.strip()
    if move.comment_required and not comment:
        raise ValidationError({"comment": move.comment_required})
    if move.target == Status.PUBLISHED and not team.is_published:
        raise ValidationError(
            f"{team.name} is not published, so its case studies cannot be published yet. "
            "Publish the team first, or request changes."
        )
    before = {"status": case_study.status, "published_at": case_study.published_at}
    case_study.status = move.target
    case_study.published_at = timezone.now() if move.target == Status.PUBLISHED else None
    case_study.save(update_fields=["status", "published_at", "updated_at"])
    CaseStudyReview.objects.create(
        case_study=case_study, action=move.action, comment=comment, actor=actor
    )
    audit_record(
        actor=actor,
        action=f"case_study.{move.action}",
        obj=case_study,
        scope=team_scope(team),
        summary=f"{move.action.label}: “{case_study.title}”",
        changes=audit_changes(
            before,
            {"status": case_study.status, "published_at": case_study.published_at}
            | ({"comment": comment} if comment else {}),
        ),
    )
    if move.notify_team:
        _notify_team(case_study, move, comment)
    return case_study


# --------------------------------------------------------------------------
# Telling the team
# --------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _team_addresses(team: Team) -> list[str]:
    addresses = team.memberships.filter(user__is_active=True).values_list("user__email", flat=True)
    return sorted(set(addresses))


def _message(case_study: CaseStudy, move: Move, comment: str) -> tuple[str, str]:
    title = case_study.title
    if move.action == Action.CHANGES_REQUESTED:
        page = reverse(
            "evidence:team_case_study",
            kwargs={"team_slug": case_study.team.slug, "slug": case_study.slug},
        )
        return (
            f"Changes requested to the case study “{title}”",
            f"Programme staff have reviewed “{title}” and ask for these changes:\n\n"
            f"{comment}\n\nEdit the case study and submit it again here:\n{_absolute(page)}",
        )
    return (
        f"Your case study “{title}” is published",
        f"“{title}” is now in the public library of case studies:\n"
        f"{_absolute(case_study.get_absolute_url())}",
    )


def _notify_team(case_study: CaseStudy, move: Move, comment: str) -> None:
    subject, body = _message(case_study, move, comment)
    addresses = _team_addresses(case_study.team)

    def send() -> None:
        for address in addresses:
            email_send.enqueue(subject=subject, body=body, to=[address])

    # Only once the move is committed: a rolled-back move must not reach anyone.
    transaction.on_commit(send)
