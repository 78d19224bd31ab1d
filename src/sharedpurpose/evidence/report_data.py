"""What a round's board report shows, assembled from the database as plain dataclasses.

Nothing here writes data or renders HTML: ``report_data_build`` reads the round's teams,
goals, measures (their cached charts), PDSA cycles and evidence rows, and the template
``evidence/report_document.html`` only lays the result out. The words of "How to read this
report" are taken from the docstrings of ``sharedpurpose.spc.evidence`` and
``evidence.rollups``, so the report explains the rules the code applies, word for word.
"""

from __future__ import annotations

import hashlib
import inspect
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib.metadata import version
from types import ModuleType

from django.db.models import Max, Prefetch, Q
from django.utils.safestring import SafeString, mark_safe

from sharedpurpose.improvement.charts import ChartView, measure_charts
from sharedpurpose.improvement.models import (
    ChartType,
    DataPoint,
    DriverNode,
    Goal,
    Measure,
    MeasureKind,
    PdsaCycle,
    Team,
)
from sharedpurpose.programmes.dates import when_local
from sharedpurpose.programmes.models import Round
from sharedpurpose.spc import evidence as spc_evidence
from sharedpurpose.spc.icons_svg import (
    ASSURANCE_TEXT,
    VARIATION_TEXT,
    assurance_icon_svg,
    variation_icon_svg,
)

from . import rollups
from .models import EvidenceRow, Intervention, InterventionUse, Verdict
from .services import compute

# --------------------------------------------------------------------------
# The Making Data Count summary matrix
# --------------------------------------------------------------------------

#: Rows of the matrix: a variation icon's family (its name up to "_high"/"_low") and label.
VARIATION_ROWS: tuple[tuple[str, str], ...] = (
    ("improvement", "Special cause improvement"),
    ("common_cause", "Common cause"),
    ("concern", "Special cause concern"),
    ("neutral", "Special cause, neither better nor worse"),
)
#: Columns of the matrix: an assurance icon and label; "" is a measure without assurance.
ASSURANCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("consistent_pass", "Consistently passing"),
    ("inconsistent", "Hit and miss"),
    ("consistent_fail", "Consistently failing"),
    ("", "No target"),
)


def variation_family(icon: str) -> str:
    """The matrix row of a variation icon: ``improvement_low`` -> ``improvement``."""
    if icon == "common_cause":
        return icon
    return icon.partition("_")[0]


@dataclass(frozen=True)
class MatrixRow:
    key: str
    label: str
    #: Measure names per column, in ``ASSURANCE_COLUMNS`` order.
    cells: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class SummaryMatrix:
    rows: tuple[MatrixRow, ...]
    #: Measures with no chart yet (no values recorded, or a chart that cannot be drawn).
    without_chart: tuple[str, ...]

    @property
    def columns(self) -> tuple[tuple[str, str], ...]:
        return ASSURANCE_COLUMNS

    def cell(self, variation: str, assurance: str) -> tuple[str, ...]:
        """The measure names at a row (variation family) and column (assurance icon)."""
        row = next(row for row in self.rows if row.key == variation)
        return row.cells[[key for key, _ in ASSURANCE_COLUMNS].index(assurance)]


def summary_matrix(charts: Sequence[ChartView]) -> SummaryMatrix:
    placed: dict[tuple[str, str], list[str]] = defaultdict(list)
    without_chart: list[str] = []
    for chart in charts:
        if not chart.has_chart or not chart.variation_icon:
            without_chart.append(chart.measure.name)
            continue
        placed[(variation_family(chart.variation_icon), chart.assurance_icon)].append(
            chart.measure.name
        )
    rows = tuple(
        MatrixRow(
            key,
            label,
            tuple(tuple(sorted(placed[(key, column)])) for column, _ in ASSURANCE_COLUMNS),
        )
        for key, label in VARIATION_ROWS
    )
    return SummaryMatrix(rows, tuple(sorted(without_chart)))


# --------------------------------------------------------------------------
# Teams and goals
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyChart:
    measure_name: str
    svg: SafeString
    reading: str
    #: Why there is no chart, when there is none.
    message: str


@dataclass(frozen=True)
class PdsaSummary:
    change_idea: str
    started_on: date | None
    cycles: int
    latest_cycle: str
    adopt: int
    adapt: int
    abandon: int


@dataclass(frozen=True)
class GoalSection:
    title: str
    aim: str
    matrix: SummaryMatrix
    key_charts: tuple[KeyChart, ...]
    pdsa: tuple[PdsaSummary, ...]


