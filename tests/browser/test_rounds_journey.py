from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from tests.factories import ProgrammeFactory
from tests.programmes.factories_rounds import staff_create

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_create_a_round_with_preview_open_it_and_see_it_in_the_feed(
    live_server: object, page: Page
) -> None:
    # Given a published programme and a signed-in member of programme staff
    base = str(live_server)
    ProgrammeFactory.create(name="Closing the Gap", slug="closing-the-gap")
    client = Client()
    client.force_login(staff_create(full_name="Ada Okafor"))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}]
    )

    # When they go from the home page to manage programmes and add a round
    page.goto(base + "/")
    page.get_by_role("link", name="Manage programmes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage programmes")
    assert_accessible(page)
    page.get_by_role("link", name="Add a round to Closing the Gap").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a round")
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Shared Purpose")
    page.get_by_label("Web address").fill("shared-purpose")
    page.get_by_label("Summary").fill("Corporate services and clinical teams together.")
    page.get_by_label("Aims").fill("Raise awareness\nBuild the evidence base")
    page.get_by_label("Details").fill("Nine **award-holder** teams.")
    page.get_by_label("Applications open").fill("2027-02-01T09:00")
    page.get_by_label("Applications close").fill("2027-03-14T17:00")

    # And preview it
    page.get_by_role("button", name="Preview").click()

    # Then they see the public view, dates in the round's timezone, with nothing saved yet
    preview = page.get_by_role("region", name="Preview of the public page (not saved)")
    expect(preview).to_contain_text("5pm, 14 March 2027 (Europe/London)")
    expect(preview.locator("strong", has_text="award-holder")).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Shared Purpose")
    assert_accessible(page)

    # When they save it
    page.get_by_role("button", name="Save").click()

    # Then the round is a draft with its moves offered
    expect(page.get_by_role("heading", level=1)).to_have_text("Shared Purpose")
    expect(page.get_by_role("status")).to_contain_text("created as a draft")
    assert_accessible(page)

    # When they announce it and then open it for applications
    page.get_by_role("button", name="Announce the round").click()
    expect(page.get_by_role("status")).to_contain_text("opening soon")
    expect(
        page.get_by_text("Subscribers interested in this programme will be e-mailed once")
    ).to_be_visible()
    page.get_by_role("button", name="Open for applications").click()

    # Then the history shows both moves and who made them
    expect(page.get_by_role("status")).to_contain_text("open for applications")
    history = page.get_by_role("table", name="Moves of Shared Purpose through its lifecycle")
    expect(history.get_by_role("row")).to_have_count(3)
    expect(history).to_contain_text("Ada Okafor")
    expect(page.get_by_role("button", name="Close applications")).to_be_visible()
    assert_accessible(page)

    # And the public round page says it is open until the closing date
    page.get_by_role("link", name="View the public page").click()
    expect(page.get_by_text("Open for applications until 5pm, 14 March 2027")).to_be_visible()
    assert_accessible(page)

    # And the announcement is in the Atom feed
    feed = page.request.get(base + "/feed.atom")
    assert feed.ok
    assert "Applications open: Shared Purpose" in feed.text()
