"""The e-mail outbox: every e-mail is written as a row first and sent by a background task.

Delivery guarantees. A row is inserted once per ``dedupe_key``, in the same transaction as
the change that causes it, so a rolled-back change sends nothing and a repeated fan-out
sends nothing twice. A worker claims due rows (QUEUED -> SENDING, stamped with the claim's
time) in small batches, then sends them one at a time, releasing each claim as SENT (or
queued for a retry) straight after the hand-off to the backend, and only if the claim is
still its own.

A worker can die at any moment. Before a run sends anything it queues the run that takes
over if it dies, so the rest of the queue goes out as soon as a worker is back; the rows it
had claimed are queued again once their claim is older than ``CLAIM_TIMEOUT``. Every row
keeps one Message-ID across attempts (``outbox_message_id``): a message handed to the mail
server by a worker that died before recording it is sent again with the same Message-ID,
which mail systems treat as the same message. That one message per dead worker is the only
copy that can go out twice. Failures are retried with exponential back-off; after
``MAX_ATTEMPTS`` the row is FAILED and shown to staff on the round page, where they can
queue it again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Min, Q
from django.utils import timezone
from django_tasks import default_task_backend

from sharedpurpose.core.audit import audit_record

from .models import OutboxMessage, Subscriber

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User
    from sharedpurpose.programmes.models import Round

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
#: Minutes to wait after the first, second, third... failure.
BACKOFF_MINUTES = (1, 5, 25, 125)
#: A claim older than this belongs to a worker that stopped; the row is queued again. Long
#: enough for one batch to go through a slow SMTP server (``OUTBOX_CLAIM_TIMEOUT``).
CLAIM_TIMEOUT: timedelta = settings.SHAREDPURPOSE_OUTBOX_CLAIM_TIMEOUT
CLAIM_BATCH = 20

Status = OutboxMessage.Status


def outbox_enqueue(
    *,
    dedupe_key: str,
    kind: str,
    to_email: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    headers: dict[str, str] | None = None,
    subscriber: Subscriber | None = None,
    round_: Round | None = None,
) -> OutboxMessage | None:
    """Queue one e-mail; a second call with the same ``dedupe_key`` does nothing (None).

    Delivery is queued once the surrounding transaction commits.
    """
    if OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        # A savepoint, so a concurrent insert of the same key leaves the caller's
        # transaction usable.
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                dedupe_key=dedupe_key,
                kind=kind,
                to_email=to_email,
                subject=subject[:300],
                body_text=body_text,
                body_html=body_html,
                headers=headers or {},
                subscriber=subscriber,
                round=round_,
            )
    except IntegrityError:
        return None
    outbox_schedule()
    return message


def outbox_schedule() -> None:
    """Start a delivery run when the current transaction commits."""
    from .tasks import outbox_deliver_task

    transaction.on_commit(lambda: outbox_deliver_task.enqueue())


@dataclass
class DeliveryResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    requeued: int = 0


def outbox_requeue_stale(*, now: datetime | None = None) -> int:
    """Queue again rows left in SENDING by a worker that stopped mid-batch."""
    now = now or timezone.now()
    return OutboxMessage.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    ).update(status=Status.QUEUED, claimed_at=None)


def outbox_claim(*, batch: int = CLAIM_BATCH, now: datetime | None = None) -> list[OutboxMessage]:
    """Move up to ``batch`` due rows from QUEUED to SENDING and return them.

    PostgreSQL skips rows another worker has locked; SQLite runs this in an IMMEDIATE
    transaction, which serialises writers. The status check in the UPDATE keeps a row from
    being claimed twice either way.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = (
            OutboxMessage.objects.filter(status=Status.QUEUED)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("pk")
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:batch])
        if not ids:
            return []
        OutboxMessage.objects.filter(pk__in=ids, status=Status.QUEUED).update(
            status=Status.SENDING, claimed_at=now
        )
        return list(
            OutboxMessage.objects.filter(
                pk__in=ids, status=Status.SENDING, claimed_at=now
            ).order_by("pk")
        )


def outbox_message_id(message: OutboxMessage) -> str:
    """The Message-ID of a row, the same on every attempt, so that a copy sent again after a
    worker died mid hand-off is recognised by mail systems as the message they already have."""
    digest = hashlib.sha256(
        f"{message.dedupe_key}|{message.created_at.isoformat()}".encode()
    ).hexdigest()[:24]
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<outbox.{message.pk}.{digest}@{domain}>"


def outbox_message_build(
    message: OutboxMessage,
    *,
    connection: Any = None,
    link_patterns: tuple[str, str] | None = None,
) -> EmailMultiAlternatives:
    """The e-mail for a row, with the subscriber's own signed links filled in."""
    from .services.subscriptions import subscriber_links

    body_text, body_html = message.body_text, message.body_html
    headers = dict(message.headers or {})
    if message.subscriber_id is not None:
        links = subscriber_links(message.subscriber_id, patterns=link_patterns)
        body_text, body_html = links.fill(body_text), links.fill(body_html)
        headers = {name: links.fill(value) for name, value in headers.items()}
    headers.setdefault("Message-ID", outbox_message_id(message))
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        headers=headers,
        connection=connection,
    )
    if body_html:
        email.attach_alternative(body_html, "text/html")
    return email


