"""Starting, submitting and withdrawing an application, and the confirmation e-mail that
follows a submission. Changes to the partnership live in ``partnership.py``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sharedpurpose.core.audit import audit_changes, audit_record
from sharedpurpose.programmes.dates import when_local
from sharedpurpose.programmes.models import Round, RoundState

from ..answers import application_answer_problems
from ..models import (
    Answer,
    Application,
    ApplicationForm,
    ApplicationMember,
    ApplicationState,
    Question,
    QuestionKind,
)
from .answers import answer_field_name
from .partnership import partnership_problems
from .workflow import application_scope, application_transition

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User

#: Digits of an application reference's sequence number (``DES1-0001``).
REFERENCE_DIGITS = 4
#: How often a start retries when another start took the same reference at the same moment.
REFERENCE_ATTEMPTS = 20
TITLE_MAX_LENGTH = 200


class ApplicantIneligible(ValidationError):
    """The applicant's eligibility answers rule them out; ``reasons`` says why, each once."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(reasons)
        self.reasons = reasons


def eligibility_field_name(question: Question) -> str:
    """The form field (and error key) of an eligibility question."""
    return f"question_{question.pk}"


def deadline_words(value: datetime, zone: str) -> str:
    """``12:00 on 31 March 2027 (UK time)``: a deadline in the round's own timezone."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz, zone = ZoneInfo("UTC"), "UTC"
    local = value.astimezone(tz)
    name = "UK time" if zone == "Europe/London" else zone
    return f"{local:%H:%M} on {local.day} {local:%B %Y} ({name})"


def round_closed_reason(round_: Round, at: datetime, *, doing: str = "submitted") -> str | None:
    """Why ``round_`` takes no applications at the moment ``at``, or None while it does.

    ``doing`` ends the sentence: applications can no longer be *started* or *submitted*.
    """
    if round_.state != RoundState.OPEN:
        return f"{round_.name} is not open for applications, so applications cannot be {doing}."
    opens, closes = round_.applications_open_at, round_.applications_close_at
    if opens is not None and at < opens:
        return (
            f"Applications to {round_.name} open at {when_local(opens, round_.timezone)}; "
            f"applications cannot be {doing} before then."
        )
    if closes is not None and at >= closes:
        return (
            f"The deadline was {deadline_words(closes, round_.timezone)}; "
            f"applications can no longer be {doing}."
        )
    return None


# --------------------------------------------------------------------------
# Starting an application
# --------------------------------------------------------------------------


def round_application_form(round_: Round) -> ApplicationForm | None:
    return ApplicationForm.objects.filter(round=round_).first()


def eligibility_questions(round_: Round) -> list[Question]:
    """The questions asked before an application starts, in form order."""
    return list(
        Question.objects.filter(section__form__round=round_, is_eligibility=True).order_by(
            "section__position", "section__pk", "position", "pk"
        )
    )


def eligibility_reasons(questions: list[Question], answers: Mapping[int, str]) -> list[str]:
    """Why these answers rule the applicant out: each question's reason, each reason once."""
    reasons: list[str] = []
    for question in questions:
        if answers.get(question.pk) in question.eligible_choices:
            continue
        reason = question.ineligible_reason.strip() or (
            f"To apply, the answer to “{question.label}” must be "
            + " or ".join(f"“{choice}”" for choice in question.eligible_choices)
            + "."
        )
        if reason not in reasons:
            reasons.append(reason)
    return reasons


def application_reference_prefix(round_: Round) -> str:
    """``DES1`` for round 1 of the programme ``delivering-equitable-services``."""
    initials = "".join(word[0] for word in round_.programme.slug.split("-") if word)
    return f"{initials.upper()}{round_.number}"


