from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.factories import ProgrammeFactory, UserFactory
from tests.programmes.factories_rounds import staff_create

from .conftest import assert_accessible, sign_in_as

pytestmark = pytest.mark.django_db(transaction=True)


def test_funder_staff_choose_who_runs_a_programme_and_they_see_only_that_one(
    live_server: object, page: Page
) -> None:
    # Given two programmes, a member of the funder's staff and someone with an account
    base = str(live_server)
    ProgrammeFactory.create(name="Closing the Gap", slug="closing-the-gap")
    ProgrammeFactory.create(name="Healthy Workforce", slug="healthy-workforce")
    newcomer = UserFactory.create(full_name="Nia Newcomer", email="nia@example.org")
    sign_in_as(page, base, staff_create(full_name="Ada Okafor"))

    # When they open the people who run Closing the Gap and give an address with no account
    page.goto(base + "/manage/")
    page.get_by_role("link", name="Choose the people who run it – Closing the Gap").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People who run Closing the Gap")
    assert_accessible(page)
    page.get_by_label("E-mail address of their account").fill("nobody@example.org")
    page.get_by_role("button", name="Add").click()

    # Then the address stays in the form with the reason beside it
    expect(page.get_by_role("alert")).to_contain_text("There is no account with the e-mail")
    expect(page.get_by_label("E-mail address of their account")).to_have_value("nobody@example.org")
    assert_accessible(page)

    # When they add the newcomer by the address of their account
    page.get_by_label("E-mail address of their account").fill("nia@example.org")
    page.get_by_role("button", name="Add").click()

    # Then the newcomer is listed, with a way to remove them
    expect(page.get_by_role("status")).to_contain_text("Nia Newcomer now runs Closing the Gap")
    people = page.get_by_role("table", name="People who run Closing the Gap")
    expect(people).to_contain_text("nia@example.org")
    expect(page.get_by_role("button", name="Remove Nia Newcomer")).to_be_visible()
    assert_accessible(page)

    # And the newcomer, signed in, manages Closing the Gap and nothing else
    page.context.clear_cookies()
    sign_in_as(page, base, newcomer)
    page.goto(base + "/")
    page.get_by_role("link", name="Manage programmes").click()
    expect(page.get_by_role("heading", level=2, name="Closing the Gap")).to_be_visible()
    expect(page.get_by_text("Healthy Workforce")).to_have_count(0)
    expect(page.get_by_role("link", name="Create a programme")).to_have_count(0)
    assert_accessible(page)
