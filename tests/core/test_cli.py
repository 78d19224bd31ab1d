from __future__ import annotations

import subprocess
import sys

import pytest

from sharedpurpose.cli import main


def test_help_lists_the_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0

    out = capsys.readouterr().out
    for command in ("serve", "worker", "demo", "spc"):
        assert f"sharedpurpose {command}" in out


def test_django_commands_are_reachable_through_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sharedpurpose.cli", "help", "--commands"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    commands = result.stdout.split()
    assert {"migrate", "demo", "db_worker", "check"} <= set(commands)


def test_serve_rejects_a_bad_port(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--port", "eighty"])

    assert exit_info.value.code == 2
    assert "--port" in capsys.readouterr().err
