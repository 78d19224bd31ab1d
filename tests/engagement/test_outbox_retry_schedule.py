from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django_tasks_db.models import DBTaskResult

from sharedpurpose.engagement.models import OutboxMessage
from sharedpurpose.engagement.outbox import outbox_deliver, outbox_enqueue

pytestmark = pytest.mark.django_db


def test_a_failed_send_is_retried_when_its_back_off_ends(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    outbox_enqueue(
        dedupe_key="retry-test",
        kind="test",
        to_email="someone@example.org",
        subject="Hello",
        body_text="Hello",
    )
    DBTaskResult.objects.all().delete()

    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=ConnectionError("mail server down"),
    ):
        result = outbox_deliver()

    message = OutboxMessage.objects.get(dedupe_key="retry-test")
    assert result.retried == 1
    assert message.status == OutboxMessage.Status.QUEUED
    assert message.next_attempt_at is not None
    # Beside the run queued to take over should this one have died mid-send.
    deferred = DBTaskResult.objects.get(run_after=message.next_attempt_at)
    assert deferred.task_path.endswith("outbox_deliver_task")
    assert deferred.run_after == message.next_attempt_at
