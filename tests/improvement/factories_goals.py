"""Factories for goals and driver diagrams."""

from __future__ import annotations

import datetime as dt

import factory

from sharedpurpose.improvement.models import (
    CorporateService,
    DriverNode,
    Goal,
    Side,
    TeamMembership,
)
from tests.factories import MembershipFactory, TeamFactory


class CorporateMembershipFactory(MembershipFactory):
    side = Side.CORPORATE
    corporate_service = CorporateService.ESTATES
    clinical_area = ""


class GoalFactory(factory.django.DjangoModelFactory[Goal]):
    class Meta:
        model = Goal

    team = factory.SubFactory(TeamFactory)
    title = factory.Sequence(lambda n: f"Goal {n}")
    aim_what = "Reduce falls on wards A to C"
    aim_how_much = "by 30%"
    aim_by_when = dt.date(2026, 3, 31)
    corporate_owner = factory.LazyAttribute(
        lambda goal: CorporateMembershipFactory.create(team=goal.team).user
    )
    clinical_owner = factory.LazyAttribute(
        lambda goal: MembershipFactory.create(team=goal.team).user
    )


class DriverNodeFactory(factory.django.DjangoModelFactory[DriverNode]):
    class Meta:
        model = DriverNode

    goal = factory.SubFactory(GoalFactory)
    parent = None
    kind = DriverNode.Kind.PRIMARY
    text = factory.Sequence(lambda n: f"Driver {n}")
    side = Side.CLINICAL
    clinical_area = "Ward A"
    position = factory.Sequence(lambda n: n)


def member_of(team: object, *, side: str = Side.CLINICAL, role: str = "member") -> TeamMembership:
    """A member of ``team`` on ``side`` with ``role``."""
    if side == Side.CORPORATE:
        return CorporateMembershipFactory.create(team=team, role=role)
    return MembershipFactory.create(team=team, role=role)
