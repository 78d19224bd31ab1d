"""Journeys made with the keyboard alone: Tab, Shift+Tab, Enter, Space, arrow keys and typing.

Locators only find where focus should be; every move is a key press. Each stop on the way must
show the NHS.UK focus style, and error summaries must take focus and lead to their fields.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from sharedpurpose.accounts.models import User
from sharedpurpose.applications.models import Application, ApplicationState, QuestionKind
from sharedpurpose.improvement.models import DataPoint, TeamMembership
from sharedpurpose.improvement.quality import period_label
from tests.applications.factories import (
    ApplicationFormFactory,
    EligibilityQuestionFactory,
    OpenRoundFactory,
    QuestionFactory,
    SectionFactory,
)
from tests.factories import MeasureFactory, MembershipFactory, ProgrammeFactory, UserFactory

from .conftest import assert_accessible, sign_in_as

pytestmark = pytest.mark.django_db(transaction=True)

# Whether the focused element shows the NHS.UK focus state: the yellow (#ffeb3b) outline,
# box shadow or background, on the element or, for radios and checkboxes, on their label's
# drawn box.
FOCUS_SHOWN = """element => {
  const styles = [getComputedStyle(element)];
  for (const label of element.labels || []) {
    styles.push(getComputedStyle(label, "::before"), getComputedStyle(label, "::after"));
  }
  const yellow = "rgb(255, 235, 59)";
  return styles.some((style) =>
    (style.outlineStyle !== "none" && style.outlineColor === yellow)
    || style.boxShadow.includes(yellow)
    || (style.backgroundColor === yellow && style.boxShadow !== "none"));
}"""

# The focused element named as a reader of a failing test would find it.
FOCUS_NAME = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const label = element.labels?.[0]?.innerText || element.getAttribute("aria-label")
    || element.innerText || element.getAttribute("value") || "";
  const id = element.id ? `#${element.id}` : "";
  return `${element.tagName.toLowerCase()}${id} "${label.trim().slice(0, 50)}"`;
}"""


OUTSIDE = "(outside the page)"

#: The team workspace's own pages, as its navigation names them.
WORKSPACE_PAGES = [
    "Dashboard",
    "Goals and driver diagrams",
    "Measure library",
    "Data imports",
    "PDSA cycles",
    "Interventions",
    "Evidence",
    "Case studies",
    "Members",
]


def tab_to(page: Page, target: Locator, max_presses: int = 80, key: str = "Tab") -> None:
    """Press ``key`` (Tab) until ``target`` has focus, each stop on the way showing focus.

    Fails with the path focus took when the target is never reached.
    """
    # Styles apply once the target's page has loaded; a key pressed earlier finds them missing.
    target.wait_for(state="attached")
    page.wait_for_load_state()
    path: list[str] = []
    for _ in range(max_presses):
        if target.evaluate("element => element === document.activeElement"):
            return
        path.append(press_and_name_stop(page, key))
    if not target.evaluate("element => element === document.activeElement"):
        pytest.fail(
            f"{key} never reached {target} in {max_presses} presses; focus went:\n  "
            + "\n  ".join(path),
            pytrace=False,
        )


def tab_through(page: Page, max_presses: int = 150) -> None:
    """Tab from where focus is until it leaves the page: no control keeps it, and every stop
    shows focus."""
    page.wait_for_load_state()
    path = [press_and_name_stop(page, "Tab")]
    while path[-1] != OUTSIDE:
        if len(path) == max_presses:
            pytest.fail("Focus never left the page; it went:\n  " + "\n  ".join(path))
        path.append(press_and_name_stop(page, "Tab"))
    assert len(path) > 1, "Tab found nothing to focus on the page"


def press_and_name_stop(page: Page, key: str) -> str:
    """Press ``key``; name where focus went, failing if it went somewhere without showing it."""
    page.keyboard.press(key)
    name: str | None = page.evaluate(FOCUS_NAME)
    if name is None:
        return OUTSIDE
    # The active element, not `:focus`: a date field holding focus in its calendar button is
    # active without matching `:focus`.
    shown = page.evaluate(f"() => ({FOCUS_SHOWN})(document.activeElement)")
    assert shown, f"Focus is not shown on {name}"
    return name


def expect_focus_shown(locator: Locator) -> None:
    expect(locator).to_be_focused()
    locator.page.wait_for_load_state()
    assert locator.evaluate(FOCUS_SHOWN), "the focused element does not show the focus style"


def type_over(page: Page, text: str) -> None:
    """Replace the focused field's text, as a keyboard user does: select all, then type."""
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text)


