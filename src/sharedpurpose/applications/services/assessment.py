"""Assessment: staff assign assessors, assessors declare conflicts of interest and score the
round's criteria, and staff read the results side by side on the panel.

Changes are audited in the application's scope. The panel's arithmetic lives in
``applications.scoring``; the reads here only gather the rows it works on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.roles import SiteRole, user_is_assessor
from sharedpurpose.core.audit import audit_record
from sharedpurpose.core.tasks import email_send

from .. import scoring
from ..access import applications_visible_to
from ..models import (
    Application,
    ApplicationOrganisation,
    ApplicationState,
    AssessorAssignment,
    Criterion,
    Score,
)
from .workflow import application_scope, application_transition

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sharedpurpose.programmes.models import Round

Conflict = AssessorAssignment.Conflict

#: Applications staff may assign assessors to.
ASSIGNABLE_STATES = frozenset({ApplicationState.SUBMITTED, ApplicationState.IN_ASSESSMENT})
#: Applications the panel compares.
PANEL_STATES = (ApplicationState.IN_ASSESSMENT, ApplicationState.DECIDED)
ASSESSMENT_STARTED = "Assessment started"


def score_field(criterion_id: int) -> str:
    """The name errors about a criterion's score are given under (and the form's field)."""
    return f"score_{criterion_id}"


def comment_field(criterion_id: int) -> str:
    return f"comment_{criterion_id}"


def assessor_home_url() -> str:
    return f"{settings.SITE_URL}{reverse('applications:assessor_home')}"


# --------------------------------------------------------------------------
# Assigning assessors
# --------------------------------------------------------------------------


def assessors_available() -> QuerySet[User]:
    """People who hold the Assessor role, whom staff may assign."""
    return User.objects.filter(groups__name=SiteRole.ASSESSOR.value, is_active=True).order_by(
        "full_name", "email"
    )


def _is_party_to(application: Application, user: User) -> bool:
    """Whether ``user`` is a member of the application or invited to become one."""
    if application.members.filter(user=user).exists():
        return True
    return application.invitations.filter(
        email__iexact=user.email, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).exists()


def assessor_assign(*, actor: User, application: Application, assessor: User) -> AssessorAssignment:
    """Assign ``assessor`` to ``application`` and tell them by e-mail.

    The first assignment to a submitted application starts its assessment.
    """
    if not user_is_assessor(assessor):
        raise ValidationError(
            {"assessor": f"{assessor.get_full_name()} does not hold the Assessor role."}
        )
    with transaction.atomic():
        # Read the state afresh: another member of staff may have moved it meanwhile.
        application.refresh_from_db(fields=["state"])
        state = ApplicationState(application.state)
        if state not in ASSIGNABLE_STATES:
            raise ValidationError(
                f"Assessors can be assigned only to submitted applications or those in "
                f"assessment; this one is {state.label.lower()}."
            )
        if _is_party_to(application, assessor):
            raise ValidationError(
                {
                    "assessor": f"{assessor.get_full_name()} is part of this application's "
                    "partnership, which is a conflict of interest. Choose someone else."
                }
            )
        already = {"assessor": f"{assessor.get_full_name()} is already assigned."}
        if application.assignments.filter(assessor=assessor).exists():
            raise ValidationError(already)
        try:
            with transaction.atomic():
                assignment = AssessorAssignment.objects.create(
                    application=application, assessor=assessor, assigned_by=actor
                )
        except IntegrityError as error:
            raise ValidationError(already) from error
        if state == ApplicationState.SUBMITTED:
            try:
                application_transition(
                    application=application,
                    to_state=ApplicationState.IN_ASSESSMENT,
                    actor=actor,
                    reason=ASSESSMENT_STARTED,
                )
            except ValidationError:
                # Someone assigning another assessor at the same moment started the assessment
                # first, which is what this move was for; any other change stops us.
                application.refresh_from_db(fields=["state"])
                if application.state != ApplicationState.IN_ASSESSMENT:
                    raise
        audit_record(
            actor=actor,
            action="assessment.assign",
            obj=assignment,
            scope=application_scope(application),
            summary=f"{application.reference}: assigned {assessor.get_full_name()} to assess",
            changes={"assessor": [None, assessor.pk]},
        )
        subject = f"Please assess an application to {application.round.name}"
        body = (
            f"{actor.get_full_name()} has asked you to assess application "
            f"{application.reference}, “{application.title}”, to "
            f"{application.round.programme.name}: {application.round.name}.\n\n"
            "Before you can read it, tell us whether you have a conflict of interest. "
            f"Your assessments are here:\n{assessor_home_url()}\n"
        )
        address = assessor.email
        # Only once the assignment is saved: a rolled-back assignment must not reach anyone.
        transaction.on_commit(lambda: email_send.enqueue(subject=subject, body=body, to=[address]))
    return assignment


def assessor_unassign(*, actor: User, assignment: AssessorAssignment) -> None:
    """Remove an assessor who has not submitted scores; their draft scores go with them."""
    application = assignment.application
    with transaction.atomic():
        assessor_name = assignment.assessor.get_full_name()
        deleted, _ = AssessorAssignment.objects.filter(
            pk=assignment.pk, submitted_at__isnull=True
        ).delete()
        if not deleted:
            raise ValidationError(
                f"{assessor_name} has submitted their scores, so they stay on the panel."
            )
        audit_record(
            actor=actor,
            action="assessment.unassign",
            obj=assignment,
            scope=application_scope(application),
            summary=f"{application.reference}: removed {assessor_name} from the assessors",
            changes={"assessor": [assignment.assessor_id, None]},
        )


# --------------------------------------------------------------------------
# Declaring conflicts of interest
# --------------------------------------------------------------------------


def conflict_declare(
    *, actor: User, assignment: AssessorAssignment, conflicted: bool, reason: str = ""
) -> AssessorAssignment:
    """Record the assessor's declaration; it is final for them (staff can reassign)."""
    reason = reason.strip()
    if conflicted and not reason:
        raise ValidationError(
            {"reason": "Describe your conflict of interest so staff can judge it."}
        )
    application = assignment.application
    if application.state != ApplicationState.IN_ASSESSMENT:
        raise ValidationError(
            "This application is no longer being assessed, so there is nothing to declare."
        )
    conflict = Conflict.CONFLICTED if conflicted else Conflict.NONE
    now = timezone.now()
    with transaction.atomic():
        # Compare-and-set: a declaration made in another tab is not overwritten.
        declared = AssessorAssignment.objects.filter(
            pk=assignment.pk, conflict=Conflict.UNDECLARED
        ).update(conflict=conflict, conflict_reason=reason if conflicted else "", declared_at=now)
        if not declared:
            raise ValidationError(
                "You have already declared whether you have a conflict of interest. "
                "Ask programme staff if it needs to change."
            )
        assignment.refresh_from_db()
        audit_record(
            actor=actor,
            action="assessment.conflict_declare",
            obj=assignment,
            scope=application_scope(application),
            summary=f"{application.reference}: {actor.get_full_name()} declared "
            + ("a conflict of interest" if conflicted else "no conflict of interest"),
            changes={
                "conflict": [Conflict.UNDECLARED.value, conflict.value],
                **({"conflict_reason": ["", reason]} if conflicted else {}),
            },
        )
    return assignment


