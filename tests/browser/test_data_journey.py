from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from sharedpurpose.improvement.models import DataPoint, TeamMembership
from tests.factories import PASSWORD, MeasureFactory, MembershipFactory

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def upload(page: Page, base: str, slug: str, measure_id: int, text: str) -> None:
    page.goto(f"{base}/teams/{slug}/imports/new/?measure={measure_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a file")
    assert_accessible(page)
    page.get_by_label("Upload a file").set_input_files(
        {"name": "falls.csv", "mimeType": "text/csv", "buffer": text.encode()}
    )
    page.get_by_role("button", name="Upload and check").click()


def test_a_data_contributor_imports_fixes_and_corrects_data(
    live_server: Any, page: Page, settings: Any, tmp_path: Path
) -> None:
    # Given a data contributor of a team with a monthly measure and no data
    settings.MEDIA_ROOT = tmp_path
    membership = MembershipFactory.create(role=TeamMembership.Role.DATA_CONTRIBUTOR)
    measure = MeasureFactory.create(team=membership.team, name="Falls per 1,000 bed days")
    base, slug = str(live_server), membership.team.slug
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(membership.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Signed in as")

    # When they upload a CSV file with one bad row
    upload(page, base, slug, measure.pk, "period,value\n2024-01-01,6.1\n2024-02-01,abc\n")

    # Then the preview names the line and column of the problem, and nothing is stored
    expect(page.get_by_role("alert")).to_contain_text("Line 3, column value: 'abc' is not a number")
    expect(page.get_by_role("button", name="Import")).to_have_count(0)
    assert_accessible(page)
    assert not DataPoint.objects.exists()

    # When they fix the file, upload it again and import it
    upload(page, base, slug, measure.pk, "period,value\n2024-01-01,6.1\n2024-02-01,5.4\n")
    expect(page.get_by_role("alert")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Import 2 rows").click()

    # Then the grid shows the points
    expect(page.get_by_role("heading", level=1)).to_have_text("Data of Falls per 1,000 bed days")
    expect(page.get_by_role("status")).to_contain_text("2 points added")
    expect(page.get_by_label("Value for January 2024")).to_have_value("6.1")
    expect(page.get_by_label("Value for February 2024")).to_have_value("5.4")
    assert_accessible(page)

    # When they correct one value in the grid
    page.get_by_label("Value for February 2024").fill("4.5")
    page.get_by_role("button", name="Save data").click()
    expect(page.get_by_role("status")).to_contain_text("Saved 1 point.")
    expect(page.get_by_label("Value for February 2024")).to_have_value("4.5")

    # Then the history shows who changed it, from what to what
    page.get_by_role("link", name="History of changes").click()
    row = page.get_by_role("row").filter(has_text="February 2024")
    expect(row).to_contain_text(membership.user.get_full_name())
    expect(row).to_contain_text("5.4")
    expect(row).to_contain_text("4.5")
    expect(row).to_contain_text("Entered in the grid")
    assert_accessible(page)
