"""Import measure data from CSV and Excel files: upload, map columns, preview, commit.

A commit is all or nothing: the file is read once, as a stream, inside one transaction;
rows are written in chunks while the file is clean, and the first problem stops the writing
(the rest is only checked, so the report is complete). A file with any problem leaves the
data as they were and the import marked invalid with its report.

Re-importing updates the points of matching (measure, period) instead of adding new ones,
through the writer the API shares (``points_upsert``). Each updated point gets a
``DataPointChange`` (old -> new, source IMPORT, who, when) linked to the import; created
points are recorded by the ``DataImport`` itself (who, when, how many). Imported points keep
``updated_at`` and leave ``updated_by`` empty: who imported them is on the import and in the
change log, and a million foreign-key checks on the user would cost more time than the whole
rest of a big import's database work.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from sharedpurpose.core.audit import audit_record

from .. import imports
from ..access import team_scope
from ..imports import (
    ImportFileError,
    ParsedRow,
    ProblemLog,
    SeriesRules,
    Table,
)
from ..models import DataImport, DataPointChange, Measure, Team
from .points_upsert import PointIn, points_writer

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User

MAX_IMPORT_BYTES = 100 * 1024 * 1024  # a million rows of CSV is about 30 MB
WRITE_CHUNK_ROWS = 5_000


@dataclass(frozen=True)
class ImportPreview:
    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]
    mapping: dict[str, int]
    mapping_problems: list[str]
    problems: list[imports.Problem]
    problem_count: int
    row_count: int

    @property
    def can_commit(self) -> bool:
        return not self.mapping_problems and not self.problem_count

    @property
    def column_fields(self) -> list[str]:
        """What each column holds ("" when ignored), in column order."""
        by_column = {position: name for name, position in self.mapping.items()}
        return [by_column.get(position, "") for position in range(len(self.header))]


# Upload -------------------------------------------------------------------------------------


def data_import_upload(
    *, actor: User, team: Team, upload: File[Any], measure: Measure | None = None
) -> DataImport:
    """Keep an uploaded file as a new import, with a suggested mapping and its report."""
    if measure is not None and measure.team_id != team.pk:
        raise ValidationError({"measure": "Choose a measure of this team"})
    filename = (upload.name or "").rsplit("/", 1)[-1]
    try:
        kind = imports.file_kind(filename)
    except ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": "The file is empty"})
    if size > MAX_IMPORT_BYTES:
        raise ValidationError(
            {"file": f"The file must be smaller than {MAX_IMPORT_BYTES // (1024 * 1024)} MB"}
        )
    upload.seek(0)
    try:
        with imports.table_open(upload, kind) as table:
            header = table.header
    except ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    upload.seek(0)
    data_import = DataImport(team=team, measure=measure, uploaded_by=actor, filename=filename)
    data_import.file.save(filename, upload, save=False)
    data_import.mapping = {
        "fields": imports.mapping_suggest(header, measure_names=[measure.name] if measure else [])
    }
    try:
        with transaction.atomic():
            data_import.save()
            _check_and_store(data_import)
    except ValidationError:
        # Damage past the header shows only now: keep neither the import nor its file.
        data_import.file.delete(save=False)
        raise
    audit_record(
        actor=actor,
        action="data_import.upload",
        obj=data_import,
        scope=team_scope(team),
        summary=f"Uploaded {filename} for import",
    )
    return data_import


def data_import_map(*, actor: User, data_import: DataImport, mapping: dict[str, int]) -> None:
    """Save which column holds which field, then check the whole file with it."""
    _not_committed(data_import)
    with _table(data_import) as table:
        problems = imports.mapping_problems(
            mapping, table.header, one_measure=data_import.measure_id is not None
        )
    if problems:
        raise ValidationError(problems)
    before = dict(data_import.mapping)
    data_import.mapping = {"fields": mapping}
    data_import.save(update_fields=["mapping"])
    _check_and_store(data_import)
    audit_record(
        actor=actor,
        action="data_import.map",
        obj=data_import,
        scope=team_scope(data_import.team),
        summary=f"Mapped the columns of {data_import.filename}",
        changes={"mapping": [before, data_import.mapping]},
    )


def data_import_preview(*, data_import: DataImport) -> ImportPreview:
    """The header, the first rows, the mapping and the stored report of an import."""
    mapping = _mapping(data_import)
    with _table(data_import) as table:
        rows = imports.preview_rows(table)
        mapping_problems = imports.mapping_problems(
            mapping, table.header, one_measure=data_import.measure_id is not None
        )
        header, header_line = table.header, table.header_line
    report = data_import.report or {}
    return ImportPreview(
        header=header,
        header_line=header_line,
        rows=rows,
        mapping=mapping,
        mapping_problems=mapping_problems,
        problems=[imports.Problem(**p) for p in report.get("problems", [])],
        problem_count=int(report.get("problem_count", 0)),
        row_count=int(report.get("row_count", 0)),
    )


# Commit -------------------------------------------------------------------------------------


class _Invalid(Exception):
    """Raised inside the commit's transaction to undo it."""


