"""Reads of the intervention catalogue and its computed evidence, shaped for pages and exports.

Public reads see only the uses of published teams (``improvement.selectors.teams_public``);
a team's own reads come through ``improvement.access.team_get_for`` in the views. Evidence
rows are read as the background task left them: a row whose ``data_version`` lags its
measure's is *stale* and says so until the task has recomputed it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from sharedpurpose.improvement.access import teams_visible_to
from sharedpurpose.improvement.charts import format_value
from sharedpurpose.improvement.models import (
    ChartType,
    CorporateService,
    DriverNode,
    Measure,
    MeasureKind,
    Team,
)
from sharedpurpose.improvement.selectors import teams_public
from sharedpurpose.spc.evidence import GOOD_BASELINE_POINTS, MIN_BASELINE_POINTS, SUSTAIN_POINTS

from .models import EvidenceRow, Intervention, InterventionUse, Verdict
from .rollups import (
    DETERIORATION,
    EMERGING,
    INSUFFICIENT,
    MODERATE,
    NO_CHANGE,
    NONE_SEEN,
    NOT_JUDGED,
    NOT_SUSTAINED,
    STRONG,
    SUSTAINED,
    InterventionRollup,
    SiteResult,
    intervention_rollup,
    site_result,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sharedpurpose.accounts.models import User
    from sharedpurpose.programmes.models import Programme

# --------------------------------------------------------------------------
# The rules, as readers see them (docs/evidence.md carries the same words)
# --------------------------------------------------------------------------

#: The strength rules of ``rollups``, strongest first, each with its anchor on the rules page.
STRENGTH_RULES: tuple[tuple[str, str, str], ...] = (
    (
        STRONG,
        "strong",
        f"Sustained improvement at 3 or more sites, each judged on a baseline of at least "
        f"{GOOD_BASELINE_POINTS} points, no site getting worse and balancing measures stable.",
    ),
    (MODERATE, "moderate", "Sustained improvement at 2 or more sites and no site getting worse."),
    (EMERGING, "emerging", "Improvement at 1 or more sites, sustained or not yet."),
    (NONE_SEEN, "none-seen", "Sites were judged and none improved."),
    (INSUFFICIENT, "insufficient", "No site could be judged yet, for example baselines too short."),
)
STRENGTH_TAGS = {
    STRONG: "nhsuk-tag--green",
    MODERATE: "nhsuk-tag--aqua-green",
    EMERGING: "nhsuk-tag--blue",
    NONE_SEEN: "nhsuk-tag--orange",
    INSUFFICIENT: "nhsuk-tag--grey",
}
SITE_RESULT_TAGS = {
    SUSTAINED: "nhsuk-tag--green",
    NOT_SUSTAINED: "nhsuk-tag--aqua-green",
    NO_CHANGE: "nhsuk-tag--grey",
    DETERIORATION: "nhsuk-tag--red",
    NOT_JUDGED: "nhsuk-tag--white",
}
VERDICT_TAGS = {
    Verdict.IMPROVEMENT: "nhsuk-tag--green",
    Verdict.DETERIORATION: "nhsuk-tag--red",
    Verdict.CHANGE: "nhsuk-tag--purple",
    Verdict.NO_CHANGE: "nhsuk-tag--grey",
    Verdict.NOT_JUDGED: "nhsuk-tag--white",
}
#: Words for one period of each frequency, to say how long a signal took.
PERIOD_WORDS: dict[str, tuple[str, str]] = {
    Measure.Frequency.MONTHLY: ("month", "months"),
    Measure.Frequency.WEEKLY: ("week", "weeks"),
    Measure.Frequency.DAILY: ("day", "days"),
}


@dataclass(frozen=True)
class RulesSummary:
    """The numbers the rules name, for templates that explain them."""

    min_baseline_points: int = MIN_BASELINE_POINTS
    good_baseline_points: int = GOOD_BASELINE_POINTS
    sustain_points: int = SUSTAIN_POINTS
    strength_rules: tuple[tuple[str, str, str], ...] = STRENGTH_RULES


RULES = RulesSummary()


def strength_rule(strength: str) -> tuple[str, str]:
    """The anchor and wording of the rule that gave ``strength``."""
    for name, anchor, text in STRENGTH_RULES:
        if name == strength:
            return anchor, text
    raise KeyError(strength)


def corporate_service_labels(values: Iterable[str]) -> list[str]:
    labels = dict(CorporateService.choices)
    return [str(labels.get(value, value)) for value in values]


def periods_text(count: int, frequency: str) -> str:
    """``count`` periods of a measure's frequency in words: "1 month", "3 weeks"."""
    one, many = PERIOD_WORDS.get(frequency, ("period", "periods"))
    return f"{count} {one if count == 1 else many}"


