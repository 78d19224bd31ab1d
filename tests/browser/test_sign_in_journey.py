from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from sharedpurpose.demo.content import DEMO_PASSWORD

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def test_team_member_signs_in_and_reaches_the_shared_purpose_round(
    live_server: object, page: Page
) -> None:
    # Given the demo programme
    call_command("demo", stdout=StringIO())
    base = str(live_server)

    # When a demo team member signs in
    page.goto(base + "/")
    assert_accessible(page)
    page.get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign In")
    assert_accessible(page)
    page.get_by_label("Email").fill("team@demo.example.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    # Then they are signed in and can reach the Shared Purpose round page
    account = page.get_by_role("navigation", name="Account")
    expect(account).to_contain_text("Signed in as Grace Lindqvist")
    # Checked once its scripts have laid out the header, whose links they may move.
    assert_accessible(page)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Programmes").click()
    page.get_by_role("link", name="Round 3: Shared Purpose").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Shared Purpose")
    expect(page.get_by_role("heading", name="Award-holder teams")).to_be_visible()
    assert_accessible(page)

    # And open their own team's workspace from its page
    page.get_by_role("link", name="Northmoor value-based recruitment partnership").click()
    page.get_by_role("button", name="Open the team workspace").click()
    expect(page.get_by_role("heading", name="Time to hire")).to_be_visible()
    assert_accessible(page)


def test_a_wrong_password_is_reported_in_an_error_summary(live_server: object, page: Page) -> None:
    page.goto(str(live_server) + "/accounts/login/")
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign In").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(page.get_by_label("Email")).to_have_value("nobody@example.org")
    assert_accessible(page)
