from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from sharedpurpose.demo.content import DEMO_PASSWORD
from sharedpurpose.improvement.models import Measure, Team, TeamMembership
from tests.factories import PASSWORD, MembershipFactory, UserFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

TEAM_ONE = "northmoor-value-based-interviewing"


def test_a_lead_invites_a_member_and_adopts_a_measure(
    live_server: object, page: Page, browser: Browser
) -> None:
    # Given the demo, whose team member leads the Northmoor team
    call_command("demo", stdout=StringIO())
    base = str(live_server)
    sign_in(page, base, "team@demo.example.org", DEMO_PASSWORD)

    # When the lead opens the members page and invites a new member by e-mail
    page.goto(f"{base}/teams/{TEAM_ONE}/members/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
    assert_accessible(page)
    page.get_by_label("E-mail address").fill("new.nurse@example.org")
    page.get_by_label("Team role").select_option("member")
    page.get_by_label("Side", exact=True).select_option("clinical")
    page.get_by_label("Clinical service, specialty or ward").fill("Acute medical unit")
    page.get_by_role("button", name="Send invitation").click()

    # Then the invitation is pending and its link is e-mailed
    expect(
        page.get_by_role("status").filter(has_text="Invitation sent to new.nurse@example.org")
    ).to_be_visible()
    expect(page.get_by_role("cell", name="new.nurse@example.org", exact=True)).to_be_visible()
    assert_accessible(page)
    link = re.search(r"https?://\S+/teams/invitations/\S+/", str(mail.outbox[-1].body))
    assert link is not None
    path = "/teams/invitations/" + link.group(0).split("/teams/invitations/")[1]

    # When the invitee, signed in with that address in their own browser, accepts
    UserFactory.create(email="new.nurse@example.org", full_name="Nia Okoro")
    invitee = browser.new_context().new_page()
    sign_in(invitee, base, "new.nurse@example.org", PASSWORD)
    invitee.goto(base + path)
    expect(invitee.get_by_role("heading", level=1)).to_contain_text("Join Northmoor")
    assert_accessible(invitee)
    invitee.get_by_role("button", name="Accept and join the team").click()

    # Then they see the team's workspace
    expect(
        invitee.get_by_role("status").filter(has_text="You have joined Northmoor")
    ).to_be_visible()
    expect(invitee).to_have_url(f"{base}/teams/{TEAM_ONE}/workspace/")
    expect(invitee.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Northmoor")
    assert_accessible(invitee)
    assert TeamMembership.objects.get(user__email="new.nurse@example.org").role == "member"

    # When the lead adopts a measure from the library into the goal and sets its target
    page.goto(f"{base}/teams/{TEAM_ONE}/measures/library/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Measures")
    assert_accessible(page)
    page.get_by_role("button", name="Adopt Sickness absence rate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Change the measure Sickness absence rate"
    )
    assert_accessible(page)
    page.get_by_label("Target (optional)").fill("0.035")
    page.get_by_role("button", name="Save changes").click()

    # Then the measure belongs to the goal with the new target
    expect(
        page.get_by_role("status").filter(has_text="Sickness absence rate was saved")
    ).to_be_visible()
    assert_accessible(page)
    measure = Measure.objects.get(team__slug=TEAM_ONE, name="Sickness absence rate")
    assert measure.target == 0.035 and measure.goal is not None
    assert measure.library_key == "wi-sickness-absence"

    # And a member of another team is refused the workspace
    other = MembershipFactory.create(
        team=Team.objects.get(slug="eastfield-telemedicine"), user__full_name="Ola Berg"
    )
    outsider = browser.new_context().new_page()
    sign_in(outsider, base, other.user.email, PASSWORD)
    response = outsider.goto(f"{base}/teams/{TEAM_ONE}/workspace/")
    assert response is not None and response.status == 404
    expect(outsider.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(outsider)
