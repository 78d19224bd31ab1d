"""Importing files: upload limits, preview, all-or-nothing commit, re-import, audit, access."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sharedpurpose.core.models import AuditEvent
from sharedpurpose.improvement.models import (
    DataImport,
    DataPoint,
    DataPointChange,
    Measure,
    TeamMembership,
)
from sharedpurpose.improvement.services import imports as services
from tests.factories import MeasureFactory, MembershipFactory, TeamFactory
from tests.improvement.factories_data import DataPointFactory, csv_upload, xlsx_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def member() -> TeamMembership:
    return MembershipFactory.create(role=TeamMembership.Role.DATA_CONTRIBUTOR)


def points(measure: Measure) -> list[tuple[date, float | None]]:
    return list(measure.points.order_by("period").values_list("period", "value"))


def test_a_clean_file_is_committed_and_recorded(member: TeamMembership) -> None:
    measure = MeasureFactory.create(team=member.team)
    upload = csv_upload("period,value\n2024-01-01,4\n2024-02-01,5\n")

    data_import = services.data_import_upload(
        actor=member.user, team=member.team, upload=upload, measure=measure
    )
    services.data_import_commit(actor=member.user, data_import=data_import)

    data_import.refresh_from_db()
    assert data_import.status == DataImport.Status.COMMITTED
    assert (data_import.points_created, data_import.points_updated) == (2, 0)
    assert points(measure) == [(date(2024, 1, 1), 4.0), (date(2024, 2, 1), 5.0)]
    assert Measure.objects.get(pk=measure.pk).data_version == measure.data_version + 1
    event = AuditEvent.objects.get(action="data_import.commit")
    assert event.actor == member.user and event.scope == f"team:{member.team.pk}"
    assert not DataPointChange.objects.exists()  # created points are counted by the import


def test_one_bad_row_stores_nothing_and_reports_line_and_column(member: TeamMembership) -> None:
    measure = MeasureFactory.create(team=member.team)
    DataPointFactory.create(measure=measure, period=date(2024, 1, 1), value=1.0)
    upload = csv_upload("period,value\n2024-01-01,9\n" + "2024-02-01,abc\n")
    data_import = services.data_import_upload(
        actor=member.user, team=member.team, upload=upload, measure=measure
    )
    assert data_import.status == DataImport.Status.INVALID

    with pytest.raises(ValidationError, match="1 problem; nothing was imported"):
        services.data_import_commit(actor=member.user, data_import=data_import)

    data_import.refresh_from_db()
    assert data_import.status == DataImport.Status.INVALID
    assert data_import.report["problems"] == [
        {"line": 3, "column": "value", "reason": "'abc' is not a number"}
    ]
    assert points(measure) == [(date(2024, 1, 1), 1.0)]
    assert not DataPointChange.objects.exists()


def test_a_bad_row_after_many_written_chunks_still_stores_nothing(
    member: TeamMembership, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "WRITE_CHUNK_ROWS", 10)
    measure = MeasureFactory.create(team=member.team, frequency=Measure.Frequency.DAILY)
    good = "".join(f"2024-01-{d:02d},{d}\n" for d in range(1, 31))
    data_import = services.data_import_upload(
        actor=member.user,
        team=member.team,
        upload=csv_upload("period,value\n" + good + "2024-01-31,oops\n"),
        measure=measure,
    )

    with pytest.raises(ValidationError):
        services.data_import_commit(actor=member.user, data_import=data_import)

    assert points(measure) == []
    assert Measure.objects.get(pk=measure.pk).data_version == measure.data_version


def test_reimport_updates_matching_periods_and_logs_old_to_new(member: TeamMembership) -> None:
    measure = MeasureFactory.create(team=member.team)
    first = services.data_import_upload(
        actor=member.user,
        team=member.team,
        upload=csv_upload("period,value\n2024-01-01,4\n2024-02-01,5\n"),
        measure=measure,
    )
    services.data_import_commit(actor=member.user, data_import=first)

    second = services.data_import_upload(
        actor=member.user,
        team=member.team,
        upload=csv_upload("period,value\n2024-01-01,4\n2024-02-01,6\n2024-03-01,7\n"),
        measure=measure,
    )
    services.data_import_commit(actor=member.user, data_import=second)

    second.refresh_from_db()
    assert (second.points_created, second.points_updated) == (1, 1)
    assert points(measure) == [
        (date(2024, 1, 1), 4.0),
        (date(2024, 2, 1), 6.0),
        (date(2024, 3, 1), 7.0),
    ]
    change = DataPointChange.objects.get()
    assert (change.period, change.old_value, change.new_value) == (date(2024, 2, 1), 5.0, 6.0)
    assert change.source == DataPointChange.Source.IMPORT and change.data_import == second
    assert change.changed_by == member.user


def test_a_committed_import_cannot_be_committed_twice(member: TeamMembership) -> None:
    measure = MeasureFactory.create(team=member.team)
    data_import = services.data_import_upload(
        actor=member.user,
        team=member.team,
        upload=csv_upload("period,value\n2024-01-01,4\n"),
        measure=measure,
    )
    services.data_import_commit(actor=member.user, data_import=data_import)
    with pytest.raises(ValidationError, match="already been imported"):
        services.data_import_commit(actor=member.user, data_import=data_import)


def test_a_workbook_with_several_measures_updates_each(member: TeamMembership) -> None:
    falls = MeasureFactory.create(team=member.team, name="Falls")
    harm = MeasureFactory.create(team=member.team, name="Harm-free care", unit="%", chart_type="p")
    other_team_measure = MeasureFactory.create(name="Secret")
    upload = xlsx_upload(
        [
            ["Measure", "Month", "Value", "Denominator"],
            ["Falls", "2024-01-01", 3, None],
            ["harm-free care", "01/01/2024", 90, 100],
        ]
    )

    data_import = services.data_import_upload(actor=member.user, team=member.team, upload=upload)
    services.data_import_commit(actor=member.user, data_import=data_import)

    assert points(falls) == [(date(2024, 1, 1), 3.0)]
    assert list(harm.points.values_list("value", "denominator")) == [(90.0, 100.0)]
    assert not other_team_measure.points.exists()


def test_another_teams_measure_named_in_a_file_is_refused(member: TeamMembership) -> None:
    MeasureFactory.create(name="Secret")
    data_import = services.data_import_upload(
        actor=member.user,
        team=member.team,
        upload=csv_upload("measure,period,value\nSecret,2024-01-01,1\n"),
    )
    assert data_import.report["problems"] == [
        {"line": 2, "column": "measure", "reason": "'Secret' is not a measure of this team"}
    ]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("data.pdf", b"%PDF"), "must be a CSV file"),
        (SimpleUploadedFile("data.csv", b""), "The file is empty"),
        (SimpleUploadedFile("data.xlsx", b"period,value\n"), "not an Excel workbook"),
        (SimpleUploadedFile("data.csv", b"\x00\x01\x02"), "not a text CSV"),
    ],
)
def test_uploads_that_cannot_be_read_are_refused(
    member: TeamMembership, upload: SimpleUploadedFile, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        services.data_import_upload(actor=member.user, team=member.team, upload=upload)
    assert not DataImport.objects.exists()


def test_files_over_the_size_limit_are_refused(
    member: TeamMembership, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "MAX_IMPORT_BYTES", 10)
    with pytest.raises(ValidationError, match="smaller than"):
        services.data_import_upload(
            actor=member.user, team=member.team, upload=csv_upload("period,value\n2024-01-01,1\n")
        )


def test_a_mapping_can_be_changed_and_must_name_period_and_value(member: TeamMembership) -> None:
    measure = MeasureFactory.create(team=member.team)
    data_import = services.data_import_upload(
        actor=member.user,
        team=member.team,
        upload=csv_upload("Date,a,b\n2024-01-01,x,5\n"),
        measure=measure,
    )
    assert data_import.status == DataImport.Status.INVALID  # the suggested column holds "x"

    with pytest.raises(ValidationError, match="holds the value"):
        services.data_import_map(actor=member.user, data_import=data_import, mapping={"period": 0})
    services.data_import_map(
        actor=member.user, data_import=data_import, mapping={"period": 0, "value": 2}
    )

    data_import.refresh_from_db()
    assert data_import.status == DataImport.Status.UPLOADED
    assert data_import.report["problem_count"] == 0
    services.data_import_commit(actor=member.user, data_import=data_import)
    assert points(measure) == [(date(2024, 1, 1), 5.0)]


# Pages ----------------------------------------------------------------------------------------


def test_the_preview_shows_rows_and_the_report_and_commit_stores_nothing(
    client: Client, member: TeamMembership
) -> None:
    measure = MeasureFactory.create(team=member.team)
    client.force_login(member.user)
    slug = member.team.slug

    response = client.post(
        f"/teams/{slug}/imports/new/",
        {"measure": measure.pk, "file": csv_upload("period,value\n2024-01-01,4\n2024-02-01,x\n")},
    )
    data_import = DataImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/teams/{slug}/imports/{data_import.pk}/"

    html = client.get(response["Location"]).content.decode()
    assert "Line 3, column value: &#x27;x&#x27; is not a number" in html
    assert "2024-01-01" in html

    response = client.post(f"/teams/{slug}/imports/{data_import.pk}/commit/", follow=True)
    assert "nothing was imported" in response.content.decode()
    assert not DataPoint.objects.exists()


def test_the_upload_page_shows_a_clear_error_for_a_wrong_file(
    client: Client, member: TeamMembership
) -> None:
    client.force_login(member.user)
    response = client.post(
        f"/teams/{member.team.slug}/imports/new/",
        {"file": SimpleUploadedFile("notes.docx", b"PK")},
    )
    assert response.status_code == 400
    assert "must be a CSV file (.csv) or an Excel workbook (.xlsx)" in response.content.decode()


def test_a_coach_may_look_at_imports_but_not_upload(client: Client) -> None:
    coach = MembershipFactory.create(role=TeamMembership.Role.COACH)
    client.force_login(coach.user)
    slug = coach.team.slug
    assert client.get(f"/teams/{slug}/imports/").status_code == 200
    assert client.get(f"/teams/{slug}/imports/new/").status_code == 403


def test_another_teams_member_gets_404_for_its_imports(
    client: Client, member: TeamMembership
) -> None:
    measure = MeasureFactory.create(team=member.team)
    data_import = services.data_import_upload(
        actor=member.user,
        team=member.team,
        upload=csv_upload("period,value\n2024-01-01,4\n"),
        measure=measure,
    )
    outsider = MembershipFactory.create(team=TeamFactory.create())
    client.force_login(outsider.user)
    slug = member.team.slug

    assert client.get(f"/teams/{slug}/imports/{data_import.pk}/").status_code == 404
    assert client.post(f"/teams/{slug}/imports/{data_import.pk}/commit/").status_code == 404
    # Nor through their own team's address.
    own = outsider.team.slug
    assert client.get(f"/teams/{own}/imports/{data_import.pk}/").status_code == 404
    assert not DataPoint.objects.exists()


def test_the_mapping_form_saves_the_columns(client: Client, member: TeamMembership) -> None:
    measure = MeasureFactory.create(team=member.team)
    data_import = services.data_import_upload(
        actor=member.user,
        team=member.team,
        upload=csv_upload("when,a,b\n2024-01-01,x,5\n"),
        measure=measure,
    )
    client.force_login(member.user)
    url = f"/teams/{member.team.slug}/imports/{data_import.pk}/"

    bad = client.post(url, {"column_0": "period", "column_1": "value", "column_2": "value"})
    assert bad.status_code == 400
    assert "only one column can hold the value" in bad.content.decode()

    response = client.post(url, {"column_0": "period", "column_1": "", "column_2": "value"})
    assert response.status_code == 302
    data_import.refresh_from_db()
    assert data_import.mapping == {"fields": {"period": 0, "value": 2}}
    assert data_import.status == DataImport.Status.UPLOADED