@dataclass(frozen=True)
class TeamSection:
    name: str
    is_published: bool
    innovation: str
    goals: tuple[GoalSection, ...]


def _goal_of(measure: Measure) -> int | None:
    if measure.goal_id is not None:
        return measure.goal_id
    node = measure.driver_node
    return node.goal_id if node is not None else None


def _pdsa_summary(idea: DriverNode) -> PdsaSummary:
    cycles: list[PdsaCycle] = sorted(
        idea.cycles.all(), key=lambda c: (c.starts_on or date.min, c.created_at, c.pk)
    )
    decisions = [cycle.act_decision for cycle in cycles]
    return PdsaSummary(
        change_idea=idea.text,
        started_on=idea.started_on,
        cycles=len(cycles),
        latest_cycle=cycles[-1].title if cycles else "",
        adopt=decisions.count(PdsaCycle.Decision.ADOPT),
        adapt=decisions.count(PdsaCycle.Decision.ADAPT),
        abandon=decisions.count(PdsaCycle.Decision.ABANDON),
    )


def _key_chart(chart: ChartView) -> KeyChart:
    return KeyChart(chart.measure.name, chart.svg, chart.reading, chart.message)


def _goal_section(goal: Goal, charts: Sequence[ChartView]) -> GoalSection:
    ideas = [node for node in goal.nodes.all() if node.kind == DriverNode.Kind.CHANGE_IDEA]
    return GoalSection(
        title=goal.title,
        aim=goal.aim_statement,
        matrix=summary_matrix(charts),
        key_charts=tuple(
            _key_chart(chart) for chart in charts if chart.measure.kind == MeasureKind.OUTCOME
        ),
        pdsa=tuple(_pdsa_summary(idea) for idea in ideas),
    )


def team_sections(round_: Round) -> tuple[TeamSection, ...]:
    """Every team of the round, published or not (the report is for the board)."""
    teams = list(
        Team.objects.filter(round=round_)
        .order_by("name")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.order_by("created_at", "pk").prefetch_related(
                    Prefetch(
                        "nodes",
                        queryset=DriverNode.objects.order_by("position", "pk").prefetch_related(
                            "cycles"
                        ),
                    )
                ),
            )
        )
    )
    measures = list(
        Measure.objects.filter(team__round=round_)
        .filter(Q(goal__isnull=False) | Q(driver_node__isnull=False))
        .select_related("goal", "driver_node", "chart_cache")
        .order_by("kind", "name", "pk")
    )
    by_goal: dict[int, list[ChartView]] = defaultdict(list)
    for chart in measure_charts(measures):
        goal_id = _goal_of(chart.measure)
        if goal_id is not None:
            by_goal[goal_id].append(chart)
    return tuple(
        TeamSection(
            name=team.name,
            is_published=team.is_published,
            innovation=team.innovation,
            goals=tuple(_goal_section(goal, by_goal[goal.pk]) for goal in team.goals.all()),
        )
        for team in teams
    )


# --------------------------------------------------------------------------
# Evidence
# --------------------------------------------------------------------------


def _is_percent(measure: Measure) -> bool:
    return measure.unit == "%" or measure.chart_type == ChartType.P


def _signed(value: float, *, percent: bool) -> str:
    sign = "−" if value < 0 else "+" if value > 0 else ""
    return f"{sign}{abs(value) * 100:.1f}" if percent else f"{sign}{abs(value):,.3g}"


def format_change(measure: Measure, value: float | None) -> str:
    """A signed change as the measure reads it: ``−9.6 falls``, ``+4.2 percentage points``."""
    if value is None or not math.isfinite(value):
        return "not available"
    if _is_percent(measure):
        return f"{_signed(value, percent=True)} percentage points"
    unit = f" {measure.unit}" if measure.unit else ""
    return f"{_signed(value, percent=False)}{unit}"


def change_with_interval(row: EvidenceRow) -> str:
    """``−2.8 percentage points (95% interval −3.4 to −2.3)``: the unit said once."""
    text = format_change(row.measure, row.change)
    if row.change is None or row.change_low is None or row.change_high is None:
        return text
    percent = _is_percent(row.measure)
    low = _signed(row.change_low, percent=percent)
    high = _signed(row.change_high, percent=percent)
    return f"{text} (95% interval {low} to {high})"


@dataclass(frozen=True)
class EvidenceLine:
    """One measure's evidence at a site."""

    measure_name: str
    kind: str
    verdict: str
    change: str
    baseline_points: int


