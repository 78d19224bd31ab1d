"""Reads of programmes, rounds and announcements: as the public sees them, and for staff."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from sharedpurpose.accounts.roles import programme_ids_staffed_by, user_is_programme_staff

from .models import PUBLIC_ROUND_STATES, Announcement, Programme, Round, RoundTransition

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sharedpurpose.accounts.models import User

M = TypeVar("M", bound=Model)

#: How many announcements the feeds and the programme page show.
FEED_LENGTH = 20
PROGRAMME_STAFFING_REFUSED = "Only staff of every programme choose the people who run a programme."


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
# Staff: each read is narrowed to the programmes the person runs
# --------------------------------------------------------------------------


def staffed_only(queryset: QuerySet[M], *, user: User | AnonymousUser, path: str) -> QuerySet[M]:
    """``queryset`` narrowed to the rows of programmes ``user`` runs.

    ``path`` leads from a row to its programme's id (``"pk"`` for programmes themselves,
    ``"round__programme"`` for teams). Staff of every programme keep every row.
    """
    ids = programme_ids_staffed_by(user)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{path}__in": ids})


def _with_rounds(programmes: QuerySet[Programme], rounds: QuerySet[Round]) -> QuerySet[Programme]:
    return programmes.prefetch_related(Prefetch("rounds", queryset=rounds.order_by("number")))


def programmes_for_staff(*, user: User | AnonymousUser) -> QuerySet[Programme]:
    """The programmes ``user`` runs, with all their rounds, drafts included."""
    programmes = _with_rounds(Programme.objects.all(), Round.objects.all())
    return staffed_only(programmes, user=user, path="pk")


def programme_staff_get(*, user: User | AnonymousUser, slug: str) -> Programme:
    """A programme ``user`` runs; 404 for any other, so its existence stays private."""
    return get_object_or_404(staffed_only(Programme.objects.all(), user=user, path="pk"), slug=slug)


def programme_staffing_get(*, user: User | AnonymousUser, slug: str) -> Programme:
    """A programme whose own staff ``user`` may list and change: 404 unless they run it, 403
    unless they run every programme (one programme's staff do not choose their colleagues)."""
    programme = programme_staff_get(user=user, slug=slug)
    if not user_is_programme_staff(user):
        raise PermissionDenied(PROGRAMME_STAFFING_REFUSED)
    return programme


def programme_staff_members(*, programme: Programme) -> QuerySet[User]:
    """The people who run ``programme`` only, by name."""
    return programme.staff.order_by("full_name", "email")


def round_staff_get(*, user: User | AnonymousUser, programme_slug: str, round_slug: str) -> Round:
    """A round, drafts included, of a programme ``user`` runs; 404 for any other."""
    rounds = staffed_only(Round.objects.select_related("programme"), user=user, path="programme")
    return get_object_or_404(rounds, programme__slug=programme_slug, slug=round_slug)


def round_transitions(*, round_: Round) -> QuerySet[RoundTransition]:
    return RoundTransition.objects.filter(round=round_).select_related("actor")


def round_announcements(*, round_: Round) -> QuerySet[Announcement]:
    return Announcement.objects.filter(round=round_)


def announcements_for_staff(*, programme: Programme) -> QuerySet[Announcement]:
    return Announcement.objects.filter(programme=programme).select_related("round")


def announcement_staff_get(
    *, user: User | AnonymousUser, programme_slug: str, announcement_id: int
) -> Announcement:
    """An announcement of a programme ``user`` runs; 404 for any other."""
    announcements = staffed_only(
        Announcement.objects.select_related("programme", "round"), user=user, path="programme"
    )
    return get_object_or_404(announcements, programme__slug=programme_slug, pk=announcement_id)


# --------------------------------------------------------------------------
# What a person may read: the public's view, plus everything of the programmes they run
# --------------------------------------------------------------------------


def rounds_visible_to(*, user: User | AnonymousUser) -> QuerySet[Round]:
    """Public rounds of published programmes, and every round of the programmes ``user`` runs."""
    ids = programme_ids_staffed_by(user)
    if ids is None:
        return Round.objects.all()
    public = Q(state__in=PUBLIC_ROUND_STATES, programme__is_published=True)
    return Round.objects.filter(public | Q(programme__in=ids))


def programmes_visible_to(*, user: User | AnonymousUser) -> QuerySet[Programme]:
    """Published programmes with their public rounds, and the programmes ``user`` runs with
    all of theirs, drafts included."""
    ids = programme_ids_staffed_by(user)
    if ids is None:
        return _with_rounds(Programme.objects.all(), Round.objects.all())
    return _with_rounds(
        Programme.objects.filter(Q(is_published=True) | Q(pk__in=ids)),
        Round.objects.filter(Q(state__in=PUBLIC_ROUND_STATES) | Q(programme__in=ids)),
    )
