"""A measure's chart page, its SVG, and rebases."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from sharedpurpose.accounts.models import User
from sharedpurpose.core.web import form_add_service_error

from ..access import Capability, team_get_for
from ..charts import measure_chart
from ..forms.pdsa import RebaseForm
from ..models import Measure, Team
from ..presenters import MeasurePage
from ..services.rebases import rebase_add as rebase_add_service
from ..services.rebases import rebase_remove as rebase_remove_service


def actor_of(request: HttpRequest) -> User:
    """The signed-in person making a change (views that change data require sign-in)."""
    user = request.user
    assert isinstance(user, User)
    return user


def _measure(team: Team, measure_id: int) -> Measure:
    return get_object_or_404(
        team.measures.select_related("chart_cache", "goal", "driver_node__goal"), pk=measure_id
    )


def _page(
    request: HttpRequest,
    team: Team,
    capabilities: frozenset[Capability],
    measure: Measure,
    form: RebaseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = MeasurePage(team, measure)
    if form is None and Capability.EDIT_DATA in capabilities:
        form = RebaseForm(periods=page.periods)
    return render(
        request,
        "improvement/charts/measure.html",
        {
            "team": team,
            "capabilities": capabilities,
            "measure": measure,
            "page": page,
            "rebase_form": form,
        },
        status=status,
    )


@login_required
@require_safe
def measure_detail(request: HttpRequest, team_slug: str, measure_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.VIEW)
    return _page(request, team, capabilities, _measure(team, measure_id))


@login_required
@require_safe
def measure_chart_svg(request: HttpRequest, team_slug: str, measure_id: int) -> HttpResponse:
    team, _ = team_get_for(request.user, team_slug, Capability.VIEW)
    chart = measure_chart(_measure(team, measure_id))
    if not chart.has_chart:
        return HttpResponse(chart.message, status=404, content_type="text/plain; charset=utf-8")
    response = HttpResponse(chart.svg_markup, content_type="image/svg+xml; charset=utf-8")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@login_required
@require_POST
def rebase_add(request: HttpRequest, team_slug: str, measure_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_DATA)
    measure = _measure(team, measure_id)
    form = RebaseForm(request.POST, periods=MeasurePage(team, measure).periods)
    if form.is_valid():
        try:
            rebase_add_service(
                actor=actor_of(request),
                measure=measure,
                period=form.cleaned_data["period"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "New limits added. The chart shows the reason.")
            return redirect("improvement:measure", team_slug=team.slug, measure_id=measure.pk)
    measure.refresh_from_db()
    return _page(request, team, capabilities, measure, form, status=400)


@login_required
@require_POST
def rebase_remove(
    request: HttpRequest, team_slug: str, measure_id: int, rebase_id: int
) -> HttpResponse:
    team, _ = team_get_for(request.user, team_slug, Capability.EDIT_DATA)
    measure = _measure(team, measure_id)
    rebase = get_object_or_404(measure.rebases, pk=rebase_id)
    rebase_remove_service(actor=actor_of(request), rebase=rebase)
    messages.success(request, f"The new limits from {rebase.period:%-d %B %Y} were removed.")
    return redirect("improvement:measure", team_slug=team.slug, measure_id=measure.pk)
