"""The panel's arithmetic: weighted totals, the spread between assessors and the ranking.

Pure functions on plain values (no Django, no queries), computed with exact fractions so that
equal totals are equal and ties in the ranking are real ties, not rounding accidents.

A criterion's score counts as the share of its scale reached, ``(score - min) / (max - min)``,
so criteria on different scales weigh only by their weight. An assessor's weighted total is
the weighted mean of those shares as a percentage:

>>> quality = CriterionScale(weight=2, scale_min=0, scale_max=5)
>>> value = CriterionScale(weight=1, scale_min=1, scale_max=3)
>>> float(weighted_total([quality, value], [4, 3]))  # (2 x 4/5 + 1 x 2/2) / 3 x 100
86.66666666666667
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, TypeVar

#: Percentage points between the highest and lowest weighted totals of one application at
#: which the panel shows "Assessors disagree": a fifth of the whole range, the gap between
#: adjacent bands of a five-band (poor to excellent) judgement, is the point at which
#: assessors no longer agree on the band and moderation should look again.
DISAGREEMENT_SPREAD_POINTS = Fraction(20)

#: Two assessors' scores on one criterion disagree when they are at least this share of the
#: criterion's scale apart (e.g. 0 and 3 on a 0-5 scale, but not 1 and 3).
CRITERION_DISAGREEMENT_SHARE = Fraction(1, 2)

PERCENT = 100

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class CriterionScale:
    """What the arithmetic needs of a criterion: its weight and the ends of its scale."""

    weight: int
    scale_min: int
    scale_max: int

    def __post_init__(self) -> None:
        if self.weight <= 0:
            raise ValueError("A criterion's weight must be positive.")
        if self.scale_max <= self.scale_min:
            raise ValueError("A criterion's scale must run from a lower to a higher score.")

    def contains(self, score: int) -> bool:
        return self.scale_min <= score <= self.scale_max

    def share(self, score: int) -> Fraction:
        """How far along the scale ``score`` is, from 0 (lowest) to 1 (highest)."""
        if not self.contains(score):
            raise ValueError(f"{score} is outside the scale {self.scale_min}-{self.scale_max}.")
        return Fraction(score - self.scale_min, self.scale_max - self.scale_min)


def weighted_total(
    criteria: Sequence[CriterionScale], scores: Sequence[int | None]
) -> Fraction | None:
    """An assessor's weighted total as a percentage, or None until every criterion is scored.

    >>> weighted_total([CriterionScale(1, 0, 4)], [None]) is None
    True
    >>> weighted_total([CriterionScale(1, 0, 4), CriterionScale(3, 0, 4)], [4, 0])
    Fraction(25, 1)
    """
    if len(criteria) != len(scores):
        raise ValueError("One score is needed for each criterion.")
    if not criteria:
        return None
    weighted = Fraction(0)
    for criterion, score in zip(criteria, scores, strict=True):
        if score is None:
            return None
        weighted += criterion.weight * criterion.share(score)
    return weighted / sum(criterion.weight for criterion in criteria) * PERCENT


def mean(totals: Sequence[Fraction]) -> Fraction | None:
    """The mean of assessors' totals; None when nobody has scored."""
    if not totals:
        return None
    return sum(totals, Fraction(0)) / len(totals)


def spread(totals: Sequence[Fraction]) -> Fraction | None:
    """Highest minus lowest total; None with fewer than two totals, as one cannot disagree."""
    if len(totals) < 2:
        return None
    return max(totals) - min(totals)


def assessors_disagree(totals: Sequence[Fraction]) -> bool:
    """Whether the spread of the totals reaches :data:`DISAGREEMENT_SPREAD_POINTS`.

    >>> assessors_disagree([Fraction(40), Fraction(60)])
    True
    >>> assessors_disagree([Fraction(40), Fraction(59)])
    False
    """
    gap = spread(totals)
    return gap is not None and gap >= DISAGREEMENT_SPREAD_POINTS


def criterion_disagreement(criterion: CriterionScale, scores: Sequence[int]) -> bool:
    """Whether scores on one criterion are at least half its scale apart.

    >>> criterion_disagreement(CriterionScale(1, 0, 5), [0, 3])
    True
    >>> criterion_disagreement(CriterionScale(1, 0, 5), [1, 3])
    False
    """
    if len(scores) < 2:
        return False
    gap = Fraction(max(scores) - min(scores), criterion.scale_max - criterion.scale_min)
    return gap >= CRITERION_DISAGREEMENT_SHARE


@dataclass(frozen=True)
class Ranked(Generic[K]):
    """One entry of a ranking: its position (shared by ties), or None when not yet scored."""

    key: K
    rank: int | None
    total: Fraction | None
    #: Whether another entry shares this rank.
    tied: bool = False


def rank(entries: Sequence[tuple[K, Fraction | None]]) -> list[Ranked[K]]:
    """Entries from highest to lowest total; equal totals share a rank and the next rank is
    skipped (1, 2, 2, 4); tied entries keep the order given, and entries without a total come
    last, unranked, in the order given.

    >>> [(r.key, r.rank) for r in rank([("a", Fraction(50)), ("b", None), ("c", Fraction(70)),
    ...                                  ("d", Fraction(50))])]
    [('c', 1), ('a', 2), ('d', 2), ('b', None)]
    """
    scored = sorted(
        ((key, total) for key, total in entries if total is not None),
        key=lambda entry: entry[1],
        reverse=True,
    )
    counts: dict[Fraction, int] = {}
    for _, total in scored:
        counts[total] = counts.get(total, 0) + 1
    ranked: list[Ranked[K]] = []
    position = 0
    previous: Fraction | None = None
    for index, (key, total) in enumerate(scored, start=1):
        if total != previous:
            position, previous = index, total
        ranked.append(Ranked(key, position, total, counts[total] > 1))
    ranked.extend(Ranked(key, None, None) for key, total in entries if total is None)
    return ranked
