from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from sharedpurpose.applications.models import Answer, Application, ApplicationState
from tests.applications.factories import (
    ApplicationFormFactory,
    EligibilityQuestionFactory,
    OpenRoundFactory,
    QuestionFactory,
    SectionFactory,
)
from tests.factories import PASSWORD, ProgrammeFactory, UserFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_lead_applicant_starts_builds_the_partnership_and_submits(
    live_server: object, page: Page, browser: Browser
) -> None:
    # Given a round open for applications, with an eligibility question and one section
    base = str(live_server)
    programme = ProgrammeFactory.create(name="Closing the Gap", slug="closing-the-gap")
    round_ = OpenRoundFactory.create(programme=programme, number=1, name="Shared Purpose")
    form = ApplicationFormFactory.create(round=round_, min_partner_organisations=1)
    EligibilityQuestionFactory.create(section=SectionFactory.create(form=form, position=0))
    idea = QuestionFactory.create(
        section=SectionFactory.create(form=form, position=1, title="Your idea"),
        label="What will change?",
    )
    applicant = UserFactory.create(email="ada@example.org", full_name="Ada Okafor")
    sign_in(page, base, applicant.email, PASSWORD)

    # When the applicant starts from the round page and answers that they are eligible
    page.goto(base + round_.get_absolute_url())
    page.get_by_role("link", name="Start an application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply to Shared Purpose")
    assert_accessible(page)
    page.get_by_role("group", name="Is the lead organisation an NHS body in the UK?").get_by_label(
        "Yes"
    ).check()
    page.get_by_label("Project title").fill("Ward-to-board recruitment")
    page.get_by_role("button", name="Start application").click()

    # Then they see the application's task list
    expect(page.get_by_role("heading", level=1)).to_have_text("Ward-to-board recruitment")
    expect(page.get_by_role("status")).to_contain_text("CTG1-0001 has started")
    assert_accessible(page)

    # When they name the lead organisation, add a partner and say where they work
    page.get_by_role("link", name="Partnership").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnership")
    assert_accessible(page)
    page.locator("#id_lead-name").fill("Northmoor Hospitals")
    page.get_by_role("button", name="Save lead organisation").click()
    expect(page.get_by_role("status")).to_contain_text("Northmoor Hospitals is the lead")
    page.locator("#id_partner-name").fill("Northmoor Council")
    page.locator("#id_partner-kind").fill("Local authority")
    page.get_by_role("button", name="Add partner").click()
    expect(page.get_by_role("cell", name="Northmoor Council", exact=True)).to_be_visible()
    page.get_by_role("link", name="Change Ada Okafor's side or area").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Where you work")
    assert_accessible(page)
    page.get_by_label("Side").select_option("corporate")
    page.get_by_label("Corporate service").select_option("hr_workforce")
    page.get_by_role("button", name="Save").click()

    # And invite a clinical colleague to lead the clinical side
    page.locator("#id_invite-email").fill("nia@example.org")
    page.locator("#id_invite-side").select_option("clinical")
    page.locator("#id_invite-clinical_area").fill("Acute medical unit")
    page.get_by_label("They will lead for their side").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to nia@example.org")
    expect(page.get_by_role("cell", name="nia@example.org", exact=True)).to_be_visible()
    assert_accessible(page)

    # Then the colleague, signed in with that address, accepts the e-mailed link
    link = re.search(r"https?://\S+/applications/invitations/\S+/", str(mail.outbox[-1].body))
    assert link is not None
    path = "/applications/invitations/" + link.group(0).split("/applications/invitations/")[1]
    UserFactory.create(email="nia@example.org", full_name="Nia Okoro")
    colleague = browser.new_context().new_page()
    sign_in(colleague, base, "nia@example.org", PASSWORD)
    colleague.goto(base + path)
    expect(colleague.get_by_role("heading", level=1)).to_have_text("Join the application CTG1-0001")
    assert_accessible(colleague)
    colleague.get_by_role("button", name="Accept and join the application").click()
    expect(colleague.get_by_role("status")).to_contain_text("You have joined the application")

    # When the lead applicant makes themselves the corporate-services lead
    page.reload()
    page.get_by_role("group", name="Corporate-services lead").get_by_label("Ada Okafor").check()
    page.get_by_role("button", name="Save leads").click()
    expect(page.get_by_role("status")).to_contain_text("leads were saved")

    # And checks their answers before answering the section
    page.goto(base + "/applications/CTG1-0001/")
    page.get_by_role("link", name="Check answers and submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting"
    )
    expect(page.get_by_role("link", name="Answer “What will change?”.")).to_be_visible()
    assert_accessible(page)

    # Then, once the section is answered, they submit
    application = Application.objects.get(reference="CTG1-0001")
    Answer.objects.create(application=application, question=idea, value="Hiring in 20 days")
    page.reload()
    expect(page.get_by_text("You cannot submit yet")).to_have_count(0)
    page.get_by_label(re.compile("I confirm that the information")).check()
    page.get_by_role("button", name="Submit application").click()

    # And see the confirmation, while everyone is e-mailed the answers as a PDF
    expect(page.get_by_role("heading", level=1)).to_have_text("Application submitted")
    expect(page.locator(".nhsuk-panel")).to_contain_text("CTG1-0001")
    assert_accessible(page)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    confirmation = mail.outbox[-1]
    assert confirmation.subject == "Application CTG1-0001 submitted"
    assert set(confirmation.to) == {"ada@example.org", "nia@example.org"}
    assert confirmation.attachments
