"""Real processes for the reliability tests: the web server and the task worker, started as
production starts them, on the test database, and stopped or killed by the tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection

REPO_ROOT = Path(__file__).resolve().parents[2]
#: Long enough for a process to start on a busy two-core machine.
START_SECONDS = 90


def wait_until(
    condition: Callable[[], Any], *, timeout: float, what: str, interval: float = 0.1
) -> Any:
    """Poll ``condition`` until it returns something truthy; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url() -> str:
    """The URL of the database this test runs on, for processes the test starts."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = quote(str(db.get("USER") or ""), safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    return f"postgres://{credentials}{host}/{db['NAME']}"


def process_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a server or worker on the test database.

    The signing key is the test process's, so sessions made by the test sign people in; the
    var folder (cache, uploaded files) is the test's own.
    """
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "SHAREDPURPOSE_VAR_DIR": str(var_dir),
        "TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(extra)
    return env


class Process:
    """A ``sharedpurpose`` command in its own process group, its output kept in a file."""

    def __init__(self, args: list[str], *, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._log_file: IO[bytes] = log.open("ab")
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "sharedpurpose.cli", *args],
            cwd=REPO_ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL the whole group (e.g. gunicorn's master and its workers): nothing of it
        gets to clean up, as when a machine loses power or the kernel's OOM killer strikes."""
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)
        self._log_file.close()

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=30)
        self._log_file.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def assert_running(self) -> None:
        assert self.popen.poll() is None, f"process exited:\n{self.output()[-3000:]}"

    def running(self) -> bool:
        """True, or a failure with the process's output when it has exited."""
        self.assert_running()
        return True


class Server(Process):
    """``sharedpurpose serve``: gunicorn, as in production."""

    def __init__(
        self, var_dir: Path, *, port: int, workers: int = 2, threads: int = 1, **env: str
    ) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        super().__init__(
            ["serve", "--port", str(port), "--workers", str(workers)],
            env=process_env(
                var_dir,
                SITE_URL=self.base,
                GUNICORN_CMD_ARGS=f"--threads {threads} --timeout 120",
                **env,
            ),
            log=var_dir / f"server-{port}.log",
        )

    def wait_ready(self) -> None:
        def answers() -> bool:
            self.assert_running()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return True
            except OSError:
                return False

        wait_until(answers, timeout=START_SECONDS, what="the server to listen", interval=0.2)


def worker(var_dir: Path, name: str, **env: str) -> Process:
    """``sharedpurpose worker`` (django-tasks-db's ``db_worker``), polling every 0.1 s."""
    return Process(
        ["worker", "--interval", "0.1", "--no-startup-delay"],
        env=process_env(var_dir, **env),
        log=var_dir / f"worker-{name}.log",
    )


@contextmanager
def running_server(var_dir: Path, **kwargs: Any) -> Iterator[Server]:
    server = Server(var_dir, port=free_port(), **kwargs)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def session_cookies(user: Any) -> dict[str, str]:
    """Cookies that sign ``user`` in on a server started by the test."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def other_database_sessions() -> int:
    """PostgreSQL sessions on the test database, besides the test's own, that are running a
    statement or hold a transaction open (0 on SQLite, where a dead process holds no lock).
    Idle connections hold nothing, so they do not count."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND (state <> 'idle' OR xact_start IS NOT NULL)"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0
