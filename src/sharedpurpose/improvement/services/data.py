"""Enter and correct a measure's points in the grid.

A blank value removes the period's point: the period then shows as a gap, exactly as if it
had never been entered, and the change log keeps the old value. Every changed point gets one
``DataPointChange`` (old -> new, source GRID); unchanged cells write nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sharedpurpose.improvement.charts import measure_charts_invalidate

from ..imports import DENOMINATOR, VALUE, parse_number, period_problem, point_problems
from ..models import DataPoint, DataPointChange, Measure
from ..quality import period_label

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User


@dataclass(frozen=True)
class PointEntry:
    """One row of the grid as typed: the period and the text of its cells."""

    period: date
    value: str
    denominator: str = ""


@dataclass(frozen=True)
class PointsSaved:
    created: int = 0
    updated: int = 0
    removed: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.removed


def cell_name(field: str, period: date) -> str:
    """The name of a grid cell, shared by the form and the errors of :func:`points_save`."""
    return f"{field}_{period.isoformat()}"


def points_save(*, actor: User, measure: Measure, rows: Sequence[PointEntry]) -> PointsSaved:
    """Upsert the grid's rows by period; raise ValidationError keyed by cell, saving nothing."""
    errors: dict[str, list[str]] = {}
    wanted: dict[date, tuple[float, float | None] | None] = {}
    percent = measure.unit.strip() == "%"
    for row in rows:
        label = period_label(row.period, measure.frequency)
        value_cell = cell_name(VALUE, row.period)
        denominator_cell = cell_name(DENOMINATOR, row.period)
        if row.period in wanted:
            errors.setdefault(value_cell, []).append(f"{label} appears twice")
            continue
        reason = period_problem(row.period, measure.frequency)
        if reason:
            errors.setdefault(value_cell, []).append(f"{label}: {reason}")
            continue
        try:
            value = parse_number(row.value, percent=percent)
        except ValueError as exc:
            errors.setdefault(value_cell, []).append(f"Value for {label}: {exc}")
            value = None
        try:
            denominator = parse_number(row.denominator)
        except ValueError as exc:
            errors.setdefault(denominator_cell, []).append(f"Denominator for {label}: {exc}")
            continue
        if value_cell in errors:
            continue
        if value is None:
            if denominator is not None:
                errors.setdefault(value_cell, []).append(
                    f"Value for {label}: enter a value, or clear the denominator"
                )
            else:
                wanted[row.period] = None
            continue
        problems = point_problems(value, denominator, measure.chart_type)
        for field, problem in problems:
            name = "Value" if field == VALUE else "Denominator"
            errors.setdefault(cell_name(field, row.period), []).append(
                f"{name} for {label}: {problem}"
            )
        if not problems:
            wanted[row.period] = (value, denominator)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        # One writer per measure at a time: imports take the same lock.
        Measure.objects.select_for_update().filter(pk=measure.pk).first()
        existing = {
            p.period: p
            for p in DataPoint.objects.select_for_update().filter(
                measure=measure, period__in=list(wanted)
            )
        }
        now = timezone.now()
        changes: list[DataPointChange] = []
        created = updated = removed = 0
        for period, new in wanted.items():
            point = existing.get(period)
            old = None if point is None else (point.value, point.denominator)
            if old == new or (point is not None and point.value is None and new is None):
                continue
            if new is None:
                assert point is not None
                point.delete()
                removed += 1
            elif point is None:
                DataPoint.objects.create(
                    measure=measure,
                    period=period,
                    value=new[0],
                    denominator=new[1],
                    updated_at=now,
                    updated_by=actor,
                )
                created += 1
            else:
                point.value, point.denominator = new
                point.updated_at, point.updated_by = now, actor
                point.save(update_fields=["value", "denominator", "updated_at", "updated_by"])
                updated += 1
            changes.append(
                DataPointChange(
                    measure=measure,
                    period=period,
                    old_value=None if old is None else old[0],
                    new_value=None if new is None else new[0],
                    old_denominator=None if old is None else old[1],
                    new_denominator=None if new is None else new[1],
                    source=DataPointChange.Source.GRID,
                    changed_by=actor,
                    changed_at=now,
                )
            )
        if changes:
            DataPointChange.objects.bulk_create(changes)
            measure_charts_invalidate(measure_ids=[measure.pk])
    return PointsSaved(created=created, updated=updated, removed=removed)