# --------------------------------------------------------------------------
# One evidence row as pages show it
# --------------------------------------------------------------------------


def _is_percentage(measure: Measure) -> bool:
    return measure.unit == "%" or measure.chart_type == ChartType.P


def value_text(measure: Measure, value: float | None) -> str:
    """A level of the measure with its unit: "40.5 days", "12.5%"."""
    shown = format_value(measure, value)
    if value is None or _is_percentage(measure) or not measure.unit or shown == "not recorded":
        return shown
    return f"{shown} {measure.unit}"


def _signed(measure: Measure, value: float) -> str:
    """A change as a signed number on the measure's scale, with a true minus sign."""
    shown = format_value(measure, value).removesuffix("%")
    if shown.startswith("-"):
        return "\u2212" + shown[1:]
    return ("+" if value > 0 else "") + shown


def _change_unit(measure: Measure) -> str:
    if _is_percentage(measure):
        return " percentage points"
    return f" {measure.unit}" if measure.unit else ""


def change_text(measure: Measure, value: float | None) -> str:
    """A change in the measure's mean, signed, with its unit; percentages in points."""
    if value is None or not math.isfinite(value):
        return "not known"
    return _signed(measure, value) + _change_unit(measure)


def interval_text(measure: Measure, low: float | None, high: float | None) -> str:
    """The 95% interval of a change: "95% interval −2.6 to −1.8 percentage points"."""
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return "no interval: too few points"
    return (
        f"95% interval {_signed(measure, low)} to {_signed(measure, high)}{_change_unit(measure)}"
    )


@dataclass(frozen=True)
class EvidenceRowView:
    """An evidence row with the words a reader needs; ``chart_url`` is empty when the
    viewer may not open the team's workspace."""

    row: EvidenceRow
    chart_url: str = ""

    @property
    def measure(self) -> Measure:
        return self.row.measure

    @property
    def kind_label(self) -> str:
        return str(MeasureKind(self.row.measure_kind).label)

    @property
    def verdict_label(self) -> str:
        return str(Verdict(self.row.verdict).label)

    @property
    def verdict_tag(self) -> str:
        return VERDICT_TAGS[Verdict(self.row.verdict)]

    @property
    def is_improvement(self) -> bool:
        return self.row.verdict == Verdict.IMPROVEMENT

    @property
    def sustained_text(self) -> str:
        if not self.is_improvement:
            return "Not applicable"
        return "Yes" if self.row.sustained else "Not yet"

    @property
    def change(self) -> str:
        return change_text(self.measure, self.row.change)

    @property
    def interval(self) -> str:
        """The 95% interval of the change, or why there is none."""
        return interval_text(self.measure, self.row.change_low, self.row.change_high)

    @property
    def means(self) -> str:
        before = value_text(self.measure, self.row.baseline_mean)
        after = value_text(self.measure, self.row.followup_mean)
        return f"mean {before} before, {after} since"

    @property
    def signal_text(self) -> str:
        """How long after the start the first signal in the intended direction came."""
        if self.row.periods_to_signal is None or self.row.verdict == Verdict.NOT_JUDGED:
            return "No signal"
        frequency = self.measure.frequency
        if self.row.periods_to_signal == 0:
            when = f"In the first {periods_text(1, frequency).split(' ')[1]} from the start"
        else:
            when = f"{periods_text(self.row.periods_to_signal, frequency)} after the start"
        if self.row.first_signal_on is not None:
            when += f" ({self.row.first_signal_on:%B %Y})"
        return when

    @property
    def baseline_text(self) -> str:
        points = self.row.baseline_points
        return f"{points} point{'' if points == 1 else 's'}"

    @property
    def followup_text(self) -> str:
        points = self.row.followup_points
        return f"{points} point{'' if points == 1 else 's'}"

    @property
    def reasons(self) -> list[str]:
        return [str(reason) for reason in self.row.reasons]

    @property
    def is_stale(self) -> bool:
        """The measure's data, settings or dates changed since this row was computed."""
        return self.row.data_version != self.measure.data_version


