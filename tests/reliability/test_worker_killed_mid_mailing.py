"""A task worker killed mid-mailing, while it writes the outbox or while it sends: the
announcement that applications are open still reaches every subscriber, once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from sharedpurpose.engagement.models import OutboxMessage, Subscriber
from sharedpurpose.engagement.notify import round_opened
from sharedpurpose.engagement.outbox import outbox_message_id
from sharedpurpose.engagement.services.subscriptions import CONSENT_TEXT, CONSENT_VERSION
from sharedpurpose.programmes.models import Round, RoundState
from tests.factories import ProgrammeFactory, RoundFactory

from .processes import free_port, wait_until, worker
from .smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db(transaction=True)

SUBSCRIBERS = 10_000
#: How long a dead worker's claims keep their e-mails from other workers. Production waits
#: 30 minutes; the takeover is the same, only sooner.
CLAIM_TIMEOUT_SECONDS = "5"
#: Seconds for every e-mail to go out, far above what it takes on a busy two-core machine.
DELIVERY_SECONDS = 240
#: Outbox rows per transaction: small, so the fan-out takes long enough to be caught half-way.
FANOUT_CHUNK = "20"


def _subscribers() -> list[str]:
    now = timezone.now()
    emails = [f"reader{number:05d}@example.org" for number in range(SUBSCRIBERS)]
    Subscriber.objects.bulk_create(
        [
            Subscriber(
                email=email,
                consent_text=CONSENT_TEXT,
                consent_version=CONSENT_VERSION,
                consented_at=now,
                confirmed_at=now,
            )
            for email in emails
        ],
        batch_size=2000,
    )
    return emails


def _sent(round_: Round) -> int:
    return OutboxMessage.objects.filter(round=round_, status=OutboxMessage.Status.SENT).count()


def test_every_subscriber_gets_one_message_when_workers_are_killed_mid_mailing(
    tmp_path: Path, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    emails = _subscribers()
    round_ = RoundFactory.create(programme=ProgrammeFactory.create(), state=RoundState.OPEN)
    with transaction.atomic():
        round_opened(round_=round_)  # queues the fan-out when the round's opening commits

    def written() -> int:
        return OutboxMessage.objects.filter(round=round_).count()

    with SmtpSink(free_port()) as sink:
        mail_env = {
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            "OUTBOX_CLAIM_TIMEOUT": CLAIM_TIMEOUT_SECONDS,
            "OUTBOX_FANOUT_CHUNK": FANOUT_CHUNK,
        }
        # Killed while writing one outbox row per subscriber, before any e-mail went out.
        first = worker(tmp_path, "first", **mail_env)
        try:
            wait_until(
                lambda: first.running() and written() >= SUBSCRIBERS // 10,
                timeout=DELIVERY_SECONDS,
                what="the first worker to write a tenth of the outbox",
                interval=0.02,
            )
        finally:
            first.kill()
        assert written() < SUBSCRIBERS, "the fan-out ended before the first worker was killed"
        assert sink.count == 0, "delivery began before the fan-out ended"

        # Killed while sending, the outbox written whole by now.
        second = worker(tmp_path, "second", **mail_env)
        try:
            wait_until(
                lambda: second.running() and sink.count >= SUBSCRIBERS // 5,
                timeout=DELIVERY_SECONDS,
                what="the second worker to finish the outbox and send a fifth of the e-mails",
            )
        finally:
            second.kill()
        assert written() == SUBSCRIBERS
        assert sink.count < SUBSCRIBERS, "the second worker finished before it was killed"

        third = worker(tmp_path, "third", **mail_env)
        try:
            wait_until(
                lambda: third.running() and _sent(round_) == SUBSCRIBERS,
                timeout=DELIVERY_SECONDS,
                what="every e-mail to be sent",
                interval=0.5,
            )
        finally:
            third.stop()
        received = sink.received()

    messages = {m.to_email: m for m in OutboxMessage.objects.filter(round=round_)}
    assert sorted(messages) == emails
    assert sorted(received) == emails
    for email, message_ids in received.items():
        assert set(message_ids) == {outbox_message_id(messages[email])}, email
    # The one e-mail the worker killed while sending may have handed to the mail server
    # without living to record it is sent again, under the same Message-ID: mail systems
    # show it once.
    sent_twice = [email for email, message_ids in received.items() if len(message_ids) > 1]
    assert len(sent_twice) <= 1, sent_twice
