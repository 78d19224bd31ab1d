from __future__ import annotations

from io import StringIO

import pytest
from django.core import serializers
from django.core.management import call_command
from django.test import Client

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.roles import user_is_assessor, user_is_programme_staff
from sharedpurpose.demo.content import DEMO_PASSWORD
from sharedpurpose.improvement.models import DataPoint, Measure, Side, Team, TeamMembership
from sharedpurpose.programmes.models import Programme, Round, RoundState

pytestmark = pytest.mark.django_db

MODELS = [User, Programme, Round, Team, TeamMembership, Measure, DataPoint]


def _snapshot() -> str:
    return "".join(serializers.serialize("json", m._default_manager.order_by("pk")) for m in MODELS)


def test_demo_prints_a_sign_in_for_each_role() -> None:
    out = StringIO()
    call_command("demo", stdout=out)

    lines = out.getvalue().splitlines()
    for role, email in [
        ("staff", "staff@"),
        ("assessor", "assessor@"),
        ("team member", "team@"),
        ("applicant", "applicant@"),
    ]:
        line = next(line for line in lines if line.strip().startswith(role))
        assert email in line and DEMO_PASSWORD in line
    staff = User.objects.get(email="staff@demo.example.org")
    assert staff.check_password(DEMO_PASSWORD)
    assert user_is_programme_staff(staff)
    assert user_is_assessor(User.objects.get(email="assessor@demo.example.org"))


def test_running_the_demo_twice_changes_nothing() -> None:
    call_command("demo", stdout=StringIO())
    before = _snapshot()

    call_command("demo", stdout=StringIO())

    assert _snapshot() == before


def test_demo_programme_matches_the_programme_page() -> None:
    call_command("demo", stdout=StringIO())

    closing_the_gap = Programme.objects.get(slug="closing-the-gap")
    assert closing_the_gap.rounds.count() == 3
    shared_purpose = closing_the_gap.rounds.get(number=3)
    assert shared_purpose.name == "Shared Purpose"
    assert len(shared_purpose.aims) == 3
    assert shared_purpose.aims[2].startswith("develop the evidence base of what works")
    teams = Team.objects.filter(round=shared_purpose)
    assert teams.count() == 9
    innovations = set(teams.values_list("innovation", flat=True))
    assert {
        "Value-based interviewing",
        "Telemedicine",
        "Workforce intelligence",
        "Microsystem Coaching Academy",
    } <= innovations
    for team in teams:
        sides = set(team.memberships.values_list("side", flat=True))
        assert sides == {Side.CORPORATE, Side.CLINICAL}, team.name
        assert team.corporate_services and team.clinical_areas
        assert all(
            org.is_fictional and "(fictional)" in org.name for org in team.organisations.all()
        )
    next_round = Round.objects.get(programme__slug="demonstrating-effectiveness-at-scale")
    assert next_round.state == RoundState.ANNOUNCED
    assert next_round.get_state_display() == "Opening soon"


def test_demo_uses_real_ae_data_for_a_measure() -> None:
    call_command("demo", stdout=StringIO())

    measure = Measure.objects.get(
        team__slug="northmoor-value-based-interviewing", name="Four-hour A&E performance"
    )
    values = list(measure.points.values_list("value", flat=True))
    assert len(values) == 36
    assert "Open Government Licence" in measure.source_note
    assert all(0.5 < v <= 1 for v in values if v is not None)


def test_demo_team_member_reaches_their_workspace(client: Client) -> None:
    call_command("demo", stdout=StringIO())
    client.post("/accounts/login/", {"login": "team@demo.example.org", "password": DEMO_PASSWORD})

    response = client.get("/teams/northmoor-value-based-interviewing/workspace/")

    assert response.status_code == 200
    assert "Time to hire" in response.content.decode()
