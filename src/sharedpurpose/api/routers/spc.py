"""A measure's SPC results: the chart its web page shows, as numbers.

The icons, the reading sentence, the warnings and any message come from the web's own chart
summary (``improvement.charts.measure_chart``); the per-point limits and point types come
from the same calculation the web runs (``improvement.charts.measure_spc_result``), so the
API and the page cannot disagree.
"""

import hashlib
import math
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.params import HeaderEx, P, QueryEx

from sharedpurpose import spc
from sharedpurpose.improvement.access import Capability
from sharedpurpose.improvement.charts import ChartView, measure_chart, measure_spc_result
from sharedpurpose.improvement.models import DataPoint, Measure
from sharedpurpose.spc.svg import POINT_STYLES

from ..auth import SIGNED_IN, api_measure_get
from ..problems import PROBLEM_RESPONSES
from ..schemas import IconOut, PathId, RebaseOut, SpcOut, SpcPointOut, measure_web_path

router = Router(tags=["SPC results"])

#: Part of every ETag: bump it whenever the shape or meaning of ``SpcOut`` changes.
SPC_FORMAT_VERSION = 1
MISSING = "Missing"


def spc_etag(measure: Measure, start: date | None, end: date | None) -> str:
    """A strong validator of one response: it changes whenever the chart could."""
    key = ":".join(
        str(part)
        for part in (measure.pk, measure.data_version, start or "", end or "", SPC_FORMAT_VERSION)
    )
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 §13.1.2: a weak comparison against each listed tag, or ``*``."""
    if not if_none_match:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


def _number(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _points(
    points: list[DataPoint],
    result: spc.ChartResult | None,
    start: date | None,
    end: date | None,
) -> list[SpcPointOut]:
    out = []
    for i, point in enumerate(points):
        if (start is not None and point.period < start) or (end is not None and point.period > end):
            continue
        if result is None:
            plotted = centre = mean = lower = upper = None
            rule = point_type = ""
        else:
            plotted = _number(result.value[i])
            centre, mean = _number(result.centre[i]), _number(result.mean[i])
            lower, upper = _number(result.lpl[i]), _number(result.upl[i])
            rule, point_type = str(result.special_cause_rule[i]), str(result.point_type[i])
        # The words of the web's data table and summary for the same point.
        recorded = plotted is not None and bool(point_type)
        out.append(
            SpcPointOut(
                period=point.period,
                value=point.value,
                denominator=point.denominator,
                plotted_value=plotted,
                centre=centre,
                mean=mean,
                lower_process_limit=lower,
                upper_process_limit=upper,
                special_cause_rule=rule or None,
                point_type=point_type if recorded else None,
                variation=POINT_STYLES[point_type][2]
                if recorded and point_type in POINT_STYLES
                else MISSING,
            )
        )
    return out


def _icons(view: ChartView) -> tuple[IconOut | None, IconOut | None]:
    if not view.has_chart:
        return None, None
    texts = view.icon_texts
    variation = IconOut(key=view.variation_icon, text=texts[0]) if texts else None
    assurance = (
        IconOut(key=view.assurance_icon, text=texts[1])
        if view.assurance_icon and len(texts) > 1
        else None
    )
    return variation, assurance


@router.get(
    "/measures/{measure_id}/spc",
    response={200: SpcOut, 304: None, **PROBLEM_RESPONSES},
    auth=SIGNED_IN,
    summary="Get a measure's SPC results",
)
def measure_spc(
    request: HttpRequest,
    response: HttpResponse,
    measure_id: PathId,
    start: QueryEx[
        date | None, P(alias="from", description="First period to return (ISO date), inclusive.")
    ] = None,
    end: QueryEx[
        date | None, P(alias="to", description="Last period to return (ISO date), inclusive.")
    ] = None,
    if_none_match: HeaderEx[
        str | None,
        P(
            alias="If-None-Match",
            description="The ETag of a response you hold: 304 with no body if it is current.",
        ),
    ] = None,
) -> Any:
    """The chart the measure's web page shows, as numbers: chart type, icons, the reading
    sentence, warnings and every point with its centre line, process limits, special-cause
    rule and point type.

    ``from`` and ``to`` only narrow the points returned (a ``to`` before ``from`` returns
    none): the limits and signals are always calculated from the whole series, as on the web
    page, so a narrowed response shows the same numbers for its points.

    Responses carry an ``ETag``; send it back in ``If-None-Match`` to get ``304 Not
    Modified`` without a body until the measure's data, settings or annotations change.
    """
    measure = api_measure_get(request, measure_id, Capability.VIEW)
    etag = spc_etag(measure, start, end)
    caching = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if _matches(if_none_match, etag):
        not_modified = HttpResponse(status=304)
        for name, value in caching.items():
            not_modified[name] = value
        return not_modified
    for name, value in caching.items():
        response[name] = value

    view = measure_chart(measure)
    points, result, rebases = measure_spc_result(measure)
    variation, assurance = _icons(view)
    return SpcOut(
        measure=measure.pk,
        data_version=measure.data_version,
        chart_type=measure.chart_type,
        improvement_direction=measure.improvement_direction,
        target=measure.target,
        variation_icon=variation,
        assurance_icon=assurance,
        reading=view.reading,
        message=view.message,
        warnings=[str(w) for w in view.summary.get("warnings", [])],
        rebases=[RebaseOut(period=r.period, reason=r.reason) for r in rebases],
        points=_points(points, result if view.has_chart else None, start, end),
        web_url=request.build_absolute_uri(measure_web_path(measure)),
    )
