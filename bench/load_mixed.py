"""Benchmark: a mixed loopback load of public pages, a team member's workspace and API reads.

Run ``python bench/load_mixed.py`` from the repository root. It runs on PostgreSQL, at the
server ``DATABASE_URL`` names (default ``postgres://postgres@127.0.0.1:5432/test``), and never
touches that URL's own database: it creates ``bench_load_mixed`` (``--database``), migrates
it, loads the demo with ``sharedpurpose demo`` and drops it at the end.

The server is gunicorn with the production settings, as far as a loopback run allows: DEBUG
off, a generated ``SECRET_KEY``, ``SITE_URL=https://…`` (secure cookies, HSTS, the HTTPS
redirect), JSON request logs at INFO (to ``var/bench/load_mixed.server.log``) and the default
file cache. The load generator stands in for the TLS proxy in front of a deployment: it
sends ``X-Forwarded-Proto: https``. Workers x threads default to 2 x 4 (``gthread``, which
keeps connections alive): one process per core of a 2-core machine, with threads to overlap
the database round trips. ``API_RATE`` is raised to 100,000/min: the limiter still runs on
every API request, but every request comes from one user on one address, so a 429 would
measure the limit rather than the server.

The load comes from ``--processes`` separate Python processes (no shared GIL with the
server), ``--clients`` threads in all, each with one keep-alive ``http.client`` connection
and no think time: send, read the whole response, send the next. Each client draws its
requests from a weighted mix (printed with the results) of three kinds:

* ``public``: anonymous pages (home, programmes, rounds, evidence, the case-study library, a
  search and a case study, Atom feeds), with the cookies a browser keeps;
* ``dashboard``: the demo team member's teams, dashboard and workspace pages, with a session
  made by signing in through the real sign-in form;
* ``api``: ``/api/v1/`` reads with the client's own personal API token (read only, all the
  member's teams): programmes, teams, measures, pages of points, SPC results without and with
  ``If-None-Match`` (304).

After a warm-up (``--warmup`` seconds, not counted) the mix runs for ``--seconds`` (60);
then, in the same run and with the same clients, ``GET /healthz`` (a minimal Django request
with one database round trip) runs for ``--baseline-seconds`` as the baseline to read the
figures against. The table gives requests, requests per second and p50/p95/p99 latency
(nearest rank) for each kind, the whole mix, the baseline and each route;
``var/bench/load_mixed.json`` (``--output``) holds the same and every status seen.

The floor is zero errors: any response other than 2xx or 304, or a connection error, makes
the script exit 1, naming the route, status and the start of the body.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import multiprocessing
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from http import cookies
from http.client import HTTPConnection, HTTPResponse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "bench_load_mixed"
DEMO_MEMBER = "team@demo.example.org"
DEMO_PASSWORD = "shared-purpose-demo"  # noqa: S105 - the demo's published sign-in
SIGN_IN_PATH = "/accounts/login/"
HEALTH_PATH = "/healthz"
#: High enough that no client reaches it; the limiter still does its work on every request.
API_RATE = "100000/min"
#: Page size for reading points, so each measure's three years of data span several pages.
POINTS_PAGE = 12
#: No request of the mix should take this long; one that does is recorded as an error.
REQUEST_TIMEOUT = 60.0
PUBLIC, DASHBOARD, API = "public", "dashboard", "api"
KINDS = (PUBLIC, DASHBOARD, API)

#: One completed request: route index, HTTP status (0 for a connection error), latency in ms.
Record = tuple[int, int, float]


@dataclass(frozen=True)
class Route:
    """A weighted entry of the mix; a client picks one of ``paths`` at random each time.

    The kind says who asks: ``public`` an anonymous reader (with the cookies a browser keeps),
    ``dashboard`` the signed-in team member, ``api`` a pipeline with a personal API token.
    """

    kind: str
    name: str
    weight: int
    paths: tuple[str, ...]
    #: Send the ETag seen for the path in ``If-None-Match`` (the answer is 304).
    conditional: bool = False


def entry(kind: str, name: str, weight: int, *paths: str, conditional: bool = False) -> Route:
    return Route(kind, name, weight, paths, conditional)


@dataclass
class ClientSetup:
    """What every client process needs: plain data, no Django."""

    host: str
    port: int
    routes: list[Route]
    session_cookies: dict[str, str]
    tokens: list[str]
    etags: dict[str, str]
    seed: int


@dataclass
class Failure:
    route: str
    path: str
    status: int
    detail: str


@dataclass
class PhaseResult:
    records: list[Record] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


# --------------------------------------------------------------------------
# The HTTP client (standard library only: it runs in the load processes)
# --------------------------------------------------------------------------


class Visitor:
    """One client: a keep-alive connection, an anonymous reader's cookies, the signed-in
    member's cookies, its own API token and the ETags it holds."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        token: str = "",
        session_cookies: dict[str, str] | None = None,
        etags: dict[str, str] | None = None,
    ) -> None:
        self.token = token
        self.connection = HTTPConnection(host, port, timeout=REQUEST_TIMEOUT)
        self.reader_cookies: dict[str, str] = {}
        self.member_cookies = dict(session_cookies or {})
        self.etags = dict(etags or {})

    def get(self, route: Route, path: str) -> tuple[int, bytes, HTTPResponse]:
        headers = {"X-Forwarded-Proto": "https", "User-Agent": "sharedpurpose-bench"}
        if route.kind == "api":
            headers["Authorization"] = f"Bearer {self.token}"
            headers["Accept"] = "application/json"
            if route.conditional and path in self.etags:
                headers["If-None-Match"] = self.etags[path]
        else:
            headers["Accept"] = "text/html,application/xhtml+xml,application/atom+xml"
            jar = self._jar(route)
            if jar:
                headers["Cookie"] = cookie_header(jar)
        return self.request("GET", path, headers=headers, jar=self._jar(route))

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        body: bytes | None = None,
        jar: dict[str, str] | None = None,
    ) -> tuple[int, bytes, HTTPResponse]:
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        if jar is not None:
            cookies_update(jar, response.headers.get_all("Set-Cookie") or [])
        return response.status, content, response

    def _jar(self, route: Route) -> dict[str, str] | None:
        if route.kind == "api":
            return None
        return self.member_cookies if route.kind == "dashboard" else self.reader_cookies

    def close(self) -> None:
        self.connection.close()


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def cookies_update(jar: dict[str, str], set_cookie_headers: Iterable[str]) -> None:
    """Keep what ``Set-Cookie`` sets and forget what it expires, as a browser would."""
    for header in set_cookie_headers:
        parsed: cookies.SimpleCookie = cookies.SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            if morsel["max-age"] == "0" or not morsel.value:
                jar.pop(name, None)
            else:
                jar[name] = morsel.value


