from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from sharedpurpose.improvement.models import Side
from tests.factories import MembershipFactory, TeamFactory, UserFactory

from .conftest import assert_accessible, sign_in_as

pytestmark = pytest.mark.django_db(transaction=True)

CORPORATE_FILL = "#005eb8"
CLINICAL_FILL = "#ffb81c"


def _node_actions(page: Page, text: str) -> Locator:
    """The "Change" panel of the node whose text is ``text``, opened."""
    panel = page.locator("details.sp-node-actions").filter(
        has=page.locator("summary", has_text=f"Change “{text}”")
    )
    if panel.get_attribute("open") is None:
        panel.locator("summary").first.click()
    return panel


def test_a_team_member_draws_a_driver_diagram_owned_by_both_sides(
    live_server: object, page: Page
) -> None:
    # Given a team with a clinical member and a corporate member in estates
    base = str(live_server)
    team = TeamFactory.create(name="Northmoor falls partnership", clinical_areas=["Ward A"])
    clinical = MembershipFactory.create(team=team, user=UserFactory.create(full_name="Ada Clinic"))
    MembershipFactory.create(
        team=team,
        user=UserFactory.create(full_name="Cy Estates"),
        side=Side.CORPORATE,
        corporate_service="estates",
        clinical_area="",
    )
    sign_in_as(page, base, clinical.user)

    # When the clinical member creates a goal with owners from both sides
    page.goto(f"{base}/teams/{team.slug}/goals/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Goals and driver diagrams")
    assert_accessible(page)
    page.get_by_role("button", name="Create a goal").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Fewer falls")
    page.get_by_label("What will improve").fill("Reduce falls on wards A to C")
    page.get_by_label("How much").fill("by 30%")
    page.get_by_label("By when").fill("2026-03-31")
    page.get_by_label("Corporate owner").select_option(label="Cy Estates")
    page.get_by_label("Clinical owner").select_option(label="Ada Clinic")
    page.get_by_role("button", name="Create goal").click()

    # Then they reach the diagram editor with the aim in place
    expect(page.get_by_role("heading", level=1)).to_have_text("Driver diagram: Fewer falls")
    expect(page.locator("#driver-editor")).to_contain_text(
        "Reduce falls on wards A to C by 30% by March 2026"
    )
    assert_accessible(page)

    # When they add a primary driver owned by a corporate service
    page.get_by_text("Add a primary driver").click()
    aim_form = page.locator("details.sp-node-actions").first
    aim_form.get_by_label("Text").fill("Safe staffing")
    aim_form.get_by_label("Owned by").select_option(label="HR and workforce")
    aim_form.get_by_role("button", name="Add primary driver").click()
    status = page.locator("#editor-status")
    expect(status).to_have_text("Primary driver “Safe staffing” added.")

    # And a secondary driver under it, owned by a clinical area
    primary = _node_actions(page, "Safe staffing")
    primary.get_by_label("Type").select_option(label="Secondary driver")
    primary.get_by_label("Text", exact=True).fill("Rosters filled early")
    primary.get_by_label("Owned by").select_option(label="Ward A")
    primary.get_by_role("button", name="Add under “Safe staffing”").click()
    expect(status).to_have_text("Secondary driver “Rosters filled early” added.")

    # And, by keyboard alone, a change idea owned by estates under the secondary driver
    secondary = _node_actions(page, "Rosters filled early")
    owner = secondary.get_by_label("Owned by")
    owner.select_option(label="Estates and facilities")
    text = secondary.get_by_label("Text", exact=True)
    text.focus()
    page.keyboard.type("Brighter corridor lighting")
    page.keyboard.press("Enter")
    expect(status).to_have_text("Change idea “Brighter corridor lighting” added.")
    assert_accessible(page)

    # And they rename the secondary driver by typing and pressing Enter
    secondary = _node_actions(page, "Rosters filled early")
    secondary.get_by_label("New text").fill("Rosters filled six weeks ahead")
    secondary.get_by_label("New text").press("Enter")
    expect(status).to_have_text(
        "“Rosters filled early” renamed to “Rosters filled six weeks ahead”."
    )

    # And move the change idea straight under the primary driver
    idea = _node_actions(page, "Brighter corridor lighting")
    idea.get_by_label("Move under").select_option(label="Primary driver: Safe staffing")
    idea.get_by_role("button", name="Move", exact=True).click()
    expect(status).to_have_text("“Brighter corridor lighting” moved under “Safe staffing”.")
    assert_accessible(page)

    # Then the diagram shows every node, in both owners' colours, without reloading the page
    diagram = page.locator("[data-diagram] svg")
    expect(diagram).to_contain_text("Rosters filled six weeks ahead")
    expect(diagram).to_contain_text("Corporate: Estates and facilities")
    expect(diagram.locator(f"rect[fill='{CORPORATE_FILL}']")).to_have_count(3)  # 2 + legend
    expect(diagram.locator(f"rect[fill='{CLINICAL_FILL}']")).to_have_count(2)  # 1 + legend
    primary_item = page.locator("li.sp-driver-tree__item").filter(
        has=page.locator(":scope > .sp-driver-node", has_text="Safe staffing")
    )
    expect(primary_item.locator(":scope > ul > li")).to_have_count(2)

    # And they download the diagram as SVG and as PNG
    with page.expect_download() as svg_download:
        page.get_by_role("button", name="Download SVG").click()
    assert svg_download.value.suggested_filename == "fewer-falls-driver-diagram.svg"
    with page.expect_download() as png_download:
        page.get_by_role("button", name="Download PNG").click()
    assert png_download.value.suggested_filename == "fewer-falls-driver-diagram.png"

    # And an empty name is refused with the NHS.UK error summary, which takes the focus
    idea = _node_actions(page, "Brighter corridor lighting")
    idea.get_by_label("New text").fill("")
    idea.get_by_label("New text").press("Enter")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter the text of the driver or change idea")
    expect(summary).to_be_focused()
    assert_accessible(page)

    # And the goal page shows the diagram beside the goal's owners
    page.get_by_role("link", name="Fewer falls").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fewer falls")
    expect(page.get_by_text("Cy Estates")).to_be_visible()
    expect(page.locator("[data-diagram] svg")).to_contain_text("Brighter corridor lighting")
    assert_accessible(page)
