"""Applicants' pages: starting an application, their list, the overview with its task list,
checking and submitting, withdrawing, the PDF and the history."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sharedpurpose.core.models import AuditEvent
from sharedpurpose.core.web import form_add_service_error, request_actor
from sharedpurpose.programmes.dates import when_local
from sharedpurpose.programmes.models import Round
from sharedpurpose.programmes.selectors import round_public_get

from ..access import AppCapability, application_get_for, applications_of_applicant
from ..forms.apply import ApplyStartForm, SubmitForm, WithdrawForm
from ..lifecycle import EDITABLE_STATES, FINAL_STATES
from ..models import Application, ApplicationState, ApplicationTransition, Decision, FormSection
from ..pdf import application_pdf
from ..presenters import COMPLETED, IN_PROGRESS, NOT_STARTED, application_summary, section_progress
from ..services import applications as services
from ..services.partnership import partnership_problems
from ..services.workflow import application_scope

STATE_TAG_CLASSES: dict[str, str] = {
    ApplicationState.DRAFT: "nhsuk-tag--grey",
    ApplicationState.SUBMITTED: "nhsuk-tag--blue",
    ApplicationState.IN_ASSESSMENT: "nhsuk-tag--purple",
    ApplicationState.DECIDED: "nhsuk-tag--aqua-green",
    ApplicationState.AWARDED: "nhsuk-tag--green",
    ApplicationState.UNSUCCESSFUL: "nhsuk-tag--orange",
    ApplicationState.WITHDRAWN: "nhsuk-tag--white",
}
#: Task-list status tags, as in the NHS.UK task list: done is plain, to-do is coloured.
TASK_TAG_CLASSES: dict[str, str] = {
    COMPLETED: "nhsuk-tag--no-colour nhsuk-tag--no-border nhsuk-u-font-weight-normal",
    IN_PROGRESS: "nhsuk-tag--blue",
    NOT_STARTED: "nhsuk-tag--grey",
}


def _local(value: Any, round_: Round) -> str:
    return when_local(value, round_.timezone) if value else ""


@dataclass(frozen=True)
class Task:
    """One line of the overview's task list."""

    title: str
    url: str
    status: str

    @property
    def tag_class(self) -> str:
        return TASK_TAG_CLASSES[self.status]


class ApplicationPage:
    """What every page about one application shows: its state, deadline and what the reader
    may do with it."""

    def __init__(self, application: Application, capabilities: frozenset[AppCapability]) -> None:
        self.application = application
        self.round = application.round
        self.capabilities = capabilities

    @cached_property
    def state_tag_class(self) -> str:
        return STATE_TAG_CLASSES[self.application.state]

    @cached_property
    def is_draft(self) -> bool:
        return self.application.state in EDITABLE_STATES

    @cached_property
    def can_edit(self) -> bool:
        return self.is_draft and AppCapability.EDIT in self.capabilities

    @cached_property
    def can_submit(self) -> bool:
        return self.is_draft and AppCapability.LEAD in self.capabilities

    @cached_property
    def can_withdraw(self) -> bool:
        return (
            AppCapability.LEAD in self.capabilities and self.application.state not in FINAL_STATES
        )

    @cached_property
    def is_staff(self) -> bool:
        return AppCapability.MANAGE in self.capabilities

    @cached_property
    def deadline(self) -> str:
        return _local(self.round.applications_close_at, self.round)

    @cached_property
    def submitted_at(self) -> str:
        return _local(self.application.submitted_at, self.round)


class OverviewPage(ApplicationPage):
    """The overview: a task list while a draft, the answers read-only afterwards."""

    @cached_property
    def partnership_task(self) -> Task:
        problems = partnership_problems(self.application)
        if not problems:
            status = COMPLETED
        elif self.application.organisations.count() > 1 or self.application.members.count() > 1:
            status = IN_PROGRESS
        else:
            status = NOT_STARTED
        return Task("Partnership", self._url("applications:partnership"), status)

    @cached_property
    def section_tasks(self) -> list[Task]:
        progress = section_progress(self.application)
        sections = FormSection.objects.filter(pk__in=progress).order_by("position", "pk")
        return [
            Task(
                section.title,
                self._url("applications:section", section_id=section.pk),
                progress[section.pk],
            )
            for section in sections
        ]

    @cached_property
    def tasks(self) -> list[Task]:
        return [self.partnership_task, *self.section_tasks]

    @cached_property
    def tasks_completed(self) -> int:
        return sum(1 for task in self.tasks if task.status == COMPLETED)

    @cached_property
    def summary(self) -> list[Any]:
        return application_summary(self.application)

    @cached_property
    def decision(self) -> Decision | None:
        """The outcome, once its letter has gone to the applicants (and to staff always)."""
        decision = Decision.objects.filter(application=self.application).first()
        if decision is None:
            return None
        if decision.letter_queued_at is None and not self.is_staff:
            return None
        return decision

    def _url(self, name: str, **kwargs: Any) -> str:
        return reverse(name, kwargs={"reference": self.application.reference, **kwargs})


