"""Reads of case studies: the public library's search and filters, what a case study shows,
and the lists teams and staff work from.

In the library only published case studies of public teams (published team, public round, published
programme) are ever found here. Search uses PostgreSQL's full-text search where the database
is PostgreSQL (title weighted A, summary B, the body fields C; ranked), and on SQLite a plain
fallback: every word of the query must appear in some field, and case studies whose titles
hold more of the words come first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import NotSupportedError, connection
from django.db.models import BooleanField, Case, F, Func, IntegerField, Q, QuerySet, Value, When

from sharedpurpose.improvement.models import Measure, Team
from sharedpurpose.improvement.selectors import teams_public
from sharedpurpose.programmes.selectors import staffed_only

from .models import CaseStudy, CaseStudyReview, EvidenceRow, Intervention

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType

    from sharedpurpose.accounts.models import User

#: The fields searched besides title and summary, in the order a reader meets them.
BODY_FIELDS = ("problem", "what_we_did", "results", "learning", "contacts", "team__name")
#: Words too common to narrow a search; PostgreSQL's English configuration drops them too.
STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "how",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "that",
        "the",
        "to",
        "was",
        "we",
        "what",
        "with",
    }
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass(frozen=True, kw_only=True)
class CaseStudyFilters:
    """The library's filters; an empty value does not filter."""

    innovation: str = ""  # an intervention's slug
    corporate_service: str = ""
    clinical_area: str = ""
    outcome_area: str = ""


class JsonListHas(Func):
    """Whether a JSON list column holds ``value``: ``@>`` on PostgreSQL, ``json_each`` on SQLite."""

    output_field = BooleanField()

    def __init__(self, field: str, value: str) -> None:
        super().__init__(F(field))
        self.value = value

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> _AsSqlType:
        raise NotSupportedError("JSON list filters need PostgreSQL or SQLite.")

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> _AsSqlType:
        column, params = compiler.compile(self.get_source_expressions()[0])
        # The column is the compiler's own quoted name; the value goes in as a parameter.
        sql = f"EXISTS (SELECT 1 FROM json_each({column}) AS item WHERE item.value = %s)"  # noqa: S608
        return sql, (*params, self.value)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> _AsSqlType:
        column, params = compiler.compile(self.get_source_expressions()[0])
        return f"({column} @> %s::jsonb)", (*params, json.dumps([self.value]))


def case_studies_public() -> QuerySet[CaseStudy]:
    """Published case studies of teams the public may see, newest first."""
    return (
        CaseStudy.objects.filter(
            status=CaseStudy.Status.PUBLISHED, team__in=teams_public().values("pk")
        )
        .select_related("team")
        .prefetch_related("interventions")
        .order_by("-published_at", "title")
    )


def case_study_public_get(*, slug: str) -> CaseStudy | None:
    return case_studies_public().filter(slug=slug).first()


def search_terms(q: str) -> list[str]:
    """The words of a query, lower-cased and crudely stemmed, without common words."""
    terms: list[str] = []
    for word in _WORD.findall(q.lower()):
        if word in STOP_WORDS:
            continue
        if len(word) > 5 and word.endswith("ing"):
            word = word[:-3]
        elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        if word not in terms:
            terms.append(word)
    return terms


def case_studies_search(q: str, filters: CaseStudyFilters | None = None) -> QuerySet[CaseStudy]:
    """Published case studies matching the words ``q`` and ``filters``, best matches first."""
    found = _filtered(case_studies_public(), filters or CaseStudyFilters())
    q = q.strip()
    if not q:
        return found
    if connection.vendor == "postgresql":
        return _search_postgresql(found, q)
    return _search_words(found, q)


def _filtered(found: QuerySet[CaseStudy], filters: CaseStudyFilters) -> QuerySet[CaseStudy]:
    if filters.innovation:
        found = found.filter(interventions__slug=filters.innovation)
    if filters.outcome_area:
        found = found.filter(outcome_area=filters.outcome_area)
    if filters.corporate_service:
        found = found.filter(JsonListHas("corporate_services", filters.corporate_service))
    if filters.clinical_area:
        found = found.filter(JsonListHas("clinical_areas", filters.clinical_area))
    return found


def _search_postgresql(found: QuerySet[CaseStudy], q: str) -> QuerySet[CaseStudy]:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    vector = (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector(*BODY_FIELDS, weight="C", config="english")
    )
    query = SearchQuery(q, search_type="websearch", config="english")
    return (
        found.annotate(document=vector, rank=SearchRank(vector, query))
        .filter(document=query)
        .order_by("-rank", "-published_at", "title")
    )


