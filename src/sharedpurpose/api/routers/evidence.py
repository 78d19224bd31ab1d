"""Computed evidence: what each measure's data say about each use of an intervention.

Everyone reads the rows of published teams (as on the public evidence pages and their CSV
export); signed-in callers also read the rows of teams they may open, limited to the
token's teams.
"""

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.params import QueryEx

from sharedpurpose.evidence.models import EvidenceRow
from sharedpurpose.evidence.selectors import export_record
from sharedpurpose.improvement.selectors import teams_public

from ..auth import ANYONE, api_teams_visible
from ..pagination import PageParams, page_of
from ..problems import PROBLEM_RESPONSES
from ..schemas import OPTIONAL_AUTH, EvidencePage, EvidenceRowOut, measure_web_path, slug_query

router = Router(tags=["Evidence"])


def _rows(request: HttpRequest) -> tuple[QuerySet[EvidenceRow], set[int]]:
    """The rows the caller may read, and the ids of the teams whose charts they may open."""
    visible = set(api_teams_visible(request).values_list("pk", flat=True))
    rows = (
        EvidenceRow.objects.filter(
            Q(use__change_idea__goal__team__in=teams_public().values("pk"))
            | Q(use__change_idea__goal__team__in=visible)
        )
        .select_related(
            "measure__team", "use__intervention", "use__change_idea__goal__team__round__programme"
        )
        .order_by(
            "use__intervention__name",
            "use__change_idea__goal__team__name",
            "use__site",
            "measure_kind",
            "measure__name",
            "pk",
        )
    )
    return rows, visible


def _out(request: HttpRequest, row: EvidenceRow, visible: set[int]) -> EvidenceRowOut:
    team = row.use.change_idea.goal.team
    measure = row.measure
    return EvidenceRowOut(
        **export_record(row),
        programme_slug=team.round.programme.slug,
        round_id=team.round_id,
        team_slug=team.slug,
        intervention_slug=row.use.intervention.slug,
        measure_id=measure.pk,
        stale=row.data_version != measure.data_version,
        measure_url=(
            request.build_absolute_uri(measure_web_path(measure)) if team.pk in visible else None
        ),
    )


@router.get(
    "/evidence",
    response={200: EvidencePage, **PROBLEM_RESPONSES},
    auth=ANYONE,
    openapi_extra=OPTIONAL_AUTH,
    summary="List evidence rows",
)
def evidence_list(
    request: HttpRequest,
    page: Query[PageParams],
    programme: QueryEx[str | None, slug_query("A programme's slug.")] = None,
    intervention: QueryEx[str | None, slug_query("An intervention's slug.")] = None,
    team: QueryEx[str | None, slug_query("A team's slug.")] = None,
) -> EvidencePage:
    """Evidence rows by intervention, team, site, measure kind and measure: the columns of
    the evidence CSV export, with the keys of the programme, round, team, intervention and
    measure. Published teams' rows for everyone; signed in, also your own teams' rows."""
    rows, visible = _rows(request)
    if programme:
        rows = rows.filter(use__change_idea__goal__team__round__programme__slug=programme)
    if intervention:
        rows = rows.filter(use__intervention__slug=intervention)
    if team:
        rows = rows.filter(use__change_idea__goal__team__slug=team)
    found = page_of(request, rows, limit=page.limit, offset=page.offset)
    return EvidencePage(
        count=found.count,
        next=found.next,
        previous=found.previous,
        items=[_out(request, row, visible) for row in found.items],
    )
