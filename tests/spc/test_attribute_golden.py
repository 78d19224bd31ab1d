"""Run and attribute charts against qicharts2 golden outputs.

Each ``tests/spc/golden/<chart>_<case>/`` directory (chart one of run, p, pp,
u, up, c, g) holds ``input.csv`` (series,x,y[,n]), an optional ``options.csv``
and qicharts2's ``expected.csv`` / ``expected_summary.csv``. qicharts2's
``part`` (positions after which a new part starts) and ``freeze`` map to
``rebase`` (the x of the first point of each new part) and
``fix_after_n_points``. Floats must agree to 1e-9 relative.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sharedpurpose.spc.attribute import CHARTS, chart_detail

GOLDEN = Path(__file__).parent / "golden"
CASES = (
    sorted(p for p in GOLDEN.glob("*_*") if p.is_dir() and p.name.split("_", 1)[0] in CHARTS)
    if GOLDEN.is_dir()
    else []
)
RTOL = 1e-9


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _num(text: str | None) -> float:
    if text is None or text.strip() in ("", "NA", "NaN", "nan", "Inf", "-Inf"):
        if text and text.strip() in ("Inf", "-Inf"):
            return math.inf if text.strip() == "Inf" else -math.inf
        return math.nan
    return float(text)


def _bool(text: str) -> bool:
    return text.strip().upper() in ("TRUE", "T", "1", "YES")


def _x(values: list[str]) -> np.ndarray:
    try:
        return np.array([float(v) for v in values])
    except ValueError:
        return np.array(values, dtype="datetime64[D]")


def _options(case: Path) -> dict[str, dict[str, str]]:
    path = case / "options.csv"
    if not path.exists():
        return {}
    rows = _read(path)
    if rows and "series" in rows[0]:
        return {r["series"]: r for r in rows}
    # a single row of options for every series
    return {"*": rows[0]} if rows else {}


def _split(text: str | None) -> list[str]:
    if not text or text.strip() in ("", "NA"):
        return []
    return [t.strip() for t in text.replace("|", ";").split(";") if t.strip()]


def _series_kwargs(opt: dict[str, str], x: np.ndarray) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    order = np.argsort(x, kind="stable")
    xs = x[order]
    part = _split(opt.get("part"))
    if part:
        kwargs["rebase"] = [xs[int(float(p))] for p in part if int(float(p)) < xs.size]
    rebase = _split(opt.get("rebase"))
    if rebase:
        kwargs["rebase"] = list(_x(rebase))
    for key in ("freeze", "fix_after_n_points"):
        v = _num(opt.get(key))
        if math.isfinite(v):
            kwargs["fix_after_n_points"] = int(v)
    direction = (opt.get("improvement_direction") or "").strip()
    if direction and direction != "NA":
        kwargs["improvement_direction"] = direction
    target = _num(opt.get("target"))
    if math.isfinite(target):
        kwargs["target"] = target
    screened = (opt.get("screened_mr") or opt.get("screen_outliers") or "").strip()
    if screened and screened != "NA":
        kwargs["screen_moving_ranges"] = _bool(screened)
    return kwargs


def _close(got: float, want: float) -> bool:
    if math.isnan(want):
        return math.isnan(got)
    return math.isclose(got, want, rel_tol=RTOL, abs_tol=1e-12)


# Where this engine knowingly differs from qicharts2 (documented in docs/spc.md). qicharts2
# silently ignores ``freeze`` when ``part`` is given; here ``fix_after_n_points`` freezes the
# baseline of every period, as the CLI contract says it does for every chart type.
FREEZE_PER_PERIOD = {("run_part_freeze", "part_and_freeze")}


def _check_freeze_per_period(chart: str, x: np.ndarray, y: np.ndarray, opt: dict[str, str]) -> None:
    kwargs = _series_kwargs(opt, x)
    whole = chart_detail(chart, y, None, x, **kwargs).result
    fix = int(opt["fix_after_n_points"])
    starts = [0, *sorted(int(np.searchsorted(x, r)) for r in kwargs["rebase"])]
    for begin, end in zip(starts, [*starts[1:], len(x)], strict=True):
        alone = chart_detail(chart, y[begin:end], None, x[begin:end], fix_after_n_points=fix)
        np.testing.assert_allclose(whole.centre[begin:end], alone.result.centre, rtol=RTOL)


@pytest.mark.skipif(not CASES, reason="no qicharts2 goldens yet")
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_matches_qicharts2(case: Path) -> None:
    chart = case.name.split("_", 1)[0]
    rows = _read(case / "input.csv")
    expected = _read(case / "expected.csv")
    summary_path = case / "expected_summary.csv"
    summary = {r["series"]: r for r in _read(summary_path)} if summary_path.exists() else {}
    options = _options(case)
    series_ids = list(dict.fromkeys(r["series"] for r in rows))
    problems: list[str] = []
    for sid in series_ids:
        mine = [r for r in rows if r["series"] == sid]
        x = _x([r["x"] for r in mine])
        y = np.array([_num(r["y"]) for r in mine])
        n = np.array([_num(r.get("n")) for r in mine]) if "n" in mine[0] else None
        opt = options.get(sid, options.get("*", {}))
        if (case.name, sid) in FREEZE_PER_PERIOD:
            _check_freeze_per_period(chart, x, y, opt)
            continue
        detail = chart_detail(chart, y, n, x, **_series_kwargs(opt, x))
        res = detail.result
        want = [r for r in expected if r["series"] == sid]
        assert len(want) == res.n_points, f"{sid}: point count"
        for i, w in enumerate(want):
            for col, arr in (
                ("value", res.value),
                ("centre", res.centre),
                ("lpl", res.lpl),
                ("upl", res.upl),
            ):
                if col in w and not _close(float(arr[i]), _num(w[col])):
                    problems.append(f"{sid} x={w['x']} {col}: {arr[i]!r} != {w[col]}")
            if "sigma_signal" in w and bool(detail.sigma_signal[i]) != _bool(w["sigma_signal"]):
                problems.append(f"{sid} x={w['x']} sigma_signal")
            if "runs_signal" in w and bool(detail.runs_signal[i]) != _bool(w["runs_signal"]):
                problems.append(f"{sid} x={w['x']} runs_signal")
        s = summary.get(sid)
        if s:
            for col in ("longest_run", "longest_run_max", "n_crossings", "n_crossings_min"):
                got = getattr(res, col)
                want_v = _num(s.get(col))
                if col in s and not (
                    (got is None and math.isnan(want_v)) or (got is not None and got == want_v)
                ):
                    problems.append(f"{sid} {col}: {got} != {s[col]}")
            if "runs_signal" in s and bool(res.runs_signal) != _bool(s["runs_signal"]):
                problems.append(f"{sid} runs_signal: {res.runs_signal} != {s['runs_signal']}")
            if "n_points" in s and int(float(s["n_points"])) != res.n_points:
                problems.append(f"{sid} n_points")
    assert not problems, "\n".join(problems[:20])