def _reference_next(prefix: str) -> str:
    # Programmes with the same initials share a prefix, so count across every round.
    taken = Application.objects.filter(reference__startswith=f"{prefix}-").values_list(
        "reference", flat=True
    )
    numbers = [int(tail) for ref in taken if (tail := ref[len(prefix) + 1 :]).isdigit()]
    return f"{prefix}-{max(numbers, default=0) + 1:0{REFERENCE_DIGITS}d}"


def _application_create(*, round_: Round, actor: User, title: str) -> Application:
    """A new draft under the next free reference; a reference taken by a concurrent start
    (the unique constraint refuses it) is skipped and the next one tried."""
    prefix = application_reference_prefix(round_)
    for _attempt in range(REFERENCE_ATTEMPTS):
        reference = _reference_next(prefix)
        try:
            with transaction.atomic():
                return Application.objects.create(
                    round=round_, reference=reference, title=title, lead_applicant=actor
                )
        except IntegrityError:
            if not Application.objects.filter(reference=reference).exists():
                raise
    raise ValidationError("Many applications are starting at once. Please try again.")


def _eligibility_value(question: Question, choice: str) -> str | list[str]:
    return [choice] if question.kind == QuestionKind.MULTIPLE_CHOICE else choice


def application_start(
    *,
    round_: Round,
    actor: User,
    title: str,
    eligibility_answers: Mapping[int, str],
    now: datetime | None = None,
) -> Application:
    """Start a draft with ``actor`` as lead applicant, or refuse.

    Raises ``ValidationError`` naming the fields for missing input, and
    :class:`ApplicantIneligible` with every reason when an answer rules the applicant out;
    either way nothing is stored.
    """
    closed = round_closed_reason(round_, now or timezone.now(), doing="started")
    if closed:
        raise ValidationError(closed)
    if round_application_form(round_) is None:
        raise ValidationError(f"{round_.name} does not take applications through this site.")
    title = title.strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Enter the title of your project."
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = f"Use {TITLE_MAX_LENGTH} characters or fewer for the title."
    questions = eligibility_questions(round_)
    for question in questions:
        if eligibility_answers.get(question.pk) not in question.choices:
            errors[eligibility_field_name(question)] = f"Answer “{question.label}”."
    if errors:
        raise ValidationError(errors)
    reasons = eligibility_reasons(questions, eligibility_answers)
    if reasons:
        raise ApplicantIneligible(reasons)
    with transaction.atomic():
        application = _application_create(round_=round_, actor=actor, title=title)
        ApplicationMember.objects.create(
            application=application, user=actor, is_lead_applicant=True
        )
        Answer.objects.bulk_create(
            Answer(
                application=application,
                question=question,
                value=_eligibility_value(question, eligibility_answers[question.pk]),
                updated_by=actor,
            )
            for question in questions
        )
        audit_record(
            actor=actor,
            action="application.start",
            obj=application,
            scope=application_scope(application),
            summary=f"{actor.get_full_name()} started {application.reference}: {title}",
            changes=audit_changes(
                {},
                {
                    "reference": application.reference,
                    "title": title,
                    "eligibility": {q.label: eligibility_answers[q.pk] for q in questions},
                },
            ),
        )
    return application


# --------------------------------------------------------------------------
# Submitting and withdrawing
# --------------------------------------------------------------------------


def application_problems(application: Application) -> list[tuple[str, str]]:
    """Everything that stops ``application`` being submitted, as (message, where to fix it)."""
    problems = [
        (problem.message, _partnership_url(application, problem.anchor))
        for problem in partnership_problems(application)
    ]
    for answer_problem in application_answer_problems(application):
        question = answer_problem.question
        url = reverse(
            "applications:section",
            kwargs={"reference": application.reference, "section_id": question.section_id},
        )
        # The section page names each question's field as Django's forms do.
        problems.append((answer_problem.message, f"{url}#id_{answer_field_name(question.pk)}"))
    return problems


def _partnership_url(application: Application, anchor: str) -> str:
    url = reverse("applications:partnership", kwargs={"reference": application.reference})
    return f"{url}#{anchor}" if anchor else url


