"""What engagement holds about people, and a commenter's export and erasure.

Commenters and subscribers need no account: they reach their data through a signed link
e-mailed to their address (comments) or carried in every mailing (stay informed). A
commenter's erasure deletes their comments, the e-mails about them still to send, the
address and words of those already sent, and their name in the audit of their comments.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from sharedpurpose.core.models import AuditEvent
from sharedpurpose.core.personal_data import (
    YOUR_PART,
    Erasure,
    Holder,
    Pseudonym,
    addresses_q,
    rows_rewrite,
)

from .comments_selectors import comments_of_email
from .models import Comment, FunderAnswer, OutboxMessage
from .services.comments import my_comments_erase, my_comments_export

#: E-mails a person gets because they commented.
COMMENT_MAIL_KINDS = ("comment_answered", "my_comments_link")
#: What stands for a commenter without an account in the records kept about their comments.
ERASED_COMMENTER_NAME = "Erased commenter"
ERASED_COMMENTER_EMAIL = "erased-commenter@erased.invalid"

_UNSENT = (OutboxMessage.Status.QUEUED, OutboxMessage.Status.SENDING)

HOLDERS = (
    Holder(
        model="engagement.Comment",
        fields=("author_name", "author_email", "body"),
        erasure=Erasure.DELETED,
        export="comments",
        reason=(
            "A comment is the person's own words and serves no record; it is deleted with "
            "the answers to it, and the audit of it keeps the action without their name."
        ),
    ),
    Holder(
        model="engagement.Comment",
        fields=("moderated_by",),
        erasure=Erasure.KEPT,
        export=YOUR_PART,
        about=("programme__name",),
        when="moderated_at",
        reason="Who moderated a comment is part of the funder's record.",
    ),
    Holder(
        model="engagement.FunderAnswer",
        fields=("answered_by",),
        erasure=Erasure.KEPT,
        export=YOUR_PART,
        about=("comment__programme__name",),
        when="answered_at",
        reason="Who answered as the funder is part of the funder's record.",
    ),
    Holder(
        model="engagement.Subscriber",
        fields=("email", "name"),
        erasure=Erasure.DELETED,
        export="subscriptions",
        reason="A stay-informed sign-up serves only the person.",
    ),
    Holder(
        model="engagement.OutboxMessage",
        fields=("to_email",),
        erasure=Erasure.EMPTIED,
        export="emails_to_you",
        rewrite=("subject", "body_text", "body_html", "headers", "last_error"),
        reason=(
            "An e-mail not sent yet is dropped; one sent stays for the delivery counts, "
            "without the address, the words or the headers. E-mails to others that name "
            "the person name the pseudonym instead."
        ),
    ),
)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _outbox_to(
    addresses: Collection[str], kinds: Collection[str] | None
) -> QuerySet[OutboxMessage]:
    messages = OutboxMessage.objects.filter(addresses_q("to_email", addresses))
    return messages.filter(kind__in=kinds) if kinds is not None else messages


def outbox_export(
    *, addresses: Collection[str], kinds: Collection[str] | None = None
) -> list[dict[str, Any]]:
    """E-mails to ``addresses`` in the outbox (of ``kinds``, or every kind)."""
    return [
        {
            "kind": m.kind,
            "subject": m.subject,
            "status": m.status,
            "queued_at": _when(m.created_at),
            "sent_at": _when(m.sent_at),
        }
        for m in _outbox_to(addresses, kinds).order_by("created_at", "pk")
    ]


def outbox_erase(*, addresses: Collection[str], kinds: Collection[str] | None = None) -> int:
    """Drop e-mails to ``addresses`` not sent yet; keep those sent, for the delivery counts,
    without the address, the words or the headers. Returns how many were dropped."""
    messages = _outbox_to(addresses, kinds)
    dropped, _ = messages.filter(status__in=_UNSENT).delete()
    messages.update(to_email="", body_text="", body_html="", headers={}, last_error="")
    return dropped


def commenter_export(*, email: str) -> dict[str, Any]:
    """A commenter's comments, with the answers to them, and the e-mails they got about them."""
    return {
        **my_comments_export(email=email),
        "emails_to_you": outbox_export(addresses=[email], kinds=COMMENT_MAIL_KINDS),
    }


@transaction.atomic
def commenter_erase(*, email: str) -> int:
    """Erase what is held because ``email`` commented; returns how many comments went."""
    comments = comments_of_email(email=email)
    answers = FunderAnswer.objects.filter(comment__in=comments).values_list("pk", flat=True)
    about_them = AuditEvent.objects.filter(
        Q(object_type=Comment._meta.label_lower, object_id__in=[str(c.pk) for c in comments])
        | Q(object_type=FunderAnswer._meta.label_lower, object_id__in=[str(a) for a in answers])
    )
    pseudonym = Pseudonym(
        names=tuple({c.author_name for c in comments}),
        addresses=(email,),
        name=ERASED_COMMENTER_NAME,
        email=ERASED_COMMENTER_EMAIL,
    )
    rows_rewrite(pseudonym, about_them, ("summary", "changes"))
    erased = my_comments_erase(email=email)
    outbox_erase(addresses=[email], kinds=COMMENT_MAIL_KINDS)
    return erased
