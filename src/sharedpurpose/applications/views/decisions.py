"""Staff pages for decisions, decision letters, awards and publishing them.

Application pages get their application through ``access.application_get_for`` with the
MANAGE capability (404 to outsiders, 403 to applicants and assessors); round pages are for
programme staff. Views parse the form and call a service; a ``ValidationError`` goes back on
the form with what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sharedpurpose.core.web import form_add_service_error, request_actor, staff_required
from sharedpurpose.programmes.dates import when_local
from sharedpurpose.programmes.models import PUBLIC_ROUND_STATES
from sharedpurpose.programmes.selectors import round_staff_get

from ..access import AppCapability, application_get_for
from ..forms.decisions import AwardForm, DecisionForm, LettersSendForm, PublishForm, ReopenForm
from ..services import awards as award_services
from ..services import decisions as decision_services

REOPEN = "reopen"


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def decision(request: HttpRequest, reference: str) -> HttpResponse:
    application, _ = application_get_for(request.user, reference, AppCapability.MANAGE)
    round_ = application.round
    current = decision_services.decision_of(application)
    posted = request.POST if request.method == "POST" else None
    reopening = posted is not None and posted.get("action") == REOPEN
    form = DecisionForm(
        None if reopening else posted,
        initial=DecisionForm.initial_from(current) if current else None,
    )
    reopen_form = ReopenForm(posted if reopening else None)
    if reopening and reopen_form.is_valid():
        try:
            decision_services.decision_reopen(
                actor=request_actor(request),
                application=application,
                reason=reopen_form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form_add_service_error(reopen_form, error)
        else:
            messages.success(
                request, f"{application.reference} is back in assessment for a new decision."
            )
            return redirect("applications:decision", reference=application.reference)
    elif posted is not None and not reopening and form.is_valid():
        try:
            recorded = decision_services.decision_record(
                actor=request_actor(request),
                application=application,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request,
                f"Decision on {application.reference} recorded: "
                f"{recorded.get_outcome_display().lower()}.",
            )
            return redirect("applications:decision", reference=application.reference)
    return render(
        request,
        "applications/manage/decision.html",
        {
            "application": application,
            "round": round_,
            "programme": round_.programme,
            "panel": decision_services.decision_panel(application),
            "decision": current,
            "decided_when": when_local(current.decided_at, round_.timezone) if current else "",
            "letter_sent": (
                decision_services.letter_sent_message(current, round_)
                if current and current.letter_queued_at
                else ""
            ),
            "can_decide": decision_services.decision_is_open(application, current),
            "form": form,
            "can_reopen": decision_services.decision_can_reopen(application, current),
            "reopen_form": reopen_form,
        },
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def letters(request: HttpRequest, programme_slug: str, round_slug: str) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    form = LettersSendForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            waiting = decision_services.decision_letters_request(
                actor=request_actor(request), round_=round_
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request,
                f"{waiting} decision letter{'s are' if waiting != 1 else ' is'} being sent. "
                "Each member of each partnership gets their own copy.",
            )
            return redirect(
                "applications:letters", programme_slug=programme_slug, round_slug=round_slug
            )
    return render(
        request,
        "applications/manage/letters.html",
        {
            "round": round_,
            "programme": round_.programme,
            "overview": decision_services.letters_overview(round_),
            "form": form,
        },
    )


def _award_initial(application_title: str, summary: str) -> dict[str, str]:
    return {
        "team_name": application_title,
        "team_slug": award_services.team_slug_suggest(application_title),
        "summary": summary,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def award(request: HttpRequest, reference: str) -> HttpResponse:
    application, _ = application_get_for(request.user, reference, AppCapability.MANAGE)
    round_ = application.round
    context = {"application": application, "round": round_, "programme": round_.programme}
    made = award_services.award_of(application)
    if made is not None:
        if request.method == "POST":
            messages.error(request, "This application has already been awarded.")
            return redirect("applications:award", reference=application.reference)
        return render(
            request,
            "applications/manage/award.html",
            {**context, "shown": award_services.award_shown(made)},
        )
    refusal = award_services.award_refusal(application, decision_services.decision_of(application))
    if refusal:
        return render(
            request,
            "applications/manage/award.html",
            {**context, "refusal": refusal},
            status=400 if request.method == "POST" else 200,
        )
    form = AwardForm(
        request.POST if request.method == "POST" else None,
        initial=_award_initial(application.title, award_services.team_summary_suggest(application)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            made = award_services.application_award(
                actor=request_actor(request), application=application, terms=form.terms()
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request,
                f"Award made: {made.team.name} is now a team of {round_.name}. Its members "
                "have been e-mailed the award's details.",
            )
            return redirect("applications:award", reference=application.reference)
    return render(
        request,
        "applications/manage/award.html",
        {
            **context,
            "form": form,
            "sideless": award_services.members_without_side(application),
        },
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def awards(request: HttpRequest, programme_slug: str, round_slug: str) -> HttpResponse:
    round_ = round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    form = PublishForm(request.POST if request.method == "POST" else None)
    shown = [award_services.award_shown(made) for made in award_services.awards_of_round(round_)]
    unpublished = [row.award for row in shown if row.award.published_at is None]
    confirming = False
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["step"] == PublishForm.CONFIRM and unpublished:
            confirming = True
        else:
            try:
                published = award_services.awards_publish(
                    actor=request_actor(request), round_=round_
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                count = len(published)
                messages.success(
                    request,
                    f"{count} award{'s' if count != 1 else ''} published: the round's page "
                    "now lists the award-holder teams.",
                )
                return redirect(
                    "applications:awards", programme_slug=programme_slug, round_slug=round_slug
                )
    return render(
        request,
        "applications/manage/awards.html",
        {
            "round": round_,
            "programme": round_.programme,
            "awards": shown,
            "unpublished": unpublished,
            "round_is_public": (
                round_.state in PUBLIC_ROUND_STATES and round_.programme.is_published
            ),
            "awaiting": award_services.applications_awaiting_award(round_),
            "form": form,
            "confirming": confirming,
        },
    )
