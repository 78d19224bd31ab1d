from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sharedpurpose.engagement.outbox import outbox_deliver


class Command(BaseCommand):
    help = "Send the e-mails due in the outbox once (the worker does this after each change)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=None, help="Send at most this many.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = outbox_deliver(limit=options["limit"])
        self.stdout.write(
            f"Sent {result.sent}, to retry {result.retried}, failed {result.failed}, "
            f"re-queued after a stopped worker {result.requeued}."
        )
