"""Goals and their driver diagrams: list, create, edit, delete, and the diagram editor.

Node edits are ordinary POST forms that redirect back to the editor; with htmx they answer with
the editor region alone (and a status line for screen readers) so the page does not reload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sharedpurpose.core.web import form_data, request_actor

from ..access import Capability, team_get_for
from ..diagram import DiagramNode, render_driver_diagram
from ..forms.goals import (
    GoalForm,
    NodeAddForm,
    NodeMoveForm,
    NodeRenameForm,
    NodeStartForm,
    child_kinds,
    owner_choices,
    owner_parse,
)
from ..models import DriverNode, Goal, Team
from ..services import goals as services

if TYPE_CHECKING:
    pass

EDITOR_TEMPLATE = "improvement/goals/_editor.html"


# --------------------------------------------------------------------------
# Presenters
# --------------------------------------------------------------------------


def goal_diagram_svg_render(goal: Goal, nodes: list[DriverNode], *, id_prefix: str) -> str:
    return render_driver_diagram(
        goal.aim_statement,
        [
            DiagramNode(
                id=node.pk,
                parent_id=node.parent_id,
                kind=node.kind,
                text=node.text,
                side=node.side,
                owner=node.owner_label,
                started_on=node.started_on,
            )
            for node in nodes
        ],
        id_prefix=id_prefix,
    )


@dataclass
class NodeItem:
    """One node of the editor's nested list, with the forms that change it."""

    node: DriverNode
    children: list[NodeItem] = field(default_factory=list)
    is_first: bool = False
    is_last: bool = False
    subtree_size: int = 1
    cycle_count: int = 0
    is_open: bool = False
    parent_option_count: int = 0
    form_set: dict[str, forms.Form] = field(default_factory=dict)

    @property
    def rename_form(self) -> forms.Form:
        return self.form_set["rename"]

    @property
    def move_form(self) -> forms.Form:
        return self.form_set["move"]

    @property
    def start_form(self) -> forms.Form | None:
        return self.form_set.get("start")

    @property
    def add_form(self) -> forms.Form | None:
        return self.form_set.get("add")

    @property
    def can_move_to_parent(self) -> bool:
        return self.parent_option_count > 0

    @property
    def deleted_under(self) -> int:
        return self.subtree_size - 1


class GoalDiagram:
    """A goal's driver diagram for pages: the node tree, its forms and its SVG."""

    def __init__(
        self,
        goal: Goal,
        *,
        can_edit: bool = False,
        failed: tuple[str, int | None, forms.Form] | None = None,
        focus: int | None = None,
    ) -> None:
        self.goal = goal
        self.can_edit = can_edit
        self.failed = failed
        self.focus = focus

    @cached_property
    def nodes(self) -> list[DriverNode]:
        return list(
            self.goal.nodes.annotate(cycle_count=Count("cycles")).order_by("position", "pk")
        )

    @cached_property
    def svg(self) -> SafeString:
        svg = goal_diagram_svg_render(
            self.goal, self.nodes, id_prefix=f"goal-{self.goal.pk}-diagram"
        )
        return mark_safe(svg)  # noqa: S308 - the renderer escapes all text

    @cached_property
    def failed_form(self) -> forms.Form | None:
        return None if self.failed is None else self.failed[2]

    @cached_property
    def counts(self) -> dict[str, int]:
        return {
            kind: sum(1 for n in self.nodes if n.kind == kind) for kind in DriverNode.Kind.values
        }

    @cached_property
    def owners(self) -> list[tuple[str, Any]]:
        return owner_choices(self.goal.team)

    @cached_property
    def aim_add_form(self) -> forms.Form | None:
        if not self.can_edit:
            return None
        return self._form(
            "add", None, lambda: NodeAddForm(team=self.goal.team, parent=None, owners=self.owners)
        )

    @cached_property
    def tree(self) -> list[NodeItem]:
        items = {node.pk: NodeItem(node=node) for node in self.nodes}
        roots: list[NodeItem] = []
        for node in self.nodes:
            item = items[node.pk]
            item.cycle_count = getattr(node, "cycle_count", 0)
            parent = items.get(node.parent_id) if node.parent_id else None
            (parent.children if parent else roots).append(item)
        self._finish(roots)
        return roots

    def _finish(self, siblings: list[NodeItem]) -> int:
        size = 0
        for index, item in enumerate(siblings):
            item.is_first, item.is_last = index == 0, index == len(siblings) - 1
            item.subtree_size = 1 + self._finish(item.children)
            item.cycle_count += sum(child.cycle_count for child in item.children)
            size += item.subtree_size
            failed_here = self.failed is not None and self.failed[1] == item.node.pk
            item.is_open = failed_here or item.node.pk == self.focus
            if self.can_edit:
                self._add_forms(item)
        return size

    def _add_forms(self, item: NodeItem) -> None:
        node = item.node
        item.form_set["rename"] = self._form(
            "rename", node.pk, lambda: NodeRenameForm(initial={"text": node.text})
        )
        options = services.driver_node_parent_options(node, self.nodes)
        item.parent_option_count = len(options)
        item.form_set["move"] = self._form("move", node.pk, lambda: NodeMoveForm(options=options))
        if node.kind == DriverNode.Kind.CHANGE_IDEA:
            item.form_set["start"] = self._form(
                "start", node.pk, lambda: NodeStartForm(initial={"started_on": node.started_on})
            )
        if child_kinds(node):
            item.form_set["add"] = self._form(
                "add",
                node.pk,
                lambda: NodeAddForm(team=self.goal.team, parent=node, owners=self.owners),
            )

    def _form(self, action: str, pk: int | None, build: Any) -> forms.Form:
        if self.failed is not None and self.failed[:2] == (action, pk):
            return self.failed[2]
        form = cast(forms.Form, build())
        form.auto_id = f"{action}-{pk or 'aim'}-%s"
        return form


