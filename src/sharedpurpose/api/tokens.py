"""Creating, checking and revoking personal API tokens.

A token reads ``sp_<prefix>_<secret>``: the prefix finds the row, the secret is compared with
its stored SHA-256 in constant time. A secret of 32 random bytes needs no slow hash: it
cannot be guessed, only stolen, and a stolen database holds no usable secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sharedpurpose.core.audit import audit_record
from sharedpurpose.improvement.access import teams_visible_to
from sharedpurpose.improvement.models import Team

from .models import ApiToken

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User

PREFIX_BYTES = 6
SECRET_BYTES = 32
MAX_LIFETIME = timedelta(days=366)
#: ``last_used_at`` is written at most this often, so reads do not each cost a write.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(
    *,
    user: User,
    name: str,
    scope: str,
    expires_at: datetime,
    teams: Iterable[Team] = (),
    all_teams: bool = False,
) -> tuple[ApiToken, str]:
    """The new token and its full text, which is shown once and never again."""
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = "Enter what the token is for, e.g. 'Warehouse pipeline'."
    if scope not in ApiToken.Scope.values:
        errors["scope"] = "Choose read only, or read and write."
    now = timezone.now()
    if expires_at <= now:
        errors["expires_at"] = "Choose an expiry date in the future."
    elif expires_at > now + MAX_LIFETIME:
        errors["expires_at"] = "A token can last a year at most."
    chosen = list(teams)
    if not all_teams:
        allowed = set(teams_visible_to(user).values_list("pk", flat=True))
        if not chosen:
            errors["teams"] = "Choose the teams this token may reach, or all your teams."
        elif any(team.pk not in allowed for team in chosen):
            errors["teams"] = "Choose only teams you can open."
    if errors:
        raise ValidationError(errors)
    prefix = secrets.token_hex(PREFIX_BYTES)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=prefix,
            secret_hash=_hash(secret),
            scope=scope,
            all_teams=all_teams,
            expires_at=expires_at,
        )
        if not all_teams:
            token.teams.set(chosen)
        audit_record(
            actor=user,
            action="api_token.create",
            obj=token,
            scope=f"user:{user.pk}",
            summary=f"API token “{name}” created ({token.get_scope_display().lower()})",
        )
    return token, f"sp_{prefix}_{secret}"


def token_find(text: str) -> ApiToken | None:
    """The token ``text`` names if its secret matches, active or not; None otherwise."""
    parts = text.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "sp":
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(parts[2])):
        return None
    return token


def token_touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


def token_revoke(*, user: User, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise ValidationError("This is not your token.")
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=user,
        action="api_token.revoke",
        obj=token,
        scope=f"user:{user.pk}",
        summary=f"API token “{token.name}” revoked",
    )


def token_team_ids(token: ApiToken) -> set[int] | None:
    """The teams a token is limited to, or None for all the user's teams."""
    if token.all_teams:
        return None
    return set(token.teams.values_list("pk", flat=True))
