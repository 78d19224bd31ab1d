"""What makes an e-mailed invitation usable, for teams and applications alike: it exists, is
unused and unexpired, and the person accepting has verified the address it was sent to."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.utils import timezone

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User


class Invitation(Protocol):
    email: str
    expires_at: datetime
    accepted_at: datetime | None


def invitation_check_usable(invitation: Invitation | None, *, actor: User, inviter: str) -> None:
    """``ValidationError`` saying what is wrong; ``inviter`` names who can invite again."""
    if invitation is None:
        raise ValidationError(
            "This invitation link is not valid. Check you copied the whole link from the e-mail."
        )
    if invitation.accepted_at is not None:
        raise ValidationError(
            f"This invitation has already been used. Ask {inviter} to invite you again."
        )
    if invitation.expires_at <= timezone.now():
        raise ValidationError(
            f"This invitation expired on {timezone.localtime(invitation.expires_at):%-d %B %Y}. "
            f"Ask {inviter} to invite you again."
        )
    verified = EmailAddress.objects.filter(
        user=actor, email__iexact=invitation.email, verified=True
    ).exists()
    if not verified:
        raise ValidationError(
            f"This invitation was sent to {invitation.email}. Sign in with that address, "
            "once it is verified, to accept it."
        )
