from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sharedpurpose.core.models import AuditEvent
from sharedpurpose.engagement.models import OutboxMessage, Subscriber
from sharedpurpose.programmes import services
from sharedpurpose.programmes.lifecycle import ALLOWED_TRANSITIONS
from sharedpurpose.programmes.models import Announcement, Round, RoundState, RoundTransition
from sharedpurpose.programmes.services import RoundValues
from tests.factories import ProgrammeFactory, UserFactory

from .factories_rounds import round_with_dates_create, staff_create

pytestmark = pytest.mark.django_db

ALLOWED = [(s, t) for s, targets in ALLOWED_TRANSITIONS.items() for t in targets]
FORBIDDEN = [(s, t) for s in RoundState for t in RoundState if t not in ALLOWED_TRANSITIONS[s]]


@pytest.mark.parametrize(("from_state", "to_state"), ALLOWED)
def test_every_allowed_move_is_made_and_recorded(
    from_state: RoundState, to_state: RoundState
) -> None:
    staff = staff_create()
    round_ = round_with_dates_create(state=from_state)

    transition = services.round_transition(actor=staff, round_=round_, to_state=to_state)

    round_.refresh_from_db()
    assert round_.state == to_state
    assert (transition.from_state, transition.to_state) == (from_state, to_state)
    assert transition.actor == staff
    assert transition.occurred_at is not None
    event = AuditEvent.objects.get(action="round.transition", object_id=str(round_.pk))
    assert event.actor == staff
    assert event.scope == f"programme:{round_.programme_id}"
    assert event.changes == {"state": [from_state.value, to_state.value]}


@pytest.mark.parametrize(("from_state", "to_state"), FORBIDDEN)
def test_every_forbidden_move_is_refused_and_changes_nothing(
    from_state: RoundState, to_state: RoundState
) -> None:
    staff = staff_create()
    round_ = round_with_dates_create(state=from_state)

    with pytest.raises(ValidationError) as raised:
        services.round_transition(actor=staff, round_=round_, to_state=to_state)

    message = raised.value.message_dict["to_state"][0]
    assert from_state.label.lower() in message
    assert to_state.label.lower() in message
    round_.refresh_from_db()
    assert round_.state == from_state
    assert not RoundTransition.objects.exists()


def test_an_unknown_state_is_refused() -> None:
    round_ = round_with_dates_create()

    with pytest.raises(ValidationError, match="not a state"):
        services.round_transition(actor=staff_create(), round_=round_, to_state="archived")


def test_only_programme_staff_move_rounds() -> None:
    round_ = round_with_dates_create()

    with pytest.raises(PermissionDenied):
        services.round_transition(
            actor=UserFactory.create(), round_=round_, to_state=RoundState.ANNOUNCED
        )
    round_.refresh_from_db()
    assert round_.state == RoundState.DRAFT