def is_success(status: int) -> bool:
    return 200 <= status < 300 or status == 304


def run_client(
    setup: ClientSetup,
    client: int,
    start_at: float,
    seconds: float,
    only_path: str | None,
    result: PhaseResult,
) -> None:
    """Send requests back to back from ``start_at`` for ``seconds`` (wall clock)."""
    visitor = Visitor(
        setup.host,
        setup.port,
        token=setup.tokens[client % len(setup.tokens)],
        session_cookies=setup.session_cookies,
        etags=setup.etags,
    )
    rng = random.Random(setup.seed * 1_000 + client)
    routes = setup.routes
    cum_weights = list(itertools.accumulate(route.weight for route in routes))
    health = Route("baseline", "healthz", 1, (HEALTH_PATH,))
    time.sleep(max(0.0, start_at - time.time()))
    deadline = start_at + seconds
    try:
        while time.time() < deadline:
            if only_path is None:
                index = rng.choices(range(len(routes)), cum_weights=cum_weights)[0]
                route = routes[index]
            else:
                index, route = -1, health
            path = rng.choice(route.paths)
            started = time.perf_counter()
            try:
                status, content, _ = visitor.get(route, path)
            except Exception as exc:  # refused, reset, timed out, a malformed answer...
                status, content = 0, f"{type(exc).__name__}: {exc}".encode()
                visitor.close()
            latency_ms = (time.perf_counter() - started) * 1000
            result.records.append((index, status, latency_ms))
            if not is_success(status) and len(result.failures) < 20:
                result.failures.append(
                    Failure(route.name, path, status, content[:400].decode(errors="replace"))
                )
    finally:
        visitor.close()


