"""Browser journeys run in Debian's Chromium through Playwright (no downloaded browsers).

Every page a journey opens is checked with axe-core from npm. Each browser context gets axe and a
small checker injected into every document; the checker runs axe once the page has loaded and
again after each htmx swap, and reports to the test. A navigation away from a page waits until
the page's check is reported, so no page escapes. The test fails at teardown listing every
serious or critical WCAG 2.2 A/AA violation, and every Content Security Policy violation, seen.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Error, Page, Route, expect

from sharedpurpose.accounts.models import User
from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in the test thread; the Django ORM calls the
# tests make there (loading the demo) are still ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE_SCRIPT = settings.NODE_MODULES_DIR / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
#: Impacts that fail every journey; `assert_accessible` fails on any impact.
FAILING_IMPACTS = ["serious", "critical"]
REPORT_BINDING = "__spPageCheckReport"
#: A navigation held longer than this waiting for a page's check is reported: it means the
#: check never ended, and the test will have timed out waiting for the next page.
HELD_TOO_LONG_SECONDS = 10
#: Targets listed per violation before the rest are counted.
TARGETS_SHOWN = 5

# Runs in every HTML document before the site's own scripts. Init scripts are not subject to
# the page's Content Security Policy, so the site's own policy stays as strict as in production.
PAGE_CHECKER_SOURCE = """
((config) => {
  if (window !== window.top || !/^https?:$/.test(location.protocol)) return;
  if (document.contentType !== "text/html") return;
  const options = {runOnly: {type: "tag", values: config.tags}, resultTypes: ["violations"]};
  const documentId = `${Date.now()}-${Math.random()}`;
  const findings = [];
  let sequence = 0;
  // Never awaited: Playwright answers a binding by evaluating in the page, which waits while
  // a navigation away from the page is held for this very check.
  const send = (message) => {
    const sent = {document: documentId, sequence: sequence++, url: location.href, ...message};
    if (sent.kind !== "busy" && sent.kind !== "idle") findings.push(sent);
    window[config.binding](sent).catch(() => undefined);
  };
  const summarise = (violations) => violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    helpUrl: violation.helpUrl,
    targets: violation.nodes.map((node) => node.target.flat(Infinity).join(" >>> ")),
  }));
  // Scripts lay the page out again in animation frames (the NHS.UK header moves links that do
  // not fit into its menu): check once those have run.
  const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const audit = async () => {
    if (typeof window.axe?.run !== "function") {
      throw new Error("axe-core did not load (is node_modules/axe-core installed?)");
    }
    await nextFrame();
    await nextFrame();
    return summarise((await window.axe.run(document, options)).violations);
  };
  const atMost = (promise, milliseconds) =>
    Promise.race([promise, new Promise((resolve) => setTimeout(resolve, milliseconds))]);
  // axe refuses to run twice at once: runs queue one behind the other.
  let queue = Promise.resolve();
  const enqueue = (task) => {
    const run = queue.then(task);
    queue = run.catch(() => undefined);
    return run;
  };
  let started = false;
  let waiting = null;
  const check = (trigger) => {
    started = true;
    if (waiting) return waiting;
    send({kind: "busy"});
    waiting = enqueue(async () => {
      waiting = null;
      try {
        const violations = (await audit()).filter((v) => config.failing.includes(v.impact));
        send({kind: "axe", trigger, violations});
      } catch (error) {
        send({kind: "error", trigger, message: String(error)});
      }
      if (waiting === null) send({kind: "idle"});
    });
    return waiting;
  };
  send({kind: "busy"});
  document.addEventListener("securitypolicyviolation", (event) => {
    send({
      kind: "csp",
      directive: event.effectiveDirective,
      blocked: event.blockedURI,
      source: `${event.sourceFile}:${event.lineNumber}`,
    });
  });
  window.addEventListener("load", () => check("page load"));
  const loaded = new Promise((resolve) => window.addEventListener("load", resolve));
  // Chromium stops loading a page once a navigation away from it starts: check it as it is.
  window.addEventListener("beforeunload", () => started || check("page left before it loaded"));
  // htmx at work (a request out, or a swap still settling) is waited for before settling.
  let htmxBusy = 0;
  const htmxWaiting = [];
  const htmxDone = () => {
    htmxBusy = Math.max(0, htmxBusy - 1);
    if (htmxBusy === 0) htmxWaiting.splice(0).forEach((resolve) => resolve());
  };
  const htmxQuiet = () =>
    htmxBusy === 0 ? Promise.resolve() : new Promise((resolve) => htmxWaiting.push(resolve));
  document.addEventListener("htmx:beforeRequest", (event) => event.defaultPrevented || htmxBusy++);
  document.addEventListener("htmx:afterRequest", htmxDone);
  document.addEventListener("htmx:afterSwap", () => htmxBusy++);
  document.addEventListener("htmx:afterSettle", () => {
    check("htmx swap");
    htmxDone();
  });
  Object.defineProperty(window, "__spPageCheck", {
    value: Object.freeze({
      // Resolves, once the page has loaded, htmx is quiet and every check has run, to
      // everything this document's checks found.
      settle: async () => {
        // A page that never finishes loading, or that htmx keeps busy, is checked as it is
        // after a while.
        if (!started) await atMost(loaded, 5000);
        if (!started) check("page still loading");
        await atMost(htmxQuiet(), 5000);
        await queue;
        return findings;
      },
      audit: () => enqueue(audit),
    }),
  });
})"""
PAGE_CHECKER_CONFIG = {"tags": WCAG_TAGS, "failing": FAILING_IMPACTS, "binding": REPORT_BINDING}
PAGE_CHECKER = f"{PAGE_CHECKER_SOURCE}({json.dumps(PAGE_CHECKER_CONFIG)});"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is required for browser tests: apt-get install chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@dataclass
class PageChecks:
    """The accessibility and Content Security Policy checks of every page one test opens."""

    axe_script: Path
    findings: list[dict[str, Any]] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)
    closed: list[BrowserContext] = field(default_factory=list)
    #: The document of each page whose checks are still running, and its address.
    checking: dict[Page, tuple[str, str]] = field(default_factory=dict)
    #: Navigations away from a page, held until its document's checks are reported.
    held: dict[Page, list[Route]] = field(default_factory=dict)
    #: When the first of those navigations was held.
    held_since: dict[Page, float] = field(default_factory=dict)
    received: set[tuple[str, int]] = field(default_factory=set)
    #: Documents whose first check has been reported (later ones follow htmx swaps).
    checked: set[str] = field(default_factory=set)
    pages: list[Page] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.axe_script.is_file():
            pytest.fail(
                f"axe-core is missing at {self.axe_script}: run `npm ci` (or `make assets`)",
                pytrace=False,
            )

    def watch(self, context: BrowserContext) -> None:
        """Inject axe and the checker into every document the context opens."""
        context.expose_binding(REPORT_BINDING, self._receive)
        context.add_init_script(path=self.axe_script)
        context.add_init_script(script=PAGE_CHECKER)
        context.route("**/*", self._hold_navigation)
        context.on("page", self.watch_page)
        self.contexts.append(context)

    def settle(self, page: Page) -> None:
        """Wait until the page's document has been checked, and take what it found."""
        if page.is_closed() or self.held.get(page):
            return
        found: Any = None
        for attempt in range(3):
            try:
                found = page.evaluate("() => window.__spPageCheck?.settle()")
                break
            except Error as error:
                # A page already checked may be replaced mid-evaluation: settle the new one.
                if "context was destroyed" not in error.message or attempt == 2:
                    raise
        for message in found or []:
            self._record(page, message)
        self.checking.pop(page, None)

    def close(self, context: BrowserContext) -> None:
        if context not in self.closed:
            self.closed.append(context)
            for page in context.pages:
                self.settle(page)

    def take(self) -> list[dict[str, Any]]:
        """Hand over the findings so far, leaving none behind."""
        taken, self.findings = self.findings, []
        return taken

    def report(self) -> str:
        """Every finding, one block a page and problem, the same problem told once."""
        blocks: list[str] = []
        for finding in self.findings:
            blocks.extend(block for block in describe(finding) if block not in blocks)
        return "\n".join(blocks)

    def watch_page(self, page: Page) -> None:
        """Make the test's own navigations wait for the page's check (Playwright's evaluate
        reaches the newest document, even one whose navigation is still committing)."""
        if page in self.pages:
            return
        self.pages.append(page)
        for name in ("goto", "reload", "go_back", "go_forward"):
            setattr(page, name, self._settled_first(page, getattr(page, name)))

    def _settled_first(self, page: Page, navigate: Callable[..., Any]) -> Callable[..., Any]:
        def settle_then_navigate(*args: Any, **kwargs: Any) -> Any:
            self.settle(page)
            return navigate(*args, **kwargs)

        return settle_then_navigate

    def _receive(self, source: dict[str, Any], message: dict[str, Any]) -> None:
        self._record(source["page"], message)

    def _record(self, page: Page, message: dict[str, Any]) -> None:
        key = (message["document"], message["sequence"])
        if key in self.received:
            return
        self.received.add(key)
        document, kind = message["document"], message["kind"]
        current = self.checking.get(page)
        if kind == "busy":
            # A re-check after a swap may be cut short by a navigation that started before the
            # swap settled; a document never checked at all fails the test.
            if current is not None and current[0] != document and current[0] not in self.checked:
                self.findings.append(
                    {
                        "kind": "error",
                        "url": current[1],
                        "message": "the page was replaced before its check finished",
                    }
                )
            self.checking[page] = (document, message["url"])
        elif kind == "idle":
            if current is not None and current[0] == document:
                del self.checking[page]
                self.held_since.pop(page, None)
                for route in self.held.pop(page, []):
                    route.fallback()
        else:
            if kind in ("axe", "error"):
                self.checked.add(document)
            if kind != "axe" or message["violations"]:
                self.findings.append(message)

    def _hold_navigation(self, route: Route) -> None:
        # The document being left must report its checks before the next one replaces it.
        request = route.request
        frame = request.frame
        if (
            request.is_navigation_request()
            and frame.parent_frame is None
            and frame.page in self.checking
        ):
            self.held.setdefault(frame.page, []).append(route)
            self.held_since.setdefault(frame.page, time.monotonic())
        else:
            route.fallback()


