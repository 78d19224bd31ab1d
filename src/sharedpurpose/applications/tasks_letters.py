"""Background task of decisions: sending a round's decision letters. It unpacks plain values
and calls the service, which is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from .services.decisions import decision_letters_queue


@task()
def decision_letters_send(round_id: int, actor_id: int | None) -> int:
    return decision_letters_queue(round_id=round_id, actor_id=actor_id)
