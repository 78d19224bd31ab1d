"""A measure's data points: read them a page at a time, and send many at once.

``POST /points/bulk`` is how a pipeline pushes a measure's history: up to
``MAX_BULK_POINTS`` points per request, keyed by (measure, period), stored all or nothing
through the same writer as file imports (``improvement.services.points_upsert``), which
skips points equal to what is stored, so sending the same batch twice changes nothing.
"""

import re
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from io import BytesIO
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase
from ninja import Field, P, PathEx, QueryEx, Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import ValidationError
from pydantic import BaseModel, BeforeValidator, ConfigDict, StrictInt, field_validator

from sharedpurpose.accounts.models import User
from sharedpurpose.improvement.access import Capability
from sharedpurpose.improvement.models import DataPoint, Measure
from sharedpurpose.improvement.services.points_upsert import PointIn, PointsInvalid, points_upsert

from ..auth import SIGNED_IN, api_measure_get, api_team_get, principal
from ..pagination import paginated
from ..problems import PROBLEM_RESPONSES, Problem, problem_response

router = Router(tags=["Data points"])

#: Points per bulk request; send longer histories in several requests (each is atomic).
MAX_BULK_POINTS = 100_000
#: The bulk request's own body limit, above the site's limit for form posts (about 80 bytes
#: a point: 100,000 points fit with room for indentation).
MAX_BULK_BYTES = 32 * 1024 * 1024
#: Ids are 64-bit; a larger number cannot name anything and is refused as invalid.
MAX_ID = 2**63 - 1
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CHUNK_ADVICE = (
    f"Send at most {MAX_BULK_POINTS:,} points per request: split a longer history into "
    "several requests (each one is stored all or nothing)."
)


# --------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------


class PointOut(Schema):
    period: date = Field(..., description="The first day of the period.", examples=["2024-04-01"])
    value: float | None = Field(..., description="As recorded; null when not recorded.")
    denominator: float | None = Field(..., description="p and u charts: the cases or exposure.")
    updated_at: datetime | None = Field(..., description="When the point was last written.")


def _iso_date(value: Any) -> Any:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("Enter the period as an ISO date, e.g. 2024-04-01")
    return value


# Plain pydantic models rather than ninja ``Schema``s: a point is validated 100,000 times a
# request and reads no Django objects, and ninja's ORM-reading validator triples the time.
class BulkPointIn(BaseModel):
    """One point of a measure."""

    model_config = ConfigDict(extra="forbid")

    measure: StrictInt = Field(..., ge=1, le=MAX_ID, description="The measure's id.")
    period: Annotated[date, BeforeValidator(_iso_date)] = Field(
        ...,
        description="The first day of the period: any day for daily measures, a Monday for "
        "weekly ones, the first of the month for monthly ones.",
        examples=["2024-04-01"],
    )
    value: float = Field(
        ...,
        strict=True,
        allow_inf_nan=False,
        description="The value as stored: proportions and percentages as fractions (0.125).",
        examples=[12.5],
    )
    denominator: float | None = Field(
        None,
        strict=True,
        allow_inf_nan=False,
        description="p and u charts: the cases or exposure (required there, above 0; a p "
        "chart's value cannot exceed it). Ignored by the other charts.",
        examples=[None],
    )


class BulkIn(BaseModel):
    """Points of one or more measures, keyed by (measure, period)."""

    points: list[BulkPointIn] = Field(
        ...,
        max_length=MAX_BULK_POINTS,
        description=f"Up to {MAX_BULK_POINTS:,} points, each (measure, period) once.",
    )

    @field_validator("points", mode="before")
    @classmethod
    def _not_too_many(cls, value: Any) -> Any:
        # Before the items are validated: a million points are refused at once.
        if isinstance(value, list) and len(value) > MAX_BULK_POINTS:
            raise ValueError(f"{len(value):,} points is too many. {CHUNK_ADVICE}")
        return value


class BulkOut(Schema):
    """What the request changed."""

    created: int = Field(..., description="Points that were not stored before.")
    updated: int = Field(..., description="Stored points whose value or denominator changed.")
    unchanged: int = Field(..., description="Points equal to what was stored: not written.")
    measures: list[int] = Field(..., description="Ids of the measures whose data changed.")


# --------------------------------------------------------------------------
# Reading points
# --------------------------------------------------------------------------


