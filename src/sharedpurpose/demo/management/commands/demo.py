from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sharedpurpose.demo.loader import demo_load


class Command(BaseCommand):
    help = "Load the demo programme, rounds, teams and sign-ins. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        sign_ins = demo_load()
        self.stdout.write("Demo sign-ins:")
        for sign_in in sign_ins:
            self.stdout.write(
                f"  {sign_in.role:<12} {sign_in.email:<28} password: {sign_in.password}"
            )
