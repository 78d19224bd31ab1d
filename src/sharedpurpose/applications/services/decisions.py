"""The funder's decision on an application and the letters that tell the partnership.

Staff record a decision (award, reject, waitlist) with feedback once assessors have scored;
the decision can change freely until its letter is queued, after which it stands. Letters go
out in bulk from a background task, through the e-mail outbox, exactly once per outcome and
member: the task claims each decision with a compare-and-set on ``letter_queued_at`` and every
outbox row has a key naming the application, outcome and person, so running the task twice,
or two runs at once, sends nothing more. A rejection's letter ends the application
(decided -> unsuccessful); an award's letter is followed by the award itself
(``services.awards``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from sharedpurpose.accounts.models import User
from sharedpurpose.core.audit import audit_changes, audit_record
from sharedpurpose.engagement.models import OutboxMessage
from sharedpurpose.engagement.outbox import outbox_enqueue
from sharedpurpose.programmes.dates import when_local
from sharedpurpose.programmes.models import Round

from .. import scoring
from ..models import (
    Application,
    ApplicationMember,
    ApplicationState,
    AssessorAssignment,
    Criterion,
    Decision,
)
from .assessment import Scorecard, ScoreLine, application_assessments, percent_text
from .workflow import application_scope, application_transition

if TYPE_CHECKING:
    from datetime import datetime

logger = logging.getLogger(__name__)

Outcome = Decision.Outcome
Conflict = AssessorAssignment.Conflict
S = ApplicationState

KIND_DECISION_LETTER = "decision_letter"
#: Longest feedback and note staff may write; a letter, not an essay.
FEEDBACK_MAX_CHARS = 5000
LETTER_SENT_REASON = "Decision letter sent"


def outcome_label(outcome: str) -> str:
    return str(Outcome(outcome).label)


# --------------------------------------------------------------------------
# Recording a decision
# --------------------------------------------------------------------------


def _decision_values(*, outcome: str, feedback: str, moderation_note: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = "Choose award, reject or waitlist."
    feedback = feedback.strip()
    if not feedback:
        errors["feedback"] = "Enter the feedback the applicants will read in their letter."
    elif len(feedback) > FEEDBACK_MAX_CHARS:
        errors["feedback"] = f"Feedback must be {FEEDBACK_MAX_CHARS:,} characters or fewer."
    note = moderation_note.strip()
    if len(note) > FEEDBACK_MAX_CHARS:
        errors["moderation_note"] = (
            f"The moderation note must be {FEEDBACK_MAX_CHARS:,} characters or fewer."
        )
    if errors:
        raise ValidationError(errors)
    return {"outcome": outcome, "feedback": feedback, "moderation_note": note}


def _decision_state(decision: Decision) -> dict[str, str]:
    return {
        "outcome": decision.outcome,
        "feedback": decision.feedback,
        "moderation_note": decision.moderation_note,
    }


def letter_sent_message(decision: Decision, round_: Round) -> str:
    assert decision.letter_queued_at is not None
    return (
        f"The letter for this decision was sent on "
        f"{when_local(decision.letter_queued_at, round_.timezone)}, so the decision stands."
    )


def decision_record(
    *,
    actor: User,
    application: Application,
    outcome: str,
    feedback: str,
    moderation_note: str = "",
) -> Decision:
    """Record the decision on an application in assessment (it becomes decided), or change
    the decision on a decided one whose letter has not been queued."""
    values = _decision_values(outcome=outcome, feedback=feedback, moderation_note=moderation_note)
    with transaction.atomic():
        # Read afresh: another member of staff or the letters task may have moved on.
        application.refresh_from_db(fields=["state"])
        state = ApplicationState(application.state)
        decision = Decision.objects.filter(application=application).first()
        if state == S.IN_ASSESSMENT:
            reason = outcome_label(values["outcome"])
            if values["moderation_note"]:
                reason += f": {values['moderation_note']}"
            # The move comes first: of two people deciding at once, the second stops here.
            application_transition(
                application=application, to_state=S.DECIDED, actor=actor, reason=reason
            )
            return _decision_write(
                actor=actor, application=application, decision=decision, values=values
            )
        if state == S.DECIDED and decision is not None:
            return _decision_change(
                actor=actor, application=application, decision=decision, values=values
            )
        raise ValidationError(
            "A decision can be recorded only on an application in assessment or changed on a "
            f"decided one; this application is {state.label.lower()}."
        )


def _decision_write(
    *,
    actor: User,
    application: Application,
    decision: Decision | None,
    values: dict[str, str],
) -> Decision:
    """A new decision, or a new one over a decision reopened for reconsideration."""
    now = timezone.now()
    if decision is None:
        decision = Decision.objects.create(
            application=application, decided_by=actor, decided_at=now, **values
        )
        before: dict[str, str] = {}
    else:
        before = _decision_state(decision)
        # The letter for the earlier outcome was sent; a different outcome needs its own.
        if decision.outcome != values["outcome"]:
            decision.letter_queued_at = None
        for name, value in values.items():
            setattr(decision, name, value)
        decision.decided_by, decision.decided_at = actor, now
        decision.save()
    audit_record(
        actor=actor,
        action="decision.record",
        obj=decision,
        scope=application_scope(application),
        summary=f"{application.reference}: decided {outcome_label(decision.outcome).lower()}",
        changes=audit_changes(before, _decision_state(decision)),
    )
    return decision


def _decision_change(
    *,
    actor: User,
    application: Application,
    decision: Decision,
    values: dict[str, str],
) -> Decision:
    before = _decision_state(decision)
    # Compare-and-set against the letters task: once a letter is queued the decision stands.
    changed = Decision.objects.filter(pk=decision.pk, letter_queued_at__isnull=True).update(
        decided_by=actor, decided_at=timezone.now(), **values
    )
    decision.refresh_from_db()
    if not changed:
        raise ValidationError(letter_sent_message(decision, application.round))
    changes = audit_changes(before, _decision_state(decision))
    if changes:
        audit_record(
            actor=actor,
            action="decision.update",
            obj=decision,
            scope=application_scope(application),
            summary=f"{application.reference}: decision changed",
            changes=changes,
        )
    return decision


def decision_is_open(application: Application, decision: Decision | None) -> bool:
    """Whether staff may record the decision, or change it, now."""
    if application.state == S.IN_ASSESSMENT:
        return True
    return (
        application.state == S.DECIDED
        and decision is not None
        and decision.letter_queued_at is None
    )


def decision_can_reopen(application: Application, decision: Decision | None) -> bool:
    """Whether the application may go back into assessment for a new decision."""
    return (
        application.state == S.DECIDED
        and decision is not None
        and decision.outcome == Outcome.WAITLIST
        and decision.letter_queued_at is not None
    )


def decision_reopen(*, actor: User, application: Application, reason: str) -> Application:
    """Put a waitlisted application, whose letter has gone, back into assessment so that
    staff can decide again (for example, to award it when an award holder drops out)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the application is being reconsidered."})
    if len(reason) > FEEDBACK_MAX_CHARS:
        raise ValidationError(
            {"reason": f"The reason must be {FEEDBACK_MAX_CHARS:,} characters or fewer."}
        )
    with transaction.atomic():
        application.refresh_from_db(fields=["state"])
        if not decision_can_reopen(application, decision_of(application)):
            raise ValidationError(
                "Only a waitlisted application whose letter has been sent can be reconsidered."
            )
        application_transition(
            application=application,
            to_state=S.IN_ASSESSMENT,
            actor=actor,
            reason=f"Reconsidered: {reason}",
        )
    return application


