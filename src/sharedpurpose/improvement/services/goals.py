"""Changes to common quality goals and their driver diagrams. Each change is audited.

A driver diagram hangs from the goal's aim: primary drivers sit directly under the aim
(``parent`` is None), secondary drivers under a primary, and change ideas under a secondary or
straight under a primary. Charts show started change ideas as annotations, so any change to
them bumps the ``data_version`` of the measures that draw them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sharedpurpose.core.audit import audit_changes, audit_record
from sharedpurpose.improvement.charts import measure_charts_invalidate

from ..access import team_scope
from ..models import CorporateService, DriverNode, Goal, Measure, Side, Team, TeamMembership

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User

Kind = DriverNode.Kind
MoveDirection = Literal["up", "down"]

# Which parent kinds each node kind may hang from; None is the goal's aim.
ALLOWED_PARENT_KINDS: dict[str, frozenset[str | None]] = {
    Kind.PRIMARY: frozenset({None}),
    Kind.SECONDARY: frozenset({Kind.PRIMARY.value}),
    Kind.CHANGE_IDEA: frozenset({Kind.SECONDARY.value, Kind.PRIMARY.value}),
}
_GOAL_FIELDS = (
    "title",
    "aim_what",
    "aim_how_much",
    "aim_by_when",
    "corporate_owner",
    "clinical_owner",
)
_NODE_FIELDS = ("parent", "kind", "text", "side", "corporate_service", "clinical_area", "position")


# --------------------------------------------------------------------------
# Goals
# --------------------------------------------------------------------------


@transaction.atomic
def goal_create(
    *,
    actor: User,
    team: Team,
    title: str,
    aim_what: str,
    aim_how_much: str,
    aim_by_when: date,
    corporate_owner: User | None,
    clinical_owner: User | None,
) -> Goal:
    values = _goal_values_clean(
        team=team,
        title=title,
        aim_what=aim_what,
        aim_how_much=aim_how_much,
        aim_by_when=aim_by_when,
        corporate_owner=corporate_owner,
        clinical_owner=clinical_owner,
    )
    goal = Goal.objects.create(team=team, **values)
    audit_record(
        actor=actor,
        action="goal.create",
        obj=goal,
        scope=team_scope(team),
        summary=f"Created goal “{goal.title}”",
        changes=audit_changes({}, _snapshot(goal, _GOAL_FIELDS)),
    )
    return goal


@transaction.atomic
def goal_update(
    *,
    actor: User,
    goal: Goal,
    title: str,
    aim_what: str,
    aim_how_much: str,
    aim_by_when: date,
    corporate_owner: User | None,
    clinical_owner: User | None,
) -> Goal:
    values = _goal_values_clean(
        team=goal.team,
        title=title,
        aim_what=aim_what,
        aim_how_much=aim_how_much,
        aim_by_when=aim_by_when,
        corporate_owner=corporate_owner,
        clinical_owner=clinical_owner,
    )
    before = _snapshot(goal, _GOAL_FIELDS)
    for field, value in values.items():
        setattr(goal, field, value)
    after = _snapshot(goal, _GOAL_FIELDS)
    changes = audit_changes(before, after)
    if not changes:
        return goal
    goal.save()
    audit_record(
        actor=actor,
        action="goal.update",
        obj=goal,
        scope=team_scope(goal.team),
        summary=f"Updated goal “{goal.title}”",
        changes=changes,
    )
    return goal


@transaction.atomic
def goal_delete(*, actor: User, goal: Goal) -> None:
    """Delete a goal with its driver diagram; its measures stay, no longer linked to it."""
    nodes = list(goal.nodes.all())
    _measures_redraw(
        Q(goal=goal) | Q(driver_node__in=nodes) | Q(pdsa_cycles__change_idea__in=nodes)
    )
    audit_record(
        actor=actor,
        action="goal.delete",
        obj=goal,
        scope=team_scope(goal.team),
        summary=f"Deleted goal “{goal.title}” and its driver diagram ({len(nodes)} nodes)",
        changes=audit_changes(_snapshot(goal, _GOAL_FIELDS), {}),
    )
    goal.delete()


def _goal_values_clean(
    *,
    team: Team,
    title: str,
    aim_what: str,
    aim_how_much: str,
    aim_by_when: date,
    corporate_owner: User | None,
    clinical_owner: User | None,
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "title": (title or "").strip(),
        "aim_what": (aim_what or "").strip(),
        "aim_how_much": (aim_how_much or "").strip(),
        "aim_by_when": aim_by_when,
        "corporate_owner": corporate_owner,
        "clinical_owner": clinical_owner,
    }
    texts = {
        "title": ("Enter the goal's title", Goal._meta.get_field("title").max_length),
        "aim_what": ("Enter what will improve", Goal._meta.get_field("aim_what").max_length),
        "aim_how_much": (
            "Enter how much it will improve",
            Goal._meta.get_field("aim_how_much").max_length,
        ),
    }
    for field, (missing, limit) in texts.items():
        if not values[field]:
            errors[field] = missing
        elif limit and len(values[field]) > limit:
            errors[field] = f"{_LABELS[field]} must be {limit} characters or fewer"
    if not isinstance(aim_by_when, date):
        errors["aim_by_when"] = "Enter the date by when the aim will be met"
    owners = (
        ("corporate_owner", corporate_owner, Side.CORPORATE),
        ("clinical_owner", clinical_owner, Side.CLINICAL),
    )
    for field, owner, side in owners:
        if owner is None:
            errors[field] = f"Choose the {_LABELS[field].lower()}"
        elif not TeamMembership.objects.filter(team=team, user=owner, side=side).exists():
            errors[field] = (
                f"The {_LABELS[field].lower()} must be a member of {team.name} "
                f"on the {Side(side).label.lower()} side"
            )
    if errors:
        raise ValidationError(errors)
    return values


_LABELS = {
    "title": "Title",
    "aim_what": "What will improve",
    "aim_how_much": "How much",
    "aim_by_when": "By when",
    "corporate_owner": "Corporate owner",
    "clinical_owner": "Clinical owner",
    "text": "Text",
}


# --------------------------------------------------------------------------
# Driver diagram nodes
# --------------------------------------------------------------------------


@transaction.atomic
def driver_node_add(
    *,
    actor: User,
    goal: Goal,
    parent: DriverNode | None,
    kind: str,
    text: str,
    side: str,
    corporate_service: str = "",
    clinical_area: str = "",
) -> DriverNode:
    """Add a node at the end of ``parent``'s children (``None``: a primary under the aim)."""
    if parent is not None and parent.goal_id != goal.pk:
        raise ValidationError({"parent": "Choose a node of this goal's driver diagram"})
    if kind not in Kind.values:
        raise ValidationError({"kind": "Choose primary driver, secondary driver or change idea"})
    _kind_fits_parent(kind=kind, parent=parent, field="kind")
    owner = _owner_clean(
        side=side, corporate_service=corporate_service, clinical_area=clinical_area
    )
    node = DriverNode.objects.create(
        goal=goal,
        parent=parent,
        kind=kind,
        text=_text_clean(text),
        position=_next_position(goal=goal, parent=parent),
        **owner,
    )
    audit_record(
        actor=actor,
        action="driver_node.add",
        obj=node,
        scope=team_scope(goal.team),
        summary=f"Added {node.get_kind_display().lower()} “{node.text}” to “{goal.title}”",
        changes=audit_changes({}, _snapshot(node, _NODE_FIELDS)),
    )
    return node


