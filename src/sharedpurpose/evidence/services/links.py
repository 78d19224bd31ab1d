"""Corporate ↔ clinical links of a goal: did signals on the corporate side come first?

Two readings, both from the measures' own charts (``improvement.charts.measure_charts``, so
they match what the team sees):

* Each measure's first special-cause signal in its better direction, side by side in date
  order, and for each corporate measure whose signal came before a clinical measure's, by
  how many periods.
* For each corporate × clinical pair of the same frequency, ``spc.lagged_correlations`` of
  their period-to-period changes at lags 0 to ``MAX_LAG`` (the corporate measure leading),
  with the strongest lag and the pairs behind it.

Both are associations, not proof; the page spells out the caveats (docs/evidence.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from itertools import product

import numpy as np
from django.db.models import Q

from sharedpurpose import spc
from sharedpurpose.improvement.charts import ChartView, measure_charts
from sharedpurpose.improvement.models import Goal, Measure, Side
from sharedpurpose.spc.evidence import MIN_CORRELATION_PAIRS

from ..selectors import periods_text

#: Lags looked at, in periods of the pair's frequency: half a year of monthly data.
MAX_LAG = 6
IMPROVEMENT_SIGNAL = "special_cause_improvement"
#: Coarser frequencies first: a gap between two measures is counted in the coarser one.
_COARSENESS = (Measure.Frequency.MONTHLY, Measure.Frequency.WEEKLY, Measure.Frequency.DAILY)


def periods_between(earlier: date, later: date, frequency: str) -> int:
    """Whole periods of ``frequency`` from ``earlier`` to ``later``."""
    if frequency == Measure.Frequency.MONTHLY:
        return (later.year - earlier.year) * 12 + later.month - earlier.month
    days = (later - earlier).days
    return days // 7 if frequency == Measure.Frequency.WEEKLY else days


@dataclass(frozen=True)
class MeasureSignal:
    """A measure's first special-cause signal in its better direction, or why there is none."""

    measure: Measure
    first_signal_on: date | None
    note: str

    @property
    def side_label(self) -> str:
        return str(Side(self.measure.side).label)

    @property
    def is_corporate(self) -> bool:
        return self.measure.side == Side.CORPORATE


@dataclass(frozen=True)
class Precedence:
    """A corporate signal that came before a clinical one."""

    corporate: MeasureSignal
    clinical: MeasureSignal
    periods: int
    frequency: str

    @property
    def gap(self) -> str:
        return periods_text(self.periods, self.frequency)

    @property
    def sentence(self) -> str:
        return f"Corporate signal preceded clinical by {self.gap}"


@dataclass(frozen=True)
class PairCorrelation:
    """Lagged correlations of a corporate measure's changes with a clinical measure's."""

    corporate: Measure
    clinical: Measure
    correlations: tuple[spc.LaggedCorrelation, ...]

    @property
    def enough_data(self) -> bool:
        return bool(self.correlations)

    @property
    def strongest(self) -> spc.LaggedCorrelation | None:
        """The lag with the largest correlation either way (ties: the shorter lag)."""
        if not self.correlations:
            return None
        return max(self.correlations, key=lambda c: (abs(c.r), -c.lag))

    @property
    def strongest_lag(self) -> str:
        strongest = self.strongest
        return periods_text(strongest.lag, self.corporate.frequency) if strongest else ""

    @property
    def rows(self) -> list[tuple[str, spc.LaggedCorrelation, bool]]:
        """Each lag in words with its correlation, and whether it is the strongest."""
        strongest = self.strongest
        return [
            (periods_text(c.lag, self.corporate.frequency), c, c == strongest)
            for c in self.correlations
        ]

    @property
    def pairs_at_strongest(self) -> int:
        strongest = self.strongest
        return strongest.pairs if strongest is not None else 0


