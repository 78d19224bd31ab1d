from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sharedpurpose.accounts.retention import retention_run, retention_schedule


class Command(BaseCommand):
    help = (
        "Delete stay-informed sign-ups whose confirmation link expired and accounts never "
        "verified with nothing attached (run daily), or with --schedule queue the worker's "
        "daily run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="queue a run for the task worker, which then runs it once a day",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            if retention_schedule():
                self.stdout.write("Retention runs in the task worker once a day.")
            else:
                self.stdout.write(
                    "This task backend cannot hold work for later: run "
                    "`sharedpurpose retention` daily from cron or a systemd timer."
                )
            return
        result = retention_run()
        self.stdout.write(
            f"Deleted {result.expired_sign_ups} unconfirmed stay-informed sign-up(s) and "
            f"{result.unverified_accounts} unverified account(s)."
        )
