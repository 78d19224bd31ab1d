"""A measure's SPC results: the same numbers, icons and words as its web page, with an ETag
so a pipeline re-reads only what changed."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sharedpurpose.accounts.models import User
from sharedpurpose.improvement.models import ChartType, Measure, Team
from sharedpurpose.improvement.services.data import PointEntry, points_save
from sharedpurpose.improvement.services.rebases import rebase_add
from sharedpurpose.spc.svg import _number as web_number
from tests.improvement.factories_charts import measure_with_points, months

from .conftest import TokenFor, bearer
from .helpers_read import fields, ok, problem

pytestmark = pytest.mark.django_db


class _DataTable(HTMLParser):
    """The rows of the web page's "chart data" table, as the cells' text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._inside = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and "sp-data-table" in (dict(attrs).get("class") or ""):
            self._inside = True
        elif self._inside and tag == "tr":
            self.rows.append([])
        elif self._inside and tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._inside = False
        elif self._inside and tag in {"td", "th"} and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _web_page(client: Client, user: User, measure: Measure) -> str:
    client.force_login(user)
    response = client.get(f"/teams/{measure.team.slug}/measures/{measure.pk}/")
    assert response.status_code == 200
    client.logout()
    return response.content.decode()


def _web_table(page: str) -> list[list[str]]:
    parser = _DataTable()
    parser.feed(page)
    return parser.rows


def _spc(client: Client, measure: Measure, headers: dict[str, str], query: str = "") -> Any:
    return client.get(f"/api/v1/measures/{measure.pk}/spc{query}", headers=headers)


def _as_web_shows(point: dict[str, Any], percent: bool = False) -> list[str]:
    """An API point's numbers formatted as the web's data table formats them."""

    def shown(value: float | None, as_percent: bool = percent) -> str:
        return web_number(float("nan") if value is None else value, as_percent)

    return [
        shown(point["plotted_value"]),
        *([shown(point["denominator"], False)] if point["denominator"] is not None else []),
        shown(point["centre"]),
        shown(point["lower_process_limit"]),
        shown(point["upper_process_limit"]),
    ]


@pytest.fixture
def headers(member_a: User, token_for: TokenFor, team_a: Team) -> dict[str, str]:
    return bearer(token_for(member_a, scope="read", teams=[team_a]))


def test_the_numbers_icons_and_words_are_those_of_the_web_page(
    client: Client, member_a: User, team_a: Team, headers: dict[str, str]
) -> None:
    # Twelve steady months then a fall far below the lower limit; lower is better.
    measure = measure_with_points(team_a, improvement_direction="decrease", target=8.0)
    page = _web_page(client, member_a, measure)

    result = ok(_spc(client, measure, headers))

    table = _web_table(page)
    assert table[0] == [
        "Date",
        "Value",
        "Mean",
        "Lower process limit",
        "Upper process limit",
        "Variation",
    ]
    assert len(result["points"]) == len(table) - 1 == 12
    for point, row in zip(result["points"], table[1:], strict=True):
        assert row[1:-1] == _as_web_shows(point)
        assert row[-1].startswith(point["variation"])
    last = result["points"][-1]
    assert (last["point_type"], last["special_cause_rule"]) == (
        "special_cause_improvement",
        "astronomical",
    )
    assert last["variation"] == "Special cause: improvement"
    assert result["points"][0]["point_type"] == "common_cause"
    assert result["points"][0]["special_cause_rule"] is None

    text = html.unescape(page)
    assert f"<p>{result['reading']}</p>" in text
    assert result["variation_icon"]["key"] == "improvement_low"
    assert f"<li>{result['variation_icon']['text']}.</li>" in text
    assert result["assurance_icon"]["key"] in {"consistent_pass", "inconsistent"}
    assert f"<li>{result['assurance_icon']['text']}.</li>" in text
    assert result["chart_type"] == "xmr" and result["improvement_direction"] == "decrease"
    assert result["target"] == 8.0 and result["message"] == ""
    assert result["data_version"] == Measure.objects.get(pk=measure.pk).data_version
    assert result["web_url"] == f"http://testserver/teams/team-a/measures/{measure.pk}/"


def test_a_shift_and_a_rebase_match_the_web_page(
    client: Client, member_a: User, measure_a: Measure, headers: dict[str, str]
) -> None:
    rebase_add(actor=member_a, measure=measure_a, period=date(2024, 1, 1), reason="New wards")
    page = _web_page(client, member_a, measure_a)

    result = ok(_spc(client, measure_a, headers))

    for point, row in zip(result["points"], _web_table(page)[1:], strict=True):
        assert row[1:-1] == _as_web_shows(point)
        assert row[-1].startswith(point["variation"])
    assert result["rebases"] == [{"period": "2024-01-01", "reason": "New wards"}]
    before, after = result["points"][11], result["points"][12]
    assert before["upper_process_limit"] != after["upper_process_limit"]
    assert result["assurance_icon"] is None  # no target, as on the web


