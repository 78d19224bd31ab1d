from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sharedpurpose.applications.models import Answer, QuestionKind
from tests.applications.factories import ApplicationFactory, QuestionFactory, SectionFactory

from .conftest import assert_accessible, sign_in_as

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def test_a_member_answers_a_section_that_saves_as_they_type(
    live_server: object, page: Page, tmp_path: Path
) -> None:
    # Given a draft application whose form has a section with text, a choice and an upload
    base = str(live_server)
    application = ApplicationFactory.create(title="Shared recruitment for nursing")
    section = SectionFactory.create(
        form__round=application.round, title="Your partnership", position=1
    )
    QuestionFactory.create(
        section=section,
        kind=QuestionKind.LONG_TEXT,
        label="What will the partnership change?",
        help_text="Say what corporate services and clinical teams will do together.",
        word_limit=12,
        position=1,
    )
    QuestionFactory.create(
        section=section,
        kind=QuestionKind.SINGLE_CHOICE,
        label="Has the partnership worked together before?",
        choices=["Yes", "No"],
        position=2,
    )
    upload = QuestionFactory.create(
        section=section,
        kind=QuestionKind.FILE,
        label="Letter of support",
        allowed_file_types=["pdf"],
        required=False,
        position=3,
    )
    following = SectionFactory.create(form=section.form, title="Your measures", position=2)
    QuestionFactory.create(section=following, kind=QuestionKind.SHORT_TEXT, label="First measure")
    url = f"{base}/applications/{application.reference}/sections/{section.pk}/"
    sign_in_as(page, base, application.lead_applicant)

    # When the lead applicant opens the section
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your partnership")
    assert_accessible(page)

    # And types an answer: the word count follows, and the draft saves itself
    answer = page.get_by_label("What will the partnership change?")
    answer.fill("One recruitment team for nurses and porters")
    expect(page.locator(".nhsuk-character-count__status")).to_have_text(
        "You have 5 words remaining"
    )
    expect(page.locator("#autosave-status")).to_contain_text("Saved at", timeout=10_000)
    with page.expect_response(
        lambda response: (
            response.url.endswith("/autosave/") and "Yes" in (response.request.post_data or "")
        )
    ):
        page.get_by_label("Yes").check()
    expect(page.locator("#autosave-status")).to_contain_text("Saved at")
    assert Answer.objects.filter(application=application).count() == 2

    # And types too much, then saves with the button: the error names the field
    answer.fill(
        "One recruitment team for nurses, porters, cleaners, cooks, clerks and every ward today"
    )
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "What will the partnership change?: Use 12 words or fewer (you used 13)."
    )
    expect(page).to_have_title(f"Error: Your partnership – {application.title} – Shared Purpose")
    assert_accessible(page)
    page.get_by_role("link", name="What will the partnership change?: Use 12 words").click()
    expect(answer).to_be_focused()

    # When they shorten it and upload a letter of support with the Save button
    answer.fill("One recruitment team for nurses and porters across both trusts")
    letter = tmp_path / "Support letter.pdf"
    letter.write_bytes(PDF)
    page.get_by_label("Letter of support").set_input_files(str(letter))
    page.get_by_role("button", name="Save and continue").click()

    # Then the next section opens and says the answers were saved
    expect(page.get_by_role("heading", level=1)).to_have_text("Your measures")
    expect(page.get_by_role("status").filter(has_text="were saved")).to_be_visible()

    # And the section shows every answer when opened again
    page.goto(url)
    expect(answer).to_have_value("One recruitment team for nurses and porters across both trusts")
    expect(page.get_by_label("Yes")).to_be_checked()
    expect(page.get_by_role("link", name="Support letter.pdf", exact=True)).to_have_attribute(
        "href", f"/applications/{application.reference}/answers/{upload.pk}/file/"
    )
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Support letter.pdf", exact=True).click()
    assert download.value.suggested_filename == "Support letter.pdf"
    assert Path(download.value.path()).read_bytes() == PDF

    # When they remove the letter, after confirming
    page.get_by_role("link", name="Remove Support letter.pdf").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove Support letter.pdf?")
    assert_accessible(page)
    page.get_by_role("button", name="Remove the file").click()

    # Then the section no longer has it
    expect(
        page.get_by_role("status").filter(has_text="“Support letter.pdf” was removed")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Support letter.pdf", exact=True)).to_have_count(0)
    assert not Answer.objects.get(question=upload).file