# --------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------


def round_criteria(round_: Round) -> list[Criterion]:
    return list(Criterion.objects.filter(round=round_).order_by("position", "pk"))


def scores_by_criterion(assignment: AssessorAssignment) -> dict[int, Score]:
    return {score.criterion_id: score for score in assignment.scores.all()}


def scores_save(
    *,
    actor: User,
    assignment: AssessorAssignment,
    scores: Mapping[int, int | None],
    comments: Mapping[int, str],
    submit: bool,
) -> AssessorAssignment:
    """Save the assessor's scores and comments, by criterion id; with ``submit``, every
    criterion needs a score and a comment, and the scores can no longer change."""
    application = assignment.application
    criteria = round_criteria(application.round)
    if not criteria:
        raise ValidationError("Staff have not set this round's criteria yet.")
    if application.state != ApplicationState.IN_ASSESSMENT:
        raise ValidationError("This application is no longer being assessed.")
    errors: dict[str, str] = {}
    for criterion in criteria:
        score = scores.get(criterion.pk)
        comment = comments.get(criterion.pk, "").strip()
        if score is not None and not criterion.scale_min <= score <= criterion.scale_max:
            errors[score_field(criterion.pk)] = (
                f"Choose a score from {criterion.scale_min} to {criterion.scale_max} "
                f"for {criterion.name}."
            )
        elif submit and score is None:
            errors[score_field(criterion.pk)] = f"Choose a score for {criterion.name}."
        if submit and not comment:
            errors[comment_field(criterion.pk)] = (
                f"Explain your score for {criterion.name} in a comment."
            )
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        # Claim the assignment: a write on its row that only succeeds while scores are open,
        # so a save racing a submit (another tab) waits for it and then finds it submitted.
        claimed = AssessorAssignment.objects.filter(
            pk=assignment.pk, conflict=Conflict.NONE, submitted_at__isnull=True
        ).update(conflict=Conflict.NONE)
        if not claimed:
            if AssessorAssignment.objects.filter(
                pk=assignment.pk, submitted_at__isnull=False
            ).exists():
                raise ValidationError("You have submitted your scores; they can no longer change.")
            raise ValidationError("You are no longer assigned to assess this application.")
        existing = scores_by_criterion(assignment)
        changes: dict[str, list[object]] = {}
        for criterion in criteria:
            score = scores.get(criterion.pk)
            comment = comments.get(criterion.pk, "").strip()
            current = existing.get(criterion.pk)
            before = (current.score, current.comment) if current else (None, "")
            if before == (score, comment):
                continue
            Score.objects.update_or_create(
                assignment=assignment,
                criterion=criterion,
                defaults={"score": score, "comment": comment},
            )
            if before[0] != score:
                changes[f"score: {criterion.name}"] = [before[0], score]
            if before[1] != comment:
                changes[f"comment: {criterion.name}"] = [before[1], comment]
        if submit:
            assignment.submitted_at = timezone.now()
            assignment.save(update_fields=["submitted_at"])
            changes["submitted_at"] = [None, assignment.submitted_at.isoformat()]
        if not changes:
            return assignment  # the same draft saved again: nothing to record
        verb = "submitted" if submit else "saved draft"
        audit_record(
            actor=actor,
            action="assessment.scores_submit" if submit else "assessment.scores_save",
            obj=assignment,
            scope=application_scope(application),
            summary=f"{application.reference}: {actor.get_full_name()} {verb} scores",
            changes=changes,
        )
    return assignment


