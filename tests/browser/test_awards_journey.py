from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.applications.models import (
    ApplicationOrganisation,
    ApplicationState,
    Score,
)
from sharedpurpose.improvement.models import Team, TeamMembership
from sharedpurpose.programmes.models import RoundState
from tests.applications.factories import (
    ApplicationFactory,
    AssignmentFactory,
    CollaboratorFactory,
    CriterionFactory,
)
from tests.factories import PASSWORD, RoundFactory, UserFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_decide_send_the_letters_award_and_publish_the_team(
    live_server: object, page: Page, browser: Browser
) -> None:
    # Given a closed round with an application that one assessor has scored
    base = str(live_server)
    round_ = RoundFactory.create(
        name="Shared Purpose 2027", state=RoundState.CLOSED, timezone="Europe/London"
    )
    application = ApplicationFactory.create(
        round=round_,
        reference="DES1-0001",
        title="Kinder rotas for ward nurses",
        state=ApplicationState.IN_ASSESSMENT,
    )
    CollaboratorFactory.create(
        application=application, user__full_name="Cleo Clinical", leads_side=True
    )
    ApplicationOrganisation.objects.create(application=application, name="Riverside Council")
    criterion = CriterionFactory.create(round=round_, name="Quality of the partnership")
    assignment = AssignmentFactory.create(
        application=application,
        assessor__full_name="Ada Assessor",
        submitted_at=timezone.now(),
    )
    Score.objects.create(
        assignment=assignment, criterion=criterion, score=4, comment="Convincing plan."
    )
    staff = UserFactory.create(full_name="Sam Staff")
    user_role_grant(user=staff, role=SiteRole.PROGRAMME_STAFF)
    sign_in(page, base, staff.email, PASSWORD)

    # When staff read the assessors' view and record an award decision
    page.goto(f"{base}/manage/applications/DES1-0001/decision/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Decision on Kinder rotas for ward nurses"
    )
    expect(page.get_by_role("cell", name="80.0%")).to_be_visible()
    expect(page.get_by_text("Convincing plan.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose award, reject or waitlist.")
    assert_accessible(page)
    page.get_by_label("Award", exact=True).check()
    page.get_by_label("Feedback to the applicants").fill("A convincing, well-led partnership.")
    page.get_by_role("button", name="Record the decision").click()

    # Then the decision is recorded, its letter still to send
    expect(page.get_by_role("status")).to_contain_text("Decision on DES1-0001 recorded: award.")
    assert_accessible(page)

    # When they preview the round's letters and send them
    page.get_by_role("link", name="Send the round's decision letters").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Decision letters")
    page.get_by_text("Preview the letter").click()
    expect(page.get_by_text("A convincing, well-led partnership.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send 1 decision letter").click()

    # Then each member's letter is sent, once
    expect(page.get_by_role("status")).to_contain_text("1 decision letter is being sent.")
    expect(page.get_by_text("No decision letters are waiting to be sent.")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Sent")
    assert_accessible(page)
    letters = [m for m in mail.outbox if m.subject == "Your application DES1-0001: decision"]
    assert len(letters) == 2

    # When they make the award
    page.goto(f"{base}/manage/applications/DES1-0001/award/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Make the award to Kinder rotas for ward nurses"
    )
    expect(page.get_by_label("Team name")).to_have_value("Kinder rotas for ward nurses")
    assert_accessible(page)
    page.get_by_label("Amount (£)").fill("125000")
    page.get_by_label("Start date").fill("2027-04-01")
    page.get_by_label("End date").fill("2029-03-31")
    page.get_by_label("Team name").fill("Kinder Rotas")
    page.get_by_label("Team web address").fill("kinder-rotas")
    page.get_by_label("Main innovation").fill("Self-rostering")
    page.get_by_role("button", name="Make the award").click()

    # Then the partnership is an unpublished team, linked to its application
    expect(page.get_by_role("status")).to_contain_text("Award made: Kinder Rotas")
    expect(page.get_by_role("link", name="DES1-0001: Kinder rotas for ward nurses")).to_be_visible()
    assert_accessible(page)
    team = Team.objects.get(slug="kinder-rotas")
    assert not team.is_published
    assert team.memberships.filter(role=TeamMembership.Role.LEAD).count() == 2

    # When they publish the round's awards, confirming first
    page.get_by_role("link", name="publish the round's awards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Awards")
    assert_accessible(page)
    page.get_by_role("button", name="Publish the awards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish 1 award?")
    assert_accessible(page)
    page.get_by_role("button", name="Yes, publish the awards").click()
    expect(page.get_by_role("status")).to_contain_text("1 award published")
    assert_accessible(page)

    # Then anyone reading the round's public page sees the team
    reader = browser.new_context().new_page()
    reader.goto(base + round_.get_absolute_url())
    expect(reader.get_by_role("heading", name="Award-holder teams")).to_be_visible()
    expect(reader.get_by_role("link", name="Kinder Rotas")).to_be_visible()
    assert_accessible(reader)
