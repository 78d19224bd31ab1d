"""Benchmark: import 1,000,000 points from one CSV file, end to end.

Run ``python bench/import_points.py`` from the repository root. It honours
``DATABASE_URL`` (SQLite by default); for the figure that matters, run it against
PostgreSQL::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python bench/import_points.py

It never touches the developer's database: it creates a database named ``bench_import``
(on SQLite, a file in a temporary folder), migrates it, and drops it at the end. It
writes a seeded CSV of ``--measures`` measures x ``--points`` daily points (500 x 2,000 by
default) with a ``measure`` column, sets up a team with those measures, then times:

* ``data_import_upload``: storing the file and checking every row for the preview;
* ``data_import_commit``: the all-or-nothing commit (checking every row again, reading the
  stored values of the periods touched, upserting in chunks, bumping the measures);
* with ``--reimport``, committing a second file with every value changed, so that every
  point is updated and logged old -> new.

Peak RSS is ``resource.getrusage`` of this process, which holds the whole run.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharedpurpose.config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

SEED = 20240601
BENCH_DATABASE = "bench_import"
FIRST_DAY = date(2019, 1, 1)
TARGET_SECONDS = 30.0


def write_csv(path: Path, n_measures: int, n_points: int, shift: float = 0.0) -> int:
    rng = random.Random(SEED)
    days = [(FIRST_DAY + timedelta(days=i)).isoformat() for i in range(n_points)]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("measure,period,value\n")
        for m in range(n_measures):
            name = f"Measure {m:04d}"
            level = rng.uniform(20, 500)
            lines = [
                f"{name},{day},{round(rng.gauss(level, level * 0.1), 2) + shift}\n" for day in days
            ]
            out.writelines(lines)
    return path.stat().st_size


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--measures", type=int, default=500)
    parser.add_argument("--points", type=int, default=2_000, help="daily points per measure")
    parser.add_argument("--reimport", action="store_true", help="also time a full update")
    args = parser.parse_args()
    rows = args.measures * args.points

    import django
    from django.conf import settings

    tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
    test_settings = settings.DATABASES["default"].setdefault("TEST", {})
    is_sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    test_settings["NAME"] = str(tmp / "bench.sqlite3") if is_sqlite else BENCH_DATABASE
    settings.MEDIA_ROOT = tmp / "media"
    django.setup()

    from django.core.files import File
    from django.db import connection

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from sharedpurpose.accounts.models import User
        from sharedpurpose.improvement.models import DataPoint, Measure, Side, Team
        from sharedpurpose.improvement.services.imports import (
            data_import_commit,
            data_import_upload,
        )
        from sharedpurpose.programmes.models import Programme, Round

        print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
        started = time.perf_counter()
        csv_path = tmp / "points.csv"
        size = write_csv(csv_path, args.measures, args.points)
        print(f"wrote {rows:,} rows ({size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")

        actor = User.objects.create_user("bench@example.org", full_name="Bench")
        programme = Programme.objects.create(slug="bench", name="Bench", summary="Bench")
        round_ = Round.objects.create(
            programme=programme, number=1, slug="bench", name="Bench", summary="Bench"
        )
        team = Team.objects.create(
            round=round_, slug="bench", name="Bench", summary="Bench", innovation="Bench"
        )
        Measure.objects.bulk_create(
            Measure(
                team=team,
                name=f"Measure {m:04d}",
                definition="Seeded daily values.",
                frequency=Measure.Frequency.DAILY,
                side=Side.CLINICAL,
            )
            for m in range(args.measures)
        )

        def run(path: Path, label: str) -> tuple[float, float]:
            with path.open("rb") as stream:
                started = time.perf_counter()
                data_import = data_import_upload(actor=actor, team=team, upload=File(stream))
                upload_s = time.perf_counter() - started
            assert data_import.report["problem_count"] == 0, data_import.report
            started = time.perf_counter()
            data_import_commit(actor=actor, data_import=data_import)
            commit_s = time.perf_counter() - started
            print(
                f"{label}: upload and check {upload_s:.1f} s; commit {commit_s:.1f} s "
                f"({rows / commit_s:,.0f} points/s); {data_import.points_created:,} added, "
                f"{data_import.points_updated:,} updated; peak RSS so far {peak_rss_mb():.0f} MB"
            )
            return upload_s, commit_s

        _, commit_s = run(csv_path, "import")
        stored = DataPoint.objects.count()
        assert stored == rows, f"{stored} points stored, {rows} expected"
        if args.reimport:
            changed = tmp / "points-changed.csv"
            write_csv(changed, args.measures, args.points, shift=1.0)
            run(changed, "re-import, every value changed")

        verdict = "under" if commit_s < TARGET_SECONDS else "OVER"
        print(
            f"\ncommit of {rows:,} points: {commit_s:.1f} s wall, {rows / commit_s:,.0f} points/s, "
            f"peak RSS {peak_rss_mb():.0f} MB ({verdict} the {TARGET_SECONDS:.0f} s target)"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        for path in sorted(tmp.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        tmp.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
