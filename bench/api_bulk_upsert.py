"""Benchmark: 100,000 points in one ``POST /api/v1/points/bulk``, end to end through gunicorn.

Run ``python bench/api_bulk_upsert.py`` from the repository root. It honours
``DATABASE_URL`` and defaults to PostgreSQL, where the figure matters::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python bench/api_bulk_upsert.py

It never touches the developer's database: it creates a database named
``bench_api_upsert`` (on SQLite, a file in a temporary folder), migrates it, and drops it at
the end. It sets up a team with ``--measures`` daily measures (50 by default), a member and
a read-write API token limited to the team, then starts gunicorn (one worker) on a free
loopback port against that database and times three requests of ``--measures`` x
``--points`` points (50 x 2,000 = 100,000 by default), each from sending the body to reading
the response (HTTP, JSON parsing, validation, access checks, the upsert, the change log):

* the first POST: every point created (and logged);
* the same POST again: every point unchanged, nothing written;
* a POST with every value changed: every point updated, one change-log row each.

Peak RSS is the gunicorn worker's high-water mark (``VmHWM``), which holds the requests. The
floor is 10 s for each request; the script exits 1 when a request is slower.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharedpurpose.config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")

SEED = 20240601
BENCH_DATABASE = "bench_api_upsert"
FIRST_DAY = date(2019, 1, 1)
FLOOR_SECONDS = 10.0
URL_PATH = "/api/v1/points/bulk"


def points_body(measure_ids: list[int], n_points: int, shift: float = 0.0) -> bytes:
    rng = random.Random(SEED)
    days = [(FIRST_DAY + timedelta(days=i)).isoformat() for i in range(n_points)]
    points = []
    for measure_id in measure_ids:
        level = rng.uniform(20, 500)
        points += [
            {
                "measure": measure_id,
                "period": day,
                "value": round(rng.gauss(level, level * 0.1), 2) + shift,
                "denominator": None,
            }
            for day in days
        ]
    return json.dumps({"points": points}).encode()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn stopped before answering; see its output above.")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"gunicorn did not answer {url} within {seconds:.0f} s.")


def worker_peak_rss_mb(master: int) -> float | None:
    """The high-water RSS of gunicorn's worker (Linux ``/proc``); None where unreadable."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        status = Path(f"/proc/{children[0]}/status").read_text()
    except (OSError, IndexError):
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def post(url: str, token: str, body: bytes) -> tuple[float, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 - loopback
        url,
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 - loopback
            answer: dict[str, Any] = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        sys.exit(f"The API refused the batch ({exc.code}): {exc.read()[:2000]!r}")
    return time.perf_counter() - started, answer


def database_url(settings_dict: dict[str, Any]) -> str:
    """``DATABASE_URL`` naming the benchmark's own database, for gunicorn."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return urllib.parse.urlunsplit(parts._replace(path=f"/{settings_dict['NAME']}"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--measures", type=int, default=50)
    parser.add_argument("--points", type=int, default=2_000, help="daily points per measure")
    args = parser.parse_args()
    n = args.measures * args.points

    import django
    from django.conf import settings

    tmp = Path(tempfile.mkdtemp(prefix="bench-api-upsert-"))
    test_settings = settings.DATABASES["default"].setdefault("TEST", {})
    is_sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    test_settings["NAME"] = str(tmp / "bench.sqlite3") if is_sqlite else BENCH_DATABASE
    django.setup()

    from django.db import connection
    from django.utils import timezone

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    server: subprocess.Popen[bytes] | None = None
    slowest = 0.0
    try:
        from sharedpurpose.accounts.models import User
        from sharedpurpose.api.models import ApiToken
        from sharedpurpose.api.tokens import token_create
        from sharedpurpose.improvement.models import (
            DataPoint,
            DataPointChange,
            Measure,
            Side,
            Team,
            TeamMembership,
        )
        from sharedpurpose.programmes.models import Programme, Round

        print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
        user = User.objects.create_user("bench@example.org", full_name="Bench")
        programme = Programme.objects.create(slug="bench", name="Bench", summary="Bench")
        round_ = Round.objects.create(
            programme=programme, number=1, slug="bench", name="Bench", summary="Bench"
        )
        team = Team.objects.create(
            round=round_, slug="bench", name="Bench", summary="Bench", innovation="Bench"
        )
        TeamMembership.objects.create(team=team, user=user, role=TeamMembership.Role.MEMBER)
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
        measure_ids = list(team.measures.order_by("pk").values_list("pk", flat=True))
        _, token = token_create(
            user=user,
            name="Bench pipeline",
            scope=ApiToken.Scope.READ_WRITE,
            expires_at=timezone.now() + timedelta(days=1),
            teams=[team],
        )
        started = time.perf_counter()
        first = points_body(measure_ids, args.points)
        changed = points_body(measure_ids, args.points, shift=1.0)
        print(
            f"built two bodies of {n:,} points ({len(first) / 1e6:.1f} MB each) "
            f"in {time.perf_counter() - started:.1f} s"
        )

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DATABASE_URL": database_url(connection.settings_dict),
            "SHAREDPURPOSE_VAR_DIR": str(tmp / "var"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "sharedpurpose.config.wsgi:application",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "300",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        wait_until_up(base + "/healthz", server)

        runs = [
            ("first POST, all created", first, (n, 0, 0)),
            ("same POST again, all unchanged", first, (0, 0, n)),
            ("every value changed, all updated", changed, (0, n, 0)),
        ]
        for label, body, expected in runs:
            seconds, answer = post(base + URL_PATH, token, body)
            got = (answer["created"], answer["updated"], answer["unchanged"])
            assert got == expected, f"{label}: {got} instead of {expected}"
            slowest = max(slowest, seconds)
            rss = worker_peak_rss_mb(server.pid)
            print(
                f"{label}: {seconds:.2f} s ({n / seconds:,.0f} points/s); "
                f"{got[0]:,} created, {got[1]:,} updated, {got[2]:,} unchanged; "
                f"worker peak RSS so far {'n/a' if rss is None else f'{rss:.0f} MB'}"
            )

        stored = DataPoint.objects.count()
        logged = DataPointChange.objects.filter(source=DataPointChange.Source.API).count()
        assert stored == n, f"{stored} points stored, {n} expected"

        # Baseline, same run: the bare insert of the same points with the ORM into fresh
        # measures (no HTTP, parsing, checks, change log or access control): what the
        # database alone costs.
        baseline_team = Team.objects.create(
            round=round_, slug="baseline", name="Baseline", summary="-", innovation="-"
        )
        baseline_measures = Measure.objects.bulk_create(
            Measure(
                team=baseline_team,
                name=f"Measure {m:04d}",
                definition="Seeded daily values.",
                frequency=Measure.Frequency.DAILY,
                side=Side.CLINICAL,
            )
            for m in range(args.measures)
        )
        by_old = dict(zip(measure_ids, (m.pk for m in baseline_measures), strict=True))
        rows = [
            DataPoint(
                measure_id=by_old[p["measure"]],
                period=date.fromisoformat(p["period"]),
                value=p["value"],
            )
            for p in json.loads(first)["points"]
        ]
        started = time.perf_counter()
        DataPoint.objects.bulk_create(rows, batch_size=5_000)
        bare = time.perf_counter() - started
        print(
            f"baseline, same run: bare ORM bulk_create of the same {n:,} points "
            f"{bare:.2f} s ({n / bare:,.0f} points/s)"
        )
        assert logged == 2 * n, f"{logged} change-log rows, {2 * n} expected"
        verdict = "under" if slowest < FLOOR_SECONDS else "OVER"
        print(
            f"\nslowest request of {n:,} points: {slowest:.2f} s wall, {n / slowest:,.0f} "
            f"points/s, {logged:,} change-log rows in all ({verdict} the "
            f"{FLOOR_SECONDS:.0f} s floor)"
        )
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        for path in sorted(tmp.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        tmp.rmdir()
    return 0 if slowest < FLOOR_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
