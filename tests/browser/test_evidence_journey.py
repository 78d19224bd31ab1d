from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from sharedpurpose.demo.content import DEMO_PASSWORD
from sharedpurpose.demo.evidence import evidence_demo_load

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

TEAM_ONE = "northmoor-value-based-interviewing"
BUDDY = "A buddy on the same shift pattern for every new starter"


def test_the_public_reads_the_evidence_and_a_member_links_a_change_idea(
    live_server: object, page: Page
) -> None:
    # Given the demo with its interventions and computed evidence
    call_command("demo", stdout=StringIO())
    evidence_demo_load()
    base = str(live_server)

    # When a member of the public opens the programme page and follows its evidence link
    page.goto(f"{base}/programmes/closing-the-gap/")
    page.get_by_role("link", name="Evidence of what works from Closing the Gap").click()

    # Then they see each intervention's roll-up, computed from the teams' data
    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence of what works")
    workforce = page.get_by_role("region", name="Workforce intelligence", exact=True)
    expect(workforce).to_contain_text(
        "Sustained improvement at 1 of 1 site; balancing measures stable."
    )
    expect(page.get_by_role("region", name="Value-based interviewing", exact=True)).to_contain_text(
        "Baseline too short to judge: 6 points before the start, 12 needed."
    )
    assert_accessible(page)

    # When they open an intervention
    workforce.get_by_role("link", name="Workforce intelligence", exact=True).click()

    # Then its rows per site show the change, its interval and the time to the first signal
    expect(page.get_by_role("heading", level=1)).to_have_text("Workforce intelligence")
    expect(page.get_by_role("heading", name="Evidence by site")).to_be_visible()
    rows = page.get_by_role("table", name="outcome and process measures")
    expect(rows).to_contain_text("Registered nurse vacancy rate")
    expect(rows).to_contain_text("95% interval")
    expect(rows).to_contain_text("after the start")
    expect(page.get_by_role("link", name="Registered nurse vacancy rate")).to_have_count(0)
    assert_accessible(page)

    # When the Northmoor lead links another change idea to value-based interviewing
    sign_in(page, base, "team@demo.example.org", DEMO_PASSWORD)
    page.goto(f"{base}/teams/{TEAM_ONE}/workspace/")
    page.get_by_role("navigation", name="Team workspace").get_by_role(
        "link", name="Interventions"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Interventions")
    assert_accessible(page)
    buddy = page.get_by_role("region", name=BUDDY, exact=True)
    buddy.get_by_label("Intervention").select_option(label="Value-based interviewing")
    buddy.get_by_label("Site").fill("Acute medical unit, Northmoor")
    buddy.get_by_role("button", name="Save").click()

    # Then the page says so, and their evidence page shows what the data say
    expect(page.get_by_role("status")).to_contain_text(
        "uses Value-based interviewing at Acute medical unit, Northmoor."
    )
    page.get_by_role("navigation", name="Team workspace").get_by_role(
        "link", name="Evidence"
    ).click()
    section = page.get_by_role(
        "region", name="Value-based interviewing: Acute medical unit, Northmoor", exact=True
    )
    expect(section).to_contain_text(BUDDY)
    expect(section).to_contain_text("Sustained improvement")
    expect(section.get_by_role("link", name="12-month retention of new starters")).to_be_visible()
    assert_accessible(page)
