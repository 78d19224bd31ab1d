"""Stay informed: sign-up with double opt-in, confirmation, preferences, export, erasure.

Links in e-mails carry signed tokens. The confirmation link expires after
``confirm_max_age()`` (``SHAREDPURPOSE_SUBSCRIBE_CONFIRM_DAYS``), and a sign-up not confirmed
by then is deleted (``subscribers_expire``, run daily by retention). The unsubscribe and
preference links do not expire, because old e-mails must keep working (RFC 8058 one-click
unsubscribe), and they carry only the subscriber's id signed with a purpose-specific salt.

Erasure deletes the subscriber and their queued messages (never to be sent). Sent and failed
messages stay for the round's delivery counts, stripped of the address, the bodies and the
headers, and unlinked from the subscriber.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sharedpurpose.programmes.models import Programme

from ..models import OutboxMessage, Subscriber
from ..outbox import outbox_enqueue

CONSENT_VERSION = "2025-01"
CONSENT_TEXT = (
    "I agree that Shared Purpose may keep my e-mail address, my name if I give it, and my "
    "choice of programmes, and use them only to e-mail me news about those programmes, such "
    "as when applications open. I can change my choices, download my data or erase it at any "
    "time from the link in every e-mail."
)

#: Sign-ups allowed per hour from one IP address and for one e-mail address.
RATE_PER_IP = 10
RATE_PER_EMAIL = 3
RATE_WINDOW_SECONDS = 3600

UNSUBSCRIBE_PLACEHOLDER = "@@UNSUBSCRIBE_URL@@"
PREFERENCES_PLACEHOLDER = "@@PREFERENCES_URL@@"

_CONFIRM_SALT = "sharedpurpose.engagement.subscriber.confirm"
_UNSUBSCRIBE_SALT = "sharedpurpose.engagement.subscriber.unsubscribe"
_PREFERENCES_SALT = "sharedpurpose.engagement.subscriber.preferences"

_unsubscribe_signer = signing.Signer(salt=_UNSUBSCRIBE_SALT)
_preferences_signer = signing.Signer(salt=_PREFERENCES_SALT)


class LinkInvalid(Exception):
    """A link that was changed, or that points at someone no longer subscribed."""


class LinkExpired(Exception):
    """A confirmation link older than ``confirm_max_age()``."""


def confirm_max_age() -> timedelta:
    """How long a confirmation link works, and so how long an unconfirmed sign-up is kept."""
    return timedelta(days=settings.SHAREDPURPOSE_SUBSCRIBE_CONFIRM_DAYS)


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_token(subscriber_id: int) -> str:
    return _unsubscribe_signer.sign(str(subscriber_id))


def preferences_token(subscriber_id: int) -> str:
    return _preferences_signer.sign(str(subscriber_id))


def confirm_token(subscriber_id: int) -> str:
    return signing.TimestampSigner(salt=_CONFIRM_SALT).sign(str(subscriber_id))


@dataclass(frozen=True)
class SubscriberLinks:
    """The personal links every mailing to a subscriber carries."""

    unsubscribe_url: str
    preferences_url: str

    def fill(self, body: str) -> str:
        return body.replace(UNSUBSCRIBE_PLACEHOLDER, self.unsubscribe_url).replace(
            PREFERENCES_PLACEHOLDER, self.preferences_url
        )

    def headers(self) -> dict[str, str]:
        # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" to this address.
        return {
            "List-Unsubscribe": f"<{self.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }


_TOKEN_SLOT = "__token__"  # noqa: S105 - a slot in a URL, not a secret


def subscriber_link_patterns() -> tuple[str, str]:
    """Absolute unsubscribe and preference URLs with a slot for the token; a fan-out
    resolves them once rather than once per subscriber."""
    return (
        _absolute(reverse("engagement:unsubscribe", kwargs={"token": _TOKEN_SLOT})),
        _absolute(reverse("engagement:preferences", kwargs={"token": _TOKEN_SLOT})),
    )


def subscriber_links(
    subscriber_id: int, *, patterns: tuple[str, str] | None = None
) -> SubscriberLinks:
    unsubscribe, preferences = patterns or subscriber_link_patterns()
    return SubscriberLinks(
        unsubscribe_url=unsubscribe.replace(_TOKEN_SLOT, unsubscribe_token(subscriber_id)),
        preferences_url=preferences.replace(_TOKEN_SLOT, preferences_token(subscriber_id)),
    )


def _unsign_id(signer: signing.Signer, token: str) -> int:
    try:
        return int(signer.unsign(token))
    except (signing.BadSignature, ValueError) as error:
        raise LinkInvalid from error


def subscriber_from_unsubscribe_token(token: str) -> Subscriber:
    subscriber = Subscriber.objects.filter(pk=_unsign_id(_unsubscribe_signer, token)).first()
    if subscriber is None:
        raise LinkInvalid
    return subscriber


def subscriber_from_preferences_token(token: str) -> Subscriber:
    subscriber = (
        Subscriber.objects.filter(pk=_unsign_id(_preferences_signer, token))
        .prefetch_related("programmes")
        .first()
    )
    if subscriber is None or subscriber.confirmed_at is None:
        raise LinkInvalid
    return subscriber


def _rate_limited(key: str, limit: int) -> bool:
    """Count one attempt against ``key``; True once the limit for the window is passed."""
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, RATE_WINDOW_SECONDS)
        count = 1
    return count > limit


def _clean_programmes(all_programmes: bool, programme_ids: Iterable[int]) -> list[Programme]:
    if all_programmes:
        return []
    ids = {int(pk) for pk in programme_ids}
    programmes = list(Programme.objects.filter(pk__in=ids, is_published=True))
    if not programmes or len(programmes) != len(ids):
        raise ValidationError(
            {"programmes": "Choose at least one programme, or choose all programmes."}
        )
    return programmes


def subscription_request(
    *,
    email: str,
    name: str,
    all_programmes: bool,
    programme_ids: Iterable[int],
    consent: bool,
    ip_address: str,
    now: datetime | None = None,
) -> None:
    """Record a sign-up and e-mail a confirmation link.

    Says nothing about whether the address was known: a confirmed subscriber is left as they
    are, an unconfirmed one gets a fresh link. Only the per-IP limit is reported, as an error.
    """
    now = now or timezone.now()
    email = email.strip()
    name = name.strip()
    errors: dict[str, str] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "Enter an e-mail address in the correct format, like name@example.com"
    if len(name) > 100:
        errors["name"] = "Name must be 100 characters or fewer"
    if not consent:
        errors["consent"] = "Tick the box to say you agree, or we cannot e-mail you"
    if errors:
        raise ValidationError(errors)
    programmes = _clean_programmes(all_programmes, programme_ids)

    if _rate_limited(f"subscribe:ip:{ip_address}", RATE_PER_IP):
        raise ValidationError(
            "There have been too many sign-ups from your network. Try again in an hour."
        )
    email_hash = hashlib.sha256(email.lower().encode()).hexdigest()
    if _rate_limited(f"subscribe:email:{email_hash}", RATE_PER_EMAIL):
        return

    subscribers_expire(now=now)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email__iexact=email).first()
        if subscriber is not None and subscriber.confirmed_at and not subscriber.unsubscribed_at:
            return
        if subscriber is None:
            subscriber = Subscriber(email=email)
        subscriber.name = name
        subscriber.all_programmes = all_programmes
        subscriber.consent_text = CONSENT_TEXT
        subscriber.consent_version = CONSENT_VERSION
        subscriber.consented_at = now
        subscriber.confirmed_at = None
        subscriber.unsubscribed_at = None
        subscriber.save()
        subscriber.programmes.set(programmes)
        _confirmation_enqueue(subscriber, now)


def _confirmation_enqueue(subscriber: Subscriber, now: datetime) -> None:
    context = {
        "subscriber": subscriber,
        "confirm_url": _absolute(
            reverse("engagement:subscribe_confirm", kwargs={"token": confirm_token(subscriber.pk)})
        ),
        "expires_days": confirm_max_age().days,
    }
    outbox_enqueue(
        dedupe_key=f"confirm:{subscriber.pk}:{now.timestamp():.6f}",
        kind="subscribe_confirm",
        to_email=subscriber.email,
        subject=" ".join(render_to_string("engagement/email/confirm_subject.txt", context).split()),
        body_text=render_to_string("engagement/email/confirm.txt", context),
        body_html=render_to_string("engagement/email/confirm.html", context),
        subscriber=subscriber,
    )


def subscriber_for_confirm_token(token: str) -> Subscriber:
    """The sign-up a confirmation link is for; raises LinkExpired or LinkInvalid."""
    signer = signing.TimestampSigner(salt=_CONFIRM_SALT)
    try:
        subscriber_id = int(signer.unsign(token, max_age=confirm_max_age()))
    except signing.SignatureExpired as error:
        raise LinkExpired from error
    except (signing.BadSignature, ValueError) as error:
        raise LinkInvalid from error
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        raise LinkExpired
    return subscriber


def subscriber_confirm(*, token: str, now: datetime | None = None) -> Subscriber:
    """Confirm a sign-up from its e-mailed link; confirming twice changes nothing."""
    subscriber = subscriber_for_confirm_token(token)
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = now or timezone.now()
        subscriber.save(update_fields=["confirmed_at"])
    return subscriber


def subscriber_unsubscribe(*, token: str, now: datetime | None = None) -> Subscriber:
    """Stop all mailings to the token's subscriber; doing it again changes nothing."""
    subscriber = subscriber_from_unsubscribe_token(token)
    if subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = now or timezone.now()
        subscriber.save(update_fields=["unsubscribed_at"])
        # Mailings already queued for them are dropped, not sent.
        OutboxMessage.objects.filter(
            subscriber=subscriber, status=OutboxMessage.Status.QUEUED
        ).delete()
    return subscriber


