"""The CLI's XmR output against NHSRplotthedots' own output (tests/spc/golden/xmr_*).

Each case directory holds the CLI input (``input.csv``, optional
``options.csv``) and what NHSRplotthedots computed from it. Two documented
differences are allowed: rows with a missing y have empty mean and limits
here (the reference repeats the period's figures), and a flat baseline has
limits at its mean here (the reference gives NA, so it flags nothing later in
the period while any departure from a perfectly flat baseline is astronomical
here).
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pytest

from sharedpurpose.spc import SHORT_PERIOD_WARNING
from sharedpurpose.spc.cli import main

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p for p in GOLDEN.glob("xmr_*") if (p / "expected.csv").exists())


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def close(a: str, b: str) -> bool:
    if a == "" or b == "":
        return a == b
    fa, fb = float(a), float(b)
    return math.isclose(fa, fb, rel_tol=1e-9, abs_tol=1e-12)


def errored_series(case: Path) -> set[str]:
    f = case / "expected_error.txt"
    if not f.exists():
        return set()
    return {line.split(":", 1)[0] for line in f.read_text().splitlines() if line}


@pytest.mark.skipif(not CASES, reason="no golden XmR cases yet")
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_xmr_golden(case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, summary = tmp_path / "out.csv", tmp_path / "summary.csv"
    argv = [str(case / "input.csv"), "--output", str(out), "--summary", str(summary)]
    if (case / "options.csv").exists():
        argv += ["--options", str(case / "options.csv")]
    assert main(argv) == 0
    stderr = capsys.readouterr().err
    skip = errored_series(case)

    got = [r for r in read(out) if r["series"] not in skip]
    want = read(case / "expected.csv") if skip != {"*"} else []
    assert [(r["series"], r["x"]) for r in got] == [(r["series"], r["x"]) for r in want]
    for g, w in zip(got, want, strict=True):
        where = f"{case.name} {g['series']} x={g['x']}"
        assert close(g["y"], w["y"]), where
        flat_period = w["lpl"] == "" and g["lpl"] != "" and g["lpl"] == g["mean"]
        if not flat_period:
            assert g["special_cause_rule"] == w["special_cause_rule"], where
            assert g["point_type"] == w["point_type"], where
        if w["y"] == "":
            assert g["mean"] == g["lpl"] == g["upl"] == "", where
            continue
        assert close(g["mean"], w["mean"]), where
        for col in ("lpl", "upl"):
            assert flat_period or close(g[col], w[col]), (where, col, g[col], w[col])

    got_s = [r for r in read(summary) if r["series"] not in skip]
    assert got_s == read(case / "expected_summary.csv")

    wfile = case / "expected_warnings.txt"
    expected_short = 0
    if wfile.exists():
        lines = wfile.read_text().splitlines()
        expected_short = sum(SHORT_PERIOD_WARNING in line for line in lines)
    m = re.search(r"warning \((\d+) series\): Some groups", stderr)
    assert (int(m.group(1)) if m else 0) == expected_short
