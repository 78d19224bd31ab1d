"""Checking and submitting (the deadline in the round's timezone, the problems that block a
submit, the confirmation e-mail sent once), withdrawing, and the history."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.applications.models import (
    Answer,
    Application,
    ApplicationState,
    ApplicationTransition,
    Question,
)
from sharedpurpose.applications.services import applications as services
from sharedpurpose.applications.tasks import application_confirmation_send
from sharedpurpose.applications.views import apply as apply_views
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.programmes.models import RoundState
from tests.factories import UserFactory

from .factories import (
    ApplicationFactory,
    ApplicationFormFactory,
    CollaboratorFactory,
    OpenRoundFactory,
    QuestionFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]

#: 12:00 on 31 March 2027 in London is 11:00 UTC (British Summer Time).
DEADLINE = datetime(2027, 3, 31, 11, 0, tzinfo=UTC)


def _ready_application(**round_fields: Any) -> Application:
    """A draft that meets every requirement: lead organisation, a partner, both leads and
    the one required question answered."""
    round_ = OpenRoundFactory.create(**round_fields)
    form = ApplicationFormFactory.create(round=round_, min_partner_organisations=1)
    question = QuestionFactory.create(
        section=SectionFactory.create(form=form, title="Your idea"), label="What will change?"
    )
    application = ApplicationFactory.create(round=round_, lead_applicant__full_name="Ada Lead")
    application.organisations.create(name="Northmoor Council", role="partner")
    CollaboratorFactory.create(application=application, leads_side=True)
    Answer.objects.create(application=application, question=question, value="Faster hiring")
    return application


def _deadline_round() -> dict[str, Any]:
    return {
        "applications_open_at": DEADLINE - timedelta(days=30),
        "applications_close_at": DEADLINE,
    }


# --- the deadline ------------------------------------------------------------------------


def test_a_submit_received_before_the_deadline_is_accepted() -> None:
    application = _ready_application(**_deadline_round())
    received = DEADLINE - timedelta(seconds=1)

    services.application_submit(
        application=application, actor=application.lead_applicant, received_at=received
    )

    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert application.submitted_at == received


@pytest.mark.parametrize("late_by", [timedelta(0), timedelta(seconds=1), timedelta(days=2)])
def test_a_submit_received_at_or_after_the_deadline_is_refused(late_by: timedelta) -> None:
    application = _ready_application(**_deadline_round())

    with pytest.raises(ValidationError) as raised:
        services.application_submit(
            application=application,
            actor=application.lead_applicant,
            received_at=DEADLINE + late_by,
        )

    assert raised.value.messages == [
        "The deadline was 12:00 on 31 March 2027 (UK time); "
        "applications can no longer be submitted."
    ]
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT and application.submitted_at is None


def test_a_submit_received_before_the_deadline_that_finishes_after_it_counts(
    monkeypatch: Any,
) -> None:
    application = _ready_application(**_deadline_round())
    received = DEADLINE - timedelta(milliseconds=5)
    # Everything the server does after receiving the submit happens past the deadline.
    monkeypatch.setattr(timezone, "now", lambda: DEADLINE + timedelta(seconds=3))

    services.application_submit(
        application=application, actor=application.lead_applicant, received_at=received
    )

    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert application.submitted_at == received


def test_the_view_counts_the_moment_it_received_the_submit(
    client: Client, monkeypatch: Any
) -> None:
    # The deadline passed a minute ago, but the view's clock says the submit arrived a second
    # before it: processing after the deadline must not turn it away.
    deadline = timezone.now() - timedelta(minutes=1)
    application = _ready_application(
        applications_open_at=deadline - timedelta(days=30), applications_close_at=deadline
    )
    received = deadline - timedelta(seconds=1)
    monkeypatch.setattr(apply_views, "timezone", SimpleNamespace(now=lambda: received))
    client.force_login(application.lead_applicant)

    response = client.post(
        reverse("applications:submit", args=[application.reference]), {"confirm": "on"}
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert application.submitted_at == received


def test_a_round_that_is_not_open_takes_no_submits() -> None:
    closed = _ready_application(state=RoundState.CLOSED)
    not_yet = _ready_application(
        applications_open_at=timezone.now() + timedelta(days=1),
        applications_close_at=timezone.now() + timedelta(days=30),
    )

    with pytest.raises(ValidationError, match="is not open for applications"):
        services.application_submit(
            application=closed, actor=closed.lead_applicant, received_at=timezone.now()
        )
    with pytest.raises(ValidationError, match="cannot be submitted before then"):
        services.application_submit(
            application=not_yet, actor=not_yet.lead_applicant, received_at=timezone.now()
        )


# --- checking answers --------------------------------------------------------------------


def test_the_check_page_lists_every_problem_linked_to_where_to_fix_it(client: Client) -> None:
    application = _ready_application()
    application.answers.all().delete()
    application.organisations.filter(role="partner").delete()
    application.members.filter(is_lead_applicant=False).update(leads_side=False)
    question = Question.objects.get(section__form__round=application.round)
    client.force_login(application.lead_applicant)

    response = client.get(reverse("applications:submit", args=[application.reference]))

    content = response.content.decode()
    partnership = reverse("applications:partnership", args=[application.reference])
    section = reverse("applications:section", args=[application.reference, question.section_id])
    assert "You cannot submit yet" in content
    assert f'href="{partnership}#partners"' in content
    assert "Add at least 1 partner organisation (you have 0)." in content
    assert f'href="{partnership}#leads"' in content
    assert "Choose the clinical lead" in content
    assert f'href="{section}#id_question_{question.pk}"' in content
    assert "Answer “What will change?”." in content
    assert "Submit application" not in content


def test_a_refused_submit_changes_nothing_and_keeps_the_confirmation_tick(
    client: Client,
) -> None:
    deadline = timezone.now() - timedelta(seconds=1)
    application = _ready_application(
        applications_open_at=deadline - timedelta(days=30), applications_close_at=deadline
    )
    client.force_login(application.lead_applicant)

    response = client.post(
        reverse("applications:submit", args=[application.reference]), {"confirm": "on"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "The deadline was " in content
    assert "(UK time); applications can no longer be submitted." in content
    assert 'id="id_confirm" checked' in content
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT
    assert not ApplicationTransition.objects.exists()


def test_a_problem_found_at_submit_is_refused_with_the_tick_kept(
    client: Client, monkeypatch: Any
) -> None:
    application = _ready_application()
    client.force_login(application.lead_applicant)
    # Someone removes the partner between the check page and the submit.
    application.organisations.filter(role="partner").delete()

    response = client.post(
        reverse("applications:submit", args=[application.reference]), {"confirm": "on"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Before you submit: Add at least 1 partner organisation" in content
    assert 'id="id_confirm" checked' in content
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


def test_the_confirmation_must_be_ticked(client: Client) -> None:
    application = _ready_application()
    client.force_login(application.lead_applicant)

    response = client.post(reverse("applications:submit", args=[application.reference]), {})

    assert "Confirm the application is correct and agreed." in response.content.decode()
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


# --- submitting, and the confirmation e-mail ---------------------------------------------


def test_submitting_shows_the_confirmation_and_emails_every_member_a_pdf_once(
    client: Client, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    application = _ready_application()
    emails = set(application.members.values_list("user__email", flat=True))
    client.force_login(application.lead_applicant)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("applications:submit", args=[application.reference]), {"confirm": "on"}
        )
    # The task is retried: nothing more is sent.
    application_confirmation_send.enqueue(application_id=application.pk)

    assert response.status_code == 302
    assert response["Location"] == reverse("applications:submitted", args=[application.reference])
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert application.confirmation_sent_at is not None
    transition = ApplicationTransition.objects.get(application=application)
    assert (transition.from_state, transition.to_state) == ("draft", "submitted")
    assert transition.actor == application.lead_applicant
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == f"Application {application.reference} submitted"
    assert set(message.to) == emails
    [(name, content, mimetype)] = message.attachments
    assert name == f"{application.reference}.pdf" and mimetype == "application/pdf"
    assert bytes(content).startswith(b"%PDF-")
    confirmation = client.get(response["Location"]).content.decode()
    assert 'class="nhsuk-panel"' in confirmation and "Application submitted" in confirmation
    assert application.reference in confirmation


def test_a_failed_send_releases_the_claim_so_a_retry_sends_it(monkeypatch: Any) -> None:
    application = _ready_application()
    services.application_submit(
        application=application, actor=application.lead_applicant, received_at=timezone.now()
    )

    def broken(self: EmailMessage, fail_silently: bool = False) -> int:
        raise ConnectionError("mail server down")

    with monkeypatch.context() as patched:
        patched.setattr(EmailMessage, "send", broken)
        with pytest.raises(ConnectionError):
            services.application_confirmation_deliver(application_id=application.pk)
    application.refresh_from_db()
    assert application.confirmation_sent_at is None

    assert services.application_confirmation_deliver(application_id=application.pk) == 1
    assert services.application_confirmation_deliver(application_id=application.pk) == 0
    assert len(mail.outbox) == 1


def test_only_the_lead_applicant_can_submit(client: Client) -> None:
    application = _ready_application()
    collaborator = application.members.get(is_lead_applicant=False).user
    url = reverse("applications:submit", args=[application.reference])

    anonymous = client.post(url, {"confirm": "on"})
    client.force_login(collaborator)
    by_collaborator = client.post(url, {"confirm": "on"})
    client.force_login(UserFactory.create())
    by_outsider = client.get(url)

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    assert by_collaborator.status_code == 403
    assert by_outsider.status_code == 404
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


# --- withdrawing -------------------------------------------------------------------------


def test_the_lead_applicant_withdraws_with_a_reason(client: Client) -> None:
    application = ApplicationFactory.create(
        state=ApplicationState.SUBMITTED, submitted_at=timezone.now()
    )
    client.force_login(application.lead_applicant)
    url = reverse("applications:withdraw", args=[application.reference])

    page = client.get(url)
    response = client.post(url, {"reason": "Our partner trust merged."})

    assert page.status_code == 200 and "Withdraw this application?" in page.content.decode()
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.WITHDRAWN
    transition = ApplicationTransition.objects.get(application=application)
    assert (transition.from_state, transition.reason) == ("submitted", "Our partner trust merged.")
    again = client.get(url)
    assert again.status_code == 302


def test_withdrawing_a_draft_stops_its_invitations(client: Client) -> None:
    application = ApplicationFactory.create()
    invitation = application.invitations.create(
        email="x@example.org",
        side="clinical",
        clinical_area="ED",
        token="tok",
        expires_at=timezone.now() + timedelta(days=3),
    )

    services.application_withdraw(
        application=application, actor=application.lead_applicant, reason=""
    )

    invitation.refresh_from_db()
    assert invitation.expires_at <= timezone.now()


def test_a_collaborator_cannot_withdraw(client: Client) -> None:
    application = ApplicationFactory.create()
    client.force_login(CollaboratorFactory.create(application=application).user)

    response = client.post(reverse("applications:withdraw", args=[application.reference]), {})

    assert response.status_code == 403
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


# --- the history -------------------------------------------------------------------------


def test_the_history_lists_moves_and_staff_also_see_the_audit_trail(client: Client) -> None:
    application = _ready_application()
    services.application_submit(
        application=application, actor=application.lead_applicant, received_at=timezone.now()
    )
    staff = UserFactory.create()
    user_role_grant(user=staff, role=SiteRole.PROGRAMME_STAFF)
    url = reverse("applications:history", args=[application.reference])

    client.force_login(application.lead_applicant)
    applicant_view = client.get(url).content.decode()
    client.force_login(staff)
    staff_view = client.get(url).content.decode()

    assert "Ada Lead" in applicant_view and "Submitted by Ada Lead" in applicant_view
    assert "(Europe/London)" in applicant_view
    assert "application.transition" not in applicant_view
    assert "Every recorded change (staff only)" in staff_view
    assert "application.transition" in staff_view
    assert AuditEvent.objects.filter(scope=f"application:{application.pk}").exists()
    client.force_login(UserFactory.create())
    assert client.get(url).status_code == 404
