"""The panel's arithmetic with numbers worked out by hand: weighted totals, the spread flag and
ties in the ranking."""

from __future__ import annotations

import doctest
from fractions import Fraction

import pytest

from sharedpurpose.applications import scoring
from sharedpurpose.applications.scoring import (
    CriterionScale,
    assessors_disagree,
    criterion_disagreement,
    mean,
    rank,
    spread,
    weighted_total,
)


def test_the_documented_examples_hold() -> None:
    failures, tried = doctest.testmod(scoring)
    assert tried > 0 and failures == 0


def test_weighted_total_weighs_each_criterion_by_its_share_of_its_scale() -> None:
    # Given criteria on different scales: 0-5 weighing 3, 1-4 weighing 1, 0-10 weighing 1
    criteria = [CriterionScale(3, 0, 5), CriterionScale(1, 1, 4), CriterionScale(1, 0, 10)]
    # Then 4/5, 3/3 and 5/10 of the scales weigh (3 x 0.8 + 1 x 1 + 1 x 0.5) / 5 = 78%
    assert weighted_total(criteria, [4, 4, 5]) == Fraction(78)
    # And the ends of the scales give 0% and 100%
    assert weighted_total(criteria, [0, 1, 0]) == 0
    assert weighted_total(criteria, [5, 4, 10]) == 100


def test_weighted_total_waits_for_every_criterion() -> None:
    criteria = [CriterionScale(1, 0, 5), CriterionScale(1, 0, 5)]
    assert weighted_total(criteria, [5, None]) is None
    assert weighted_total([], []) is None


def test_a_score_outside_the_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="outside the scale"):
        weighted_total([CriterionScale(1, 1, 5)], [0])
    with pytest.raises(ValueError, match="outside the scale"):
        weighted_total([CriterionScale(1, 1, 5)], [6])


def test_a_criterion_needs_a_weight_and_a_scale() -> None:
    with pytest.raises(ValueError):
        CriterionScale(0, 0, 5)
    with pytest.raises(ValueError):
        CriterionScale(1, 3, 3)


def test_spread_and_the_disagreement_flag_at_the_threshold() -> None:
    assert scoring.DISAGREEMENT_SPREAD_POINTS == 20
    assert spread([Fraction(70)]) is None
    assert spread([Fraction(50), Fraction(80), Fraction(65)]) == 30
    # Exactly 20 points apart is a disagreement; just under is not
    assert assessors_disagree([Fraction(60), Fraction(80)])
    assert not assessors_disagree([Fraction(60), Fraction(7999, 100)])
    # One assessor cannot disagree with themselves
    assert not assessors_disagree([Fraction(100)])


def test_criterion_disagreement_is_half_the_scale_or_more() -> None:
    one_to_five = CriterionScale(1, 1, 5)  # a range of 4: disagreement from 2 apart
    assert criterion_disagreement(one_to_five, [1, 3])
    assert not criterion_disagreement(one_to_five, [2, 3, 3])
    assert not criterion_disagreement(one_to_five, [5])
    zero_to_five = CriterionScale(1, 0, 5)  # a range of 5: 2.5 apart needed, so 3
    assert not criterion_disagreement(zero_to_five, [1, 3])
    assert criterion_disagreement(zero_to_five, [1, 4])


def test_mean_of_totals() -> None:
    assert mean([]) is None
    assert mean([Fraction(60), Fraction(75)]) == Fraction(135, 2)


def test_ranking_shares_ranks_between_ties_and_lists_the_unscored_last() -> None:
    # Given two applications whose means are equal only as exact fractions
    third = Fraction(200, 3)  # 66.67 recurring
    entries = [
        ("A", Fraction(50)),
        ("B", None),
        ("C", third),
        ("D", Fraction(80)),
        ("E", Fraction(100, 3) * 2),  # the same 66.67 recurring, reached another way
        ("F", None),
    ]
    ranked = rank(entries)
    assert [(r.key, r.rank, r.tied) for r in ranked] == [
        ("D", 1, False),
        ("C", 2, True),
        ("E", 2, True),
        ("A", 4, False),
        ("B", None, False),
        ("F", None, False),
    ]


def test_a_ranking_of_nothing_scored() -> None:
    assert [(r.key, r.rank) for r in rank([("A", None)])] == [("A", None)]
    assert rank([]) == []
