"""Demo "stay informed" subscribers: fictional, confirmed, at example.org."""

from __future__ import annotations

from django.utils import timezone

from sharedpurpose.engagement.models import Subscriber
from sharedpurpose.engagement.services.subscriptions import CONSENT_TEXT, CONSENT_VERSION
from sharedpurpose.programmes.models import Programme

DEMO_SUBSCRIBERS = [
    ("amara.okafor@example.org", "Amara Okafor", True),
    ("tomasz.nowak@example.org", "Tomasz Nowak", False),
    ("ruth.ellison@example.org", "", True),
]


def subscriptions_demo_load() -> None:
    """Create the demo subscribers once; running it again changes nothing."""
    now = timezone.now()
    first_programme = Programme.objects.filter(is_published=True).order_by("pk").first()
    for email, name, all_programmes in DEMO_SUBSCRIBERS:
        subscriber, created = Subscriber.objects.get_or_create(
            email=email,
            defaults={
                "name": name,
                "all_programmes": all_programmes or first_programme is None,
                "consent_text": CONSENT_TEXT,
                "consent_version": CONSENT_VERSION,
                "consented_at": now,
                "confirmed_at": now,
            },
        )
        if created and not subscriber.all_programmes and first_programme is not None:
            subscriber.programmes.set([first_programme])
