from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from sharedpurpose.core.tasks import email_send


@pytest.mark.django_db(transaction=True)
def test_emails_queued_in_the_database_are_sent_by_the_worker(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    result = email_send.enqueue(subject="Hello", body="Body", to=["a@example.org"])
    assert mail.outbox == []

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert [m.subject for m in mail.outbox] == ["Hello"]
    result.refresh()
    assert result.status == "SUCCESSFUL"
