"""Background tasks of engagement: each unpacks plain values and calls a function."""

from __future__ import annotations

from django_tasks import task

from .notify import round_open_fanout_run
from .outbox import outbox_deliver


@task()
def outbox_deliver_task() -> int:
    return outbox_deliver().sent


@task()
def round_open_fanout(*, round_id: int) -> int:
    return round_open_fanout_run(round_id=round_id)
