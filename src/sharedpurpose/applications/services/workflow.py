"""The one place an application changes state: checked against the lifecycle, made with a
compare-and-set so two concurrent moves cannot both win, and kept in the history."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sharedpurpose.core.audit import audit_record

from ..lifecycle import transition_allowed
from ..models import Application, ApplicationState, ApplicationTransition

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User


def application_scope(application: Application) -> str:
    """The audit scope of an application's records."""
    return f"application:{application.pk}"


def application_transition(
    *,
    application: Application,
    to_state: ApplicationState,
    actor: User | None,
    reason: str = "",
) -> Application:
    """Move ``application`` to ``to_state`` or raise ``ValidationError`` saying why not.

    Callers that change more than the state wrap this and their change in one transaction.
    """
    from_state = ApplicationState(application.state)
    to_state = ApplicationState(to_state)
    if not transition_allowed(from_state, to_state):
        raise ValidationError(
            f"An application that is {from_state.label.lower()} cannot become "
            f"{to_state.label.lower()}."
        )
    with transaction.atomic():
        moved = Application.objects.filter(pk=application.pk, state=from_state).update(
            state=to_state, updated_at=timezone.now()
        )
        if not moved:
            application.refresh_from_db(fields=["state"])
            raise ValidationError(
                "Someone else changed this application at the same time: it is now "
                f"{ApplicationState(application.state).label.lower()}. Nothing was changed."
            )
        ApplicationTransition.objects.create(
            application=application,
            from_state=from_state,
            to_state=to_state,
            actor=actor,
            reason=reason,
        )
        audit_record(
            actor=actor,
            action="application.transition",
            obj=application,
            scope=application_scope(application),
            summary=f"{application.reference}: {from_state.label} → {to_state.label}",
            changes={"state": [from_state.value, to_state.value]},
        )
    application.state = to_state
    return application
