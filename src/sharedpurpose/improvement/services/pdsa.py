"""PDSA cycles: Plan-Do-Study-Act tests of a change idea, linked into ramps.

A cycle is drawn on the charts of the measures it links to, so creating, changing or
deleting one bumps the ``data_version`` of every measure it links to (before and after).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from sharedpurpose.core.audit import audit_changes, audit_record
from sharedpurpose.improvement.charts import measure_charts_invalidate

from ..access import team_scope
from ..models import DriverNode, Measure, PdsaCycle

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User

_TEXT_FIELDS = (
    "title",
    "plan_question",
    "plan_prediction",
    "plan_who",
    "plan_what",
    "plan_where",
    "do_notes",
    "study_notes",
    "act_decision",
    "act_notes",
)
# The models' max_length of the short text fields.
_MAX_LENGTHS = {"title": 200, "plan_who": 300, "plan_where": 300}
_REQUIRED = {
    "title": "Enter a title for the cycle",
    "plan_question": "Enter the question this cycle will answer",
    "plan_prediction": "Enter what you predict will happen",
}


@dataclass(frozen=True, kw_only=True)
class PdsaValues:
    """What a person writes about a cycle, stage by stage."""

    title: str
    plan_question: str
    plan_prediction: str
    plan_who: str = ""
    plan_what: str = ""
    plan_where: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    do_notes: str = ""
    study_notes: str = ""
    act_decision: str = ""
    act_notes: str = ""
    previous: PdsaCycle | None = None
    measures: tuple[Measure, ...] = field(default=())


def _clean(
    values: PdsaValues, *, change_idea: DriverNode, cycle: PdsaCycle | None
) -> dict[str, Any]:
    cleaned: dict[str, Any] = {
        name: str(getattr(values, name) or "").strip() for name in _TEXT_FIELDS
    }
    errors: dict[str, str] = {}
    if change_idea.kind != DriverNode.Kind.CHANGE_IDEA:
        errors["change_idea"] = "PDSA cycles test change ideas; choose a change idea"
    for name, message in _REQUIRED.items():
        if not cleaned[name]:
            errors[name] = message
    for name, most in _MAX_LENGTHS.items():
        if len(cleaned[name]) > most:
            errors.setdefault(name, f"Enter {most} characters or fewer")
    if cleaned["act_decision"] not in {"", *PdsaCycle.Decision.values}:
        errors["act_decision"] = "Choose adopt, adapt or abandon"
    if values.starts_on and values.ends_on and values.ends_on < values.starts_on:
        errors["ends_on"] = "End date must be the same as or after the start date"
    previous = values.previous
    if previous is not None:
        if previous.change_idea_id != change_idea.pk:
            errors["previous"] = "The earlier cycle must test the same change idea"
        elif cycle is not None and _in_ramp_after(cycle, previous):
            errors["previous"] = "A cycle cannot build on itself or on a cycle that builds on it"
    team_id = change_idea.goal.team_id
    if any(m.team_id != team_id for m in values.measures):
        errors["measures"] = "Choose measures of this team"
    if errors:
        raise ValidationError(errors)
    cleaned.update(starts_on=values.starts_on, ends_on=values.ends_on, previous=previous)
    return cleaned


def _in_ramp_after(cycle: PdsaCycle, candidate: PdsaCycle) -> bool:
    """Whether ``candidate`` is ``cycle`` or follows it, so linking would make a loop."""
    seen: set[int] = set()
    node: PdsaCycle | None = candidate
    while node is not None and node.pk not in seen:
        if node.pk == cycle.pk:
            return True
        seen.add(node.pk)
        node = node.previous
    return False


def _snapshot(cycle: PdsaCycle) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(cycle, name) for name in _TEXT_FIELDS}
    data.update(
        starts_on=cycle.starts_on,
        ends_on=cycle.ends_on,
        previous=cycle.previous_id,
        measures=sorted(cycle.measures.values_list("pk", flat=True)),
    )
    return data


@transaction.atomic
def pdsa_create(*, actor: User, change_idea: DriverNode, values: PdsaValues) -> PdsaCycle:
    cleaned = _clean(values, change_idea=change_idea, cycle=None)
    cycle = PdsaCycle.objects.create(change_idea=change_idea, created_by=actor, **cleaned)
    cycle.measures.set(values.measures)
    measure_charts_invalidate(measure_ids=(m.pk for m in values.measures))
    audit_record(
        actor=actor,
        action="pdsa.create",
        obj=cycle,
        scope=team_scope(change_idea.goal.team),
        summary=f"Planned PDSA cycle “{cycle.title}” for “{change_idea.text}”",
        changes=audit_changes({}, _snapshot(cycle)),
    )
    return cycle


@transaction.atomic
def pdsa_update(*, actor: User, cycle: PdsaCycle, values: PdsaValues) -> PdsaCycle:
    change_idea = cycle.change_idea
    cleaned = _clean(values, change_idea=change_idea, cycle=cycle)
    before = _snapshot(cycle)
    for name, value in cleaned.items():
        setattr(cycle, name, value)
    cycle.save()
    cycle.measures.set(values.measures)
    after = _snapshot(cycle)
    measure_charts_invalidate(measure_ids=[*before["measures"], *after["measures"]])
    audit_record(
        actor=actor,
        action="pdsa.update",
        obj=cycle,
        scope=team_scope(change_idea.goal.team),
        summary=f"Updated PDSA cycle “{cycle.title}”",
        changes=audit_changes(before, after),
    )
    return cycle


@transaction.atomic
def pdsa_delete(*, actor: User, cycle: PdsaCycle) -> None:
    before = _snapshot(cycle)
    audit_record(
        actor=actor,
        action="pdsa.delete",
        obj=cycle,
        scope=team_scope(cycle.change_idea.goal.team),
        summary=f"Deleted PDSA cycle “{cycle.title}”",
        changes=audit_changes(before, {}),
    )
    cycle.delete()
    measure_charts_invalidate(measure_ids=before["measures"])
