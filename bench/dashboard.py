"""Benchmark: the team dashboard with 20 measures x 104 weekly points, on SQLite.

Run ``python bench/dashboard.py`` from the repository root. It creates a throwaway
SQLite database in a temporary directory, migrates it, builds one team with 20
measures of 104 weekly points each (seeded), then times ``GET /teams/<slug>/workspace/``
through Django's test ``Client`` (signed in with ``force_login``):

* the first request, which computes and stores every chart (cold cache);
* ``--requests`` further requests (median and 95th percentile), served from the cache;
* the request after one measure's data change (only that chart is recomputed).

The target is a median under 150 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

TARGET_MS = 150.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=20)
    parser.add_argument("--points", type=int, default=104)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sp-bench-") as tmp:
        os.environ["SHAREDPURPOSE_VAR_DIR"] = tmp
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        os.environ["CACHE_URL"] = "locmemcache://"
        os.environ["ALLOWED_HOSTS"] = "testserver"
        os.environ["LOG_LEVEL"] = "WARNING"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharedpurpose.config.settings")
        import django

        django.setup()
        return run(args.measures, args.points, args.requests)


def run(n_measures: int, n_points: int, n_requests: int) -> int:
    import logging

    import numpy as np
    from django.core.management import call_command
    from django.db.models import F
    from django.test import Client
    from tests.factories import MeasureFactory, MembershipFactory
    from tests.improvement.factories_charts import ChartGoalFactory

    from sharedpurpose.improvement.models import DataPoint, Measure, MeasureChart, Side

    logging.disable(logging.INFO)
    call_command("migrate", verbosity=0)
    membership = MembershipFactory.create()
    team = membership.team
    goals = [ChartGoalFactory.create(team=team) for _ in range(2)]
    rng = np.random.default_rng(20240101)
    start = date(2023, 1, 2)
    measures = []
    for i in range(n_measures):
        measure = MeasureFactory.create(
            team=team,
            name=f"Measure {i + 1:02d}",
            frequency=Measure.Frequency.WEEKLY,
            side=Side.CORPORATE if i % 2 else Side.CLINICAL,
            goal=goals[i % 2],
            target=50.0 if i % 3 == 0 else None,
            improvement_direction="decrease" if i % 2 else "increase",
        )
        values = rng.normal(50, 5, n_points)
        values[n_points * 3 // 4 :] += 8 * (i % 4 == 0)  # a shift in some measures
        DataPoint.objects.bulk_create(
            DataPoint(measure=measure, period=start + timedelta(weeks=w), value=float(v))
            for w, v in enumerate(values)
        )
        measures.append(measure)

    client = Client()
    client.force_login(membership.user)
    path = f"/teams/{team.slug}/workspace/"

    def timed() -> float:
        t0 = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200, response.status_code
        return elapsed

    first = timed()
    assert MeasureChart.objects.count() == n_measures
    warm = [timed() for _ in range(n_requests)]

    changed = measures[0]
    DataPoint.objects.filter(measure=changed, period=start).update(value=99.0)
    Measure.objects.filter(pk=changed.pk).update(data_version=F("data_version") + 1)
    before = dict(MeasureChart.objects.values_list("measure_id", "computed_at"))
    after_change = timed()
    after = dict(MeasureChart.objects.values_list("measure_id", "computed_at"))
    recomputed = [pk for pk in after if after[pk] != before[pk]]
    assert recomputed == [changed.pk], recomputed

    median = statistics.median(warm)
    p95 = sorted(warm)[max(0, int(round(0.95 * len(warm))) - 1)]
    print(f"dashboard: {n_measures} measures x {n_points} weekly points, SQLite")
    print(f"  first request (every chart computed): {first:8.1f} ms")
    print(f"  cached, {n_requests} requests:  median  {median:8.1f} ms")
    print(f"                            p95     {p95:8.1f} ms")
    print(f"  after one measure's data change:   {after_change:8.1f} ms (1 chart recomputed)")
    print(f"  target median < {TARGET_MS:.0f} ms: {'met' if median < TARGET_MS else 'NOT met'}")
    return 0 if median < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