def _search_words(found: QuerySet[CaseStudy], q: str) -> QuerySet[CaseStudy]:
    terms = search_terms(q)
    if not terms:
        return found
    fields = ("title", "summary", *BODY_FIELDS)

    def matches(field: str, term: str) -> Q:
        return Q(**{f"{field}__icontains": term})

    for term in terms:
        any_field = Q()
        for field in fields:
            any_field |= matches(field, term)
        found = found.filter(any_field)

    def hits(conditions: list[Q]) -> Any:
        return sum(
            (Case(When(c, then=Value(1)), default=Value(0)) for c in conditions),
            start=Value(0, output_field=IntegerField()),
        )

    return found.annotate(
        title_hits=hits([matches("title", term) for term in terms]),
        field_hits=hits([matches(field, term) for term in terms for field in fields]),
    ).order_by("-title_hits", "-field_hits", "-published_at", "title")


# --------------------------------------------------------------------------
# What the filters offer and what a case study shows
# --------------------------------------------------------------------------


def library_interventions() -> QuerySet[Intervention]:
    """Interventions that at least one public case study links to, by name."""
    return Intervention.objects.filter(
        case_studies__in=case_studies_public().values("pk")
    ).distinct()


def library_clinical_areas() -> list[str]:
    """Every clinical area named by a public case study, alphabetically."""
    areas: set[str] = set()
    for listed in case_studies_public().values_list("clinical_areas", flat=True):
        areas.update(str(area) for area in listed or [])
    return sorted(areas, key=str.casefold)


def library_fingerprint() -> tuple[Any, ...]:
    """What the unfiltered library page shows, so its cached copy changes with it."""
    return (
        tuple(case_studies_public().values_list("pk", "updated_at", "team__name")),
        tuple(library_interventions().order_by("pk").values_list("pk", "updated_at")),
    )


def case_study_evidence_rows(case_study: CaseStudy) -> QuerySet[EvidenceRow]:
    """The evidence rows of this team's uses of the case study's interventions."""
    return (
        EvidenceRow.objects.filter(
            use__change_idea__goal__team_id=case_study.team_id,
            use__intervention__in=case_study.interventions.values("pk"),
        )
        .select_related("use__intervention", "measure")
        .order_by("use__intervention__name", "use__site", "measure_kind", "measure__name")
    )


def case_study_measures(case_study: CaseStudy) -> list[Measure]:
    """The measures whose live charts the case study shows, with their cached charts."""
    return list(
        case_study.measures.select_related("chart_cache", "goal", "driver_node__goal").order_by(
            "side", "kind", "name"
        )
    )


def case_study_reviews(case_study: CaseStudy) -> QuerySet[CaseStudyReview]:
    """The case study's review history, oldest first."""
    return case_study.reviews.select_related("actor").order_by("created_at", "pk")


def case_study_changes_requested(case_study: CaseStudy) -> CaseStudyReview | None:
    """The staff comment the team is answering, while changes are requested."""
    if case_study.status != CaseStudy.Status.CHANGES_REQUESTED:
        return None
    return (
        case_study.reviews.filter(action=CaseStudyReview.Action.CHANGES_REQUESTED)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )


def team_case_studies(team: Team) -> QuerySet[CaseStudy]:
    """A team's case studies, those it is working on first."""
    return team.case_studies.order_by("status", "-updated_at", "title")


def case_studies_for_staff(*, user: User | AnonymousUser) -> QuerySet[CaseStudy]:
    """Case studies of the teams of the programmes ``user`` runs."""
    return staffed_only(CaseStudy.objects.all(), user=user, path="team__round__programme")


def case_studies_for_review(*, user: User | AnonymousUser) -> list[tuple[str, list[CaseStudy]]]:
    """The case studies of the programmes ``user`` runs grouped by status, those waiting for
    review first."""
    order = (
        CaseStudy.Status.IN_REVIEW,
        CaseStudy.Status.CHANGES_REQUESTED,
        CaseStudy.Status.DRAFT,
        CaseStudy.Status.PUBLISHED,
    )
    found = list(
        case_studies_for_staff(user=user).select_related("team").order_by("updated_at", "title")
    )
    return [(str(status.label), [c for c in found if c.status == status]) for status in order]
