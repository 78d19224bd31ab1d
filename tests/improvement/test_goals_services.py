from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from sharedpurpose.accounts.models import User
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.improvement.models import DriverNode, Goal, Measure, PdsaCycle, Side
from sharedpurpose.improvement.services.goals import (
    change_idea_start,
    driver_node_add,
    driver_node_delete,
    driver_node_move,
    driver_node_rename,
    goal_create,
    goal_delete,
    goal_update,
)
from tests.factories import MeasureFactory, TeamFactory, UserFactory

from .factories_goals import DriverNodeFactory, GoalFactory, member_of

pytestmark = pytest.mark.django_db

Kind = DriverNode.Kind


def _actor(goal: Goal) -> User:
    assert goal.clinical_owner is not None
    return goal.clinical_owner


def _version(measure: Measure) -> int:
    measure.refresh_from_db()
    return measure.data_version


def test_a_goal_is_created_with_owners_from_both_sides_and_audited() -> None:
    team = TeamFactory.create()
    corporate = member_of(team, side=Side.CORPORATE).user
    clinical = member_of(team).user

    goal = goal_create(
        actor=clinical,
        team=team,
        title="Fewer falls",
        aim_what="Reduce falls on wards A to C",
        aim_how_much="by 30%",
        aim_by_when=dt.date(2026, 3, 31),
        corporate_owner=corporate,
        clinical_owner=clinical,
    )

    assert goal.aim_statement == "Reduce falls on wards A to C by 30% by March 2026"
    event = AuditEvent.objects.get(action="goal.create")
    assert event.scope == f"team:{team.pk}"
    assert event.changes["title"] == [None, "Fewer falls"]
    assert event.actor == clinical


@pytest.mark.parametrize("swap", ["corporate", "outsider"])
def test_owners_must_be_team_members_on_the_matching_side(swap: str) -> None:
    team = TeamFactory.create()
    clinical = member_of(team).user
    corporate = clinical if swap == "corporate" else UserFactory.create()

    with pytest.raises(ValidationError) as error:
        goal_create(
            actor=clinical,
            team=team,
            title="Fewer falls",
            aim_what="Reduce falls",
            aim_how_much="by 30%",
            aim_by_when=dt.date(2026, 3, 31),
            corporate_owner=corporate,
            clinical_owner=clinical,
        )

    assert "corporate owner must be a member" in error.value.message_dict["corporate_owner"][0]
    assert not Goal.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_blank_title_is_refused_with_a_message_naming_the_field() -> None:
    goal = GoalFactory.create()
    with pytest.raises(ValidationError) as error:
        goal_update(
            actor=_actor(goal),
            goal=goal,
            title="  ",
            aim_what=goal.aim_what,
            aim_how_much=goal.aim_how_much,
            aim_by_when=goal.aim_by_when,
            corporate_owner=goal.corporate_owner,
            clinical_owner=goal.clinical_owner,
        )
    assert error.value.message_dict == {"title": ["Enter the goal's title"]}


def test_updating_a_goal_records_what_changed() -> None:
    goal = GoalFactory.create(aim_how_much="by 30%")

    goal_update(
        actor=_actor(goal),
        goal=goal,
        title=goal.title,
        aim_what=goal.aim_what,
        aim_how_much="by 40%",
        aim_by_when=goal.aim_by_when,
        corporate_owner=goal.corporate_owner,
        clinical_owner=goal.clinical_owner,
    )

    goal.refresh_from_db()
    assert goal.aim_how_much == "by 40%"
    event = AuditEvent.objects.get(action="goal.update")
    assert event.changes == {"aim_how_much": ["by 30%", "by 40%"]}


def test_deleting_a_goal_keeps_its_measures_and_redraws_their_charts() -> None:
    goal = GoalFactory.create()
    measure = MeasureFactory.create(team=goal.team, goal=goal)
    DriverNodeFactory.create(goal=goal)

    goal_delete(actor=_actor(goal), goal=goal)

    measure.refresh_from_db()
    assert measure.goal is None
    assert measure.data_version == 1
    assert not DriverNode.objects.exists()
    assert AuditEvent.objects.filter(action="goal.delete").count() == 1


