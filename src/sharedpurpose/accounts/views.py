"""A signed-in person's own data: what we hold, the download and erasing the account."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from sharedpurpose.core.web import form_add_service_error, form_data, request_actor

from .forms import EraseAccountForm
from .personal_data import (
    personal_data_erase,
    personal_data_erasure_plan,
    personal_data_export,
    personal_data_holdings,
)

ERASED_MESSAGE = (
    "Your account has been erased and you have been signed out. What the funder keeps no "
    "longer names you."
)


@login_required
@never_cache
@require_safe
def your_data(request: HttpRequest) -> HttpResponse:
    holdings = personal_data_holdings(request_actor(request))
    return render(request, "accounts/your_data.html", {"holdings": holdings})


@login_required
@require_safe
def your_data_download(request: HttpRequest) -> HttpResponse:
    data = personal_data_export(request_actor(request))
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="your-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account_erase(request: HttpRequest) -> HttpResponse:
    user = request_actor(request)
    form = EraseAccountForm(form_data(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                personal_data_erase(user, password=form.cleaned_data["password"])
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                logout(request)
                messages.success(request, ERASED_MESSAGE)
                return redirect("core:home")
    return render(
        request,
        "accounts/erase.html",
        {"form": form, "plan": personal_data_erasure_plan(user)},
        status=status,
    )
