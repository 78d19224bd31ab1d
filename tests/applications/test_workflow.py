from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from sharedpurpose.applications.lifecycle import (
    ALLOWED_TRANSITIONS,
    FINAL_STATES,
    move_is_applicants,
    transition_allowed,
)
from sharedpurpose.applications.models import Application, ApplicationState
from sharedpurpose.applications.services.workflow import application_scope, application_transition
from sharedpurpose.core.models import AuditEvent
from tests.factories import UserFactory

from .factories import ApplicationFactory

pytestmark = pytest.mark.django_db

S = ApplicationState


def test_the_lifecycle_names_every_state_and_ends_in_awarded_unsuccessful_or_withdrawn() -> None:
    assert set(ALLOWED_TRANSITIONS) == set(S)
    assert {S.AWARDED, S.UNSUCCESSFUL, S.WITHDRAWN} == FINAL_STATES
    assert transition_allowed(S.DRAFT, S.SUBMITTED)
    assert not transition_allowed(S.DRAFT, S.AWARDED)
    assert not transition_allowed(S.SUBMITTED, S.DRAFT)
    assert move_is_applicants(S.IN_ASSESSMENT, S.WITHDRAWN)
    assert not move_is_applicants(S.SUBMITTED, S.IN_ASSESSMENT)


def test_a_transition_moves_the_state_and_keeps_who_when_from_to_and_why() -> None:
    application = ApplicationFactory.create()
    actor = UserFactory.create()

    application_transition(
        application=application, to_state=S.SUBMITTED, actor=actor, reason="Ready"
    )

    application.refresh_from_db()
    assert application.state == S.SUBMITTED
    move = application.transitions.get()
    assert (move.from_state, move.to_state, move.actor, move.reason) == (
        S.DRAFT,
        S.SUBMITTED,
        actor,
        "Ready",
    )
    event = AuditEvent.objects.get(scope=application_scope(application))
    assert event.changes == {"state": ["draft", "submitted"]}


def test_a_move_the_lifecycle_does_not_allow_is_refused_and_changes_nothing() -> None:
    application = ApplicationFactory.create()

    with pytest.raises(ValidationError, match="draft cannot become awarded"):
        application_transition(application=application, to_state=S.AWARDED, actor=None)

    application.refresh_from_db()
    assert application.state == S.DRAFT
    assert not application.transitions.exists()


def test_of_two_concurrent_moves_from_one_state_only_the_first_wins() -> None:
    application = ApplicationFactory.create(state=S.SUBMITTED)
    stale_copy = Application.objects.get(pk=application.pk)

    application_transition(application=application, to_state=S.WITHDRAWN, actor=None)
    with pytest.raises(ValidationError, match="now withdrawn"):
        application_transition(application=stale_copy, to_state=S.IN_ASSESSMENT, actor=None)

    assert Application.objects.get(pk=application.pk).state == S.WITHDRAWN
    assert application.transitions.count() == 1
