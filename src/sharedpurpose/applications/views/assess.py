"""Assessors' pages under /assess/: their assignments, the conflict-of-interest declaration
and the scoring page beside the application's answers.

Every application is fetched through ``access.application_get_for``; a conflicted assessor is
refused with the reason, shown on the 403 page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from sharedpurpose.accounts.roles import user_is_assessor
from sharedpurpose.core.web import form_add_service_error, form_data, request_actor

from ..access import AppCapability, application_get_for, assignments_of_assessor
from ..forms.assess import ConflictForm, ScoresForm
from ..models import Application, ApplicationOrganisation, ApplicationState, AssessorAssignment
from ..presenters import application_summary
from ..services import assessment as services

View = Callable[..., HttpResponse]
Conflict = AssessorAssignment.Conflict


def _refusal_explained(view: View) -> View:
    """Show why access was refused (e.g. the declared conflict) on the 403 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as refusal:
            return render(
                request,
                "applications/assess/refused.html",
                {"reason": str(refusal), "is_assessor": user_is_assessor(request.user)},
                status=403,
            )

    return wrapped


def error_links(form: forms.Form) -> list[tuple[str, str]]:
    """The error summary's entries; a group of radios is reached through its first radio."""
    errors: list[tuple[str, str]] = [("", str(error)) for error in form.non_field_errors()]
    for field in form:
        anchor = f"#{field.auto_id}"
        if isinstance(field.field.widget, forms.RadioSelect):
            anchor += "_0"
        errors.extend((anchor, str(error)) for error in field.errors)
    return errors


def _own_assignment(request: HttpRequest, application: Application) -> AssessorAssignment:
    assignment = assignments_of_assessor(request.user).filter(application=application).first()
    if assignment is None:
        raise Http404("No such assignment")
    return assignment


@require_safe
@login_required
def assessor_home(request: HttpRequest) -> HttpResponse:
    assignments = assignments_of_assessor(request.user)
    if not user_is_assessor(request.user) and not assignments.exists():
        raise PermissionDenied("Only assessors can open this page.")
    return render(
        request, "applications/assess/home.html", {"work": services.assessor_work(assignments)}
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@_refusal_explained
def conflict_declare(request: HttpRequest, reference: str) -> HttpResponse:
    application, _ = application_get_for(request.user, reference, AppCapability.DECLARE)
    assignment = _own_assignment(request, application)
    if assignment.conflict == Conflict.NONE:
        return redirect("applications:assess", reference=application.reference)
    form = ConflictForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.conflict_declare(
                actor=request_actor(request),
                assignment=assignment,
                conflicted=form.is_conflicted,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            if form.is_conflicted:
                messages.success(
                    request,
                    f"You declared a conflict of interest in {application.reference}. "
                    "Programme staff will ask another assessor.",
                )
                return redirect("applications:assessor_home")
            messages.success(request, "You declared no conflict of interest.")
            return redirect("applications:assess", reference=application.reference)
    organisations = list(application.organisations.all())
    return render(
        request,
        "applications/assess/conflict.html",
        {
            "application": application,
            "lead_organisations": [
                o for o in organisations if o.role == ApplicationOrganisation.Role.LEAD
            ],
            "partner_organisations": [
                o for o in organisations if o.role == ApplicationOrganisation.Role.PARTNER
            ],
            "member_names": [
                member.user.get_full_name() for member in application.members.select_related("user")
            ],
            "is_open": application.state == ApplicationState.IN_ASSESSMENT,
            "form": form,
            "errors": error_links(form),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@_refusal_explained
def assess(request: HttpRequest, reference: str) -> HttpResponse:
    application, capabilities = application_get_for(request.user, reference, AppCapability.DECLARE)
    if AppCapability.ASSESS not in capabilities:
        return redirect("applications:conflict_declare", reference=application.reference)
    assignment = _own_assignment(request, application)
    criteria = services.round_criteria(application.round)
    card = services.scorecard(assignment, criteria)
    read_only = (
        assignment.submitted_at is not None or application.state != ApplicationState.IN_ASSESSMENT
    )
    recorded = {line.criterion.pk: (line.score, line.comment) for line in card.lines}
    form = ScoresForm(
        None if read_only else form_data(request),
        criteria=criteria,
        initial=ScoresForm.initial_from(criteria, recorded),
    )
    if request.method == "POST" and read_only:
        messages.error(request, "These scores can no longer change.")
        return redirect("applications:assess", reference=application.reference)
    if request.method == "POST" and form.is_valid():
        try:
            services.scores_save(
                actor=request_actor(request),
                assignment=assignment,
                scores=form.scores(),
                comments=form.comments(),
                submit=form.is_submit,
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request,
                "Your scores were submitted. Thank you."
                if form.is_submit
                else "Your draft scores were saved. Submit them when every criterion is scored.",
            )
            return redirect("applications:assess", reference=application.reference)
    return render(
        request,
        "applications/assess/assess.html",
        {
            "application": application,
            "assignment": assignment,
            "summary": application_summary(application),
            "card": card,
            "read_only": read_only,
            "form": form,
            "criteria_fields": [(c, *form.fields_of(c)) for c in criteria],
            "errors": error_links(form),
        },
        status=400 if form.errors else 200,
    )
