"""Benchmark: XmR charts with every rule and icon for 10,000 series x 60 points.

Run ``python bench/spc_xmr.py`` (from the repository root, with the package on
``PYTHONPATH`` or installed). It times, on the same seeded data:

* ``sharedpurpose.spc.xmr_batch`` (the batch API, in process);
* the ``sharedpurpose spc`` CLI end to end (a subprocess, CSV in and out);
* the Python peers a user might otherwise pick, ``clinical-qikit`` and
  ``abspc``, one series at a time on a sample of series, extrapolated per
  series to the full set (said so in the table);
* NHSRplotthedots in R, on a sample, when ``Rscript`` and the package exist.

A peer that is missing is skipped with a message; the benchmark never fails
because of one.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sharedpurpose.spc import SeriesOptions, xmr_batch  # noqa: E402

SEED = 20240601


@dataclass
class Row:
    name: str
    series_timed: int
    seconds: float  # for the series timed
    peak_mb: float | None
    note: str = ""

    def full(self, n_series: int) -> float:
        return self.seconds * n_series / self.series_timed


def make_data(n_series: int, n_points: int) -> dict[str, Any]:
    rng = np.random.default_rng(SEED)
    level = rng.uniform(20, 500, n_series)[:, None]
    noise = rng.normal(0, 1, (n_series, n_points)) * level * 0.1
    drift = np.where(rng.random(n_series) < 0.2, 1.0, 0.0)[:, None] * np.linspace(0, 1, n_points)
    y = np.round(level + noise + drift * level * 0.3, 2)
    y[rng.random(y.shape) < 0.005] = np.nan
    months = np.arange(np.datetime64("2019-01"), np.datetime64("2019-01") + n_points)
    x = months.astype("datetime64[D]")
    ids = np.array([f"trust-{i:05d}" for i in range(n_series)])
    target = np.round(level[:, 0] * 0.95, 1)
    direction = np.where(rng.random(n_series) < 0.5, "increase", "decrease")
    return {"ids": ids, "x": x, "y": y, "target": target, "direction": direction}


def time_best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def peak_of(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def bench_batch(d: dict[str, Any]) -> Row:
    k, p = d["y"].shape
    series = np.repeat(d["ids"], p)
    x = np.tile(d["x"], k)
    y = d["y"].ravel()
    opts = SeriesOptions(series=d["ids"], improvement_direction=d["direction"], target=d["target"])

    def run() -> object:
        return xmr_batch(series, x, y, options=opts)

    run()
    return Row("sharedpurpose xmr_batch", k, time_best(run, 5), peak_of(run))


def write_inputs(d: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    k, p = d["y"].shape
    xs = np.datetime_as_string(d["x"]).tolist()
    lines = ["series,x,y"]
    for sid, row in zip(d["ids"].tolist(), d["y"].tolist(), strict=True):
        lines += [f"{sid},{xv},{'' if v != v else repr(v)}" for xv, v in zip(xs, row, strict=True)]
    inp = folder / "input.csv"
    inp.write_text("\n".join(lines) + "\n")
    opt = folder / "options.csv"
    opt.write_text(
        "series,improvement_direction,target\n"
        + "".join(
            f"{s},{dr},{t!r}\n"
            for s, dr, t in zip(
                d["ids"].tolist(), d["direction"].tolist(), d["target"].tolist(), strict=True
            )
        )
    )
    return inp, opt


def bench_cli(d: dict[str, Any], folder: Path) -> Row:
    inp, opt = write_inputs(d, folder)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    cmd = [
        sys.executable,
        "-m",
        "sharedpurpose.spc",
        str(inp),
        "--options",
        str(opt),
        "--output",
        str(folder / "out.csv"),
        "--summary",
        str(folder / "summary.csv"),
    ]
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - t)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return Row(
        "sharedpurpose spc CLI (CSV in/out)",
        d["y"].shape[0],
        best,
        peak,
        "subprocess; peak = max RSS of a child",
    )


def bench_qikit(d: dict[str, Any], sample: int) -> Row | str:
    try:
        from qikit import qic
    except ImportError:
        return "clinical-qikit not installed (pip install clinical-qikit): skipped"
    ys = d["y"][:sample]

    def run() -> None:
        for i, row in enumerate(ys):
            qic(x=d["x"], y=row, chart="i", target=float(d["target"][i]))

    run_small = ys[:5]
    for row in run_small:
        qic(x=d["x"], y=row, chart="i")
    return Row(
        "clinical-qikit qic(chart='i')",
        sample,
        time_best(run, 1),
        peak_of(run),
        f"{sample} series timed, extrapolated",
    )


def bench_abspc(d: dict[str, Any], sample: int) -> Row | str:
    try:
        import abspc
        import pandas as pd
    except ImportError:
        return "abspc not installed (pip install abspc): skipped"
    frames = [pd.DataFrame({"date": d["x"], "value": row}) for row in d["y"][:sample]]

    def run() -> None:
        for i, df in enumerate(frames):
            direction = "high" if d["direction"][i] == "increase" else "low"
            res = abspc.calculate_control_limits(df, "XmR")
            res = abspc.detect_special_causes(res)
            abspc.determine_variation_type(res, improvement_direction=direction)
            abspc.determine_assurance_type(
                res, float(d["target"][i]), improvement_direction=direction
            )

    return Row(
        "abspc (limits, rules, icons)",
        sample,
        time_best(run, 1),
        peak_of(run),
        f"{sample} series timed, extrapolated",
    )


R_SCRIPT = r"""
suppressPackageStartupMessages({library(NHSRplotthedots); library(dplyr)})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = c("character", "character", "numeric"))
d$x <- as.Date(d$x)
# NHSRplotthedots stops on a missing value inside a trend window, so R gets complete rows only.
d <- d[!is.na(d$y), ]
t <- system.time({
  s <- suppressWarnings(ptd_spc(d, value_field = "y", date_field = "x", facet_field = "series"))
  i <- NHSRplotthedots:::ptd_get_icons(s)
})
cat(t[["elapsed"]], "\n")
"""


def bench_r(d: dict[str, Any], base: Path, sample: int) -> Row | str:
    folder = base / "r"
    folder.mkdir()
    rscript = shutil.which("Rscript")
    if rscript is None:
        return "NHSRplotthedots (R): Rscript not found: skipped"
    ok = subprocess.run([rscript, "-e", "library(NHSRplotthedots)"], capture_output=True)
    if ok.returncode != 0:
        return "NHSRplotthedots (R): package not installed: skipped"
    small = {**d, **{key: d[key][:sample] for key in ("ids", "y", "target", "direction")}}
    inp, _ = write_inputs(small, folder)
    script = folder / "bench.R"
    script.write_text(R_SCRIPT)
    try:
        res = subprocess.run(
            [rscript, str(script), str(inp)],
            capture_output=True,
            text=True,
            timeout=900,
            check=True,
        )
        seconds = float(res.stdout.split()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError) as exc:
        return f"NHSRplotthedots (R): failed ({exc}): skipped"
    return Row(
        "NHSRplotthedots ptd_spc (R)",
        sample,
        seconds,
        None,
        f"{sample} series in one faceted call, timed inside R, extrapolated",
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", type=int, default=10_000)
    ap.add_argument("--points", type=int, default=60)
    ap.add_argument("--sample", type=int, default=500, help="series timed for slow peers")
    ap.add_argument("--no-r", action="store_true", help="skip NHSRplotthedots")
    a = ap.parse_args(argv)
    warnings.simplefilter("ignore")  # peers warn about NaN casts; not ours to report
    d = make_data(a.series, a.points)
    sample = min(a.sample, a.series)
    rows: list[Row] = []
    messages: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows.append(bench_batch(d))
        rows.append(bench_cli(d, folder))
        peers: list[Row | str] = [bench_qikit(d, sample), bench_abspc(d, min(sample, 200))]
        if a.no_r:
            peers.append("NHSRplotthedots (R): skipped (--no-r)")
        else:
            peers.append(bench_r(d, folder, sample))
    for p in peers:
        if isinstance(p, Row):
            rows.append(p)
        else:
            messages.append(p)
    n_points = a.series * a.points
    peer_rows = [r for r in rows if not r.name.startswith("sharedpurpose")]
    fastest = min((r.full(a.series) for r in peer_rows), default=None)

    print(
        f"XmR, all rules and icons: {a.series:,} series x {a.points} points "
        f"= {n_points:,} points (seed {SEED})\n"
    )
    head = (
        f"{'implementation':38} {'series timed':>12} {'time 10k (s)':>13} "
        f"{'per point':>11} {'peak MB':>8} {'vs fastest peer':>16}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        full = r.full(a.series)
        ratio = f"{fastest / full:,.1f}x" if fastest else "n/a"
        mb = "n/a" if r.peak_mb is None else f"{r.peak_mb:,.1f}"
        print(
            f"{r.name:38} {r.series_timed:>12,} {full:>13.3f} "
            f"{full / n_points * 1e6:>8.3f} us {mb:>8} {ratio:>16}"
        )
    print()
    for r in rows:
        if r.note:
            print(f"* {r.name}: {r.note}")
    for m in messages:
        print(f"* {m}")
    print(
        "* times are the best of several runs (1 run for sampled peers); "
        "peak MB is traced Python allocations unless noted"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
