"""The staff pages of board reports: who may open them, asking for a report, reading it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from sharedpurpose.evidence.models import ProgrammeReport
from sharedpurpose.evidence.services import reports as report_services
from sharedpurpose.programmes.models import Round
from tests.factories import MembershipFactory, ProgrammeFactory, RoundFactory, UserFactory
from tests.programmes.factories_rounds import staff_create

pytestmark = pytest.mark.django_db

REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@pytest.fixture
def round_() -> Round:
    programme = ProgrammeFactory.create(slug="closing-the-gap")
    return RoundFactory.create(programme=programme, slug="round-3", name="Closing the Gap 3")


@pytest.fixture
def staff_client(client: Client) -> Client:
    client.force_login(staff_create(full_name="Priya Shah"))
    return client


def _list_url(round_: Round) -> str:
    return reverse(
        "evidence:reports",
        kwargs={"programme_slug": round_.programme.slug, "round_slug": round_.slug},
    )


def _ready_report(round_: Round) -> ProgrammeReport:
    report = ProgrammeReport.objects.create(
        round=round_,
        status=ProgrammeReport.Status.READY,
        html="<!DOCTYPE html><html lang='en-GB'><title>Board report</title><h1>Board</h1></html>",
        finished_at=datetime(2025, 6, 2, 12, 0, tzinfo=UTC),
    )
    report.pdf.save("board.pdf", ContentFile(b"%PDF-1.7 a board report"))
    return report


def _urls(round_: Round, report: ProgrammeReport) -> list[str]:
    return [
        _list_url(round_),
        reverse("evidence:report", kwargs={"report_id": report.pk}),
        reverse("evidence:report_pdf", kwargs={"report_id": report.pk}),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, round_: Round) -> None:
    for url in _urls(round_, _ready_report(round_)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert client.post(_list_url(round_)).status_code == 302
    assert not ProgrammeReport.objects.filter(status="queued").exists()


def test_team_members_who_are_not_staff_are_refused(client: Client, round_: Round) -> None:
    member = MembershipFactory.create(team__round=round_).user
    client.force_login(member)

    for url in _urls(round_, _ready_report(round_)):
        assert client.get(url).status_code == 403, url
    assert client.post(_list_url(round_)).status_code == 403
    client.force_login(UserFactory.create())
    assert client.get(_list_url(round_)).status_code == 403


def test_staff_see_each_report_with_its_status_links_and_errors(
    staff_client: Client, round_: Round
) -> None:
    ready = _ready_report(round_)
    ProgrammeReport.objects.create(
        round=round_, status=ProgrammeReport.Status.FAILED, error="RuntimeError: no fonts"
    )
    ProgrammeReport.objects.create(round=RoundFactory.create(), status="failed", error="Other")

    response = staff_client.get(_list_url(round_))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Board reports</h1>" in html
    assert reverse("evidence:report", kwargs={"report_id": ready.pk}) in html
    assert reverse("evidence:report_pdf", kwargs={"report_id": ready.pk}) in html
    assert 'nhsuk-tag--green">Ready' in html and 'nhsuk-tag--red">Failed' in html
    assert "RuntimeError: no fonts" in html and "Other" not in html
    assert "hx-trigger" not in html


def test_asking_for_a_report_queues_it_and_generates_it_in_the_background(
    staff_client: Client,
    round_: Round,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(report_services, "pdf_from_html", lambda html: b"%PDF-1.7 tiny")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(_list_url(round_))

    assert response.status_code == 302 and response["Location"] == _list_url(round_)
    report = ProgrammeReport.objects.get(round=round_)
    assert report.status == ProgrammeReport.Status.READY
    assert report.requested_by is not None and report.requested_by.full_name == "Priya Shah"
    page = staff_client.get(_list_url(round_)).content.decode()
    assert "A new board report of Closing the Gap 3 has been requested." in page
    assert "Priya Shah" in page


def test_a_second_request_while_one_is_generating_is_refused_on_the_page(
    staff_client: Client, round_: Round
) -> None:
    ProgrammeReport.objects.create(round=round_, status=ProgrammeReport.Status.RUNNING)

    response = staff_client.post(_list_url(round_))

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "already being generated" in html
    assert "<title>Error: Board reports" in html
    assert ProgrammeReport.objects.filter(round=round_).count() == 1


def test_the_list_polls_with_htmx_only_while_a_report_is_pending(
    staff_client: Client, round_: Round
) -> None:
    report = ProgrammeReport.objects.create(round=round_)

    partial = staff_client.get(_list_url(round_), headers={"HX-Request": "true"})

    html = partial.content.decode()
    assert html.lstrip().startswith('<div id="report-list"')
    assert 'hx-trigger="every 3s"' in html and f'hx-get="{_list_url(round_)}"' in html
    assert "<html" not in html and "Queued" in html
    assert "HX-Request" in partial["Vary"]
    full = staff_client.get(_list_url(round_)).content.decode()
    assert 'hx-trigger="every 3s"' in full and "reload the page" in full

    ProgrammeReport.objects.filter(pk=report.pk).update(status=ProgrammeReport.Status.FAILED)
    done = staff_client.get(_list_url(round_), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done and "Failed" in done


def test_the_report_is_served_as_stored_with_a_policy_that_forbids_scripts(
    staff_client: Client, round_: Round
) -> None:
    report = _ready_report(round_)

    response = staff_client.get(reverse("evidence:report", kwargs={"report_id": report.pk}))

    assert response.status_code == 200
    assert response.content.decode() == report.html
    assert response["Content-Security-Policy"] == REPORT_CSP
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_the_pdf_downloads_as_an_attachment_named_after_the_round(
    staff_client: Client, round_: Round
) -> None:
    report = _ready_report(round_)

    response = staff_client.get(reverse("evidence:report_pdf", kwargs={"report_id": report.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="closing-the-gap-round-3-report-2025-06-02.pdf"'
    )
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("status", ["queued", "running", "failed"])
def test_a_report_that_is_not_ready_is_not_found(
    staff_client: Client, round_: Round, status: str
) -> None:
    report = ProgrammeReport.objects.create(round=round_, status=status)

    for name in ("evidence:report", "evidence:report_pdf"):
        assert staff_client.get(reverse(name, kwargs={"report_id": report.pk})).status_code == 404


def test_unknown_rounds_reports_and_methods_are_refused(
    staff_client: Client, round_: Round
) -> None:
    unknown_round = reverse(
        "evidence:reports", kwargs={"programme_slug": "closing-the-gap", "round_slug": "nope"}
    )
    assert staff_client.get(unknown_round).status_code == 404
    assert staff_client.post(unknown_round).status_code == 404
    assert staff_client.get("/manage/reports/999999/").status_code == 404
    report = _ready_report(round_)
    assert (
        staff_client.post(reverse("evidence:report", kwargs={"report_id": report.pk})).status_code
        == 405
    )


def test_a_ready_report_whose_file_is_gone_is_not_found(
    staff_client: Client, round_: Round
) -> None:
    report = _ready_report(round_)
    report.pdf.storage.delete(report.pdf.name)

    response = staff_client.get(reverse("evidence:report_pdf", kwargs={"report_id": report.pk}))

    assert response.status_code == 404


def test_the_rounds_staff_page_links_to_its_board_reports(
    staff_client: Client, round_: Round
) -> None:
    page = staff_client.get(
        reverse(
            "programmes:round_manage",
            kwargs={"programme_slug": round_.programme.slug, "round_slug": round_.slug},
        )
    ).content.decode()

    assert f'href="{_list_url(round_)}">Board reports</a>' in page