def test_an_applicant_applies_with_the_keyboard_alone(live_server: Any, page: Page) -> None:
    # Given a round open for applications, with an eligibility question and a section to answer
    base = str(live_server)
    programme = ProgrammeFactory.create(name="Closing the Gap", slug="closing-the-gap")
    round_ = OpenRoundFactory.create(programme=programme, number=1, name="Shared Purpose")
    form = ApplicationFormFactory.create(
        round=round_,
        min_partner_organisations=0,
        requires_corporate_lead=False,
        requires_clinical_lead=False,
    )
    EligibilityQuestionFactory.create(section=SectionFactory.create(form=form, position=0))
    idea = SectionFactory.create(form=form, position=1, title="Your idea")
    QuestionFactory.create(section=idea, label="What will change?", word_limit=8, position=1)
    QuestionFactory.create(
        section=idea,
        kind=QuestionKind.SINGLE_CHOICE,
        label="Has the partnership worked together before?",
        choices=["Yes", "No"],
        position=2,
    )
    applicant = UserFactory.create(full_name="Ada Okafor")
    sign_in_as(page, base, applicant)
    page.goto(base + round_.get_absolute_url())

    # When they press Tab first, the skip link shows, and Enter takes them to the content
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect_focus_shown(skip)
    page.keyboard.press("Enter")
    expect(page.locator("#maincontent")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#maincontent *:focus")).to_have_count(1)

    # And they start an application from the round page
    tab_to(page, page.get_by_role("link", name="Start an application"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply to Shared Purpose")

    # When they press Start application with nothing answered
    tab_to(page, page.get_by_role("button", name="Start application"))
    page.keyboard.press("Enter")

    # Then the error summary takes focus, and its first link takes them to the question
    summary = page.locator(".nhsuk-error-summary")
    expect_focus_shown(summary)
    page.keyboard.press("Tab")
    first_error = summary.get_by_role("link").first
    expect_focus_shown(first_error)
    page.keyboard.press("Enter")
    eligible = page.get_by_role("group", name="Is the lead organisation an NHS body in the UK?")
    expect_focus_shown(eligible.get_by_label("Yes"))

    # When they choose Yes with Space, Tab on to the title (the radios are one stop), give it
    # and press Enter in it
    page.keyboard.press("Space")
    expect(eligible.get_by_label("Yes")).to_be_checked()
    page.keyboard.press("Tab")
    expect_focus_shown(page.get_by_label("Project title"))
    page.keyboard.type("Ward-to-board recruitment")
    page.keyboard.press("Enter")

    # Then the application has started
    expect(page.get_by_role("heading", level=1)).to_have_text("Ward-to-board recruitment")
    reference = Application.objects.get().reference

    # When they name the lead organisation on the partnership page
    tab_to(page, page.get_by_role("link", name="Partnership"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnership")
    tab_to(page, page.locator("#id_lead-name"))
    page.keyboard.type("Northmoor Hospitals")
    tab_to(page, page.get_by_role("button", name="Save lead organisation"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Northmoor Hospitals is the lead")

    # And open the section from the application's task list
    breadcrumbs = page.get_by_role("navigation", name="Breadcrumb")
    tab_to(page, breadcrumbs.get_by_role("link", name=reference))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Your idea"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your idea")

    # And type an answer that is too long, then choose an answer with the arrow keys
    answer = page.get_by_label("What will change?")
    tab_to(page, answer)
    page.keyboard.type("One recruitment team for nurses, porters, cleaners and cooks")
    together = page.get_by_role("group", name="Has the partnership worked together before?")
    tab_to(page, together.get_by_label("Yes"))
    page.keyboard.press("ArrowDown")
    expect(together.get_by_label("No")).to_be_checked()
    expect_focus_shown(together.get_by_label("No"))

    # Then the draft saving as they type says what stops it, and the page after that swap is
    # accessible too, with no trap for the keyboard
    expect(page.locator("#autosave-status")).to_contain_text(
        "Not saved: “What will change?”: Use 8 words or fewer (you used 9)."
    )
    assert_accessible(page)
    tab_through(page)

    # When they save with the button, the error summary takes focus and leads to the answer
    tab_to(page, page.get_by_role("button", name="Save and continue"))
    page.keyboard.press("Enter")
    summary = page.locator(".nhsuk-error-summary")
    expect_focus_shown(summary)
    expect(summary).to_contain_text("What will change?: Use 8 words or fewer")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect_focus_shown(answer)

    # And they shorten it, reach the button, check their choice with Shift+Tab, and save
    type_over(page, "One recruitment team for the whole partnership")
    save = page.get_by_role("button", name="Save and continue")
    tab_to(page, save)
    page.keyboard.press("Shift+Tab")
    expect_focus_shown(together.get_by_label("No"))
    page.keyboard.press("Tab")
    expect_focus_shown(save)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="were saved")).to_be_visible()

    # When they check their answers and submit without confirming
    tab_to(page, page.get_by_role("link", name="Check answers and submit"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting"
    )
    tab_to(page, page.get_by_role("button", name="Submit application"))
    page.keyboard.press("Enter")

    # Then the error summary takes focus and leads to the confirmation
    summary = page.locator(".nhsuk-error-summary")
    expect_focus_shown(summary)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    confirm = page.get_by_label("I confirm that the information")
    expect_focus_shown(confirm)

    # When they tick it with Space and submit
    page.keyboard.press("Space")
    expect(confirm).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Submit application"))
    page.keyboard.press("Enter")

    # Then the application is submitted
    expect(page.get_by_role("heading", level=1)).to_have_text("Application submitted")
    assert Application.objects.get().state == ApplicationState.SUBMITTED


def test_a_data_contributor_enters_and_corrects_data_with_the_keyboard_alone(
    live_server: Any, page: Page
) -> None:
    # Given a data contributor of a team with a monthly measure
    base = str(live_server)
    membership = MembershipFactory.create(role=TeamMembership.Role.DATA_CONTRIBUTOR)
    MeasureFactory.create(team=membership.team, name="Falls per 1,000 bed days")
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    sign_in_as(page, base, membership.user)
    page.goto(f"{base}/teams/{membership.team.slug}/workspace/")

    # When they open the measure's data grid from the workspace
    tab_to(page, page.get_by_role("link", name="Falls per 1,000 bed days").first)
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Data", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Data of Falls per 1,000 bed days")

    # And type this month's value, then last month's with a typing slip, and press Enter
    this_cell = page.get_by_label(f"Value for {period_label(this_month, 'monthly')}")
    last_cell = page.get_by_label(f"Value for {period_label(last_month, 'monthly')}")
    tab_to(page, this_cell)
    page.keyboard.type("6.1")
    page.keyboard.press("Tab")
    expect_focus_shown(last_cell)
    page.keyboard.type("5.4x")
    page.keyboard.press("Enter")

    # Then the error summary takes focus and its link leads to the cell
    summary = page.locator(".nhsuk-error-summary")
    expect_focus_shown(summary)
    assert_accessible(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect_focus_shown(last_cell)
    assert not DataPoint.objects.exists()

    # When they correct it and save with Enter
    type_over(page, "5.4")
    page.keyboard.press("Enter")

    # Then both points are saved, and the keyboard can leave the grid
    expect(page.get_by_role("status")).to_contain_text("Saved 2 points.")
    expect(this_cell).to_have_value("6.1")
    expect(last_cell).to_have_value("5.4")
    assert set(DataPoint.objects.values_list("value", flat=True)) == {5.4, 6.1}
    tab_through(page)

    # When they import the month before from a file, choosing it from the keyboard
    earlier = (last_month - timedelta(days=1)).replace(day=1)
    tab_to(page, page.get_by_role("link", name="Import from a file"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a file")
    # Chromium hands the file chooser to the test only once told to, which happens without
    # waiting: told before the tabbing, it is ready however busy the machine.
    page.on("filechooser", lambda _chooser: None)
    tab_to(page, page.get_by_label("Upload a file"))
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(
        {
            "name": "falls.csv",
            "mimeType": "text/csv",
            "buffer": f"period,value\n{earlier.isoformat()},4.9\n".encode(),
        }
    )
    tab_to(page, page.get_by_role("button", name="Upload and check"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Import 1 row"))
    page.keyboard.press("Enter")

    # Then the grid shows the imported point with the others
    expect(page.get_by_role("status")).to_contain_text("1 point added")
    expect(page.get_by_label(f"Value for {period_label(earlier, 'monthly')}")).to_have_value("4.9")
    assert DataPoint.objects.count() == 3


def test_every_page_of_a_team_workspace_lets_the_keyboard_through_and_shows_focus(
    live_server: Any, page: Page
) -> None:
    # Given the demo, whose team member leads a team with goals, diagrams, measures and cycles
    call_command("demo", stdout=StringIO())
    base = str(live_server)
    sign_in_as(page, base, User.objects.get(email="team@demo.example.org"))
    page.goto(base + "/teams/")
    tab_to(page, page.get_by_role("link", name="Northmoor value-based recruitment partnership"))
    page.keyboard.press("Enter")
    workspace = page.get_by_role("navigation", name="Team workspace")

    # When they move from page to page of the workspace with Tab and Enter, then each page lets
    # Tab through every control and out again, showing focus at every stop
    for name in WORKSPACE_PAGES:
        tab_to(page, workspace.get_by_role("link", name=name))
        page.keyboard.press("Enter")
        expect(workspace.get_by_role("link", name=name)).to_have_attribute("aria-current", "page")
        tab_through(page)

    # And so do the new goal form (its date field's calendar button too), a goal, its driver
    # diagram's editor, and a measure's chart and data
    tab_to(page, workspace.get_by_role("link", name="Goals and driver diagrams"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Create a goal"))
    page.keyboard.press("Enter")
    expect(page.get_by_label("By when")).to_be_visible()
    tab_through(page)
    tab_to(page, workspace.get_by_role("link", name="Goals and driver diagrams"))
    page.keyboard.press("Enter")
    tab_to(page, page.locator("main table").get_by_role("link").first)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2, name="Driver diagram")).to_be_visible()
    tab_through(page)
    tab_to(page, page.get_by_role("link", name="Edit the driver diagram").first)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Driver diagram")
    tab_through(page)
    tab_to(page, workspace.get_by_role("link", name="Dashboard"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Time to hire").first)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Time to hire")
    tab_through(page)
    tab_to(page, page.get_by_role("link", name="Data", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Data of Time to hire")
    tab_through(page)