@dataclass(frozen=True)
class EvidenceSite:
    team: str
    site: str
    started_on: date | None
    result: str
    lines: tuple[EvidenceLine, ...]
    balancing: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class InterventionSection:
    name: str
    summary: str
    strength: str
    sentence: str
    sites: tuple[EvidenceSite, ...]


def _line(row: EvidenceRow) -> EvidenceLine:
    verdict = Verdict(row.verdict).label
    if row.verdict == Verdict.IMPROVEMENT:
        verdict += ", sustained" if row.sustained else ", not yet sustained"
    return EvidenceLine(
        measure_name=row.measure.name,
        kind=MeasureKind(row.measure_kind).label,
        verdict=verdict,
        change=change_with_interval(row),
        baseline_points=row.baseline_points,
    )


def _balancing_words(site: rollups.SiteResult) -> str:
    stable = site.balancing_stable
    if stable is None:
        return "None judged" if site.balancing_rows else "None recorded"
    return "Stable" if stable else "Worse"


def _evidence_site(site: rollups.SiteResult, rows: Sequence[EvidenceRow]) -> EvidenceSite:
    # Every outcome row (process rows without one), judged or not, so a too-short
    # baseline shows its point count beside the reason instead of vanishing.
    outcome = [row for row in rows if row.measure_kind == MeasureKind.OUTCOME]
    primary = outcome or [row for row in rows if row.measure_kind == MeasureKind.PROCESS]
    reasons = site.reasons
    if site.started_on is None:
        reasons = ("No start date recorded for the change idea.", *reasons)
    elif not rows:
        reasons = ("No evidence has been computed from the goal's measures.", *reasons)
    return EvidenceSite(
        team=site.use.change_idea.goal.team.name,
        site=site.use.site,
        started_on=site.started_on,
        result=site.result[0].upper() + site.result[1:],
        lines=tuple(_line(row) for row in primary),
        balancing=_balancing_words(site),
        reasons=reasons,
    )


def intervention_sections(round_: Round) -> tuple[InterventionSection, ...]:
    """Each intervention used in the round, rolled up over the round's sites only."""
    uses = list(
        InterventionUse.objects.filter(change_idea__goal__team__round=round_)
        .select_related("intervention", "change_idea__goal__team")
        .order_by("intervention__name", "change_idea__goal__team__name", "site", "pk")
    )
    rows = list(
        EvidenceRow.objects.filter(use__in=uses)
        .select_related("measure")
        .order_by("measure_kind", "measure__name", "pk")
    )
    rows_by_use: dict[int, list[EvidenceRow]] = defaultdict(list)
    for row in rows:
        rows_by_use[row.use_id].append(row)
    uses_by_intervention: dict[int, list[InterventionUse]] = defaultdict(list)
    interventions: dict[int, Intervention] = {}
    for use in uses:
        uses_by_intervention[use.intervention_id].append(use)
        interventions[use.intervention_id] = use.intervention
    sections = []
    for pk, intervention in interventions.items():
        its_uses = uses_by_intervention[pk]
        rollup = rollups.intervention_rollup(
            intervention, its_uses, [row for use in its_uses for row in rows_by_use[use.pk]]
        )
        sections.append(
            InterventionSection(
                name=intervention.name,
                summary=intervention.summary,
                strength=rollup.strength,
                sentence=rollup.sentence,
                sites=tuple(
                    _evidence_site(site, rows_by_use[site.use.pk]) for site in rollup.sites
                ),
            )
        )
    return tuple(sections)


# --------------------------------------------------------------------------
# How to read the report
# --------------------------------------------------------------------------

#: Names the rules' docstrings use, read as the numbers they stand for.
_RULE_CONSTANTS = {
    "MIN_BASELINE_POINTS": spc_evidence.MIN_BASELINE_POINTS,
    "GOOD_BASELINE_POINTS": spc_evidence.GOOD_BASELINE_POINTS,
    "SUSTAIN_POINTS": spc_evidence.SUSTAIN_POINTS,
}
_ROLE = re.compile(r":\w+:`~?([^`]+)`")
_LITERAL = re.compile(r"``([^`]+)``")
_DOC_REFERENCE = re.compile(r"\s*\(docs/[^)]*\)")
_EMPHASIS = re.compile(r"(?<![*\w])\*(\w[^*]*)\*(?![*\w])")


def _plain(text: str) -> str:
    """Docstring markup as words: constants become their values, literals plain words."""

    def word(match: re.Match[str]) -> str:
        name = match.group(1).rpartition(".")[2]
        if name in _RULE_CONSTANTS:
            return str(_RULE_CONSTANTS[name])
        return f"“{name.replace('_', ' ')}”"

    text = _DOC_REFERENCE.sub("", text)
    text = _EMPHASIS.sub(r"\1", text)
    return _LITERAL.sub(word, _ROLE.sub(word, text))