@transaction.atomic
def driver_node_rename(*, actor: User, node: DriverNode, text: str) -> DriverNode:
    new_text = _text_clean(text)
    if new_text == node.text:
        return node
    before = _snapshot(node, ("text",))
    node.text = new_text
    node.save(update_fields=["text"])
    if node.kind == Kind.CHANGE_IDEA and node.started_on is not None:
        # The charts label this change idea's start with its text.
        _measures_redraw(Q(driver_node=node) | Q(goal=node.goal_id))
    audit_record(
        actor=actor,
        action="driver_node.rename",
        obj=node,
        scope=team_scope(node.goal.team),
        summary=f"Renamed {node.get_kind_display().lower()} “{before['text']}” to “{node.text}”",
        changes=audit_changes(before, _snapshot(node, ("text",))),
    )
    return node


@transaction.atomic
def driver_node_move(
    *,
    actor: User,
    node: DriverNode,
    direction: MoveDirection | None = None,
    parent: DriverNode | None = None,
) -> DriverNode:
    """Move a node up or down among its siblings, or (with its subtree) under another parent."""
    if (direction is None) == (parent is None):
        raise ValidationError({"direction": "Choose to move up, down, or to another parent"})
    before = _snapshot(node, ("parent", "position"))
    if parent is not None:
        if parent.goal_id != node.goal_id:
            raise ValidationError({"parent": "Choose a node of this goal's driver diagram"})
        if parent.pk == node.parent_id:
            raise ValidationError({"parent": f"“{node.text}” is already under “{parent.text}”"})
        _kind_fits_parent(kind=node.kind, parent=parent, field="parent")
        node.parent = parent
        node.position = _next_position(goal=node.goal, parent=parent)
        node.save(update_fields=["parent", "position"])
        summary = f"Moved “{node.text}” under “{parent.text}”"
    else:
        siblings = list(
            DriverNode.objects.filter(goal_id=node.goal_id, parent_id=node.parent_id)
            .select_for_update()
            .order_by("position", "pk")
        )
        if direction not in ("up", "down"):
            raise ValidationError({"direction": "Choose to move up or down"})
        index = next(i for i, sibling in enumerate(siblings) if sibling.pk == node.pk)
        target = index - 1 if direction == "up" else index + 1
        if not 0 <= target < len(siblings):
            where = "first" if direction == "up" else "last"
            raise ValidationError({"direction": f"“{node.text}” is already {where}"})
        siblings[index], siblings[target] = siblings[target], siblings[index]
        for position, sibling in enumerate(siblings):
            sibling.position = position
        DriverNode.objects.bulk_update(siblings, ["position"])
        node.position = target
        summary = f"Moved “{node.text}” {direction}"
    audit_record(
        actor=actor,
        action="driver_node.move",
        obj=node,
        scope=team_scope(node.goal.team),
        summary=summary,
        changes=audit_changes(before, _snapshot(node, ("parent", "position"))),
    )
    return node