def run_process(
    setup: ClientSetup,
    clients: Sequence[int],
    start_at: float,
    seconds: float,
    only_path: str | None,
) -> PhaseResult:
    """One load process: a thread per client; their records, merged."""
    results = [PhaseResult() for _ in clients]
    threads = [
        threading.Thread(
            target=run_client, args=(setup, client, start_at, seconds, only_path, result)
        )
        for client, result in zip(clients, results, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged = PhaseResult()
    for result in results:
        merged.records += result.records
        merged.failures += result.failures
    return merged


def run_phase(
    pool: ProcessPoolExecutor,
    setup: ClientSetup,
    *,
    clients: int,
    processes: int,
    seconds: float,
    only_path: str | None = None,
) -> PhaseResult:
    # A common start time, so no process is measured while others are still starting.
    start_at = time.time() + 1.0
    futures = [
        pool.submit(run_process, setup, range(p, clients, processes), start_at, seconds, only_path)
        for p in range(processes)
    ]
    merged = PhaseResult()
    for future in futures:
        result = future.result()
        merged.records += result.records
        merged.failures += result.failures
    return merged


# --------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summary(records: Sequence[Record], seconds: float) -> dict[str, Any]:
    latencies = sorted(latency for _, _, latency in records)
    statuses = Counter(status for _, status, _ in records)
    return {
        "requests": len(records),
        "requests_per_second": round(len(records) / seconds, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(latencies[-1], 1) if latencies else math.nan,
        "errors": sum(n for status, n in statuses.items() if not is_success(status)),
        "statuses": {str(status): n for status, n in sorted(statuses.items())},
    }


def mix_summary(
    routes: Sequence[Route], records: Sequence[Record], seconds: float
) -> dict[str, Any]:
    by_route: dict[int, list[Record]] = {i: [] for i in range(len(routes))}
    for record in records:
        by_route[record[0]].append(record)
    return {
        "overall": summary(records, seconds),
        "kinds": {
            kind: summary(
                [r for i, route in enumerate(routes) if route.kind == kind for r in by_route[i]],
                seconds,
            )
            for kind in KINDS
        },
        "routes": {
            route.name: {"kind": route.kind, **summary(by_route[i], seconds)}
            for i, route in enumerate(routes)
        },
    }


def table_row(label: str, share: str, figures: dict[str, Any]) -> str:
    return (
        f"{label:<34} {share:>6} {figures['requests']:>9,} {figures['requests_per_second']:>8.1f}"
        f" {figures['p50_ms']:>8.1f} {figures['p95_ms']:>8.1f} {figures['p99_ms']:>8.1f}"
        f" {figures['errors']:>6}"
    )


def print_tables(report: dict[str, Any], routes: Sequence[Route]) -> None:
    total_weight = sum(route.weight for route in routes)
    header = (
        f"{'':<34} {'share':>6} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}"
        f" {'p99 ms':>8} {'errors':>6}"
    )
    mixed, baseline = report["mixed"], report["baseline"]
    print()
    print(header)
    for kind in KINDS:
        weight = sum(route.weight for route in routes if route.kind == kind)
        print(table_row(kind, f"{weight / total_weight:.0%}", mixed["kinds"][kind]))
    print(table_row("whole mix", "100%", mixed["overall"]))
    print(table_row(f"baseline: GET {HEALTH_PATH}", "", baseline))
    print()
    print("Per route (the mix, as weighted):")
    print(header)
    for route in routes:
        figures = mixed["routes"][route.name]
        print(
            table_row(
                f"{route.kind[:4]} {route.name}", f"{route.weight / total_weight:.0%}", figures
            )
        )


# --------------------------------------------------------------------------
# Setting up: the database, the demo, tokens, the server, the signed-in session
# --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(port: int, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn stopped before answering; see its log.")
        connection = HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", HEALTH_PATH, headers={"X-Forwarded-Proto": "https"})
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    sys.exit(f"gunicorn did not answer {HEALTH_PATH} within {seconds:.0f} s.")


def bench_database_url(server_url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(server_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def demo_routes(tokens: int) -> tuple[list[Route], list[str]]:
    """The mix, over what the demo holds, and ``tokens`` personal API tokens of its member."""
    from django.utils import timezone

    from sharedpurpose.accounts.models import User
    from sharedpurpose.api.models import ApiToken
    from sharedpurpose.api.tokens import token_create
    from sharedpurpose.evidence.models import CaseStudy, Intervention
    from sharedpurpose.improvement.access import teams_visible_to
    from sharedpurpose.improvement.models import DataPoint, Measure, TeamMembership
    from sharedpurpose.programmes.models import Round

    member = User.objects.get(email=DEMO_MEMBER)
    membership = TeamMembership.objects.filter(user=member).select_related("team").first()
    if membership is None:
        sys.exit(f"The demo's {DEMO_MEMBER} belongs to no team.")
    team = membership.team
    round_ = Round.objects.select_related("programme").get(pk=team.round_id)
    programme = round_.programme
    open_round = Round.objects.select_related("programme").filter(state="open").first()
    case_study = CaseStudy.objects.filter(status="published").order_by("slug").first()
    intervention = Intervention.objects.order_by("slug").first()
    goal = team.goals.order_by("pk").first()
    measure = team.measures.order_by("pk").first()
    if not (open_round and case_study and intervention and goal and measure):
        sys.exit(
            "The demo lacks an open round, a case study, an intervention, a goal or a measure."
        )
    visible_measures = list(
        Measure.objects.filter(team__in=teams_visible_to(member)).order_by("pk")
    )
    most_points = max(DataPoint.objects.filter(measure=m).count() for m in visible_measures)
    offsets = range(0, max(most_points, 1), POINTS_PAGE)
    programme_path = f"/programmes/{programme.slug}/"
    team_path = f"/teams/{team.slug}/"
    measure_pages = [f"{team_path}measures/{m.pk}/" for m in team.measures.order_by("pk")]
    spc = [f"/api/v1/measures/{m.pk}/spc" for m in visible_measures]
    points = [
        f"/api/v1/measures/{m.pk}/points?limit={POINTS_PAGE}&offset={offset}"
        for m in visible_measures
        for offset in offsets
    ]
    open_round_path = f"/programmes/{open_round.programme.slug}/{open_round.slug}/"
    one_side = [f"{team_path}workspace/?side={side}" for side in ("corporate", "clinical")]
    searches = ("/case-studies/?q=falls", "/case-studies/?q=telemedicine", "/case-studies/?q=hire")
    routes = [
        # Anonymous readers of the public site: half of the requests.
        entry(PUBLIC, "home", 6, "/"),
        entry(PUBLIC, "programme list", 4, "/programmes/"),
        entry(PUBLIC, "programme", 5, programme_path),
        entry(PUBLIC, "round in delivery", 6, f"{programme_path}{round_.slug}/"),
        entry(PUBLIC, "round open", 4, open_round_path),
        entry(PUBLIC, "programme evidence", 4, f"{programme_path}evidence/"),
        entry(PUBLIC, "interventions", 2, "/evidence/interventions/"),
        entry(PUBLIC, "intervention", 3, f"/evidence/interventions/{intervention.slug}/"),
        entry(PUBLIC, "how we judge", 1, "/evidence/how-we-judge/"),
        entry(PUBLIC, "case-study library", 4, "/case-studies/"),
        entry(PUBLIC, "case-study search", 2, *searches),
        entry(PUBLIC, "case study", 4, f"/case-studies/{case_study.slug}/"),
        entry(PUBLIC, "site feed", 2, "/feed.atom"),
        entry(PUBLIC, "programme feed", 2, f"{programme_path}feed.atom"),
        entry(PUBLIC, "team page", 1, team_path),
        # The signed-in team member's dashboards and workspace: a quarter.
        entry(DASHBOARD, "my teams", 2, "/teams/"),
        entry(DASHBOARD, "team dashboard", 7, f"{team_path}workspace/"),
        entry(DASHBOARD, "dashboard, one side", 2, *one_side),
        entry(DASHBOARD, "goal", 3, f"{team_path}goals/{goal.pk}/"),
        entry(DASHBOARD, "measure chart", 4, *measure_pages),
        entry(DASHBOARD, "measure data", 2, f"{team_path}measures/{measure.pk}/data/"),
        entry(DASHBOARD, "PDSA cycles", 2, f"{team_path}pdsa/"),
        entry(DASHBOARD, "team evidence", 2, f"{team_path}evidence/"),
        entry(DASHBOARD, "members", 1, f"{team_path}members/"),
        # Pipelines reading the API with personal tokens: a quarter.
        entry(API, "programmes", 3, "/api/v1/programmes"),
        entry(API, "teams", 3, "/api/v1/teams"),
        entry(API, "measures", 4, "/api/v1/measures", f"/api/v1/measures?team={team.slug}"),
        entry(API, "points, a page", 6, *points),
        entry(API, "SPC results", 4, *spc),
        entry(API, "SPC, If-None-Match", 5, *spc, conditional=True),
    ]
    texts = [
        token_create(
            user=member,
            name=f"Load benchmark {n + 1}",
            scope=ApiToken.Scope.READ,
            expires_at=timezone.now() + timedelta(days=1),
            all_teams=True,
        )[1]
        for n in range(tokens)
    ]
    return routes, texts


def sign_in(host: str, port: int) -> dict[str, str]:
    """The member's cookies after signing in through the site's own form."""
    visitor = Visitor(host, port)
    origin = f"https://{host}:{port}"
    base = {"X-Forwarded-Proto": "https", "User-Agent": "sharedpurpose-bench"}
    jar: dict[str, str] = {}
    try:
        status, page, _ = visitor.request("GET", SIGN_IN_PATH, headers=base, jar=jar)
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or found is None:
            sys.exit(f"The sign-in page answered {status} without a form.")
        form = urllib.parse.urlencode(
            {
                "login": DEMO_MEMBER,
                "password": DEMO_PASSWORD,
                "csrfmiddlewaretoken": found.group(1).decode(),
            }
        ).encode()
        status, page, response = visitor.request(
            "POST",
            SIGN_IN_PATH,
            headers={
                **base,
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie_header(jar),
                "Origin": origin,
                "Referer": origin + SIGN_IN_PATH,
            },
            body=form,
            jar=jar,
        )
        if status != 302 or "sessionid" not in jar:
            sys.exit(f"Signing in as {DEMO_MEMBER} failed ({status}): {page[:400]!r}")
        # Follow the redirect once, so the "signed in" message is shown and gone.
        location = urllib.parse.urlsplit(response.headers["Location"]).path or "/"
        status, _, _ = visitor.request(
            "GET",
            location,
            headers={**base, "Cookie": cookie_header(jar)},
            jar=jar,
        )
        if status != 200:
            sys.exit(f"After signing in, {location} answered {status}.")
    finally:
        visitor.close()
    return jar


def check_every_path(setup: ClientSetup) -> dict[str, str]:
    """Each path of the mix once, before the load; the SPC results' ETags."""
    visitor = Visitor(
        setup.host, setup.port, token=setup.tokens[0], session_cookies=setup.session_cookies
    )
    etags: dict[str, str] = {}
    try:
        for route in setup.routes:
            for path in route.paths:
                status, content, response = visitor.get(route, path)
                expected = 304 if route.conditional else 200
                if status != expected:
                    sys.exit(
                        f"{route.kind} {route.name}: GET {path} answered {status}, not "
                        f"{expected}: {content[:600]!r}"
                    )
                if response.headers.get("ETag"):
                    etags[path] = response.headers["ETag"]
                    visitor.etags[path] = etags[path]
    finally:
        visitor.close()
    return etags


def worker_peak_rss_mb(master: int) -> list[float]:
    """High-water RSS of each gunicorn worker (Linux ``/proc``); empty where unreadable."""
    peaks = []
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    for child in children:
        try:
            status = Path(f"/proc/{child}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(round(int(line.split()[1]) / 1024, 1))
    return peaks


def server_errors(log: Path) -> list[str]:
    """Django's warnings and errors (tracebacks included) and gunicorn's, from the log."""
    if not log.exists():
        return []
    marks = (
        '"level": "error"',
        '"level": "warning"',
        '"level": "critical"',
        "[ERROR]",
        "[CRITICAL]",
    )
    lines = log.read_text(errors="replace").splitlines()
    return [line for line in lines if any(mark in line for mark in marks)][:20]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of the mixed load")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients in all")
    parser.add_argument("--processes", type=int, default=2, help="load-generating processes")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of load not counted")
    parser.add_argument("--baseline-seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--database", default=BENCH_DATABASE, help="database to create and drop")
    parser.add_argument("--output", type=Path, default=ROOT / "var" / "bench" / "load_mixed.json")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    if min(args.clients, args.processes, args.seconds, args.baseline_seconds) <= 0:
        parser.error("--clients, --processes, --seconds and --baseline-seconds must be positive")
    processes = min(args.processes, args.clients)

    server_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not server_url.startswith(("postgres://", "postgresql://")):
        sys.exit("This benchmark runs on PostgreSQL: set DATABASE_URL=postgres://…")
    if urllib.parse.urlsplit(server_url).path.lstrip("/") == args.database:
        sys.exit(f"--database {args.database} is DATABASE_URL's own database; choose another.")

    tmp = Path(tempfile.mkdtemp(prefix="bench-load-mixed-"))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    server_log_path = args.output.with_suffix(".server.log")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": bench_database_url(server_url, args.database),
        "DJANGO_SETTINGS_MODULE": "sharedpurpose.config.settings",
        "SHAREDPURPOSE_VAR_DIR": str(tmp / "var"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SITE_URL": f"https://127.0.0.1:{port}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "LOG_LEVEL": "INFO",
        "API_RATE": API_RATE,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])
        ),
    }
    # This process creates the database (connecting to DATABASE_URL's server), loads the demo
    # and makes the tokens, with the server's settings otherwise.
    os.environ.update({**env, "DATABASE_URL": server_url, "LOG_LEVEL": "WARNING"})
    sys.path.insert(0, str(ROOT / "src"))

    import django
    from django.conf import settings

    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = args.database
    django.setup()
    from django.db import connection

    print(
        f"Creating the database {args.database}, migrating it and loading the demo...", flush=True
    )
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=False
    )
    server: subprocess.Popen[bytes] | None = None
    server_log = server_log_path.open("wb")
    pool: ProcessPoolExecutor | None = None
    try:
        cli = str(Path(sys.executable).parent / "sharedpurpose")
        subprocess.run([cli, "demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        routes, tokens = demo_routes(args.clients)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            postgres_version = cursor.fetchone()[0]
        connection.close()

        server = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "sharedpurpose.config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--worker-class",
                "gthread",
                "--access-logfile",
                "/dev/null",
                "--graceful-timeout",
                "10",
                # The default control socket is one path per user: another gunicorn (a
                # developer's own server) would be taken over or take this one over.
                "--no-control-socket",
            ],
            env=env,
            cwd=ROOT,
            stdout=server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until_up(port, server)
        session = sign_in("127.0.0.1", port)
        setup = ClientSetup("127.0.0.1", port, routes, session, tokens, {}, args.seed)
        setup.etags = check_every_path(setup)

        total_weight = sum(route.weight for route in routes)
        shares = ", ".join(
            f"{kind} {sum(r.weight for r in routes if r.kind == kind) / total_weight:.0%}"
            for kind in KINDS
        )
        print(
            f"gunicorn {args.workers} workers x {args.threads} threads (gthread) on "
            f"PostgreSQL {postgres_version}, {os.cpu_count()} CPUs; {args.clients} clients in "
            f"{processes} processes, keep-alive, no think time; mix: {shares}",
            flush=True,
        )
        load_before = os.getloadavg()
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(max_workers=processes, mp_context=context)
        phase = {"clients": args.clients, "processes": processes}
        if args.warmup > 0:
            print(f"Warming up for {args.warmup:.0f} s...", flush=True)
            run_phase(pool, setup, seconds=args.warmup, **phase)
        print(f"Mixed load for {args.seconds:.0f} s...", flush=True)
        mixed = run_phase(pool, setup, seconds=args.seconds, **phase)
        print(f"Baseline: GET {HEALTH_PATH} for {args.baseline_seconds:.0f} s...", flush=True)
        baseline = run_phase(
            pool, setup, seconds=args.baseline_seconds, only_path=HEALTH_PATH, **phase
        )
        load_after = os.getloadavg()
        worker_rss = worker_peak_rss_mb(server.pid)
    finally:
        if pool is not None:
            pool.shutdown()
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        server_log.close()
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(tmp, ignore_errors=True)

    failures = mixed.failures + baseline.failures
    report: dict[str, Any] = {
        "benchmark": "load_mixed",
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in load_after],
        },
        "server": {
            "gunicorn_workers": args.workers,
            "gunicorn_threads": args.threads,
            "worker_class": "gthread",
            "database": f"PostgreSQL {postgres_version}",
            "settings": {
                "DEBUG": False,
                "SITE_URL": "https:// (X-Forwarded-Proto from the load generator)",
                "LOG_LEVEL": "INFO",
                "API_RATE": API_RATE,
                "CACHE_URL": "default (file cache)",
            },
            "worker_peak_rss_mb": worker_rss,
        },
        "load": {
            "clients": args.clients,
            "processes": processes,
            "keep_alive": True,
            "think_time_s": 0,
            "warmup_s": args.warmup,
            "seconds": args.seconds,
            "baseline_seconds": args.baseline_seconds,
            "mix": [
                {**asdict(route), "share": round(route.weight / total_weight, 4)}
                for route in routes
            ],
        },
        "mixed": mix_summary(routes, mixed.records, args.seconds),
        "baseline": summary(baseline.records, args.baseline_seconds),
        "errors": sum(
            1 for _, status, _ in mixed.records + baseline.records if not is_success(status)
        ),
        "failures": [asdict(f) for f in failures],
        "server_log": str(server_log_path),
    }
    args.output.write_text(json.dumps(report, indent=2) + "\n")

    print_tables(report, routes)
    overall, health = report["mixed"]["overall"], report["baseline"]
    print(
        f"\nThe mix ran at {overall['requests_per_second'] / health['requests_per_second']:.0%} "
        f"of the baseline's requests per second; its p50 was "
        f"{overall['p50_ms'] / health['p50_ms']:.1f} x the baseline's."
        f" Load average {load_before[0]:.2f} before, {load_after[0]:.2f} after."
        f" Worker peak RSS: {', '.join(f'{mb:.0f} MB' for mb in worker_rss) or 'n/a'}."
    )
    conditional = [i for i, route in enumerate(routes) if route.conditional]
    asked = [status for i, status, _ in mixed.records if i in conditional]
    print(f"If-None-Match: {asked.count(304):,} of {len(asked):,} requests answered 304.")
    print(f"JSON: {args.output}; server log: {server_log_path}")
    if report["errors"]:
        print(f"\n{report['errors']} ERRORS (the floor is none):", file=sys.stderr)
        for failure in failures[:20]:
            print(
                f"  {failure.route}: GET {failure.path} -> {failure.status}: "
                f"{failure.detail[:200]!r}",
                file=sys.stderr,
            )
        for line in server_errors(server_log_path):
            print(f"  server: {line[:2000]}", file=sys.stderr)
        return 1
    print("Errors: none (floor: none).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
