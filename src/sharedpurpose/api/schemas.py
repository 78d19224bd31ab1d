"""What the API's read endpoints return: programmes, rounds, teams, goals, measures, SPC
results, evidence rows and the stay-informed sign-up.

Field descriptions become the OpenAPI documentation. Fields computed from a model (web
addresses, owners' names) are filled by ``resolve_*`` functions, which get the request in
``context`` to make absolute URLs.
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Schema
from ninja.params import P, PathEx

from sharedpurpose.improvement.models import Goal, Measure, Team
from sharedpurpose.programmes.models import Programme, Round

#: ``openapi_extra`` of operations with ``auth=ANYONE``: OpenAPI's empty security requirement
#: says a token or session is optional there (ninja lists only the token and the session).
OPTIONAL_AUTH: dict[str, Any] = {"security": [{}]}

#: Ids are 64-bit (``BigAutoField``): a larger number is refused (422) before any query runs.
MAX_ID = 2**63 - 1
#: A path parameter holding an object's id.
PathId = PathEx[int, P(ge=1, le=MAX_ID)]
#: Slugs as Django's ``SlugField`` takes them; anything else is refused (422) before any query.
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
SLUG_MAX_LENGTH = 50
Slug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=SLUG_MAX_LENGTH)]
#: A path parameter holding a slug.
PathSlug = PathEx[str, P(pattern=SLUG_PATTERN, max_length=SLUG_MAX_LENGTH)]
#: Text the database can store: no NUL characters (PostgreSQL refuses them).
NO_NUL = r"^[^\x00]*$"


def slug_query(description: str) -> dict[str, Any]:
    """The arguments of an optional query parameter naming something by its slug."""
    return P(pattern=SLUG_PATTERN, max_length=SLUG_MAX_LENGTH, description=description)


def id_query(description: str, alias: str | None = None) -> dict[str, Any]:
    """The arguments of an optional query parameter naming something by its id."""
    return P(alias=alias, ge=1, le=MAX_ID, description=description)


def _absolute(context: dict[str, Any], path: str) -> str:
    request: HttpRequest = context["request"]
    return request.build_absolute_uri(path)


# --------------------------------------------------------------------------
# Programmes and rounds
# --------------------------------------------------------------------------


class RoundBrief(Schema):
    id: int
    number: int = Field(..., description="The round's number within its programme.")
    slug: str
    name: str
    state: str = Field(..., description="Where the round is in its lifecycle.")


class ProgrammeOut(Schema):
    slug: str = Field(..., examples=["closing-the-gap"])
    name: str
    summary: str
    description: str = Field(..., description="Markdown.")
    is_published: bool = Field(..., description="Unpublished programmes are seen by staff only.")
    rounds: list[RoundBrief] = Field(
        ..., description="Its rounds in number order: public ones, or all of them for staff."
    )
    web_url: str = Field(..., description="The programme's page on the site.")

    @staticmethod
    def resolve_rounds(obj: Programme) -> list[Round]:
        return list(obj.rounds.all())

    @staticmethod
    def resolve_web_url(obj: Programme, context: dict[str, Any]) -> str:
        return _absolute(context, obj.get_absolute_url())


class RoundOut(Schema):
    id: int
    programme: str = Field(..., description="The programme's slug.", examples=["closing-the-gap"])
    number: int
    slug: str
    name: str
    summary: str
    aims: list[str] = Field(..., description="Short aim statements.")
    state: str = Field(
        ...,
        description="draft, announced, open, closed, in_delivery or complete; the public "
        "never sees draft rounds.",
        examples=["open"],
    )
    state_label: str = Field(..., examples=["Open for applications"])
    timezone: str = Field(..., description="The round's own time zone for its key dates.")
    applications_open_at: datetime | None
    applications_close_at: datetime | None
    delivery_starts_on: date | None
    delivery_ends_on: date | None
    web_url: str = Field(..., description="The round's page on the site.")

    @staticmethod
    def resolve_programme(obj: Round) -> str:
        return obj.programme.slug

    @staticmethod
    def resolve_aims(obj: Round) -> list[str]:
        return [str(aim) for aim in obj.aims or []]

    @staticmethod
    def resolve_state_label(obj: Round) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_web_url(obj: Round, context: dict[str, Any]) -> str:
        return _absolute(context, obj.get_absolute_url())


# --------------------------------------------------------------------------
# Teams, goals, measures
# --------------------------------------------------------------------------


class OrganisationOut(Schema):
    name: str
    role: str = Field(..., description="lead or partner.")


class TeamOut(Schema):
    slug: str = Field(..., examples=["northmoor-and-riverside"])
    name: str
    summary: str
    innovation: str = Field(..., description="The team's main innovation.")
    round: int = Field(..., description="The id of the team's round.")
    programme: str = Field(..., description="The slug of the round's programme.")
    corporate_services: list[str] = Field(
        ..., description="Corporate support services in the partnership (keys)."
    )
    clinical_areas: list[str]
    organisations: list[OrganisationOut]
    is_published: bool = Field(..., description="Shown on its round's public page.")
    web_url: str = Field(..., description="The team's page on the site.")

    @staticmethod
    def resolve_round(obj: Team) -> int:
        return obj.round_id

    @staticmethod
    def resolve_programme(obj: Team) -> str:
        return obj.round.programme.slug

    @staticmethod
    def resolve_organisations(obj: Team) -> list[dict[str, str]]:
        return [
            {"name": link.organisation.name, "role": link.role}
            for link in obj.teamorganisation_set.all()
        ]

    @staticmethod
    def resolve_web_url(obj: Team, context: dict[str, Any]) -> str:
        return _absolute(context, obj.get_absolute_url())


class DriverSummary(Schema):
    primary_drivers: int
    secondary_drivers: int
    change_ideas: int
    change_ideas_started: int = Field(..., description="Change ideas with a start date.")


class GoalOut(Schema):
    id: int
    team: str = Field(..., description="The team's slug.")
    title: str
    aim: str = Field(
        ...,
        description="The aim as one sentence: what, how much, by when.",
        examples=["Reduce falls on wards A to C by 30% by March 2026"],
    )
    aim_what: str
    aim_how_much: str
    aim_by_when: date
    corporate_owner: str | None = Field(..., description="Name of the corporate-side owner.")
    clinical_owner: str | None = Field(..., description="Name of the clinical-side owner.")
    drivers: DriverSummary = Field(..., description="The size of the goal's driver diagram.")
    web_url: str

    @staticmethod
    def resolve_team(obj: Goal) -> str:
        return obj.team.slug

    @staticmethod
    def resolve_aim(obj: Goal) -> str:
        return obj.aim_statement

    @staticmethod
    def resolve_corporate_owner(obj: Goal) -> str | None:
        owner = obj.corporate_owner
        return None if owner is None else owner.get_full_name()

    @staticmethod
    def resolve_clinical_owner(obj: Goal) -> str | None:
        owner = obj.clinical_owner
        return None if owner is None else owner.get_full_name()

    @staticmethod
    def resolve_drivers(obj: Goal) -> dict[str, int]:
        # Annotated by the query (``routers.teams.goals_counted``).
        return {
            "primary_drivers": getattr(obj, "n_primary", 0),
            "secondary_drivers": getattr(obj, "n_secondary", 0),
            "change_ideas": getattr(obj, "n_change_ideas", 0),
            "change_ideas_started": getattr(obj, "n_started", 0),
        }

    @staticmethod
    def resolve_web_url(obj: Goal, context: dict[str, Any]) -> str:
        return _absolute(context, obj.get_absolute_url())


def measure_web_path(measure: Measure) -> str:
    return reverse("improvement:measure", args=[measure.team.slug, measure.pk])


class MeasureOut(Schema):
    id: int
    team: str = Field(..., description="The team's slug.")
    goal: int | None = Field(..., description="The id of the goal it measures, if any.")
    driver_node: int | None = Field(
        ..., description="The id of the driver or change idea it tracks, if any."
    )
    name: str
    definition: str = Field(..., description="Operational definition: what is counted and how.")
    unit: str = Field(..., examples=["%", "days"])
    frequency: str = Field(..., description="daily, weekly or monthly.")
    improvement_direction: str = Field(..., description="increase, decrease or neutral.")
    target: float | None
    side: str = Field(..., description="corporate or clinical.")
    kind: str = Field(..., description="outcome, process or balancing.")
    chart_type: str = Field(..., description="xmr, run, p, u, c or g.")
    source_note: str = Field(..., description="Where the data come from.")
    data_version: int = Field(
        ..., description="Moves on with every change to the data, settings or annotations."
    )
    web_url: str = Field(..., description="The measure's chart page on the site.")

    @staticmethod
    def resolve_team(obj: Measure) -> str:
        return obj.team.slug

    @staticmethod
    def resolve_goal(obj: Measure) -> int | None:
        return obj.goal_id

    @staticmethod
    def resolve_driver_node(obj: Measure) -> int | None:
        return obj.driver_node_id

    @staticmethod
    def resolve_web_url(obj: Measure, context: dict[str, Any]) -> str:
        return _absolute(context, measure_web_path(obj))


# --------------------------------------------------------------------------
# SPC results
# --------------------------------------------------------------------------


class IconOut(Schema):
    key: str = Field(..., examples=["improvement_low", "consistent_pass"])
    text: str = Field(
        ...,
        description="The icon in the words the web page uses.",
        examples=["Special cause variation: improvement (lower values)"],
    )


class SpcPointOut(Schema):
    period: date = Field(..., description="The first day of the period.")
    value: float | None = Field(..., description="As recorded; null when not recorded.")
    denominator: float | None = Field(..., description="p and u charts: the cases or exposure.")
    plotted_value: float | None = Field(
        ..., description="What the chart plots: the value, or value ÷ denominator (p, u)."
    )
    centre: float | None = Field(
        ..., description="The centre line: the median on run and g charts, else the mean."
    )
    mean: float | None
    lower_process_limit: float | None = Field(..., description="Null where there is none.")
    upper_process_limit: float | None = Field(..., description="Null where there is none.")
    special_cause_rule: str | None = Field(
        ...,
        description="The rule that flagged the point: astronomical, trend, two_in_three or "
        "shift; null for none.",
    )
    point_type: str | None = Field(
        ...,
        description="common_cause, special_cause_improvement, special_cause_concern, "
        "special_cause_neutral_high or special_cause_neutral_low; null when not recorded.",
    )
    variation: str = Field(
        ..., description="The point's variation in the web's words.", examples=["Common cause"]
    )


class RebaseOut(Schema):
    period: date = Field(..., description="The first period of the new limits.")
    reason: str


class SpcOut(Schema):
    measure: int = Field(..., description="The measure's id.")
    data_version: int
    chart_type: str = Field(..., description="xmr, run, p, u, c or g.")
    improvement_direction: str
    target: float | None
    variation_icon: IconOut | None = Field(
        ..., description="Making Data Count variation icon; null when there is no chart."
    )
    assurance_icon: IconOut | None = Field(
        ..., description="Making Data Count assurance icon; null without a target."
    )
    reading: str = Field(..., description="The sentence the web page reads the chart with.")
    message: str = Field(
        ..., description="Why there is no chart (e.g. no values yet); empty when there is one."
    )
    warnings: list[str]
    rebases: list[RebaseOut] = Field(..., description="Where the limits were recalculated.")
    points: list[SpcPointOut] = Field(
        ...,
        description="The points from `from` to `to`; limits come from the whole series.",
    )
    web_url: str = Field(..., description="The chart's page on the site.")


# --------------------------------------------------------------------------
# Evidence
# --------------------------------------------------------------------------


class EvidenceRowOut(Schema):
    """One row of computed evidence: the columns of the evidence CSV export, plus keys."""

    programme: str
    programme_slug: str
    round: str
    round_id: int
    team: str
    team_slug: str
    site: str
    intervention: str
    intervention_slug: str
    measure: str
    measure_id: int
    kind: str = Field(..., description="outcome, process or balancing.")
    unit: str
    started_on: date = Field(..., description="When the change idea started.")
    verdict: str = Field(
        ..., description="improvement, deterioration, change, no_change or not_judged."
    )
    sustained: bool
    baseline_points: int
    followup_points: int
    baseline_mean: float | None = Field(..., description="On the measure's own scale.")
    followup_mean: float | None
    change: float | None
    change_low: float | None
    change_high: float | None
    periods_to_signal: int | None
    first_signal_on: date | None
    baseline_unstable: bool
    reasons: list[str]
    computed_at: datetime
    stale: bool = Field(..., description="The measure changed since; the row is being recomputed.")
    measure_url: str | None = Field(
        ..., description="The measure's chart page, when you may open it; else null."
    )


class EvidencePage(Schema):
    count: int = Field(..., description="How many items match, across all pages.")
    next: str | None = Field(..., description="URL of the next page, or null on the last.")
    previous: str | None = Field(..., description="URL of the previous page, or null on the first.")
    items: list[EvidenceRowOut]


# --------------------------------------------------------------------------
# Stay informed
# --------------------------------------------------------------------------


class SubscriptionIn(Schema):
    email: str = Field(
        ...,
        max_length=254,
        pattern=NO_NUL,
        json_schema_extra={"format": "email"},
        examples=["analyst@example.nhs.uk"],
    )
    name: str = Field("", max_length=100, pattern=NO_NUL, description="Optional.")
    all_programmes: bool | None = Field(
        None,
        description="News of every programme (`programmes` is then ignored). Left out, it is "
        "true when no programmes are listed.",
    )
    programmes: list[Slug] = Field(
        default_factory=list,
        description="Slugs of published programmes to hear about; at least one unless "
        "`all_programmes` is true.",
        examples=[["closing-the-gap"]],
    )
    consent: Literal[True] = Field(
        ...,
        description="Must be true: the person agrees to the consent text shown on the "
        "site's sign-up page.",
    )

    @property
    def wants_all(self) -> bool:
        if self.all_programmes is None:
            return not self.programmes
        return self.all_programmes


class AcceptedOut(Schema):
    detail: str
