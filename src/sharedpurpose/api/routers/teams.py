"""Teams, their goals and their measures: what the caller may open on the web, narrowed to
the token's teams. Every read goes through ``api_teams_visible`` or ``api_team_get``."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from ninja import Router
from ninja.params import P, QueryEx

from sharedpurpose.improvement.models import (
    DriverNode,
    Goal,
    Measure,
    MeasureKind,
    Side,
    Team,
    TeamOrganisation,
)

from ..auth import SIGNED_IN, api_measure_get, api_team_get, api_teams_visible
from ..pagination import paginated
from ..problems import PROBLEM_RESPONSES
from ..schemas import GoalOut, MeasureOut, PathId, PathSlug, TeamOut, id_query, slug_query

router = Router(tags=["Teams, goals and measures"])


def _with_details(teams: QuerySet[Team]) -> QuerySet[Team]:
    return teams.select_related("round__programme").prefetch_related(
        Prefetch(
            "teamorganisation_set",
            queryset=TeamOrganisation.objects.select_related("organisation").order_by(
                "role", "organisation__name"
            ),
        )
    )


def goals_counted(goals: QuerySet[Goal]) -> QuerySet[Goal]:
    """Goals with their owners and the size of their driver diagrams, in one query."""
    kind = DriverNode.Kind
    return goals.select_related("team", "corporate_owner", "clinical_owner").annotate(
        n_primary=Count("nodes", filter=Q(nodes__kind=kind.PRIMARY)),
        n_secondary=Count("nodes", filter=Q(nodes__kind=kind.SECONDARY)),
        n_change_ideas=Count("nodes", filter=Q(nodes__kind=kind.CHANGE_IDEA)),
        n_started=Count(
            "nodes", filter=Q(nodes__kind=kind.CHANGE_IDEA, nodes__started_on__isnull=False)
        ),
    )


# --------------------------------------------------------------------------
# Teams
# --------------------------------------------------------------------------


@router.get(
    "/teams",
    response={200: list[TeamOut], **PROBLEM_RESPONSES},
    auth=SIGNED_IN,
    summary="List teams",
)
@paginated
def teams_list(
    request: HttpRequest,
    round_id: QueryEx[int | None, id_query("A round's id.", alias="round")] = None,
    programme: QueryEx[str | None, slug_query("A programme's slug.")] = None,
) -> QuerySet[Team]:
    """The teams whose workspace you may open (staff: every team), limited to the token's
    teams, by name. ``round`` (id) and ``programme`` (slug) narrow the list."""
    teams = api_teams_visible(request)
    if round_id is not None:
        teams = teams.filter(round_id=round_id)
    if programme:
        teams = teams.filter(round__programme__slug=programme)
    return _with_details(teams).order_by("name")


@router.get(
    "/teams/{slug}",
    response={200: TeamOut, **PROBLEM_RESPONSES},
    auth=SIGNED_IN,
    summary="Get a team",
)
def team_get(request: HttpRequest, slug: PathSlug) -> Team:
    team = api_team_get(request, slug)
    return _with_details(Team.objects.filter(pk=team.pk)).get()


# --------------------------------------------------------------------------
# Goals
# --------------------------------------------------------------------------


@router.get(
    "/teams/{slug}/goals",
    response={200: list[GoalOut], **PROBLEM_RESPONSES},
    auth=SIGNED_IN,
    summary="List a team's goals",
)
@paginated
def team_goals_list(request: HttpRequest, slug: PathSlug) -> QuerySet[Goal]:
    """The team's common quality goals, oldest first."""
    team = api_team_get(request, slug)
    return goals_counted(Goal.objects.filter(team=team)).order_by("created_at")


@router.get(
    "/goals/{goal_id}",
    response={200: GoalOut, **PROBLEM_RESPONSES},
    auth=SIGNED_IN,
    summary="Get a goal",
)
def goal_get(request: HttpRequest, goal_id: PathId) -> Goal:
    slug = Goal.objects.filter(pk=goal_id).values_list("team__slug", flat=True).first()
    if slug is None:
        raise Http404("No such goal")
    team = api_team_get(request, slug)
    return goals_counted(Goal.objects.filter(team=team)).get(pk=goal_id)


# --------------------------------------------------------------------------
# Measures
# --------------------------------------------------------------------------


@router.get(
    "/measures",
    response={200: list[MeasureOut], **PROBLEM_RESPONSES},
    auth=SIGNED_IN,
    summary="List measures",
)
@paginated
def measures_list(
    request: HttpRequest,
    team: QueryEx[str | None, slug_query("A team's slug.")] = None,
    goal: QueryEx[int | None, id_query("A goal's id.")] = None,
    side: QueryEx[Side | None, P(description="corporate or clinical.")] = None,
    kind: QueryEx[MeasureKind | None, P(description="outcome, process or balancing.")] = None,
) -> QuerySet[Measure]:
    """Measures of the teams you may open, by team then name. ``team`` (slug; 404 when you
    may not open it), ``goal`` (id), ``side`` and ``kind`` narrow the list."""
    if team:
        measures = Measure.objects.filter(team=api_team_get(request, team))
    else:
        measures = Measure.objects.filter(team__in=api_teams_visible(request).values("pk"))
    if goal is not None:
        measures = measures.filter(goal_id=goal)
    if side is not None:
        measures = measures.filter(side=side)
    if kind is not None:
        measures = measures.filter(kind=kind)
    return measures.select_related("team").order_by("team__name", "team__pk", "name")


@router.get(
    "/measures/{measure_id}",
    response={200: MeasureOut, **PROBLEM_RESPONSES},
    auth=SIGNED_IN,
    summary="Get a measure",
)
def measure_get(request: HttpRequest, measure_id: PathId) -> Measure:
    return api_measure_get(request, measure_id)
