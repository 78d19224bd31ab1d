"""Reads of comments and questions: what a page shows, what staff moderate, what a person wrote."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet

from sharedpurpose.programmes.models import PUBLIC_ROUND_STATES, Programme, Round
from sharedpurpose.programmes.selectors import staffed_only

from .models import Comment, CommentReport, EngagementSettings, FunderAnswer

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sharedpurpose.accounts.models import User


def engagement_settings_get() -> EngagementSettings:
    """The site's engagement settings: the defaults until staff first save them (reading
    them writes nothing)."""
    return EngagementSettings.objects.filter(pk=1).first() or EngagementSettings(pk=1)


def comments_published_for_page(*, programme: Programme, round_: Round | None) -> list[Comment]:
    """Published comments of one page in the order they were posted, answers prefetched."""
    return list(
        Comment.objects.filter(
            programme=programme, round=round_, status=Comment.Status.PUBLISHED
        ).prefetch_related(
            Prefetch("answers", queryset=FunderAnswer.objects.order_by("answered_at", "pk"))
        )
    )


def comments_page_fingerprint(*, programme: Programme, round_: Round | None) -> str:
    """One cheap query whose answer changes whenever what a page shows could change: a comment
    posted, approved, hidden, unhidden, deleted or erased, or an answer added."""
    published = Q(status=Comment.Status.PUBLISHED)
    summary = Comment.objects.filter(programme=programme, round=round_).aggregate(
        n_published=Count("pk", filter=published, distinct=True),
        newest_pk=Max("pk", filter=published),
        last_moderated=Max("moderated_at"),
        n_answers=Count("answers", filter=published),
        newest_answer_pk=Max("answers__pk", filter=published),
    )
    return "-".join(str(summary[key]) for key in sorted(summary))


def comment_page_get(*, programme_id: int, round_id: int | None) -> tuple[Programme, Round | None]:
    """The published programme (and public round of it) a comment is posted on.

    Raises ``Programme.DoesNotExist`` or ``Round.DoesNotExist`` when the page is not public.
    """
    programme = Programme.objects.get(pk=programme_id, is_published=True)
    if round_id is None:
        return programme, None
    round_ = Round.objects.get(pk=round_id, programme=programme, state__in=PUBLIC_ROUND_STATES)
    return programme, round_


def comment_public_get(*, pk: int) -> Comment:
    return Comment.objects.select_related("programme", "round").get(
        pk=pk, status=Comment.Status.PUBLISHED
    )


def _comments_for_staff(user: User | AnonymousUser) -> QuerySet[Comment]:
    """Comments on the programmes ``user`` runs, and on their rounds."""
    return staffed_only(Comment.objects.all(), user=user, path="programme")


def comment_for_staff_get(*, user: User | AnonymousUser, pk: int) -> Comment:
    """A comment on a programme ``user`` runs; ``Comment.DoesNotExist`` for any other."""
    return _comments_for_staff(user).select_related("programme", "round").get(pk=pk)


def comment_page_for_staff_get(
    *, user: User | AnonymousUser, programme_id: int, round_id: int | None
) -> tuple[Programme, Round | None]:
    """A page (programme, or round of it) of a programme ``user`` runs, whose comments they
    moderate. Raises ``Programme.DoesNotExist`` or ``Round.DoesNotExist`` for any other."""
    programme = staffed_only(Programme.objects.all(), user=user, path="pk").get(pk=programme_id)
    if round_id is None:
        return programme, None
    return programme, Round.objects.get(pk=round_id, programme=programme)


def moderation_queue(*, user: User | AnonymousUser) -> list[Comment]:
    """Comments awaiting approval first, then comments with open reports; oldest first; only
    those on the programmes ``user`` runs."""
    open_reports = CommentReport.objects.filter(comment=OuterRef("pk"), resolved_at__isnull=True)
    queryset: QuerySet[Comment] = (
        _comments_for_staff(user)
        .annotate(
            has_open_report=Exists(open_reports),
            open_report_count=Count("reports", filter=Q(reports__resolved_at__isnull=True)),
        )
        .filter(Q(status=Comment.Status.PENDING) | Q(has_open_report=True))
        .select_related("programme", "round")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=CommentReport.objects.filter(resolved_at__isnull=True),
                to_attr="open_reports",
            ),
            "answers",
        )
    )
    comments = list(queryset)
    comments.sort(key=lambda c: (c.status != Comment.Status.PENDING, c.created_at, c.pk))
    return comments


def comments_recent_for_staff(*, user: User | AnonymousUser, limit: int = 30) -> list[Comment]:
    """The latest published or hidden comments on the programmes ``user`` runs, so they can
    hide, unhide or answer them."""
    return list(
        _comments_for_staff(user)
        .exclude(status=Comment.Status.PENDING)
        .select_related("programme", "round")
        .prefetch_related("answers")
        .order_by("-created_at", "-pk")[:limit]
    )


def comments_of_email(*, email: str) -> list[Comment]:
    return list(
        Comment.objects.filter(author_email__iexact=email.strip())
        .select_related("programme", "round")
        .prefetch_related("answers")
        .order_by("created_at", "pk")
    )
