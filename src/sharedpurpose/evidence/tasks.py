"""Background work of the evidence base."""

from __future__ import annotations

from django_tasks import task


@task()
def evidence_recompute(*, measure_ids: list[int]) -> int:
    """Recompute the evidence rows that depend on these measures; returns rows written."""
    from .services.compute import evidence_compute_for_measures

    return evidence_compute_for_measures(measure_ids)