# --------------------------------------------------------------------------
# Reads for the decision page
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionScores:
    """One criterion with the submitted assessors' scores side by side."""

    criterion: Criterion
    lines: list[ScoreLine]
    disagreement: bool


@dataclass(frozen=True)
class DecisionPanel:
    """What the assessors made of one application: what staff weigh before deciding. The
    arithmetic is the panel's own (``applications.scoring``)."""

    criteria: list[Criterion]
    #: Assessors without a conflict of interest, in the order they were assigned.
    scorecards: list[Scorecard]
    conflicted: list[AssessorAssignment]

    @property
    def submitted(self) -> list[Scorecard]:
        return [card for card in self.scorecards if card.is_submitted]

    @property
    def not_submitted(self) -> list[Scorecard]:
        return [card for card in self.scorecards if not card.is_submitted]

    @property
    def nobody_submitted(self) -> bool:
        return not self.submitted

    @property
    def _totals(self) -> list[Fraction]:
        return [card.total for card in self.submitted if card.total is not None]

    @property
    def mean_text(self) -> str:
        return percent_text(scoring.mean(self._totals))

    @property
    def spread_text(self) -> str:
        gap = scoring.spread(self._totals)
        return "" if gap is None else f"{float(gap):.1f} points"

    @property
    def assessors_disagree(self) -> bool:
        return scoring.assessors_disagree(self._totals)

    @property
    def rows(self) -> list[CriterionScores]:
        submitted = self.submitted
        rows = []
        for index, criterion in enumerate(self.criteria):
            lines = [card.lines[index] for card in submitted]
            scale = scoring.CriterionScale(
                criterion.weight, criterion.scale_min, criterion.scale_max
            )
            scores = [line.score for line in lines if line.score is not None]
            rows.append(
                CriterionScores(criterion, lines, scoring.criterion_disagreement(scale, scores))
            )
        return rows

    @property
    def has_comments(self) -> bool:
        return any(line.comment for card in self.submitted for line in card.lines)


