"""Store many measure points at once, keyed by (measure, period): file imports and the API.

One writer serves both. Points equal to what is stored are not written, not logged and do
not move the measure's ``data_version``, so sending the same batch twice changes nothing.
Every point that is written gets a ``DataPointChange`` (old -> new, the source, who, when),
except points an import creates: the ``DataImport`` itself records those (who, when, how
many). Written points keep ``updated_at`` and leave ``updated_by`` empty: who wrote them is
in the change log, and a foreign-key check per point would cost more than the rest of a big
batch's database work.

On PostgreSQL the points are copied into a temporary table as they arrive (``COPY``), then
the counts, the change log and the upsert are one set-based statement each; elsewhere each
chunk is upserted with ``bulk_create(update_conflicts=True)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from sharedpurpose.core.audit import audit_record
from sharedpurpose.improvement.charts import measure_charts_invalidate

from ..access import team_scope
from ..imports import DENOMINATOR, VALUE, period_problem, point_problems
from ..models import DataImport, DataPoint, DataPointChange, Measure, Team

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User

#: Points written per ``bulk_create`` (PostgreSQL copies them as they come instead).
WRITE_CHUNK_ROWS = 5_000
MEASURE = "measure"
PERIOD = "period"


class PointIn(NamedTuple):
    """A point to store (a named tuple: a million of them are made for a big import)."""

    measure_id: int
    period: date
    value: float
    denominator: float | None


@dataclass(frozen=True)
class PointProblem:
    """Why the point at ``index`` of a batch cannot be stored, naming its ``field``."""

    index: int
    field: str  # measure, period, value or denominator
    reason: str


class PointsInvalid(ValidationError):
    """A batch with problems, every one of them in ``problems``: nothing of it was stored."""

    def __init__(self, problems: list[PointProblem]) -> None:
        self.problems = problems
        count = len({problem.index for problem in problems})
        noun = "point is" if count == 1 else "points are"
        super().__init__(f"{count:,} {noun} not valid; nothing was stored.")


@dataclass
class UpsertCounts:
    """What a batch did: points added, changed and left as they were, per measure too."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: (created, updated) of each measure the batch changed.
    by_measure: dict[int, tuple[int, int]] = field(default_factory=dict)

    @property
    def measure_ids(self) -> list[int]:
        """The measures whose data the batch changed."""
        return sorted(self.by_measure)

    def add(self, measure_id: int, created: int, updated: int) -> None:
        self.created += created
        self.updated += updated
        if created or updated:
            before = self.by_measure.get(measure_id, (0, 0))
            self.by_measure[measure_id] = (before[0] + created, before[1] + updated)


# Checking -----------------------------------------------------------------------------------


def points_check(
    *, points: Sequence[PointIn], measures: Mapping[int, Measure]
) -> list[PointProblem]:
    """Every problem of a batch, by the rules the grid and file imports apply.

    A period must start a period of the measure's frequency (a Monday for weekly data, the
    first of a month for monthly data); the value and denominator must suit the measure's
    chart (a p or u chart needs a denominator above 0, a p chart's value cannot exceed it,
    counts cannot be negative); a (measure, period) may appear once. ``measures`` holds the
    measures the caller may change; a point of any other measure is a problem.
    """
    problems: list[PointProblem] = []
    first_at: dict[tuple[int, date], int] = {}
    for index, (measure_id, period, value, denominator) in enumerate(points):
        measure = measures.get(measure_id)
        if measure is None:
            problems.append(
                PointProblem(index, MEASURE, f"{measure_id} is not a measure you may change")
            )
            continue
        reason = period_problem(period, measure.frequency)
        if reason:
            problems.append(PointProblem(index, PERIOD, reason))
        for name, why in point_problems(value, denominator, measure.chart_type):
            problems.append(PointProblem(index, VALUE if name == VALUE else DENOMINATOR, why))
        first = first_at.setdefault((measure_id, period), index)
        if first != index:
            problems.append(
                PointProblem(
                    index,
                    PERIOD,
                    f"{period.isoformat()} of measure {measure_id} appears more than once "
                    f"(first at position {first})",
                )
            )
    return problems


# Storing ------------------------------------------------------------------------------------


