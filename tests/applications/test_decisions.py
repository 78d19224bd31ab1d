"""Recording the funder's decision: the rules, the decision page and who may open it."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.applications.models import (
    Application,
    ApplicationState,
    AssessorAssignment,
    Decision,
    Score,
)
from sharedpurpose.applications.services.decisions import (
    decision_letters_queue,
    decision_record,
    decision_reopen,
)
from sharedpurpose.applications.services.workflow import application_scope
from sharedpurpose.core.models import AuditEvent
from tests.factories import UserFactory

from .factories import ApplicationFactory, AssignmentFactory, CriterionFactory

pytestmark = pytest.mark.django_db

S = ApplicationState
Outcome = Decision.Outcome
CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def staff_user() -> User:
    user = UserFactory.create(full_name="Sam Staff")
    user_role_grant(user=user, role=SiteRole.PROGRAMME_STAFF)
    return user


def in_assessment() -> Application:
    return ApplicationFactory.create(state=S.IN_ASSESSMENT)


def decide(
    application: Application, outcome: str = Outcome.AWARD, actor: User | None = None
) -> Decision:
    return decision_record(
        actor=actor or staff_user(),
        application=application,
        outcome=outcome,
        feedback="A strong partnership with clear measures.",
        moderation_note="Panel agreed after discussion.",
    )


def decision_url(application: Application) -> str:
    return reverse("applications:decision", kwargs={"reference": application.reference})


# --- the rules ---------------------------------------------------------------------------


def test_a_decision_on_an_application_in_assessment_decides_it_and_keeps_why() -> None:
    application = in_assessment()
    staff = staff_user()

    decision = decide(application, Outcome.WAITLIST, actor=staff)

    application.refresh_from_db()
    assert application.state == S.DECIDED
    assert (decision.outcome, decision.decided_by, decision.letter_queued_at) == (
        Outcome.WAITLIST,
        staff,
        None,
    )
    move = application.transitions.get()
    assert (move.from_state, move.to_state, move.actor) == (S.IN_ASSESSMENT, S.DECIDED, staff)
    assert move.reason == "Waitlist: Panel agreed after discussion."
    recorded = AuditEvent.objects.get(action="decision.record")
    assert recorded.scope == application_scope(application)
    assert recorded.changes["outcome"] == [None, "waitlist"]


@pytest.mark.parametrize("feedback", ["", "   \n  "])
def test_feedback_is_required_and_nothing_is_stored_without_it(feedback: str) -> None:
    application = in_assessment()

    with pytest.raises(ValidationError) as raised:
        decision_record(
            actor=staff_user(), application=application, outcome=Outcome.AWARD, feedback=feedback
        )

    assert "feedback" in raised.value.message_dict
    application.refresh_from_db()
    assert application.state == S.IN_ASSESSMENT
    assert not Decision.objects.exists()


def test_an_unknown_outcome_is_refused_on_its_field() -> None:
    with pytest.raises(ValidationError) as raised:
        decision_record(
            actor=staff_user(), application=in_assessment(), outcome="maybe", feedback="Fine."
        )

    assert raised.value.message_dict == {"outcome": ["Choose award, reject or waitlist."]}


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED, S.WITHDRAWN])
def test_only_an_application_in_assessment_can_be_decided(state: S) -> None:
    application = ApplicationFactory.create(state=state)

    with pytest.raises(ValidationError, match="only on an application in assessment"):
        decide(application)

    assert not Decision.objects.exists()


def test_a_decided_application_s_decision_changes_until_its_letter_is_sent() -> None:
    application = in_assessment()
    decide(application, Outcome.REJECT)
    application.refresh_from_db()

    changed = decision_record(
        actor=staff_user(),
        application=application,
        outcome=Outcome.AWARD,
        feedback="On reflection, fund it.",
    )

    assert (changed.outcome, changed.feedback, changed.moderation_note) == (
        Outcome.AWARD,
        "On reflection, fund it.",
        "",
    )
    assert Decision.objects.count() == 1
    application.refresh_from_db()
    assert application.state == S.DECIDED
    assert application.transitions.count() == 1
    update = AuditEvent.objects.get(action="decision.update")
    assert update.changes["outcome"] == ["reject", "award"]
    assert update.changes["moderation_note"] == ["Panel agreed after discussion.", ""]


def test_once_the_letter_is_sent_the_decision_stands(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    application = in_assessment()
    application.round.timezone = "Europe/London"
    application.round.save()
    decide(application, Outcome.WAITLIST)
    with django_capture_on_commit_callbacks(execute=True):
        decision_letters_queue(round_id=application.round_id, actor_id=None)
    application.refresh_from_db()

    with pytest.raises(ValidationError, match="The letter for this decision was sent on .*London"):
        decide(application, Outcome.AWARD)

    assert Decision.objects.get().outcome == Outcome.WAITLIST


def test_a_waitlisted_application_can_be_reconsidered_and_then_awarded_with_a_new_letter(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    application = in_assessment()
    staff = staff_user()
    decide(application, Outcome.WAITLIST, actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        decision_letters_queue(round_id=application.round_id, actor_id=None)
    application.refresh_from_db()

    decision_reopen(actor=staff, application=application, reason="An award holder withdrew.")
    application.refresh_from_db()
    assert application.state == S.IN_ASSESSMENT
    assert application.transitions.latest("pk").reason == "Reconsidered: An award holder withdrew."
    decision = decide(application, Outcome.AWARD, actor=staff)

    # The award needs its own letter: the waitlist letter went out for another outcome.
    assert decision.letter_queued_at is None
    assert Decision.objects.count() == 1
    application.refresh_from_db()
    assert application.state == S.DECIDED


def test_only_a_waitlisted_application_whose_letter_went_can_be_reconsidered() -> None:
    application = in_assessment()
    staff = staff_user()
    decide(application, Outcome.WAITLIST, actor=staff)
    application.refresh_from_db()

    with pytest.raises(ValidationError, match="Only a waitlisted application"):
        decision_reopen(actor=staff, application=application, reason="Why not.")
    with pytest.raises(ValidationError) as raised:
        decision_reopen(actor=staff, application=application, reason=" ")

    assert "reason" in raised.value.message_dict
    application.refresh_from_db()
    assert application.state == S.DECIDED


# --- the page ----------------------------------------------------------------------------


def scored(application: Application, *, scores: tuple[int, int], submitted: bool) -> None:
    """An assessor without a conflict who scored the round's two criteria."""
    assignment = AssignmentFactory.create(
        application=application,
        assessor=UserFactory.create(full_name="Ada Assessor"),
        submitted_at=timezone.now() if submitted else None,
    )
    for criterion, score in zip(
        application.round.criteria.order_by("position"), scores, strict=True
    ):
        Score.objects.create(
            assignment=assignment, criterion=criterion, score=score, comment=f"Said {score}"
        )


