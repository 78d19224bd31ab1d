"""Views of "stay informed": sign-up, confirmation, unsubscribe, preferences, outbox retry."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sharedpurpose.core.web import form_add_service_error, staff_required
from sharedpurpose.programmes.models import Programme
from sharedpurpose.programmes.selectors import staffed_only

from ..forms.subscriptions import INTEREST_ALL, INTEREST_CHOSEN, PreferencesForm, SubscribeForm
from ..models import OutboxMessage
from ..outbox import outbox_retry as outbox_retry_service
from ..services import subscriptions as services

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User


def _link_problem(request: HttpRequest, *, expired: bool) -> HttpResponse:
    return render(
        request,
        "engagement/subscriptions/link_problem.html",
        {"expired": expired},
        status=410 if expired else 400,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SubscribeForm(request.POST)
        if form.is_valid():
            if form.cleaned_data["website"]:
                return redirect("engagement:subscribe_done")
            try:
                services.subscription_request(
                    email=form.cleaned_data["email"],
                    name=form.cleaned_data["name"],
                    all_programmes=form.all_programmes,
                    programme_ids=form.programme_ids,
                    consent=form.cleaned_data["consent"],
                    ip_address=str(request.META.get("REMOTE_ADDR", "")),
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                return redirect("engagement:subscribe_done")
    else:
        initial: dict[str, Any] = {"interests": INTEREST_ALL}
        chosen = Programme.objects.filter(
            slug=request.GET.get("programme", ""), is_published=True
        ).first()
        if chosen is not None:
            initial = {"interests": INTEREST_CHOSEN, "programmes": [chosen.pk]}
        form = SubscribeForm(initial=initial)
    return render(
        request,
        "engagement/subscriptions/subscribe.html",
        {"form": form, "consent_text": services.CONSENT_TEXT},
    )


@require_safe
def subscribe_done(request: HttpRequest) -> HttpResponse:
    return render(request, "engagement/subscriptions/subscribe_done.html")


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe_confirm(request: HttpRequest, token: str) -> HttpResponse:
    # GET only shows a button: link checkers in mail systems must not confirm for people.
    try:
        if request.method == "POST":
            subscriber = services.subscriber_confirm(token=token)
            return render(
                request,
                "engagement/subscriptions/confirmed.html",
                {"preferences_token": services.preferences_token(subscriber.pk)},
            )
        subscriber = services.subscriber_for_confirm_token(token)
    except services.LinkExpired:
        return _link_problem(request, expired=True)
    except services.LinkInvalid:
        return _link_problem(request, expired=False)
    return render(
        request, "engagement/subscriptions/confirm.html", {"subscriber": subscriber, "token": token}
    )


@csrf_exempt  # RFC 8058 one-click: the signed token is the authentication
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            subscriber = services.subscriber_unsubscribe(token=token)
            return render(
                request,
                "engagement/subscriptions/unsubscribed.html",
                {"preferences_token": services.preferences_token(subscriber.pk)},
            )
        subscriber = services.subscriber_from_unsubscribe_token(token)
    except services.LinkInvalid:
        return _link_problem(request, expired=False)
    return render(
        request,
        "engagement/subscriptions/unsubscribe.html",
        {"subscriber": subscriber, "token": token},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber = services.subscriber_from_preferences_token(token)
    except services.LinkInvalid:
        return _link_problem(request, expired=False)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                services.subscriber_preferences_update(
                    subscriber=subscriber,
                    name=form.cleaned_data["name"],
                    all_programmes=form.all_programmes,
                    programme_ids=form.programme_ids,
                    subscribed=form.cleaned_data["subscribed"],
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, "Your choices have been saved.")
                return redirect("engagement:preferences", token=token)
    else:
        form = PreferencesForm(
            initial={
                "name": subscriber.name,
                "interests": INTEREST_ALL if subscriber.all_programmes else INTEREST_CHOSEN,
                "programmes": [p.pk for p in subscriber.programmes.all()],
                "subscribed": subscriber.unsubscribed_at is None,
            }
        )
    return render(
        request,
        "engagement/subscriptions/preferences.html",
        {"form": form, "subscriber": subscriber, "token": token},
    )


@require_safe
def preferences_export(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber = services.subscriber_from_preferences_token(token)
    except services.LinkInvalid:
        return _link_problem(request, expired=False)
    data = services.subscriber_export(subscriber=subscriber)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="shared-purpose-my-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def preferences_erase(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber = services.subscriber_from_preferences_token(token)
    except services.LinkInvalid:
        return _link_problem(request, expired=False)
    if request.method == "POST":
        services.subscriber_erase(subscriber=subscriber)
        return render(request, "engagement/subscriptions/erased.html")
    return render(
        request,
        "engagement/subscriptions/erase.html",
        {"subscriber": subscriber, "token": token},
    )


@require_POST
@staff_required
def outbox_retry(request: HttpRequest, message_id: int) -> HttpResponse:
    user = request.user
    assert user.is_authenticated
    actor: User = user
    # Only the people who run a message's programme see it; mail about no round is the
    # funder's (staff of every programme).
    staffed = staffed_only(OutboxMessage.objects.all(), user=actor, path="round__programme")
    if not staffed.filter(pk=message_id).exists():
        raise Http404("No such e-mail")
    message: OutboxMessage | None = None
    try:
        message = outbox_retry_service(actor=actor, message_id=message_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The e-mail is queued again.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = (
            message.round.get_absolute_url()
            if message is not None and message.round is not None
            else reverse("programmes:programme_list")
        )
    return HttpResponseRedirect(target)
