"""Builders for case studies and the people who write and review them."""

from __future__ import annotations

import factory
from django.utils import timezone

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.evidence.models import CaseStudy, OutcomeArea
from tests.factories import TeamFactory, UserFactory


class CaseStudyFactory(factory.django.DjangoModelFactory[CaseStudy]):
    class Meta:
        model = CaseStudy

    team = factory.SubFactory(TeamFactory)
    slug = factory.Sequence(lambda n: f"case-study-{n}")
    title = factory.Sequence(lambda n: f"Case study {n}")
    summary = "What a team did and what its data show."
    problem = "Patients waited."
    what_we_did = "We changed the process."
    results = "Waits fell."
    learning = "Start small."
    outcome_area = OutcomeArea.ACCESS


class PublishedCaseStudyFactory(CaseStudyFactory):
    status = CaseStudy.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


def staff_user() -> User:
    staff = UserFactory.create(full_name="Priya Staff")
    user_role_grant(user=staff, role=SiteRole.PROGRAMME_STAFF)
    return staff
