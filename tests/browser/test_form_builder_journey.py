from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from sharedpurpose.applications.models import Criterion, Question, QuestionKind
from tests.factories import ProgrammeFactory, RoundFactory
from tests.programmes.factories_rounds import staff_create

from .conftest import assert_accessible, sign_in_as

pytestmark = pytest.mark.django_db(transaction=True)


def _add_question(page: Page, section: str, kind: str) -> None:
    page.get_by_role("link", name=f"Add a question to {section}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What kind of question is it?")
    assert_accessible(page)
    page.get_by_label(kind, exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a question")


def test_staff_build_a_form_preview_it_and_set_the_criteria(
    live_server: object, page: Page
) -> None:
    # Given a draft round and a signed-in member of programme staff
    base = str(live_server)
    programme = ProgrammeFactory.create(name="Closing the Gap", slug="closing-the-gap")
    RoundFactory.create(programme=programme, name="Shared Purpose", slug="shared-purpose")
    sign_in_as(page, base, staff_create(full_name="Ada Okafor"))

    # When they open the round and its application form, and create an empty form
    page.goto(f"{base}/manage/programmes/closing-the-gap/rounds/shared-purpose/")
    page.get_by_role("link", name="Application form", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Application form")
    assert_accessible(page)
    page.get_by_role("button", name="Create an empty form").click()
    expect(page.get_by_role("status")).to_contain_text("The application form was created")
    assert_accessible(page)

    # And add a section
    page.get_by_role("link", name="Add a section").click()
    assert_accessible(page)
    page.get_by_label("Section title").fill("Your partnership")
    page.get_by_role("button", name="Add the section").click()
    expect(page.get_by_role("heading", name="1. Your partnership")).to_be_visible()

    # And an eligibility question, whose extra fields appear once it is ticked
    _add_question(page, "Your partnership", "Single choice")
    page.get_by_label("Question", exact=True).fill("Is the lead organisation an NHS body?")
    page.get_by_label("Choices", exact=True).fill("Yes\nNo")
    expect(page.get_by_label("Eligible choices")).to_be_hidden()
    page.get_by_label("Ask this before the application starts, as an eligibility question").check()
    page.get_by_label("Eligible choices").fill("Maybe")
    assert_accessible(page)
    page.get_by_role("button", name="Add the question").click()

    # Then a mistake is shown beside its field, with everything typed kept
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_text("“Maybe” is not one of the choices").first).to_be_visible()
    expect(page.get_by_label("Choices", exact=True)).to_have_value("Yes\nNo")
    assert_accessible(page)

    # When they correct it
    page.get_by_label("Eligible choices").fill("Yes")
    page.get_by_label("Reason shown to ineligible applicants").fill("Only NHS bodies can lead.")
    page.get_by_role("button", name="Add the question").click()
    expect(page.get_by_role("status")).to_contain_text("was added")

    # And add a long-text question with a word limit, and a file question
    _add_question(page, "Your partnership", "Long text")
    page.get_by_label("Question", exact=True).fill("Describe the problem you will solve")
    page.get_by_label("Word limit").fill("300")
    assert_accessible(page)
    page.get_by_role("button", name="Add the question").click()
    _add_question(page, "Your partnership", "File upload")
    page.get_by_label("Question", exact=True).fill("Upload your budget")
    page.get_by_label("PDF", exact=True).check()
    page.get_by_label("Excel workbook (.xlsx)").check()
    page.get_by_label("Largest file size in MB").fill("5")
    assert_accessible(page)
    page.get_by_role("button", name="Add the question").click()

    # Then the outline lists the three questions in order, the first tagged for eligibility
    table = page.get_by_role("table", name="Questions in Your partnership")
    expect(table.get_by_role("row")).to_have_count(4)
    expect(table.get_by_role("row").nth(1)).to_contain_text("Eligibility")
    expect(table.get_by_role("row").nth(2)).to_contain_text("Up to 300 words")
    expect(table.get_by_role("row").nth(3)).to_contain_text(
        "PDF, Excel workbook (.xlsx); up to 5 MB"
    )
    assert_accessible(page)

    # When they move the file question up
    page.get_by_role("button", name="Move up Upload your budget").click()

    # Then it comes before the long-text question
    expect(page.get_by_role("status")).to_contain_text("was moved")
    expect(table.get_by_role("row").nth(2)).to_contain_text("Upload your budget")
    labels = Question.objects.order_by("position").values_list("label", flat=True)
    assert list(labels)[1:] == ["Upload your budget", "Describe the problem you will solve"]

    # When they preview the form
    page.get_by_role("link", name="Preview the form as applicants see it").click()

    # Then they see the eligibility question first, then the section, read-only
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview of the application form")
    expect(page.get_by_role("heading", name="Check you can apply")).to_be_visible()
    expect(page.get_by_role("radio", name="Yes")).to_be_disabled()
    expect(page.get_by_text("Only NHS bodies can lead.")).to_be_visible()
    expect(page.get_by_label("Describe the problem you will solve")).to_be_disabled()
    expect(page.get_by_text("Up to 300 words")).to_be_visible()
    assert_accessible(page)
    assert Question.objects.filter(kind=QuestionKind.FILE, max_file_mb=5).exists()

    # When they add two assessment criteria
    page.goto(f"{base}/manage/programmes/closing-the-gap/rounds/shared-purpose/")
    page.get_by_role("link", name="Assessment criteria", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment criteria")
    assert_accessible(page)
    for name, weight in (("Impact on patients and staff", "2"), ("Strength of partnership", "1")):
        page.get_by_role("link", name="Add a criterion").click()
        page.get_by_label("Name").fill(name)
        page.get_by_label("Weight").fill(weight)
        page.get_by_label("Highest score").fill("10")
        assert_accessible(page)
        page.get_by_role("button", name="Add the criterion").click()
        expect(page.get_by_role("status")).to_contain_text("was added")

    # Then the table shows each criterion's share of the total weight
    criteria = page.get_by_role("table")
    expect(criteria.get_by_role("row").nth(1)).to_contain_text("66.7%")
    expect(criteria.get_by_role("row").nth(2)).to_contain_text("33.3%")
    assert_accessible(page)
    assert Criterion.objects.count() == 2
