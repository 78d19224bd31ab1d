"""Typed factories for the domain models, shared by every test package."""

from __future__ import annotations

from typing import Any

import factory
from allauth.account.models import EmailAddress

from sharedpurpose.accounts.models import User
from sharedpurpose.improvement.models import Measure, Side, Team, TeamMembership
from sharedpurpose.programmes.models import Programme, Round, RoundState

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class ProgrammeFactory(factory.django.DjangoModelFactory[Programme]):
    class Meta:
        model = Programme

    slug = factory.Sequence(lambda n: f"programme-{n}")
    name = factory.Sequence(lambda n: f"Programme {n}")
    summary = "A programme."
    is_published = True


class RoundFactory(factory.django.DjangoModelFactory[Round]):
    class Meta:
        model = Round

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)
    slug = factory.Sequence(lambda n: f"round-{n}")
    name = factory.Sequence(lambda n: f"Round {n}")
    summary = "A round."
    state = RoundState.IN_DELIVERY


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team

    round = factory.SubFactory(RoundFactory)
    slug = factory.Sequence(lambda n: f"team-{n}")
    name = factory.Sequence(lambda n: f"Team {n}")
    summary = "A partnership."
    innovation = "Telemedicine"
    is_published = True


class MembershipFactory(factory.django.DjangoModelFactory[TeamMembership]):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = TeamMembership.Role.MEMBER
    side = Side.CLINICAL
    clinical_area = "Emergency department"


class MeasureFactory(factory.django.DjangoModelFactory[Measure]):
    class Meta:
        model = Measure

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"Measure {n}")
    definition = "What is counted."
    frequency = Measure.Frequency.MONTHLY
    side = Side.CLINICAL