def data_import_commit(*, actor: User, data_import: DataImport) -> DataImport:
    """Store every row of the file, or none: ValidationError when any row has a problem."""
    _not_committed(data_import)
    team = data_import.team
    mapping = _mapping(data_import)
    one_measure = data_import.measure_id is not None
    problems = ProblemLog()
    writer = points_writer(
        actor=actor, source=DataPointChange.Source.IMPORT, data_import=data_import
    )
    measures = _measures_by_key(data_import)
    valid_rows = 0
    try:
        with transaction.atomic(), _table(data_import) as table:
            writer.start()
            mapping_problems = imports.mapping_problems(
                mapping, table.header, one_measure=one_measure
            )
            if mapping_problems:
                raise ValidationError(mapping_problems)
            rows = imports.rows_checked(
                table,
                mapping,
                rules_for=_rules_lookup(data_import),
                problems=problems,
                one_measure=one_measure,
            )
            measure_ids: dict[str, int] = {}
            for chunk in _chunks(rows, WRITE_CHUNK_ROWS):
                valid_rows += len(chunk)
                if problems:
                    continue  # keep reading so the report is complete; write no more
                writer.write(_as_points(chunk, measures, measure_ids))
            if problems:
                raise _Invalid
            counts = writer.finish()
    except _Invalid:
        _store_report(data_import, problems, valid_rows)
        raise ValidationError(
            f"The file has {_problems_phrase(problems.count)}; nothing was imported"
        ) from None
    except ImportFileError as exc:
        raise ValidationError(str(exc)) from exc

    data_import.status = DataImport.Status.COMMITTED
    data_import.committed_at = writer.now
    data_import.points_created = counts.created
    data_import.points_updated = counts.updated
    data_import.report = {
        "problems": [],
        "problem_count": 0,
        "row_count": writer.rows_read,
        "unchanged": counts.unchanged,
        "measures": sorted(m.name for m in measures.values() if m.pk in counts.by_measure),
    }
    data_import.save(
        update_fields=[
            "status",
            "committed_at",
            "points_created",
            "points_updated",
            "report",
        ]
    )
    audit_record(
        actor=actor,
        action="data_import.commit",
        obj=data_import,
        scope=team_scope(team),
        summary=(
            f"Imported {data_import.filename}: {counts.created} points added, "
            f"{counts.updated} updated"
        ),
        changes={
            "points_created": [0, counts.created],
            "points_updated": [0, counts.updated],
        },
    )
    return data_import


def _as_points(
    rows: list[ParsedRow], measures: dict[str, Measure], ids: dict[str, int]
) -> list[PointIn]:
    """Checked rows as points of the measures they name (``ids`` caches the look-up)."""
    for key in {row.measure_key for row in rows} - ids.keys():
        ids[key] = measures[imports.normalise(key)].pk
    return [
        PointIn(ids[key], period, value, denominator) for _, key, period, value, denominator in rows
    ]


# Helpers ------------------------------------------------------------------------------------


@contextmanager
def _table(data_import: DataImport) -> Iterator[Table]:
    kind = imports.file_kind(data_import.filename)
    try:
        stream = data_import.file.open("rb")
    except OSError as exc:
        raise ValidationError("The uploaded file is no longer available; upload it again") from exc
    try:
        with imports.table_open(stream, kind) as table:
            yield table
    except ImportFileError as exc:
        # Rows are read as the file streams; a file damaged past its header fails here.
        raise ValidationError(str(exc)) from exc
    finally:
        data_import.file.close()


def _mapping(data_import: DataImport) -> dict[str, int]:
    fields = (data_import.mapping or {}).get("fields", {})
    return {str(k): int(v) for k, v in fields.items()}


def _measures_by_key(data_import: DataImport) -> dict[str, Measure]:
    """The measures rows may name, by normalised name; "" is the import's own measure."""
    if data_import.measure is not None:
        return {"": data_import.measure}
    return {imports.normalise(m.name): m for m in data_import.team.measures.all()}


def _rules_lookup(data_import: DataImport) -> Any:
    measures = _measures_by_key(data_import)

    def rules_for(name: str) -> SeriesRules | None:
        measure = measures.get(imports.normalise(name))
        if measure is None:
            return None
        return SeriesRules(measure.frequency, measure.chart_type, measure.unit)

    return rules_for


def _check_and_store(data_import: DataImport) -> None:
    """Check the whole file with the import's mapping and keep the report for the preview."""
    mapping = _mapping(data_import)
    one_measure = data_import.measure_id is not None
    problems = ProblemLog()
    count = 0
    with _table(data_import) as table:
        if imports.mapping_problems(mapping, table.header, one_measure=one_measure):
            data_import.report = {}
            data_import.status = DataImport.Status.UPLOADED
            data_import.save(update_fields=["report", "status"])
            return
        for _ in imports.rows_checked(
            table,
            mapping,
            rules_for=_rules_lookup(data_import),
            problems=problems,
            one_measure=one_measure,
        ):
            count += 1
    _store_report(data_import, problems, count)


def _store_report(data_import: DataImport, problems: ProblemLog, row_count: int) -> None:
    data_import.report = {
        "problems": [p.as_dict() for p in problems.problems],
        "problem_count": problems.count,
        "row_count": row_count,
    }
    data_import.status = DataImport.Status.INVALID if problems.count else DataImport.Status.UPLOADED
    data_import.save(update_fields=["report", "status"])


def _not_committed(data_import: DataImport) -> None:
    if data_import.status == DataImport.Status.COMMITTED:
        raise ValidationError("This file has already been imported; upload it again to re-import")


def _chunks(rows: Iterator[ParsedRow], size: int) -> Iterator[list[ParsedRow]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _problems_phrase(count: int) -> str:
    return "1 problem" if count == 1 else f"{count:,} problems"
