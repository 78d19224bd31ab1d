from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from sharedpurpose.improvement.models import TeamMembership
from tests.factories import MeasureFactory, MembershipFactory, TeamFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

#: Reports every Content Security Policy violation into the page, where the test reads them.
LISTEN_FOR_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def test_a_member_creates_a_token_uses_it_once_shown_and_revokes_it(
    live_server: object, page: Page, browser: Browser
) -> None:
    # Given a member of Team A, which has a measure
    membership = MembershipFactory.create(
        team=TeamFactory.create(name="Team A", slug="team-a"),
        role=TeamMembership.Role.MEMBER,
        user__full_name="Ada Member",
    )
    MeasureFactory.create(team=membership.team, name="Falls")
    # and of another team, which the token will not reach
    MembershipFactory.create(team=TeamFactory.create(name="Eastfield"), user=membership.user)
    base = str(live_server)
    sign_in(page, base, membership.user.email)

    # When they open their API tokens page
    page.goto(base + "/account/api-tokens/")
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    expect(page.get_by_text("You have no API tokens yet.")).to_be_visible()
    expect(page.get_by_role("link", name="Read the API documentation")).to_have_attribute(
        "href", "/api/docs"
    )
    assert_accessible(page)

    # And create a read-write token for their team
    page.get_by_label("Name").fill("Warehouse pipeline")
    page.get_by_label("Read and write").check()
    page.get_by_label("Team A").check()
    expect(page.get_by_label("Eastfield")).not_to_be_checked()
    page.get_by_role("button", name="Create token").click()

    # Then they see it once, with the warning that it will not be shown again
    expect(page.get_by_role("heading", level=1)).to_have_text("Your new API token")
    expect(page.get_by_text("This is the only time the token is shown")).to_be_visible()
    text = page.locator("#api-token-text").inner_text().strip()
    assert text.startswith("sp_")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Read and write")
    expect(page.locator(".nhsuk-summary-list")).not_to_contain_text("Eastfield")
    assert_accessible(page)

    # And a pipeline (no cookies, only the token) reads their teams with it
    pipeline = browser.new_context(base_url=base).request
    teams = pipeline.get("/api/v1/teams", headers={"Authorization": f"Bearer {text}"})
    assert teams.status == 200, teams.text()
    assert [team["slug"] for team in teams.json()["items"]] == ["team-a"]

    # When they reload the page, the token is not shown again
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    expect(page.get_by_role("status")).to_contain_text("shown only once")
    assert text not in page.content()
    row = page.get_by_role("row").filter(has_text="Warehouse pipeline")
    expect(row).to_contain_text("Read and write")
    expect(row).to_contain_text("Team A")
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text(text[:15])
    assert_accessible(page)

    # When they revoke it, after confirming
    row.get_by_role("link", name="Revoke Warehouse pipeline").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Revoke the token “Warehouse pipeline”?"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Revoke token").click()

    # Then the list shows it revoked, and the pipeline is refused
    expect(page.get_by_role("status")).to_contain_text("was revoked")
    expect(page.get_by_role("row").filter(has_text="Warehouse pipeline")).to_contain_text("Revoked")
    assert_accessible(page)
    refused = pipeline.get("/api/v1/teams", headers={"Authorization": f"Bearer {text}"})
    assert refused.status == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["detail"] == "The API token has been revoked."


def test_a_wrong_form_shows_its_errors(live_server: object, page: Page) -> None:
    membership = MembershipFactory.create(team=TeamFactory.create(name="Team A"))
    base = str(live_server)
    sign_in(page, base, membership.user.email)
    page.goto(base + "/account/api-tokens/")

    page.get_by_role("button", name="Create token").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter what the token is for")
    expect(summary).to_contain_text("Choose the teams this token may reach")
    assert_accessible(page)


def test_the_api_docs_render_under_the_strict_csp(live_server: object, page: Page) -> None:
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.add_init_script(LISTEN_FOR_CSP)

    response = page.goto(str(live_server) + "/api/docs")

    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # Swagger UI, from local static files, lists the operations of the live schema
    expect(page.locator(".opblock-summary-path").first).to_be_visible(timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any(p.strip().endswith("/api/v1/teams") for p in paths), paths
    assert any(p.strip().endswith("/api/v1/points/bulk") for p in paths), paths
    expect(page.get_by_role("heading", name="Shared Purpose API")).to_be_visible()
    assert_accessible(page)
    # and an operation opens to show its parameters and its problem responses
    page.locator(".opblock-summary-path", has_text="/api/v1/teams").first.click()
    expect(page.get_by_role("button", name="Try it out")).to_be_visible()
    expect(page.locator(".opblock-body").first).to_contain_text("application/problem+json")
    assert_accessible(page)
    # with no Content Security Policy violation reported by the browser
    violations: Any = page.evaluate("window.__cspViolations")
    assert violations == [], violations
    assert not [line for line in console if "Content Security Policy" in line], console
