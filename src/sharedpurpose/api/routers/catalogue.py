"""Programmes and their rounds: what the public pages show, and, to the people who run a
programme, its unpublished pages and draft rounds too."""

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Router
from ninja.params import QueryEx

from sharedpurpose.programmes.models import Programme, Round
from sharedpurpose.programmes.selectors import programmes_visible_to, rounds_visible_to

from ..auth import ANYONE, principal
from ..pagination import paginated
from ..problems import PROBLEM_RESPONSES
from ..schemas import OPTIONAL_AUTH, PathId, PathSlug, ProgrammeOut, RoundOut, slug_query

router = Router(tags=["Programmes and rounds"])


def _programmes(request: HttpRequest) -> QuerySet[Programme]:
    """Published programmes with their public rounds; the programmes the caller runs with
    every round."""
    return programmes_visible_to(user=principal(request).user)


def _rounds(request: HttpRequest) -> QuerySet[Round]:
    return rounds_visible_to(user=principal(request).user).select_related("programme")


@router.get(
    "/programmes",
    response={200: list[ProgrammeOut], **PROBLEM_RESPONSES},
    auth=ANYONE,
    openapi_extra=OPTIONAL_AUTH,
    summary="List programmes",
)
@paginated
def programmes_list(request: HttpRequest) -> QuerySet[Programme]:
    """Published programmes by name, each with its public rounds (to the people who run a
    programme: that one too, unpublished or not, with all its rounds)."""
    return _programmes(request).order_by("name")


@router.get(
    "/programmes/{slug}",
    response={200: ProgrammeOut, **PROBLEM_RESPONSES},
    auth=ANYONE,
    openapi_extra=OPTIONAL_AUTH,
    summary="Get a programme",
)
def programme_get(request: HttpRequest, slug: PathSlug) -> Programme:
    programme = _programmes(request).filter(slug=slug).first()
    if programme is None:
        raise Http404("No such programme")
    return programme


@router.get(
    "/rounds",
    response={200: list[RoundOut], **PROBLEM_RESPONSES},
    auth=ANYONE,
    openapi_extra=OPTIONAL_AUTH,
    summary="List rounds",
)
@paginated
def rounds_list(
    request: HttpRequest,
    programme: QueryEx[str | None, slug_query("A programme's slug.")] = None,
) -> QuerySet[Round]:
    """Rounds of published programmes that have been announced (and every round of the
    programmes the caller runs), by programme then number. ``programme`` narrows to one
    programme's slug."""
    rounds = _rounds(request)
    if programme:
        rounds = rounds.filter(programme__slug=programme)
    return rounds.order_by("programme__name", "programme__pk", "number")


@router.get(
    "/rounds/{round_id}",
    response={200: RoundOut, **PROBLEM_RESPONSES},
    auth=ANYONE,
    openapi_extra=OPTIONAL_AUTH,
    summary="Get a round",
)
def round_get(request: HttpRequest, round_id: PathId) -> Round:
    found = _rounds(request).filter(pk=round_id).first()
    if found is None:
        raise Http404("No such round")
    return found
