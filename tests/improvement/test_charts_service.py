"""The chart service: SPC per chart type, annotations, and the cache in MeasureChart."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from sharedpurpose.improvement.charts import goal_charts, measure_chart, measure_charts
from sharedpurpose.improvement.models import (
    ChartType,
    DataPoint,
    Measure,
    MeasureChart,
    Rebase,
    Side,
)
from tests.factories import TeamFactory

from .factories_charts import (
    ChangeIdeaFactory,
    ChartGoalFactory,
    PdsaCycleFactory,
    measure_with_points,
    months,
)

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def test_chart_is_computed_once_and_kept_while_the_data_version_holds() -> None:
    measure = measure_with_points(TeamFactory.create(), improvement_direction="decrease")

    view = measure_chart(measure)

    assert view.variation_icon == "improvement_low"
    assert view.recent_special_cause
    assert view.latest_display == "4" and view.latest_period == dt.date(2024, 12, 1)
    assert view.svg.startswith("<svg") and "nhsuk-table" in view.table
    cache = MeasureChart.objects.get(measure=measure)
    assert cache.data_version == measure.data_version
    computed_at = cache.computed_at

    measure.refresh_from_db()
    again = measure_chart(measure)
    assert MeasureChart.objects.get(measure=measure).computed_at == computed_at
    assert again.summary == view.summary


def test_a_bumped_data_version_recomputes_the_chart() -> None:
    measure = measure_with_points(TeamFactory.create())
    measure_chart(measure)
    DataPoint.objects.filter(measure=measure, period="2024-12-01").update(value=9.0)
    Measure.objects.filter(pk=measure.pk).update(data_version=F("data_version") + 1)
    measure.refresh_from_db()

    view = measure_chart(measure)

    assert view.variation_icon == "common_cause"
    assert MeasureChart.objects.get(measure=measure).data_version == measure.data_version


def test_the_cache_trusts_the_data_version() -> None:
    # The cache trusts data_version: a change that forgets to bump is not seen.
    measure = measure_with_points(TeamFactory.create())
    measure_chart(measure)
    DataPoint.objects.filter(measure=measure, period="2024-12-01").update(value=9.0)
    measure.refresh_from_db()
    assert measure_chart(measure).variation_icon != "common_cause"


@pytest.mark.parametrize(
    ("chart_type", "chart_class"),
    [
        (ChartType.XMR, "sp-chart-xmr"),
        (ChartType.RUN, "sp-chart-run"),
        (ChartType.C, "sp-chart-c"),
        (ChartType.G, "sp-chart-g"),
        (ChartType.P, "sp-chart-p"),
        (ChartType.U, "sp-chart-u"),
    ],
)
def test_each_chart_type_uses_its_spc_chart(chart_type: str, chart_class: str) -> None:
    values = [5.0, 7, 6, 8, 5, 6, 7, 6, 5, 7, 6, 8]
    measure = measure_with_points(
        TeamFactory.create(), values, denominators=[50.0] * 12, chart_type=chart_type
    )

    view = measure_chart(measure)

    assert chart_class in view.svg
    if chart_type == ChartType.P:
        assert view.latest_display == "16.0%"  # 8 of 50


def test_rebases_start_new_limits_and_show_their_reason() -> None:
    values = [5.0, 6, 5, 6, 5, 6, 5, 6, 20, 21, 20, 21, 20, 21, 20, 21]
    measure = measure_with_points(TeamFactory.create(), values)
    Rebase.objects.create(measure=measure, period=months(16)[8], reason="New triage model")

    view = measure_chart(measure)

    assert view.svg.count('class="sp-centre"') == 2
    assert "1. Rebase: New triage model (1 Sep 2024)" in view.svg
    assert view.annotations[0]["label"] == "New triage model"


def test_pdsa_cycles_and_change_ideas_are_annotations_in_date_order() -> None:
    team = TeamFactory.create()
    goal = ChartGoalFactory.create(team=team)
    measure = measure_with_points(team, goal=goal)
    idea = ChangeIdeaFactory.create(goal=goal, text="Night huddles", started_on=dt.date(2024, 3, 1))
    cycle = PdsaCycleFactory.create(
        change_idea=idea, title="Huddle on ward A", starts_on=dt.date(2024, 5, 6)
    )
    cycle.measures.add(measure)
    PdsaCycleFactory.create(change_idea=idea, title="Not linked", starts_on=dt.date(2024, 6, 1))
    ChangeIdeaFactory.create(text="Not started")  # another goal, no start date

    view = measure_chart(measure)

    kinds = [(a["number"], a["kind"], a["label"]) for a in view.annotations]
    assert kinds == [(1, "change", "Night huddles"), (2, "pdsa", "Huddle on ward A")]
    assert "2. PDSA: Huddle on ward A (6 May 2024)" in view.svg
    assert view.svg.count('class="sp-annotation sp-annotation-') == 2


def test_a_measure_without_values_has_no_chart_but_a_message() -> None:
    measure = measure_with_points(TeamFactory.create(), [None, None])

    view = measure_chart(measure)

    assert not view.has_chart
    assert "No values" in view.message


def test_cached_dashboard_reads_no_chart_queries() -> None:
    team = TeamFactory.create()
    for i in range(5):
        measure_with_points(team, name=f"M{i}")
    measure_charts(list(team.measures.select_related("chart_cache")))
    measures = list(team.measures.select_related("chart_cache"))

    with CaptureQueriesContext(connection) as queries:
        views = measure_charts(measures)

    assert len(views) == 5
    assert len(queries) == 0


def test_goal_charts_share_one_time_axis_corporate_first() -> None:
    team = TeamFactory.create()
    goal = ChartGoalFactory.create(team=team)
    clinical = measure_with_points(team, goal=goal, name="Falls", side=Side.CLINICAL)
    corporate = measure_with_points(
        team,
        [3.0, 4, 3, 4, 3, 4],
        periods=months(6, dt.date(2024, 7, 1)),
        goal=goal,
        name="Porter response time",
        side=Side.CORPORATE,
    )
    measure_with_points(team, name="Unrelated")

    panel = goal_charts(goal)

    assert [c.view.measure for c in panel.charts] == [corporate, clinical]
    assert panel.x_range == (dt.date(2024, 1, 1), dt.date(2024, 12, 1))
    ticks = [_x_ticks(c.view.svg) for c in panel.charts]
    assert ticks[0] == ticks[1]
    assert ticks[0][0][1] == "Jan 2024" and ticks[0][-1][1] == "Nov 2024"
    assert [label for label, _ in panel.by_side] == [
        "Corporate support services",
        "Clinical services",
    ]


def _x_ticks(svg: str) -> list[tuple[str | None, str | None]]:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    axes = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "sp-axes")
    return [
        (t.get("x"), t.text) for t in axes.iter(f"{SVG}text") if t.get("text-anchor") == "middle"
    ]


def test_a_percentage_measure_reads_in_percent_on_its_chart_table_and_sentence() -> None:
    # Stored as fractions, as the grid and imports keep percentages.
    measure = measure_with_points(
        TeamFactory.create(),
        [0.62, 0.6, 0.64, 0.61, 0.63, 0.62, 0.6, 0.61, 0.63, 0.62, 0.64, 0.61],
        unit="%",
        target=0.95,
        improvement_direction="increase",
    )

    view = measure_chart(measure)

    assert "Target 95%" in str(view.svg)
    assert ">0.95<" not in str(view.svg)
    assert "62%" in str(view.table)
    assert view.reading.endswith("consistently fail the 95% target.")