def decision_panel(application: Application) -> DecisionPanel:
    criteria, scorecards = application_assessments(application)
    return DecisionPanel(
        criteria=criteria,
        scorecards=[card for card in scorecards if card.assignment.conflict == Conflict.NONE],
        conflicted=[
            card.assignment
            for card in scorecards
            if card.assignment.conflict == Conflict.CONFLICTED
        ],
    )


def decision_of(application: Application) -> Decision | None:
    return Decision.objects.filter(application=application).select_related("decided_by").first()


# --------------------------------------------------------------------------
# Letters
# --------------------------------------------------------------------------


def plain_text_render(template_name: str, context: dict[str, Any]) -> str:
    """A plain-text e-mail body. ``render_to_string`` marks what it renders as safe HTML,
    which plain text is not; the plain copy made here drops that mark, so that a page showing
    the text escapes it."""
    return str.__str__(render_to_string(template_name, context))


def decision_letter_subject(application: Application) -> str:
    return f"Your application {application.reference}: decision"


def decision_letter_key(application: Application, outcome: str, user_id: int) -> str:
    """One letter per application, outcome and member, ever."""
    return f"decision-letter:{application.pk}:{outcome}:{user_id}"


@dataclass(frozen=True)
class DecisionLetter:
    member: ApplicationMember
    subject: str
    body: str
    dedupe_key: str

    @property
    def to_email(self) -> str:
        return self.member.user.email


def decision_letters(
    application: Application, decision: Decision, members: Iterable[ApplicationMember]
) -> list[DecisionLetter]:
    """The letter to each of ``members`` (with their users loaded)."""
    round_ = application.round
    subject = decision_letter_subject(application)
    letters = []
    for member in members:
        body = plain_text_render(
            f"applications/emails/decision_{decision.outcome}.txt",
            {
                "member": member,
                "name": member.user.get_full_name() or member.user.email,
                "application": application,
                "decision": decision,
                "round": round_,
                "programme": round_.programme,
                "funder_name": settings.SHAREDPURPOSE_FUNDER_NAME,
                "site_name": settings.SHAREDPURPOSE_SITE_NAME,
                "site_url": settings.SITE_URL,
            },
        )
        letters.append(
            DecisionLetter(
                member=member,
                subject=subject,
                body=body,
                dedupe_key=decision_letter_key(application, decision.outcome, member.user_id),
            )
        )
    return letters


def _letters_due() -> Q:
    """Decisions whose letter is still to go: on decided applications, and on applications
    already awarded (staff may make the award before sending the letter)."""
    return Q(letter_queued_at__isnull=True) & (
        Q(application__state=S.DECIDED) | Q(application__state=S.AWARDED, outcome=Outcome.AWARD)
    )


def decisions_awaiting_letters(round_: Round) -> QuerySet[Decision]:
    return (
        Decision.objects.filter(_letters_due(), application__round=round_)
        .select_related("application", "application__round", "application__round__programme")
        .prefetch_related("application__members__user")
        .order_by("outcome", "application__reference")
    )


def decisions_with_letters_sent(round_: Round) -> QuerySet[Decision]:
    return (
        Decision.objects.filter(application__round=round_, letter_queued_at__isnull=False)
        .select_related("application")
        .order_by("-letter_queued_at", "application__reference")
    )


@dataclass(frozen=True)
class PendingLetter:
    decision: Decision
    #: Everyone the letter goes to, the lead applicant first.
    recipients: list[str]
    #: The lead applicant's copy; the others differ only in the greeting.
    preview: DecisionLetter | None

    @property
    def application(self) -> Application:
        return self.decision.application


@dataclass(frozen=True)
class LetterGroup:
    outcome: str
    label: str
    pending: list[PendingLetter]


@dataclass(frozen=True)
class SentLetter:
    decision: Decision
    queued_when: str
    messages: list[OutboxMessage]

    @property
    def application(self) -> Application:
        return self.decision.application


@dataclass(frozen=True)
class LettersOverview:
    groups: list[LetterGroup]
    sent: list[SentLetter]

    @property
    def pending_count(self) -> int:
        return sum(len(group.pending) for group in self.groups)


