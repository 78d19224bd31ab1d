from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.applications.access import CONFLICT_MESSAGE
from sharedpurpose.applications.models import (
    Answer,
    ApplicationState,
    AssessorAssignment,
)
from sharedpurpose.applications.services.assessment import ASSESSMENT_STARTED
from tests.applications.factories import (
    ApplicationFactory,
    CriterionFactory,
    QuestionFactory,
    SectionFactory,
)
from tests.factories import PASSWORD, UserFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_assign_two_assessors_one_conflicted_the_other_scores_and_the_panel_ranks(
    live_server: object, page: Page, browser: Browser
) -> None:
    # Given a submitted application to a round with two criteria, and two assessors
    application = ApplicationFactory.create(
        state=ApplicationState.SUBMITTED, title="Shared rota for theatres"
    )
    round_ = application.round
    question = QuestionFactory.create(
        section=SectionFactory.create(form__round=round_, title="Your plan"),
        label="What will change for patients?",
    )
    Answer.objects.create(
        application=application, question=question, value="Fewer cancelled operations."
    )
    CriterionFactory.create(
        round=round_, name="Impact", guidance="**5**: transforms care", weight=2
    )
    CriterionFactory.create(round=round_, name="Partnership", weight=1)
    staff = UserFactory.create(full_name="Sam Staff")
    user_role_grant(user=staff, role=SiteRole.PROGRAMME_STAFF)
    conflicted = UserFactory.create(full_name="Asha Conflicted")
    clear = UserFactory.create(full_name="Bola Clear")
    for assessor in (conflicted, clear):
        user_role_grant(user=assessor, role=SiteRole.ASSESSOR)
    base = str(live_server)
    manage_round = f"{base}/manage/programmes/{round_.programme.slug}/rounds/{round_.slug}"

    # When staff open the round's applications and the application
    sign_in(page, base, staff.email, PASSWORD)
    page.goto(manage_round + "/applications/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Applications")
    assert_accessible(page)
    page.get_by_role("link", name=application.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Shared rota for theatres")
    expect(page.get_by_text("Fewer cancelled operations.")).to_be_visible()
    assert_accessible(page)

    # And assign both assessors
    page.get_by_role("link", name="Assign assessors").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessors")
    assert_accessible(page)
    for assessor in (conflicted, clear):
        page.get_by_label("Assessor").select_option(str(assessor.pk))
        page.get_by_role("button", name="Assign").click()
        expect(
            page.get_by_role("status").filter(has_text=f"{assessor.full_name} is assigned")
        ).to_be_visible()
    expect(page.get_by_role("cell", name="Asha Conflicted", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Bola Clear", exact=True)).to_be_visible()
    assert_accessible(page)
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_ASSESSMENT
    assert application.transitions.get().reason == ASSESSMENT_STARTED

    # When the first assessor declares a conflict of interest
    asha = browser.new_context().new_page()
    sign_in(asha, base, conflicted.email, PASSWORD)
    asha.goto(base + "/assess/")
    expect(asha.get_by_role("heading", level=1)).to_have_text("Your assessments")
    assert_accessible(asha)
    asha.get_by_role("link", name="Shared rota for theatres").click()
    expect(asha.get_by_role("heading", level=1)).to_have_text("Declare any conflict of interest")
    expect(asha.get_by_text("Fewer cancelled operations.")).to_have_count(0)
    assert_accessible(asha)
    asha.get_by_role("button", name="Send declaration").click()
    expect(asha.get_by_role("alert")).to_contain_text("Answer whether you have a conflict")
    assert_accessible(asha)
    asha.get_by_label("Yes, I have a conflict of interest").check()
    asha.get_by_label("If yes, describe the conflict").fill("I work at the lead trust.")
    asha.get_by_role("button", name="Send declaration").click()

    # Then they are told and refused the application
    expect(
        asha.get_by_role("status").filter(has_text="You declared a conflict of interest")
    ).to_be_visible()
    expect(asha.get_by_role("link", name="Shared rota for theatres")).to_have_count(0)
    assert_accessible(asha)
    response = asha.goto(f"{base}/assess/{application.reference}/")
    assert response is not None and response.status == 403
    expect(asha.get_by_text(CONFLICT_MESSAGE)).to_be_visible()
    assert_accessible(asha)

    # When the second assessor declares none, scores and submits
    bola = browser.new_context().new_page()
    sign_in(bola, base, clear.email, PASSWORD)
    bola.goto(base + "/assess/")
    bola.get_by_role("link", name="Shared rota for theatres").click()
    bola.get_by_label("No, I have no conflict").check()
    bola.get_by_role("button", name="Send declaration").click()
    expect(bola.get_by_role("heading", level=1)).to_have_text("Shared rota for theatres")
    expect(bola.get_by_text("Fewer cancelled operations.")).to_be_visible()
    assert_accessible(bola)
    bola.get_by_role("group", name="Score for Impact").get_by_label("4", exact=True).check()
    bola.get_by_label("Comment on Impact").fill("Clear benefit to patients.")
    bola.get_by_role("button", name="Save draft").click()
    expect(bola.get_by_role("status").filter(has_text="draft scores were saved")).to_be_visible()
    bola.get_by_role("button", name="Submit scores").click()
    expect(bola.get_by_role("alert")).to_contain_text(
        "Explain your score for Partnership in a comment"
    )
    assert_accessible(bola)
    bola.get_by_role("group", name="Score for Partnership").get_by_label("3", exact=True).check()
    bola.get_by_label("Comment on Partnership").fill("Both sides are committed.")
    bola.get_by_role("button", name="Submit scores").click()

    # Then the scores are submitted and read-only
    expect(bola.get_by_role("status").filter(has_text="scores were submitted")).to_be_visible()
    expect(bola.get_by_role("button", name="Submit scores")).to_have_count(0)
    expect(bola.get_by_role("cell", name="Both sides are committed.")).to_be_visible()
    assert_accessible(bola)
    assert AssessorAssignment.objects.get(assessor=clear).submitted_at is not None

    # When staff open the panel, they see the ranking: (2 x 4/5 + 1 x 3/5) / 3 = 73.3%
    page.goto(manage_round + "/panel/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Panel")
    ranking = page.get_by_role("table", name="Ranking")
    first = ranking.get_by_role("row").nth(1)
    expect(first).to_contain_text("1")
    expect(first).to_contain_text("Shared rota for theatres")
    expect(first).to_contain_text("73.3%")
    expect(first).to_contain_text("1 of 1")
    expect(page.get_by_role("columnheader", name="Asha Conflicted")).to_have_count(0)
    assert_accessible(page)
