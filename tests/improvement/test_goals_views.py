from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sharedpurpose.core.models import AuditEvent
from sharedpurpose.improvement.models import DriverNode, Goal, Side
from tests.factories import MeasureFactory, TeamFactory

from .factories_goals import DriverNodeFactory, GoalFactory, member_of

pytestmark = pytest.mark.django_db

Kind = DriverNode.Kind
HTMX = {"HX-Request": "true"}


def url(name: str, goal: Goal, *args: int) -> str:
    return reverse(f"improvement:{name}", args=[goal.team.slug, goal.pk, *args])


@pytest.fixture
def goal() -> Goal:
    return GoalFactory.create(title="Fewer falls")


@pytest.fixture
def member(client: Client, goal: Goal) -> Client:
    client.force_login(member_of(goal.team).user)
    return client


def test_a_member_creates_a_goal_with_owners_from_both_sides(client: Client) -> None:
    team = TeamFactory.create()
    corporate = member_of(team, side=Side.CORPORATE).user
    clinical = member_of(team).user
    client.force_login(clinical)

    form = client.get(reverse("improvement:goal_create", args=[team.slug])).content.decode()
    assert corporate.get_full_name() in form
    response = client.post(
        reverse("improvement:goal_create", args=[team.slug]),
        {
            "title": "Fewer falls",
            "aim_what": "Reduce falls on wards A to C",
            "aim_how_much": "by 30%",
            "aim_by_when": "2026-03-31",
            "corporate_owner": corporate.pk,
            "clinical_owner": clinical.pk,
        },
    )

    goal = Goal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("goal_diagram_edit", goal)
    assert (goal.corporate_owner, goal.clinical_owner) == (corporate, clinical)
    page = client.get(url("goal", goal)).content.decode()
    assert "Reduce falls on wards A to C by 30% by March 2026" in page


