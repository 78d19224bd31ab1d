"""The ``sharedpurpose spc`` command-line contract."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from sharedpurpose.spc.cli import main

SRC = str(Path(__file__).resolve().parents[2] / "src")


def write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


GOOD = (
    "series,x,y\nb,2020-02-01,5\na,2020-01-01,1\na,2020-02-01,\na,2020-03-01,3.25\nb,2020-01-01,4\n"
)


def test_stdout_output_sorted_with_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([write(tmp_path / "in.csv", GOOD)]) == 0
    out = rows(capsys.readouterr().out)
    assert list(out[0]) == [
        "series",
        "x",
        "y",
        "mean",
        "lpl",
        "upl",
        "special_cause_rule",
        "point_type",
    ]
    assert [(r["series"], r["x"]) for r in out] == [
        ("a", "2020-01-01"),
        ("a", "2020-02-01"),
        ("a", "2020-03-01"),
        ("b", "2020-01-01"),
        ("b", "2020-02-01"),
    ]
    assert out[1]["y"] == out[1]["mean"] == out[1]["upl"] == ""
    assert out[0]["lpl"] == ""  # no moving range in series a
    assert out[3]["mean"] == "4.5" and float(out[3]["upl"]) == 4.5 + 2.66


def test_files_summary_and_options(tmp_path: Path) -> None:
    inp = write(tmp_path / "in.csv", GOOD)
    opt = write(
        tmp_path / "opt.csv",
        "series,improvement_direction,target,rebase,"
        "fix_after_n_points,screen_outliers\nb,decrease,100,,,false\n",
    )
    out, summ = tmp_path / "out.csv", tmp_path / "s.csv"
    assert main([inp, "--options", opt, "--output", str(out), "--summary", str(summ)]) == 0
    s = rows(summ.read_text())
    assert s == [
        {"series": "a", "n_points": "3", "variation_icon": "common_cause", "assurance_icon": ""},
        {
            "series": "b",
            "n_points": "2",
            "variation_icon": "common_cause",
            "assurance_icon": "consistent_pass",
        },
    ]
    assert len(rows(out.read_text())) == 5


def test_full_precision_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "series,x,y\n" + "".join(f"s,{i},{v}\n" for i, v in enumerate([0.1, 0.2, 0.7, 1e-7]))
    assert main([write(tmp_path / "in.csv", text)]) == 0
    out = rows(capsys.readouterr().out)
    assert [r["x"] for r in out] == ["0", "1", "2", "3"]
    assert out[3]["y"] == "1e-07"
    mean = (0.1 + 0.2 + 0.7 + 1e-7) / 4
    assert float(out[0]["mean"]) == pytest.approx(mean, rel=1e-15)


BAD = [
    ("series,x,y\na,1,abc\n", "in.csv:2: column y:"),
    ("series,x,y\na,1,1\na,2020-01-02,2\n", "in.csv:3: column x:"),
    ("series,x,y\na,2020-01-01,1\na,7,2\n", "in.csv:3: column x:"),
    ("series,x,y\na,2020-01-01,1\na,2020-13-01,2\n", "in.csv:3: column x:"),
    ("series,x,y\na,1,1\na,2,1\na,1,3\n", "in.csv:4: column x: duplicate"),
    ("series,x\na,1\n", "in.csv:1: column y:"),
    ("series,x,y\na,1,1,4\n", "in.csv:2:"),
    ("series,x,y\na,,1\n", "in.csv:2: column x:"),
    ("series,x,y\na,1,inf\n", "in.csv:2: column y:"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    out, summ = tmp_path / "out.csv", tmp_path / "s.csv"
    code = main([write(tmp_path / "in.csv", text), "--output", str(out), "--summary", str(summ)])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert not out.exists() and not summ.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "in.csv"]


OPT_HEADER = "series,improvement_direction,target,rebase,fix_after_n_points,screen_outliers\n"
BAD_OPTIONS = [
    ("zz,,,,,\n", "opt.csv:2: column series:"),
    ("a,,,,,\na,,,,,\n", "opt.csv:3: column series:"),
    ("a,up,,,,\n", "opt.csv:2: column improvement_direction:"),
    ("a,,high,,,\n", "opt.csv:2: column target:"),
    ("a,,,,5,\n", "opt.csv:2: column fix_after_n_points:"),
    ("a,,,,,maybe\n", "opt.csv:2: column screen_outliers:"),
    ("a,,,2020-01-01;x,,\n", "opt.csv:2: column rebase:"),
]


@pytest.mark.parametrize(("text", "message"), BAD_OPTIONS)
def test_bad_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    inp = write(tmp_path / "in.csv", GOOD)
    opt = write(tmp_path / "opt.csv", OPT_HEADER + text)
    out = tmp_path / "out.csv"
    assert main([inp, "--options", opt, "--output", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("series,x,y\na,1,1\n", "in.csv:1: column n:"),
        ("series,x,y,n\na,1,1,-2\n", "in.csv:2: column n:"),
        ("series,x,y,n\na,1,5,2\n", "in.csv:2: column y:"),
    ],
)
def test_bad_denominators(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    assert main([write(tmp_path / "in.csv", text), "--chart", "p"]) == 2
    assert message in capsys.readouterr().err


def test_rebase_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "series,x,y\n" + "".join(f"a,{i},{v}\n" for i, v in enumerate([1, 2, 1, 2, 9, 10, 9]))
    opt = write(tmp_path / "opt.csv", OPT_HEADER + "a,,,4,,\n")
    assert main([write(tmp_path / "in.csv", text), "--options", opt]) == 0
    out = rows(capsys.readouterr().out)
    assert [r["mean"] for r in out] == ["1.5"] * 4 + [repr(28 / 3)] * 3


def test_quoted_series_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = 'series,x,y\n"Ward 1, north",1,2\n"Ward 1, north",2,3\n'
    assert main([write(tmp_path / "in.csv", text)]) == 0
    out = rows(capsys.readouterr().out)
    assert [r["series"] for r in out] == ["Ward 1, north"] * 2


@pytest.mark.parametrize("chart", ["run", "c"])
def test_other_charts_add_value_and_centre(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], chart: str
) -> None:
    text = "series,x,y\n" + "".join(f"a,{i},{v}\n" for i, v in enumerate([3, 5, 4, 6, 2, 5]))
    summ = tmp_path / "s.csv"
    assert main([write(tmp_path / "in.csv", text), "--chart", chart, "--summary", str(summ)]) == 0
    out = rows(capsys.readouterr().out)
    assert {"value", "centre"} <= set(out[0])
    assert [r["value"] for r in out] == ["3", "5", "4", "6", "2", "5"]
    s = rows(summ.read_text())
    assert {
        "longest_run",
        "longest_run_max",
        "n_crossings",
        "n_crossings_min",
        "runs_signal",
    } <= set(s[0])


def test_svg_per_series(tmp_path: Path) -> None:
    pytest.importorskip("sharedpurpose.spc.svg")
    text = "series,x,y\n" + "".join(f"{s},{i},{i % 3}\n" for s in ("a", "b/c") for i in range(5))
    d = tmp_path / "svgs"
    assert (
        main(
            [write(tmp_path / "in.csv", text), "--svg", str(d), "--output", str(tmp_path / "o.csv")]
        )
        == 0
    )
    files = sorted(p.name for p in d.iterdir())
    assert files == ["a.svg", "b_c.svg"]
    assert (d / "a.svg").read_text().lstrip().startswith("<svg")


def test_module_entry_point_does_not_import_django(tmp_path: Path) -> None:
    inp = write(tmp_path / "in.csv", GOOD)
    res = subprocess.run(
        [sys.executable, "-m", "sharedpurpose.spc", inp],
        env={"PYTHONPATH": SRC},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("series,x,y,mean")
    check = (
        f"import sys; from sharedpurpose.spc.cli import main; rc = main([{inp!r}]); "
        "assert 'django' not in sys.modules and 'pandas' not in sys.modules; sys.exit(rc)"
    )
    res = subprocess.run(
        [sys.executable, "-c", check],
        env={"PYTHONPATH": SRC},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr


def test_help_names_prog(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    assert "sharedpurpose spc" in capsys.readouterr().out
