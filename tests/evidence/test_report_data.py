"""What the board report shows, assembled from constructed data with known answers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sharedpurpose.evidence.models import InterventionUse
from sharedpurpose.evidence.report_data import (
    ASSURANCE_COLUMNS,
    VARIATION_ROWS,
    ReportData,
    evidence_rules_version,
    format_change,
    report_data_build,
    variation_family,
)
from sharedpurpose.evidence.rollups import INSUFFICIENT, NONE_SEEN, SUSTAINED
from sharedpurpose.evidence.services.compute import evidence_compute_for_use
from sharedpurpose.improvement.models import DriverNode, Measure, PdsaCycle
from sharedpurpose.programmes.models import Round
from sharedpurpose.spc.evidence import GOOD_BASELINE_POINTS, MIN_BASELINE_POINTS, SUSTAIN_POINTS
from tests.factories import MeasureFactory, RoundFactory, TeamFactory
from tests.improvement.factories_charts import PdsaCycleFactory
from tests.improvement.factories_members import GoalFactory

from .factories import (
    BASELINE,
    FLAT,
    STEP_DOWN,
    InterventionFactory,
    change_idea,
    month,
    series_store,
    site_with,
)

pytestmark = pytest.mark.django_db

GENERATED_AT = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)


def _build(round_: Round) -> ReportData:
    for use in InterventionUse.objects.filter(change_idea__goal__team__round=round_):
        evidence_compute_for_use(use)
    return report_data_build(round_=round_, generated_at=GENERATED_AT)


def test_the_matrix_places_each_measure_by_its_variation_and_assurance_icons() -> None:
    # Given a goal whose outcome fell well below its baseline (lower is better) with a
    # target the whole process beats, a steady measure without a target, and an empty one
    goal = GoalFactory.create(title="Fewer falls")
    improving = MeasureFactory.create(
        team=goal.team,
        goal=goal,
        name="Falls per 1,000 bed days",
        kind="outcome",
        improvement_direction="decrease",
        target=60.0,
    )
    series_store(improving, BASELINE + STEP_DOWN)
    steady = MeasureFactory.create(team=goal.team, goal=goal, name="Bank fill rate", kind="process")
    series_store(steady, BASELINE + FLAT)
    MeasureFactory.create(team=goal.team, goal=goal, name="Not measured yet", kind="balancing")

    # When the report is assembled
    data = _build(goal.team.round)

    # Then each measure sits in its one cell, and the empty one is named as having no chart
    matrix = data.teams[0].goals[0].matrix
    assert matrix.cell("improvement", "consistent_pass") == ("Falls per 1,000 bed days",)
    assert matrix.cell("common_cause", "") == ("Bank fill rate",)
    assert matrix.without_chart == ("Not measured yet",)
    filled = [name for row in matrix.rows for cell in row.cells for name in cell]
    assert sorted(filled) == ["Bank fill rate", "Falls per 1,000 bed days"]
    assert [row.key for row in matrix.rows] == [key for key, _ in VARIATION_ROWS]
    assert matrix.columns == ASSURANCE_COLUMNS


def test_key_charts_are_the_outcome_measures_with_their_reading() -> None:
    goal = GoalFactory.create()
    outcome = MeasureFactory.create(
        team=goal.team, goal=goal, name="Falls", kind="outcome", improvement_direction="decrease"
    )
    series_store(outcome, BASELINE + STEP_DOWN)
    process = MeasureFactory.create(team=goal.team, goal=goal, name="Huddles", kind="process")
    series_store(process, BASELINE)

    charts = _build(goal.team.round).teams[0].goals[0].key_charts

    assert [chart.measure_name for chart in charts] == ["Falls"]
    assert charts[0].svg.startswith("<svg")
    assert "special cause improvement" in charts[0].reading


def test_a_measure_tied_to_a_change_idea_counts_for_that_goal() -> None:
    goal = GoalFactory.create()
    idea = change_idea(goal)
    measure = MeasureFactory.create(team=goal.team, driver_node=idea, name="Huddles held")
    series_store(measure, BASELINE)

    matrix = _build(goal.team.round).teams[0].goals[0].matrix

    assert matrix.cell("common_cause", "") == ("Huddles held",)


def test_pdsa_summary_counts_cycles_and_act_decisions_per_change_idea() -> None:
    goal = GoalFactory.create()
    idea = change_idea(goal)
    idea.text = "Safety huddle at shift change"
    idea.save()
    decisions = [
        ("First huddle", date(2024, 1, 1), PdsaCycle.Decision.ADAPT),
        ("Huddle at night", date(2024, 3, 1), PdsaCycle.Decision.ADOPT),
        ("Huddle on two wards", date(2024, 5, 1), PdsaCycle.Decision.ADOPT),
        ("Huddle by phone", date(2024, 2, 1), PdsaCycle.Decision.ABANDON),
    ]
    for title, starts_on, decision in decisions:
        PdsaCycleFactory.create(
            change_idea=idea, title=title, starts_on=starts_on, act_decision=decision
        )
    PdsaCycleFactory.create(change_idea=idea, title="Undecided", starts_on=date(2024, 4, 1))
    quiet = change_idea(goal, started_index=None)

    pdsa = _build(goal.team.round).teams[0].goals[0].pdsa

    by_idea = {summary.change_idea: summary for summary in pdsa}
    summary = by_idea["Safety huddle at shift change"]
    assert (summary.cycles, summary.adopt, summary.adapt, summary.abandon) == (5, 2, 1, 1)
    assert summary.latest_cycle == "Huddle on two wards"
    assert summary.started_on == month(len(BASELINE))
    assert (by_idea[quiet.text].cycles, by_idea[quiet.text].latest_cycle) == (0, "")


def test_the_evidence_section_rolls_up_each_intervention_over_the_rounds_sites() -> None:
    round_ = RoundFactory.create()
    huddles = InterventionFactory.create(name="Safety huddles", summary="A daily huddle.")
    for name in ("Alpha", "Beta"):
        site_with(huddles, BASELINE + STEP_DOWN, team=TeamFactory.create(round=round_, name=name))
    site_with(huddles, BASELINE + STEP_DOWN)  # another round: not in this report
    unused = InterventionFactory.create(name="Never used here")
    site_with(unused, BASELINE + STEP_DOWN)

    data = _build(round_)

    assert [section.name for section in data.interventions] == ["Safety huddles"]
    section = data.interventions[0]
    assert section.strength == "Moderate"
    assert section.sentence == "Sustained improvement at 2 of 2 sites."
    assert [site.team for site in section.sites] == ["Alpha", "Beta"]
    site = section.sites[0]
    assert site.result == SUSTAINED.capitalize()
    assert site.started_on == month(len(BASELINE))
    (line,) = site.lines
    assert line.baseline_points == len(BASELINE)
    assert line.verdict == "Improvement, sustained"
    assert line.change.startswith("−9.") and "(95% interval −" in line.change


def test_a_too_short_baseline_is_stated_with_its_point_count() -> None:
    round_ = RoundFactory.create()
    early = InterventionFactory.create(name="Telemedicine")
    team = TeamFactory.create(round=round_)
    site_with(early, BASELINE[:5] + STEP_DOWN, team=team, started_index=5)

    section = _build(round_).interventions[0]

    assert section.strength == INSUFFICIENT
    site = section.sites[0]
    assert site.lines[0].baseline_points == 5
    assert any("Baseline too short to judge: 5 points" in reason for reason in site.reasons)


def test_a_use_without_a_start_date_says_so() -> None:
    round_ = RoundFactory.create()
    intervention = InterventionFactory.create()
    site_with(intervention, BASELINE, team=TeamFactory.create(round=round_), started_index=None)

    site = _build(round_).interventions[0].sites[0]

    assert site.reasons[0] == "No start date recorded for the change idea."


def test_every_team_of_the_round_is_in_the_report_published_or_not() -> None:
    round_ = RoundFactory.create()
    TeamFactory.create(round=round_, name="Published team", is_published=True)
    TeamFactory.create(round=round_, name="Unpublished team", is_published=False)
    TeamFactory.create(name="Another round's team")
    intervention = InterventionFactory.create()
    site_with(intervention, BASELINE + FLAT, team=TeamFactory.create(round=round_, name="Zed"))

    data = _build(round_)

    assert [team.name for team in data.teams] == ["Published team", "Unpublished team", "Zed"]
    assert [team.is_published for team in data.teams] == [True, False, True]
    assert data.teams[2].goals[0].aim == "Reduce falls on wards A to C by 30% by March 2026"
    assert data.data_up_to == month(len(BASELINE + FLAT) - 1)
    assert data.interventions[0].strength == NONE_SEEN


def test_the_cover_names_the_round_and_when_it_was_generated() -> None:
    round_ = RoundFactory.create(name="Closing the Gap", number=3, timezone="Europe/London")

    data = _build(round_)

    assert data.title == f"{round_.programme.name}, round 3: Closing the Gap"
    assert data.generated_display == "10:30am, 2 June 2025 (Europe/London)"
    assert data.data_up_to is None and data.teams == () and data.interventions == ()


def test_how_to_read_uses_the_rules_own_words_with_their_numbers() -> None:
    guide = _build(RoundFactory.create()).guide

    strength = " ".join(guide.strength_rules)
    assert strength.startswith("Strong: sustained improvement at 3 or more sites")
    assert f"a baseline of at least {GOOD_BASELINE_POINTS} points" in strength
    assert any(rule.startswith("Insufficient data") for rule in guide.strength_rules)
    rules = " ".join(guide.evidence_rules)
    assert f"fewer than {MIN_BASELINE_POINTS} points" in rules
    assert f"the last {SUSTAIN_POINTS} follow-up points" in rules
    assert "``" not in rules + strength and "*" not in rules and "docs/" not in rules
    assert guide.site_results.startswith("A site's result comes from its outcome measures")
    assert guide.strength_heading == "Strength of evidence for an intervention:"
    assert len(guide.variation_icons) == 7 and len(guide.assurance_icons) == 3


def test_the_rules_version_names_the_package_and_a_fingerprint_of_the_rules() -> None:
    version = evidence_rules_version()

    assert version == evidence_rules_version()
    package, _, fingerprint = version.partition("+")
    assert package and len(fingerprint) == 10


def test_changes_read_as_the_measure_does() -> None:
    percent = Measure(unit="%", chart_type="xmr")
    count = Measure(unit="falls", chart_type="xmr")

    assert format_change(percent, -0.042) == "−4.2 percentage points"
    assert format_change(count, 9.62) == "+9.62 falls"
    assert format_change(count, 0.0) == "0 falls"
    assert format_change(count, None) == "not available"


def test_variation_icons_group_into_matrix_rows() -> None:
    assert variation_family("improvement_low") == "improvement"
    assert variation_family("concern_high") == "concern"
    assert variation_family("neutral_low") == "neutral"
    assert variation_family("common_cause") == "common_cause"


def test_change_ideas_are_listed_in_diagram_order() -> None:
    goal = GoalFactory.create()
    second = change_idea(goal)
    first = change_idea(goal)
    DriverNode.objects.filter(pk=first.pk).update(position=0)
    DriverNode.objects.filter(pk=second.pk).update(position=1)

    pdsa = _build(goal.team.round).teams[0].goals[0].pdsa

    assert [summary.change_idea for summary in pdsa] == [first.text, second.text]