def subscriber_preferences_update(
    *,
    subscriber: Subscriber,
    name: str,
    all_programmes: bool,
    programme_ids: Iterable[int],
    subscribed: bool = True,
) -> Subscriber:
    name = name.strip()
    if len(name) > 100:
        raise ValidationError({"name": "Name must be 100 characters or fewer"})
    programmes = _clean_programmes(all_programmes, programme_ids)
    subscriber.name = name
    subscriber.all_programmes = all_programmes
    if subscribed:
        subscriber.unsubscribed_at = None
    elif subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = timezone.now()
    subscriber.save(update_fields=["name", "all_programmes", "unsubscribed_at"])
    subscriber.programmes.set(programmes)
    return subscriber


def subscriber_export(*, subscriber: Subscriber) -> dict[str, Any]:
    """Everything kept about a subscriber, as plain JSON-ready values."""

    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    messages = subscriber.messages.filter(status=OutboxMessage.Status.SENT).order_by("sent_at")
    return {
        "email": subscriber.email,
        "name": subscriber.name,
        "interests": {
            "all_programmes": subscriber.all_programmes,
            "programmes": [
                {"slug": p.slug, "name": p.name} for p in subscriber.programmes.order_by("name")
            ],
        },
        "consent": {
            "text": subscriber.consent_text,
            "version": subscriber.consent_version,
            "given_at": when(subscriber.consented_at),
        },
        "signed_up_at": when(subscriber.created_at),
        "confirmed_at": when(subscriber.confirmed_at),
        "unsubscribed_at": when(subscriber.unsubscribed_at),
        "messages_sent": [
            {"subject": m.subject, "sent_at": when(m.sent_at), "kind": m.kind} for m in messages
        ],
    }


def subscriber_erase(*, subscriber: Subscriber) -> None:
    """Delete the subscriber; keep only address-free traces of e-mails already sent."""
    with transaction.atomic():
        OutboxMessage.objects.filter(
            subscriber=subscriber,
            status__in=[OutboxMessage.Status.QUEUED, OutboxMessage.Status.SENDING],
        ).delete()
        OutboxMessage.objects.filter(subscriber=subscriber).update(
            to_email="", body_text="", body_html="", headers={}, subscriber=None
        )
        subscriber.delete()


def subscribers_expire(*, now: datetime | None = None) -> int:
    """Delete sign-ups whose confirmation link expired unused, with the e-mails to them;
    return how many."""
    now = now or timezone.now()
    stale = Subscriber.objects.filter(
        confirmed_at__isnull=True, consented_at__lt=now - confirm_max_age()
    )
    OutboxMessage.objects.filter(subscriber__in=stale).delete()
    _, per_model = stale.delete()
    return per_model.get(Subscriber._meta.label, 0)
