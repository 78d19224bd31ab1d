"""A round's lifecycle, declared once: its states, the moves allowed between them, and who
may make each move. Services, views and tests all read it from here."""

from __future__ import annotations

from .models import RoundState

#: The moves a round can make. A round goes forward through its life; staff can step back
#: one state to correct a mistake (e.g. reopen applications closed too early).
ALLOWED_TRANSITIONS: dict[RoundState, frozenset[RoundState]] = {
    RoundState.DRAFT: frozenset({RoundState.ANNOUNCED, RoundState.OPEN}),
    RoundState.ANNOUNCED: frozenset({RoundState.DRAFT, RoundState.OPEN}),
    RoundState.OPEN: frozenset({RoundState.CLOSED}),
    RoundState.CLOSED: frozenset({RoundState.OPEN, RoundState.IN_DELIVERY}),
    RoundState.IN_DELIVERY: frozenset({RoundState.COMPLETE}),
    RoundState.COMPLETE: frozenset(),
}

#: Every move is made by programme staff; listed per move so that later roles slot in here.
TRANSITION_ROLE = "programme_staff"


def transition_allowed(current: str, target: str) -> bool:
    return RoundState(target) in ALLOWED_TRANSITIONS[RoundState(current)]


def next_states(current: str) -> list[RoundState]:
    """The states a round in ``current`` may move to, in lifecycle order."""
    allowed = ALLOWED_TRANSITIONS[RoundState(current)]
    return [state for state in RoundState if state in allowed]