def points_upsert(
    *,
    actor: User,
    points: Sequence[PointIn],
    measures: Mapping[int, Measure],
    source: DataPointChange.Source = DataPointChange.Source.API,
) -> UpsertCounts:
    """Store a batch all or nothing, after checking it with :func:`points_check`.

    ``measures`` are the measures the caller may change (the caller checks access). Raises
    :class:`PointsInvalid`, storing nothing, when any point has a problem. Each team whose
    data changed gets one audit event.
    """
    problems = points_check(points=points, measures=measures)
    if problems:
        raise PointsInvalid(problems)
    with transaction.atomic():
        writer = points_writer(actor=actor, source=source)
        writer.start()
        for start in range(0, len(points), WRITE_CHUNK_ROWS):
            writer.write(points[start : start + WRITE_CHUNK_ROWS])
        counts = writer.finish()
        _audit(actor=actor, counts=counts, measures=measures, source=source)
    return counts


def _audit(
    *,
    actor: User,
    counts: UpsertCounts,
    measures: Mapping[int, Measure],
    source: DataPointChange.Source,
) -> None:
    by_team: dict[int, list[Measure]] = defaultdict(list)
    for measure_id in counts.measure_ids:
        by_team[measures[measure_id].team_id].append(measures[measure_id])
    teams = Team.objects.in_bulk(list(by_team))
    for team_id, changed in by_team.items():
        created = sum(counts.by_measure[m.pk][0] for m in changed)
        updated = sum(counts.by_measure[m.pk][1] for m in changed)
        names = ", ".join(sorted(m.name for m in changed))
        audit_record(
            actor=actor,
            action="data_points.upsert",
            obj=teams[team_id],
            scope=team_scope(teams[team_id]),
            summary=f"{source.label}: {created:,} points added, {updated:,} updated ({names})",
            changes={"points_created": [0, created], "points_updated": [0, updated]},
        )


def points_writer(
    *,
    actor: User,
    source: DataPointChange.Source,
    data_import: DataImport | None = None,
) -> PointsWriter:
    """The writer for this database. Use it inside one transaction: ``start()``, then
    ``write()`` each chunk of checked points, then ``finish()`` for the counts."""
    kind = PostgresPointsWriter if connection.vendor == "postgresql" else PointsWriter
    return kind(actor=actor, source=source, data_import=data_import)


class PointsWriter:
    """Upserts chunks of checked points with ``bulk_create`` and logs the points it changes.

    A batch must not hold the same (measure, period) twice; :func:`points_check` and the
    import's row check make sure of it.
    """

    def __init__(
        self,
        *,
        actor: User,
        source: DataPointChange.Source,
        data_import: DataImport | None = None,
    ) -> None:
        self.actor = actor
        self.source = source
        self.data_import_id = data_import.pk if data_import is not None else None
        #: Created points are logged unless an import records them.
        self.log_created = data_import is None
        self.now = timezone.now()
        self.rows_read = 0
        self.counts = UpsertCounts()

    def start(self) -> None:
        """Called inside the transaction, before the first chunk."""

    def write(self, points: Sequence[PointIn]) -> None:
        self.rows_read += len(points)
        by_measure: dict[int, list[PointIn]] = defaultdict(list)
        for point in points:
            by_measure[point.measure_id].append(point)
        rows: list[DataPoint] = []
        changes: list[DataPointChange] = []
        for measure_id, wanted in by_measure.items():
            existing = _existing(measure_id, wanted)
            created = updated = 0
            for _, period, value, denominator in wanted:
                old = existing.get(period)
                if old is not None and old == (value, denominator):
                    self.counts.unchanged += 1
                    continue
                rows.append(
                    DataPoint(
                        measure_id=measure_id,
                        period=period,
                        value=value,
                        denominator=denominator,
                        updated_at=self.now,
                        updated_by_id=None,
                    )
                )
                if old is None:
                    created += 1
                    if not self.log_created:
                        continue
                else:
                    updated += 1
                changes.append(
                    DataPointChange(
                        measure_id=measure_id,
                        period=period,
                        old_value=None if old is None else old[0],
                        new_value=value,
                        old_denominator=None if old is None else old[1],
                        new_denominator=denominator,
                        source=self.source,
                        data_import_id=self.data_import_id,
                        changed_by_id=self.actor.pk,
                        changed_at=self.now,
                    )
                )
            self.counts.add(measure_id, created, updated)
        if rows:
            DataPoint.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["measure", "period"],
                update_fields=["value", "denominator", "updated_at", "updated_by"],
            )
        if changes:
            DataPointChange.objects.bulk_create(changes)

    def finish(self) -> UpsertCounts:
        """Make the changed measures' charts (and evidence) recompute; the batch's counts."""
        if self.counts.by_measure:
            measure_charts_invalidate(measure_ids=self.counts.by_measure)
        return self.counts


