"""Benchmark: requests per second for a round page with 50 published comments.

Run ``python bench/round_page_rps.py`` from the repository root. It creates a throwaway
SQLite database in a temporary directory, migrates it, loads the demo, adds published
comments until the Shared Purpose round page has 50, then starts gunicorn (2 workers) on a
free loopback port with ``bench.rps_settings`` (the project's settings plus a minimal
``HttpResponse("ok")`` view). ``wrk -t2 -c16 -d10s`` loads the round page and the minimal
view in the same run; the script prints both rates and their ratio. The floor is 50% of the
minimal view. Gunicorn is always stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUND_PATH = "/programmes/closing-the-gap/shared-purpose/"
MINIMAL_PATH = "/bench/minimal/"
COMMENTS_WANTED = 50
FLOOR = 0.5

SEED = f"""
import django
django.setup()
from sharedpurpose.demo.engagement import comments_demo_load
from sharedpurpose.engagement.models import Comment
from sharedpurpose.programmes.models import Round

comments_demo_load()
round_ = Round.objects.get(slug="shared-purpose")
have = Comment.objects.filter(round=round_, status="published").count()
Comment.objects.bulk_create(
    Comment(
        programme=round_.programme,
        round=round_,
        author_name=f"Reader {{n}} (fictional)",
        author_email=f"reader{{n}}@bench.example.org",
        body=f"Comment {{n}}: *useful* to see how the teams worked, with a [link](https://example.org).",
        is_question=n % 3 == 0,
        status="published",
    )
    for n in range(have, {COMMENTS_WANTED})
)
print(Comment.objects.filter(round=round_, status="published").count())
"""


def _wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing wrk with apt-get...", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False)
        found = shutil.which("wrk")
        if found:
            return found
    sys.exit("wrk is required: install it (apt-get install wrk) and run again.")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 30) -> None:
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


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
        return str(response.read().decode())


def _rate(wrk: str, url: str, duration: str) -> tuple[float, str]:
    result = subprocess.run(
        [wrk, "-t2", "-c16", f"-d{duration}", url], capture_output=True, text=True, check=True
    )
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    if match is None:
        sys.exit(f"Could not read wrk's output:\n{result.stdout}\n{result.stderr}")
    if "Non-2xx or 3xx responses" in result.stdout:
        sys.exit(f"Some requests failed under load:\n{result.stdout}")
    return float(match.group(1)), result.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", default="10s", help="wrk duration per URL (default 10s)")
    args = parser.parse_args()
    wrk = _wrk()

    with tempfile.TemporaryDirectory(prefix="sp-rps-") as tmp:
        env = {
            **os.environ,
            "SHAREDPURPOSE_VAR_DIR": tmp,
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "DJANGO_SETTINGS_MODULE": "bench.rps_settings",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join(
                [str(ROOT), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
            ),
        }
        bin_dir = Path(sys.executable).parent
        cli = str(bin_dir / "sharedpurpose")
        print("Preparing a throwaway database with the demo...", flush=True)
        subprocess.run([cli, "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True)
        subprocess.run([cli, "demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        seeded = subprocess.run(
            [sys.executable, "-c", SEED], env=env, cwd=ROOT, check=True, capture_output=True
        )
        comments = int(seeded.stdout.decode().split()[-1])

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                str(bin_dir / "gunicorn"),
                "sharedpurpose.config.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        try:
            _wait_until_up(base + MINIMAL_PATH, server)
            page = _get(base + ROUND_PATH)
            shown = page.count("Report this comment<")
            if shown != COMMENTS_WANTED:
                sys.exit(f"The round page shows {shown} comments, not {COMMENTS_WANTED}.")
            # Warm both workers before measuring.
            _rate(wrk, base + ROUND_PATH, "2s")
            _rate(wrk, base + MINIMAL_PATH, "2s")
            round_rps, _ = _rate(wrk, base + ROUND_PATH, args.duration)
            minimal_rps, _ = _rate(wrk, base + MINIMAL_PATH, args.duration)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()

    ratio = round_rps / minimal_rps if minimal_rps else 0.0
    print(f"Round page with {comments} published comments: {round_rps:8.1f} requests/s")
    print(f"Minimal Django view (HttpResponse('ok')):  {minimal_rps:8.1f} requests/s")
    print(
        f"Ratio: {ratio:.0%} (floor {FLOOR:.0%}) -> {'PASS' if ratio >= FLOOR else 'BELOW FLOOR'}"
    )
    return 0 if ratio >= FLOOR else 1


if __name__ == "__main__":
    raise SystemExit(main())
