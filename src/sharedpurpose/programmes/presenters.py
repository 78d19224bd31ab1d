"""Rounds shaped for pages: key dates in the round's own timezone, status, next moves."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .dates import when_local
from .lifecycle import next_states
from .models import Round, RoundState

_TAG_CLASSES = {
    RoundState.DRAFT: "nhsuk-tag--grey",
    RoundState.ANNOUNCED: "nhsuk-tag--blue",
    RoundState.OPEN: "nhsuk-tag--green",
    RoundState.CLOSED: "nhsuk-tag--grey",
    RoundState.IN_DELIVERY: "nhsuk-tag--purple",
    RoundState.COMPLETE: "nhsuk-tag--white",
}

# What the button for each move says, by (from, to); a move not listed uses the state's label.
_MOVE_LABELS = {
    (RoundState.DRAFT, RoundState.ANNOUNCED): "Announce the round",
    (RoundState.DRAFT, RoundState.OPEN): "Open for applications",
    (RoundState.ANNOUNCED, RoundState.DRAFT): "Return to draft",
    (RoundState.ANNOUNCED, RoundState.OPEN): "Open for applications",
    (RoundState.OPEN, RoundState.CLOSED): "Close applications",
    (RoundState.CLOSED, RoundState.OPEN): "Reopen applications",
    (RoundState.CLOSED, RoundState.IN_DELIVERY): "Start delivery",
    (RoundState.IN_DELIVERY, RoundState.COMPLETE): "Mark the round complete",
}


@dataclass(frozen=True)
class Move:
    """One move a round can make next, as a button."""

    state: RoundState
    label: str
    is_opening: bool


class RoundPresenter:
    """A round's status and key dates, written for people, in the round's timezone."""

    def __init__(self, round_: Round) -> None:
        self.round = round_

    @cached_property
    def state(self) -> RoundState:
        return RoundState(self.round.state)

    @cached_property
    def tag_class(self) -> str:
        return _TAG_CLASSES[self.state]

    @cached_property
    def opens(self) -> str:
        value = self.round.applications_open_at
        return when_local(value, self.round.timezone) if value else ""

    @cached_property
    def closes(self) -> str:
        value = self.round.applications_close_at
        return when_local(value, self.round.timezone) if value else ""

    @cached_property
    def delivery(self) -> str:
        starts, ends = self.round.delivery_starts_on, self.round.delivery_ends_on
        if starts and ends:
            return f"{starts:%B %Y} to {ends:%B %Y}"
        if starts:
            return f"From {starts:%B %Y}"
        return ""

    @cached_property
    def status_sentence(self) -> str:
        """The one sentence an applicant needs: when they can apply, or that they cannot."""
        if self.state is RoundState.DRAFT:
            return "This round is a draft and not yet public."
        if self.state is RoundState.ANNOUNCED:
            if self.opens:
                return f"Opening soon: applications open at {self.opens}."
            return "Opening soon: dates to be announced."
        if self.state is RoundState.OPEN:
            if self.closes:
                return f"Open for applications until {self.closes}."
            return "Open for applications."
        if self.state is RoundState.CLOSED:
            return "Closed for applications."
        if self.state is RoundState.IN_DELIVERY:
            return "Applications have closed and the award-holder teams are at work."
        return "This round is complete."

    @cached_property
    def has_key_dates(self) -> bool:
        return bool(self.opens or self.closes or self.delivery)

    @cached_property
    def moves(self) -> list[Move]:
        return [
            Move(
                state=target,
                label=_MOVE_LABELS.get((self.state, target), str(target.label)),
                is_opening=target is RoundState.OPEN,
            )
            for target in next_states(self.state)
        ]