class PostgresPointsWriter(PointsWriter):
    """The same upsert on PostgreSQL, set-based: points are copied into a temporary table as
    they arrive, then the counts, the change log and the upsert are one statement each.

    Building a million model instances and their SQL costs more than the 30 seconds a
    million-row file is allowed; ``COPY`` and a few statements take seconds.
    """

    def start(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {_STAGE}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {_STAGE} (measure_id bigint NOT NULL, "
                "period date NOT NULL, value double precision NOT NULL, "
                "denominator double precision)"
            )

    def write(self, points: Sequence[PointIn]) -> None:
        self.rows_read += len(points)
        with connection.cursor() as cursor:
            copy_sql = f"COPY {_STAGE} (measure_id, period, value, denominator) FROM STDIN BINARY"
            with cursor.copy(copy_sql) as copy:
                copy.set_types(["int8", "date", "float8", "float8"])
                for point in points:
                    copy.write_row(point)

    def finish(self) -> UpsertCounts:
        point = DataPoint._meta.db_table
        change = DataPointChange._meta.db_table
        measure = Measure._meta.db_table
        same_point = "p.measure_id = s.measure_id AND p.period = s.period"
        differs = "(p.value, p.denominator) IS DISTINCT FROM (s.value, s.denominator)"
        # Which staged points the change log takes: changed ones, and new ones unless an
        # import records those.
        logged = f"p.id IS NULL OR {differs}"
        if not self.log_created:
            logged = f"p.id IS NOT NULL AND {differs}"
        with connection.cursor() as cursor:
            # Grid saves, imports and API batches of these measures wait until this one is
            # done, so the plain INSERT below cannot meet a point added in between.
            cursor.execute(
                f"SELECT id FROM {measure} WHERE id IN (SELECT DISTINCT measure_id "  # noqa: S608
                f"FROM {_STAGE}) ORDER BY id FOR UPDATE"
            )
            cursor.execute(f"ANALYZE {_STAGE}")
            cursor.execute(
                "SELECT s.measure_id, count(*) FILTER (WHERE p.id IS NULL), "  # noqa: S608
                f"count(*) FILTER (WHERE p.id IS NOT NULL AND {differs}) "
                f"FROM {_STAGE} s LEFT JOIN {point} p ON {same_point} GROUP BY s.measure_id"
            )
            for measure_id, created, updated in cursor.fetchall():
                self.counts.add(measure_id, created, updated)
            counts = self.counts
            counts.unchanged = self.rows_read - counts.created - counts.updated
            if counts.updated or (counts.created and self.log_created):
                cursor.execute(
                    f"INSERT INTO {change} (measure_id, period, old_value, new_value, "  # noqa: S608
                    "old_denominator, new_denominator, source, data_import_id, "
                    "changed_by_id, changed_at) SELECT s.measure_id, s.period, p.value, "
                    f"s.value, p.denominator, s.denominator, %s, %s, %s, %s FROM {_STAGE} s "
                    f"LEFT JOIN {point} p ON {same_point} WHERE {logged}",
                    [self.source, self.data_import_id, self.actor.pk, self.now],
                )
            if counts.updated:
                cursor.execute(
                    f"UPDATE {point} p SET value = s.value, denominator = s.denominator, "  # noqa: S608
                    f"updated_at = %s, updated_by_id = NULL FROM {_STAGE} s "
                    f"WHERE {same_point} AND {differs}",
                    [self.now],
                )
            if counts.created:
                cursor.execute(
                    f"INSERT INTO {point} (measure_id, period, value, denominator, "  # noqa: S608
                    "updated_at) SELECT s.measure_id, s.period, s.value, s.denominator, %s "
                    f"FROM {_STAGE} s WHERE NOT EXISTS (SELECT 1 FROM {point} p "
                    f"WHERE {same_point})",
                    [self.now],
                )
            cursor.execute(f"DROP TABLE {_STAGE}")
        return super().finish()


_STAGE = "sp_points_stage"


def _existing(
    measure_id: int, points: Sequence[PointIn]
) -> dict[date, tuple[float | None, float | None]]:
    """The stored value and denominator of the periods in ``points`` (a range read on the
    index)."""
    first = min(p.period for p in points)
    last = max(p.period for p in points)
    wanted = {p.period for p in points}
    return {
        period: (value, denominator)
        for period, value, denominator in DataPoint.objects.filter(
            measure_id=measure_id, period__gte=first, period__lte=last
        ).values_list("period", "value", "denominator")
        if period in wanted
    }
