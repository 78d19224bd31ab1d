"""Pagination for every list the API returns: ``limit`` and ``offset`` in, and
``{count, next, previous, items}`` out, with ``next``/``previous`` as full URLs (``null`` at
either end).

Use it on a list operation whose 200 response is a list; ninja turns the list into a page:

    @router.get("/teams", response={200: list[TeamOut], **PROBLEM_RESPONSES}, auth=SIGNED_IN)
    @paginated
    def teams_list(request: HttpRequest) -> QuerySet[Team]:
        return api_teams_visible(request).order_by("slug")

Pages are stable: the primary key is added to the ordering when it is not already there, so
rows with equal sort keys never move between pages. A ``limit`` outside 1..500 or an
``offset`` outside 0..2³¹−1 is a 422 naming the query parameter.

``page_of(request, items, limit=, offset=)`` is the same thing as a plain function, for an
operation that builds its page itself (declare ``page: Query[PageParams]`` for the parameters).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase, paginate

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
#: The largest offset a database integer holds everywhere (PostgreSQL's ``integer``).
MAX_OFFSET = 2**31 - 1

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    count: int
    next: str | None
    previous: str | None
    items: list[T]


def stable(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The queryset in its own order, with the primary key as the final tie-breaker."""
    ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering or [])
    if not any(str(key).lstrip("-") in {"pk", "id"} for key in ordering):
        ordering.append("pk")
    return queryset.order_by(*ordering)


def _page_url(request: HttpRequest, *, limit: int, offset: int) -> str:
    query = request.GET.copy()
    query["limit"] = str(limit)
    query["offset"] = str(offset)
    if offset == 0:
        del query["offset"]
    return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.lists()), True)}")


def page_of(
    request: HttpRequest,
    items: QuerySet[Any] | Sequence[Any],
    *,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> Page[Any]:
    """One page of ``items`` (a queryset is ordered stably first) and links to its neighbours."""
    if isinstance(items, QuerySet):
        items = stable(items)
        count = items.count()
    else:
        count = len(items)
    rows = list(items[offset : offset + limit])
    following = offset + limit
    return Page(
        count=count,
        next=_page_url(request, limit=limit, offset=following) if following < count else None,
        previous=(
            _page_url(request, limit=limit, offset=max(offset - limit, 0)) if offset > 0 else None
        ),
        items=rows,
    )


class PageParams(Schema):
    """The query parameters of every list: ``page: Query[PageParams]`` in a signature."""

    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="How many items to return (1–500)."
    )
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")


class ApiPagination(PaginationBase):
    """``limit``/``offset`` in, ``{count, next, previous, items}`` out."""

    class Input(PageParams):
        pass

    class Output(Schema):
        count: int = Field(..., description="How many items match, across all pages.")
        next: str | None = Field(..., description="URL of the next page, or null on the last.")
        previous: str | None = Field(
            ..., description="URL of the previous page, or null on the first."
        )
        items: list[Any]

    def paginate_queryset(
        self,
        queryset: QuerySet[Any] | Sequence[Any],
        pagination: Any,
        request: HttpRequest,
        **params: Any,
    ) -> dict[str, Any]:
        page = page_of(request, queryset, limit=pagination.limit, offset=pagination.offset)
        return {
            "count": page.count,
            "next": page.next,
            "previous": page.previous,
            "items": page.items,
        }


#: Decorator for a list operation: ``@paginated`` under the ``@router.get(...)`` line.
paginated: Callable[[Callable[..., Any]], Any] = paginate(ApiPagination)