class GoalPage:
    """The goal page: aim, owners and diagram (the measures panel comes from the charts)."""

    def __init__(self, goal: Goal) -> None:
        self.goal = goal
        self.diagram = GoalDiagram(goal)


def _goals_of(team: Team) -> QuerySet[Goal]:
    return team.goals.select_related("corporate_owner", "clinical_owner", "team")


# --------------------------------------------------------------------------
# Goals
# --------------------------------------------------------------------------


@login_required
@require_safe
def goal_list(request: HttpRequest, team_slug: str) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.VIEW)
    goals = _goals_of(team).annotate(
        node_count=Count("nodes", distinct=True), measure_count=Count("measures", distinct=True)
    )
    return render(
        request,
        "improvement/goals/goal_list.html",
        {"team": team, "capabilities": capabilities, "goals": goals},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def goal_create(request: HttpRequest, team_slug: str) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_PLAN)
    form = GoalForm(form_data(request), team=team)
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_create(
                actor=request_actor(request), team=team, **form.cleaned_data
            )
        except ValidationError as error:
            _errors_add(form, error)
        else:
            messages.success(request, f"Goal “{goal.title}” created. Now draw its driver diagram.")
            return redirect("improvement:goal_diagram_edit", team.slug, goal.pk)
    return render(
        request,
        "improvement/goals/goal_form.html",
        {"team": team, "capabilities": capabilities, "form": form, "goal": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def goal_detail(request: HttpRequest, team_slug: str, goal_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.VIEW)
    goal = get_object_or_404(_goals_of(team), pk=goal_id)
    return render(
        request,
        "improvement/goals/goal_detail.html",
        {"team": team, "capabilities": capabilities, "goal": goal, "page": GoalPage(goal)},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def goal_edit(request: HttpRequest, team_slug: str, goal_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_PLAN)
    goal = get_object_or_404(_goals_of(team), pk=goal_id)
    form = GoalForm(form_data(request), team=team, initial=GoalForm.initial_from(goal))
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_update(actor=request_actor(request), goal=goal, **form.cleaned_data)
        except ValidationError as error:
            _errors_add(form, error)
        else:
            messages.success(request, f"Goal “{goal.title}” saved.")
            return redirect("improvement:goal", team.slug, goal.pk)
    return render(
        request,
        "improvement/goals/goal_form.html",
        {"team": team, "capabilities": capabilities, "form": form, "goal": goal},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def goal_delete(request: HttpRequest, team_slug: str, goal_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_PLAN)
    goal = get_object_or_404(_goals_of(team), pk=goal_id)
    if request.method == "POST":
        services.goal_delete(actor=request_actor(request), goal=goal)
        messages.success(request, f"Goal “{goal.title}” and its driver diagram deleted.")
        return redirect("improvement:goal_list", team.slug)
    return render(
        request,
        "improvement/goals/goal_delete.html",
        {
            "team": team,
            "capabilities": capabilities,
            "goal": goal,
            "node_count": goal.nodes.count(),
            "measure_count": goal.measures.count(),
        },
    )


# --------------------------------------------------------------------------
# The driver diagram
# --------------------------------------------------------------------------


@login_required
@require_safe
def goal_diagram_edit(request: HttpRequest, team_slug: str, goal_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.VIEW)
    goal = get_object_or_404(_goals_of(team), pk=goal_id)
    diagram = GoalDiagram(goal, can_edit=Capability.EDIT_PLAN in capabilities)
    return render(
        request,
        "improvement/goals/diagram_edit.html",
        {"team": team, "capabilities": capabilities, "goal": goal, "diagram": diagram},
    )


@login_required
@require_safe
def goal_diagram_svg(request: HttpRequest, team_slug: str, goal_id: int) -> HttpResponse:
    team, _ = team_get_for(request.user, team_slug, Capability.VIEW)
    goal = get_object_or_404(_goals_of(team), pk=goal_id)
    nodes = list(goal.nodes.order_by("position", "pk"))
    svg = goal_diagram_svg_render(goal, nodes, id_prefix="driver-diagram")
    response = HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + svg,
        content_type="image/svg+xml; charset=utf-8",
    )
    if request.GET.get("download") == "1":
        name = slugify(goal.title) or f"goal-{goal.pk}"
        response["Content-Disposition"] = f'attachment; filename="{name}-driver-diagram.svg"'
    return response


@login_required
@require_POST
def node_add(request: HttpRequest, team_slug: str, goal_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_PLAN)
    goal = get_object_or_404(_goals_of(team), pk=goal_id)
    parent_id = request.POST.get("parent") or None
    parent = None
    if parent_id is not None:
        parent = get_object_or_404(goal.nodes, pk=_int_or_404(parent_id))
    form = NodeAddForm(request.POST, team=team, parent=parent)
    form.auto_id = f"add-{parent.pk if parent else 'aim'}-%s"
    if form.is_valid():
        try:
            node = services.driver_node_add(
                actor=request_actor(request),
                goal=goal,
                parent=parent,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                **owner_parse(form.cleaned_data["owner"]),
            )
        except ValidationError as error:
            _errors_add(form, error)
        else:
            label = node.get_kind_display()
            return _editor_done(
                request, team, capabilities, goal, f"{label} “{node.text}” added.", node.pk
            )
    return _editor_failed(
        request, team, capabilities, goal, ("add", parent.pk if parent else None, form)
    )


@login_required
@require_POST
def node_rename(request: HttpRequest, team_slug: str, goal_id: int, node_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_PLAN)
    goal = get_object_or_404(_goals_of(team), pk=goal_id)
    node = get_object_or_404(goal.nodes, pk=node_id)
    form = NodeRenameForm(request.POST, auto_id=f"rename-{node.pk}-%s")
    if form.is_valid():
        old = node.text
        try:
            services.driver_node_rename(
                actor=request_actor(request), node=node, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            _errors_add(form, error)
        else:
            message = f"“{old}” renamed to “{node.text}”."
            return _editor_done(request, team, capabilities, goal, message, node.pk)
    return _editor_failed(request, team, capabilities, goal, ("rename", node.pk, form))


@login_required
@require_POST
def node_move(request: HttpRequest, team_slug: str, goal_id: int, node_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_PLAN)
    goal = get_object_or_404(_goals_of(team), pk=goal_id)
    node = get_object_or_404(goal.nodes, pk=node_id)
    nodes = list(goal.nodes.all())
    options = services.driver_node_parent_options(node, nodes)
    form = NodeMoveForm(request.POST, options=options, auto_id=f"move-{node.pk}-%s")
    if form.is_valid():
        direction = form.cleaned_data["direction"] or None
        parent_id = form.cleaned_data["parent"]
        parent = next((n for n in nodes if n.pk == parent_id), None)
        try:
            services.driver_node_move(
                actor=request_actor(request),
                node=node,
                direction=None if parent else direction,
                parent=parent,
            )
        except ValidationError as error:
            _errors_add(form, error)
        else:
            where = f"under “{parent.text}”" if parent else direction
            message = f"“{node.text}” moved {where}."
            return _editor_done(request, team, capabilities, goal, message, node.pk)
    return _editor_failed(request, team, capabilities, goal, ("move", node.pk, form))


@login_required
@require_POST
def node_delete(request: HttpRequest, team_slug: str, goal_id: int, node_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_PLAN)
    goal = get_object_or_404(_goals_of(team), pk=goal_id)
    node = get_object_or_404(goal.nodes, pk=node_id)
    count = services.driver_node_delete(actor=request_actor(request), node=node)
    under = f" and {count - 1} {'node' if count == 2 else 'nodes'} under it" if count > 1 else ""
    message = f"{node.get_kind_display()} “{node.text}”{under} deleted."
    return _editor_done(request, team, capabilities, goal, message, node.parent_id)


@login_required
@require_POST
def node_start(request: HttpRequest, team_slug: str, goal_id: int, node_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_PLAN)
    goal = get_object_or_404(_goals_of(team), pk=goal_id)
    node = get_object_or_404(goal.nodes, pk=node_id)
    form = NodeStartForm(request.POST, auto_id=f"start-{node.pk}-%s")
    if form.is_valid():
        started_on = form.cleaned_data["started_on"]
        try:
            services.change_idea_start(
                actor=request_actor(request), node=node, started_on=started_on
            )
        except ValidationError as error:
            _errors_add(form, error)
        else:
            message = (
                f"“{node.text}” started on {started_on.day} {started_on:%B %Y}."
                if started_on
                else f"Start date of “{node.text}” removed."
            )
            return _editor_done(request, team, capabilities, goal, message, node.pk)
    return _editor_failed(request, team, capabilities, goal, ("start", node.pk, form))


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _int_or_404(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0  # no node has pk 0, so the lookup answers 404


def _errors_add(form: forms.Form, error: ValidationError) -> None:
    """Put a service's errors on the form's fields, or above the form for hidden fields."""
    by_field: dict[str | None, list[str]] = {None: error.messages}
    if hasattr(error, "error_dict"):
        by_field = {name: errors for name, errors in error.message_dict.items()}
    for name, errors in by_field.items():
        visible = name in form.fields and not form.fields[name].widget.is_hidden
        form.add_error(name if visible else None, errors)


def _editor_done(
    request: HttpRequest,
    team: Team,
    capabilities: frozenset[Capability],
    goal: Goal,
    message: str,
    focus: int | None,
) -> HttpResponse:
    if not _is_htmx(request):
        messages.success(request, message)
        url = reverse("improvement:goal_diagram_edit", args=[team.slug, goal.pk])
        return HttpResponseRedirect(url + (f"#node-{focus}" if focus else "#driver-editor"))
    diagram = GoalDiagram(goal, can_edit=True, focus=focus)
    return render(
        request,
        EDITOR_TEMPLATE,
        {
            "team": team,
            "capabilities": capabilities,
            "goal": goal,
            "diagram": diagram,
            "status_message": message,
            "is_htmx": True,
        },
    )


def _editor_failed(
    request: HttpRequest,
    team: Team,
    capabilities: frozenset[Capability],
    goal: Goal,
    failed: tuple[str, int | None, forms.Form],
) -> HttpResponse:
    diagram = GoalDiagram(goal, can_edit=True, failed=failed)
    errors = [str(e) for errors in failed[2].errors.values() for e in errors]
    context = {
        "team": team,
        "capabilities": capabilities,
        "goal": goal,
        "diagram": diagram,
        "status_message": "There is a problem: " + " ".join(errors),
    }
    if _is_htmx(request):
        # htmx swaps only successful responses by default, so the errors come back as 200.
        return render(request, EDITOR_TEMPLATE, {**context, "is_htmx": True})
    return render(request, "improvement/goals/diagram_edit.html", context, status=400)
