"""An application's lifecycle, declared once: its states and the moves allowed between them.

``services.workflow.application_transition`` is the only code that changes a state; it
checks every move against this table and records it.
"""

from __future__ import annotations

from .models import ApplicationState

S = ApplicationState

ALLOWED_TRANSITIONS: dict[ApplicationState, frozenset[ApplicationState]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.IN_ASSESSMENT, S.WITHDRAWN}),
    # Staff may decide without a panel only from assessment; a decision can be revisited
    # (e.g. a waitlisted application awarded when an award holder drops out).
    S.IN_ASSESSMENT: frozenset({S.DECIDED, S.WITHDRAWN}),
    S.DECIDED: frozenset({S.IN_ASSESSMENT, S.AWARDED, S.UNSUCCESSFUL, S.WITHDRAWN}),
    S.AWARDED: frozenset(),
    S.UNSUCCESSFUL: frozenset(),
    S.WITHDRAWN: frozenset(),
}

#: Who makes each move: the applicants themselves or programme staff.
APPLICANT_MOVES = frozenset({(S.DRAFT, S.SUBMITTED), *((s, S.WITHDRAWN) for s in S)})

#: States in which applicants may still change their answers and partnership.
EDITABLE_STATES = frozenset({S.DRAFT})
#: States that end an application.
FINAL_STATES = frozenset(state for state, moves in ALLOWED_TRANSITIONS.items() if not moves)


def transition_allowed(current: str, target: str) -> bool:
    return ApplicationState(target) in ALLOWED_TRANSITIONS[ApplicationState(current)]


def move_is_applicants(current: str, target: str) -> bool:
    return (ApplicationState(current), ApplicationState(target)) in APPLICANT_MOVES
