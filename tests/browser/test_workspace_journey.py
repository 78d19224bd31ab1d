"""The team workspace end to end: from a new goal to a chart that shows a special cause."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from sharedpurpose.improvement.models import DataPoint, Side
from tests.factories import MembershipFactory, TeamFactory, UserFactory

from .conftest import assert_accessible, sign_in_as

pytestmark = pytest.mark.django_db(transaction=True)

BASELINE = [10.0, 11.0, 9.5, 10.5, 10.0, 9.0, 11.5, 10.0, 10.5, 9.5, 10.0, 11.0]


def _csv(rows: list[tuple[str, str]]) -> bytes:
    return ("period,value\n" + "".join(f"{p},{v}\n" for p, v in rows)).encode()


def _upload(page: Page, base: str, slug: str, measure_id: int, content: bytes) -> None:
    page.goto(f"{base}/teams/{slug}/imports/new/?measure={measure_id}")
    page.get_by_label("Upload a file").set_input_files(
        {"name": "discharges.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Upload and check").click()


def test_a_team_goes_from_goal_to_a_chart_with_a_special_cause(
    live_server: Any, page: Page, settings: Any, tmp_path: Path
) -> None:
    # Given a partnership with a clinical and a corporate member, and another team's member
    settings.MEDIA_ROOT = tmp_path
    base = str(live_server)
    team = TeamFactory.create(name="Marshfield discharge partnership", clinical_areas=["Ward 7"])
    member = MembershipFactory.create(team=team, user=UserFactory.create(full_name="Ada Ward"))
    MembershipFactory.create(
        team=team,
        user=UserFactory.create(full_name="Ian Digital"),
        side=Side.CORPORATE,
        corporate_service="it_digital",
        clinical_area="",
    )
    outsider = MembershipFactory.create().user
    sign_in_as(page, base, member.user)

    # When the member creates a common quality goal owned by both sides
    page.goto(f"{base}/teams/{team.slug}/goals/new/")
    page.get_by_label("Title").fill("Earlier discharges")
    page.get_by_label("What will improve").fill("Raise discharges before noon on ward 7")
    page.get_by_label("How much").fill("to 30 a month")
    page.get_by_label("By when").fill("2026-03-31")
    page.get_by_label("Corporate owner").select_option(label="Ian Digital")
    page.get_by_label("Clinical owner").select_option(label="Ada Ward")
    page.get_by_role("button", name="Create goal").click()

    # And builds a small driver diagram: a primary driver and a change idea under it
    expect(page.get_by_role("heading", level=1)).to_have_text("Driver diagram: Earlier discharges")
    page.get_by_text("Add a primary driver").click()
    aim_form = page.locator("details.sp-node-actions").first
    aim_form.get_by_label("Text").fill("Discharge readiness is visible")
    aim_form.get_by_label("Owned by").select_option(label="IT and digital")
    aim_form.get_by_role("button", name="Add primary driver").click()
    status = page.locator("#editor-status")
    expect(status).to_have_text("Primary driver “Discharge readiness is visible” added.")
    primary = page.locator("details.sp-node-actions").filter(
        has=page.locator("summary", has_text="Change “Discharge readiness is visible”")
    )
    if primary.get_attribute("open") is None:
        primary.locator("summary").first.click()
    primary.get_by_label("Type").select_option(label="Change idea")
    primary.get_by_label("Text", exact=True).fill("Live discharge board")
    primary.get_by_label("Owned by").select_option(label="Ward 7")
    primary.get_by_role("button", name="Add under “Discharge readiness is visible”").click()
    expect(status).to_have_text("Change idea “Live discharge board” added.")
    expect(page.locator("[data-diagram] svg")).to_contain_text("Live discharge board")
    assert_accessible(page)

    # And defines a clinical outcome measure for the goal
    goal_id = team.goals.get().pk
    page.goto(f"{base}/teams/{team.slug}/measures/new/?goal={goal_id}")
    page.get_by_label("Name").fill("Discharges before noon")
    page.get_by_label("Operational definition").fill("Discharges completed before 12:00.")
    page.get_by_label("Side").select_option("clinical")
    page.get_by_role("button", name="Add measure").click()
    measure = team.measures.get(name="Discharges before noon")

    # And imports a CSV with one bad row
    months = [f"2024-{m:02d}-01" for m in range(1, 13)] + [f"2025-{m:02d}-01" for m in (1, 2)]
    rows = [(p, str(v)) for p, v in zip(months[:12], BASELINE, strict=True)]
    bad = [*rows, (months[12], "11"), (months[13], "thirty")]
    _upload(page, base, team.slug, measure.pk, _csv(bad))

    # Then the file is refused with its line number, and nothing is stored
    expect(page.get_by_role("alert")).to_contain_text("Line 15, column value")
    assert_accessible(page)
    assert not DataPoint.objects.filter(measure=measure).exists()

    # When the member fixes the row and imports again
    _upload(
        page, base, team.slug, measure.pk, _csv([*rows, (months[12], "11"), (months[13], "30")])
    )
    page.get_by_role("button", name="Import 14 rows").click()
    expect(page.get_by_role("status")).to_contain_text("14 points added")

    # Then the measure's chart shows the special-cause point and both icons' meaning in words
    page.goto(f"{base}/teams/{team.slug}/measures/{measure.pk}/")
    chart = page.locator("svg.sp-chart").first
    expect(chart.locator(".sp-special_cause_improvement")).to_have_count(1)
    expect(
        page.get_by_text("Special cause variation: improvement (higher values).").first
    ).to_be_visible()
    assert_accessible(page)

    # And a member of another team is refused the workspace and the measure
    sign_in_as(page, base, outsider)
    response = page.goto(f"{base}/teams/{team.slug}/measures/{measure.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
