"""Background tasks of accounts. Tasks unpack plain values and call a function."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from .retention import RETENTION_INTERVAL, retention_run, retention_schedule


@task()
def retention_task() -> dict[str, int]:
    """Run retention, then queue tomorrow's run: the worker keeps it going once a day."""
    result = retention_run()
    retention_schedule(run_after=timezone.now() + RETENTION_INTERVAL)
    return {
        "expired_sign_ups": result.expired_sign_ups,
        "unverified_accounts": result.unverified_accounts,
    }
