"""The points importers fuzzed: CSV text and Excel workbooks as people and broken software
make them, and batches sent to the API's bulk endpoint, which shares the importers' writer.

Whatever the file: no exception but a ``ValidationError`` leaves the importer; a refused
file or batch stores no point and no change-log row (all or nothing), and a problem in a
row names its line and a column of the file's header. And every CSV the site exports keeps
text a spreadsheet would run as a formula from running.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from sharedpurpose.accounts.models import User
from sharedpurpose.applications.models import ApplicationOrganisation, ApplicationState
from sharedpurpose.evidence.services.compute import evidence_compute_for_use
from sharedpurpose.improvement.models import (
    DataImport,
    DataPoint,
    DataPointChange,
    Measure,
    Team,
    TeamMembership,
)
from sharedpurpose.improvement.services.imports import data_import_commit, data_import_upload
from tests.applications.factories import ApplicationFactory, AssignmentFactory, CriterionFactory
from tests.evidence.factories import BASELINE, STEP_DOWN, InterventionFactory, site_with
from tests.factories import MeasureFactory, MembershipFactory, ProgrammeFactory, RoundFactory
from tests.programmes.factories_rounds import staff_create
from tests.security.fuzz_support import AWKWARD_TEXT, rolled_back

pytestmark = pytest.mark.django_db

FUZZ_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
#: What a spreadsheet runs as a formula when a cell starts with it (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def lead() -> TeamMembership:
    """A team lead whose team has monthly, weekly, per-cent and p-chart measures, with data."""
    membership = MembershipFactory.create(role=TeamMembership.Role.LEAD)
    team = membership.team
    monthly = MeasureFactory.create(team=team, name="Falls")
    MeasureFactory.create(team=team, name="Waits", frequency=Measure.Frequency.WEEKLY)
    MeasureFactory.create(team=team, name="Share seen", unit="%")
    MeasureFactory.create(team=team, name="Readmitted", chart_type="p")
    DataPoint.objects.bulk_create(
        DataPoint(measure=monthly, period=date(2024, month, 1), value=month)
        for month in range(1, 7)
    )
    return membership


def stored_points() -> list[tuple[Any, ...]]:
    return list(
        DataPoint.objects.order_by("measure", "period").values_list(
            "measure", "period", "value", "denominator"
        )
    )


# Files --------------------------------------------------------------------------------------

HEADERS = (
    ["period", "value"],
    ["period", "value", "denominator"],
    ["Date", "Falls"],
    ["month", "measure", "value", "n"],
    ["Week commencing", "Series", "Count"],
    ["x", "y"],
    ["wrong", "header"],
    ["value", "period"],
    [""],
    ["=cmd|' /C calc'!A0", "@SUM(1+1)"],
)

dates_in_many_shapes = st.one_of(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)).flatmap(
        lambda d: st.sampled_from(
            [
                d.isoformat(),
                d.strftime("%d/%m/%Y"),
                d.strftime("%d/%m/%y"),
                d.strftime("%d.%m.%Y"),
                d.strftime("%d %b %Y"),
                d.strftime("%B %Y"),
                d.strftime("%b-%y"),
                d.strftime("%m/%Y"),
                d.strftime("%Y-%m"),
                f"{d.isoformat()}T00:00:00",
                str((d - date(1899, 12, 30)).days),
            ]
        )
    ),
    st.sampled_from(["2024-02-30", "31/02/2024", "0", "99999999", "2024-1-1", "Q1 2024"]),
)
numbers_in_many_shapes = st.one_of(
    st.integers(min_value=-(10**400), max_value=10**400).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(
        ["NaN", "nan", "inf", "-Infinity", "1e309", "1,234.5", "12%", "1_000", "٣", " 4 ", "+5"]
    ),
)
csv_cells = st.one_of(
    dates_in_many_shapes,
    numbers_in_many_shapes,
    st.sampled_from(AWKWARD_TEXT),
    st.sampled_from(["Falls", "falls", "Waits", "Share seen", "Readmitted", "Unknown"]),
    st.text(st.characters(codec="utf-8"), max_size=12),
)


def csv_quote(cell: str, delimiter: str) -> str:
    if any(ch in cell for ch in (delimiter, '"', "\n", "\r")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """CSV bytes: a header (or none), a grid of cells of every shape, any delimiter and line
    ending, empty lines, quoted newlines, a byte-order mark, UTF-8 or another encoding."""
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    header = draw(st.one_of(st.sampled_from(HEADERS), st.lists(csv_cells, max_size=4)))
    width = max(len(header), 1)
    rows = draw(
        st.lists(
            st.one_of(
                st.lists(csv_cells, min_size=width, max_size=width),
                st.lists(csv_cells, max_size=width + 2),
                st.just([]),
            ),
            max_size=12,
        )
    )
    lines = [delimiter.join(csv_quote(c, delimiter) for c in row) for row in [header, *rows]]
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]))
    body = text.encode(encoding, errors="replace")
    if draw(st.booleans()):
        # Past the part of the file read to guess its delimiter and encoding.
        body += "".join(
            f"{newline}{2000 + m // 12}-{m % 12 + 1:02d}-01,{m}" for m in range(6_000)
        ).encode()
    if draw(st.booleans()):
        # Mixed encodings: a line saved by another program, in another code page.
        body += newline.encode() + draw(st.sampled_from(["2024-03-01,é€", "2024-04-01,ü"])).encode(
            "cp1252"
        )
    return body


excel_cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**62), max_value=2**62),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
    st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)),
    st.times(),
    st.timedeltas(min_value=timedelta(days=-3), max_value=timedelta(days=3)),
    st.sampled_from(["=1/0", "=SUM(A1:A3)", "#DIV/0!", "#N/A", "=cmd|' /C calc'!A0"]),
    csv_cells,
)


def workbook_bytes(sheets: list[list[list[Any]]]) -> bytes:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for rows in sheets or [[]]:
        sheet = workbook.create_sheet()
        for row in rows:
            try:
                sheet.append(row)
            except (ValueError, TypeError, IllegalCharacterError):
                # openpyxl refuses some values outright (control characters, dates out of
                # its range); keep them as text.
                sheet.append([repr(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@st.composite
def xlsx_files(draw: st.DrawFn) -> bytes:
    """Workbooks with odd cell types on one or more sheets, and broken ones: cut short, with
    bytes flipped, a zip of something else, or no zip at all."""
    header = draw(st.one_of(st.sampled_from(HEADERS), st.lists(excel_cells, max_size=4)))
    rows = draw(st.lists(st.lists(excel_cells, max_size=5), max_size=10))
    extra = draw(st.lists(st.lists(st.lists(excel_cells, max_size=3), max_size=3), max_size=2))
    body = workbook_bytes([[list(header), *rows], *extra])
    damage = draw(st.sampled_from(["none", "truncate", "flip", "other zip", "random"]))
    # Where to cut or flip, as a share of the length: a saved workbook's length varies with
    # the time stamp it holds, and the draws must not.
    at = int(draw(st.floats(min_value=0, max_value=1, exclude_max=True)) * len(body))
    if damage == "truncate":
        body = body[:at]
    elif damage == "flip":
        body = body[:at] + bytes([body[at] ^ 0xFF]) + body[at + 1 :]
    elif damage == "other zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", draw(st.binary(max_size=200)))
            archive.writestr("xl/workbook.xml", draw(st.binary(max_size=200)))
        body = buffer.getvalue()
    elif damage == "random":
        body = draw(st.binary(min_size=1, max_size=500))
    return body


def assert_imported_whole_or_refused(
    member: TeamMembership, upload: SimpleUploadedFile, measure: Measure | None
) -> None:
    """Upload and commit ``upload``: only ValidationError may escape; a refused commit stores
    nothing and names line and column of each row's problem."""
    before = stored_points()
    changes_before = DataPointChange.objects.count()
    imports_before = DataImport.objects.count()
    try:
        data_import = data_import_upload(
            actor=member.user, team=member.team, upload=upload, measure=measure
        )
    except ValidationError as refused:
        note(f"refused at upload: {refused.messages}")
        assert refused.messages and all(m.strip() for m in refused.messages)
        assert DataImport.objects.count() == imports_before
        assert stored_points() == before
        return
    header = data_import_preview_header(data_import)
    try:
        data_import_commit(actor=member.user, data_import=data_import)
    except ValidationError as refused:
        note(f"refused at commit: {refused.messages}")
        assert refused.messages
        assert stored_points() == before
        assert DataPointChange.objects.count() == changes_before
        data_import.refresh_from_db()
        assert data_import.status != DataImport.Status.COMMITTED
        for problem in data_import.report.get("problems", []):
            assert problem["line"] > 0, problem
            assert problem["column"] in header or problem["column"] in ("measure", "denominator")
            assert problem["reason"]
        return
    data_import.refresh_from_db()
    assert data_import.status == DataImport.Status.COMMITTED
    report = data_import.report
    assert (
        data_import.points_created + data_import.points_updated + report["unchanged"]
        == report["row_count"]
    )
    assert len(stored_points()) == len(before) + data_import.points_created


