"""The intervention catalogue, its computed evidence, a programme's evidence and exports,
a team's interventions and evidence, and the staff pages that keep the catalogue.

Public pages read through ``selectors`` (published teams only) and are not cached: the
evidence behind them is recomputed in the background whenever data change, and a page
must show the rows as they now are. Team pages get their team from ``team_get_for``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sharedpurpose.core.web import (
    every_programme_staff_required,
    form_add_service_error,
    request_actor,
)
from sharedpurpose.improvement.access import Capability, team_get_for
from sharedpurpose.improvement.models import DriverNode, Goal, Team
from sharedpurpose.programmes.selectors import programme_public_get

from .. import selectors
from ..forms.interventions import InterventionForm, InterventionUseForm, StaffInterventionForm
from ..models import Intervention, InterventionUse
from ..services import interventions as services

EXPORT_FORMATS = frozenset({"csv", "json"})
#: Spreadsheet programs run cells starting with these as formulas; such text is quoted.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# --------------------------------------------------------------------------
# Public: the catalogue, an intervention, the rules
# --------------------------------------------------------------------------


@require_safe
def intervention_list(request: HttpRequest) -> HttpResponse:
    return render(request, "evidence/interventions.html", {"entries": selectors.catalogue_public()})


@require_safe
def intervention_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = selectors.intervention_public_page(slug=slug, viewer=request.user)
    return render(request, "evidence/intervention_detail.html", {"page": page})


@require_safe
def evidence_rules(request: HttpRequest) -> HttpResponse:
    return render(request, "evidence/rules.html", {"rules": selectors.RULES})


# --------------------------------------------------------------------------
# Public: a programme's evidence and its exports
# --------------------------------------------------------------------------


@require_safe
def programme_evidence(request: HttpRequest, programme_slug: str) -> HttpResponse:
    programme = programme_public_get(slug=programme_slug)
    evidence = selectors.programme_evidence(programme, viewer=request.user)
    return render(
        request,
        "evidence/programme_evidence.html",
        {"programme": programme, "evidence": evidence, "rules": selectors.RULES},
    )


def _csv_text(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _csv_cell(field: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return _csv_text("; ".join(value))
    return _csv_text(value)


@require_safe
def programme_export(request: HttpRequest, programme_slug: str, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_FORMATS:
        raise Http404("Export as csv or json")
    programme = programme_public_get(slug=programme_slug)
    records = [selectors.export_record(row) for row in selectors.programme_evidence_rows(programme)]
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        # CSV's own line ends (CRLF): the writer then quotes any cell holding a carriage
        # return, which a spreadsheet would otherwise read as the start of a new row.
        writer = csv.writer(response)
        writer.writerow(selectors.EXPORT_FIELDS)
        for record in records:
            writer.writerow([_csv_cell(f, record[f]) for f in selectors.EXPORT_FIELDS])
    else:
        document = {
            "programme": programme.name,
            "programme_slug": programme.slug,
            "generated_at": timezone.now().isoformat(),
            "rules": request.build_absolute_uri(reverse("evidence:rules")),
            "rows": records,
        }
        response = HttpResponse(
            json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="{programme.slug}-evidence.{fmt}"'
    return response


# --------------------------------------------------------------------------
# Team: which intervention each change idea uses
# --------------------------------------------------------------------------


@dataclass
class ChangeIdeaItem:
    node: DriverNode
    use: InterventionUse | None
    form: InterventionUseForm | None


class TeamInterventionsPage:
    """Each goal's change ideas with the intervention each uses, and the forms to change it."""

    def __init__(
        self,
        team: Team,
        *,
        can_edit: bool,
        failed: tuple[int, InterventionUseForm] | None = None,
    ) -> None:
        self.team = team
        self.can_edit = can_edit
        self.failed = failed

    @cached_property
    def interventions(self) -> list[Intervention]:
        return list(selectors.interventions_choosable(self.team))

    def _use_of(self, node: DriverNode) -> InterventionUse | None:
        try:
            return node.intervention_use
        except InterventionUse.DoesNotExist:
            return None

    def _form(self, node: DriverNode, use: InterventionUse | None) -> InterventionUseForm | None:
        if not self.can_edit:
            return None
        if self.failed is not None and self.failed[0] == node.pk:
            return self.failed[1]
        initial = {"intervention": str(use.intervention_id), "site": use.site} if use else {}
        return InterventionUseForm(
            initial=initial, interventions=self.interventions, auto_id=f"use-{node.pk}-%s"
        )

    @cached_property
    def goals(self) -> list[tuple[Goal, list[ChangeIdeaItem]]]:
        grouped: dict[int, tuple[Goal, list[ChangeIdeaItem]]] = {}
        for node in selectors.team_change_ideas(self.team):
            use = self._use_of(node)
            item = ChangeIdeaItem(node, use, self._form(node, use))
            grouped.setdefault(node.goal_id, (node.goal, []))[1].append(item)
        return list(grouped.values())

    @cached_property
    def use_count(self) -> int:
        return sum(1 for _, items in self.goals for item in items if item.use is not None)