# --------------------------------------------------------------------------
# Reads: staff's list, one application's assessments, the assessor's own, the panel
# --------------------------------------------------------------------------


def percent_text(value: Fraction | None) -> str:
    """``72.5%``; an empty string when there is nothing to show."""
    return "" if value is None else f"{float(value):.1f}%"


def _scale(criterion: Criterion) -> scoring.CriterionScale:
    return scoring.CriterionScale(criterion.weight, criterion.scale_min, criterion.scale_max)


def _lead_organisation_name() -> Subquery:
    return Subquery(
        ApplicationOrganisation.objects.filter(
            application=OuterRef("pk"), role=ApplicationOrganisation.Role.LEAD
        ).values("name")[:1]
    )


@dataclass(frozen=True)
class RoundApplications:
    """What staff see of a round's applications: every one but the drafts, which are only
    counted (they belong to the applicants until submitted)."""

    applications: list[Application]
    draft_count: int
    state_counts: dict[str, int]


def round_applications(
    *, user: User | AnonymousUser, round_: Round, state: str = ""
) -> RoundApplications:
    in_round = applications_visible_to(user).filter(round=round_)
    counts = dict(in_round.order_by().values_list("state").annotate(n=Count("pk", distinct=True)))
    listed = (
        in_round.exclude(state=ApplicationState.DRAFT)
        .annotate(
            lead_organisation_name=_lead_organisation_name(),
            assessor_count=Count("assignments", distinct=True),
            declared_count=Count(
                "assignments", filter=~Q(assignments__conflict=Conflict.UNDECLARED), distinct=True
            ),
            conflicted_count=Count(
                "assignments", filter=Q(assignments__conflict=Conflict.CONFLICTED), distinct=True
            ),
            submitted_count=Count(
                "assignments", filter=Q(assignments__submitted_at__isnull=False), distinct=True
            ),
        )
        .order_by("reference")
    )
    if state:
        listed = listed.filter(state=state)
    return RoundApplications(
        applications=list(listed),
        draft_count=counts.get(ApplicationState.DRAFT.value, 0),
        state_counts=counts,
    )


@dataclass(frozen=True)
class ScoreLine:
    criterion: Criterion
    score: int | None
    comment: str


@dataclass(frozen=True)
class Scorecard:
    """One assessor's scores on one application, in criterion order."""

    assignment: AssessorAssignment
    lines: list[ScoreLine]
    total: Fraction | None

    @property
    def is_submitted(self) -> bool:
        return self.assignment.submitted_at is not None

    @property
    def total_text(self) -> str:
        return percent_text(self.total)

    @property
    def has_scores(self) -> bool:
        return any(line.score is not None or line.comment for line in self.lines)


def scorecard(assignment: AssessorAssignment, criteria: Sequence[Criterion]) -> Scorecard:
    """``assignment``'s scores; uses ``assignment.scores`` as prefetched."""
    recorded = scores_by_criterion(assignment)
    lines = [
        ScoreLine(
            criterion,
            recorded[criterion.pk].score if criterion.pk in recorded else None,
            recorded[criterion.pk].comment if criterion.pk in recorded else "",
        )
        for criterion in criteria
    ]
    total = scoring.weighted_total(
        [_scale(criterion) for criterion in criteria], [line.score for line in lines]
    )
    return Scorecard(assignment, lines, total)


def application_assessments(application: Application) -> tuple[list[Criterion], list[Scorecard]]:
    """The round's criteria and every assessor's scorecard, conflicted ones included."""
    criteria = round_criteria(application.round)
    assignments = (
        AssessorAssignment.objects.filter(application=application)
        .select_related("assessor", "assigned_by")
        .prefetch_related("scores")
        .order_by("assigned_at", "pk")
    )
    return criteria, [scorecard(assignment, criteria) for assignment in assignments]


