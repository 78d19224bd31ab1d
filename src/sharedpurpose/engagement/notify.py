"""Telling subscribers when applications open for a round.

``round_opened`` is called inside the transaction that opens the round; the fan-out runs as a
background task after commit. The fan-out walks subscribers by primary key in chunks, so its
memory does not grow with their number, and inserts one outbox row per person with the key
``round-open:<round>:<subscriber>``: running it again after a crash adds no one twice. A run
that finds people still to write queues another run before it writes anything, so a worker
killed mid fan-out leaves a run behind that finishes the job.
The bodies are rendered once per fan-out; each person's unsubscribe and preference links
are signed and filled in when their message is sent, which keeps the fan-out fast.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, Field, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import default_task_backend

from sharedpurpose.programmes.models import Round, RoundState

from .models import OutboxMessage, Subscriber
from .outbox import outbox_schedule
from .services.subscriptions import (
    PREFERENCES_PLACEHOLDER,
    UNSUBSCRIBE_PLACEHOLDER,
    SubscriberLinks,
)

KIND_ROUND_OPEN = "round_open"


def round_opened(*, round_: Round) -> None:
    """Queue, once the current transaction commits, the e-mails about ``round_`` opening."""
    from .tasks import round_open_fanout

    round_id = round_.pk
    transaction.on_commit(lambda: round_open_fanout.enqueue(round_id=round_id))


def round_open_dedupe_key(round_id: int, subscriber_id: int) -> str:
    return f"round-open:{round_id}:{subscriber_id}"


def round_open_recipients(round_: Round) -> QuerySet[Subscriber]:
    """Confirmed, still subscribed people interested in the round's programme."""
    chosen = Subscriber.programmes.through.objects.filter(programme_id=round_.programme_id).values(
        "subscriber_id"
    )
    return Subscriber.objects.filter(
        confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ).filter(Q(all_programmes=True) | Q(pk__in=chosen))


def round_open_fanout_run(*, round_id: int, chunk_size: int | None = None) -> int:
    """Write one outbox row per recipient (skipping those already written), ``chunk_size``
    rows per transaction; return how many rows this run added."""
    chunk_size = chunk_size or settings.SHAREDPURPOSE_OUTBOX_FANOUT_CHUNK
    round_ = Round.objects.select_related("programme").filter(pk=round_id).first()
    if round_ is None or round_.state != RoundState.OPEN:
        # Closed again (or deleted) before the fan-out ran: nothing to announce.
        return 0
    if not _recipients_without_message(round_).exists():
        return 0
    _takeover_queue(round_id)
    context = {
        "round": round_,
        "programme": round_.programme,
        "site_url": settings.SITE_URL,
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        "preferences_url": PREFERENCES_PLACEHOLDER,
    }
    subject = " ".join(
        render_to_string("engagement/email/round_open_subject.txt", context).split()
    )[:300]
    body_text = render_to_string("engagement/email/round_open.txt", context)
    body_html = render_to_string("engagement/email/round_open.html", context)

    # Personal links stay as placeholders in the shared bodies; they are filled in for each
    # subscriber when the message is handed to the mail backend (see ``outbox``).
    headers = SubscriberLinks(UNSUBSCRIBE_PLACEHOLDER, PREFERENCES_PLACEHOLDER).headers()
    shared = _prepared(
        kind=KIND_ROUND_OPEN,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        headers=headers,
        round_id=round_id,
        status=OutboxMessage.Status.QUEUED,
        attempts=0,
        last_error="",
        created_at=timezone.now(),
    )
    recipients = round_open_recipients(round_).order_by("pk").values_list("pk", "email")
    added = 0
    last_pk = 0
    while True:
        chunk = list(recipients.filter(pk__gt=last_pk)[:chunk_size])
        if not chunk:
            break
        last_pk = chunk[-1][0]
        keys = [round_open_dedupe_key(round_id, subscriber_id) for subscriber_id, _ in chunk]
        rows = [
            {**shared, "dedupe_key": key, "to_email": email, "subscriber_id": subscriber_id}
            for key, (subscriber_id, email) in zip(keys, chunk, strict=True)
        ]
        with transaction.atomic():
            existing = OutboxMessage.objects.filter(dedupe_key__in=keys).count()
            _insert_ignoring_duplicates(rows)
        added += len(rows) - existing
    outbox_schedule()
    return added


def _recipients_without_message(round_: Round) -> QuerySet[Subscriber]:
    written = OutboxMessage.objects.filter(
        round_id=round_.pk, kind=KIND_ROUND_OPEN, subscriber_id=OuterRef("pk")
    )
    return round_open_recipients(round_).filter(~Exists(written))


def _takeover_queue(round_id: int) -> None:
    """Queue the fan-out again, to finish the job should this run's worker die. Backends that
    run tasks in the caller's own process die with it and need none."""
    from .tasks import round_open_fanout

    if default_task_backend.supports_defer:
        round_open_fanout.enqueue(round_id=round_id)


def _prepared(**values: Any) -> dict[str, Any]:
    """Column values converted for the database once, to share across a chunk's rows."""
    return {
        name: _field(name).get_db_prep_save(value, connection) for name, value in values.items()
    }


def _field(name: str) -> Field[Any, Any]:
    field = OutboxMessage._meta.get_field(name)
    assert isinstance(field, Field)
    return field


def _insert_ignoring_duplicates(rows: list[dict[str, Any]]) -> None:
    """``bulk_create(ignore_conflicts=True)`` without the ORM's per-row compilation, which
    dominates the fan-out's time: one prepared INSERT run for every row. ``ON CONFLICT DO
    NOTHING`` on the unique ``dedupe_key`` is understood by SQLite and PostgreSQL alike."""
    if not rows:
        return
    meta = OutboxMessage._meta
    quote = connection.ops.quote_name
    names = list(rows[0])
    columns = ", ".join(quote(_field(name).column) for name in names)
    placeholders = ", ".join(["%s"] * len(names))
    # Names come from the model's metadata, quoted; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({quote(_field('dedupe_key').column)}) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[row[name] for name in names] for row in rows])
