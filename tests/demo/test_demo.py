from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core import serializers
from django.core.management import call_command
from django.db.models import Model
from django.test import Client
from django.utils import timezone

from sharedpurpose import spc
from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.roles import user_is_assessor, user_is_programme_staff
from sharedpurpose.applications.answers import application_answer_problems
from sharedpurpose.applications.models import ApplicationState, Question
from sharedpurpose.demo.content import DEMO_PASSWORD
from sharedpurpose.engagement.models import Comment, FunderAnswer, OutboxMessage, Subscriber
from sharedpurpose.improvement.models import (
    DataPoint,
    DriverNode,
    Goal,
    Measure,
    PdsaCycle,
    Side,
    Team,
    TeamMembership,
)
from sharedpurpose.programmes.models import Programme, Round, RoundState

pytestmark = pytest.mark.django_db

MODELS: list[type[Model]] = [
    User,
    Programme,
    Round,
    Team,
    TeamMembership,
    Goal,
    DriverNode,
    Measure,
    DataPoint,
    PdsaCycle,
    PdsaCycle.measures.through,
    Comment,
    FunderAnswer,
    Subscriber,
    OutboxMessage,
]
BASELINE_POINTS = 12  # limits fixed on the first year, before any change idea started


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
    assert next_round.state == RoundState.OPEN
    assert next_round.applications_close_at is not None
    assert next_round.applications_close_at > timezone.now()


def test_demo_has_a_round_open_for_applications_with_one_in_assessment() -> None:
    call_command("demo", stdout=StringIO())
    call_command("demo", stdout=StringIO())

    next_round = Round.objects.get(programme__slug="demonstrating-effectiveness-at-scale")
    form = next_round.application_form
    assert form.sections.count() == 4
    assert Question.objects.filter(section__form=form, is_eligibility=True).count() == 2
    assert next_round.criteria.count() == 4
    states = dict(next_round.applications.values_list("reference", "state"))
    assert states == {
        "DEAS1-0001": ApplicationState.IN_ASSESSMENT,
        "DEAS1-0002": ApplicationState.SUBMITTED,
        "DEAS1-0003": ApplicationState.DRAFT,
    }
    in_assessment = next_round.applications.get(reference="DEAS1-0001")
    assert application_answer_problems(in_assessment) == []
    assessors = {a.assessor.email: a for a in in_assessment.assignments.all()}
    assert assessors["assessor@demo.example.org"].submitted_at is None
    assert assessors["imran.hussain@example.org"].submitted_at is not None
    assert in_assessment.transitions.count() == 2
    draft = next_round.applications.get(reference="DEAS1-0003")
    assert draft.lead_applicant.email == "applicant@demo.example.org"


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


def test_every_team_has_goals_a_driver_diagram_measures_and_pdsa_cycles() -> None:
    call_command("demo", stdout=StringIO())

    for team in Team.objects.filter(round__slug="shared-purpose"):
        goals = list(team.goals.all())
        assert 1 <= len(goals) <= 2, team.name
        for goal in goals:
            assert goal.aim_what and goal.aim_how_much and goal.aim_by_when
            assert goal.corporate_owner_id and goal.clinical_owner_id
            kinds = [n.kind for n in goal.nodes.all()]
            assert kinds.count(DriverNode.Kind.PRIMARY) == 2, team.name
            assert 2 <= kinds.count(DriverNode.Kind.SECONDARY) <= 4, team.name
            ideas = goal.nodes.filter(kind=DriverNode.Kind.CHANGE_IDEA)
            assert 2 <= ideas.count() <= 4, team.name
            for idea in ideas:
                assert idea.started_on and idea.parent and idea.parent.kind == "secondary"
            assert {n.side for n in goal.nodes.all()} == {Side.CORPORATE, Side.CLINICAL}
        measures = list(team.measures.all())
        assert {m.side for m in measures} == {Side.CORPORATE, Side.CLINICAL}, team.name
        assert all(m.goal in goals and m.data_owner for m in measures)
        assert any(m.driver_node and m.driver_node.kind == "change_idea" for m in measures)
        for measure in measures:
            assert measure.points.count() >= 24, measure.name
            if "Open Government Licence" not in measure.source_note:
                assert measure.source_note == "Illustrative figures made for the demo"
        cycles = PdsaCycle.objects.filter(change_idea__goal__team=team)
        assert 2 <= cycles.count() <= 3, team.name
        assert cycles.filter(previous__isnull=False).exists(), team.name  # a ramp
        for cycle in cycles:
            assert cycle.plan_question and cycle.do_notes and cycle.study_notes
            assert cycle.act_decision and cycle.measures.exists()
    measure_kinds = set(Measure.objects.values_list("kind", flat=True))
    assert measure_kinds == {"outcome", "process", "balancing"}


def test_a_p_chart_uses_the_real_ae_breaches_and_attendances() -> None:
    call_command("demo", stdout=StringIO())

    measure = Measure.objects.get(
        team__slug="westbrook-workforce-intelligence", name="Four-hour A&E breaches"
    )
    points = list(measure.points.order_by("period"))
    assert measure.chart_type == "p" and len(points) == 36
    # RBN, April 2016, from ae_type1_sample.csv.
    first = points[0]
    assert first.denominator and first.value is not None
    assert 0 < first.value < first.denominator
    chart = spc.p_chart(
        [float(p.value or 0) for p in points],
        [float(p.denominator or 0) for p in points],
        laney=True,
    )
    assert 0.05 < float(chart.centre[0]) < 0.3


def test_time_to_hire_shows_special_cause_improvement_after_its_change_idea() -> None:
    call_command("demo", stdout=StringIO())
    measure = Measure.objects.select_related("driver_node").get(
        team__slug="northmoor-value-based-interviewing", name="Time to hire"
    )
    started = measure.driver_node.started_on if measure.driver_node else None
    assert started is not None
    points = list(measure.points.order_by("period"))

    chart = spc.xmr(
        [p.period.isoformat() for p in points],
        [float("nan") if p.value is None else p.value for p in points],
        improvement_direction=measure.improvement_direction,
        fix_after_n_points=BASELINE_POINTS,
    )

    flagged = [
        p.period for p, kind in zip(points, chart.point_type, strict=True) if kind != "common_cause"
    ]
    assert flagged, "no special cause at all"
    assert min(flagged) >= started  # nothing before the change idea began
    after = [kind for p, kind in zip(points, chart.point_type, strict=True) if p.period >= started]
    assert after.count("special_cause_improvement") >= 6
    assert "special_cause_concern" not in chart.point_type
    assert chart.variation_icon == "improvement_low"


def test_the_demo_team_member_leads_team_one_and_the_assessor_is_in_no_team() -> None:
    call_command("demo", stdout=StringIO())

    membership = TeamMembership.objects.get(user__email="team@demo.example.org")
    assert membership.team.slug == "northmoor-value-based-interviewing"
    assert membership.role == TeamMembership.Role.LEAD
    assert not TeamMembership.objects.filter(user__email="assessor@demo.example.org").exists()


def test_the_demo_loads_quickly() -> None:
    started = time.perf_counter()
    call_command("demo", stdout=StringIO())
    first = time.perf_counter() - started
    started = time.perf_counter()
    call_command("demo", stdout=StringIO())
    second = time.perf_counter() - started

    assert first < 5 and second < 5, (first, second)
