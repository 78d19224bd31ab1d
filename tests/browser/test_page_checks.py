"""The accessibility check every browser test gets: it catches what it should, and fails loudly
when it cannot run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from .conftest import PageChecks, assert_accessible, describe

pytestmark = pytest.mark.django_db(transaction=True)

#: A page with one critical violation (an image without a text alternative) and a way out.
BROKEN_PAGE = """<!DOCTYPE html><html lang="en-GB"><head><title>Broken</title></head>
<body><main><h1>Broken</h1><img src="/static/nhsuk/assets/images/favicon.svg">
<p><a href="/">Home</a></p></main></body></html>"""

#: The same, long enough to take axe a while, with a picture that never arrives (so the page
#: never finishes loading).
NEVER_LOADED_PAGE = BROKEN_PAGE.replace(
    "<p>",
    '<img src="/probe/never/" alt="Slow"><ol>'
    + "".join(f"<li>Item {n} <a href='#item-{n}'>read</a></li>" for n in range(3000))
    + "</ol><p>",
)

#: A page that passes until htmx swaps an image without a text alternative into it.
SWAPPING_PAGE = """<!DOCTYPE html><html lang="en-GB"><head><title>Swapping</title>
<script src="/static/htmx/htmx.min.js"></script></head>
<body><main><h1>Swapping</h1>
<button hx-get="/probe/fragment/" hx-target="#slot">Show the picture</button>
<div id="slot"></div></main></body></html>"""

FRAGMENT = '<img id="swapped" src="/static/nhsuk/assets/images/favicon.svg">'

#: A page whose own policy forbids its inline script.
INLINE_SCRIPT_PAGE = """<!DOCTYPE html><html lang="en-GB"><head><title>Inline</title></head>
<body><main><h1>Inline</h1><script>document.title = "ran";</script></main></body></html>"""


def outline(findings: list[dict[str, Any]]) -> list[tuple[str, str | None, list[str]]]:
    """Each finding's kind, trigger and rules broken, for comparing in one line."""
    return [
        (f["kind"], f.get("trigger"), [v["id"] for v in f.get("violations", [])]) for f in findings
    ]


def serve(page: Page, url: str, body: str, headers: dict[str, str] | None = None) -> None:
    def fulfil(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body=body, headers=headers or {})

    page.route(url, fulfil)


def test_a_violation_is_reported_with_its_rule_impact_element_and_address(
    live_server: object, page: Page, page_checks: PageChecks
) -> None:
    base = str(live_server)
    serve(page, base + "/probe/broken/", BROKEN_PAGE)

    page.goto(base + "/probe/broken/")
    page.get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    findings = page_checks.take()
    assert outline(findings) == [("axe", "page load", ["image-alt"])]
    assert findings[0]["url"] == base + "/probe/broken/"
    report = "\n".join(describe(findings[0]))
    assert "image-alt [critical] Images must have alternative text" in report
    assert "at img" in report
    assert base + "/probe/broken/ (page load)" in report


def test_a_page_left_before_it_loaded_is_checked_before_the_next_one_replaces_it(
    live_server: object, page: Page, page_checks: PageChecks
) -> None:
    base = str(live_server)
    serve(page, base + "/probe/never-loaded/", NEVER_LOADED_PAGE)
    page.route(base + "/probe/never/", lambda route: None)

    page.goto(base + "/probe/never-loaded/", wait_until="domcontentloaded")
    page.get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    assert outline(page_checks.take()) == [("axe", "page left before it loaded", ["image-alt"])]


def test_the_state_after_an_htmx_swap_is_checked_too(
    live_server: object, page: Page, page_checks: PageChecks
) -> None:
    base = str(live_server)
    serve(page, base + "/probe/swapping/", SWAPPING_PAGE)
    serve(page, base + "/probe/fragment/", FRAGMENT)
    page.goto(base + "/probe/swapping/")
    page_checks.settle(page)
    assert page_checks.take() == []

    page.get_by_role("button", name="Show the picture").click()
    expect(page.locator("#swapped")).to_be_attached()
    page_checks.settle(page)

    assert outline(page_checks.take()) == [("axe", "htmx swap", ["image-alt"])]


def test_assert_accessible_fails_on_the_page_as_it_is(
    live_server: object, page: Page, page_checks: PageChecks
) -> None:
    base = str(live_server)
    serve(page, base + "/probe/broken/", BROKEN_PAGE)
    page.goto(base + "/probe/broken/")

    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)

    page.goto(base + "/")
    assert_accessible(page)
    assert [f["url"] for f in page_checks.take()] == [base + "/probe/broken/"]


def test_a_page_where_axe_did_not_load_fails_the_test(
    live_server: object, page: Page, page_checks: PageChecks
) -> None:
    page.add_init_script("window.axe = undefined;")

    page.goto(str(live_server) + "/")
    page_checks.settle(page)

    findings = page_checks.take()
    assert [f["kind"] for f in findings] == ["error"]
    assert "axe-core did not load" in describe(findings[0])[0]


def test_a_missing_axe_core_install_fails_rather_than_skips(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="axe-core is missing .* run `npm ci`"):
        PageChecks(axe_script=tmp_path / "axe.min.js")


def test_the_injected_checker_keeps_the_sites_strict_policy_and_breaks_none_of_it(
    live_server: object, page: Page, page_checks: PageChecks
) -> None:
    base = str(live_server)

    # The site's own pages keep their strict policy and report no violation of it, while the
    # checker runs in them
    response = page.goto(base + "/programmes/")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy
    page_checks.settle(page)
    assert page_checks.checked
    assert page_checks.take() == []

    # And a page whose own policy blocks a script is reported
    serve(
        page,
        base + "/probe/inline/",
        INLINE_SCRIPT_PAGE,
        {"Content-Security-Policy": "script-src 'self'"},
    )
    page.goto(base + "/probe/inline/")
    page_checks.settle(page)
    findings = page_checks.take()
    assert [(f["kind"], f["directive"], f["blocked"]) for f in findings] == [
        ("csp", "script-src-elem", "inline")
    ]
    assert "Content Security Policy violation" in describe(findings[0])[0]
