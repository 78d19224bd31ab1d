from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sharedpurpose.engagement.services.subscriptions import subscribers_expire


class Command(BaseCommand):
    help = "Delete stay-informed sign-ups not confirmed within 7 days."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Deleted {subscribers_expire()} unconfirmed sign-ups.")