def test_nodes_are_added_in_order_under_a_parent_of_the_right_kind() -> None:
    goal = GoalFactory.create()
    actor = _actor(goal)

    primary = driver_node_add(
        actor=actor,
        goal=goal,
        parent=None,
        kind=Kind.PRIMARY,
        text=" Safe  staffing ",
        side=Side.CORPORATE,
        corporate_service="hr_workforce",
        clinical_area="ignored",
    )
    secondary = driver_node_add(
        actor=actor,
        goal=goal,
        parent=primary,
        kind=Kind.SECONDARY,
        text="Full rosters",
        side=Side.CLINICAL,
        clinical_area="Ward A",
    )
    idea = driver_node_add(
        actor=actor,
        goal=goal,
        parent=secondary,
        kind=Kind.CHANGE_IDEA,
        text="E-rostering",
        side=Side.CORPORATE,
        corporate_service="it_digital",
    )
    direct = driver_node_add(
        actor=actor,
        goal=goal,
        parent=primary,
        kind=Kind.CHANGE_IDEA,
        text="Huddles",
        side=Side.CLINICAL,
    )

    assert primary.text == "Safe staffing"
    assert primary.clinical_area == ""
    assert primary.owner_label == "HR and workforce"
    assert [n.pk for n in primary.children.all()] == [secondary.pk, direct.pk]
    assert idea.parent == secondary
    assert AuditEvent.objects.filter(action="driver_node.add").count() == 4


@pytest.mark.parametrize(
    ("kind", "parent_kind", "message"),
    [
        (Kind.SECONDARY, None, "A secondary driver cannot go under the aim"),
        (Kind.CHANGE_IDEA, None, "A change idea cannot go under the aim"),
        (Kind.PRIMARY, Kind.PRIMARY, "A primary driver cannot go under a primary driver"),
        (Kind.SECONDARY, Kind.SECONDARY, "secondary drivers go under a primary driver"),
    ],
)
def test_a_node_that_does_not_fit_its_parent_is_refused(
    kind: str, parent_kind: str | None, message: str
) -> None:
    goal = GoalFactory.create()
    parent = None
    if parent_kind == Kind.PRIMARY:
        parent = DriverNodeFactory.create(goal=goal)
    elif parent_kind == Kind.SECONDARY:
        parent = DriverNodeFactory.create(
            goal=goal, kind=Kind.SECONDARY, parent=DriverNodeFactory.create(goal=goal)
        )
    count = DriverNode.objects.count()

    with pytest.raises(ValidationError) as error:
        driver_node_add(
            actor=_actor(goal),
            goal=goal,
            parent=parent,
            kind=kind,
            text="X",
            side=Side.CLINICAL,
        )

    assert message in error.value.message_dict["kind"][0]
    assert DriverNode.objects.count() == count


def test_a_node_needs_text_an_owner_and_a_parent_of_the_same_goal() -> None:
    goal = GoalFactory.create()
    other = DriverNodeFactory.create()
    actor = _actor(goal)

    with pytest.raises(ValidationError, match="Enter the text"):
        driver_node_add(
            actor=actor, goal=goal, parent=None, kind=Kind.PRIMARY, text=" ", side=Side.CLINICAL
        )
    with pytest.raises(ValidationError, match="Choose who owns it"):
        driver_node_add(actor=actor, goal=goal, parent=None, kind=Kind.PRIMARY, text="A", side="")
    with pytest.raises(ValidationError, match="Choose a corporate service"):
        driver_node_add(
            actor=actor,
            goal=goal,
            parent=None,
            kind=Kind.PRIMARY,
            text="A",
            side=Side.CORPORATE,
            corporate_service="catering",
        )
    with pytest.raises(ValidationError, match="this goal's driver diagram"):
        driver_node_add(
            actor=actor,
            goal=goal,
            parent=other,
            kind=Kind.SECONDARY,
            text="A",
            side=Side.CLINICAL,
        )
    assert not goal.nodes.exists()


def test_renaming_records_old_and_new_text() -> None:
    node = DriverNodeFactory.create(text="Old name")

    driver_node_rename(actor=_actor(node.goal), node=node, text="New name")

    node.refresh_from_db()
    assert node.text == "New name"
    event = AuditEvent.objects.get(action="driver_node.rename")
    assert event.changes == {"text": ["Old name", "New name"]}