@transaction.atomic
def driver_node_delete(*, actor: User, node: DriverNode) -> int:
    """Delete a node with everything under it (and their PDSA cycles); the number of nodes."""
    subtree = driver_node_subtree(node)
    if any(n.kind == Kind.CHANGE_IDEA and n.started_on is not None for n in subtree):
        _measures_redraw(Q(goal=node.goal_id))
    _measures_redraw(Q(driver_node__in=subtree) | Q(pdsa_cycles__change_idea__in=subtree))
    audit_record(
        actor=actor,
        action="driver_node.delete",
        obj=node,
        scope=team_scope(node.goal.team),
        summary=(
            f"Deleted {node.get_kind_display().lower()} “{node.text}”"
            + (f" and {len(subtree) - 1} nodes under it" if len(subtree) > 1 else "")
        ),
        changes=audit_changes(_snapshot(node, _NODE_FIELDS), {}),
    )
    node.delete()
    return len(subtree)


@transaction.atomic
def change_idea_start(*, actor: User, node: DriverNode, started_on: date | None) -> DriverNode:
    """Record when the team started testing a change idea (``None`` clears it)."""
    if node.kind != Kind.CHANGE_IDEA:
        raise ValidationError({"started_on": "Only change ideas have a start date"})
    if started_on is not None and started_on > timezone.localdate():
        raise ValidationError({"started_on": "The start date must be today or in the past"})
    if started_on == node.started_on:
        return node
    before = _snapshot(node, ("started_on",))
    node.started_on = started_on
    node.save(update_fields=["started_on"])
    _measures_redraw(Q(driver_node=node) | Q(goal=node.goal_id))
    audit_record(
        actor=actor,
        action="change_idea.start",
        obj=node,
        scope=team_scope(node.goal.team),
        summary=(
            f"Change idea “{node.text}” started on {started_on.day} {started_on:%B %Y}"
            if started_on
            else f"Removed the start date of change idea “{node.text}”"
        ),
        changes=audit_changes(before, _snapshot(node, ("started_on",))),
    )
    return node