def data_import_preview_header(data_import: DataImport) -> list[str]:
    from sharedpurpose.improvement.services.imports import data_import_preview

    try:
        return data_import_preview(data_import=data_import).header
    except ValidationError:
        return []


def test_any_csv_file_is_imported_whole_or_refused(lead: TeamMembership) -> None:
    measures = list(lead.team.measures.order_by("pk"))

    @FUZZ_SETTINGS
    @given(
        body=csv_files(),
        name=st.sampled_from(["data.csv", "DATA.TXT", "export.tsv"]),
        measure=st.sampled_from([None, *measures]),
    )
    # A clean file: two points added, one changed.
    @example(
        body=b"period,value\n2023-01-01,4\n2023-02-01,5\n2024-01-01,9\n",
        name="data.csv",
        measure=measures[0],
    )
    # A byte that is not UTF-8 past the part read to guess the delimiter.
    @example(
        body=b"period,value\n" + b"2020-01-01,1\n" * 7_000 + b"\xfc",
        name="data.csv",
        measure=measures[0],
    )
    def check(body: bytes, name: str, measure: Measure | None) -> None:
        with rolled_back():
            assert_imported_whole_or_refused(lead, SimpleUploadedFile(name, body), measure)

    check()


def test_any_workbook_is_imported_whole_or_refused(lead: TeamMembership) -> None:
    measures = list(lead.team.measures.order_by("pk"))

    @FUZZ_SETTINGS
    @given(body=xlsx_files(), measure=st.sampled_from([None, *measures]))
    # Excel keeps times of day and durations as cells of their own types.
    @example(
        body=workbook_bytes([[["period", "value"], [datetime(2024, 1, 1), time(12, 30)]]]),
        measure=measures[0],
    )
    def check(body: bytes, measure: Measure | None) -> None:
        with rolled_back():
            assert_imported_whole_or_refused(lead, SimpleUploadedFile("data.xlsx", body), measure)

    check()


