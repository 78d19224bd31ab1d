"""The shared upsert of many points: counts, idempotence, the change log, all-or-nothing
checks by the import's rules, and the same results from both writers."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection

from sharedpurpose.accounts.models import User
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.improvement.models import (
    ChartType,
    DataPoint,
    DataPointChange,
    Measure,
    TeamMembership,
)
from sharedpurpose.improvement.services import points_upsert as service
from sharedpurpose.improvement.services.points_upsert import (
    PointIn,
    PointProblem,
    PointsInvalid,
    PointsWriter,
    PostgresPointsWriter,
    points_check,
    points_upsert,
)
from tests.factories import MeasureFactory, MembershipFactory
from tests.improvement.factories_data import DataPointFactory

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the set-based writer needs PostgreSQL"
)
WRITERS = [PointsWriter, pytest.param(PostgresPointsWriter, marks=on_postgres)]


@pytest.fixture
def member() -> TeamMembership:
    return MembershipFactory.create(role=TeamMembership.Role.DATA_CONTRIBUTOR)


@pytest.fixture
def actor(member: TeamMembership) -> User:
    return member.user


@pytest.fixture
def measure(member: TeamMembership) -> Measure:
    return MeasureFactory.create(team=member.team, name="Falls")


def stored(measure: Measure) -> list[tuple[date, float | None, float | None]]:
    return list(measure.points.order_by("period").values_list("period", "value", "denominator"))


def version(measure: Measure) -> int:
    return Measure.objects.values_list("data_version", flat=True).get(pk=measure.pk)


def month(n: int) -> date:
    return date(2024, n, 1)


def test_new_points_are_created_logged_and_bump_the_version_once(
    actor: User, measure: Measure
) -> None:
    before = version(measure)

    counts = points_upsert(
        actor=actor,
        points=[PointIn(measure.pk, month(1), 4.0, None), PointIn(measure.pk, month(2), 5.0, None)],
        measures={measure.pk: measure},
    )

    assert (counts.created, counts.updated, counts.unchanged) == (2, 0, 0)
    assert counts.measure_ids == [measure.pk]
    assert stored(measure) == [(month(1), 4.0, None), (month(2), 5.0, None)]
    assert version(measure) == before + 1
    changes = list(DataPointChange.objects.order_by("period"))
    assert [(c.period, c.old_value, c.new_value) for c in changes] == [
        (month(1), None, 4.0),
        (month(2), None, 5.0),
    ]
    assert {(c.source, c.changed_by_id) for c in changes} == {("api", actor.pk)}
    event = AuditEvent.objects.get(action="data_points.upsert")
    assert event.actor == actor and event.scope == f"team:{measure.team_id}"
    assert "2 points added, 0 updated (Falls)" in event.summary


def test_the_same_batch_twice_changes_nothing_the_second_time(
    actor: User, measure: Measure
) -> None:
    batch = [PointIn(measure.pk, month(m), float(m), None) for m in range(1, 7)]
    points_upsert(actor=actor, points=batch, measures={measure.pk: measure})
    logged, audited, before = (
        DataPointChange.objects.count(),
        AuditEvent.objects.count(),
        version(measure),
    )
    written_at = list(measure.points.values_list("updated_at", flat=True))

    counts = points_upsert(actor=actor, points=batch, measures={measure.pk: measure})

    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 6)
    assert counts.measure_ids == []
    assert DataPointChange.objects.count() == logged
    assert AuditEvent.objects.count() == audited
    assert version(measure) == before
    assert list(measure.points.values_list("updated_at", flat=True)) == written_at


def test_changed_points_are_updated_and_logged_old_to_new(actor: User, measure: Measure) -> None:
    DataPointFactory.create(measure=measure, period=month(1), value=4.0)
    DataPointFactory.create(measure=measure, period=month(2), value=5.0)

    counts = points_upsert(
        actor=actor,
        points=[PointIn(measure.pk, month(1), 4.0, None), PointIn(measure.pk, month(2), 6.5, None)],
        measures={measure.pk: measure},
    )

    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 1)
    change = DataPointChange.objects.get()
    assert (change.period, change.old_value, change.new_value) == (month(2), 5.0, 6.5)
    assert stored(measure) == [(month(1), 4.0, None), (month(2), 6.5, None)]


def test_a_batch_with_any_problem_stores_nothing_and_lists_every_problem(
    actor: User, member: TeamMembership
) -> None:
    monthly = MeasureFactory.create(team=member.team)
    weekly = MeasureFactory.create(team=member.team, frequency=Measure.Frequency.WEEKLY)
    p_chart = MeasureFactory.create(team=member.team, chart_type=ChartType.P)
    measures = {m.pk: m for m in (monthly, weekly, p_chart)}
    batch = [
        PointIn(monthly.pk, month(1), 1.0, None),  # fine, yet not stored
        PointIn(monthly.pk, date(2024, 2, 2), 1.0, None),
        PointIn(weekly.pk, date(2024, 4, 3), 1.0, None),  # a Wednesday
        PointIn(p_chart.pk, month(1), 3.0, None),
        PointIn(p_chart.pk, month(2), 3.0, 2.0),
        PointIn(monthly.pk, month(1), 2.0, None),
        PointIn(999_999, month(1), 2.0, None),
    ]

    with pytest.raises(PointsInvalid) as raised:
        points_upsert(actor=actor, points=batch, measures=measures)

    assert raised.value.problems == [
        PointProblem(1, "period", "2024-02-02 is not the first day of a month (monthly data)"),
        PointProblem(2, "period", "2024-04-03 is not a Monday (weekly data start on Mondays)"),
        PointProblem(3, "denominator", "a p chart needs a denominator"),
        PointProblem(4, "value", "3 is more than the denominator 2"),
        PointProblem(
            5,
            "period",
            f"2024-01-01 of measure {monthly.pk} appears more than once (first at position 0)",
        ),
        PointProblem(6, "measure", "999999 is not a measure you may change"),
    ]
    assert raised.value.messages == ["6 points are not valid; nothing was stored."]
    assert not DataPoint.objects.exists()
    assert not DataPointChange.objects.exists()


def test_counts_cannot_be_negative_on_count_charts(measure: Measure) -> None:
    measure.chart_type = ChartType.C
    problems = points_check(
        points=[PointIn(measure.pk, month(1), -1.0, None)], measures={measure.pk: measure}
    )
    assert problems == [PointProblem(0, "value", "-1 is below 0; a c chart counts events")]


def test_one_audit_event_per_team_whose_data_changed(actor: User, member: TeamMembership) -> None:
    ours = MeasureFactory.create(team=member.team, name="Ours")
    other = MembershipFactory.create(user=actor, role=TeamMembership.Role.MEMBER).team
    theirs = MeasureFactory.create(team=other, name="Theirs")
    DataPointFactory.create(measure=theirs, period=month(1), value=1.0)

    points_upsert(
        actor=actor,
        points=[PointIn(ours.pk, month(1), 1.0, None), PointIn(theirs.pk, month(1), 1.0, None)],
        measures={ours.pk: ours, theirs.pk: theirs},
    )

    events = AuditEvent.objects.filter(action="data_points.upsert")
    assert [e.scope for e in events] == [f"team:{member.team.pk}"]


@pytest.mark.parametrize("writer_class", WRITERS)
def test_both_writers_store_count_and_log_the_same(
    actor: User, measure: Measure, writer_class: type[PointsWriter]
) -> None:
    DataPointFactory.create(measure=measure, period=month(1), value=1.0)
    DataPointFactory.create(measure=measure, period=month(2), value=2.0, denominator=None)
    DataPointFactory.create(measure=measure, period=month(3), value=None)  # recorded as missing
    writer = writer_class(actor=actor, source=DataPointChange.Source.API)
    writer.start()
    writer.write(
        [PointIn(measure.pk, month(1), 1.0, None), PointIn(measure.pk, month(2), 2.0, 8.0)]
    )
    writer.write(
        [PointIn(measure.pk, month(3), 3.0, None), PointIn(measure.pk, month(4), 4.0, None)]
    )

    counts = writer.finish()

    assert (counts.created, counts.updated, counts.unchanged) == (1, 2, 1)
    assert counts.by_measure == {measure.pk: (1, 2)}
    assert stored(measure) == [
        (month(1), 1.0, None),
        (month(2), 2.0, 8.0),
        (month(3), 3.0, None),
        (month(4), 4.0, None),
    ]
    logged = DataPointChange.objects.order_by("period").values_list(
        "period", "old_value", "new_value", "old_denominator", "new_denominator"
    )
    assert list(logged) == [
        (month(2), 2.0, 2.0, None, 8.0),
        (month(3), None, 3.0, None, None),
        (month(4), None, 4.0, None, None),
    ]


@pytest.mark.parametrize("writer_class", WRITERS)
def test_an_import_logs_updates_only_and_links_them(
    actor: User, measure: Measure, writer_class: type[PointsWriter], settings: Any, tmp_path: Any
) -> None:
    from sharedpurpose.improvement.models import DataImport

    settings.MEDIA_ROOT = tmp_path
    data_import = DataImport.objects.create(team=measure.team, filename="x.csv", file="x.csv")
    DataPointFactory.create(measure=measure, period=month(1), value=1.0)
    writer = writer_class(
        actor=actor, source=DataPointChange.Source.IMPORT, data_import=data_import
    )
    writer.start()
    writer.write(
        [PointIn(measure.pk, month(1), 9.0, None), PointIn(measure.pk, month(2), 2.0, None)]
    )

    counts = writer.finish()

    assert (counts.created, counts.updated) == (1, 1)
    change = DataPointChange.objects.get()
    assert (change.period, change.source, change.data_import) == (month(1), "import", data_import)


def test_large_batches_are_written_in_chunks(
    actor: User, member: TeamMembership, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "WRITE_CHUNK_ROWS", 7)
    daily = MeasureFactory.create(team=member.team, frequency=Measure.Frequency.DAILY)
    batch = [PointIn(daily.pk, date(2024, 1, d), float(d), None) for d in range(1, 31)]

    counts = points_upsert(actor=actor, points=batch, measures={daily.pk: daily})

    assert counts.created == 30
    assert daily.points.count() == 30