@router.get(
    "/measures/{measure_id}/points",
    response={200: list[PointOut], **PROBLEM_RESPONSES},
    auth=SIGNED_IN,
    summary="List a measure's points",
)
@paginated
def points_list(
    request: HttpRequest,
    measure_id: PathEx[int, P(ge=1, le=MAX_ID, description="The measure's id.")],
    start: QueryEx[
        date | None, P(alias="from", description="First period to return (ISO date), inclusive.")
    ] = None,
    end: QueryEx[
        date | None, P(alias="to", description="Last period to return (ISO date), inclusive.")
    ] = None,
) -> QuerySet[DataPoint]:
    """The measure's recorded points, oldest first. ``from`` and ``to`` narrow the periods."""
    measure = api_measure_get(request, measure_id, Capability.VIEW)
    if start is not None and end is not None and start > end:
        raise ValidationError(
            [{"loc": ["query", "to"], "msg": "Must be on or after `from`.", "type": "value_error"}]
        )
    points = DataPoint.objects.filter(measure=measure)
    if start is not None:
        points = points.filter(period__gte=start)
    if end is not None:
        points = points.filter(period__lte=end)
    return points.order_by("period")


# --------------------------------------------------------------------------
# Sending points
# --------------------------------------------------------------------------


def _bulk_body(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Read the bulk request's body under its own limit, ``MAX_BULK_BYTES``.

    Django refuses bodies above ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB by default), which
    protects every form on the site; 100,000 points are about 8 MB. Only this operation
    reads more: it reads the body itself, as Django's ``HttpRequest.body`` would, once the
    length is known to be within its limit.
    """

    @wraps(run)
    def read_then_run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BULK_BYTES:
            return problem_response(
                413,
                f"The request body is larger than {MAX_BULK_BYTES // (1024 * 1024)} MB. "
                + CHUNK_ADVICE,
            )
        site_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if site_limit is not None and length > site_limit and not hasattr(request, "_body"):
            body = request.read(length)
            request._body = body
            request._stream = BytesIO(body)
        return run(request, *args, **kwargs)

    return read_then_run


def _measures_to_change(request: HttpRequest, points: list[BulkPointIn]) -> dict[int, Measure]:
    """The batch's measures, each team checked by ``api_team_get`` for EDIT_DATA (the check
    ``api_measure_get`` makes, once per team rather than once per measure): 404 for a
    measure the caller cannot open, 403 where they may look but not change data."""
    first_at: dict[int, int] = {}
    for index, point in enumerate(points):
        first_at.setdefault(point.measure, index)
    slugs = dict(Measure.objects.filter(pk__in=first_at).values_list("pk", "team__slug"))
    for measure_id, index in first_at.items():
        if measure_id not in slugs:
            raise Http404(_not_found(measure_id, index))
    for slug in sorted(set(slugs.values())):
        try:
            api_team_get(request, slug, Capability.EDIT_DATA)
        except Http404:
            # Named by its first point in the batch, as an unknown measure is.
            index, measure_id = min((first_at[m], m) for m, s in slugs.items() if s == slug)
            raise Http404(_not_found(measure_id, index)) from None
    return Measure.objects.select_related("team").in_bulk(list(first_at))


def _not_found(measure_id: int, index: int) -> str:
    return (
        f"Measure {measure_id} (points.{index}.measure) does not exist or you cannot open it; "
        "nothing was stored."
    )


@router.post(
    "/points/bulk",
    response={200: BulkOut, 413: Problem, **PROBLEM_RESPONSES},
    auth=SIGNED_IN,
    summary="Send many points at once (upsert)",
)
@decorate_view(_bulk_body)
def points_bulk(request: HttpRequest, payload: BulkIn) -> BulkOut:
    """Store up to 100,000 points of one or more measures, keyed by (measure, period): a
    period already stored gets the new value and denominator, a new period is added.

    **All or nothing.** The request is one transaction: if any point is invalid the
    response is `422` listing every problem by its path (`points.3.period`) and nothing is
    stored. Longer histories go in several requests of at most 100,000 points; each request
    is atomic on its own (the `sharedpurpose push` command sends chunks of 10,000).

    **Idempotent.** Points equal to what is stored are not written, so sending the same
    batch twice changes nothing: the second response counts every point as `unchanged`.
    Every point written is logged (old → new, sent through the API, by the token's owner)
    and the measures' SPC results are recalculated.

    Needs a read-write token (or a signed-in browser) and a team role that may change
    data, for every measure in the batch: `403` otherwise; `404` for a measure you cannot
    open.
    """
    caller = principal(request)
    assert isinstance(caller.user, User), "SIGNED_IN callers are users"
    if not caller.can_write:
        raise PermissionDenied("This API token is read only.")
    measures = _measures_to_change(request, payload.points)
    points = [PointIn(p.measure, p.period, p.value, p.denominator) for p in payload.points]
    try:
        counts = points_upsert(actor=caller.user, points=points, measures=measures)
    except PointsInvalid as exc:
        raise ValidationError(
            [
                {
                    "loc": ["body", "payload", "points", problem.index, problem.field],
                    "msg": problem.reason,
                    "type": "value_error",
                }
                for problem in exc.problems
            ]
        ) from None
    return BulkOut(
        created=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
        measures=counts.measure_ids,
    )