def outbox_deliver(
    *,
    limit: int | None = None,
    now: Callable[[], datetime] = timezone.now,
) -> DeliveryResult:
    """Send every due message (or up to ``limit``) and record each outcome."""
    from .services.subscriptions import subscriber_link_patterns

    result = DeliveryResult(requeued=outbox_requeue_stale(now=now()))
    patterns = subscriber_link_patterns()
    mail_connection = get_connection()
    handled = 0
    try:
        while limit is None or handled < limit:
            size = CLAIM_BATCH if limit is None else min(CLAIM_BATCH, limit - handled)
            claimed = outbox_claim(batch=size, now=now())
            if not claimed:
                break
            if not handled:
                _takeover_queue()
            for message in claimed:
                handled += 1
                _deliver_one(message, mail_connection, patterns, result, now())
    finally:
        mail_connection.close()
    if not handled:
        _claims_expiry_schedule(now=now())
    if result.retried:
        outbox_schedule_retry()
    return result


def _takeover_queue() -> None:
    """Queue the delivery run that carries on should this one die with work in hand.

    A worker killed mid-run leaves its task marked running forever, so only a run queued in
    advance resumes the rest of the queue. When this run ends normally its successor finds
    nothing due and queues nothing more. Backends that run tasks in the caller's own process
    (the immediate backend tests use) die with their caller and need none.
    """
    from .tasks import outbox_deliver_task

    if default_task_backend.supports_defer:
        outbox_deliver_task.enqueue()


def _claims_expiry_schedule(*, now: datetime) -> None:
    """With nothing to send now but rows still claimed elsewhere, queue a run for when the
    oldest claim expires: if its worker died, that run sends what it left behind."""
    from .tasks import outbox_deliver_task

    if not default_task_backend.supports_defer:
        return
    oldest = OutboxMessage.objects.filter(status=Status.SENDING).aggregate(
        oldest=Min("claimed_at")
    )["oldest"]
    if oldest is not None:
        expires = max(oldest + CLAIM_TIMEOUT, now) + timedelta(seconds=1)
        outbox_deliver_task.using(run_after=expires).enqueue()


def outbox_schedule_retry() -> None:
    """Queue a delivery run for when the earliest backed-off message falls due.

    Without it a message that failed would wait for the next unrelated delivery run. Backends
    that cannot defer work (the immediate backend tests use) rely on later runs instead.
    """
    from .tasks import outbox_deliver_task

    first_due = OutboxMessage.objects.filter(
        status=Status.QUEUED, next_attempt_at__isnull=False
    ).aggregate(first=Min("next_attempt_at"))["first"]
    if first_due is not None and default_task_backend.supports_defer:
        outbox_deliver_task.using(run_after=first_due).enqueue()


def _deliver_one(
    message: OutboxMessage,
    mail_connection: Any,
    patterns: tuple[str, str],
    result: DeliveryResult,
    now: datetime,
) -> None:
    # The claim is released only if it is still this worker's: a worker presumed dead whose
    # claim was taken over records nothing, and the row's new owner sends it.
    claim = OutboxMessage.objects.filter(
        pk=message.pk, status=Status.SENDING, claimed_at=message.claimed_at
    )
    # One connection carries the whole run; a backend that cannot connect fails the send below,
    # which records the failure.
    with suppress(Exception):
        mail_connection.open()
    try:
        outbox_message_build(message, connection=mail_connection, link_patterns=patterns).send()
    except Exception as error:  # any backend error is recorded and retried, never raised
        with suppress(Exception):
            mail_connection.close()  # the next message starts on a fresh connection
        attempts = message.attempts + 1
        fields: dict[str, Any] = {
            "attempts": attempts,
            "last_error": f"{type(error).__name__}: {error}"[:1000],
            "claimed_at": None,
        }
        if attempts >= MAX_ATTEMPTS:
            fields.update(status=Status.FAILED, next_attempt_at=None)
            result.failed += 1
        else:
            delay = BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1]
            fields.update(status=Status.QUEUED, next_attempt_at=now + timedelta(minutes=delay))
            result.retried += 1
        claim.update(**fields)
        return
    # The residual window: a worker that dies between the mail server's acceptance above and
    # this update leaves the row claimed, and the run that takes the claim over sends it
    # again. The copy carries the same Message-ID, so the recipient's mail system can tell.
    if not claim.update(status=Status.SENT, sent_at=timezone.now(), claimed_at=None, last_error=""):
        logger.warning("outbox message %s was sent after its claim was taken over", message.pk)
    result.sent += 1


def outbox_retry(*, actor: User, message_id: int) -> OutboxMessage:
    """Staff queue a FAILED message again with a fresh set of attempts."""
    message = OutboxMessage.objects.filter(pk=message_id).select_related("round").first()
    if message is None or message.status != Status.FAILED:
        raise ValidationError({"message": "Only a failed message can be retried."})
    message.status = Status.QUEUED
    message.attempts = 0
    message.next_attempt_at = None
    message.save(update_fields=["status", "attempts", "next_attempt_at"])
    scope = f"programme:{message.round.programme_id}" if message.round else "site"
    audit_record(
        actor=actor,
        action="outbox.retry",
        obj=message,
        scope=scope,
        summary=f"Queued again the {message.kind} e-mail that had failed",
        changes={"status": [Status.FAILED.value, Status.QUEUED.value]},
    )
    outbox_schedule()
    return message
