"""The web server killed while it commits a big import: nothing of the import is stored, and
the same upload commits whole once the server is back."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from sharedpurpose.improvement.models import (
    DataImport,
    DataPoint,
    DataPointChange,
    Measure,
    TeamMembership,
)
from tests.factories import MeasureFactory, MembershipFactory

from .browser import Browser
from .processes import (
    Server,
    free_port,
    other_database_sessions,
    session_cookies,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)

MEASURES = 10
DAYS = 10_000  # per measure: 100,000 rows in all
FIRST_DAY = date(1980, 1, 1)
#: Points already stored before the import, which the import changes: its change log.
STORED_DAYS = 50


def _csv(measures: list[Measure]) -> bytes:
    lines = ["measure,period,value"]
    for measure in measures:
        lines.extend(
            f"{measure.name},{(FIRST_DAY + timedelta(days=day)).isoformat()},{day % 97 + 2}"
            for day in range(DAYS)
        )
    return ("\n".join(lines) + "\n").encode()


def _import_is_writing() -> bool:
    """Whether the server's commit is inside its transaction, writing points."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL "
                "AND query ILIKE %s",
                ["%sp_points_stage%"],
            )
            row = cursor.fetchone()
        return bool(row and row[0])
    # SQLite's log was emptied before the commit: what it holds now are pages of points the
    # open transaction wrote out when they outgrew its cache.
    wal = Path(f"{connection.settings_dict['NAME']}-wal")
    return wal.exists() and wal.stat().st_size > 0


def _sqlite_log_emptied() -> None:
    """Empty SQLite's write-ahead log, so its growth shows the import writing."""
    with sqlite3.connect(connection.settings_dict["NAME"]) as db:
        busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert not busy


def test_a_server_killed_mid_commit_stores_nothing_and_the_upload_commits_after_restart(
    tmp_path: Path,
) -> None:
    member = MembershipFactory.create(role=TeamMembership.Role.MEMBER)
    team = member.team
    measures = [
        MeasureFactory.create(
            team=team, name=f"Beds {number:02d}", frequency=Measure.Frequency.DAILY
        )
        for number in range(MEASURES)
    ]
    DataPoint.objects.bulk_create(
        DataPoint(
            measure=measure,
            period=FIRST_DAY + timedelta(days=day),
            value=1,
            updated_at=timezone.now(),
        )
        for measure in measures
        for day in range(STORED_DAYS)
    )
    stored_before = MEASURES * STORED_DAYS
    cookies = session_cookies(member.user)

    server = Server(tmp_path, port=free_port())
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        server.wait_ready()
        browser = Browser(server.base, cookies=cookies)
        upload = browser.post_file(
            f"/teams/{team.slug}/imports/new/",
            {"measure": ""},
            field="file",
            filename="beds.csv",
            content=_csv(measures),
        )
        assert upload.status == 302, upload.text[-2000:]
        data_import = DataImport.objects.get(team=team)
        assert data_import.report["row_count"] == MEASURES * DAYS
        commit_path = f"/teams/{team.slug}/imports/{data_import.pk}/commit/"
        if connection.vendor == "sqlite":
            _sqlite_log_emptied()

        committing = pool.submit(browser.post, commit_path, {})
        wait_until(
            lambda: _import_is_writing() or committing.done(),
            timeout=120,
            what="the commit to start writing points",
            interval=0.05,
        )
        assert not committing.done(), "the commit finished before the server was killed"
    finally:
        server.kill()
        pool.shutdown()
    assert isinstance(committing.exception(), OSError)  # the connection died with the server

    wait_until(
        lambda: other_database_sessions() == 0,
        timeout=120,
        what="the database to end the killed server's sessions",
    )
    assert DataPoint.objects.count() == stored_before
    assert set(DataPoint.objects.values_list("value", flat=True)) == {1}
    assert not DataPointChange.objects.exists()
    data_import.refresh_from_db()
    assert data_import.status == DataImport.Status.UPLOADED

    restarted = Server(tmp_path, port=free_port())
    try:
        restarted.wait_ready()
        answer = Browser(restarted.base, cookies=cookies).post(commit_path, {})
    finally:
        restarted.stop()

    assert answer.status == 302, answer.text[-2000:]
    data_import.refresh_from_db()
    assert data_import.status == DataImport.Status.COMMITTED
    assert (data_import.points_created, data_import.points_updated) == (
        MEASURES * (DAYS - STORED_DAYS),
        stored_before,
    )
    assert DataPoint.objects.count() == MEASURES * DAYS
    assert DataPointChange.objects.filter(data_import=data_import).count() == stored_before
