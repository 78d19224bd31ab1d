"""Rebases: a deliberate new period on a measure's chart, with the reason for it."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from sharedpurpose.core.audit import audit_changes, audit_record
from sharedpurpose.improvement.charts import measure_charts_invalidate

from ..access import team_scope
from ..models import Measure, Rebase

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User

REASON_MAX_LENGTH = 500


@transaction.atomic
def rebase_add(*, actor: User, measure: Measure, period: date, reason: str) -> Rebase:
    """Start new limits at ``period``, one of the measure's periods other than its first."""
    reason = reason.strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = "Enter why the process changed at this point"
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = f"Reason must be {REASON_MAX_LENGTH} characters or fewer"
    periods = list(measure.points.order_by("period").values_list("period", flat=True))
    if period not in periods:
        errors["period"] = "Choose a period that has data"
    elif period == periods[0]:
        errors["period"] = "New limits cannot start at the first period; choose a later one"
    elif measure.rebases.filter(period=period).exists():
        errors["period"] = "New limits already start at this period"
    if errors:
        raise ValidationError(errors)
    rebase = Rebase.objects.create(measure=measure, period=period, reason=reason, created_by=actor)
    measure_charts_invalidate(measure_ids=[measure.pk])
    audit_record(
        actor=actor,
        action="rebase.add",
        obj=rebase,
        scope=team_scope(measure.team),
        summary=f"New limits for “{measure.name}” from {period:%-d %B %Y}",
        changes=audit_changes({}, {"measure": measure.pk, "period": period, "reason": reason}),
    )
    return rebase


@transaction.atomic
def rebase_remove(*, actor: User, rebase: Rebase) -> None:
    measure = rebase.measure
    before = {"measure": measure.pk, "period": rebase.period, "reason": rebase.reason}
    audit_record(
        actor=actor,
        action="rebase.remove",
        obj=rebase,
        scope=team_scope(measure.team),
        summary=f"Removed the new limits for “{measure.name}” from {rebase.period:%-d %B %Y}",
        changes=audit_changes(before, {}),
    )
    rebase.delete()
    measure_charts_invalidate(measure_ids=[measure.pk])
