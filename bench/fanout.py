"""Benchmark: tell 100,000 confirmed subscribers that applications are open.

Run ``python bench/fanout.py`` from the repository root. It builds a throwaway SQLite
database in a temporary folder, migrates it, and for each size (10,000, 50,000 and
100,000 by default) bulk-creates that many confirmed subscribers, opens a round through
``round_opened`` with background tasks run immediately, and reports:

* enqueue: the fan-out task writing one outbox row per subscriber (bodies rendered once,
  personal unsubscribe links filled in per row), timed without tracing;
* peak traced memory of the same fan-out run again under ``tracemalloc`` (rows removed
  first), which should stay flat as the number of subscribers grows;
* delivery: rendering every message and handing it to Django's locmem e-mail backend.

Delivery is kept out of the enqueue figure by holding back the "deliver now" task the
fan-out queues at its end; ``outbox_deliver`` then runs on its own. Floor: enqueue under
10 s for 100,000.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

TARGET_SECONDS = 10.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--no-deliver", action="store_true", help="Skip the delivery timing.")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    with tempfile.TemporaryDirectory(prefix="sp-bench-fanout-") as folder:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        os.environ["SHAREDPURPOSE_VAR_DIR"] = folder
        os.environ["TASK_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
        os.environ["EMAIL_URL"] = "smtp://localhost:25"  # replaced by locmem below
        os.environ["DJANGO_SETTINGS_MODULE"] = "sharedpurpose.config.settings"
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        call_command("migrate", verbosity=0)
        from django.template.loader import get_template

        for name in ("round_open_subject.txt", "round_open.txt", "round_open.html"):
            get_template(f"engagement/email/{name}")  # load the template engine before timing
        rows = [run(size, deliver=not args.no_deliver) for size in sizes]

    print()
    print(f"{'subscribers':>11} {'enqueue s':>10} {'rows/s':>9} {'peak MiB':>9} {'deliver s':>10}")
    for size, enqueue, peak, deliver in rows:
        deliver_text = f"{deliver:10.2f}" if deliver is not None else f"{'-':>10}"
        print(f"{size:>11,} {enqueue:10.2f} {size / enqueue:9,.0f} {peak:9.1f} {deliver_text}")
    largest = rows[-1]
    verdict = "meets" if largest[1] < TARGET_SECONDS else "MISSES"
    print(f"\nEnqueue of {largest[0]:,} {verdict} the {TARGET_SECONDS:.0f} s floor.")


def run(size: int, *, deliver: bool) -> tuple[int, float, float, float | None]:
    from django.core import mail
    from django.db import transaction
    from django.utils import timezone

    from sharedpurpose.engagement import notify
    from sharedpurpose.engagement.models import OutboxMessage, Subscriber
    from sharedpurpose.engagement.outbox import outbox_deliver
    from sharedpurpose.engagement.services.subscriptions import CONSENT_TEXT, CONSENT_VERSION
    from sharedpurpose.programmes.models import Programme, Round, RoundState

    OutboxMessage.objects.all().delete()
    Subscriber.objects.all().delete()
    Round.objects.all().delete()
    Programme.objects.all().delete()
    now = timezone.now()
    for start in range(0, size, 10_000):
        Subscriber.objects.bulk_create(
            [
                Subscriber(
                    email=f"person{n}@example.org",
                    consent_text=CONSENT_TEXT,
                    consent_version=CONSENT_VERSION,
                    consented_at=now,
                    confirmed_at=now,
                )
                for n in range(start, min(start + 10_000, size))
            ]
        )
    programme = Programme.objects.create(
        slug="bench", name="Bench programme", summary="S", is_published=True
    )
    round_ = Round.objects.create(
        programme=programme,
        number=1,
        slug="r1",
        name="Round one",
        summary="S",
        state=RoundState.OPEN,
    )

    def open_round() -> float:
        started = time.perf_counter()
        with mock.patch.object(notify, "outbox_schedule"), transaction.atomic():
            notify.round_opened(round_=round_)
        return time.perf_counter() - started

    enqueue = open_round()
    assert OutboxMessage.objects.filter(round=round_).count() == size
    OutboxMessage.objects.all().delete()
    tracemalloc.start()
    open_round()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"{size:,}: enqueue {enqueue:.2f} s, peak traced memory {peak:.1f} MiB", flush=True)

    delivery = None
    if deliver:
        mail.outbox = []
        started = time.perf_counter()
        result = outbox_deliver()
        delivery = time.perf_counter() - started
        assert result.sent == size == len(mail.outbox), (result, len(mail.outbox))
        mail.outbox = []
        print(f"{size:,}: delivery {delivery:.2f} s", flush=True)
    return size, enqueue, peak, delivery


if __name__ == "__main__":
    main()
