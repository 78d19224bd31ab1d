"""The programme's evidence tables as CSV and JSON: published teams only, one row per row."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from sharedpurpose.evidence.selectors import EXPORT_FIELDS
from sharedpurpose.evidence.services.compute import evidence_compute_for_use
from sharedpurpose.programmes.models import Programme
from tests.factories import ProgrammeFactory, RoundFactory, TeamFactory

from .factories import BASELINE, FLAT, STEP_DOWN, InterventionFactory, site_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme() -> Programme:
    """One published team with an outcome and a balancing row; one unpublished team."""
    round_ = RoundFactory.create(
        programme=ProgrammeFactory.create(slug="closing-the-gap", name="Closing the Gap"),
        name="Shared Purpose",
    )
    intervention = InterventionFactory.create(name="=Sensor lighting")
    shown = TeamFactory.create(round=round_, name="Riverside")
    use = site_with(intervention, BASELINE + STEP_DOWN, team=shown, balancing=BASELINE + FLAT)
    use.site = "-Wards 7 to 10"
    use.save()
    evidence_compute_for_use(use)
    hidden = TeamFactory.create(round=round_, name="Hidden team", is_published=False)
    evidence_compute_for_use(site_with(intervention, BASELINE + STEP_DOWN, team=hidden))
    return round_.programme


def test_the_csv_has_the_documented_header_and_one_row_per_evidence_row(
    client: Client, programme: Programme
) -> None:
    response = client.get(reverse("evidence:programme_export", args=[programme.slug, "csv"]))

    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="closing-the-gap-evidence.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == list(EXPORT_FIELDS)
    assert len(rows) == 3  # header, balancing row, outcome row of the published team
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    outcome = next(r for r in records if r["kind"] == "outcome")
    assert outcome["programme"] == "Closing the Gap" and outcome["round"] == "Shared Purpose"
    assert outcome["team"] == "Riverside"
    # Text a spreadsheet would run as a formula is quoted; numbers stay numbers.
    assert outcome["site"] == "'-Wards 7 to 10" and outcome["intervention"] == "'=Sensor lighting"
    assert outcome["started_on"] == "2021-09-01"
    assert (outcome["verdict"], outcome["sustained"]) == ("improvement", "true")
    assert (outcome["baseline_points"], outcome["followup_points"]) == ("20", "10")
    assert float(outcome["change"]) == pytest.approx(-9.75)
    assert float(outcome["change_low"]) < -9.75 < float(outcome["change_high"])
    assert outcome["periods_to_signal"] == "0" and outcome["first_signal_on"] == "2021-09-01"
    assert outcome["baseline_unstable"] == "false" and outcome["reasons"] == ""
    assert "Hidden team" not in response.content.decode()


def test_the_json_parses_with_the_programme_rules_and_rows(
    client: Client, programme: Programme
) -> None:
    response = client.get(reverse("evidence:programme_export", args=[programme.slug, "json"]))

    assert response["Content-Disposition"].startswith("attachment;")
    document = json.loads(response.content)
    assert document["programme"] == "Closing the Gap"
    assert document["generated_at"]
    assert document["rules"].endswith(reverse("evidence:rules"))
    assert len(document["rows"]) == 2
    outcome = next(r for r in document["rows"] if r["kind"] == "outcome")
    assert list(outcome) == list(EXPORT_FIELDS)
    assert outcome["sustained"] is True and outcome["change"] == pytest.approx(-9.75)
    assert outcome["reasons"] == [] and outcome["site"] == "-Wards 7 to 10"
    assert {r["team"] for r in document["rows"]} == {"Riverside"}


def test_a_too_short_baseline_reason_is_exported(client: Client) -> None:
    team = TeamFactory.create()
    use = site_with(
        InterventionFactory.create(), BASELINE[:8] + STEP_DOWN, team=team, started_index=8
    )
    evidence_compute_for_use(use)

    url = reverse("evidence:programme_export", args=[team.round.programme.slug, "json"])
    [row] = json.loads(client.get(url).content)["rows"]

    assert row["verdict"] == "not_judged"
    assert row["reasons"] == ["Baseline too short to judge: 8 points before the start, 12 needed."]


def test_other_formats_and_unpublished_programmes_are_404(client: Client) -> None:
    hidden = ProgrammeFactory.create(is_published=False)
    shown = ProgrammeFactory.create()

    assert client.get(f"/programmes/{shown.slug}/evidence.xlsx").status_code == 404
    url = reverse("evidence:programme_export", args=[hidden.slug, "csv"])
    assert client.get(url).status_code == 404