def test_moving_up_and_down_reorders_siblings_and_stops_at_the_ends() -> None:
    goal = GoalFactory.create()
    first, second, third = (DriverNodeFactory.create(goal=goal, position=0) for _ in range(3))

    driver_node_move(actor=_actor(goal), node=third, direction="up")
    assert list(goal.nodes.filter(parent=None)) == [first, third, second]

    driver_node_move(actor=_actor(goal), node=first, direction="down")
    assert list(goal.nodes.filter(parent=None)) == [third, first, second]

    with pytest.raises(ValidationError, match="already first"):
        driver_node_move(actor=_actor(goal), node=third, direction="up")
    with pytest.raises(ValidationError, match="already last"):
        driver_node_move(actor=_actor(goal), node=second, direction="down")
    assert AuditEvent.objects.filter(action="driver_node.move").count() == 2


def test_moving_to_another_parent_takes_the_subtree_and_checks_the_kind() -> None:
    goal = GoalFactory.create()
    one, two = DriverNodeFactory.create(goal=goal), DriverNodeFactory.create(goal=goal)
    secondary = DriverNodeFactory.create(goal=goal, parent=one, kind=Kind.SECONDARY)
    idea = DriverNodeFactory.create(goal=goal, parent=secondary, kind=Kind.CHANGE_IDEA)

    driver_node_move(actor=_actor(goal), node=secondary, parent=two)

    secondary.refresh_from_db()
    idea.refresh_from_db()
    assert secondary.parent == two
    assert idea.parent == secondary
    with pytest.raises(ValidationError, match="cannot go under a change idea"):
        driver_node_move(actor=_actor(goal), node=secondary, parent=idea)
    with pytest.raises(ValidationError, match="already under"):
        driver_node_move(actor=_actor(goal), node=secondary, parent=two)
    with pytest.raises(ValidationError, match="this goal's driver diagram"):
        driver_node_move(actor=_actor(goal), node=secondary, parent=DriverNodeFactory.create())
    driver_node_move(actor=_actor(goal), node=idea, parent=one)
    idea.refresh_from_db()
    assert idea.parent == one


def test_deleting_a_node_deletes_its_subtree_and_redraws_linked_charts() -> None:
    goal = GoalFactory.create()
    primary = DriverNodeFactory.create(goal=goal)
    secondary = DriverNodeFactory.create(goal=goal, parent=primary, kind=Kind.SECONDARY)
    idea = DriverNodeFactory.create(goal=goal, parent=secondary, kind=Kind.CHANGE_IDEA)
    kept = DriverNodeFactory.create(goal=goal)
    measure = MeasureFactory.create(team=goal.team, driver_node=idea)
    PdsaCycle.objects.create(
        change_idea=idea, title="Try it", plan_question="?", plan_prediction="!"
    )

    deleted = driver_node_delete(actor=_actor(goal), node=primary)

    assert deleted == 3
    assert list(goal.nodes.all()) == [kept]
    assert not PdsaCycle.objects.exists()
    assert _version(measure) == 1
    event = AuditEvent.objects.get(action="driver_node.delete")
    assert "and 2 nodes under it" in event.summary


def test_starting_a_change_idea_redraws_the_charts_that_show_it() -> None:
    goal = GoalFactory.create()
    idea = DriverNodeFactory.create(
        goal=goal, kind=Kind.CHANGE_IDEA, parent=DriverNodeFactory.create(goal=goal)
    )
    on_goal = MeasureFactory.create(team=goal.team, goal=goal)
    on_node = MeasureFactory.create(team=goal.team, driver_node=idea)
    elsewhere = MeasureFactory.create(team=goal.team)

    change_idea_start(actor=_actor(goal), node=idea, started_on=dt.date(2025, 3, 1))

    idea.refresh_from_db()
    assert idea.started_on == dt.date(2025, 3, 1)
    assert (_version(on_goal), _version(on_node), _version(elsewhere)) == (1, 1, 0)
    event = AuditEvent.objects.get(action="change_idea.start")
    assert event.changes == {"started_on": [None, "2025-03-01"]}


def test_only_change_ideas_start_and_never_in_the_future() -> None:
    primary = DriverNodeFactory.create()
    idea = DriverNodeFactory.create(goal=primary.goal, parent=primary, kind=Kind.CHANGE_IDEA)
    actor = _actor(primary.goal)

    with pytest.raises(ValidationError, match="Only change ideas"):
        change_idea_start(actor=actor, node=primary, started_on=dt.date(2025, 1, 1))
    with pytest.raises(ValidationError, match="today or in the past"):
        change_idea_start(actor=actor, node=idea, started_on=dt.date.today() + dt.timedelta(3))
    idea.refresh_from_db()
    assert idea.started_on is None