def test_an_owner_from_the_wrong_side_is_refused_and_what_was_typed_is_kept(
    client: Client,
) -> None:
    team = TeamFactory.create()
    clinical = member_of(team).user
    client.force_login(clinical)

    response = client.post(
        reverse("improvement:goal_create", args=[team.slug]),
        {
            "title": "Fewer falls",
            "aim_what": "Reduce falls",
            "aim_how_much": "",
            "aim_by_when": "31/02/2026",
            "corporate_owner": clinical.pk,
            "clinical_owner": clinical.pk,
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "Enter how much it will improve" in html
    assert "By when must be a real date" in html
    assert "Select a valid choice" in html  # a clinical member is not a corporate choice
    assert 'value="Reduce falls"' in html
    assert not Goal.objects.exists()


def test_goal_pages_list_the_goal_and_its_measures_of_both_sides(
    member: Client, goal: Goal
) -> None:
    MeasureFactory.create(team=goal.team, goal=goal, name="Falls per 1,000 bed days")
    MeasureFactory.create(
        team=goal.team, goal=goal, name="Rosters filled on time", side=Side.CORPORATE
    )
    DriverNodeFactory.create(goal=goal, text="Safe staffing", side=Side.CORPORATE)

    listing = member.get(reverse("improvement:goal_list", args=[goal.team.slug])).content.decode()
    page = member.get(url("goal", goal)).content.decode()

    assert "Fewer falls" in listing
    assert "Falls per 1,000 bed days" in page and "Rosters filled on time" in page
    assert "Corporate support services" in page and "Clinical services" in page
    assert "Safe staffing" in page and 'role="img"' in page
    assert page.count("<h1") == 1


def test_the_diagram_downloads_as_an_svg_file(member: Client, goal: Goal) -> None:
    DriverNodeFactory.create(goal=goal, text="Safe & sound staffing")

    inline = member.get(url("goal_diagram_svg", goal))
    download = member.get(url("goal_diagram_svg", goal) + "?download=1")

    assert inline["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert "Content-Disposition" not in inline
    assert (
        download["Content-Disposition"] == 'attachment; filename="fewer-falls-driver-diagram.svg"'
    )
    assert "Safe &amp; sound staffing" in download.content.decode()


def test_nodes_are_added_renamed_moved_started_and_deleted_through_the_editor(
    member: Client, goal: Goal
) -> None:
    response = member.post(
        url("node_add", goal),
        {"text": "Safe staffing", "kind": "primary", "owner": "corporate:hr_workforce"},
    )
    primary = goal.nodes.get()
    assert response.status_code == 302
    assert response["Location"] == url("goal_diagram_edit", goal) + f"#node-{primary.pk}"
    member.post(
        url("node_add", goal),
        {"parent": primary.pk, "text": "Rosters", "kind": "secondary", "owner": "clinical:Ward A"},
    )
    member.post(
        url("node_add", goal),
        {"parent": primary.pk, "text": "Huddles", "kind": "change_idea", "owner": "clinical:"},
    )
    rosters, huddles = primary.children.order_by("position")
    member.post(url("node_rename", goal, rosters.pk), {"text": "Full rosters"})
    member.post(url("node_move", goal, huddles.pk), {"direction": "up"})
    member.post(url("node_move", goal, huddles.pk), {"parent": rosters.pk})
    member.post(url("node_start", goal, huddles.pk), {"started_on": "2025-03-01"})

    huddles.refresh_from_db()
    rosters.refresh_from_db()
    assert rosters.text == "Full rosters"
    assert huddles.parent == rosters and huddles.started_on == dt.date(2025, 3, 1)
    assert rosters.side == Side.CLINICAL and rosters.clinical_area == "Ward A"
    page = member.get(url("goal_diagram_edit", goal)).content.decode()
    assert "Started 1 March 2025" in page and "and the 2 nodes under it" in page

    member.post(url("node_delete", goal, primary.pk))
    assert not goal.nodes.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"driver_node.add", "driver_node.rename", "driver_node.move"} <= actions
    assert {"change_idea.start", "driver_node.delete"} <= actions


def test_with_htmx_the_editor_region_comes_back_with_a_status_message(
    member: Client, goal: Goal
) -> None:
    node = DriverNodeFactory.create(goal=goal, text="Old")

    response = member.post(url("node_rename", goal, node.pk), {"text": "New"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="driver-editor"')
    assert '<div id="editor-status" hx-swap-oob="innerHTML">“Old” renamed to “New”.</div>' in html
    assert "<h1" not in html and "New" in html


def test_bad_node_input_is_explained_and_changes_nothing(member: Client, goal: Goal) -> None:
    node = DriverNodeFactory.create(goal=goal, text="Keep me")

    full = member.post(url("node_rename", goal, node.pk), {"text": "  "})
    partial = member.post(
        url("node_add", goal),
        {"text": "Orphan idea", "kind": "change_idea", "owner": "clinical:"},
        headers=HTMX,
    )

    assert full.status_code == 400
    assert "There is a problem" in full.content.decode()
    assert f'href="#rename-{node.pk}-text"' in full.content.decode()
    html = partial.content.decode()
    assert partial.status_code == 200
    assert "Select a valid choice" in html  # under the aim only a primary driver fits
    assert 'value="Orphan idea"' in html
    node.refresh_from_db()
    assert node.text == "Keep me" and goal.nodes.count() == 1


def test_the_editor_refuses_a_change_idea_in_the_future(member: Client, goal: Goal) -> None:
    idea = DriverNodeFactory.create(
        goal=goal, kind=Kind.CHANGE_IDEA, parent=DriverNodeFactory.create(goal=goal)
    )
    future = (dt.date.today() + dt.timedelta(days=10)).isoformat()

    response = member.post(url("node_start", goal, idea.pk), {"started_on": future})

    assert response.status_code == 400
    assert "The start date must be today or in the past" in response.content.decode()


def test_another_teams_member_gets_404_everywhere(client: Client, goal: Goal) -> None:
    node = DriverNodeFactory.create(goal=goal)
    client.force_login(member_of(TeamFactory.create()).user)

    for name, args in [("goal", ()), ("goal_diagram_edit", ()), ("goal_diagram_svg", ())]:
        assert client.get(url(name, goal, *args)).status_code == 404
    assert client.post(url("node_rename", goal, node.pk), {"text": "Hacked"}).status_code == 404
    assert client.get(reverse("improvement:goal_list", args=[goal.team.slug])).status_code == 404
    node.refresh_from_db()
    assert node.text != "Hacked"


def test_nodes_of_another_goal_cannot_be_reached_through_this_one(
    member: Client, goal: Goal
) -> None:
    elsewhere = DriverNodeFactory.create()  # another team's goal

    response = member.post(url("node_rename", goal, elsewhere.pk), {"text": "Hacked"})
    added = member.post(
        url("node_add", goal),
        {"parent": elsewhere.pk, "text": "X", "kind": "secondary", "owner": "clinical:"},
    )

    assert (response.status_code, added.status_code) == (404, 404)


def test_a_data_contributor_reads_the_diagram_but_cannot_change_it(
    client: Client, goal: Goal
) -> None:
    node = DriverNodeFactory.create(goal=goal, text="Safe staffing")
    client.force_login(member_of(goal.team, role="data_contributor").user)

    editor = client.get(url("goal_diagram_edit", goal)).content.decode()
    assert "Safe staffing" in editor
    assert url("node_rename", goal, node.pk) not in editor
    assert url("node_add", goal) not in editor
    assert client.post(url("node_rename", goal, node.pk), {"text": "X"}).status_code == 403
    assert client.post(url("node_delete", goal, node.pk)).status_code == 403
    assert client.get(url("goal_edit", goal)).status_code == 403
    assert client.post(url("goal_delete", goal)).status_code == 403
    assert DriverNode.objects.filter(pk=node.pk, text="Safe staffing").exists()


def test_deleting_a_goal_asks_first_then_deletes_it(member: Client, goal: Goal) -> None:
    DriverNodeFactory.create(goal=goal)

    confirm = member.get(url("goal_delete", goal)).content.decode()
    response = member.post(url("goal_delete", goal))

    assert "1 node" in confirm
    assert response.status_code == 302
    assert not Goal.objects.exists()


def test_the_editor_reads_a_large_diagram_in_a_fixed_number_of_queries(
    member: Client, goal: Goal, django_assert_max_num_queries: Any
) -> None:
    for _ in range(5):
        primary = DriverNodeFactory.create(goal=goal)
        secondary = DriverNodeFactory.create(goal=goal, parent=primary, kind=Kind.SECONDARY)
        DriverNodeFactory.create(goal=goal, parent=secondary, kind=Kind.CHANGE_IDEA)

    with django_assert_max_num_queries(12):
        response = member.get(url("goal_diagram_edit", goal))

    assert response.content.decode().count('class="sp-driver-tree__item"') == 15
