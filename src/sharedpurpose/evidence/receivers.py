"""Recompute evidence when measures change: one background task per transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from sharedpurpose.improvement.signals import measures_changed


class _RecomputeOnCommit:
    """The on-commit callback of one transaction, collecting the measures it changed."""

    def __init__(self) -> None:
        self.measure_ids: set[int] = set()

    def __call__(self) -> None:
        from .tasks import evidence_recompute

        evidence_recompute.enqueue(measure_ids=sorted(self.measure_ids))


def _on_measures_changed(sender: Any, measure_ids: frozenset[int], **kwargs: Any) -> None:
    connection = transaction.get_connection()
    # Django drops the callbacks of a rolled-back transaction from this list, so an earlier
    # callback found here belongs to the transaction still open.
    for _savepoints, callback, _robust in connection.run_on_commit:
        if isinstance(callback, _RecomputeOnCommit):
            callback.measure_ids.update(measure_ids)
            return
    callback = _RecomputeOnCommit()
    callback.measure_ids.update(measure_ids)
    transaction.on_commit(callback)


measures_changed.connect(_on_measures_changed, dispatch_uid="evidence_recompute")