# The API's bulk endpoint --------------------------------------------------------------------

json_numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-0", "1E5", "true", "null", '"7"']),
)


@st.composite
def bulk_bodies(draw: st.DrawFn, measure_ids: list[int]) -> str:
    """Raw JSON text (so NaN and 1e400 can be sent) of a bulk request."""
    points = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        measure = draw(
            st.one_of(
                st.sampled_from(measure_ids).map(str),
                st.sampled_from(["0", "-1", "9223372036854775808", '"1"', "1.5", "null"]),
            )
        )
        period = draw(
            st.one_of(
                dates_in_many_shapes.map(json.dumps),
                st.sampled_from(['"2024-01-01"', '"2024-02-01"', "20240101", "null"]),
            )
        )
        fields = [f'"measure": {measure}', f'"period": {period}']
        fields.append(f'"value": {draw(json_numbers)}')
        if draw(st.booleans()):
            fields.append(f'"denominator": {draw(json_numbers)}')
        if draw(st.integers(min_value=0, max_value=9)) == 0:
            fields.append('"extra": 1')
        points.append("{" + ", ".join(fields) + "}")
    return '{"points": [' + ", ".join(points) + "]}"


def test_a_bulk_batch_is_stored_whole_or_refused(lead: TeamMembership, client: Client) -> None:
    other_team_measure = MeasureFactory.create()
    measure_ids = [*lead.team.measures.values_list("pk", flat=True), other_team_measure.pk]
    client.force_login(lead.user)
    url = reverse("api:points_bulk")

    @FUZZ_SETTINGS
    @given(body=bulk_bodies(measure_ids))
    def check(body: str) -> None:
        with rolled_back():
            before = stored_points()
            changes_before = DataPointChange.objects.count()
            response = client.post(url, body, content_type="application/json")
            note(f"{response.status_code}: {response.content[:300]!r}")
            assert response.status_code < 500
            if response.status_code != 200:
                assert response["Content-Type"] == "application/problem+json"
                assert stored_points() == before
                assert DataPointChange.objects.count() == changes_before
                return
            counts = response.json()
            sent = body.count('"measure"')
            assert counts["created"] + counts["updated"] + counts["unchanged"] == sent
            assert len(stored_points()) == len(before) + counts["created"]

    check()