@dataclass(frozen=True)
class GoalLinks:
    goal: Goal
    signals: tuple[MeasureSignal, ...]
    precedences: tuple[Precedence, ...]
    pairs: tuple[PairCorrelation, ...]
    #: Corporate × clinical pairs left out because their frequencies differ.
    mismatched: tuple[tuple[Measure, Measure], ...]

    @property
    def corporate_count(self) -> int:
        return sum(1 for s in self.signals if s.measure.side == Side.CORPORATE)

    @property
    def clinical_count(self) -> int:
        return sum(1 for s in self.signals if s.measure.side == Side.CLINICAL)

    @property
    def min_pairs(self) -> int:
        return MIN_CORRELATION_PAIRS

    @property
    def max_lag(self) -> int:
        return MAX_LAG


def _series(view: ChartView) -> tuple[np.ndarray, np.ndarray]:
    points = view.points
    x = np.array([p["period"] for p in points], dtype="datetime64[D]")
    y = np.array(
        [math.nan if p["value"] is None else float(p["value"]) for p in points], dtype=np.float64
    )
    return x, y


def measure_signal(view: ChartView) -> MeasureSignal:
    measure = view.measure
    if measure.improvement_direction == Measure.Direction.NEUTRAL:
        return MeasureSignal(measure, None, "No better direction is set, so no signal counts.")
    if not view.has_chart:
        return MeasureSignal(measure, None, view.message)
    for point in view.points:
        if point["point_type"] == IMPROVEMENT_SIGNAL:
            return MeasureSignal(measure, date.fromisoformat(point["period"]), "")
    return MeasureSignal(measure, None, "No special cause in the better direction yet.")


def _coarser(a: str, b: str) -> str:
    return min(a, b, key=lambda f: _COARSENESS.index(f) if f in _COARSENESS else 0)


def goal_measures(goal: Goal) -> list[Measure]:
    """The goal's corporate- and clinical-side measures, as its shared-axis panel shows them."""
    return list(
        Measure.objects.filter(
            Q(goal=goal) | Q(driver_node__goal=goal),
            team_id=goal.team_id,
            side__in=[Side.CORPORATE, Side.CLINICAL],
        )
        .select_related("chart_cache", "goal", "driver_node")
        .distinct()
        .order_by("side", "name")
    )


def goal_links(goal: Goal) -> GoalLinks:
    """What the goal's charts say about corporate signals coming before clinical ones."""
    views = measure_charts(goal_measures(goal))
    signals = [measure_signal(view) for view in views]
    ordered = sorted(
        signals,
        key=lambda s: (s.first_signal_on is None, s.first_signal_on or date.max, s.measure.name),
    )
    corporate = [s for s in ordered if s.measure.side == Side.CORPORATE]
    clinical = [s for s in ordered if s.measure.side == Side.CLINICAL]
    precedences = []
    for a, b in product(corporate, clinical):
        if a.first_signal_on and b.first_signal_on and a.first_signal_on < b.first_signal_on:
            frequency = _coarser(a.measure.frequency, b.measure.frequency)
            periods = periods_between(a.first_signal_on, b.first_signal_on, frequency)
            if periods > 0:
                precedences.append(Precedence(a, b, periods, frequency))

    by_pk = {view.measure.pk: view for view in views}
    pairs: list[PairCorrelation] = []
    mismatched: list[tuple[Measure, Measure]] = []
    corporate_views = [by_pk[s.measure.pk] for s in signals if s.measure.side == Side.CORPORATE]
    clinical_views = [by_pk[s.measure.pk] for s in signals if s.measure.side == Side.CLINICAL]
    for a_view, b_view in product(corporate_views, clinical_views):
        if a_view.measure.frequency != b_view.measure.frequency:
            mismatched.append((a_view.measure, b_view.measure))
            continue
        x_a, y_a = _series(a_view)
        x_b, y_b = _series(b_view)
        found = (
            spc.lagged_correlations(x_a, y_a, x_b, y_b, max_lag=MAX_LAG)
            if x_a.shape[0] and x_b.shape[0]
            else []
        )
        pairs.append(PairCorrelation(a_view.measure, b_view.measure, tuple(found)))
    return GoalLinks(goal, tuple(ordered), tuple(precedences), tuple(pairs), tuple(mismatched))
