"""Staff keep the intervention catalogue."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.evidence.models import Intervention
from tests.factories import TeamFactory, UserFactory
from tests.improvement.factories_goals import member_of

from .factories import InterventionFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("evidence:manage_intervention_create")
LIST = reverse("evidence:manage_interventions")


@pytest.fixture
def staff(client: Client) -> User:
    user = UserFactory.create()
    user_role_grant(user=user, role=SiteRole.PROGRAMME_STAFF)
    client.force_login(user)
    return user


def test_staff_add_an_intervention_with_services_and_areas(client: Client, staff: User) -> None:
    response = client.post(
        CREATE,
        {
            "name": "Workforce intelligence",
            "slug": "",
            "summary": "Weekly intelligence for ward managers.",
            "description": "Vacancies, sickness and agency use.",
            "corporate_services": ["hr_workforce", "finance"],
            "clinical_areas": "Adult inpatient wards",
        },
    )

    assert response.status_code == 302 and response["Location"] == LIST
    intervention = Intervention.objects.get()
    assert intervention.slug == "workforce-intelligence"
    assert intervention.corporate_services == ["hr_workforce", "finance"]
    assert intervention.added_by_team is None and intervention.created_by == staff
    event = AuditEvent.objects.get(action="intervention.create")
    assert event.scope == "site" and event.actor == staff
    assert "Workforce intelligence" in client.get(LIST).content.decode()


def test_staff_edit_an_intervention_and_the_change_is_audited(client: Client, staff: User) -> None:
    intervention = InterventionFactory.create(name="Telemedicine", slug="telemedicine")
    url = reverse("evidence:manage_intervention_edit", args=[intervention.slug])

    assert "Telemedicine" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "name": "Telemedicine",
            "slug": "video-clinics",
            "summary": "Follow-ups by video.",
            "corporate_services": ["it_digital"],
            "clinical_areas": "Diabetes\nRespiratory medicine",
        },
    )

    assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.slug == "video-clinics"
    assert intervention.clinical_areas == ["Diabetes", "Respiratory medicine"]
    changes = AuditEvent.objects.get(action="intervention.update").changes
    assert changes["slug"] == ["telemedicine", "video-clinics"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "summary": "S"}, "Enter the intervention"),
        ({"name": "New", "summary": ""}, "Enter a one-sentence summary"),
        ({"name": "New", "summary": "S", "slug": "Not A Slug"}, "Use only lower-case letters"),
        ({"name": "New", "summary": "S", "slug": "taken"}, "already uses this web address"),
        ({"name": "TAKEN", "summary": "S"}, "is already in the catalogue"),
        ({"name": "New", "summary": "S", "corporate_services": ["spa"]}, "from the list"),
        ({"name": "New", "summary": "S", "clinical_areas": "x" * 201}, "200 characters"),
    ],
)
def test_bad_input_is_shown_on_the_form(
    client: Client, staff: User, data: dict[str, object], message: str
) -> None:
    InterventionFactory.create(name="Taken", slug="taken")

    response = client.post(CREATE, data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Intervention.objects.count() == 1


def test_only_staff_manage_the_catalogue(client: Client) -> None:
    intervention = InterventionFactory.create()
    urls = [LIST, CREATE, reverse("evidence:manage_intervention_edit", args=[intervention.slug])]
    for url in urls:
        assert client.get(url).status_code == 302  # to sign in
    client.force_login(member_of(TeamFactory.create(), role="lead").user)
    for url in urls:
        assert client.get(url).status_code == 403
    assert client.post(CREATE, {"name": "X", "summary": "Y"}).status_code == 403
    assert Intervention.objects.count() == 1


def test_editing_an_unknown_intervention_is_404(client: Client, staff: User) -> None:
    url = reverse("evidence:manage_intervention_edit", args=["nothing-here"])
    assert client.get(url).status_code == 404
