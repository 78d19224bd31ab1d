"""Evidence rows: published teams' rows for everyone, as in the CSV export, plus the rows of
teams the caller may open."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import F
from django.test import Client

from sharedpurpose.accounts.models import User
from sharedpurpose.evidence.models import EvidenceRow, InterventionUse
from sharedpurpose.evidence.selectors import EXPORT_FIELDS, export_record
from sharedpurpose.evidence.services.compute import evidence_compute_for_use
from sharedpurpose.improvement.models import Measure, Team
from tests.evidence.factories import BASELINE, FLAT, STEP_DOWN, InterventionFactory, site_with
from tests.factories import MembershipFactory, ProgrammeFactory, RoundFactory, TeamFactory

from .conftest import TokenFor, bearer
from .helpers_read import ok, problem, queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def shown() -> InterventionUse:
    """A published team using sensor lighting: an outcome and a balancing row."""
    round_ = RoundFactory.create(
        programme=ProgrammeFactory.create(slug="closing-the-gap", name="Closing the Gap")
    )
    team = TeamFactory.create(round=round_, slug="riverside", name="Riverside")
    use = site_with(
        InterventionFactory.create(slug="sensor-lighting", name="Sensor lighting"),
        BASELINE + STEP_DOWN,
        team=team,
        balancing=BASELINE + FLAT,
    )
    evidence_compute_for_use(use)
    return use


@pytest.fixture
def hidden(shown: InterventionUse) -> InterventionUse:
    """An unpublished team of the same round using another intervention."""
    team = TeamFactory.create(
        round=shown.change_idea.goal.team.round, slug="hidden", name="Hidden", is_published=False
    )
    use = site_with(
        InterventionFactory.create(slug="huddles", name="Huddles"), BASELINE + STEP_DOWN, team=team
    )
    evidence_compute_for_use(use)
    return use


def _teams(page: dict[str, Any]) -> list[str]:
    return [row["team_slug"] for row in page["items"]]


def test_the_public_reads_published_teams_rows_as_the_export_has_them(
    client: Client, shown: InterventionUse, hidden: InterventionUse
) -> None:
    page = ok(client.get("/api/v1/evidence"))

    assert page["count"] == 2 and _teams(page) == ["riverside", "riverside"]
    rows = EvidenceRow.objects.filter(use=shown).order_by("measure_kind")
    assert [row["kind"] for row in page["items"]] == ["balancing", "outcome"]
    for item, row in zip(page["items"], rows, strict=True):
        record = export_record(row)
        assert {field: item[field] for field in EXPORT_FIELDS} == {
            **record,
            "computed_at": item["computed_at"],  # the same instant, written with a Z
        }
        assert item["programme_slug"] == "closing-the-gap"
        assert item["intervention_slug"] == "sensor-lighting"
        assert item["measure_id"] == row.measure_id
        assert item["stale"] is False
        assert item["measure_url"] is None  # the public cannot open the chart
    outcome = page["items"][1]
    assert (outcome["verdict"], outcome["sustained"]) == ("improvement", True)


def test_members_also_read_their_unpublished_teams_rows_with_links(
    client: Client, hidden: InterventionUse
) -> None:
    team: Team = hidden.change_idea.goal.team
    member = MembershipFactory.create(team=team).user
    client.force_login(member)

    page = ok(client.get("/api/v1/evidence"))

    assert sorted(_teams(page)) == ["hidden", "riverside", "riverside"]
    mine = next(row for row in page["items"] if row["team_slug"] == "hidden")
    assert mine["measure_url"] == (f"http://testserver/teams/hidden/measures/{mine['measure_id']}/")


def test_staff_read_every_row_but_a_token_limited_to_another_team_only_published_ones(
    client: Client, staff: User, token_for: TokenFor, hidden: InterventionUse, team_a: Team
) -> None:
    client.force_login(staff)
    assert ok(client.get("/api/v1/evidence"))["count"] == 3
    client.logout()

    limited = bearer(token_for(staff, scope="read", teams=[team_a]))

    assert _teams(ok(client.get("/api/v1/evidence", headers=limited))) == ["riverside"] * 2


def test_filters_narrow_by_programme_intervention_and_team(
    client: Client, staff: User, hidden: InterventionUse
) -> None:
    RoundFactory.create(programme=ProgrammeFactory.create(slug="elsewhere"))
    client.force_login(staff)

    def count(query: str) -> int:
        return int(ok(client.get(f"/api/v1/evidence?{query}"))["count"])

    assert count("programme=closing-the-gap") == 3
    assert count("programme=elsewhere") == 0
    assert count("intervention=huddles") == 1
    assert count("team=riverside") == 2
    assert count("team=riverside&intervention=huddles") == 0


def test_a_filter_naming_an_unpublished_team_shows_the_public_nothing(
    client: Client, hidden: InterventionUse
) -> None:
    assert ok(client.get("/api/v1/evidence?team=hidden"))["count"] == 0


def test_evidence_is_paginated(client: Client, shown: InterventionUse) -> None:
    first = ok(client.get("/api/v1/evidence?limit=1"))
    second = ok(client.get(first["next"]))

    assert first["count"] == second["count"] == 2
    assert [first["items"][0]["kind"], second["items"][0]["kind"]] == ["balancing", "outcome"]
    assert second["next"] is None
    problem(client.get("/api/v1/evidence?limit=501"), 422)


def test_a_row_whose_measure_changed_says_it_is_stale(
    client: Client, shown: InterventionUse
) -> None:
    # As if the data changed and the background recomputation has not run yet.
    Measure.objects.filter(evidence_rows__use=shown).update(data_version=F("data_version") + 1)

    page = ok(client.get("/api/v1/evidence"))

    assert all(row["stale"] for row in page["items"])


def test_the_list_costs_the_same_queries_however_long_it_is(
    client: Client, shown: InterventionUse
) -> None:
    few = queries_for(client, "/api/v1/evidence")
    for _ in range(3):
        site_with(shown.intervention, BASELINE + STEP_DOWN)
    for use in InterventionUse.objects.exclude(pk=shown.pk):
        evidence_compute_for_use(use)

    assert ok(client.get("/api/v1/evidence"))["count"] == 5
    assert queries_for(client, "/api/v1/evidence") == few
