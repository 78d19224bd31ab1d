from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from sharedpurpose.evidence.models import CaseStudy, EvidenceRow
from sharedpurpose.improvement.models import TeamMembership
from tests.evidence.case_study_factories import staff_user
from tests.factories import PASSWORD, MembershipFactory
from tests.improvement.factories_charts import measure_with_points

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

REMOTE_SHARE = "Share of consultations held remotely"


def _demo_with_telemedicine_evidence() -> None:
    """The demo: its case studies, and Eastfield's remote follow-up recorded as telemedicine."""
    call_command("demo", stdout=StringIO())
    assert EvidenceRow.objects.filter(
        use__intervention__slug="telemedicine", measure__name=REMOTE_SHARE
    ).exists()


def test_the_public_search_the_library_and_read_a_case_study_with_its_charts(
    live_server: object, page: Page
) -> None:
    # Given the demo's published case studies
    _demo_with_telemedicine_evidence()
    base = str(live_server)

    # When a member of the public opens the library from the header
    page.goto(base + "/")
    assert_accessible(page)  # once the header's scripts have laid out its links
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Case studies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case studies")
    expect(page.get_by_role("heading", name="3 case studies found")).to_be_visible()
    assert_accessible(page)

    # And searches for telemedicine
    page.get_by_label("Search case studies").fill("telemedicine")
    page.get_by_role("button", name="Search case studies").click()

    # Then only the telemedicine case study is found, and the address keeps the search
    expect(page.get_by_role("heading", name="1 case study found")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/case-studies/\?q=telemedicine"))
    results = page.locator("#case-study-results")
    expect(results).to_contain_text("Video follow-ups patients choose")
    assert_accessible(page)

    # When they clear the search and filter by a corporate service, then by an outcome
    page.get_by_label("Search case studies").fill("")
    page.get_by_label("Corporate service").select_option(label="Estates and facilities")
    page.get_by_role("button", name="Search case studies").click()
    expect(page.get_by_role("heading", name="2 case studies found")).to_be_visible()
    page.get_by_label("Outcome", exact=True).select_option(label="Access and flow")
    page.get_by_role("button", name="Search case studies").click()
    expect(page.get_by_role("heading", name="1 case study found")).to_be_visible()
    assert_accessible(page)

    # And open the case study
    results.get_by_role("link", name=re.compile("Video follow-ups patients choose")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Video follow-ups")

    # Then its live charts are there, each a figure with an accessible name and a data table
    expect(page.get_by_role("img", name=re.compile(REMOTE_SHARE))).to_be_visible()
    page.get_by_text(f"{REMOTE_SHARE}: chart data as a table").click()
    expect(page.get_by_role("table", name=f"{REMOTE_SHARE}: chart data")).to_be_visible()
    # And the evidence computed from the team's data for telemedicine
    evidence = page.get_by_role("table", name=re.compile("data say about each intervention"))
    expect(evidence).to_contain_text("Telemedicine")
    expect(evidence.get_by_role("row", name=re.compile(REMOTE_SHARE))).to_contain_text(
        "95% interval"
    )
    assert_accessible(page)


def test_a_team_drafts_and_submits_and_staff_request_changes_then_publish(
    live_server: object, page: Page, browser: Browser
) -> None:
    # Given a team lead with a measure, and a member of programme staff
    lead = MembershipFactory.create(role=TeamMembership.Role.LEAD, user__full_name="Lee Lead")
    team = lead.team
    measure_with_points(team, name="Night falls", improvement_direction="decrease")
    staff = staff_user()
    base = str(live_server)

    # When the lead opens the team's case studies and writes one
    sign_in(page, base, lead.user.email, PASSWORD)
    page.goto(f"{base}/teams/{team.slug}/workspace/")
    page.get_by_role("navigation", name="Team workspace").get_by_role(
        "link", name="Case studies"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case studies")
    assert_accessible(page)
    page.get_by_role("button", name="Write a case study").click()
    page.get_by_label("Title").fill("Sensor lighting at night")
    page.get_by_label("Summary").fill("Fewer falls on the way to the bathroom.")
    page.get_by_label("Outcome area").select_option(label="Patient safety")
    page.get_by_label("The problem").fill("Falls at night.")
    page.get_by_label("What we did").fill("We fitted **sensor lighting** in one bay.")
    page.get_by_label("Results", exact=True).fill("Falls shifted down.")
    page.get_by_label("What we learnt").fill("Ask the night staff.")
    page.get_by_label("Estates and facilities").check()
    page.get_by_label("Night falls").check()

    # And previews the text
    page.get_by_role("button", name="Preview the text").click()
    preview = page.get_by_role("region", name="Preview")
    expect(preview.locator("strong")).to_have_text("sensor lighting")
    assert_accessible(page)

    # And saves and submits it
    page.get_by_role("button", name="Save the case study").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sensor lighting at night")
    expect(page.get_by_role("main").locator(".nhsuk-tag").first).to_have_text("Draft")
    expect(page.get_by_role("img", name=re.compile("Night falls"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("status").filter(has_text="submitted for review")).to_be_visible()
    expect(page.get_by_role("link", name="Edit the case study")).to_have_count(0)

    # When staff open the review queue and ask for a change
    reviewer = browser.new_context().new_page()
    sign_in(reviewer, base, staff.email, PASSWORD)
    reviewer.goto(base + "/manage/case-studies/")
    expect(reviewer.get_by_role("heading", name="In review (1)")).to_be_visible()
    assert_accessible(reviewer)
    reviewer.get_by_role("link", name="Sensor lighting at night").click()
    expect(reviewer.get_by_role("img", name=re.compile("Night falls"))).to_be_visible()
    assert_accessible(reviewer)
    reviewer.get_by_role("button", name="Request changes").click()
    expect(reviewer.get_by_role("alert")).to_contain_text("Enter the changes the team should make")
    assert_accessible(reviewer)
    reviewer.get_by_label("What should the team change?").fill("Name the wards.")
    reviewer.get_by_role("button", name="Request changes").click()
    expect(reviewer.get_by_role("status").filter(has_text="Changes requested")).to_be_visible()
    assert "Name the wards." in mail.outbox[-1].body

    # Then the team sees the comment, edits the case study and submits it again
    page.reload()
    expect(page.get_by_role("main")).to_contain_text("Name the wards.")
    page.get_by_role("button", name="Edit the case study").click()
    page.get_by_label("The problem").fill("Falls at night on wards 7 to 10.")
    page.get_by_role("button", name="Save the case study").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("status").filter(has_text="submitted for review")).to_be_visible()

    # When staff publish it
    reviewer.reload()
    reviewer.get_by_role("button", name="Publish").click()
    expect(reviewer.get_by_role("status").filter(has_text="Published")).to_be_visible()

    # Then it is in the public library
    case_study = CaseStudy.objects.get()
    assert case_study.status == CaseStudy.Status.PUBLISHED
    reader = browser.new_context().new_page()
    reader.goto(f"{base}/case-studies/{case_study.slug}/")
    expect(reader.get_by_role("heading", level=1)).to_have_text("Sensor lighting at night")
    expect(reader.get_by_role("main")).to_contain_text("Falls at night on wards 7 to 10.")
    assert_accessible(reader)
