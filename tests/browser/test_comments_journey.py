from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from sharedpurpose.demo.content import DEMO_PASSWORD
from sharedpurpose.engagement.models import OutboxMessage

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

ROUND_PATH = "/programmes/closing-the-gap/shared-purpose/"
QUESTION = "Will the next round fund estates teams working with wards?"


def test_a_question_is_moderated_answered_and_the_asker_emailed(
    live_server: object, page: Page
) -> None:
    # Given the demo, with comments pre-moderated (the default)
    call_command("demo", stdout=StringIO())
    base = str(live_server)

    # When a visitor posts a question on the Shared Purpose round page
    page.goto(base + ROUND_PATH)
    assert_accessible(page)
    form = page.locator("#comments form").first
    form.get_by_label("Your name").fill("Jo Visitor")
    form.get_by_label("Your e-mail address").fill("jo@example.org")
    form.get_by_label("Your comment or question").fill(QUESTION)
    form.get_by_label("This is a question for the funder").check()
    form.get_by_role("button", name="Post").click()

    # Then they are thanked, and the question waits for staff
    expect(page.get_by_role("status")).to_contain_text("your comment will appear once checked")
    expect(page.locator("#comments")).not_to_contain_text(QUESTION)
    assert_accessible(page)

    # And a second visitor's comment with a script tag waits too
    form = page.locator("#comments form").first
    form.get_by_label("Your name").fill("Sam Mischief")
    form.get_by_label("Your e-mail address").fill("sam@example.org")
    form.get_by_label("Your comment or question").fill("<script>alert('x')</script> hello")
    form.get_by_role("button", name="Post").click()

    # When staff sign in and open the moderation queue
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill("staff@demo.example.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(base + "/manage/comments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderate comments")
    assert_accessible(page)

    # And approve the comment and answer the question, previewing first
    page.get_by_role("button", name="Approve the comment by Sam Mischief").click()
    expect(page.get_by_role("status")).to_contain_text("Approved the comment by Sam Mischief")
    page.get_by_role("link", name="Answer the comment by Jo Visitor").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Answer Jo Visitor")
    page.get_by_label("Answer").fill("Yes: estates teams **are welcome** to apply.")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".nhsuk-card")).to_contain_text("are welcome")
    assert_accessible(page)
    page.get_by_role("button", name="Publish the answer").click()
    expect(page.get_by_role("status")).to_contain_text("Jo Visitor will be e-mailed")

    # Then the round page shows the answer under the question, as the funder's
    page.goto(base + ROUND_PATH)
    question = page.locator("#comments li", has_text=QUESTION)
    expect(question.locator(".nhsuk-tag")).to_have_text("Question")
    expect(question.locator(".nhsuk-inset-text")).to_contain_text("Answer from")
    expect(question.locator(".nhsuk-inset-text strong")).to_have_text("are welcome")
    # And the script shows as text and never runs
    expect(page.locator("#comments")).to_contain_text("<script>alert('x')</script> hello")
    assert page.locator("#comments script").count() == 0
    assert_accessible(page)

    # And the asker's e-mail waits in the outbox, once
    assert (
        OutboxMessage.objects.filter(kind="comment_answered", to_email="jo@example.org").count()
        == 1
    )