@dataclass(frozen=True)
class SiteView:
    """One use of an intervention (a team at a site) with its result and rows."""

    use: InterventionUse
    result: SiteResult | None
    rows: tuple[EvidenceRowView, ...]

    @property
    def team(self) -> Team:
        return self.use.change_idea.goal.team

    @property
    def started_on(self) -> date | None:
        return self.use.change_idea.started_on

    @property
    def result_label(self) -> str:
        return self.result.result if self.result is not None else "no start date"

    @property
    def result_tag(self) -> str:
        return SITE_RESULT_TAGS.get(self.result_label, "nhsuk-tag--white")

    @property
    def primary_rows(self) -> list[EvidenceRowView]:
        return [view for view in self.rows if view.row.measure_kind != MeasureKind.BALANCING]

    @property
    def balancing_rows(self) -> list[EvidenceRowView]:
        return [view for view in self.rows if view.row.measure_kind == MeasureKind.BALANCING]

    @property
    def balancing_text(self) -> str:
        stable = self.result.balancing_stable if self.result is not None else None
        if stable is None:
            return "None judged"
        return "Stable" if stable else "Worse"

    @property
    def reasons(self) -> tuple[str, ...]:
        return self.result.reasons if self.result is not None else ()

    @property
    def has_stale_rows(self) -> bool:
        return any(view.is_stale for view in self.rows)

    @property
    def computing(self) -> bool:
        """A start date is recorded but the background task has not written rows yet."""
        return self.started_on is not None and not self.rows


@dataclass(frozen=True)
class RollupView:
    """An intervention's roll-up with the rule that gave its strength."""

    rollup: InterventionRollup
    sites: tuple[SiteView, ...]

    @property
    def intervention(self) -> Intervention:
        return self.rollup.intervention

    @property
    def strength(self) -> str:
        return self.rollup.strength

    @property
    def strength_tag(self) -> str:
        return STRENGTH_TAGS[self.rollup.strength]

    @property
    def strength_anchor(self) -> str:
        return strength_rule(self.rollup.strength)[0]

    @property
    def strength_rule(self) -> str:
        return strength_rule(self.rollup.strength)[1]

    @property
    def sentence(self) -> str:
        return self.rollup.sentence

    @property
    def site_count(self) -> int:
        return len(self.rollup.sites)

    @property
    def has_improvement(self) -> bool:
        return bool(self.rollup.counts[SUSTAINED] or self.rollup.counts[NOT_SUSTAINED])

    @property
    def corporate_service_labels(self) -> list[str]:
        return corporate_service_labels(self.intervention.corporate_services)


# --------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------


def _uses(filter_: Q) -> QuerySet[InterventionUse]:
    return (
        InterventionUse.objects.filter(filter_)
        .select_related("intervention", "change_idea__goal__team__round__programme")
        .order_by("intervention__name", "change_idea__goal__team__name", "site", "pk")
    )


def uses_public() -> QuerySet[InterventionUse]:
    """Uses by published teams of public rounds of published programmes."""
    return _uses(Q(change_idea__goal__team__in=teams_public()))


def _rows_of(uses: Sequence[InterventionUse]) -> list[EvidenceRow]:
    return list(
        EvidenceRow.objects.filter(use__in=[use.pk for use in uses])
        .select_related("measure")
        .order_by("use", "measure_kind", "measure__name", "pk")
    )


def _visible_team_ids(viewer: User | AnonymousUser | None) -> set[int]:
    if viewer is None:
        return set()
    return set(teams_visible_to(viewer).values_list("pk", flat=True))


def _row_views(
    rows: Iterable[EvidenceRow], uses: dict[int, InterventionUse], visible: set[int]
) -> dict[int, list[EvidenceRowView]]:
    by_use: dict[int, list[EvidenceRowView]] = {}
    for row in rows:
        team = uses[row.use_id].change_idea.goal.team
        url = (
            reverse("improvement:measure", args=[team.slug, row.measure_id])
            if team.pk in visible
            else ""
        )
        by_use.setdefault(row.use_id, []).append(EvidenceRowView(row, url))
    return by_use


