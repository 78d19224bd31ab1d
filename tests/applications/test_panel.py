"""The panel: assessors' scores side by side, weighted totals, disagreements and the ranking,
on the page and as CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.applications.models import (
    Application,
    ApplicationState,
    AssessorAssignment,
    Criterion,
    Score,
)
from sharedpurpose.programmes.models import Round
from tests.factories import UserFactory

from .factories import ApplicationFactory, AssignmentFactory, CriterionFactory, OpenRoundFactory

pytestmark = pytest.mark.django_db

Conflict = AssessorAssignment.Conflict
SUBMITTED_AT = "2026-03-01T12:00Z"


def _staff() -> User:
    user = UserFactory.create()
    user_role_grant(user=user, role=SiteRole.PROGRAMME_STAFF)
    return user


def _scored(
    application: Application,
    criteria: list[Criterion],
    scores: list[int | None],
    *,
    name: str,
    submitted: bool = True,
) -> AssessorAssignment:
    assignment = AssignmentFactory.create(
        application=application,
        assessor__full_name=name,
        submitted_at=SUBMITTED_AT if submitted else None,
    )
    for criterion, score in zip(criteria, scores, strict=True):
        Score.objects.create(
            assignment=assignment, criterion=criterion, score=score, comment=f"{name} says so"
        )
    return assignment


def _panel_url(round_: Round) -> str:
    return reverse(
        "applications:panel",
        kwargs={"programme_slug": round_.programme.slug, "round_slug": round_.slug},
    )


def _round_with_scores() -> tuple[Round, dict[str, Application]]:
    """Criteria "Impact" (weight 2, 0-5) and "Partnership" (weight 1, 1-3), and:

    - ALPHA, decided: 5,3 -> 100% and 2,3 -> 60%; mean 80%, spread 40 points (disagree)
    - BRAVO: 4,3 -> 86.7%; a draft 1,_ from a second assessor is not counted
    - CHARLIE: 4,3 -> 86.7%, tied with BRAVO
    - DELTA: in assessment with nothing submitted
    """
    round_ = OpenRoundFactory.create()
    criteria = [
        CriterionFactory.create(round=round_, name="Impact", weight=2, scale_min=0, scale_max=5),
        CriterionFactory.create(
            round=round_, name="Partnership", weight=1, scale_min=1, scale_max=3
        ),
    ]

    def application(reference: str, state: ApplicationState) -> Application:
        return ApplicationFactory.create(
            round=round_, reference=reference, title=f"Project {reference}", state=state
        )

    apps = {
        "ALPHA": application("ALPHA", ApplicationState.DECIDED),
        "BRAVO": application("BRAVO", ApplicationState.IN_ASSESSMENT),
        "CHARLIE": application("CHARLIE", ApplicationState.IN_ASSESSMENT),
        "DELTA": application("DELTA", ApplicationState.IN_ASSESSMENT),
        "ECHO": application("ECHO", ApplicationState.SUBMITTED),
    }
    _scored(apps["ALPHA"], criteria, [5, 3], name="Ann Able")
    _scored(apps["ALPHA"], criteria, [2, 3], name="Ben Bright")
    AssignmentFactory.create(
        application=apps["ALPHA"],
        assessor__full_name="Colin Conflicted",
        conflict=Conflict.CONFLICTED,
    )
    _scored(apps["BRAVO"], criteria, [4, 3], name="Ann Able")
    _scored(apps["BRAVO"], criteria, [1, None], name="Dee Draft", submitted=False)
    _scored(apps["CHARLIE"], criteria, [4, 3], name="Ben Bright")
    AssignmentFactory.create(application=apps["DELTA"], assessor__full_name="Ed Early")
    return round_, apps


def test_the_panel_ranks_by_mean_weighted_total_and_flags_disagreement(client: Client) -> None:
    round_, apps = _round_with_scores()
    client.force_login(_staff())

    response = client.get(_panel_url(round_))

    assert response.status_code == 200
    content = response.content.decode()
    ranking = content[content.index("<caption") : content.index("</table>")]
    # Ranked best first; tied applications share a rank; the unscored come last
    positions = [ranking.index(f"Project {ref}") for ref in ("BRAVO", "CHARLIE", "ALPHA", "DELTA")]
    assert positions == sorted(positions)
    assert ranking.count("1 (tied)") == 2
    assert "86.7%" in ranking and "80.0%" in ranking
    assert "40.0 points" in ranking and "Assessors disagree" in ranking
    assert "Not yet scored" in ranking
    assert "ECHO" not in content  # submitted, not yet in assessment
    # Scores side by side, with each assessor's weighted total and the draft marked
    assert "Ann Able" in content and "Ben Bright" in content
    assert "100.0%" in content and "60.0%" in content
    assert "Dee Draft" in content and "(draft)" in content
    assert "Colin Conflicted" not in content
    # Impact: 5 and 2 are 3 apart on a 0-5 scale (at least half); Partnership agrees
    assert content.count("Scores differ") == 1
    assert "Ann Able says so" in content
    assert reverse("applications:decision", args=["ALPHA"]) in content


def test_the_ranking_downloads_as_csv(client: Client) -> None:
    round_, apps = _round_with_scores()
    client.force_login(_staff())

    response = client.get(_panel_url(round_), {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["Rank"], r["Reference"]) for r in rows] == [
        ("1", "BRAVO"),
        ("1", "CHARLIE"),
        ("3", "ALPHA"),
        ("Not yet scored", "DELTA"),
    ]
    alpha = rows[2]
    assert alpha["Mean weighted total (%)"] == "80.0"
    assert alpha["Spread (points)"] == "40.0"
    assert alpha["Assessors disagree"] == "Yes"
    assert (alpha["Submitted assessments"], alpha["Assessors"]) == ("2", "2")
    assert alpha["Lead organisation"] == f"Lead Trust {apps['ALPHA'].pk}"
    assert rows[0]["Submitted assessments"] == "1" and rows[0]["Assessors"] == "2"


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client: Client) -> None:
    round_ = OpenRoundFactory.create()
    ApplicationFactory.create(
        round=round_, state=ApplicationState.IN_ASSESSMENT, title='=HYPERLINK("http://x")'
    )
    client.force_login(_staff())

    response = client.get(_panel_url(round_), {"format": "csv"})

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["Title"] == '\'=HYPERLINK("http://x")'


def test_a_round_without_criteria_says_so(client: Client) -> None:
    round_ = OpenRoundFactory.create()
    client.force_login(_staff())

    content = client.get(_panel_url(round_)).content.decode()

    assert "The round has no criteria yet" in content
