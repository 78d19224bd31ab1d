"""Decision letters: sent in bulk by a background task, exactly once each, to every member."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.applications.models import Application, ApplicationState, Decision
from sharedpurpose.applications.services.decisions import (
    KIND_DECISION_LETTER,
    decision_letter_queue,
    decision_letters_queue,
    decision_letters_request,
    decision_record,
)
from sharedpurpose.applications.services.workflow import application_transition
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.engagement.models import OutboxMessage
from sharedpurpose.engagement.outbox import outbox_deliver
from sharedpurpose.programmes.models import Round
from tests.factories import UserFactory

from .factories import ApplicationFactory, CollaboratorFactory, OpenRoundFactory

pytestmark = pytest.mark.django_db

S = ApplicationState
Outcome = Decision.Outcome
CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def staff_user() -> User:
    user = UserFactory.create()
    user_role_grant(user=user, role=SiteRole.PROGRAMME_STAFF)
    return user


def decided(
    round_: Round, outcome: str, *, reference: str, feedback: str = "Clear aims & good data."
) -> Application:
    """A decided application with its lead applicant and one collaborator."""
    application = ApplicationFactory.create(
        round=round_, state=S.IN_ASSESSMENT, reference=reference, title=f"Project {reference}"
    )
    CollaboratorFactory.create(application=application)
    decision_record(actor=staff_user(), application=application, outcome=outcome, feedback=feedback)
    application.refresh_from_db()
    return application


def letters_url(round_: Round) -> str:
    return reverse(
        "applications:letters",
        kwargs={"programme_slug": round_.programme.slug, "round_slug": round_.slug},
    )


def letter_rows() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=KIND_DECISION_LETTER).order_by("pk"))


def test_each_member_gets_the_letter_with_the_outcome_and_feedback(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    round_ = OpenRoundFactory.create()
    application = decided(round_, Outcome.AWARD, reference="DES1-0001")
    members = {m.user.email for m in application.members.select_related("user")}

    with django_capture_on_commit_callbacks(execute=True):
        queued = decision_letters_queue(round_id=round_.pk, actor_id=None)

    assert queued == 1
    assert {message.to[0] for message in mail.outbox} == members
    assert len(mail.outbox) == 2
    letter = mail.outbox[0]
    assert letter.subject == "Your application DES1-0001: decision"
    assert "your application has been successful" in letter.body
    assert "Clear aims & good data." in letter.body  # plain text, not HTML-escaped
    assert "The details of your award" in letter.body
    assert {row.status for row in letter_rows()} == {OutboxMessage.Status.SENT}
    assert {row.round_id for row in letter_rows()} == {round_.pk}
    decision = Decision.objects.get()
    assert decision.letter_queued_at is not None


def test_running_the_task_twice_sends_nothing_more(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    round_ = OpenRoundFactory.create()
    decided(round_, Outcome.WAITLIST, reference="DES1-0001")
    decided(round_, Outcome.AWARD, reference="DES1-0002")

    with django_capture_on_commit_callbacks(execute=True):
        first = decision_letters_queue(round_id=round_.pk, actor_id=None)
    with django_capture_on_commit_callbacks(execute=True):
        second = decision_letters_queue(round_id=round_.pk, actor_id=None)
    outbox_deliver()

    assert (first, second) == (2, 0)
    assert len(letter_rows()) == 4
    assert len(mail.outbox) == 4
    assert AuditEvent.objects.filter(action="decision.letter_queue").count() == 2


def test_a_run_that_finds_a_decision_already_claimed_writes_nothing(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    round_ = OpenRoundFactory.create()
    decided(round_, Outcome.WAITLIST, reference="DES1-0001")
    decision = Decision.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert decision_letter_queue(decision_id=decision.pk, actor=None)

    # A second run that listed the decision before the first claimed it.
    with django_capture_on_commit_callbacks(execute=True):
        assert not decision_letter_queue(decision_id=decision.pk, actor=None)

    assert len(letter_rows()) == 2
    assert len(mail.outbox) == 2


def test_a_rejection_letter_makes_the_application_unsuccessful(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    round_ = OpenRoundFactory.create()
    rejected = decided(round_, Outcome.REJECT, reference="DES1-0001")
    waitlisted = decided(round_, Outcome.WAITLIST, reference="DES1-0002")
    staff = staff_user()

    with django_capture_on_commit_callbacks(execute=True):
        decision_letters_queue(round_id=round_.pk, actor_id=staff.pk)

    rejected.refresh_from_db()
    waitlisted.refresh_from_db()
    assert (rejected.state, waitlisted.state) == (S.UNSUCCESSFUL, S.DECIDED)
    move = rejected.transitions.latest("pk")
    assert (move.from_state, move.to_state, move.actor, move.reason) == (
        S.DECIDED,
        S.UNSUCCESSFUL,
        staff,
        "Decision letter sent",
    )
    rejection = next(m for m in mail.outbox if "DES1-0001" in m.subject)
    assert "has not been successful" in rejection.body


def test_an_application_withdrawn_before_the_letter_gets_none(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    round_ = OpenRoundFactory.create()
    application = decided(round_, Outcome.REJECT, reference="DES1-0001")
    application_transition(
        application=application, to_state=S.WITHDRAWN, actor=application.lead_applicant
    )

    with django_capture_on_commit_callbacks(execute=True):
        queued = decision_letters_queue(round_id=round_.pk, actor_id=None)

    assert queued == 0
    assert not letter_rows()
    assert Decision.objects.get().letter_queued_at is None


def test_asking_with_no_letters_waiting_is_refused() -> None:
    with pytest.raises(ValidationError, match="no decision letters waiting"):
        decision_letters_request(actor=staff_user(), round_=OpenRoundFactory.create())


# --- the page ----------------------------------------------------------------------------


def test_the_page_lists_waiting_letters_by_outcome_with_a_preview(client: Client) -> None:
    round_ = OpenRoundFactory.create()
    decided(round_, Outcome.REJECT, reference="DES1-0001", feedback="Needs <b>more</b> data.")
    decided(round_, Outcome.AWARD, reference="DES1-0002")
    sent_elsewhere = decided(OpenRoundFactory.create(), Outcome.AWARD, reference="OTH-0001")
    client.force_login(staff_user())

    page = client.get(letters_url(round_)).content.decode()

    assert page.index("<h2>Award (1)</h2>") < page.index("<h2>Reject (1)</h2>")
    assert "Your application DES1-0001: decision" in page
    assert "Needs &lt;b&gt;more&lt;/b&gt; data." in page
    assert "Send 2 decision letters" in page
    assert sent_elsewhere.reference not in page


def test_clicking_send_twice_queues_each_letter_once(
    client: Client, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    round_ = OpenRoundFactory.create()
    decided(round_, Outcome.AWARD, reference="DES1-0001")
    decided(round_, Outcome.REJECT, reference="DES1-0002")
    client.force_login(staff_user())

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(letters_url(round_))
    # The second click comes from a page loaded before the first finished.
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(letters_url(round_))
    outbox_deliver()

    assert first.status_code == 302
    assert second.status_code == 200
    assert "There are no decision letters waiting to be sent." in second.content.decode()
    assert len(letter_rows()) == 4
    assert len(mail.outbox) == 4
    assert AuditEvent.objects.filter(action="decision.letters_request").count() == 1


def test_two_tasks_for_one_click_each_still_send_once(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    round_ = OpenRoundFactory.create()
    decided(round_, Outcome.AWARD, reference="DES1-0001")
    staff = staff_user()

    # Two requests that both saw the letter waiting, each queueing its own task.
    with django_capture_on_commit_callbacks(execute=True):
        decision_letters_request(actor=staff, round_=round_)
        decision_letters_request(actor=staff, round_=round_)

    assert len(letter_rows()) == 2
    assert len(mail.outbox) == 2


def test_sent_letters_show_when_and_each_e_mail_s_status(
    client: Client, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    round_ = OpenRoundFactory.create(timezone="Europe/London")
    application = decided(round_, Outcome.WAITLIST, reference="DES1-0001")
    with django_capture_on_commit_callbacks(execute=True):
        decision_letters_queue(round_id=round_.pk, actor_id=None)
    failed = OutboxMessage.objects.filter(kind=KIND_DECISION_LETTER).first()
    assert failed is not None
    OutboxMessage.objects.filter(pk=failed.pk).update(status=OutboxMessage.Status.FAILED)
    client.force_login(staff_user())

    page = client.get(letters_url(round_)).content.decode()

    assert "No decision letters are waiting to be sent." in page
    assert "(Europe/London)" in page
    assert application.lead_applicant.email in page
    assert "Sent</strong>" in page
    assert "Failed</strong>" in page
    assert reverse("engagement:outbox_retry", kwargs={"message_id": failed.pk}) in page


def test_the_letters_page_is_for_staff_only(client: Client) -> None:
    round_ = OpenRoundFactory.create()
    application = decided(round_, Outcome.AWARD, reference="DES1-0001")

    anonymous = client.get(letters_url(round_))
    client.force_login(application.lead_applicant)
    applicant = client.post(letters_url(round_))

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    assert applicant.status_code == 403
    assert not letter_rows()