class HistoryPage(ApplicationPage):
    @cached_property
    def transitions(self) -> list[dict[str, Any]]:
        rows = ApplicationTransition.objects.filter(application=self.application).select_related(
            "actor"
        )
        return [
            {
                "when": _local(row.occurred_at, self.round),
                "who": row.actor.get_full_name() if row.actor else "The system",
                "from": row.get_from_state_display(),
                "to": row.get_to_state_display(),
                "why": row.reason,
            }
            for row in rows
        ]

    @cached_property
    def audit_events(self) -> list[dict[str, Any]]:
        if not self.is_staff:
            return []
        events = AuditEvent.objects.filter(scope=application_scope(self.application))
        return [
            {
                "when": _local(event.occurred_at, self.round),
                "who": event.actor.get_full_name() if event.actor else "The system",
                "action": event.action,
                "summary": event.summary,
            }
            for event in events.select_related("actor")
        ]


# --------------------------------------------------------------------------
# Starting
# --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def apply_start(request: HttpRequest, programme_slug: str, round_slug: str) -> HttpResponse:
    round_ = round_public_get(programme_slug=programme_slug, round_slug=round_slug)
    form_of_round = services.round_application_form(round_)
    closed = services.round_closed_reason(round_, timezone.now(), doing="started")
    if form_of_round is None:
        closed = f"{round_.name} does not take applications through this site."
    context: dict[str, Any] = {
        "round": round_,
        "programme": round_.programme,
        "application_form": form_of_round,
        "closed": closed,
        "deadline": _local(round_.applications_close_at, round_),
    }
    if closed:
        return render(request, "applications/apply_start.html", context)
    questions = services.eligibility_questions(round_)
    form = ApplyStartForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_start(
                round_=round_,
                actor=request_actor(request),
                title=form.cleaned_data["title"],
                eligibility_answers=form.eligibility_answers(),
            )
        except services.ApplicantIneligible as ineligible:
            return render(
                request,
                "applications/ineligible.html",
                {**context, "reasons": ineligible.reasons},
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request,
                f"Your application {application.reference} has started. "
                "It saves as you go; submit it before the deadline.",
            )
            return redirect(application)
    return render(request, "applications/apply_start.html", {**context, "form": form})


# --------------------------------------------------------------------------
# The applicant's own applications
# --------------------------------------------------------------------------


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    applications: QuerySet[Application] = (
        applications_of_applicant(request.user)
        .select_related("round", "round__programme")
        .order_by("-updated_at")
    )
    rows = [
        {
            "application": application,
            "tag_class": STATE_TAG_CLASSES[application.state],
            "updated": _local(application.updated_at, application.round),
            "deadline": _local(application.round.applications_close_at, application.round),
        }
        for application in applications
    ]
    return render(request, "applications/mine.html", {"rows": rows})


@login_required
@require_safe
def application_detail(request: HttpRequest, reference: str) -> HttpResponse:
    application, capabilities = application_get_for(request.user, reference, AppCapability.VIEW)
    return render(
        request,
        "applications/application_detail.html",
        {"application": application, "page": OverviewPage(application, capabilities)},
    )


# --------------------------------------------------------------------------
# Checking and submitting
# --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def submit(request: HttpRequest, reference: str) -> HttpResponse:
    # The deadline rule: the moment the server received the submit is what counts.
    received_at = timezone.now()
    application, capabilities = application_get_for(request.user, reference, AppCapability.LEAD)
    if application.state != ApplicationState.DRAFT:
        if application.state == ApplicationState.SUBMITTED:
            return redirect("applications:submitted", reference=application.reference)
        messages.info(
            request,
            f"This application is {application.get_state_display().lower()}; "
            "there is nothing to submit.",
        )
        return redirect(application)
    form = SubmitForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_submit(
                application=application, actor=request_actor(request), received_at=received_at
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            return redirect("applications:submitted", reference=application.reference)
    problems = services.application_problems(application)
    closed = services.round_closed_reason(application.round, received_at)
    return render(
        request,
        "applications/submit.html",
        {
            "application": application,
            "page": ApplicationPage(application, capabilities),
            "form": form,
            "problems": problems,
            "closed": closed,
            # After a refused submit the form stays, ticked as it was sent.
            "show_form": form.is_bound or not (problems or closed),
            "summary": application_summary(application),
        },
    )


@login_required
@require_safe
def submitted(request: HttpRequest, reference: str) -> HttpResponse:
    application, capabilities = application_get_for(request.user, reference, AppCapability.VIEW)
    if application.submitted_at is None:
        return redirect(application)
    return render(
        request,
        "applications/submit_done.html",
        {"application": application, "page": ApplicationPage(application, capabilities)},
    )


# --------------------------------------------------------------------------
# Withdrawing, the PDF and the history
# --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    application, capabilities = application_get_for(request.user, reference, AppCapability.LEAD)
    page = ApplicationPage(application, capabilities)
    if not page.can_withdraw:
        messages.info(
            request,
            f"This application is {application.get_state_display().lower()}, "
            "so it can no longer be withdrawn.",
        )
        return redirect(application)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(
                application=application,
                actor=request_actor(request),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"Application {application.reference} was withdrawn.")
            return redirect(application)
    return render(
        request,
        "applications/withdraw.html",
        {"application": application, "page": page, "form": form},
    )


@login_required
@require_safe
def pdf(request: HttpRequest, reference: str) -> HttpResponse:
    application, _ = application_get_for(request.user, reference, AppCapability.VIEW)
    response = HttpResponse(application_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{application.reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def history(request: HttpRequest, reference: str) -> HttpResponse:
    application, capabilities = application_get_for(request.user, reference, AppCapability.VIEW)
    return render(
        request,
        "applications/history.html",
        {"application": application, "page": HistoryPage(application, capabilities)},
    )
