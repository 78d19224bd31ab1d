"""Who is calling the API, and what they may reach: the same permission functions as the web
pages (``improvement.access``), narrowed by the token's scope and teams."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from sharedpurpose.improvement.access import Capability, team_get_for, teams_visible_to
from sharedpurpose.improvement.models import Measure, Team

from .models import ApiToken
from .tokens import token_find, token_team_ids, token_touch

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User


@dataclass(frozen=True)
class ApiPrincipal:
    """The caller: a user through a token or their browser session, or the public."""

    user: User | AnonymousUser
    token: ApiToken | None = None
    address: str = ""
    team_ids: frozenset[int] | None = field(default=None)

    def __str__(self) -> str:
        # Rate limits are counted per token, per signed-in user, or per address.
        if self.token is not None:
            return f"token:{self.token.pk}"
        if self.user.is_authenticated:
            return f"user:{self.user.pk}"
        return f"address:{self.address}"

    @property
    def can_write(self) -> bool:
        return self.token is None or self.token.scope == ApiToken.Scope.READ_WRITE


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sp_…``. A token that is wrong, expired or revoked is refused
    with 401 even where the public could read, so a pipeline learns its token is bad."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiPrincipal | None:
        found = token_find(token)
        if found is None:
            raise AuthenticationError(401, "The API token is not valid.")
        if found.revoked_at is not None:
            raise AuthenticationError(401, "The API token has been revoked.")
        if not found.is_active:
            raise AuthenticationError(401, "The API token has expired.")
        if not found.user.is_active:
            raise AuthenticationError(401, "The API token's account is not active.")
        token_touch(found)
        ids = token_team_ids(found)
        return ApiPrincipal(
            user=found.user,
            token=found,
            address=_address(request),
            team_ids=None if ids is None else frozenset(ids),
        )


class BrowserSessionAuth(SessionAuth):
    """The signed-in browser session; unsafe methods need the CSRF token as the site does."""

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiPrincipal | None:
        if request.user.is_authenticated and request.user.is_active:
            return ApiPrincipal(user=request.user, address=_address(request))
        return None


def public_auth(request: HttpRequest) -> ApiPrincipal:
    """Last in the chain of public endpoints: anyone may read them."""
    return ApiPrincipal(user=AnonymousUser(), address=_address(request))


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


SIGNED_IN = [TokenAuth(), BrowserSessionAuth()]
ANYONE = [TokenAuth(), BrowserSessionAuth(), public_auth]


def principal(request: HttpRequest) -> ApiPrincipal:
    auth: Any = getattr(request, "auth", None)
    assert isinstance(auth, ApiPrincipal), "every API route declares its auth"
    return auth


def api_teams_visible(request: HttpRequest) -> QuerySet[Team]:
    """Teams the caller may read: the web's rule, narrowed to the token's teams."""
    caller = principal(request)
    teams = teams_visible_to(caller.user)
    if caller.team_ids is not None:
        teams = teams.filter(pk__in=caller.team_ids)
    return teams


def api_team_get(request: HttpRequest, slug: str, capability: Capability = Capability.VIEW) -> Team:
    """The team, as ``team_get_for`` decides (404 / 403), also refusing a read-only token's
    changes (403) and teams outside the token's limit (404, as for anyone without access)."""
    caller = principal(request)
    if capability != Capability.VIEW and not caller.can_write:
        raise PermissionDenied("This API token is read only.")
    team, _ = team_get_for(caller.user, slug, capability)
    if caller.team_ids is not None and team.pk not in caller.team_ids:
        raise Http404("No such team")
    return team


def api_measure_get(
    request: HttpRequest, measure_id: int, capability: Capability = Capability.VIEW
) -> Measure:
    slug = Measure.objects.filter(pk=measure_id).values_list("team__slug", flat=True).first()
    if slug is None:
        raise Http404("No such measure")
    try:
        team = api_team_get(request, slug, capability)
    except Http404:
        # Said as the caller asked: whether the team exists is none of their business.
        raise Http404("No such measure") from None
    return Measure.objects.select_related("team").get(pk=measure_id, team=team)
