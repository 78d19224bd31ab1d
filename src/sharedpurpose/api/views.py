"""The account pages where people create, see and revoke their personal API tokens.

A new token's full text is shown once: the create view keeps it in the session only until
the next page is drawn, which takes it out again, so a reload or the back button cannot show
it twice. It never appears in a URL or a log line.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from sharedpurpose.core.web import form_add_service_error, request_actor
from sharedpurpose.improvement.models import Team

from .forms import TokenCreateForm, TokenRevokeForm
from .models import ApiToken
from .tokens import token_create, token_revoke

#: Where the create view leaves a new token for the one page that shows it.
SESSION_KEY = "api_tokens.created"


class TokenRow:
    """One token as the list shows it."""

    def __init__(self, token: ApiToken, now: datetime) -> None:
        self.token = token
        self.now = now

    @property
    def display_prefix(self) -> str:
        return f"sp_{self.token.prefix}_…"

    @cached_property
    def status(self) -> str:
        if self.token.revoked_at is not None:
            return "revoked"
        if self.token.expires_at <= self.now:
            return "expired"
        return "active"

    @property
    def status_label(self) -> str:
        return {"active": "Active", "expired": "Expired", "revoked": "Revoked"}[self.status]

    @property
    def tag_class(self) -> str:
        return {
            "active": "nhsuk-tag--green",
            "expired": "nhsuk-tag--grey",
            "revoked": "nhsuk-tag--red",
        }[self.status]

    @property
    def teams_label(self) -> str:
        if self.token.all_teams:
            return "All your teams"
        # The list prefetches them as ``chosen_teams``; a single token reads them here.
        chosen: list[Team] | None = getattr(self.token, "chosen_teams", None)
        if chosen is None:
            chosen = list(self.token.teams.order_by("name"))
        return ", ".join(team.name for team in chosen) or "None"


class TokensPage:
    def __init__(self, request: HttpRequest) -> None:
        self.user = request_actor(request)

    @cached_property
    def rows(self) -> list[TokenRow]:
        now = timezone.now()
        tokens = ApiToken.objects.filter(user=self.user).prefetch_related(
            Prefetch("teams", queryset=Team.objects.order_by("name"), to_attr="chosen_teams")
        )
        return [TokenRow(token, now) for token in tokens]


def _tokens_page(request: HttpRequest, form: TokenCreateForm) -> HttpResponse:
    return render(request, "api/tokens.html", {"page": TokensPage(request), "form": form})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """The person's tokens, and the form that creates one."""
    user = request_actor(request)
    if request.method != "POST":
        # A new token not yet shown (its page never opened) is not kept for later either.
        request.session.pop(SESSION_KEY, None)
        return _tokens_page(request, TokenCreateForm(user=user))
    form = TokenCreateForm(request.POST, user=user)
    if form.is_valid():
        try:
            token, text = token_create(user=user, **form.token_arguments())
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            request.session[SESSION_KEY] = {"id": token.pk, "text": text}
            return redirect("api_tokens:created")
    return _tokens_page(request, form)


@never_cache
@login_required
@require_GET  # not HEAD: a HEAD must not use up the one showing
def token_created(request: HttpRequest) -> HttpResponse:
    """The one page that shows a new token's full text; it takes it out of the session."""
    shown: dict[str, Any] = request.session.pop(SESSION_KEY, None) or {}
    token = ApiToken.objects.filter(user=request_actor(request), pk=shown.get("id", 0)).first()
    if token is None or "text" not in shown:
        messages.info(
            request,
            "A token's full text is shown only once, when it is created. If you did not copy "
            "it, revoke that token and create another.",
        )
        return redirect("api_tokens:list")
    return render(
        request,
        "api/token_created.html",
        {"token": token, "text": shown["text"], "api_url": request.build_absolute_uri("/api/v1/")},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def token_revoke_confirm(request: HttpRequest, token_id: int) -> HttpResponse:
    """Ask before revoking; the POST revokes. Only the token's owner reaches it (404 else)."""
    user = request_actor(request)
    token = get_object_or_404(ApiToken.objects.filter(user=user), pk=token_id)
    if token.revoked_at is not None:
        messages.info(request, f"The token “{token.name}” was already revoked.")
        return redirect("api_tokens:list")
    form = TokenRevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            token_revoke(user=user, token=token)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"The token “{token.name}” was revoked: it no longer works.")
            return redirect("api_tokens:list")
    return render(
        request,
        "api/token_revoke.html",
        {"token": token, "row": TokenRow(token, timezone.now()), "form": form},
    )