def _team_interventions_render(
    request: HttpRequest,
    team: Team,
    capabilities: frozenset[Capability],
    *,
    failed: tuple[int, InterventionUseForm] | None = None,
) -> HttpResponse:
    page = TeamInterventionsPage(team, can_edit=Capability.EDIT_PLAN in capabilities, failed=failed)
    return render(
        request,
        "evidence/team_interventions.html",
        {"team": team, "capabilities": capabilities, "page": page},
        status=400 if failed else 200,
    )


@login_required
@require_safe
def team_interventions(request: HttpRequest, team_slug: str) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.VIEW)
    return _team_interventions_render(request, team, capabilities)


@login_required
@require_POST
def team_intervention_use(request: HttpRequest, team_slug: str, node_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_PLAN)
    node = get_object_or_404(
        DriverNode.objects.select_related("goal__team"),
        pk=node_id,
        goal__team=team,
        kind=DriverNode.Kind.CHANGE_IDEA,
    )
    form = InterventionUseForm(
        request.POST,
        interventions=list(selectors.interventions_choosable(team)),
        auto_id=f"use-{node.pk}-%s",
    )
    if form.is_valid():
        try:
            use = services.intervention_use_set(
                actor=request_actor(request),
                change_idea=node,
                intervention=form.chosen(),
                site=form.cleaned_data["site"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            if use is None:
                messages.success(request, f"“{node.text}” uses no intervention.")
            else:
                computing = " Its evidence is being computed." if node.started_on else ""
                messages.success(
                    request,
                    f"“{node.text}” uses {use.intervention.name} at {use.site}.{computing}",
                )
            return redirect(
                reverse("evidence:team_interventions", args=[team.slug]) + f"#change-idea-{node.pk}"
            )
    return _team_interventions_render(request, team, capabilities, failed=(node.pk, form))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def team_intervention_add(request: HttpRequest, team_slug: str) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_PLAN)
    form = InterventionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            intervention = services.intervention_create(
                actor=request_actor(request), added_by_team=team, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request,
                f"{intervention.name} is in the catalogue. Choose it for a change idea below.",
            )
            return redirect("evidence:team_interventions", team.slug)
    return render(
        request,
        "evidence/team_intervention_add.html",
        {"team": team, "capabilities": capabilities, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def team_evidence(request: HttpRequest, team_slug: str) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.VIEW)
    return render(
        request,
        "evidence/team_evidence.html",
        {
            "team": team,
            "capabilities": capabilities,
            "sites": selectors.team_evidence(team),
            "rules": selectors.RULES,
        },
    )


# --------------------------------------------------------------------------
# Staff: the catalogue
# --------------------------------------------------------------------------

CATALOGUE_REFUSED = (
    "The intervention catalogue is shared by every programme: only staff of every programme "
    "manage it."
)


@require_safe
@every_programme_staff_required(CATALOGUE_REFUSED)
def manage_interventions(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "evidence/manage_interventions.html",
        {"entries": selectors.catalogue_for_staff()},
    )


def _staff_form_page(
    request: HttpRequest, form: StaffInterventionForm, intervention: Intervention | None
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            if intervention is None:
                saved = services.intervention_create(
                    actor=request_actor(request), **form.cleaned_data
                )
                messages.success(request, f"{saved.name} added to the catalogue.")
            else:
                saved = services.intervention_update(
                    actor=request_actor(request), intervention=intervention, **form.cleaned_data
                )
                messages.success(request, f"{saved.name} saved.")
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            return redirect("evidence:manage_interventions")
    return render(
        request,
        "evidence/intervention_form.html",
        {"form": form, "intervention": intervention},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@every_programme_staff_required(CATALOGUE_REFUSED)
def manage_intervention_create(request: HttpRequest) -> HttpResponse:
    return _staff_form_page(request, StaffInterventionForm(request.POST or None), None)


@require_http_methods(["GET", "HEAD", "POST"])
@every_programme_staff_required(CATALOGUE_REFUSED)
def manage_intervention_edit(request: HttpRequest, slug: str) -> HttpResponse:
    intervention = get_object_or_404(Intervention, slug=slug)
    form = StaffInterventionForm(
        request.POST or None, initial=StaffInterventionForm.initial_from(intervention)
    )
    return _staff_form_page(request, form, intervention)
