"""The ``sharedpurpose`` command.

sharedpurpose serve [--host H] [--port P] [--with-worker]   serve the site (gunicorn)
sharedpurpose worker [db_worker options]                    run background tasks (and
                                                            retention, once a day)
sharedpurpose demo                                          load the demo programme
sharedpurpose spc INPUT.csv [options]                       SPC charts from CSV (no database)
sharedpurpose push --measure ID FILE.csv [--url U] [--token T]
                                                            send a measure's points (REST API)
sharedpurpose pull --measure ID [--from D] [--to D] [--format csv|json]
                                                            print a measure's SPC results (REST API)
sharedpurpose <django command> ...                          e.g. migrate, check --deploy
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Sequence

SETTINGS_MODULE = "sharedpurpose.config.settings"


def _django(argv: Sequence[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["sharedpurpose", *argv])
    return 0


def _serve(argv: Sequence[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="sharedpurpose serve", description="Serve the site.")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    parser.add_argument(
        "--with-worker",
        action="store_true",
        help="also run the background task worker, stopping it when the server stops",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    worker = None
    if args.with_worker:
        worker = subprocess.Popen([sys.executable, "-m", "sharedpurpose.cli", "worker"])  # noqa: S603
    server = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        [
            sys.executable,
            "-m",
            "gunicorn",
            "sharedpurpose.config.wsgi:application",
            "--bind",
            f"{args.host}:{args.port}",
            "--workers",
            str(args.workers),
            "--access-logfile",
            "/dev/null",
            "--graceful-timeout",
            "10",
        ]
    )
    print(
        f"Shared Purpose is running at http://{args.host}:{args.port}/ (Ctrl+C to stop)", flush=True
    )
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.send_signal(signal.SIGTERM)
        return server.wait()
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=15)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(__doc__)
        return 0
    command, rest = args[0], args[1:]
    if command == "spc":
        # The SPC engine needs no database or Django, and starts fast without them.
        from sharedpurpose.spc.cli import main as spc_main

        return spc_main(rest)
    if command in {"push", "pull"}:
        # API clients: the standard library only, no Django, no database.
        from sharedpurpose.api_client import pull_main, push_main

        return push_main(rest) if command == "push" else pull_main(rest)
    if command == "serve":
        return _serve(rest)
    if command == "worker":
        # The worker also runs the daily retention clean-up: queue its next run unless one waits.
        _django(["retention", "--schedule"])
        return _django(["db_worker", *rest])
    return _django(args)


if __name__ == "__main__":
    sys.exit(main())
