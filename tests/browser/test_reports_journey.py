from __future__ import annotations

import io

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from sharedpurpose.evidence.models import ProgrammeReport
from tests.evidence.factories import BASELINE, STEP_DOWN, InterventionFactory, site_with
from tests.factories import PASSWORD, ProgrammeFactory, RoundFactory, TeamFactory
from tests.programmes.factories_rounds import staff_create

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_generate_a_board_report_read_it_and_download_the_pdf(
    live_server: object, page: Page
) -> None:
    # Given a round whose two teams (one not yet published) use value-based interviewing
    programme = ProgrammeFactory.create(slug="closing-the-gap", name="Closing the Gap")
    round_ = RoundFactory.create(programme=programme, slug="round-3", number=3, name="Round 3")
    interviewing = InterventionFactory.create(name="Value-based interviewing")
    for name, published in (("Northmoor partnership", True), ("Ashby partnership", False)):
        team = TeamFactory.create(round=round_, name=name, is_published=published)
        site_with(interviewing, BASELINE + STEP_DOWN, team=team)
    staff = staff_create(full_name="Priya Shah")
    base = str(live_server)

    # When staff open the round's page and follow the link to its board reports
    sign_in(page, base, staff.email, PASSWORD)
    page.goto(f"{base}/manage/programmes/closing-the-gap/rounds/round-3/")
    page.get_by_role("link", name="Board reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Board reports")
    expect(page.get_by_text("No reports of this round yet.")).to_be_visible()
    assert_accessible(page)

    # And ask for a new report (the background task runs at once in tests)
    page.get_by_role("button", name="Generate a new report").click()

    # Then the list shows it ready, requested by them
    expect(
        page.get_by_role("status").filter(has_text="A new board report of Round 3")
    ).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Priya Shah")
    expect(row.get_by_text("Ready", exact=True)).to_be_visible()
    assert_accessible(page)

    # When they read the report in the browser
    row.get_by_role("link", name="Read the report").click()

    # Then it shows the cover, both teams, and the intervention with its strength of evidence
    expect(page.get_by_role("heading", level=1)).to_have_text("Closing the Gap")
    expect(page.get_by_role("heading", name="Ashby partnership")).to_be_visible()
    evidence = page.locator("#evidence")
    expect(evidence.get_by_role("heading", name="Value-based interviewing")).to_be_visible()
    expect(evidence).to_contain_text("Strength of evidence: Moderate")
    expect(evidence).to_contain_text("Sustained improvement at 2 of 2 sites.")
    expect(page.get_by_role("heading", name="How to read this report")).to_be_visible()
    assert_accessible(page)

    # When they go back and download the PDF
    page.go_back()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF").click()
    download = download_info.value

    # Then it is the round's PDF and its text says what the data say
    assert download.suggested_filename.startswith("closing-the-gap-round-3-report-")
    path = download.path()
    with open(path, "rb") as pdf:
        content = pdf.read()
    assert content.startswith(b"%PDF")
    text = " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(content)).pages
    )
    assert "Value-based interviewing" in text
    assert "Strength of evidence: Moderate" in text
    assert "Reduce falls on wards A to C by 30% by March 2026" in text


def test_the_reports_list_updates_by_itself_while_a_report_is_generated(
    live_server: object, page: Page
) -> None:
    # Given a report of the round still queued (no worker has picked it up)
    round_ = RoundFactory.create(programme__slug="closing-the-gap", slug="round-3")
    staff = staff_create()
    report = ProgrammeReport.objects.create(round=round_, requested_by=staff)
    base = str(live_server)
    sign_in(page, base, staff.email, PASSWORD)

    # When staff open the list, it shows the report queued
    page.goto(f"{base}/manage/programmes/closing-the-gap/rounds/round-3/reports/")
    expect(page.get_by_text("Queued", exact=True)).to_be_visible()
    expect(page.get_by_text("This list updates by itself")).to_be_visible()

    # And when the report fails in the background, the list shows it without a reload
    ProgrammeReport.objects.filter(pk=report.pk).update(
        status=ProgrammeReport.Status.FAILED, error="OSError: the disk is full"
    )
    expect(page.get_by_text("OSError: the disk is full")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("This list updates by itself")).to_have_count(0)
    assert_accessible(page)
