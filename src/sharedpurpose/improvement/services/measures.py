"""Measure definitions: create, change, delete, and adopt from the measure library."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from sharedpurpose.core.audit import audit_changes, audit_record
from sharedpurpose.improvement.charts import measure_charts_invalidate

from ..access import team_scope
from ..library import library_template_get
from ..models import ChartType, DriverNode, Goal, Measure, MeasureKind, Side, Team

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User

# Settings the cached chart is drawn from (title, axis label, limits, rules, target).
CHART_FIELDS = frozenset(
    {"name", "unit", "frequency", "improvement_direction", "target", "chart_type"}
)
AUDITED_FIELDS = (
    "name",
    "definition",
    "unit",
    "frequency",
    "improvement_direction",
    "target",
    "side",
    "kind",
    "chart_type",
    "goal",
    "driver_node",
    "data_owner",
    "source_note",
)


def _state(measure: Measure) -> dict[str, Any]:
    return {name: getattr(measure, name) for name in AUDITED_FIELDS}


def _choice(value: str, choices: list[str], field: str, message: str) -> None:
    if value not in choices:
        raise ValidationError({field: message})


def _validate(
    *,
    team: Team,
    name: str,
    definition: str,
    frequency: str,
    improvement_direction: str,
    side: str,
    kind: str,
    chart_type: str,
    goal: Goal,
    driver_node: DriverNode | None,
    data_owner: User | None,
    exclude_pk: int | None = None,
) -> None:
    if not name.strip():
        raise ValidationError({"name": "Enter the measure's name."})
    if not definition.strip():
        raise ValidationError(
            {"definition": "Enter the operational definition: what is counted and how."}
        )
    _choice(frequency, Measure.Frequency.values, "frequency", "Choose how often it is measured.")
    _choice(
        improvement_direction,
        Measure.Direction.values,
        "improvement_direction",
        "Choose which direction is an improvement.",
    )
    _choice(side, Side.values, "side", "Choose corporate or clinical.")
    _choice(kind, MeasureKind.values, "kind", "Choose outcome, process or balancing.")
    _choice(chart_type, ChartType.values, "chart_type", "Choose a chart type.")
    if goal.team_id != team.pk:
        raise ValidationError({"goal": "Choose one of your team's goals."})
    if driver_node is not None and driver_node.goal_id != goal.pk:
        raise ValidationError(
            {"driver_node": "Choose a driver or change idea from the same goal's driver diagram."}
        )
    if data_owner is not None and not team.memberships.filter(user=data_owner).exists():
        raise ValidationError({"data_owner": "The data owner must be a member of the team."})
    clash = team.measures.filter(name__iexact=name.strip())
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": f"Your team already has a measure called {name.strip()}."})


def _bump_data_version(measure: Measure) -> None:
    measure_charts_invalidate(measure_ids=[measure.pk])
    measure.refresh_from_db(fields=["data_version"])


@transaction.atomic
def measure_create(
    *,
    actor: User,
    team: Team,
    goal: Goal,
    name: str,
    definition: str,
    frequency: str,
    improvement_direction: str,
    side: str,
    kind: str,
    chart_type: str,
    unit: str = "",
    target: float | None = None,
    driver_node: DriverNode | None = None,
    data_owner: User | None = None,
    source_note: str = "",
    library_key: str = "",
) -> Measure:
    _validate(
        team=team,
        name=name,
        definition=definition,
        frequency=frequency,
        improvement_direction=improvement_direction,
        side=side,
        kind=kind,
        chart_type=chart_type,
        goal=goal,
        driver_node=driver_node,
        data_owner=data_owner,
    )
    measure = Measure.objects.create(
        team=team,
        goal=goal,
        name=name.strip(),
        definition=definition.strip(),
        unit=unit.strip(),
        frequency=frequency,
        improvement_direction=improvement_direction,
        target=target,
        side=side,
        kind=kind,
        chart_type=chart_type,
        driver_node=driver_node,
        data_owner=data_owner,
        source_note=source_note.strip(),
        library_key=library_key,
    )
    audit_record(
        actor=actor,
        action="measure.create",
        obj=measure,
        scope=team_scope(team),
        summary=f"Defined the measure {measure.name}",
        changes=audit_changes({}, _state(measure)),
    )
    return measure


@transaction.atomic
def measure_update(
    *,
    actor: User,
    measure: Measure,
    goal: Goal,
    name: str,
    definition: str,
    frequency: str,
    improvement_direction: str,
    side: str,
    kind: str,
    chart_type: str,
    unit: str = "",
    target: float | None = None,
    driver_node: DriverNode | None = None,
    data_owner: User | None = None,
    source_note: str = "",
) -> Measure:
    """Change a measure's definition; the cached chart is redrawn when a setting it uses moves."""
    team = measure.team
    _validate(
        team=team,
        name=name,
        definition=definition,
        frequency=frequency,
        improvement_direction=improvement_direction,
        side=side,
        kind=kind,
        chart_type=chart_type,
        goal=goal,
        driver_node=driver_node,
        data_owner=data_owner,
        exclude_pk=measure.pk,
    )
    before = _state(measure)
    values: dict[str, Any] = {
        "goal": goal,
        "name": name.strip(),
        "definition": definition.strip(),
        "unit": unit.strip(),
        "frequency": frequency,
        "improvement_direction": improvement_direction,
        "target": target,
        "side": side,
        "kind": kind,
        "chart_type": chart_type,
        "driver_node": driver_node,
        "data_owner": data_owner,
        "source_note": source_note.strip(),
    }
    for field, value in values.items():
        setattr(measure, field, value)
    changes = audit_changes(before, _state(measure))
    if not changes:
        return measure
    measure.save(update_fields=list(changes))
    if CHART_FIELDS & changes.keys():
        _bump_data_version(measure)
    audit_record(
        actor=actor,
        action="measure.update",
        obj=measure,
        scope=team_scope(team),
        summary=f"Changed the measure {measure.name}",
        changes=changes,
    )
    return measure


@transaction.atomic
def measure_delete(*, actor: User, measure: Measure, confirmed: bool = False) -> None:
    """Delete a measure; one with data needs ``confirmed`` because its data go with it."""
    n_points = measure.points.count()
    points = f"{n_points} data point{'' if n_points == 1 else 's'}"
    if n_points and not confirmed:
        raise ValidationError(
            {
                "confirm": (
                    f"{measure.name} has {points}. Confirm that they should be deleted with it."
                )
            }
        )
    audit_record(
        actor=actor,
        action="measure.delete",
        obj=measure,
        scope=team_scope(measure.team),
        summary=f"Deleted the measure {measure.name} and its {points}",
        changes=audit_changes(_state(measure), {}),
    )
    measure.delete()


def measure_adopt(
    *,
    actor: User,
    team: Team,
    template_key: str,
    goal: Goal,
    side: str | None = None,
    data_owner: User | None = None,
) -> Measure:
    """A new measure of ``goal`` defined by a library template; ``side`` overrides its own."""
    try:
        template = library_template_get(template_key)
    except LookupError:
        raise ValidationError({"template": "Choose a measure from the library."}) from None
    if data_owner is None and team.memberships.filter(user=actor).exists():
        data_owner = actor
    return measure_create(
        actor=actor,
        team=team,
        goal=goal,
        name=template.name,
        definition=template.definition,
        unit=template.unit,
        frequency=template.frequency,
        improvement_direction=template.direction,
        target=template.suggested_target,
        side=side or template.side,
        kind=template.kind,
        chart_type=template.chart_type,
        data_owner=data_owner,
        library_key=template.key,
    )
