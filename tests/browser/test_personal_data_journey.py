from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, MembershipFactory, UserFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_person_downloads_their_data_and_erases_their_account(
    live_server: object, page: Page
) -> None:
    # Given a team member with an account
    user = UserFactory.create(email="grace@example.org", full_name="Grace Hopper")
    team = MembershipFactory.create(user=user).team
    base = str(live_server)

    # When she signs in and opens her data from the account links
    sign_in(page, base, "grace@example.org")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Your data").click()

    # Then she sees what is held about her, in plain words
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    expect(page.get_by_role("table")).to_contain_text(team.name)
    assert_accessible(page)

    # And she can download all of it
    with page.expect_download() as download:
        page.get_by_role("button", name="Download your data (JSON)").click()
    data = json.loads(Path(download.value.path()).read_text())
    assert data["account"]["email"] == "grace@example.org"
    assert [m["team"] for m in data["team_memberships"]] == [team.name]

    # When she asks to erase her account, she is told what goes and what stays
    page.get_by_role("button", name="Erase your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erase your account")
    expect(page.get_by_role("heading", name="What we will delete")).to_be_visible()
    expect(page.get_by_role("heading", name="What we will keep, and why")).to_be_visible()
    assert_accessible(page)

    # And a wrong password is reported beside the field, erasing nothing
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Erase my account").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your password correctly")
    assert_accessible(page)

    # When she confirms with her password
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Erase my account").click()

    # Then she is signed out and told her account is gone
    expect(page.get_by_role("status")).to_contain_text("Your account has been erased")
    expect(
        page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in")
    ).to_be_visible()
    assert_accessible(page)

    # And her old address and password no longer sign in
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill("grace@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