def test_the_decision_page_shows_the_assessors_totals_and_comments(client: Client) -> None:
    application = in_assessment()
    CriterionFactory.create(round=application.round, name="Quality", weight=3)
    CriterionFactory.create(round=application.round, name="Value", weight=1)
    scored(application, scores=(4, 4), submitted=True)
    AssignmentFactory.create(
        application=application,
        assessor=UserFactory.create(full_name="Connie Conflicted"),
        conflict=AssessorAssignment.Conflict.CONFLICTED,
    )
    client.force_login(staff_user())

    page = client.get(decision_url(application)).content.decode()

    assert "Ada Assessor" in page
    assert "80.0%" in page  # 4 of 5 on both criteria
    assert "Said 4" in page
    assert "1 assessor declared a conflict of interest" in page
    assert "Connie Conflicted" not in page
    assert "No assessor has submitted scores" not in page


def test_the_page_warns_but_does_not_block_when_nobody_has_submitted_scores(
    client: Client,
) -> None:
    application = in_assessment()
    CriterionFactory.create(round=application.round)
    CriterionFactory.create(round=application.round)
    scored(application, scores=(5, 0), submitted=False)
    client.force_login(staff_user())

    page = client.get(decision_url(application)).content.decode()
    response = client.post(
        decision_url(application),
        {"action": "decide", "outcome": "reject", "feedback": "Not this time."},
    )

    assert "No assessor has submitted scores" in page
    assert "Said 5" not in page  # draft scores are not the panel's
    assert response.status_code == 302
    assert Decision.objects.get().outcome == Outcome.REJECT


def test_a_bad_form_shows_field_errors_with_what_was_typed_and_stores_nothing(
    client: Client,
) -> None:
    application = in_assessment()
    client.force_login(staff_user())

    response = client.post(
        decision_url(application),
        {"action": "decide", "feedback": "", "moderation_note": "Keep this note"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Decision on" in page
    assert 'href="#id_outcome"' in page
    assert 'id="id_outcome"' in page
    assert 'href="#id_feedback"' in page
    assert "Keep this note" in page
    assert not Decision.objects.exists()


def test_after_the_letter_the_page_says_so_and_offers_no_form(
    client: Client, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    application = in_assessment()
    decide(application, Outcome.REJECT)
    with django_capture_on_commit_callbacks(execute=True):
        decision_letters_queue(round_id=application.round_id, actor_id=None)
    client.force_login(staff_user())

    page = client.get(decision_url(application)).content.decode()
    response = client.post(
        decision_url(application),
        {"action": "decide", "outcome": "award", "feedback": "Changed our minds."},
    )

    assert "The letter for this decision was sent on" in page
    assert "Record the decision" not in page
    assert response.status_code == 200
    assert Decision.objects.get().outcome == Outcome.REJECT


def test_staff_reconsider_a_waitlisted_application_from_the_page(
    client: Client, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    application = in_assessment()
    decide(application, Outcome.WAITLIST)
    with django_capture_on_commit_callbacks(execute=True):
        decision_letters_queue(round_id=application.round_id, actor_id=None)
    client.force_login(staff_user())

    assert "Reconsider the application" in client.get(decision_url(application)).content.decode()
    empty = client.post(decision_url(application), {"action": "reopen", "reason": ""})
    done = client.post(decision_url(application), {"action": "reopen", "reason": "Funds freed."})

    assert 'href="#id_reason"' in empty.content.decode()
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.state == S.IN_ASSESSMENT


# --- who may open it ---------------------------------------------------------------------


def test_anonymous_visitors_are_asked_to_sign_in(client: Client) -> None:
    response = client.get(decision_url(in_assessment()))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_applicants_and_assessors_are_refused_and_outsiders_told_nothing(client: Client) -> None:
    assignment = AssignmentFactory.create()
    application = assignment.application

    client.force_login(application.lead_applicant)
    as_applicant = client.get(decision_url(application))
    client.force_login(assignment.assessor)
    as_assessor = client.post(
        decision_url(application), {"action": "decide", "outcome": "award", "feedback": "Me!"}
    )
    client.force_login(UserFactory.create())
    as_outsider = client.get(decision_url(application))

    assert (as_applicant.status_code, as_assessor.status_code, as_outsider.status_code) == (
        403,
        403,
        404,
    )
    assert not Decision.objects.exists()
