from __future__ import annotations

import factory
from django.utils import timezone

from sharedpurpose.engagement.models import Subscriber
from sharedpurpose.engagement.services.subscriptions import CONSENT_TEXT, CONSENT_VERSION


class SubscriberFactory(factory.django.DjangoModelFactory[Subscriber]):
    """A confirmed subscriber interested in every programme."""

    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    all_programmes = True
    consent_text = CONSENT_TEXT
    consent_version = CONSENT_VERSION
    consented_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)
