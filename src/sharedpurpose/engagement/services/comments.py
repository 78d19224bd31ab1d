"""Comments and questions from the public: posting, reports, moderation, answers, personal data."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from sharedpurpose.core.audit import audit_changes, audit_record
from sharedpurpose.core.text import markdown_to_html
from sharedpurpose.programmes.models import Programme, Round

from ..comments_selectors import comments_of_email, engagement_settings_get
from ..models import Comment, CommentReport, EngagementSettings, FunderAnswer
from ..outbox import outbox_enqueue

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User

NAME_MAX = 100
BODY_MAX = 5000
REASON_MAX = 1000
ANSWER_MAX = 10000


@dataclass(frozen=True)
class RateLimit:
    """At most ``count`` actions per ``seconds`` for one key (an IP address or an e-mail)."""

    name: str
    count: int
    seconds: int


POSTS_PER_IP = RateLimit("comment-ip", 5, 600)
POSTS_PER_EMAIL = RateLimit("comment-email", 3, 600)
REPORTS_PER_IP = RateLimit("report-ip", 5, 600)
MY_DATA_PER_IP = RateLimit("my-data-ip", 5, 600)
MY_DATA_PER_EMAIL = RateLimit("my-data-email", 2, 600)

MY_COMMENTS_SALT = "sharedpurpose.engagement.my-comments"
MY_COMMENTS_MAX_AGE = 24 * 60 * 60


class RateLimitedError(ValidationError):
    """Too many attempts in a short time; the view answers HTTP 429."""


# --- spam control -----------------------------------------------------------------------------


def _limit_key(limit: RateLimit, value: str) -> str:
    # Hashed so addresses never sit in the cache in clear, and keys stay short and safe.
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"sp-rate:{limit.name}:{digest}"


def _limits_check(checks: list[tuple[RateLimit, str]], message: str) -> None:
    """Refuse when any key is at its limit; otherwise count this attempt against each."""
    for limit, value in checks:
        if value and (cache.get(_limit_key(limit, value)) or 0) >= limit.count:
            raise RateLimitedError(message, code="rate_limited")
    for limit, value in checks:
        if not value:
            continue
        key = _limit_key(limit, value)
        if cache.add(key, 1, timeout=limit.seconds):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=limit.seconds)


def _scope(programme: Programme) -> str:
    return f"programme:{programme.pk}"


def _page_url(comment: Comment) -> str:
    page = comment.round if comment.round_id else comment.programme
    assert page is not None
    return f"{page.get_absolute_url()}#comment-{comment.pk}"


# --- the public ----------------------------------------------------------------------------------


def _clean_text(value: str, *, field: str, maximum: int, missing: str, label: str) -> str:
    text = value.strip()
    if not text:
        raise ValidationError({field: missing})
    if len(text) > maximum:
        raise ValidationError({field: f"{label} must be {maximum:,} characters or fewer."})
    return text


def comment_post(
    *,
    programme: Programme,
    round_: Round | None,
    author_name: str,
    author_email: str,
    body: str,
    is_question: bool,
    ip_address: str,
    honeypot: str = "",
) -> Comment | None:
    """Store a comment from the public; ``None`` when the honeypot shows it came from a bot.

    Pre-moderated sites keep it pending until staff approve it; post-moderated sites publish it.
    """
    if honeypot.strip():
        return None
    page = round_ or programme
    if page.comments_locked or (round_ is not None and programme.comments_locked):
        raise ValidationError("Comments are closed on this page.", code="locked")
    name = _clean_text(
        author_name, field="author_name", maximum=NAME_MAX, missing="Enter your name", label="Name"
    )
    email = author_email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"author_email": "Enter an e-mail address like name@example.org"}
        ) from None
    text = _clean_text(
        body,
        field="body",
        maximum=BODY_MAX,
        missing="Enter your comment or question",
        label="Your comment",
    )
    _limits_check(
        [(POSTS_PER_IP, ip_address), (POSTS_PER_EMAIL, email)],
        "You have posted several comments in the last few minutes. Wait 10 minutes and try again.",
    )
    moderation = engagement_settings_get().comment_moderation
    published = moderation == EngagementSettings.Moderation.POST
    return Comment.objects.create(
        programme=programme,
        round=round_,
        author_name=name,
        author_email=email,
        body=text,
        is_question=is_question,
        status=Comment.Status.PUBLISHED if published else Comment.Status.PENDING,
    )


def comment_report(*, comment: Comment, reason: str, ip_address: str) -> CommentReport:
    """A reader reports a published comment; it joins the staff moderation queue."""
    if comment.status != Comment.Status.PUBLISHED:
        raise ValidationError("This comment can no longer be reported.")
    text = _clean_text(
        reason,
        field="reason",
        maximum=REASON_MAX,
        missing="Tell us what is wrong with this comment",
        label="Your reason",
    )
    _limits_check(
        [(REPORTS_PER_IP, ip_address)],
        "You have sent several reports in the last few minutes. Wait 10 minutes and try again.",
    )
    return CommentReport.objects.create(comment=comment, reason=text)


# --- staff ---------------------------------------------------------------------------------------


def _reports_resolve(comment: Comment) -> int:
    return comment.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())


def _status_set(*, actor: User, comment: Comment, status: str, action: str, summary: str) -> None:
    before = {"status": comment.status}
    comment.status = status
    comment.moderated_by = actor
    comment.moderated_at = timezone.now()
    comment.save(update_fields=["status", "moderated_by", "moderated_at"])
    resolved = _reports_resolve(comment)
    changes = audit_changes(before, {"status": status})
    if resolved:
        changes["reports_resolved"] = [0, resolved]
    audit_record(
        actor=actor,
        action=action,
        obj=comment,
        scope=_scope(comment.programme),
        summary=summary,
        changes=changes,
    )


@transaction.atomic
def comment_approve(*, actor: User, comment: Comment) -> Comment:
    """Publish a pending comment, or keep a reported one and close its reports."""
    if comment.status == Comment.Status.HIDDEN:
        raise ValidationError("This comment is hidden: unhide it to publish it again.")
    _status_set(
        actor=actor,
        comment=comment,
        status=Comment.Status.PUBLISHED,
        action="comment.approve",
        summary=f"Approved the comment by {comment.author_name}",
    )
    return comment


@transaction.atomic
def comment_hide(*, actor: User, comment: Comment) -> Comment:
    _status_set(
        actor=actor,
        comment=comment,
        status=Comment.Status.HIDDEN,
        action="comment.hide",
        summary=f"Hid the comment by {comment.author_name}",
    )
    return comment


@transaction.atomic
def comment_unhide(*, actor: User, comment: Comment) -> Comment:
    if comment.status != Comment.Status.HIDDEN:
        raise ValidationError("Only a hidden comment can be unhidden.")
    _status_set(
        actor=actor,
        comment=comment,
        status=Comment.Status.PUBLISHED,
        action="comment.unhide",
        summary=f"Unhid the comment by {comment.author_name}",
    )
    return comment


@transaction.atomic
def comment_delete(*, actor: User, comment: Comment) -> None:
    audit_record(
        actor=actor,
        action="comment.delete",
        obj=comment,
        scope=_scope(comment.programme),
        summary=f"Deleted the comment by {comment.author_name}",
        changes={"status": [comment.status, None]},
    )
    comment.delete()


def _answer_email(comment: Comment, answer: FunderAnswer) -> dict[str, str]:
    funder = settings.SHAREDPURPOSE_FUNDER_NAME
    url = f"{settings.SITE_URL}{_page_url(comment)}"
    excerpt = comment.body if len(comment.body) <= 300 else comment.body[:297] + "..."
    body_text = (
        f"Dear {comment.author_name}\n\n"
        f"{funder} has answered your question on {settings.SHAREDPURPOSE_SITE_NAME}.\n\n"
        f"You asked:\n{excerpt}\n\n"
        f"The answer:\n{answer.body}\n\n"
        f"Read it on the page: {url}\n"
    )
    body_html = (
        f"<p>Dear {escape(comment.author_name)}</p>"
        f"<p>{escape(funder)} has answered your question on "
        f"{escape(settings.SHAREDPURPOSE_SITE_NAME)}.</p>"
        f"<p>You asked:</p><blockquote>{escape(excerpt)}</blockquote>"
        f"<p>The answer:</p>{markdown_to_html(answer.body)}"
        f'<p><a href="{escape(url)}">Read it on the page</a></p>'
    )
    return {
        "subject": f"{funder} has answered your question",
        "body_text": body_text,
        "body_html": body_html,
    }


@transaction.atomic
def comment_answer(*, actor: User, comment: Comment, body: str) -> FunderAnswer:
    """Publish the funder's answer under a comment (publishing the comment too) and tell the
    person who asked, once."""
    if comment.status == Comment.Status.HIDDEN:
        raise ValidationError("This comment is hidden: unhide it before answering.")
    text = _clean_text(
        body, field="body", maximum=ANSWER_MAX, missing="Enter the answer", label="The answer"
    )
    if comment.status == Comment.Status.PENDING:
        _status_set(
            actor=actor,
            comment=comment,
            status=Comment.Status.PUBLISHED,
            action="comment.approve",
            summary=f"Approved the comment by {comment.author_name} to answer it",
        )
    answer = FunderAnswer.objects.create(comment=comment, body=text, answered_by=actor)
    audit_record(
        actor=actor,
        action="comment.answer",
        obj=answer,
        scope=_scope(comment.programme),
        summary=f"Answered the comment by {comment.author_name}",
        changes={"body": [None, text[:200]]},
    )
    email = _answer_email(comment, answer)
    outbox_enqueue(
        dedupe_key=f"comment-answer:{answer.pk}",
        kind="comment_answered",
        to_email=comment.author_email,
        subject=email["subject"],
        body_text=email["body_text"],
        body_html=email["body_html"],
        headers={},
    )
    return answer


@transaction.atomic
def comments_lock(
    *, actor: User, programme: Programme, round_: Round | None, locked: bool
) -> Programme | Round:
    """Close (or reopen) a programme or round page to new comments; existing ones stay."""
    page: Programme | Round = round_ if round_ is not None else programme
    if page.comments_locked == locked:
        return page
    before = {"comments_locked": page.comments_locked}
    page.comments_locked = locked
    page.save(update_fields=["comments_locked", "updated_at"])
    audit_record(
        actor=actor,
        action="comments.lock" if locked else "comments.unlock",
        obj=page,
        scope=_scope(programme),
        summary=f"{'Locked' if locked else 'Unlocked'} comments on {page}",
        changes=audit_changes(before, {"comments_locked": locked}),
    )
    return page


@transaction.atomic
def comment_settings_update(*, actor: User, moderation: str) -> EngagementSettings:
    if moderation not in EngagementSettings.Moderation.values:
        raise ValidationError({"comment_moderation": "Choose pre-moderated or post-moderated."})
    row, _ = EngagementSettings.objects.get_or_create(pk=1)
    if row.comment_moderation == moderation:
        return row
    before = {"comment_moderation": row.comment_moderation}
    row.comment_moderation = moderation
    row.save(update_fields=["comment_moderation", "updated_at"])
    audit_record(
        actor=actor,
        action="comments.settings",
        obj=row,
        scope="site",
        summary=f"Comments are now {row.get_comment_moderation_display().lower()}",
        changes=audit_changes(before, {"comment_moderation": moderation}),
    )
    return row


# --- personal data -------------------------------------------------------------------------------


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=MY_COMMENTS_SALT)


def my_comments_token_make(*, email: str) -> str:
    return _signer().sign_object({"e": email.strip().lower()})


def my_comments_token_read(*, token: str) -> str:
    """The e-mail address a link was sent to; ``ValidationError`` when forged or over 24 hours."""
    try:
        data: Any = _signer().unsign_object(token, max_age=MY_COMMENTS_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError("This link has expired. Ask for a new one.", code="expired") from None
    except signing.BadSignature:
        raise ValidationError("This link is not valid. Ask for a new one.", code="bad") from None
    if not isinstance(data, dict) or not isinstance(data.get("e"), str):
        raise ValidationError("This link is not valid. Ask for a new one.", code="bad")
    return str(data["e"])


def my_comments_link_request(*, email: str, ip_address: str) -> None:
    """E-mail a 24-hour link to a person's comments, only if they have any; the caller says the
    same thing either way, so the page never reveals who has commented."""
    address = email.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": "Enter an e-mail address like name@example.org"}) from None
    _limits_check(
        [(MY_DATA_PER_IP, ip_address), (MY_DATA_PER_EMAIL, address)],
        "You have asked several times in the last few minutes. Wait 10 minutes and try again.",
    )
    if not Comment.objects.filter(author_email__iexact=address).exists():
        return
    token = my_comments_token_make(email=address)
    path = reverse("engagement:my_comments", kwargs={"token": token})
    url = f"{settings.SITE_URL}{path}"
    site = settings.SHAREDPURPOSE_SITE_NAME
    outbox_enqueue(
        dedupe_key=f"my-comments:{hashlib.sha256(token.encode()).hexdigest()[:40]}",
        kind="my_comments_link",
        to_email=address,
        subject=f"Your comments and questions on {site}",
        body_text=(
            f"You asked to see the comments and questions you posted on {site}.\n\n"
            f"Open this link within 24 hours to download or erase them:\n{url}\n\n"
            "If you did not ask for this, you can ignore this e-mail.\n"
        ),
        body_html=(
            f"<p>You asked to see the comments and questions you posted on {site}.</p>"
            f'<p><a href="{url}">Download or erase your comments</a> (the link works for '
            "24 hours).</p><p>If you did not ask for this, you can ignore this e-mail.</p>"
        ),
        headers={},
    )


def my_comments_export(*, email: str) -> dict[str, Any]:
    """Everything held about a commenter, as plain JSON-ready data."""
    comments = comments_of_email(email=email)
    return {
        "email": email,
        "exported_at": timezone.now().isoformat(),
        "comments": [
            {
                "name": c.author_name,
                "page": _page_url(c).split("#", 1)[0],
                "text": c.body,
                "is_question": c.is_question,
                "status": c.status,
                "posted_at": c.created_at.isoformat(),
                "answers": [
                    {"text": a.body, "answered_at": a.answered_at.isoformat()}
                    for a in c.answers.all()
                ],
            }
            for c in comments
        ],
    }


@transaction.atomic
def my_comments_erase(*, email: str) -> int:
    """Delete a person's comments and the answers to them; the audit keeps no address."""
    comments = comments_of_email(email=email)
    for comment in comments:
        audit_record(
            actor=None,
            action="comment.erase",
            obj=comment,
            scope=_scope(comment.programme),
            summary="Erased a comment at the request of the person who wrote it",
            changes={"answers_erased": [len(comment.answers.all()), 0]},
        )
    Comment.objects.filter(pk__in=[c.pk for c in comments]).delete()
    return len(comments)
