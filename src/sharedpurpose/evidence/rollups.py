"""From evidence rows to what a board reads: each site's result and each intervention's
roll-up with the strength of its evidence, by the rules below (docs/evidence.md).

A site's result comes from its outcome measures (its process measures when it has no
outcome measure): "sustained improvement" when an outcome improved and stayed improved and
none deteriorated; "improvement, not yet sustained"; "deterioration" when one got worse and
none improved; "no change"; or "not judged" when no measure could be judged (the reasons,
such as a too-short baseline, are kept). Balancing measures are "stable" when none of them
deteriorated.

Strength of evidence for an intervention:
* Strong: sustained improvement at 3 or more sites, each with a baseline of at least
  ``GOOD_BASELINE_POINTS`` points, no site deteriorating and balancing measures stable.
* Moderate: sustained improvement at 2 or more sites and no site deteriorating.
* Emerging: improvement at 1 or more sites.
* No improvement seen: sites were judged and none improved.
* Insufficient data: no site could be judged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sharedpurpose.improvement.models import MeasureKind
from sharedpurpose.spc.evidence import GOOD_BASELINE_POINTS

from .models import EvidenceRow, Intervention, InterventionUse, Verdict

SUSTAINED = "sustained improvement"
NOT_SUSTAINED = "improvement, not yet sustained"
DETERIORATION = "deterioration"
NO_CHANGE = "no change"
NOT_JUDGED = "not judged"
SITE_RESULTS = (SUSTAINED, NOT_SUSTAINED, NO_CHANGE, DETERIORATION, NOT_JUDGED)

STRONG = "Strong"
MODERATE = "Moderate"
EMERGING = "Emerging"
NONE_SEEN = "No improvement seen"
INSUFFICIENT = "Insufficient data"


@dataclass(frozen=True)
class SiteResult:
    use: InterventionUse
    result: str
    #: The rows the result was read from (outcome, else process measures).
    judged_rows: tuple[EvidenceRow, ...]
    balancing_rows: tuple[EvidenceRow, ...]
    reasons: tuple[str, ...]

    @property
    def started_on(self) -> date | None:
        return self.use.change_idea.started_on

    @property
    def balancing_stable(self) -> bool | None:
        """None without balancing measures judged."""
        judged = [row for row in self.balancing_rows if row.verdict != Verdict.NOT_JUDGED]
        if not judged:
            return None
        return all(row.verdict != Verdict.DETERIORATION for row in judged)

    @property
    def good_baseline(self) -> bool:
        return all(row.baseline_points >= GOOD_BASELINE_POINTS for row in self.judged_rows)


def site_result(use: InterventionUse, rows: Sequence[EvidenceRow]) -> SiteResult:
    outcome = [r for r in rows if r.measure_kind == MeasureKind.OUTCOME]
    process = [r for r in rows if r.measure_kind == MeasureKind.PROCESS]
    balancing = tuple(r for r in rows if r.measure_kind == MeasureKind.BALANCING)
    primary = outcome or process
    judged = [r for r in primary if r.verdict != Verdict.NOT_JUDGED]
    reasons = tuple(dict.fromkeys(reason for r in primary for reason in r.reasons))
    verdicts = {r.verdict for r in judged}
    if not judged:
        result = NOT_JUDGED
    elif Verdict.IMPROVEMENT in verdicts:
        improved = [r for r in judged if r.verdict == Verdict.IMPROVEMENT]
        if any(r.sustained for r in improved) and Verdict.DETERIORATION not in verdicts:
            result = SUSTAINED
        else:
            result = NOT_SUSTAINED
    elif Verdict.DETERIORATION in verdicts:
        result = DETERIORATION
    else:
        result = NO_CHANGE
    return SiteResult(use, result, tuple(judged), balancing, reasons)


@dataclass(frozen=True)
class InterventionRollup:
    intervention: Intervention
    sites: tuple[SiteResult, ...]
    strength: str
    sentence: str

    @property
    def counts(self) -> Counter[str]:
        return Counter(site.result for site in self.sites)


def _sentence(sites: Sequence[SiteResult]) -> str:
    if not sites:
        return "No team has recorded a start date for this intervention yet."
    counts = Counter(site.result for site in sites)
    total = len(sites)
    parts: list[str] = []
    for result in SITE_RESULTS:
        if counts[result]:
            noun = "site" if total == 1 else "sites"
            where = f"{counts[result]} of {total} {noun}" if not parts else f"{counts[result]}"
            parts.append(f"{result} at {where}")
    text = "; ".join(parts)
    balancing = [site.balancing_stable for site in sites if site.balancing_stable is not None]
    if balancing:
        text += "; balancing measures " + (
            "stable" if all(balancing) else f"worse at {balancing.count(False)} sites"
        )
    return text[0].upper() + text[1:] + "."


def _strength(sites: Sequence[SiteResult]) -> str:
    results = [site.result for site in sites]
    sustained = [site for site in sites if site.result == SUSTAINED]
    worse = DETERIORATION in results
    balancing_ok = all(site.balancing_stable is not False for site in sites)
    if (
        len(sustained) >= 3
        and not worse
        and balancing_ok
        and all(site.good_baseline for site in sustained)
    ):
        return STRONG
    if len(sustained) >= 2 and not worse:
        return MODERATE
    if sustained or NOT_SUSTAINED in results:
        return EMERGING
    if any(result != NOT_JUDGED for result in results):
        return NONE_SEEN
    return INSUFFICIENT


def intervention_rollup(
    intervention: Intervention, uses: Iterable[InterventionUse], rows: Iterable[EvidenceRow]
) -> InterventionRollup:
    by_use: dict[int, list[EvidenceRow]] = {}
    for row in rows:
        by_use.setdefault(row.use_id, []).append(row)
    sites = tuple(site_result(use, by_use.get(use.pk, [])) for use in uses)
    return InterventionRollup(intervention, sites, _strength(sites), _sentence(sites))