# Exports ------------------------------------------------------------------------------------

formulas = st.sampled_from(
    ["=cmd|' /C calc'!A0", "@SUM(A1)", "+1+1", "-2+3", '=HYPERLINK("x")', "\t=1+1"]
)
formula_text = st.one_of(
    formulas,
    st.tuples(st.sampled_from(FORMULA_STARTS), st.text(max_size=20)).map("".join),
    # A formula after a line break starts a row of its own in a spreadsheet.
    st.tuples(st.text(max_size=5), st.sampled_from(["\r", "\n", "\r\n"]), formulas).map("".join),
)


def is_plain_number(text: str) -> bool:
    return re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", text) is not None


def formula_cells(body: str) -> list[str]:
    """Cells of a CSV a spreadsheet would run: starting with a formula character and not a
    plain number. Read as a spreadsheet reads it: a carriage return outside quotes ends a
    row, so the text after it starts a cell of its own."""
    return [
        cell
        for row in csv.reader(io.StringIO(body, newline=None))
        for cell in row
        if cell.startswith(FORMULA_STARTS) and not is_plain_number(cell)
    ]


def evidence_world(text: str) -> tuple[str, str, str]:
    """A programme whose published team, site and intervention are named ``text``, and a
    round whose ranked application and lead organisation are too: the programme's slug, the
    round's panel address and the team's measure export address."""
    round_ = RoundFactory.create(programme=ProgrammeFactory.create(name=text[:200] or "P"))
    intervention = InterventionFactory.create(name=text[:200] or "I")
    team = Team.objects.create(
        round=round_, slug="formula-team", name=text[:200] or "T", is_published=True
    )
    use = site_with(intervention, BASELINE + STEP_DOWN, team=team)
    use.site = text[:200]
    use.save()
    evidence_compute_for_use(use)
    application = ApplicationFactory.create(
        round=round_, title=text[:300] or "A", state=ApplicationState.IN_ASSESSMENT
    )
    ApplicationOrganisation.objects.filter(application=application).update(name=text[:200] or "O")
    CriterionFactory.create(round=round_)
    AssignmentFactory.create(application=application)
    measure = team.measures.order_by("pk").first()
    assert measure is not None
    panel = reverse(
        "applications:panel",
        kwargs={"programme_slug": round_.programme.slug, "round_slug": round_.slug},
    )
    export = reverse(
        "improvement:measure_export",
        kwargs={"team_slug": team.slug, "measure_id": measure.pk, "fmt": "csv"},
    )
    return round_.programme.slug, panel, export


def test_csv_exports_never_hand_a_spreadsheet_a_formula(client: Client) -> None:
    staff: User = staff_create()

    @settings(FUZZ_SETTINGS, max_examples=15)
    @given(text=formula_text)
    def check(text: str) -> None:
        with rolled_back():
            programme_slug, panel, export = evidence_world(text)
            client.force_login(staff)
            bodies = {
                "evidence": client.get(
                    reverse("evidence:programme_export", args=[programme_slug, "csv"])
                ),
                "ranking": client.get(panel, {"format": "csv"}),
                "measure data": client.get(export),
            }
            for name, response in bodies.items():
                assert response.status_code == 200, name
                assert formula_cells(response.content.decode()) == [], name

    check()


def test_the_excel_export_holds_values_never_formulas(lead: TeamMembership) -> None:
    measure = lead.team.measures.get(name="Falls")
    measure.name = "=cmd|' /C calc'!A0"
    measure.save()
    client = Client()
    client.force_login(lead.user)

    response = client.get(
        reverse(
            "improvement:measure_export",
            kwargs={"team_slug": lead.team.slug, "measure_id": measure.pk, "fmt": "xlsx"},
        )
    )

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    kinds = {cell.data_type for row in sheet.iter_rows() for cell in row}
    assert "f" not in kinds
    assert sheet.max_row == 7
