"""Load the demo programme.

Idempotent: a second run finds everything in place and writes nothing.
"""

from __future__ import annotations

import csv
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from allauth.account.models import EmailAddress
from django.db import models, transaction

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.improvement.charts import measure_charts_invalidate
from sharedpurpose.improvement.models import (
    DataPoint,
    DriverNode,
    Goal,
    Measure,
    Organisation,
    PdsaCycle,
    Side,
    Team,
    TeamMembership,
    TeamOrganisation,
)
from sharedpurpose.programmes.models import Programme, Round

from . import content
from .applications import applications_demo_load
from .case_studies import case_studies_demo_load
from .engagement import comments_demo_load
from .evidence import evidence_demo_load
from .subscriptions import subscriptions_demo_load

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_MONTHS = 36  # April 2016 to March 2019, the span of the real A&E data
FIRST_MONTH = date(2016, 4, 1)
ModelT = TypeVar("ModelT", bound=models.Model)
Point = tuple[date, float, float | None]  # period, value, denominator


@dataclass(frozen=True)
class DemoSignIn:
    role: str
    email: str
    password: str


def _upsert(model: type[ModelT], lookup: dict[str, Any], values: dict[str, Any]) -> ModelT:
    """Create, or update only the fields that differ, so unchanged rows are never written."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        return model._default_manager.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
    return obj


def _month(offset: int) -> date:
    year, month = divmod(FIRST_MONTH.month - 1 + offset, 12)
    return date(FIRST_MONTH.year + year, month + 1, 1)


def _users() -> dict[str, User]:
    users: dict[str, User] = {}
    for demo_user in content.DEMO_USERS:
        user = User.objects.filter(email=demo_user.email).first()
        if user is None:
            user = User.objects.create_user(
                demo_user.email, content.DEMO_PASSWORD, full_name=demo_user.full_name
            )
        _upsert(
            EmailAddress,
            {"user": user, "email": demo_user.email},
            {"verified": True, "primary": True},
        )
        users[demo_user.role] = user
    if not users["staff"].groups.filter(name=SiteRole.PROGRAMME_STAFF).exists():
        user_role_grant(user=users["staff"], role=SiteRole.PROGRAMME_STAFF)
    if not users["assessor"].groups.filter(name=SiteRole.ASSESSOR).exists():
        user_role_grant(user=users["assessor"], role=SiteRole.ASSESSOR)
    if not users["applicant"].groups.filter(name=SiteRole.APPLICANT).exists():
        user_role_grant(user=users["applicant"], role=SiteRole.APPLICANT)
    return users


def _programmes() -> Round:
    programme = _upsert(
        Programme,
        {"slug": content.PROGRAMME["slug"]},
        {
            "name": content.PROGRAMME["name"],
            "summary": content.PROGRAMME["summary"],
            "description": content.PROGRAMME["description"],
            "is_published": True,
        },
    )
    shared_purpose: Round | None = None
    for spec in content.ROUNDS:
        (start_year, start_month), (end_year, end_month) = spec["delivery"]
        round_ = _upsert(
            Round,
            {"programme": programme, "number": spec["number"]},
            {
                "slug": spec["slug"],
                "name": spec["name"],
                "summary": spec["summary"],
                "aims": spec["aims"],
                "body": spec.get("body", ""),
                "state": spec["state"],
                "delivery_starts_on": date(start_year, start_month, 1),
                "delivery_ends_on": date(end_year, end_month, 1),
            },
        )
        if spec["slug"] == "shared-purpose":
            shared_purpose = round_
    next_programme = _upsert(
        Programme,
        {"slug": content.NEXT_PROGRAMME["slug"]},
        {
            "name": content.NEXT_PROGRAMME["name"],
            "summary": content.NEXT_PROGRAMME["summary"],
            "description": content.NEXT_PROGRAMME["description"],
            "is_published": True,
        },
    )
    next_round = content.NEXT_PROGRAMME["round"]
    _upsert(
        Round,
        {"programme": next_programme, "number": next_round["number"]},
        {key: next_round[key] for key in ("slug", "name", "summary", "state")},
    )
    assert shared_purpose is not None
    return shared_purpose


def _ae_series() -> dict[tuple[str, str], dict[date, float]]:
    series: dict[tuple[str, str], dict[date, float]] = {}
    with (DATA_DIR / "ae_type1_sample.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            period = date.fromisoformat(row["period"])
            for column in ("attendances", "breaches", "performance"):
                series.setdefault((row["org_code"], column), {})[period] = float(row[column])
    return series


def _real(
    measure: content.DemoMeasure, ae: dict[tuple[str, str], dict[date, float]]
) -> list[Point]:
    assert measure.ae_provider is not None
    values = ae[(measure.ae_provider, measure.ae_column)]
    n = ae[(measure.ae_provider, measure.ae_denominator)] if measure.ae_denominator else {}
    return [(period, value, n.get(period)) for period, value in sorted(values.items())]


def _illustrative(team: content.DemoTeam, measure: content.DemoMeasure) -> list[Point]:
    assert measure.illustrative is not None
    level, drift, noise, change_month, change = measure.illustrative
    # A stable seed per measure keeps the demo identical on every machine and every run.
    rng = np.random.default_rng(zlib.crc32(f"{team.slug}/{measure.name}".encode()))
    months = np.arange(DEMO_MONTHS)
    values = level + drift * months + noise * rng.standard_normal(DEMO_MONTHS)
    values = values + np.where(months >= change_month, change, 0.0)
    if measure.exposure is not None:
        # A rate per `per` units of exposure becomes a count of events out of n (u charts);
        # n is stored in units of `per` so the chart reads in the measure's own unit.
        n_level, n_noise, per = measure.exposure
        n = (n_level + n_noise * rng.standard_normal(DEMO_MONTHS)).round()
        counts = rng.poisson(np.maximum(values, 0.0) * n / per).astype(float)
        return [
            (_month(int(i)), float(c), float(e) / per)
            for i, c, e in zip(months, counts, n, strict=True)
        ]
    if measure.unit == "%":
        values = np.clip(values, 0.0, 1.0).round(4)
    elif measure.unit in {"teams", "ulcers", "operations"}:
        values = np.maximum(values, 0).round()
    else:
        values = values.round(2)
    return [(_month(int(i)), float(v), None) for i, v in zip(months, values, strict=True)]


def _points(measure: Measure, wanted: list[Point]) -> None:
    existing = list(measure.points.order_by("period").values_list("period", "value", "denominator"))
    if existing == wanted:
        return
    measure.points.all().delete()
    DataPoint.objects.bulk_create(
        DataPoint(measure=measure, period=period, value=value, denominator=n)
        for period, value, n in wanted
    )
    measure_charts_invalidate(measure_ids=[measure.pk])


def _teams(round_: Round, users: dict[str, User]) -> None:
    ae = _ae_series()
    for index, spec in enumerate(content.TEAMS):
        team = _upsert(
            Team,
            {"slug": spec.slug},
            {
                "round": round_,
                "name": spec.name,
                "summary": spec.summary,
                "innovation": spec.innovation,
                "corporate_services": list(spec.corporate_services),
                "clinical_areas": list(spec.clinical_areas),
                "is_published": True,
            },
        )
        for name, role in [(spec.lead, TeamOrganisation.Role.LEAD)] + [
            (partner, TeamOrganisation.Role.PARTNER) for partner in spec.partners
        ]:
            organisation = _upsert(Organisation, {"name": name}, {"is_fictional": True})
            _upsert(TeamOrganisation, {"team": team, "organisation": organisation}, {"role": role})
        leads = _members(team, spec, index, users)
        goals: list[Goal] = []
        change_ideas: dict[str, DriverNode] = {}
        for goal_spec in spec.goals:
            goal = _upsert(
                Goal,
                {"team": team, "title": goal_spec.title},
                {
                    "aim_what": goal_spec.aim_what,
                    "aim_how_much": goal_spec.aim_how_much,
                    "aim_by_when": goal_spec.aim_by_when,
                    "corporate_owner": leads[Side.CORPORATE],
                    "clinical_owner": leads[Side.CLINICAL],
                },
            )
            goals.append(goal)
            for position, node_spec in enumerate(goal_spec.drivers):
                _node(goal, None, node_spec, position, change_ideas)
        measures = {
            measure_spec.name: _measure(team, spec, measure_spec, ae, goals, change_ideas, leads)
            for measure_spec in spec.measures
        }
        for goal_spec in spec.goals:
            _cycles(goal_spec, change_ideas, measures, leads[Side.CLINICAL])


def _measure(
    team: Team,
    spec: content.DemoTeam,
    measure_spec: content.DemoMeasure,
    ae: dict[tuple[str, str], dict[date, float]],
    goals: list[Goal],
    change_ideas: dict[str, DriverNode],
    leads: dict[str, User],
) -> Measure:
    if measure_spec.ae_provider:
        wanted = _real(measure_spec, ae)
        source = content.REAL_AE.format(code=measure_spec.ae_provider)
    else:
        wanted = _illustrative(spec, measure_spec)
        source = content.ILLUSTRATIVE
    measure = _upsert(
        Measure,
        {"team": team, "name": measure_spec.name},
        {
            "definition": measure_spec.definition,
            "unit": measure_spec.unit,
            "frequency": Measure.Frequency.MONTHLY,
            "improvement_direction": measure_spec.direction,
            "target": measure_spec.target,
            "side": measure_spec.side,
            "source_note": source,
            "kind": measure_spec.kind,
            "chart_type": measure_spec.chart_type,
            "goal": goals[0] if goals else None,
            "driver_node": change_ideas.get(measure_spec.change_idea),
            "data_owner": leads[measure_spec.owner],
        },
    )
    _points(measure, wanted)
    return measure


def _node(
    goal: Goal,
    parent: DriverNode | None,
    spec: content.DemoNode,
    position: int,
    change_ideas: dict[str, DriverNode],
) -> None:
    """A driver-diagram node and its children: primary, secondary, then change ideas."""
    depth = 0 if parent is None else (1 if parent.parent_id is None else 2)
    kind = (DriverNode.Kind.PRIMARY, DriverNode.Kind.SECONDARY, DriverNode.Kind.CHANGE_IDEA)[depth]
    corporate = spec.side == Side.CORPORATE
    node = _upsert(
        DriverNode,
        {"goal": goal, "text": spec.text},
        {
            "parent": parent,
            "kind": kind,
            "side": spec.side,
            "corporate_service": spec.owner if corporate else "",
            "clinical_area": "" if corporate else spec.owner,
            "position": position,
            "started_on": None if spec.started is None else _month(spec.started),
        },
    )
    if kind == DriverNode.Kind.CHANGE_IDEA:
        change_ideas[spec.text] = node
    for child_position, child in enumerate(spec.children):
        _node(goal, node, child, child_position, change_ideas)


def _cycles(
    goal_spec: content.DemoGoal,
    change_ideas: dict[str, DriverNode],
    measures: dict[str, Measure],
    author: User,
) -> None:
    """PDSA cycles in order, each linked to the one it builds on and the charts that show it."""
    made: dict[str, PdsaCycle] = {}
    for spec in goal_spec.cycles:
        starts_on = _month(spec.start)
        cycle = _upsert(
            PdsaCycle,
            {"change_idea": change_ideas[spec.change_idea], "title": spec.title},
            {
                "previous": made.get(spec.previous),
                "plan_question": spec.question,
                "plan_prediction": spec.prediction,
                "plan_who": spec.who,
                "plan_what": spec.what,
                "plan_where": spec.where,
                "starts_on": starts_on,
                "ends_on": starts_on + timedelta(days=spec.days),
                "do_notes": spec.do,
                "study_notes": spec.study,
                "act_decision": spec.decision,
                "act_notes": spec.act,
                "created_by": author,
            },
        )
        wanted = {measures[name].pk for name in spec.measures}
        if set(cycle.measures.values_list("pk", flat=True)) != wanted:
            cycle.measures.set(wanted)
        made[spec.title] = cycle


def _members(
    team: Team, spec: content.DemoTeam, index: int, users: dict[str, User]
) -> dict[str, User]:
    """Each team gets a corporate lead and a clinical lead; the demo team member leads team one."""
    corporate_lead = _fictional_person(f"corporate.lead{index + 1}", f"Corporate lead {index + 1}")
    clinical_lead = _fictional_person(f"clinical.lead{index + 1}", f"Clinical lead {index + 1}")
    _upsert(
        TeamMembership,
        {"team": team, "user": corporate_lead},
        {
            "role": TeamMembership.Role.LEAD,
            "side": Side.CORPORATE,
            "corporate_service": spec.corporate_services[0],
        },
    )
    _upsert(
        TeamMembership,
        {"team": team, "user": clinical_lead},
        {
            "role": TeamMembership.Role.LEAD,
            "side": Side.CLINICAL,
            "clinical_area": spec.clinical_areas[0],
        },
    )
    if index == 0:
        # A lead, so the demo can show invitations, sharing and measure definitions.
        _upsert(
            TeamMembership,
            {"team": team, "user": users["team member"]},
            {
                "role": TeamMembership.Role.LEAD,
                "side": Side.CLINICAL,
                "clinical_area": spec.clinical_areas[0],
            },
        )
    return {Side.CORPORATE: corporate_lead, Side.CLINICAL: clinical_lead}


def _fictional_person(local_part: str, full_name: str) -> User:
    email = f"{local_part}@demo.example.org"
    user = User.objects.filter(email=email).first()
    if user is None:
        # No password: these people exist to populate teams, not to sign in.
        user = User.objects.create_user(email, None, full_name=f"{full_name} (fictional)")
    return user


@transaction.atomic
def demo_load() -> list[DemoSignIn]:
    """Load or refresh the demo and return the sign-ins to print."""
    users = _users()
    shared_purpose = _programmes()
    _teams(shared_purpose, users)
    evidence_demo_load()
    case_studies_demo_load()
    applications_demo_load(Round.objects.get(programme__slug=content.NEXT_PROGRAMME["slug"]), users)
    comments_demo_load()
    subscriptions_demo_load()
    # Assessors judge applications; they must never see a team's workspace as a member.
    TeamMembership.objects.filter(user=users["assessor"]).delete()
    return [
        DemoSignIn(role=u.role, email=u.email, password=content.DEMO_PASSWORD)
        for u in content.DEMO_USERS
    ]


__all__ = ["DemoSignIn", "demo_load"]
