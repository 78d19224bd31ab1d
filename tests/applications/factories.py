"""Factories for application forms, applications and their assessment, shared by every
applications test module."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from sharedpurpose.applications.models import (
    Application,
    ApplicationForm,
    ApplicationMember,
    ApplicationOrganisation,
    ApplicationState,
    AssessorAssignment,
    Criterion,
    FormSection,
    Question,
    QuestionKind,
)
from sharedpurpose.programmes.models import RoundState
from tests.factories import RoundFactory, UserFactory


class OpenRoundFactory(RoundFactory):
    """A round open for applications: opened a week ago, closing in three weeks."""

    state = RoundState.OPEN
    applications_open_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    applications_close_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=21))


class ApplicationFormFactory(factory.django.DjangoModelFactory[ApplicationForm]):
    class Meta:
        model = ApplicationForm

    round = factory.SubFactory(OpenRoundFactory)
    introduction = "Tell us how your partnership will improve care."


class SectionFactory(factory.django.DjangoModelFactory[FormSection]):
    class Meta:
        model = FormSection

    form = factory.SubFactory(ApplicationFormFactory)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Section {n}")


class QuestionFactory(factory.django.DjangoModelFactory[Question]):
    class Meta:
        model = Question

    section = factory.SubFactory(SectionFactory)
    position = factory.Sequence(lambda n: n)
    kind = QuestionKind.LONG_TEXT
    label = factory.Sequence(lambda n: f"Question {n}")
    required = True
    word_limit = 250


class EligibilityQuestionFactory(QuestionFactory):
    kind = QuestionKind.SINGLE_CHOICE
    label = factory.Sequence(lambda n: "Is the lead organisation an NHS body in the UK?")
    choices = ["Yes", "No"]
    is_eligibility = True
    eligible_choices = ["Yes"]
    ineligible_reason = "The lead organisation must be an NHS body in the UK."


class ApplicationFactory(factory.django.DjangoModelFactory[Application]):
    """A draft with its lead applicant as a member and a lead organisation."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    round = factory.SubFactory(OpenRoundFactory)
    reference = factory.Sequence(lambda n: f"APP-{n:04d}")
    title = factory.Sequence(lambda n: f"Partnership project {n}")
    state = ApplicationState.DRAFT
    lead_applicant = factory.SubFactory(UserFactory)

    @factory.post_generation
    def partnership(obj: Application, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if not create:
            return
        ApplicationMember.objects.create(
            application=obj,
            user=obj.lead_applicant,
            is_lead_applicant=True,
            side="corporate",
            corporate_service="hr_workforce",
            leads_side=True,
        )
        ApplicationOrganisation.objects.create(
            application=obj, name=f"Lead Trust {obj.pk}", kind="Acute trust", role="lead"
        )


class CollaboratorFactory(factory.django.DjangoModelFactory[ApplicationMember]):
    class Meta:
        model = ApplicationMember

    application = factory.SubFactory(ApplicationFactory)
    user = factory.SubFactory(UserFactory)
    side = "clinical"
    clinical_area = "Emergency department"


class CriterionFactory(factory.django.DjangoModelFactory[Criterion]):
    class Meta:
        model = Criterion

    round = factory.SubFactory(OpenRoundFactory)
    position = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 1
    scale_min = 0
    scale_max = 5


class AssignmentFactory(factory.django.DjangoModelFactory[AssessorAssignment]):
    class Meta:
        model = AssessorAssignment

    application = factory.SubFactory(ApplicationFactory, state=ApplicationState.IN_ASSESSMENT)
    assessor = factory.SubFactory(UserFactory)
    conflict = AssessorAssignment.Conflict.NONE
    declared_at = factory.LazyFunction(timezone.now)