def test_opening_announces_once_and_queues_the_email_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    staff = staff_create()
    round_ = round_with_dates_create(state=RoundState.ANNOUNCED, name="Shared Purpose")
    now = timezone.now()
    Subscriber.objects.create(
        email="reader@example.org",
        consent_text="Tell me when applications open.",
        consent_version="1",
        consented_at=now,
        confirmed_at=now,
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.round_transition(actor=staff, round_=round_, to_state=RoundState.OPEN)
        services.round_transition(actor=staff, round_=round_, to_state=RoundState.CLOSED)
        services.round_transition(actor=staff, round_=round_, to_state=RoundState.OPEN)

    announcement = Announcement.objects.get(round=round_)
    assert announcement.kind == Announcement.Kind.APPLICATIONS_OPEN
    assert announcement.title == "Applications open: Shared Purpose"
    assert "5pm, 14 March 2027 (Europe/London)" in announcement.body
    assert announcement.created_by == staff
    assert RoundTransition.objects.filter(round=round_).count() == 3
    assert OutboxMessage.objects.filter(round=round_, to_email="reader@example.org").count() == 1


def test_a_round_cannot_open_without_a_closing_date() -> None:
    round_ = round_with_dates_create(state=RoundState.ANNOUNCED)
    Round.objects.filter(pk=round_.pk).update(applications_close_at=None)
    round_.refresh_from_db()

    with pytest.raises(ValidationError, match="close"):
        services.round_transition(actor=staff_create(), round_=round_, to_state=RoundState.OPEN)
    assert not Announcement.objects.exists()


# --------------------------------------------------------------------------
# Creating and editing rounds
# --------------------------------------------------------------------------


def _values(**overrides: object) -> RoundValues:
    base: dict[str, object] = {
        "number": 3,
        "slug": "shared-purpose",
        "name": "Shared Purpose",
        "summary": "Corporate and clinical teams together.",
        "aims": ["Raise awareness", "", "  Build the evidence base  "],
        "timezone": "Europe/London",
        "applications_open_local": datetime(2027, 2, 1, 9, 0),
        "applications_close_local": datetime(2027, 6, 14, 17, 0),
    }
    base.update(overrides)
    return RoundValues(**base)  # type: ignore[arg-type]


def test_round_create_stores_local_dates_aware_in_the_rounds_timezone() -> None:
    staff = staff_create()
    programme = ProgrammeFactory.create()

    round_ = services.round_create(
        actor=staff, programme=programme, values=_values(timezone="America/New_York")
    )

    assert round_.state == RoundState.DRAFT
    assert round_.aims == ["Raise awareness", "Build the evidence base"]
    close = round_.applications_close_at
    assert close is not None
    assert close.astimezone(ZoneInfo("America/New_York")).hour == 17
    assert close.astimezone(ZoneInfo("UTC")).hour == 21  # EDT is UTC-4 in June
    assert AuditEvent.objects.filter(action="round.create", object_id=str(round_.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        ({"applications_close_local": datetime(2027, 1, 1, 9, 0)}, "applications_close_local"),
        ({"applications_close_local": datetime(2027, 2, 1, 9, 0)}, "applications_close_local"),
        (
            {
                "delivery_starts_on": datetime(2027, 9, 1).date(),
                "delivery_ends_on": datetime(2027, 8, 1).date(),
            },
            "delivery_ends_on",
        ),
        ({"slug": "Not A Slug"}, "slug"),
        ({"slug": "evidence"}, "slug"),
        ({"name": "  "}, "name"),
        ({"number": 0}, "number"),
    ],
)
def test_bad_round_values_name_the_field_and_save_nothing(
    overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        services.round_create(
            actor=staff_create(), programme=ProgrammeFactory.create(), values=_values(**overrides)
        )

    assert field in raised.value.message_dict
    assert not Round.objects.exists()


def test_slug_and_number_are_unique_within_a_programme_only() -> None:
    staff = staff_create()
    programme = ProgrammeFactory.create()
    services.round_create(actor=staff, programme=programme, values=_values())

    with pytest.raises(ValidationError) as raised:
        services.round_create(actor=staff, programme=programme, values=_values())
    assert set(raised.value.message_dict) == {"slug", "number"}
    services.round_create(actor=staff, programme=ProgrammeFactory.create(), values=_values())


def test_round_update_records_what_changed() -> None:
    staff = staff_create()
    round_ = services.round_create(
        actor=staff, programme=ProgrammeFactory.create(), values=_values()
    )

    services.round_update(actor=staff, round_=round_, values=_values(name="Shared Purpose 3"))

    event = AuditEvent.objects.get(action="round.update")
    assert event.changes["name"] == ["Shared Purpose", "Shared Purpose 3"]
    assert "slug" not in event.changes


def test_opening_announcement_cannot_be_deleted() -> None:
    staff = staff_create()
    round_ = round_with_dates_create(state=RoundState.ANNOUNCED)
    services.round_transition(actor=staff, round_=round_, to_state=RoundState.OPEN)
    announcement = Announcement.objects.get(round=round_)

    with pytest.raises(ValidationError):
        services.announcement_delete(actor=staff, announcement=announcement)
    assert Announcement.objects.filter(pk=announcement.pk).exists()
