"""Reads of programmes and rounds as the public sees them."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from .models import PUBLIC_ROUND_STATES, Programme, Round


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
