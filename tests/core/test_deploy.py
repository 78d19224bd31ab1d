from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # The browser tests' async-safety switch must not leak into a production check.
    dropped = {"SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    inherited = {key: value for key, value in os.environ.items() if key not in dropped}
    environment = {
        **inherited,
        "DEBUG": "false",
        "SHAREDPURPOSE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "sharedpurpose.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_check_is_clean_under_production_settings(tmp_path: Path) -> None:
    result = _run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        SITE_URL="https://improvement.example.org",
        ALLOWED_HOSTS="improvement.example.org",
        SECRET_KEY="k" * 20 + "-production-secret-from-the-environment-0123456789",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_secret_key_is_generated_once_when_none_is_given(tmp_path: Path) -> None:
    first = _run(["check"], tmp_path)
    key_file = tmp_path / "secret-key"
    key = key_file.read_text()
    second = _run(["check"], tmp_path)

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert len(key) >= 50
    assert key_file.read_text() == key
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


@pytest.mark.django_db
def test_models_and_migrations_agree() -> None:
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
