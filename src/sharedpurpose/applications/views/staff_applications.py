"""Staff's pages for a round's applications under /manage/: the list, one application with
its assessments, assigning assessors, and the panel comparing assessors' scores."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sharedpurpose.core.web import form_add_service_error, form_data, request_actor, staff_required
from sharedpurpose.programmes.selectors import round_staff_get

from .. import scoring
from ..access import AppCapability, application_get_for
from ..forms.assess import AssignForm, StateFilterForm, UnassignForm
from ..models import Application, ApplicationOrganisation, ApplicationState
from ..presenters import application_summary
from ..services import assessment as services

#: Spreadsheet programs run cells starting with these as formulas; such text is quoted.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@require_safe
@staff_required
def round_applications(request: HttpRequest, programme_slug: str, round_slug: str) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    form = StateFilterForm(request.GET or None)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    listing = services.round_applications(user=request.user, round_=round_, state=state)
    return render(
        request,
        "applications/manage/round_applications.html",
        {
            "round": round_,
            "programme": round_.programme,
            "form": form,
            "state": ApplicationState(state) if state else None,
            "listing": listing,
        },
        status=400 if form.errors else 200,
    )


@require_safe
@staff_required
def staff_application(request: HttpRequest, reference: str) -> HttpResponse:
    application, _ = application_get_for(request.user, reference, AppCapability.MANAGE)
    criteria, scorecards = services.application_assessments(application)
    organisations = list(application.organisations.all())
    return render(
        request,
        "applications/manage/staff_application.html",
        {
            "application": application,
            "round": application.round,
            "programme": application.round.programme,
            "lead_organisations": [
                o for o in organisations if o.role == ApplicationOrganisation.Role.LEAD
            ],
            "partner_organisations": [
                o for o in organisations if o.role == ApplicationOrganisation.Role.PARTNER
            ],
            "members": list(application.members.select_related("user")),
            "summary": application_summary(application),
            "criteria": criteria,
            "scorecards": scorecards,
        },
    )


def _assessors_page(
    request: HttpRequest, application: Application, form: AssignForm, status: int = 200
) -> HttpResponse:
    _, scorecards = services.application_assessments(application)
    return render(
        request,
        "applications/manage/assessors.html",
        {
            "application": application,
            "round": application.round,
            "programme": application.round.programme,
            "assignments": [card.assignment for card in scorecards],
            "can_assign": application.state in services.ASSIGNABLE_STATES,
            "form": form,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def assessors(request: HttpRequest, reference: str) -> HttpResponse:
    application, _ = application_get_for(request.user, reference, AppCapability.MANAGE)
    form = AssignForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        assessor = form.cleaned_data["assessor"]
        try:
            services.assessor_assign(
                actor=request_actor(request), application=application, assessor=assessor
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request,
                f"{assessor.get_full_name()} is assigned and has been e-mailed a link to "
                "their assessments.",
            )
            return redirect("applications:assessors", reference=application.reference)
    return _assessors_page(request, application, form, status=400 if form.errors else 200)


@require_POST
@staff_required
def assessor_unassign(request: HttpRequest, reference: str, assignment_id: int) -> HttpResponse:
    application, _ = application_get_for(request.user, reference, AppCapability.MANAGE)
    assignment = application.assignments.select_related("assessor").filter(pk=assignment_id).first()
    if assignment is None or not UnassignForm(request.POST).is_valid():
        raise Http404("No such assignment")
    try:
        services.assessor_unassign(actor=request_actor(request), assignment=assignment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{assignment.assessor.get_full_name()} is no longer assigned.")
    return redirect("applications:assessors", reference=application.reference)


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


@require_safe
@staff_required
def panel(request: HttpRequest, programme_slug: str, round_slug: str) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    result = services.panel(user=request.user, round_=round_)
    if request.GET.get("format") == "csv":
        return _panel_csv(round_.programme.slug, round_.slug, result)
    return render(
        request,
        "applications/manage/panel.html",
        {
            "round": round_,
            "programme": round_.programme,
            "panel": result,
            "spread_points": scoring.DISAGREEMENT_SPREAD_POINTS,
        },
    )


def _panel_csv(programme_slug: str, round_slug: str, result: services.Panel) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{programme_slug}-{round_slug}-ranking.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            "Rank",
            "Reference",
            "Title",
            "Lead organisation",
            "State",
            "Mean weighted total (%)",
            "Spread (points)",
            "Assessors disagree",
            "Submitted assessments",
            "Assessors",
        ]
    )
    for entry in result.entries:
        application = entry.application
        writer.writerow(
            [
                _csv_cell(entry.rank if entry.rank is not None else "Not yet scored"),
                _csv_cell(application.reference),
                _csv_cell(application.title),
                _csv_cell(getattr(application, "lead_organisation_name", "")),
                _csv_cell(application.get_state_display()),
                "" if entry.mean is None else f"{float(entry.mean):.1f}",
                "" if entry.spread is None else f"{float(entry.spread):.1f}",
                "Yes" if entry.assessors_disagree else "No",
                len(entry.submitted),
                len(entry.scorecards),
            ]
        )
    return response
