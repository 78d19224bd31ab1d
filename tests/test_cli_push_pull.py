"""``sharedpurpose push`` and ``pull`` against a live server with real tokens: a pipeline
sends a measure's history in chunks and reads back the numbers the API (and the web) show."""

from __future__ import annotations

import csv
import io
import json
import socket
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from sharedpurpose import api_client
from sharedpurpose.accounts.models import User
from sharedpurpose.api.models import ApiToken
from sharedpurpose.api_client import ApiError, api_base, points_read
from sharedpurpose.cli import main
from sharedpurpose.improvement.models import Measure, Team
from tests.api import conftest as api_fixtures
from tests.api.conftest import MEASURE_A_VALUES, TokenFor, bearer
from tests.factories import MeasureFactory

# The API tests' people, teams, measures and tokens.
team_a = api_fixtures.team_a
team_b = api_fixtures.team_b
member_a = api_fixtures.member_a
measure_a = api_fixtures.measure_a
measure_b = api_fixtures.measure_b
token_for = api_fixtures.token_for

HEADER = "period,value\n"


def history(values: list[float], start_year: int = 2022) -> str:
    rows = [
        f"{date(start_year + i // 12, i % 12 + 1, 1).isoformat()},{v}" for i, v in enumerate(values)
    ]
    return HEADER + "\n".join(rows) + "\n"