def doc_bullets(doc: str) -> tuple[str, ...]:
    """The ``* `` items of a docstring, continuation lines joined, markup made plain."""
    items: list[list[str]] = []
    current: list[str] | None = None
    for line in doc.splitlines():
        stripped = line.strip()
        if stripped.startswith("* "):
            current = [stripped[2:]]
            items.append(current)
        elif current is not None and stripped and line.startswith("  "):
            current.append(stripped)
        else:
            current = None
    return tuple(_plain(" ".join(item)) for item in items)


def doc_paragraph(doc: str, starting: str) -> str:
    """The docstring paragraph that begins with ``starting``, as one line; "" if none."""
    for paragraph in re.split(r"\n\s*\n", doc):
        lines = [line.strip() for line in paragraph.strip().splitlines()]
        if lines and lines[0].startswith(starting):
            # The words before any list: a list's items are read by ``doc_bullets``.
            bullet = next((i for i, line in enumerate(lines) if line.startswith("* ")), None)
            return _plain(" ".join(lines[:bullet]))
    return ""


@dataclass(frozen=True)
class IconExplained:
    badge: SafeString
    text: str


def _badge(svg_group: str) -> SafeString:
    return mark_safe(  # noqa: S308 - drawn by sharedpurpose.spc, which escapes its text
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 44 44" class="badge" '
        f'aria-hidden="true">{svg_group}</svg>'
    )


@dataclass(frozen=True)
class ReadingGuide:
    variation_icons: tuple[IconExplained, ...]
    assurance_icons: tuple[IconExplained, ...]
    effect_summary: str
    evidence_rules: tuple[str, ...]
    site_results: str
    strength_heading: str
    strength_rules: tuple[str, ...]


def reading_guide() -> ReadingGuide:
    evidence_doc = spc_evidence.__doc__ or ""
    rollups_doc = rollups.__doc__ or ""
    return ReadingGuide(
        variation_icons=tuple(
            IconExplained(_badge(variation_icon_svg(icon, 22, 22, 20)), text)
            for icon, text in VARIATION_TEXT.items()
        ),
        assurance_icons=tuple(
            IconExplained(_badge(assurance_icon_svg(icon, 22, 22, 20)), text)
            for icon, text in ASSURANCE_TEXT.items()
        ),
        effect_summary=doc_paragraph(evidence_doc, "Did a change make a difference?"),
        evidence_rules=doc_bullets(evidence_doc),
        site_results=doc_paragraph(rollups_doc, "A site's result"),
        strength_heading=doc_paragraph(rollups_doc, "Strength of evidence"),
        strength_rules=doc_bullets(rollups_doc),
    )


def _source(module: ModuleType) -> str:
    try:
        return inspect.getsource(module)
    except (OSError, TypeError):
        return module.__doc__ or module.__name__


def evidence_rules_version() -> str:
    """The package version and a fingerprint of the code that computes the evidence: any
    change to the rules, the roll-ups or the computation gives a new version."""
    digest = hashlib.sha256()
    for module in (spc_evidence, rollups, compute):
        digest.update(_source(module).encode())
    return f"{version('sharedpurpose')}+{digest.hexdigest()[:10]}"


# --------------------------------------------------------------------------
# The whole report
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportData:
    programme: str
    round_name: str
    round_number: int
    generated_at: datetime
    generated_display: str
    #: The start of the latest period with a value in any of the round's measures.
    data_up_to: date | None
    teams: tuple[TeamSection, ...]
    interventions: tuple[InterventionSection, ...]
    guide: ReadingGuide
    rules_version: str

    @property
    def title(self) -> str:
        return f"{self.programme}, round {self.round_number}: {self.round_name}"


def _latest_period(round_: Round) -> date | None:
    latest: date | None = DataPoint.objects.filter(
        measure__team__round=round_, value__isnull=False
    ).aggregate(latest=Max("period"))["latest"]
    return latest


def report_data_build(*, round_: Round, generated_at: datetime) -> ReportData:
    """Everything the report of ``round_`` shows, as read from the database now."""
    return ReportData(
        programme=round_.programme.name,
        round_name=round_.name,
        round_number=round_.number,
        generated_at=generated_at,
        generated_display=when_local(generated_at, round_.timezone),
        data_up_to=_latest_period(round_),
        teams=team_sections(round_),
        interventions=intervention_sections(round_),
        guide=reading_guide(),
        rules_version=evidence_rules_version(),
    )
