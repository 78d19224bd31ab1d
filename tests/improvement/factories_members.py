"""Factories for members, invitations, goals and driver nodes used by the members and
measures tests."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

import factory
from django.utils import timezone

from sharedpurpose.improvement.models import (
    DriverNode,
    Goal,
    Side,
    TeamInvitation,
    TeamMembership,
)
from tests.factories import MembershipFactory, TeamFactory


class LeadFactory(MembershipFactory):
    role = TeamMembership.Role.LEAD
    side = Side.CORPORATE
    corporate_service = "hr_workforce"
    clinical_area = ""


class InvitationFactory(factory.django.DjangoModelFactory[TeamInvitation]):
    class Meta:
        model = TeamInvitation

    team = factory.SubFactory(TeamFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = TeamMembership.Role.MEMBER
    side = Side.CLINICAL
    clinical_area = "Ward 7"
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


class GoalFactory(factory.django.DjangoModelFactory[Goal]):
    class Meta:
        model = Goal

    team = factory.SubFactory(TeamFactory)
    title = factory.Sequence(lambda n: f"Goal {n}")
    aim_what = "Reduce falls on wards A to C"
    aim_how_much = "by 30%"
    aim_by_when = date(2026, 3, 31)


class DriverNodeFactory(factory.django.DjangoModelFactory[DriverNode]):
    class Meta:
        model = DriverNode

    goal = factory.SubFactory(GoalFactory)
    kind = DriverNode.Kind.PRIMARY
    text = factory.Sequence(lambda n: f"Driver {n}")
    side = Side.CLINICAL
    clinical_area = "Ward 7"