def application_submit(
    *, application: Application, actor: User, received_at: datetime
) -> Application:
    """Submit ``application`` as received at ``received_at``, or raise ``ValidationError``.

    The time the server received the submit decides: a submit received before the deadline
    counts even when the work finishes after it. On success the confirmation e-mail is
    queued for after the commit; on failure nothing changes.
    """
    round_ = Round.objects.get(pk=application.round_id)
    closed = round_closed_reason(round_, received_at, doing="submitted")
    if closed:
        raise ValidationError(closed)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.state != ApplicationState.DRAFT:
            raise ValidationError(
                f"This application is already {locked.get_state_display().lower()}."
            )
        problems = application_problems(locked)
        if problems:
            raise ValidationError([f"Before you submit: {message}" for message, _url in problems])
        Application.objects.filter(pk=locked.pk).update(submitted_at=received_at)
        locked.submitted_at = received_at
        application_transition(
            application=locked,
            to_state=ApplicationState.SUBMITTED,
            actor=actor,
            reason=f"Submitted by {actor.get_full_name()}",
        )
        # The task is imported here because it imports this module to do its work.
        from ..tasks import application_confirmation_send

        transaction.on_commit(
            lambda: application_confirmation_send.enqueue(application_id=locked.pk)
        )
    application.state = locked.state
    application.submitted_at = received_at
    return application


def application_withdraw(*, application: Application, actor: User, reason: str) -> Application:
    """Withdraw ``application`` for good; the reason is kept in its history."""
    reason = reason.strip()
    with transaction.atomic():
        application_transition(
            application=application,
            to_state=ApplicationState.WITHDRAWN,
            actor=actor,
            reason=reason or f"Withdrawn by {actor.get_full_name()}",
        )
        # Invitations to a withdrawn application must stop working.
        application.invitations.filter(
            accepted_at__isnull=True, expires_at__gt=timezone.now()
        ).update(expires_at=timezone.now())
    return application


# --------------------------------------------------------------------------
# The confirmation e-mail
# --------------------------------------------------------------------------


def application_confirmation_deliver(*, application_id: int) -> int:
    """E-mail every member that the application was submitted, with a PDF of the answers.

    Sent once: the send is claimed by setting ``confirmation_sent_at`` where it is still
    empty, so a retried or duplicated task sends nothing; a failed send releases the claim
    so that a retry can send it. Returns the number of e-mails sent.
    """
    from ..pdf import application_pdf

    sent_at = timezone.now()
    claimed = Application.objects.filter(
        pk=application_id, confirmation_sent_at__isnull=True, submitted_at__isnull=False
    ).update(confirmation_sent_at=sent_at)
    if not claimed:
        return 0
    try:
        application = Application.objects.select_related("round", "round__programme").get(
            pk=application_id
        )
        recipients = sorted(
            {email for email in application.members.values_list("user__email", flat=True) if email}
        )
        message = EmailMessage(
            subject=f"Application {application.reference} submitted",
            body=render_to_string(
                "applications/emails/confirmation.txt",
                {
                    "application": application,
                    "round": application.round,
                    "submitted_at": when_local(
                        application.submitted_at or sent_at, application.round.timezone
                    ),
                    "application_url": settings.SITE_URL + application.get_absolute_url(),
                },
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=recipients,
        )
        message.attach(
            f"{application.reference}.pdf", application_pdf(application), "application/pdf"
        )
        sent = message.send()
    except Exception:
        Application.objects.filter(pk=application_id, confirmation_sent_at=sent_at).update(
            confirmation_sent_at=None
        )
        raise
    audit_record(
        actor=None,
        action="application.confirmation_sent",
        obj=application,
        scope=application_scope(application),
        summary=f"Confirmation of {application.reference} e-mailed to {len(recipients)} member(s)",
    )
    return sent
