"""Staff pages under /manage/: programmes, rounds with preview, lifecycle moves, announcements.

Views parse the form and call a service; a ``ValidationError`` goes back on the form with what
was typed. "Preview" runs the same checks as "Save" and shows the public view above the form
without saving anything.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sharedpurpose.accounts.roles import user_is_programme_staff
from sharedpurpose.core.web import (
    every_programme_staff_required,
    form_data,
    request_actor,
    staff_required,
)

from .. import selectors, services
from ..forms import (
    AnnouncementForm,
    ProgrammeForm,
    ProgrammeStaffAddForm,
    ProgrammeStaffRemoveForm,
    RoundForm,
    TransitionForm,
)
from ..models import Programme, Round, RoundState
from ..presenters import RoundPresenter


def _errors_add(form: forms.Form, error: ValidationError) -> None:
    """Put a service's errors on the form's fields, or above the form for others."""
    by_field: dict[str | None, list[str]] = {None: error.messages}
    if hasattr(error, "error_dict"):
        by_field = {name: errors for name, errors in error.message_dict.items()}
    for name, errors in by_field.items():
        visible = name in form.fields and not form.fields[name].widget.is_hidden
        form.add_error(name if visible else None, errors)


def _wants_preview(request: HttpRequest) -> bool:
    return request.POST.get("action") == "preview"


# --------------------------------------------------------------------------
# Overview
# --------------------------------------------------------------------------


@require_safe
@staff_required
def manage_home(request: HttpRequest) -> HttpResponse:
    programmes = [
        (programme, [RoundPresenter(round_) for round_ in programme.rounds.all()])
        for programme in selectors.programmes_for_staff(user=request.user)
    ]
    return render(
        request,
        "programmes/manage/home.html",
        {"programmes": programmes, "runs_every_programme": user_is_programme_staff(request.user)},
    )


# --------------------------------------------------------------------------
# Programmes
# --------------------------------------------------------------------------


def _programme_form_page(
    request: HttpRequest, form: ProgrammeForm, programme: Programme | None
) -> HttpResponse:
    preview: Programme | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if _wants_preview(request):
                values = services.programme_values_clean(programme=programme, **data)
                preview = Programme(**values)
            elif programme is None:
                programme = services.programme_create(actor=request_actor(request), **data)
                messages.success(request, f"Programme “{programme.name}” created.")
                return redirect("programmes:manage_home")
            else:
                programme = services.programme_update(
                    actor=request_actor(request), programme=programme, **data
                )
                messages.success(request, f"Programme “{programme.name}” saved.")
                return redirect("programmes:manage_home")
        except ValidationError as error:
            _errors_add(form, error)
    return render(
        request,
        "programmes/manage/programme_form.html",
        {"form": form, "programme": programme, "preview": preview},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@every_programme_staff_required(services.PROGRAMME_CREATE_REFUSED)
def programme_create(request: HttpRequest) -> HttpResponse:
    return _programme_form_page(request, ProgrammeForm(form_data(request)), None)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def programme_edit(request: HttpRequest, programme_slug: str) -> HttpResponse:
    programme = selectors.programme_staff_get(user=request.user, slug=programme_slug)
    form = ProgrammeForm(form_data(request), initial=ProgrammeForm.initial_from(programme))
    return _programme_form_page(request, form, programme)


# --------------------------------------------------------------------------
# Rounds
# --------------------------------------------------------------------------


def _round_form_page(
    request: HttpRequest, form: RoundForm, programme: Programme, round_: Round | None
) -> HttpResponse:
    preview: RoundPresenter | None = None
    if request.method == "POST" and form.is_valid():
        try:
            if _wants_preview(request):
                fields = services.round_values_clean(
                    programme=programme, round_=round_, values=form.values()
                )
                state = round_.state if round_ else RoundState.DRAFT
                preview = RoundPresenter(Round(programme=programme, state=state, **fields))
            elif round_ is None:
                round_ = services.round_create(
                    actor=request_actor(request), programme=programme, values=form.values()
                )
                messages.success(request, f"Round “{round_.name}” created as a draft.")
                return redirect(_round_manage_url(round_))
            else:
                round_ = services.round_update(
                    actor=request_actor(request), round_=round_, values=form.values()
                )
                messages.success(request, f"Round “{round_.name}” saved.")
                return redirect(_round_manage_url(round_))
        except ValidationError as error:
            _errors_add(form, error)
    return render(
        request,
        "programmes/manage/round_form.html",
        {"form": form, "programme": programme, "round": round_, "preview": preview},
    )


def _round_manage_url(round_: Round) -> str:
    return reverse(
        "programmes:round_manage",
        kwargs={"programme_slug": round_.programme.slug, "round_slug": round_.slug},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def round_create(request: HttpRequest, programme_slug: str) -> HttpResponse:
    programme = selectors.programme_staff_get(user=request.user, slug=programme_slug)
    numbers = list(programme.rounds.values_list("number", flat=True))
    initial = {"number": max(numbers, default=0) + 1, "timezone": "Europe/London"}
    form = RoundForm(form_data(request), initial=initial)
    return _round_form_page(request, form, programme, None)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def round_edit(request: HttpRequest, programme_slug: str, round_slug: str) -> HttpResponse:
    round_ = selectors.round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    form = RoundForm(form_data(request), initial=RoundForm.initial_from(round_))
    return _round_form_page(request, form, round_.programme, round_)


def _round_manage_page(
    request: HttpRequest, round_: Round, error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "programmes/manage/round_manage.html",
        {
            "round": round_,
            "programme": round_.programme,
            "presenter": RoundPresenter(round_),
            "transitions": selectors.round_transitions(round_=round_),
            "announcements": selectors.round_announcements(round_=round_),
            "transition_error": error,
        },
        status=status,
    )


@require_safe
@staff_required
def round_manage(request: HttpRequest, programme_slug: str, round_slug: str) -> HttpResponse:
    round_ = selectors.round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    return _round_manage_page(request, round_)


@require_POST
@staff_required
def round_transition(request: HttpRequest, programme_slug: str, round_slug: str) -> HttpResponse:
    round_ = selectors.round_staff_get(
        user=request.user, programme_slug=programme_slug, round_slug=round_slug
    )
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _round_manage_page(request, round_, "Choose a state to move the round to.", 400)
    try:
        services.round_transition(
            actor=request_actor(request), round_=round_, to_state=form.cleaned_data["to_state"]
        )
    except ValidationError as error:
        return _round_manage_page(request, round_, " ".join(error.messages), 400)
    messages.success(request, f"Round “{round_.name}” is now {round_.get_state_display().lower()}.")
    return redirect(_round_manage_url(round_))


# --------------------------------------------------------------------------
# Announcements
# --------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def announcement_create(request: HttpRequest, programme_slug: str) -> HttpResponse:
    programme = selectors.programme_staff_get(user=request.user, slug=programme_slug)
    form = AnnouncementForm(form_data(request), programme=programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            announcement = services.announcement_create(
                actor=request_actor(request),
                programme=programme,
                title=data["title"],
                body=data["body"],
                round_=data["round"],
            )
        except ValidationError as error:
            _errors_add(form, error)
        else:
            messages.success(request, f"Announcement “{announcement.title}” published.")
            return redirect("programmes:manage_home")
    return render(
        request,
        "programmes/manage/announcement_form.html",
        {"form": form, "programme": programme, "announcement": None},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def announcement_edit(
    request: HttpRequest, programme_slug: str, announcement_id: int
) -> HttpResponse:
    announcement = selectors.announcement_staff_get(
        user=request.user, programme_slug=programme_slug, announcement_id=announcement_id
    )
    programme = announcement.programme
    form = AnnouncementForm(
        form_data(request),
        programme=programme,
        initial=AnnouncementForm.initial_from(announcement),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.announcement_update(
                actor=request_actor(request),
                announcement=announcement,
                title=data["title"],
                body=data["body"],
                round_=data["round"],
            )
        except ValidationError as error:
            _errors_add(form, error)
        else:
            messages.success(request, f"Announcement “{announcement.title}” saved.")
            return redirect("programmes:manage_home")
    return render(
        request,
        "programmes/manage/announcement_form.html",
        {"form": form, "programme": programme, "announcement": announcement},
    )


@require_POST
@staff_required
def announcement_delete(
    request: HttpRequest, programme_slug: str, announcement_id: int
) -> HttpResponse:
    announcement = selectors.announcement_staff_get(
        user=request.user, programme_slug=programme_slug, announcement_id=announcement_id
    )
    try:
        services.announcement_delete(actor=request_actor(request), announcement=announcement)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(
            "programmes:announcement_edit",
            programme_slug=programme_slug,
            announcement_id=announcement_id,
        )
    messages.success(request, f"Announcement “{announcement.title}” deleted.")
    return redirect("programmes:manage_home")


# --------------------------------------------------------------------------
# The people who run one programme only
# --------------------------------------------------------------------------


def _programme_staff_page(
    request: HttpRequest, programme: Programme, form: ProgrammeStaffAddForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "programmes/manage/programme_staff.html",
        {
            "programme": programme,
            "people": selectors.programme_staff_members(programme=programme),
            "form": form,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def programme_staff(request: HttpRequest, programme_slug: str) -> HttpResponse:
    programme = selectors.programme_staffing_get(user=request.user, slug=programme_slug)
    form = ProgrammeStaffAddForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            person = services.programme_staff_add(
                actor=request_actor(request), programme=programme, email=form.cleaned_data["email"]
            )
        except ValidationError as error:
            _errors_add(form, error)
        else:
            messages.success(request, f"{person.get_full_name()} now runs {programme.name}.")
            return redirect("programmes:programme_staff", programme_slug=programme.slug)
    return _programme_staff_page(request, programme, form, status=400 if form.errors else 200)


@require_POST
@staff_required
def programme_staff_remove(request: HttpRequest, programme_slug: str) -> HttpResponse:
    programme = selectors.programme_staffing_get(user=request.user, slug=programme_slug)
    form = ProgrammeStaffRemoveForm(request.POST, programme=programme)
    if not form.is_valid():
        raise Http404("No such member of the programme's staff")
    person = form.cleaned_data["person"]
    services.programme_staff_remove(
        actor=request_actor(request), programme=programme, person=person
    )
    messages.success(request, f"{person.get_full_name()} no longer runs {programme.name}.")
    return redirect("programmes:programme_staff", programme_slug=programme.slug)