def driver_node_subtree(node: DriverNode) -> list[DriverNode]:
    """The node and every node under it (one query: a diagram is small)."""
    by_parent: dict[int | None, list[DriverNode]] = {}
    for candidate in DriverNode.objects.filter(goal_id=node.goal_id):
        by_parent.setdefault(candidate.parent_id, []).append(candidate)
    found, todo = [node], [node.pk]
    while todo:
        children = by_parent.get(todo.pop(), [])
        found.extend(children)
        todo.extend(child.pk for child in children)
    return found


def driver_node_parent_options(node: DriverNode, nodes: Iterable[DriverNode]) -> list[DriverNode]:
    """The nodes of the same goal that ``node`` could move under (not its current parent)."""
    allowed = ALLOWED_PARENT_KINDS[node.kind]
    return [
        candidate
        for candidate in nodes
        if candidate.kind in allowed and candidate.pk not in (node.parent_id, node.pk)
    ]


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _kind_fits_parent(*, kind: str, parent: DriverNode | None, field: str) -> None:
    parent_kind = None if parent is None else parent.kind
    if parent_kind in ALLOWED_PARENT_KINDS[kind]:
        return
    label = Kind(kind).label.lower()
    where = "under the aim" if parent is None else f"under a {Kind(parent.kind).label.lower()}"
    fits = {
        Kind.PRIMARY: "primary drivers go directly under the aim",
        Kind.SECONDARY: "secondary drivers go under a primary driver",
        Kind.CHANGE_IDEA: "change ideas go under a secondary or primary driver",
    }[Kind(kind)]
    raise ValidationError({field: f"A {label} cannot go {where}: {fits}"})


def _owner_clean(*, side: str, corporate_service: str, clinical_area: str) -> dict[str, str]:
    if side == Side.CORPORATE:
        if corporate_service and corporate_service not in CorporateService.values:
            raise ValidationError({"owner": "Choose a corporate service from the list"})
        return {"side": side, "corporate_service": corporate_service, "clinical_area": ""}
    if side == Side.CLINICAL:
        area = (clinical_area or "").strip()
        if len(area) > DriverNode._meta.get_field("clinical_area").max_length:  # type: ignore[operator]
            raise ValidationError({"owner": "The clinical area must be 200 characters or fewer"})
        return {"side": side, "corporate_service": "", "clinical_area": area}
    raise ValidationError({"owner": "Choose who owns it: a corporate service or a clinical team"})


def _text_clean(text: str) -> str:
    cleaned = " ".join((text or "").split())
    if not cleaned:
        raise ValidationError({"text": "Enter the text of the driver or change idea"})
    limit = DriverNode._meta.get_field("text").max_length
    if limit is not None and len(cleaned) > limit:
        raise ValidationError({"text": f"The text must be {limit} characters or fewer"})
    return cleaned


def _next_position(*, goal: Goal, parent: DriverNode | None) -> int:
    siblings = DriverNode.objects.filter(goal=goal, parent=parent)
    last = siblings.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


def _measures_redraw(condition: Q) -> None:
    """Make the cached charts of the matching measures recompute (their annotations changed)."""
    measure_charts_invalidate(
        measure_ids=Measure.objects.filter(condition).values_list("pk", flat=True)
    )


def _snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {
        field: getattr(obj, f"{field}_id" if _is_relation(obj, field) else field)
        for field in fields
    }


def _is_relation(obj: Any, field: str) -> bool:
    return bool(obj._meta.get_field(field).is_relation)