@dataclass(frozen=True)
class AssessorWork:
    """An assessor's assignments, grouped by what they have to do next."""

    to_declare: list[AssessorAssignment]
    to_score: list[AssessorAssignment]
    submitted: list[AssessorAssignment]
    conflicted: list[AssessorAssignment]

    @property
    def is_empty(self) -> bool:
        return not (self.to_declare or self.to_score or self.submitted or self.conflicted)


def assessor_work(assignments: QuerySet[AssessorAssignment]) -> AssessorWork:
    ordered = list(assignments.order_by("-assigned_at", "-pk"))
    return AssessorWork(
        to_declare=[a for a in ordered if a.conflict == Conflict.UNDECLARED],
        to_score=[a for a in ordered if a.conflict == Conflict.NONE and a.submitted_at is None],
        submitted=[a for a in ordered if a.conflict == Conflict.NONE and a.submitted_at],
        conflicted=[a for a in ordered if a.conflict == Conflict.CONFLICTED],
    )


@dataclass(frozen=True)
class PanelCell:
    """One assessor's score and comment on one criterion."""

    card: Scorecard
    line: ScoreLine


@dataclass(frozen=True)
class PanelRow:
    """One criterion across the assessors: their scores side by side."""

    criterion: Criterion
    cells: list[PanelCell]
    disagreement: bool


@dataclass
class PanelEntry:
    """One application on the panel: assessors' scorecards, their totals and its rank."""

    application: Application
    criteria: list[Criterion]
    #: Assessors without a conflict of interest, in the order they were assigned.
    scorecards: list[Scorecard]
    rank: int | None = None
    tied: bool = False

    @cached_property
    def submitted(self) -> list[Scorecard]:
        return [card for card in self.scorecards if card.is_submitted]

    @cached_property
    def submitted_totals(self) -> list[Fraction]:
        return [card.total for card in self.submitted if card.total is not None]

    @cached_property
    def mean(self) -> Fraction | None:
        return scoring.mean(self.submitted_totals)

    @cached_property
    def spread(self) -> Fraction | None:
        return scoring.spread(self.submitted_totals)

    @property
    def mean_text(self) -> str:
        return percent_text(self.mean)

    @property
    def spread_text(self) -> str:
        # Points, not a percentage: the distance between two percentages.
        return "" if self.spread is None else f"{float(self.spread):.1f} points"

    @cached_property
    def assessors_disagree(self) -> bool:
        return scoring.assessors_disagree(self.submitted_totals)

    @cached_property
    def rows(self) -> list[PanelRow]:
        rows = []
        for index, criterion in enumerate(self.criteria):
            cells = [PanelCell(card, card.lines[index]) for card in self.scorecards]
            submitted_scores = [
                score for card in self.submitted if (score := card.lines[index].score) is not None
            ]
            rows.append(
                PanelRow(
                    criterion,
                    cells,
                    scoring.criterion_disagreement(_scale(criterion), submitted_scores),
                )
            )
        return rows

    @property
    def has_comments(self) -> bool:
        return any(line.comment for card in self.scorecards for line in card.lines)


@dataclass(frozen=True)
class Panel:
    criteria: list[Criterion]
    #: Ranked first, then those not yet scored.
    entries: list[PanelEntry]

    @property
    def ranked(self) -> list[PanelEntry]:
        return [entry for entry in self.entries if entry.rank is not None]

    @property
    def unscored(self) -> list[PanelEntry]:
        return [entry for entry in self.entries if entry.rank is None]


def panel(*, user: User | AnonymousUser, round_: Round) -> Panel:
    """The round's applications in assessment or decided, ranked by the mean weighted total of
    their submitted assessments."""
    criteria = round_criteria(round_)
    applications = (
        applications_visible_to(user)
        .filter(round=round_, state__in=PANEL_STATES)
        .annotate(lead_organisation_name=_lead_organisation_name())
        .select_related("round", "round__programme", "decision")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=AssessorAssignment.objects.select_related("assessor")
                .prefetch_related("scores")
                .order_by("assigned_at", "pk"),
            )
        )
        .order_by("reference")
    )
    entries = {
        application.pk: PanelEntry(
            application,
            criteria,
            [
                scorecard(assignment, criteria)
                for assignment in application.assignments.all()
                if assignment.conflict == Conflict.NONE
            ],
        )
        for application in applications
    }
    ranking = scoring.rank([(pk, entry.mean) for pk, entry in entries.items()])
    ordered = []
    for ranked in ranking:
        entry = entries[ranked.key]
        entry.rank, entry.tied = ranked.rank, ranked.tied
        ordered.append(entry)
    return Panel(criteria, ordered)