def rollup_views(
    uses: Sequence[InterventionUse], *, viewer: User | AnonymousUser | None = None
) -> list[RollupView]:
    """One roll-up per intervention of ``uses``, in the order the interventions first
    appear; sites are the uses with a start date, uses without one are listed after them."""
    rows = _rows_of(uses)
    by_pk = {use.pk: use for use in uses}
    views = _row_views(rows, by_pk, _visible_team_ids(viewer))
    grouped: dict[int, list[InterventionUse]] = {}
    for use in uses:
        grouped.setdefault(use.intervention_id, []).append(use)
    out: list[RollupView] = []
    for group in grouped.values():
        started = [use for use in group if use.change_idea.started_on is not None]
        started_ids = {use.pk for use in started}
        rollup = intervention_rollup(
            group[0].intervention, started, [row for row in rows if row.use_id in started_ids]
        )
        results = {site.use.pk: site for site in rollup.sites}
        sites = tuple(
            SiteView(use, results.get(use.pk), tuple(views.get(use.pk, [])))
            for use in started + [use for use in group if use.pk not in started_ids]
        )
        out.append(RollupView(rollup, sites))
    return out


def _empty_rollup(intervention: Intervention) -> RollupView:
    return RollupView(intervention_rollup(intervention, [], []), ())


@dataclass(frozen=True)
class CatalogueEntry:
    intervention: Intervention
    rollup: RollupView

    @property
    def corporate_service_labels(self) -> list[str]:
        return corporate_service_labels(self.intervention.corporate_services)


def interventions_public() -> QuerySet[Intervention]:
    """The programme's own interventions, those added by published teams, and any that a
    published team uses; an unpublished team's additions stay private until then."""
    public_teams = teams_public()
    return (
        Intervention.objects.filter(
            Q(added_by_team__isnull=True)
            | Q(added_by_team__in=public_teams)
            | Q(uses__change_idea__goal__team__in=public_teams)
        )
        .distinct()
        .select_related("added_by_team")
        .order_by("name")
    )


def catalogue_public() -> list[CatalogueEntry]:
    interventions = list(interventions_public())
    uses = list(uses_public().filter(intervention__in=interventions))
    rollups = {view.intervention.pk: view for view in rollup_views(uses)}
    return [
        CatalogueEntry(intervention, rollups.get(intervention.pk) or _empty_rollup(intervention))
        for intervention in interventions
    ]


@dataclass(frozen=True)
class InterventionPage:
    intervention: Intervention
    rollup: RollupView

    @property
    def corporate_service_labels(self) -> list[str]:
        return corporate_service_labels(self.intervention.corporate_services)

    @property
    def added_by_public_team(self) -> Team | None:
        team = self.intervention.added_by_team
        if team is None or not teams_public().filter(pk=team.pk).exists():
            return None
        return team


def intervention_public_page(*, slug: str, viewer: User | AnonymousUser) -> InterventionPage:
    intervention = get_object_or_404(interventions_public(), slug=slug)
    uses = list(uses_public().filter(intervention=intervention))
    views = rollup_views(uses, viewer=viewer)
    return InterventionPage(intervention, views[0] if views else _empty_rollup(intervention))


# --------------------------------------------------------------------------
# A programme's evidence
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeEvidence:
    programme: Programme
    rollups: tuple[RollupView, ...]

    @property
    def improved_count(self) -> int:
        return sum(1 for view in self.rollups if view.has_improvement)


def programme_uses_public(programme: Programme) -> QuerySet[InterventionUse]:
    return uses_public().filter(change_idea__goal__team__round__programme=programme)


def programme_evidence(
    programme: Programme, *, viewer: User | AnonymousUser | None = None
) -> ProgrammeEvidence:
    """Every intervention used by a published team of ``programme``, rolled up."""
    uses = list(programme_uses_public(programme))
    return ProgrammeEvidence(programme, tuple(rollup_views(uses, viewer=viewer)))


