"""Staff of one programme manage its applications, forms, assessment, decisions and awards,
and find nothing of another programme's."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sharedpurpose.accounts.models import User
from sharedpurpose.applications.access import (
    AppCapability,
    application_capabilities,
    applications_visible_to,
)
from sharedpurpose.applications.models import (
    Application,
    ApplicationState,
    AssessorAssignment,
    Criterion,
    FormSection,
    Question,
)
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.programmes.models import Programme, Round, RoundState
from tests.factories import ProgrammeFactory, RoundFactory, UserFactory
from tests.programmes.factories_rounds import staff_create
from tests.programmes.factories_staff import programme_staff_create

from .factories import (
    ApplicationFactory,
    ApplicationFormFactory,
    AssignmentFactory,
    CriterionFactory,
    OpenRoundFactory,
    QuestionFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


@dataclass
class ProgrammeWorld:
    programme: Programme
    round: Round
    section: FormSection
    question: Question
    criterion: Criterion
    application: Application
    assignment: AssessorAssignment
    staff: User


def _programme_world(name: str) -> ProgrammeWorld:
    programme = ProgrammeFactory.create(name=name)
    round_ = OpenRoundFactory.create(programme=programme, name=f"{name} open round")
    section = SectionFactory.create(form=ApplicationFormFactory.create(round=round_))
    application = ApplicationFactory.create(
        round=round_, title=f"{name} partnership", state=ApplicationState.IN_ASSESSMENT
    )
    return ProgrammeWorld(
        programme=programme,
        round=round_,
        section=section,
        question=QuestionFactory.create(section=section),
        criterion=CriterionFactory.create(round=round_),
        application=application,
        assignment=AssignmentFactory.create(application=application),
        staff=programme_staff_create(programme, full_name=f"{name} Staff"),
    )


@pytest.fixture
def alder() -> ProgrammeWorld:
    return _programme_world("Alder")


@pytest.fixture
def birch() -> ProgrammeWorld:
    return _programme_world("Birch")


def _manage_routes() -> list[tuple[str, str]]:
    """(name, route) of every applications page under /manage/."""
    found: list[tuple[str, str]] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry, route, entry.namespace or namespace)
            elif (
                isinstance(entry, URLPattern)
                and entry.name
                and namespace == "applications"
                and route.startswith("manage/")
            ):
                found.append((entry.name, route))

    walk(get_resolver(), "", "")
    return found


def _manage_urls(world: ProgrammeWorld) -> list[str]:
    values: dict[str, object] = {
        "programme_slug": world.programme.slug,
        "round_slug": world.round.slug,
        "reference": world.application.reference,
        "section_id": world.section.pk,
        "question_id": world.question.pk,
        "criterion_id": world.criterion.pk,
        "assignment_id": world.assignment.pk,
    }
    urls = []
    for name, route in _manage_routes():
        kwargs = {key: value for key, value in values.items() if f":{key}>" in route}
        urls.append(reverse(f"applications:{name}", kwargs=kwargs))
    return urls


def test_the_inventory_finds_the_staff_pages(alder: ProgrammeWorld) -> None:
    names = {name for name, _ in _manage_routes()}

    assert {"form_manage", "criteria", "panel", "staff_application", "decision", "awards"} <= names
    assert len(_manage_urls(alder)) == len(names)


def test_staff_of_another_programme_find_none_of_its_application_pages(
    client: Client, alder: ProgrammeWorld, birch: ProgrammeWorld
) -> None:
    client.force_login(alder.staff)
    data = {"title": "Taken", "name": "Taken", "state": "awarded", "outcome": "award"}

    for url in _manage_urls(birch):
        statuses = {client.get(url).status_code, client.post(url, data).status_code}
        assert 404 in statuses and statuses <= {404, 405}, (url, statuses)

    assert FormSection.objects.filter(form__round=birch.round).count() == 1
    assert Question.objects.filter(section__form__round=birch.round).count() == 1
    assert Criterion.objects.filter(round=birch.round).count() == 1
    assert AssessorAssignment.objects.filter(application=birch.application).count() == 1
    birch.application.refresh_from_db()
    assert birch.application.state == ApplicationState.IN_ASSESSMENT
    assert not AuditEvent.objects.exists()


def test_staff_of_the_programme_open_every_one_of_its_application_pages(
    client: Client, alder: ProgrammeWorld, birch: ProgrammeWorld
) -> None:
    client.force_login(birch.staff)

    for url in _manage_urls(birch):
        status = client.get(url).status_code
        assert status < 400 or status == 405, (url, status)


def test_round_lists_and_the_panel_show_their_own_programmes_applications(
    client: Client, alder: ProgrammeWorld, birch: ProgrammeWorld
) -> None:
    client.force_login(alder.staff)
    kwargs = {"programme_slug": alder.programme.slug, "round_slug": alder.round.slug}

    listed = client.get(reverse("applications:round_applications", kwargs=kwargs)).content
    panel = client.get(reverse("applications:panel", kwargs=kwargs)).content

    assert b"Alder partnership" in listed and b"Alder partnership" in panel


def test_what_staff_of_one_programme_may_read_and_do_with_applications(
    alder: ProgrammeWorld, birch: ProgrammeWorld
) -> None:
    own_in_birch = ApplicationFactory.create(round=birch.round, lead_applicant=alder.staff)

    visible = set(applications_visible_to(alder.staff))

    assert visible == {alder.application, own_in_birch}
    assert AppCapability.MANAGE in application_capabilities(alder.staff, alder.application)
    # In Birch they are only an applicant, like anyone else.
    assert AppCapability.MANAGE not in application_capabilities(alder.staff, own_in_birch)
    assert application_capabilities(alder.staff, birch.application) == frozenset()


@pytest.mark.parametrize("who", ["funder staff", "administrator"])
def test_funder_staff_and_administrators_still_reach_every_application(
    client: Client, alder: ProgrammeWorld, birch: ProgrammeWorld, who: str
) -> None:
    person = staff_create() if who == "funder staff" else UserFactory.create(is_superuser=True)
    client.force_login(person)

    assert set(applications_visible_to(person)) == {alder.application, birch.application}
    for world in (alder, birch):
        reference = world.application.reference
        url = reverse("applications:staff_application", kwargs={"reference": reference})
        assert client.get(url).status_code == 200


def test_forms_and_criteria_are_copied_only_from_programmes_they_run(
    client: Client, alder: ProgrammeWorld, birch: ProgrammeWorld
) -> None:
    new_round = RoundFactory.create(
        programme=alder.programme, number=alder.round.number + 1, state=RoundState.DRAFT
    )
    kwargs = {"programme_slug": alder.programme.slug, "round_slug": new_round.slug}
    client.force_login(alder.staff)

    form_page = client.get(reverse("applications:form_manage", kwargs=kwargs)).content.decode()
    criteria_page = client.get(reverse("applications:criteria", kwargs=kwargs)).content.decode()
    refused = client.post(
        reverse("applications:form_copy", kwargs=kwargs), {"source_round": birch.round.pk}
    )

    for page in (form_page, criteria_page):
        assert "Alder open round" in page
        assert "Birch open round" not in page
    assert "Choose one of the rounds listed" in refused.content.decode()
    assert not FormSection.objects.filter(form__round=new_round).exists()

    client.force_login(staff_create())
    funder_page = client.get(reverse("applications:form_manage", kwargs=kwargs)).content.decode()
    assert "Alder open round" in funder_page and "Birch open round" in funder_page
