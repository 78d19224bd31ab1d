from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import transaction

from sharedpurpose.evidence.models import EvidenceRow, Verdict
from sharedpurpose.evidence.services.compute import evidence_compute_for_use
from sharedpurpose.improvement.charts import measure_charts_invalidate
from sharedpurpose.improvement.models import ChartType, DataPoint
from tests.factories import MeasureFactory

from .factories import BASELINE, FLAT, STEP_DOWN, InterventionFactory, month, site_with

pytestmark = pytest.mark.django_db


def test_each_measure_of_the_goal_gets_a_row_computed_from_its_data() -> None:
    use = site_with(InterventionFactory.create(), BASELINE + STEP_DOWN, balancing=BASELINE + FLAT)

    assert evidence_compute_for_use(use) == 2

    outcome = use.evidence.get(measure_kind="outcome")
    assert (outcome.verdict, outcome.sustained) == (Verdict.IMPROVEMENT, True)
    assert outcome.started_on == month(20)
    assert outcome.first_signal_on == month(20)
    assert (outcome.baseline_points, outcome.followup_points) == (20, 10)
    assert outcome.change == pytest.approx(40.5 - 50.25)
    assert outcome.data_version == outcome.measure.data_version
    balancing = use.evidence.get(measure_kind="balancing")
    assert balancing.verdict == Verdict.NO_CHANGE


def test_without_a_start_date_there_is_no_evidence() -> None:
    use = site_with(InterventionFactory.create(), BASELINE + STEP_DOWN, started_index=None)

    assert evidence_compute_for_use(use) == 0
    assert not use.evidence.exists()


def test_p_chart_measures_are_judged_on_their_rates() -> None:
    use = site_with(InterventionFactory.create(), [])
    measure = MeasureFactory.create(
        team=use.change_idea.goal.team,
        goal=use.change_idea.goal,
        chart_type=ChartType.P,
        improvement_direction="increase",
        name="Seen within four hours",
    )
    # Counts rise only because the denominator doubles: the rate is flat.
    DataPoint.objects.bulk_create(
        DataPoint(
            measure=measure,
            period=month(i),
            value=(45 if i < 20 else 90) + i % 3,
            denominator=100 if i < 20 else 200,
        )
        for i in range(30)
    )

    evidence_compute_for_use(use)

    assert use.evidence.get(measure=measure).verdict == Verdict.NO_CHANGE


def test_a_data_change_recomputes_the_evidence_in_the_background(
    django_capture_on_commit_callbacks: Any,
) -> None:
    use = site_with(InterventionFactory.create(), BASELINE + FLAT)
    evidence_compute_for_use(use)
    measure = use.evidence.get().measure
    assert use.evidence.get().verdict == Verdict.NO_CHANGE

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for i, value in enumerate(STEP_DOWN):
            DataPoint.objects.filter(measure=measure, period=month(20 + i)).update(value=value)
        measure_charts_invalidate(measure_ids=[measure.pk])
        measure_charts_invalidate(measure_ids=[measure.pk])

    assert len(callbacks) == 1  # one recomputation for the whole transaction
    row = EvidenceRow.objects.get(use=use)
    assert row.verdict == Verdict.IMPROVEMENT
    measure.refresh_from_db()
    assert row.data_version == measure.data_version


def test_a_rolled_back_change_recomputes_nothing_and_later_changes_still_do(
    django_capture_on_commit_callbacks: Any,
) -> None:
    use = site_with(InterventionFactory.create(), BASELINE + FLAT)
    measure_id = use.change_idea.goal.measures.get().pk

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            measure_charts_invalidate(measure_ids=[measure_id])
            raise RuntimeError("the change failed")
        assert callbacks == []
        with transaction.atomic():
            measure_charts_invalidate(measure_ids=[measure_id])
    assert len(callbacks) == 1
    assert EvidenceRow.objects.filter(use=use).count() == 1


def test_moving_a_start_date_recomputes_from_the_new_date() -> None:
    use = site_with(InterventionFactory.create(), BASELINE + STEP_DOWN)
    evidence_compute_for_use(use)
    idea = use.change_idea
    idea.started_on = date(2020, 6, 1)  # a 5-point baseline
    idea.save()

    evidence_compute_for_use(use)

    row = use.evidence.get()
    assert row.verdict == Verdict.NOT_JUDGED
    assert "Baseline too short" in row.reasons[0]


def test_a_measure_with_no_better_direction_reports_change_not_improvement() -> None:
    use = site_with(InterventionFactory.create(), BASELINE + STEP_DOWN, direction="neutral")

    evidence_compute_for_use(use)

    assert use.evidence.get().verdict == Verdict.CHANGE
