"""The whole path of issue 6: a partnership applies, is assessed without conflicts, is awarded,
and becomes a team listed on the round's page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.applications.access import CONFLICT_MESSAGE
from sharedpurpose.applications.models import Application, ApplicationState
from sharedpurpose.improvement.models import Side, Team, TeamMembership
from tests.applications.factories import (
    ApplicationFormFactory,
    CriterionFactory,
    EligibilityQuestionFactory,
    OpenRoundFactory,
    QuestionFactory,
    SectionFactory,
)
from tests.factories import ProgrammeFactory, UserFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_partnership_applies_is_assessed_awarded_and_becomes_a_listed_team(
    live_server: object, page: Page, browser: Browser
) -> None:
    # Given a round open for applications with a form and one criterion
    base = str(live_server)
    programme = ProgrammeFactory.create(name="Demonstrating Effectiveness", slug="des")
    round_ = OpenRoundFactory.create(programme=programme, number=1, name="Scale-up round")
    form = ApplicationFormFactory.create(round=round_)
    EligibilityQuestionFactory.create(section=SectionFactory.create(form=form, position=0))
    QuestionFactory.create(
        section=SectionFactory.create(form=form, position=1, title="Your project"),
        label="What will the partnership change?",
        word_limit=50,
    )
    CriterionFactory.create(round=round_, name="Strength of the partnership")
    staff = UserFactory.create(full_name="Priya Staff")
    user_role_grant(user=staff, role=SiteRole.PROGRAMME_STAFF)
    conflicted = UserFactory.create(full_name="Carl Conflicted")
    assessor = UserFactory.create(full_name="Ama Assessor")
    for person in (conflicted, assessor):
        user_role_grant(user=person, role=SiteRole.ASSESSOR)
    lead = UserFactory.create(email="lena@example.org", full_name="Lena Lead")
    UserFactory.create(email="omar@example.org", full_name="Omar Clinician")

    # When the lead applicant starts an application from the round page
    sign_in(page, base, lead.email)
    page.goto(base + round_.get_absolute_url())
    page.get_by_role("link", name="Start an application").click()
    page.get_by_role("group", name="Is the lead organisation an NHS body in the UK?").get_by_label(
        "Yes"
    ).check()
    page.get_by_label("Project title").fill("Recruiting together")
    page.get_by_role("button", name="Start application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recruiting together")
    reference = Application.objects.get().reference

    # And names the organisations, their own side, and invites a clinical lead as partner
    page.get_by_role("link", name="Partnership").click()
    page.locator("#id_lead-name").fill("Fellside Hospitals")
    page.get_by_role("button", name="Save lead organisation").click()
    page.locator("#id_partner-name").fill("Fellside Council")
    page.get_by_role("button", name="Add partner").click()
    page.get_by_role("link", name="Change Lena Lead's side or area").click()
    page.get_by_label("Side").select_option("corporate")
    page.get_by_label("Corporate service").select_option("hr_workforce")
    page.get_by_role("button", name="Save").click()
    page.locator("#id_invite-email").fill("omar@example.org")
    page.locator("#id_invite-side").select_option("clinical")
    page.locator("#id_invite-clinical_area").fill("Emergency department")
    page.get_by_label("They will lead for their side").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to omar@example.org")

    # Then the partner accepts in their own browser and answers the project section
    link = re.search(r"/applications/invitations/\S+/", str(mail.outbox[-1].body))
    assert link is not None
    partner = browser.new_context().new_page()
    sign_in(partner, base, "omar@example.org")
    partner.goto(base + link.group(0))
    partner.get_by_role("button", name="Accept and join the application").click()
    expect(partner.get_by_role("status")).to_contain_text("You have joined the application")
    partner.goto(f"{base}/applications/{reference}/")
    partner.get_by_role("link", name="Your project").click()
    partner.get_by_label("What will the partnership change?").fill(
        "One recruitment team for nurses and porters"
    )
    partner.get_by_role("button", name="Save and return to the application").click()
    expect(partner.get_by_role("heading", level=1)).to_have_text("Recruiting together")

    # When the lead names themselves corporate lead, checks the answers and submits
    page.goto(f"{base}/applications/{reference}/partnership/")
    page.get_by_role("group", name="Corporate-services lead").get_by_label("Lena Lead").check()
    page.get_by_role("button", name="Save leads").click()
    page.goto(f"{base}/applications/{reference}/")
    page.get_by_role("link", name="Check answers and submit").click()
    expect(page.get_by_text("One recruitment team for nurses and porters")).to_be_visible()
    page.get_by_label(re.compile("I confirm that the information")).check()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Application submitted")
    assert_accessible(page)

    # When staff assign two assessors
    desk = browser.new_context().new_page()
    sign_in(desk, base, staff.email)
    desk.goto(f"{base}/manage/applications/{reference}/assessors/")
    for person in (conflicted, assessor):
        desk.get_by_label("Assessor").select_option(str(person.pk))
        desk.get_by_role("button", name="Assign").click()
        expect(
            desk.get_by_role("status").filter(has_text=f"{person.full_name} is assigned")
        ).to_be_visible()

    # Then the one who declares a conflict is refused the application
    carl = browser.new_context().new_page()
    sign_in(carl, base, conflicted.email)
    carl.goto(f"{base}/assess/{reference}/conflict/")
    carl.get_by_label("Yes, I have a conflict of interest").check()
    carl.get_by_label("If yes, describe the conflict").fill("My partner works at Fellside.")
    carl.get_by_role("button", name="Send declaration").click()
    for path in (f"/assess/{reference}/", f"/applications/{reference}/answers.pdf"):
        response = carl.goto(base + path)
        assert response is not None and response.status == 403
        expect(carl.get_by_text(CONFLICT_MESSAGE)).to_be_visible()
    assert_accessible(carl)

    # And the other declares none, scores and submits
    ama = browser.new_context().new_page()
    sign_in(ama, base, assessor.email)
    ama.goto(f"{base}/assess/{reference}/conflict/")
    ama.get_by_label("No, I have no conflict").check()
    ama.get_by_role("button", name="Send declaration").click()
    expect(ama.get_by_text("One recruitment team for nurses and porters")).to_be_visible()
    ama.get_by_role("group", name="Score for Strength of the partnership").get_by_label(
        "5", exact=True
    ).check()
    ama.get_by_label("Comment on Strength of the partnership").fill("Both sides lead.")
    ama.get_by_role("button", name="Submit scores").click()
    expect(ama.get_by_role("status").filter(has_text="scores were submitted")).to_be_visible()

    # When staff decide to award, send the letter, make the award and publish it
    desk.goto(f"{base}/manage/applications/{reference}/decision/")
    desk.get_by_label("Award", exact=True).check()
    desk.get_by_label("Feedback to the applicants").fill("A partnership led from both sides.")
    desk.get_by_role("button", name="Record the decision").click()
    expect(desk.get_by_role("status")).to_contain_text("recorded: award")
    desk.get_by_role("link", name="Send the round's decision letters").click()
    desk.get_by_role("button", name="Send 1 decision letter").click()
    expect(desk.get_by_role("status")).to_contain_text("1 decision letter is being sent.")
    desk.goto(f"{base}/manage/applications/{reference}/award/")
    desk.get_by_label("Amount (£)").fill("250000")
    desk.get_by_label("Start date").fill("2027-04-01")
    desk.get_by_label("End date").fill("2029-03-31")
    desk.get_by_label("Team web address").fill("recruiting-together")
    desk.get_by_label("Main innovation").fill("Value-based interviewing")
    desk.get_by_role("button", name="Make the award").click()
    expect(desk.get_by_role("status")).to_contain_text("Award made")
    desk.goto(f"{base}/manage/programmes/des/rounds/{round_.slug}/awards/")
    desk.get_by_role("button", name="Publish the awards").click()
    desk.get_by_role("button", name="Yes, publish the awards").click()
    expect(desk.get_by_role("status")).to_contain_text("1 award published")

    # Then the team exists with both leads carried over, the application kept for reference
    team = Team.objects.get(slug="recruiting-together")
    placements = {m.user.email: (m.role, m.side) for m in team.memberships.select_related("user")}
    assert placements == {
        "lena@example.org": (TeamMembership.Role.LEAD, Side.CORPORATE),
        "omar@example.org": (TeamMembership.Role.LEAD, Side.CLINICAL),
    }
    assert team.award.application.reference == reference
    assert team.award.application.state == ApplicationState.AWARDED
    assert set(team.organisations.values_list("name", flat=True)) == {
        "Fellside Hospitals",
        "Fellside Council",
    }

    # And the round's public page lists it, and its members reach their workspace
    reader = browser.new_context().new_page()
    reader.goto(base + round_.get_absolute_url())
    expect(reader.get_by_role("link", name="Recruiting together")).to_be_visible()
    assert_accessible(reader)
    response = page.goto(f"{base}/teams/recruiting-together/workspace/")
    assert response is not None and response.status == 200
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Recruiting together")
