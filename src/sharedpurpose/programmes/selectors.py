"""Reads of programmes, rounds and announcements: as the public sees them, and for staff."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import PUBLIC_ROUND_STATES, Announcement, Programme, Round, RoundTransition

#: How many announcements the feeds and the programme page show.
FEED_LENGTH = 20


def _public_rounds() -> QuerySet[Round]:
    return Round.objects.filter(state__in=PUBLIC_ROUND_STATES).order_by("number")


def programmes_public() -> QuerySet[Programme]:
    return Programme.objects.filter(is_published=True).prefetch_related(
        Prefetch("rounds", queryset=_public_rounds())
    )


def programme_public_get(*, slug: str) -> Programme:
    return get_object_or_404(programmes_public(), slug=slug)


def round_public_get(*, programme_slug: str, round_slug: str) -> Round:
    return get_object_or_404(
        _public_rounds().select_related("programme"),
        programme__slug=programme_slug,
        programme__is_published=True,
        slug=round_slug,
    )


def announcements_public(*, programme: Programme | None = None) -> QuerySet[Announcement]:
    """The newest announcements of published programmes, none about a draft round."""
    announcements = (
        Announcement.objects.filter(programme__is_published=True)
        .filter(Q(round__isnull=True) | Q(round__state__in=PUBLIC_ROUND_STATES))
        .select_related("programme", "round")
    )
    if programme is not None:
        announcements = announcements.filter(programme=programme)
    return announcements[:FEED_LENGTH]


# --------------------------------------------------------------------------
# Staff
# --------------------------------------------------------------------------


def programmes_for_staff() -> QuerySet[Programme]:
    """Every programme with all its rounds, drafts included."""
    return Programme.objects.prefetch_related(
        Prefetch("rounds", queryset=Round.objects.order_by("number"))
    )


def programme_staff_get(*, slug: str) -> Programme:
    return get_object_or_404(Programme, slug=slug)


def round_staff_get(*, programme_slug: str, round_slug: str) -> Round:
    return get_object_or_404(
        Round.objects.select_related("programme"),
        programme__slug=programme_slug,
        slug=round_slug,
    )


def round_transitions(*, round_: Round) -> QuerySet[RoundTransition]:
    return RoundTransition.objects.filter(round=round_).select_related("actor")


def round_announcements(*, round_: Round) -> QuerySet[Announcement]:
    return Announcement.objects.filter(round=round_)


def announcements_for_staff(*, programme: Programme) -> QuerySet[Announcement]:
    return Announcement.objects.filter(programme=programme).select_related("round")


def announcement_staff_get(*, programme_slug: str, announcement_id: int) -> Announcement:
    return get_object_or_404(
        Announcement.objects.select_related("programme", "round"),
        programme__slug=programme_slug,
        pk=announcement_id,
    )
