"""PDSA cycles and rebases: validation, audit, and charts recomputed after each change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from sharedpurpose.core.models import AuditEvent
from sharedpurpose.improvement.models import Measure, PdsaCycle, Rebase
from sharedpurpose.improvement.services.pdsa import (
    PdsaValues,
    pdsa_create,
    pdsa_delete,
    pdsa_update,
)
from sharedpurpose.improvement.services.rebases import rebase_add, rebase_remove
from tests.factories import MembershipFactory, TeamFactory

from .factories_charts import (
    ChangeIdeaFactory,
    ChartGoalFactory,
    PdsaCycleFactory,
    measure_with_points,
)

pytestmark = pytest.mark.django_db


def _version(measure: Measure) -> int:
    return Measure.objects.values_list("data_version", flat=True).get(pk=measure.pk)


def _values(**changes: object) -> PdsaValues:
    base: dict[str, object] = {
        "title": "Huddle on ward A",
        "plan_question": "Will a huddle reduce falls?",
        "plan_prediction": "Two fewer falls a month.",
        "starts_on": dt.date(2024, 5, 6),
    }
    return PdsaValues(**{**base, **changes})  # type: ignore[arg-type]


def test_pdsa_create_links_measures_bumps_them_and_is_audited() -> None:
    membership = MembershipFactory.create()
    goal = ChartGoalFactory.create(team=membership.team)
    idea = ChangeIdeaFactory.create(goal=goal)
    measure = measure_with_points(membership.team, goal=goal)
    before = _version(measure)

    cycle = pdsa_create(
        actor=membership.user, change_idea=idea, values=_values(measures=(measure,))
    )

    assert list(cycle.measures.all()) == [measure]
    assert _version(measure) == before + 1
    event = AuditEvent.objects.get(action="pdsa.create")
    assert event.object_id == str(cycle.pk) and event.scope == f"team:{membership.team.pk}"
    assert event.actor == membership.user


def test_pdsa_requires_question_and_prediction_and_sensible_dates() -> None:
    membership = MembershipFactory.create()
    idea = ChangeIdeaFactory.create(goal=ChartGoalFactory.create(team=membership.team))

    with pytest.raises(ValidationError) as error:
        pdsa_create(
            actor=membership.user,
            change_idea=idea,
            values=_values(plan_question=" ", ends_on=dt.date(2024, 5, 1)),
        )

    assert set(error.value.message_dict) == {"plan_question", "ends_on"}
    assert not PdsaCycle.objects.exists() and not AuditEvent.objects.exists()


def test_previous_cycle_must_test_the_same_change_idea() -> None:
    membership = MembershipFactory.create()
    goal = ChartGoalFactory.create(team=membership.team)
    idea = ChangeIdeaFactory.create(goal=goal)
    elsewhere = PdsaCycleFactory.create(change_idea=ChangeIdeaFactory.create(goal=goal))

    with pytest.raises(ValidationError) as error:
        pdsa_create(actor=membership.user, change_idea=idea, values=_values(previous=elsewhere))

    assert "same change idea" in error.value.message_dict["previous"][0]


def test_ramps_cannot_loop() -> None:
    membership = MembershipFactory.create()
    first = PdsaCycleFactory.create(change_idea__goal=ChartGoalFactory.create(team=membership.team))
    second = PdsaCycleFactory.create(change_idea=first.change_idea, previous=first)

    with pytest.raises(ValidationError):
        pdsa_update(actor=membership.user, cycle=first, values=_values(previous=second))
    with pytest.raises(ValidationError):
        pdsa_update(actor=membership.user, cycle=first, values=_values(previous=first))
    first.refresh_from_db()
    assert first.previous is None


def test_measures_of_another_team_are_refused() -> None:
    membership = MembershipFactory.create()
    idea = ChangeIdeaFactory.create(goal=ChartGoalFactory.create(team=membership.team))
    foreign = measure_with_points(TeamFactory.create())

    with pytest.raises(ValidationError) as error:
        pdsa_create(actor=membership.user, change_idea=idea, values=_values(measures=(foreign,)))

    assert "measures" in error.value.message_dict
    assert _version(foreign) == 0


def test_pdsa_update_bumps_old_and_new_measures_and_records_changes() -> None:
    membership = MembershipFactory.create()
    goal = ChartGoalFactory.create(team=membership.team)
    old = measure_with_points(membership.team, goal=goal, name="Old")
    new = measure_with_points(membership.team, goal=goal, name="New")
    cycle = PdsaCycleFactory.create(change_idea__goal=goal, title="Huddle on ward A")
    cycle.measures.add(old)

    pdsa_update(
        actor=membership.user,
        cycle=cycle,
        values=_values(measures=(new,), act_decision="adopt", study_notes="Falls halved."),
    )

    assert _version(old) == 1 and _version(new) == 1
    event = AuditEvent.objects.get(action="pdsa.update")
    assert event.changes["act_decision"] == ["", "adopt"]
    assert event.changes["measures"] == [str([old.pk]), str([new.pk])]


def test_pdsa_delete_bumps_linked_measures_and_keeps_the_ramp() -> None:
    membership = MembershipFactory.create()
    goal = ChartGoalFactory.create(team=membership.team)
    measure = measure_with_points(membership.team, goal=goal)
    first = PdsaCycleFactory.create(change_idea__goal=goal)
    first.measures.add(measure)
    second = PdsaCycleFactory.create(change_idea=first.change_idea, previous=first)

    pdsa_delete(actor=membership.user, cycle=first)

    second.refresh_from_db()
    assert second.previous is None
    assert _version(measure) == 1
    assert AuditEvent.objects.filter(action="pdsa.delete").count() == 1


def test_rebase_add_needs_a_reason_and_a_later_period_with_data() -> None:
    membership = MembershipFactory.create()
    measure = measure_with_points(membership.team)

    with pytest.raises(ValidationError) as error:
        rebase_add(actor=membership.user, measure=measure, period=dt.date(2024, 1, 1), reason="")
    assert set(error.value.message_dict) == {"reason", "period"}
    with pytest.raises(ValidationError) as error:
        rebase_add(actor=membership.user, measure=measure, period=dt.date(2030, 1, 1), reason="x")
    assert error.value.message_dict["period"] == ["Choose a period that has data"]
    assert not Rebase.objects.exists() and _version(measure) == 0


def test_rebase_add_and_remove_bump_the_chart_and_are_audited() -> None:
    membership = MembershipFactory.create()
    measure = measure_with_points(membership.team)

    rebase = rebase_add(
        actor=membership.user, measure=measure, period=dt.date(2024, 6, 1), reason=" New rota "
    )
    assert rebase.reason == "New rota" and _version(measure) == 1
    with pytest.raises(ValidationError):
        rebase_add(actor=membership.user, measure=measure, period=rebase.period, reason="again")

    rebase_remove(actor=membership.user, rebase=rebase)

    assert not Rebase.objects.exists() and _version(measure) == 2
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        "rebase.add",
        "rebase.remove",
    ]