def letters_overview(round_: Round) -> LettersOverview:
    """The round's letters still to send, by outcome, and those sent with each e-mail's
    outbox status."""
    by_outcome: dict[str, list[PendingLetter]] = {outcome: [] for outcome in Outcome.values}
    for decision in decisions_awaiting_letters(round_):
        members = list(decision.application.members.all())
        previews = decision_letters(decision.application, decision, members[:1])
        by_outcome[decision.outcome].append(
            PendingLetter(
                decision,
                [member.user.email for member in members],
                previews[0] if previews else None,
            )
        )
    groups = [
        LetterGroup(outcome, outcome_label(outcome), pending)
        for outcome, pending in by_outcome.items()
        if pending
    ]
    # One query for every letter's e-mails, matched to its decision by the key's prefix.
    messages_by_prefix: dict[str, list[OutboxMessage]] = {}
    for message in OutboxMessage.objects.filter(round=round_, kind=KIND_DECISION_LETTER).order_by(
        "to_email", "pk"
    ):
        prefix = message.dedupe_key.rsplit(":", 1)[0]
        messages_by_prefix.setdefault(prefix, []).append(message)
    sent = []
    for decision in decisions_with_letters_sent(round_):
        assert decision.letter_queued_at is not None
        prefix = f"decision-letter:{decision.application_id}:{decision.outcome}"
        sent.append(
            SentLetter(
                decision,
                when_local(decision.letter_queued_at, round_.timezone),
                messages_by_prefix.get(prefix, []),
            )
        )
    return LettersOverview(groups, sent)


def decision_letters_request(*, actor: User, round_: Round) -> int:
    """Ask the background worker to send the round's pending letters; returns how many
    applications have a letter waiting. Sending twice is harmless: the task sends each once."""
    waiting = decisions_awaiting_letters(round_).count()
    if not waiting:
        raise ValidationError("There are no decision letters waiting to be sent.")
    from ..tasks_letters import decision_letters_send

    audit_record(
        actor=actor,
        action="decision.letters_request",
        obj=round_,
        scope=f"round:{round_.pk}",
        summary=f"Asked to send {waiting} decision letter{'s' if waiting != 1 else ''}",
    )
    round_id, actor_id = round_.pk, actor.pk
    transaction.on_commit(
        lambda: decision_letters_send.enqueue(round_id=round_id, actor_id=actor_id)
    )
    return waiting


def decision_letters_queue(*, round_id: int, actor_id: int | None) -> int:
    """Queue the letter of every decision of the round still waiting for one; returns how
    many applications this run wrote letters for. Safe to run again, and at once."""
    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    decision_ids = list(
        Decision.objects.filter(_letters_due(), application__round_id=round_id)
        .order_by("application__reference")
        .values_list("pk", flat=True)
    )
    queued = 0
    for decision_id in decision_ids:
        try:
            if decision_letter_queue(decision_id=decision_id, actor=actor):
                queued += 1
        except ValidationError as error:
            # The application moved meanwhile (e.g. withdrawn); its letter is not sent.
            logger.warning("Decision letter %s not sent: %s", decision_id, " ".join(error.messages))
    return queued


def decision_letter_queue(
    *, decision_id: int, actor: User | None, now: datetime | None = None
) -> bool:
    """Write one decision's letters to the outbox, unless another run already has."""
    now = now or timezone.now()
    with transaction.atomic():
        # The claim comes first: whichever run sets the time writes the letters, once.
        claimed = Decision.objects.filter(_letters_due(), pk=decision_id).update(
            letter_queued_at=now
        )
        if not claimed:
            return False
        decision = Decision.objects.select_related(
            "application", "application__round", "application__round__programme"
        ).get(pk=decision_id)
        application = decision.application
        members = application.members.select_related("user")
        for letter in decision_letters(application, decision, members):
            outbox_enqueue(
                dedupe_key=letter.dedupe_key,
                kind=KIND_DECISION_LETTER,
                to_email=letter.to_email,
                subject=letter.subject,
                body_text=letter.body,
                round_=application.round,
            )
        if decision.outcome == Outcome.REJECT:
            application_transition(
                application=application,
                to_state=S.UNSUCCESSFUL,
                actor=actor,
                reason=LETTER_SENT_REASON,
            )
        audit_record(
            actor=actor,
            action="decision.letter_queue",
            obj=decision,
            scope=application_scope(application),
            summary=f"{application.reference}: {outcome_label(decision.outcome).lower()} "
            "letter queued",
            changes={"letter_queued_at": [None, now.isoformat()]},
        )
    return True