def write(tmp_path: Path, text: str, name: str = "points.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def empty_a(team_a: Team) -> Measure:
    measure: Measure = MeasureFactory.create(team=team_a, name="Discharges before noon")
    return measure


@pytest.fixture
def site(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """The live server's address, as ``SHAREDPURPOSE_URL``."""
    monkeypatch.setenv("SHAREDPURPOSE_URL", live_server.url)
    return str(live_server.url)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# push --------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_push_sends_a_history_and_again_changes_nothing(
    site: str,
    member_a: User,
    empty_a: Measure,
    token_for: TokenFor,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHAREDPURPOSE_TOKEN", token_for(member_a))
    path = write(tmp_path, history([float(v) for v in range(1, 20)]))

    first = run(["push", "--measure", str(empty_a.pk), path], capsys)
    second = run(["push", "--measure", str(empty_a.pk), path], capsys)

    assert first[0] == 0, first[2]
    assert first[1] == "created 19, updated 0, unchanged 0\n"
    assert "chunk 1/1 (lines 2–20): 19 created" in first[2]
    assert second[1] == "created 0, updated 0, unchanged 19\n"
    assert empty_a.points.count() == 19


@pytest.mark.django_db(transaction=True)
def test_push_sends_chunks_and_says_which_were_stored_when_one_fails(
    site: str,
    member_a: User,
    empty_a: Measure,
    token_for: TokenFor,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(api_client, "CHUNK_POINTS", 5)
    text = history([float(v) for v in range(1, 13)]).replace("2022-08-01", "2022-08-15")
    path = write(tmp_path, text)

    code, out, err = run(
        ["push", "--measure", str(empty_a.pk), path, "--token", token_for(member_a)], capsys
    )

    assert code == 1
    assert out == ""
    assert "chunk 1/3 (lines 2–6): 5 created" in err
    assert (
        "error: chunk 2/3 (lines 7–11): 1 field is not valid. (chunks 1–1 (lines 2–6) were "
        "stored; this chunk and the rest were not)"
    ) in err
    assert "line 9, column period: 2022-08-15 is not the first day of a month" in err
    assert "Traceback" not in err
    assert empty_a.points.count() == 5


@pytest.mark.django_db(transaction=True)
def test_push_checks_the_whole_file_first_and_names_lines_and_columns(
    site: str,
    member_a: User,
    empty_a: Measure,
    token_for: TokenFor,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = (
        "period,value,denominator\n"
        "2022-01-01,4,\n"
        "01/02/2022,5,\n"
        "2022-03-01,five,\n"
        "2022-04-01,6,nan\n"
        "2022-01-01,7,\n"
    )
    path = write(tmp_path, text)

    code, out, err = run(
        ["push", "--measure", str(empty_a.pk), path, "--token", token_for(member_a)], capsys
    )

    assert code == 1
    assert err.splitlines() == [
        f"error: {path} has 4 problems; nothing was sent",
        "  line 3, column period: '01/02/2022' is not a date (use 2024-04-01)",
        "  line 4, column value: 'five' is not a number",
        "  line 5, column denominator: 'nan' is not a number",
        "  line 6, column period: 2022-01-01 appears more than once (first on line 2)",
    ]
    assert not empty_a.points.exists()


@pytest.mark.django_db(transaction=True)
def test_push_with_a_read_only_token_shows_the_servers_refusal(
    site: str,
    member_a: User,
    empty_a: Measure,
    token_for: TokenFor,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = token_for(member_a, scope=ApiToken.Scope.READ)
    path = write(tmp_path, history([1.0, 2.0]))

    code, _, err = run(["push", "--measure", str(empty_a.pk), path, "--token", text], capsys)

    assert code == 1
    assert err.strip() == (
        "error: chunk 1/1 (lines 2–3): This API token is read only. (nothing was stored)"
    )


@pytest.mark.django_db(transaction=True)
def test_push_with_a_revoked_token_is_refused(
    site: str,
    member_a: User,
    empty_a: Measure,
    token_for: TokenFor,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write(tmp_path, history([1.0]))
    text = token_for(member_a, revoked=True)

    code, _, err = run(["push", "--measure", str(empty_a.pk), path, "--token", text], capsys)

    assert code == 1
    assert "The API token has been revoked." in err


def test_push_without_a_token_says_how_to_give_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHAREDPURPOSE_TOKEN", raising=False)
    path = write(tmp_path, history([1.0]))

    code, _, err = run(["push", "--measure", "1", path, "--url", "http://127.0.0.1:1"], capsys)

    assert code == 1
    assert err == "error: no API token: set SHAREDPURPOSE_TOKEN or pass --token\n"


def test_a_server_that_cannot_be_reached_is_an_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the request: nothing listens
    path = write(tmp_path, history([1.0]))

    code, _, err = run(
        ["push", "--measure", "1", path, "--url", f"http://127.0.0.1:{port}", "--token", "sp_x_y"],
        capsys,
    )

    assert code == 1
    assert err.startswith(
        f"error: chunk 1/1 (lines 2–2): cannot reach http://127.0.0.1:{port}/api/v1/"
    )
    assert "Traceback" not in err


def test_a_missing_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        ["push", "--measure", "1", str(tmp_path / "nope.csv"), "--url", "http://x", "--token", "t"],
        capsys,
    )

    assert code == 1
    assert err.startswith(f"error: cannot read {tmp_path / 'nope.csv'}")


# pull --------------------------------------------------------------------------------------


def api_spc(member: User, measure: Measure, token_for: TokenFor, query: str = "") -> Any:
    response = Client().get(
        f"/api/v1/measures/{measure.pk}/spc{query}", headers=bearer(token_for(member))
    )
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db(transaction=True)
def test_pull_prints_the_apis_spc_numbers_as_csv(
    site: str,
    member_a: User,
    measure_a: Measure,
    token_for: TokenFor,
    capsys: pytest.CaptureFixture[str],
) -> None:
    expected = api_spc(member_a, measure_a, token_for)

    code, out, err = run(
        ["pull", "--measure", str(measure_a.pk), "--token", token_for(member_a)], capsys
    )

    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["period", "value", "denominator", "centre", "lpl", "upl", "point_type"]
    assert len(rows) == len(MEASURE_A_VALUES) == len(expected["points"])

    def number(text: str) -> float | None:
        return float(text) if text else None

    for row, point in zip(rows, expected["points"], strict=True):
        assert row["period"] == point["period"]
        assert number(row["value"]) == point["value"]
        assert number(row["denominator"]) == point["denominator"]
        assert number(row["centre"]) == point["centre"]
        assert number(row["lpl"]) == point["lower_process_limit"]
        assert number(row["upl"]) == point["upper_process_limit"]
        assert (row["point_type"] or None) == point["point_type"]
    assert any(row["point_type"].startswith("special_cause") for row in rows)


@pytest.mark.django_db(transaction=True)
def test_pull_as_json_between_dates_is_the_apis_answer(
    site: str,
    member_a: User,
    measure_a: Measure,
    token_for: TokenFor,
    capsys: pytest.CaptureFixture[str],
) -> None:
    expected = api_spc(member_a, measure_a, token_for, "?from=2024-01-01&to=2024-03-01")

    code, out, _ = run(
        [
            "pull",
            "--measure",
            str(measure_a.pk),
            "--from",
            "2024-01-01",
            "--to",
            "2024-03-01",
            "--format",
            "json",
            "--token",
            token_for(member_a),
        ],
        capsys,
    )

    assert code == 0
    pulled = json.loads(out)
    # The same answer, but for the host name the live server and the test client each use.
    assert pulled.pop("web_url").endswith(expected.pop("web_url").removeprefix("http://testserver"))
    assert pulled == expected
    assert [p["period"] for p in expected["points"]] == ["2024-01-01", "2024-02-01", "2024-03-01"]


@pytest.mark.django_db(transaction=True)
def test_pushed_points_are_pulled_back_with_the_webs_numbers(
    site: str,
    member_a: User,
    empty_a: Measure,
    token_for: TokenFor,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sharedpurpose.improvement.charts import measure_chart

    monkeypatch.setenv("SHAREDPURPOSE_TOKEN", token_for(member_a))
    path = write(tmp_path, history([float(v) for v in MEASURE_A_VALUES]))
    assert run(["push", "--measure", str(empty_a.pk), path], capsys)[0] == 0

    code, out, _ = run(["pull", "--measure", str(empty_a.pk)], capsys)

    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    web = measure_chart(Measure.objects.get(pk=empty_a.pk)).points
    assert [(r["period"], r["point_type"]) for r in rows] == [
        (p["period"], p["point_type"]) for p in web
    ]


@pytest.mark.django_db(transaction=True)
def test_pull_of_a_measure_you_cannot_open_is_an_error(
    site: str,
    member_a: User,
    measure_b: Measure,
    token_for: TokenFor,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(
        ["pull", "--measure", str(measure_b.pk), "--token", token_for(member_a)], capsys
    )

    assert code == 1
    assert out == ""
    assert err.startswith("error: ")


def test_pull_refuses_a_date_that_is_not_one(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["pull", "--measure", "1", "--from", "April"])

    assert exit_info.value.code == 2
    assert "'April' is not a date" in capsys.readouterr().err


# Reading files and addresses (no server) ---------------------------------------------------


def test_columns_may_come_in_any_order_with_a_bom_and_blank_rows() -> None:
    text = "\ufeffDenominator, Value ,period\n10,3,2024-01-01\n\n,,\n20,,2024-02-01\n"

    read = points_read(io.StringIO(text))

    assert [(p.line, p.period, p.value, p.denominator) for p in read.points] == [
        (2, date(2024, 1, 1), 3.0, 10.0)
    ]
    assert read.skipped == 1  # a row with an empty value adds nothing


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "the file is empty"),
        ("date,value\n", "line 1: column 'date' is not one of period, value, denominator"),
        ("period\n", "line 1: there is no 'value' column"),
        ("period,value,value\n", "line 1: column 'value' appears twice"),
    ],
)
def test_a_file_without_the_right_header_is_refused(text: str, problem: str) -> None:
    with pytest.raises(ApiError) as raised:
        points_read(io.StringIO(text))

    assert problem in "\n".join(raised.value.lines()) or problem in raised.value.detail


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("https://sp.example", "https://sp.example/api/v1/"),
        ("https://sp.example/", "https://sp.example/api/v1/"),
        ("https://sp.example/api/v1", "https://sp.example/api/v1/"),
        ("http://127.0.0.1:8000/api/v1/", "http://127.0.0.1:8000/api/v1/"),
    ],
)
def test_the_api_address_comes_from_the_sites(url: str, base: str) -> None:
    assert api_base(url) == base


def test_only_web_addresses_are_accepted() -> None:
    with pytest.raises(ApiError, match="not a web address"):
        api_base("file:///etc/passwd")


def test_push_reads_standard_input_and_names_it_in_errors(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("period,value\n2024-01-01,\n2024-13-01,4\n"))

    code, _, err = run(["push", "--measure", "1", "-", "--url", "http://x", "--token", "t"], capsys)

    assert code == 1
    assert err.splitlines() == [
        "error: standard input has 1 problem; nothing was sent",
        "  line 3, column period: '2024-13-01' is not a date (use 2024-04-01)",
    ]