def test_a_p_chart_plots_proportions_as_the_web_does(
    client: Client, member_a: User, team_a: Team, headers: dict[str, str]
) -> None:
    measure = measure_with_points(
        team_a,
        [12.0, 10, 14, 11, 13, 12, 30],
        denominators=[100.0, 90, 110, 95, 105, 100, 100],
        chart_type=ChartType.P,
    )
    page = _web_page(client, member_a, measure)

    result = ok(_spc(client, measure, headers))

    assert result["points"][0]["value"] == 12.0
    assert result["points"][0]["denominator"] == 100.0
    assert result["points"][0]["plotted_value"] == pytest.approx(0.12)
    for point, row in zip(result["points"], _web_table(page)[1:], strict=True):
        assert row[1:-1] == _as_web_shows(point, percent=True)


def test_from_and_to_narrow_the_points_but_not_the_calculation(
    client: Client, measure_a: Measure, headers: dict[str, str]
) -> None:
    whole = ok(_spc(client, measure_a, headers))

    narrowed = ok(_spc(client, measure_a, headers, "?from=2023-06-01&to=2023-08-31"))

    assert [p["period"] for p in narrowed["points"]] == ["2023-06-01", "2023-07-01", "2023-08-01"]
    assert narrowed["points"] == whole["points"][5:8]
    assert narrowed["reading"] == whole["reading"]


@pytest.mark.parametrize(("query", "field"), [("?from=June", "from"), ("?to=2024-13-01", "to")])
def test_a_bad_date_is_refused_by_name(
    client: Client, measure_a: Measure, headers: dict[str, str], query: str, field: str
) -> None:
    body = problem(_spc(client, measure_a, headers, query), 422)

    assert fields(body) == {field: f"query:{field}"}


def test_a_range_that_ends_before_it_starts_has_no_points(
    client: Client, measure_a: Measure, headers: dict[str, str]
) -> None:
    result = ok(_spc(client, measure_a, headers, "?from=2024-02-01&to=2024-01-01"))

    assert result["points"] == [] and result["variation_icon"] is not None


def test_a_measure_without_values_has_no_chart_and_says_why(
    client: Client, member_b: User, measure_b: Measure, token_for: TokenFor
) -> None:
    result = ok(_spc(client, measure_b, bearer(token_for(member_b, scope="read"))))

    assert result["points"] == [] and result["message"] == "No values have been recorded yet."
    assert result["variation_icon"] is None and result["assurance_icon"] is None


# --------------------------------------------------------------------------
# ETag / If-None-Match
# --------------------------------------------------------------------------


def test_a_current_etag_gets_304_without_a_body(
    client: Client, measure_a: Measure, headers: dict[str, str]
) -> None:
    first = _spc(client, measure_a, headers)
    etag = first["ETag"]

    again = _spc(client, measure_a, {**headers, "If-None-Match": etag})

    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert first["Cache-Control"] == again["Cache-Control"] == "private, no-cache"
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    for listed in (f'"other", {etag}', f"W/{etag}", "*"):
        assert _spc(client, measure_a, {**headers, "If-None-Match": listed}).status_code == 304


def test_the_etag_changes_with_the_data_and_the_range(
    client: Client, member_a: User, measure_a: Measure, headers: dict[str, str]
) -> None:
    etag = _spc(client, measure_a, headers)["ETag"]
    narrowed = _spc(client, measure_a, headers, "?from=2023-06-01")["ETag"]
    points_save(
        actor=member_a, measure=measure_a, rows=[PointEntry(period=months(1)[0], value="99")]
    )

    changed = _spc(client, measure_a, {**headers, "If-None-Match": etag})

    assert narrowed != etag
    assert changed.status_code == 200 and changed["ETag"] != etag
    updated = next(p for p in changed.json()["points"] if p["period"] == "2024-01-01")
    assert updated["value"] == 99.0


def test_an_etag_does_not_get_past_the_permission_check(
    client: Client, member_b: User, measure_a: Measure, headers: dict[str, str], token_for: TokenFor
) -> None:
    etag = _spc(client, measure_a, headers)["ETag"]

    other = bearer(token_for(member_b, scope="read"))

    problem(_spc(client, measure_a, {**other, "If-None-Match": etag}), 404)


# --------------------------------------------------------------------------
# Who may read
# --------------------------------------------------------------------------


def test_team_b_tokens_and_members_do_not_find_team_as_chart(
    client: Client,
    staff: User,
    member_b: User,
    team_b: Team,
    measure_a: Measure,
    token_for: TokenFor,
) -> None:
    problem(_spc(client, measure_a, bearer(token_for(member_b))), 404)
    limited = bearer(token_for(staff, scope="read", teams=[measure_a.team]))
    assert ok(_spc(client, measure_a, limited))["measure"] == measure_a.pk
    other_team = bearer(token_for(staff, scope="read", teams=[team_b]))
    problem(_spc(client, measure_a, other_team), 404)


def test_the_public_and_dead_tokens_are_refused(
    client: Client, member_a: User, measure_a: Measure, token_for: TokenFor
) -> None:
    expired = token_for(member_a, expires_at=timezone.now() - timedelta(minutes=1))
    revoked = token_for(member_a, revoked=True)

    problem(_spc(client, measure_a, {}), 401)
    problem(_spc(client, measure_a, bearer(expired)), 401)
    problem(_spc(client, measure_a, bearer(revoked)), 401)


def test_the_browser_session_reads_the_chart_too(
    client: Client, member_a: User, measure_a: Measure
) -> None:
    client.force_login(member_a)

    assert ok(_spc(client, measure_a, {}))["measure"] == measure_a.pk
