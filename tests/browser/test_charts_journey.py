from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from sharedpurpose.improvement.models import Side
from tests.factories import PASSWORD, MembershipFactory
from tests.improvement.factories_charts import (
    ChangeIdeaFactory,
    ChartGoalFactory,
    measure_with_points,
)

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def test_member_reads_a_signal_rebases_it_and_plans_a_pdsa_cycle(
    live_server: object, page: Page
) -> None:
    # Given a team whose clinical falls measure fell sharply last month
    membership = MembershipFactory.create(user__full_name="Ada Member")
    team = membership.team
    goal = ChartGoalFactory.create(team=team, title="Fewer falls")
    ChangeIdeaFactory.create(goal=goal, text="Night huddles")
    measure_with_points(
        team, name="Ward falls", goal=goal, improvement_direction="decrease", target=8.0
    )
    measure_with_points(team, name="Porter waits", side=Side.CORPORATE)
    base = str(live_server)

    # When the member signs in and opens the dashboard
    page.goto(f"{base}/accounts/login/?next=/teams/{team.slug}/workspace/")
    page.get_by_label("Email").fill(membership.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Measures dashboard")
    expect(page.get_by_role("heading", name="Porter waits")).to_be_visible()
    assert_accessible(page)

    # And filters by the clinical side
    page.get_by_label("Side").select_option("clinical")
    page.get_by_role("button", name="Filter measures").click()
    expect(page.get_by_role("heading", name="Porter waits")).to_have_count(0)
    expect(page).to_have_url(f"{base}/teams/{team.slug}/workspace/?goal=&side=clinical")
    assert_accessible(page)

    # Then the falls measure shows its special cause, with the icons described in words
    page.get_by_role("link", name="Ward falls").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ward falls")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Special cause variation: improvement (lower values).")
    expect(main).to_contain_text("Assurance: the process will hit and miss the target at random.")
    assert_accessible(page)

    # When they add a rebase with its reason
    page.get_by_label("First period of the new limits").select_option("2024-06-01")
    page.get_by_label("Why did the process change?").fill("New night rota")
    page.get_by_role("button", name="Add the rebase").click()

    # Then it is an annotation on the chart and in the key
    annotations = page.locator("ol.sp-annotation-list")
    expect(annotations).to_contain_text("Rebase: New night rota (1 June 2024)")
    expect(page.locator("svg.sp-chart .sp-annotation-rebase")).to_have_count(1)
    assert_accessible(page)

    # When they plan a PDSA cycle on the goal's change idea, shown on the falls chart
    page.get_by_role("navigation", name="Team workspace").get_by_role(
        "link", name="PDSA cycles"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PDSA cycles")
    assert_accessible(page)
    page.get_by_role("button", name="Plan a cycle for Night huddles").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Huddle on ward A")
    page.get_by_label("Plan: what question will this cycle answer?").fill("Will huddles help?")
    page.get_by_label("Plan: what do you predict will happen?").fill("Fewer night falls.")
    page.get_by_label("Starts on").fill("2024-09-02")
    page.get_by_label("Ward falls").check()
    page.get_by_role("button", name="Plan the cycle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Huddle on ward A")
    assert_accessible(page)

    # Then the cycle is on the chart and in the PDSA timeline
    page.get_by_role("link", name="Ward falls").click()
    expect(page.locator("ol.sp-annotation-list")).to_contain_text(
        "PDSA: Huddle on ward A (2 September 2024)"
    )
    expect(page.locator("svg.sp-chart .sp-annotation-pdsa")).to_have_count(1)
    page.get_by_role("navigation", name="Team workspace").get_by_role(
        "link", name="PDSA cycles"
    ).click()
    expect(page.get_by_role("list", name="Ramp 1 of Night huddles")).to_contain_text(
        "Huddle on ward A"
    )
    assert_accessible(page)