def describe(finding: dict[str, Any]) -> list[str]:
    """A finding in words: where, what, and which elements."""
    url = finding["url"]
    if finding["kind"] == "error":
        return [f"{url}: the accessibility check could not run: {finding['message']}"]
    if finding["kind"] == "csp":
        blocked = finding["blocked"] or "inline code"
        return [
            f"{url}: Content Security Policy violation: {finding['directive']} blocked "
            f"{blocked} (from {finding['source']})"
        ]
    blocks = []
    for violation in finding["violations"]:
        targets = violation["targets"]
        shown = "; ".join(targets[:TARGETS_SHOWN])
        if len(targets) > TARGETS_SHOWN:
            shown += f"; and {len(targets) - TARGETS_SHOWN} more"
        blocks.append(
            f"{url} ({finding['trigger']}): {violation['id']} [{violation['impact']}] "
            f"{violation['help']}\n    at {shown}\n    see {violation['helpUrl']}"
        )
    return blocks


@pytest.fixture(autouse=True)
def page_checks(browser: Browser, monkeypatch: pytest.MonkeyPatch) -> Iterator[PageChecks]:
    """Check every page of every browser context the test opens, however it opens them."""
    checks = PageChecks(axe_script=AXE_SCRIPT)
    open_context = browser.new_context

    def new_context(**options: Any) -> BrowserContext:
        context = open_context(**options)
        checks.watch(context)
        close, open_page = context.close, context.new_page

        def settle_then_close(**close_options: Any) -> None:
            checks.close(context)
            close(**close_options)

        def new_page() -> Page:
            page = open_page()
            checks.watch_page(page)
            return page

        monkeypatch.setattr(context, "close", settle_then_close)
        monkeypatch.setattr(context, "new_page", new_page)
        return context

    def new_page(**options: Any) -> Page:
        return new_context(**options).new_page()

    monkeypatch.setattr(browser, "new_context", new_context)
    monkeypatch.setattr(browser, "new_page", new_page)
    yield checks
    for context in checks.contexts:
        if context not in checks.closed:
            context.close()
    for page, since in checks.held_since.items():
        if checks.held.get(page) and time.monotonic() - since > HELD_TOO_LONG_SECONDS:
            checks.findings.append(
                {
                    "kind": "error",
                    "url": page.url,
                    "message": "a navigation away from this page was still waiting for its "
                    "check, which never reported",
                }
            )
    report = checks.report()
    if report:
        pytest.fail(
            "Pages this test visited have accessibility or Content Security Policy "
            "problems:\n" + report,
            pytrace=False,
        )


def assert_accessible(page: Page) -> None:
    """Fail when the loaded page, as it is now, has WCAG 2.2 A/AA violations of any impact."""
    page.wait_for_load_state()
    if page.evaluate("() => window.__spPageCheck === undefined"):
        pytest.fail(f"The accessibility checker is not in {page.url}", pytrace=False)
    violations = page.evaluate("() => window.__spPageCheck.audit()")
    finding = {"kind": "axe", "url": page.url, "trigger": "now", "violations": violations}
    assert not violations, "\n".join(describe(finding))


def sign_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the site's own form, as a person would."""
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Signed in as")


def sign_in_as(page: Page, base: str, user: User) -> None:
    """Start the page's browser context signed in as ``user``, skipping the form."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}]
    )
