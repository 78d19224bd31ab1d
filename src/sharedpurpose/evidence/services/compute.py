"""Evidence rows computed from the teams' data, never typed by hand.

For each use of an intervention whose change idea has a start date, every measure of that
change idea's goal (and any measure tied to the change idea itself) gets one row: the
``spc.intervention_effect`` of the start on the measure's plotted values (rates for p and
u measures). Rows are replaced whole, so a recomputation leaves no stale fields.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date

import numpy as np
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sharedpurpose import spc
from sharedpurpose.improvement.models import ChartType, DataPoint, Measure

from ..models import EvidenceRow, InterventionUse


def _plotted(measure: Measure) -> tuple[np.ndarray, np.ndarray]:
    points = DataPoint.objects.filter(measure=measure).order_by("period")
    rows = list(points.values_list("period", "value", "denominator"))
    x = np.array([period for period, _, _ in rows], dtype="datetime64[D]")
    ratio = measure.chart_type in (ChartType.P, ChartType.U)
    y = np.array([_value(value, denominator, ratio) for _, value, denominator in rows])
    return x, y


def _value(value: float | None, denominator: float | None, ratio: bool) -> float:
    if value is None:
        return math.nan
    if not ratio:
        return value
    return value / denominator if denominator else math.nan


def _date(value: object) -> date | None:
    return value if isinstance(value, date) else None


def _number(value: float) -> float | None:
    return value if math.isfinite(value) else None


def measures_for_use(use: InterventionUse) -> list[Measure]:
    idea = use.change_idea
    return list(
        Measure.objects.filter(Q(goal_id=idea.goal_id) | Q(driver_node=idea))
        .distinct()
        .order_by("kind", "name")
    )


def evidence_row_compute(use: InterventionUse, measure: Measure) -> EvidenceRow | None:
    """The row for ``use`` and ``measure`` (unsaved), or None without a start date."""
    started_on = use.change_idea.started_on
    if started_on is None:
        return None
    x, y = _plotted(measure)
    effect = spc.intervention_effect(
        x,
        y,
        np.datetime64(started_on, "D"),
        improvement_direction=measure.improvement_direction,
    )
    return EvidenceRow(
        use=use,
        measure=measure,
        measure_kind=measure.kind,
        data_version=measure.data_version,
        started_on=started_on,
        verdict=effect.verdict,
        sustained=effect.sustained,
        baseline_points=effect.baseline_points,
        followup_points=effect.followup_points,
        baseline_mean=_number(effect.baseline_mean),
        followup_mean=_number(effect.followup_mean),
        change=_number(effect.change),
        change_low=_number(effect.change_low),
        change_high=_number(effect.change_high),
        periods_to_signal=effect.periods_to_signal,
        first_signal_on=_date(effect.first_signal_x),
        first_concern_on=_date(effect.first_concern_x),
        baseline_unstable=effect.baseline_unstable,
        reasons=list(effect.reasons),
        computed_at=timezone.now(),
    )


@transaction.atomic
def evidence_compute_for_use(use: InterventionUse) -> int:
    """Replace every row of ``use``; returns the rows written."""
    rows = [
        row
        for measure in measures_for_use(use)
        if (row := evidence_row_compute(use, measure)) is not None
    ]
    EvidenceRow.objects.filter(use=use).delete()
    EvidenceRow.objects.bulk_create(rows)
    return len(rows)


def uses_for_measures(measure_ids: Iterable[int]) -> list[InterventionUse]:
    measures = Measure.objects.filter(pk__in=list(measure_ids))
    goal_ids = measures.exclude(goal=None).values_list("goal_id", flat=True)
    node_ids = measures.exclude(driver_node=None).values_list("driver_node_id", flat=True)
    return list(
        InterventionUse.objects.filter(
            Q(change_idea__goal_id__in=list(goal_ids)) | Q(change_idea_id__in=list(node_ids))
        )
        .select_related("change_idea")
        .distinct()
    )


def evidence_compute_for_measures(measure_ids: Iterable[int]) -> int:
    """Recompute every use whose evidence these measures feed (data, settings or dates
    changed); returns rows written."""
    return sum(evidence_compute_for_use(use) for use in uses_for_measures(measure_ids))