def programme_evidence_rows(programme: Programme) -> QuerySet[EvidenceRow]:
    """The evidence rows of ``programme``'s published teams, for exports."""
    return (
        EvidenceRow.objects.filter(use__in=programme_uses_public(programme))
        .select_related(
            "measure",
            "use__intervention",
            "use__change_idea__goal__team__round__programme",
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


# --------------------------------------------------------------------------
# A team's own uses and evidence (the view has checked access)
# --------------------------------------------------------------------------


def team_change_ideas(team: Team) -> QuerySet[DriverNode]:
    """The team's change ideas with their goal and any use, goal by goal."""
    return (
        DriverNode.objects.filter(goal__team=team, kind=DriverNode.Kind.CHANGE_IDEA)
        .select_related("goal", "intervention_use__intervention")
        .order_by("goal__created_at", "goal__pk", "position", "pk")
    )


def team_uses(team: Team) -> list[InterventionUse]:
    return list(_uses(Q(change_idea__goal__team=team)))


def team_evidence(team: Team) -> list[SiteView]:
    """Each of the team's uses with its result and rows, stale ones marked; the team can
    open every chart."""
    uses = team_uses(team)
    rows = _rows_of(uses)
    views = _row_views(rows, {use.pk: use for use in uses}, {team.pk})
    sites: list[SiteView] = []
    for use in uses:
        use_rows = [row for row in rows if row.use_id == use.pk]
        result = site_result(use, use_rows) if use.change_idea.started_on else None
        sites.append(SiteView(use, result, tuple(views.get(use.pk, []))))
    return sites


def interventions_for_staff() -> QuerySet[Intervention]:
    return (
        Intervention.objects.select_related("added_by_team")
        .prefetch_related(
            Prefetch("uses", queryset=InterventionUse.objects.select_related("change_idea"))
        )
        .order_by("name")
    )


def interventions_choosable(team: Team) -> QuerySet[Intervention]:
    """What ``team`` may choose for a change idea: the public catalogue, its own additions
    and any it already uses (another unpublished team's additions stay private)."""
    return (
        Intervention.objects.filter(
            Q(pk__in=interventions_public().values("pk"))
            | Q(added_by_team=team)
            | Q(uses__change_idea__goal__team=team)
        )
        .distinct()
        .order_by("name")
    )


@dataclass(frozen=True)
class StaffCatalogueEntry:
    intervention: Intervention

    @property
    def site_count(self) -> int:
        uses = self.intervention.uses.all()
        return sum(1 for use in uses if use.change_idea.started_on is not None)

    @property
    def use_count(self) -> int:
        return len(self.intervention.uses.all())


def catalogue_for_staff() -> list[StaffCatalogueEntry]:
    return [StaffCatalogueEntry(intervention) for intervention in interventions_for_staff()]


# --------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------

#: The columns of the evidence exports, in order (docs/evidence.md describes each).
EXPORT_FIELDS = (
    "programme",
    "round",
    "team",
    "site",
    "intervention",
    "measure",
    "kind",
    "unit",
    "started_on",
    "verdict",
    "sustained",
    "baseline_points",
    "followup_points",
    "baseline_mean",
    "followup_mean",
    "change",
    "change_low",
    "change_high",
    "periods_to_signal",
    "first_signal_on",
    "baseline_unstable",
    "reasons",
    "computed_at",
)


def export_record(row: EvidenceRow) -> dict[str, Any]:
    """One evidence row as plain values: numbers on the measure's own scale (a percentage
    stored as a fraction stays a fraction), dates in ISO 8601."""
    use = row.use
    team = use.change_idea.goal.team
    return {
        "programme": team.round.programme.name,
        "round": team.round.name,
        "team": team.name,
        "site": use.site,
        "intervention": use.intervention.name,
        "measure": row.measure.name,
        "kind": row.measure_kind,
        "unit": row.measure.unit,
        "started_on": row.started_on.isoformat(),
        "verdict": row.verdict,
        "sustained": row.sustained,
        "baseline_points": row.baseline_points,
        "followup_points": row.followup_points,
        "baseline_mean": row.baseline_mean,
        "followup_mean": row.followup_mean,
        "change": row.change,
        "change_low": row.change_low,
        "change_high": row.change_high,
        "periods_to_signal": row.periods_to_signal,
        "first_signal_on": row.first_signal_on.isoformat() if row.first_signal_on else None,
        "baseline_unstable": row.baseline_unstable,
        "reasons": [str(reason) for reason in row.reasons],
        "computed_at": row.computed_at.isoformat(),
    }
