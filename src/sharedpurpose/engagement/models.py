from __future__ import annotations

from django.conf import settings
from django.db import models

from sharedpurpose.programmes.models import Programme, Round


class EngagementSettings(models.Model):
    """Site-wide settings staff change in the site; a single row (pk 1)."""

    class Moderation(models.TextChoices):
        PRE = "pre", "Pre-moderated: comments appear once staff approve them"
        POST = "post", "Post-moderated: comments appear at once; staff can hide them"

    comment_moderation = models.CharField(
        max_length=4, choices=Moderation.choices, default=Moderation.PRE
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "engagement settings"

    def __str__(self) -> str:
        return f"Comments are {self.get_comment_moderation_display().lower()}"


class Comment(models.Model):
    """A comment or question from the public on a programme or a round page."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        PUBLISHED = "published", "Published"
        HIDDEN = "hidden", "Hidden by staff"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="comments")
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    author_name = models.CharField(max_length=100)
    author_email = models.EmailField(help_text="Kept private; used to tell the asker of answers.")
    body = models.TextField(help_text="A Markdown subset, sanitised when shown.")
    is_question = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["programme", "round", "status"])]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"


class FunderAnswer(models.Model):
    """Staff's answer to a comment or question, shown under it as the funder's answer."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="answers")
    body = models.TextField(help_text="Markdown.")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["answered_at", "pk"]

    def __str__(self) -> str:
        return f"Answer to {self.comment}"


class CommentReport(models.Model):
    """A reader's report that a comment breaks the rules."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reason = models.TextField(max_length=1000)
    reported_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-reported_at"]

    def __str__(self) -> str:
        return f"Report on {self.comment}"


class Subscriber(models.Model):
    """A person who asked to stay informed; mailed only once they confirm (double opt-in)."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=100, blank=True)
    all_programmes = models.BooleanField(default=True)
    programmes = models.ManyToManyField(Programme, blank=True, related_name="subscribers")
    consent_text = models.TextField(help_text="The consent wording the person agreed to.")
    consent_version = models.CharField(max_length=20)
    consented_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email


class OutboxMessage(models.Model):
    """An e-mail to send, written in the same transaction as the change that causes it.

    ``dedupe_key`` is unique, so however often a fan-out or a retry runs, each person gets
    each message once; a worker claims a row before sending and records the outcome.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    dedupe_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=50, help_text="e.g. round_open, comment_answered.")
    to_email = models.EmailField()
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    round = models.ForeignKey(
        Round, on_delete=models.SET_NULL, null=True, blank=True, related_name="outbox_messages"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["round", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_email} ({self.status})"
