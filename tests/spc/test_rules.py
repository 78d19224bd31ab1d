"""The special-cause rules, case by case as NHSRplotthedots' own tests state them."""

from __future__ import annotations

import numpy as np
import pytest

from sharedpurpose.spc import rules


def starts(n: int, *at: int) -> np.ndarray:
    s = np.zeros(n, bool)
    s[:1] = True
    s[list(at)] = True
    return s


def shift_of(rtm: list[int], *at: int) -> list[int]:
    r = np.array(rtm, np.int8)
    return [int(v) for v in rules.shift(r, starts(len(r), *at))]


def trend_of(y: list[float], *at: int) -> list[int]:
    part, _ = rules.trend(np.array(y, float), starts(len(y), *at))
    return [int(v) for v in part]


def two_of(close: list[int], rtm: list[int]) -> list[int]:
    c = np.array(close, bool)
    return [int(v) for v in rules.two_in_three(c, np.array(rtm, np.int8), starts(len(c)))]


class TestShift:
    def test_six_points_are_not_a_shift(self) -> None:
        assert shift_of([1] * 6) == [0] * 6

    def test_six_then_other_side(self) -> None:
        assert shift_of([1] * 6 + [-1]) == [0] * 7

    @pytest.mark.parametrize("side", [1, -1])
    def test_eight_in_a_row_flags_all_eight(self, side: int) -> None:
        assert shift_of([side] * 8 + [-side]) == [1] * 8 + [0]

    def test_a_point_on_the_mean_breaks_the_run(self) -> None:
        assert shift_of([1] * 4 + [0] + [1] * 4) == [0] * 9
        assert shift_of([1] * 7 + [0]) == [1] * 7 + [0]

    def test_does_not_span_a_rebase(self) -> None:
        assert shift_of([1] * 10, 5) == [0] * 10
        assert shift_of([1] * 14, 7) == [1] * 14


class TestTrend:
    def test_empty_and_short(self) -> None:
        assert trend_of([]) == []
        assert trend_of([1, 2, 3, 4, 5, 6]) == [0] * 6

    def test_tie_breaks_trend(self) -> None:
        assert trend_of([1, 2, 3, 3, 4, 5, 6]) == [0] * 7

    def test_seven_rising(self) -> None:
        assert trend_of(list(range(1, 8))) == [1] * 7

    def test_embedded(self) -> None:
        assert trend_of([2, *range(1, 8), 3]) == [0] + [1] * 7 + [0]
        assert trend_of([2, *range(7, 0, -1), 3]) == [0] + [1] * 7 + [0]

    def test_missing_value_breaks_trend_instead_of_raising(self) -> None:
        y = [1, 2, 3, np.nan, 5, 6, 7, 8]
        assert trend_of(y) == [0] * 8

    def test_does_not_span_a_rebase(self) -> None:
        assert trend_of(list(range(10)), 4) == [0] * 10
        assert trend_of(list(range(14)), 7) == [1] * 14

    def test_direction_at_a_peak_follows_the_next_step(self) -> None:
        y = np.array([1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1], float)
        part, direction = rules.trend(y, starts(len(y)))
        assert part.all()
        assert direction.tolist() == [1] * 6 + [-1] * 7

    def test_direction_of_a_tie_between_two_trends_is_decreasing(self) -> None:
        # the reference reads the step to the next trend point: 0 is not 1
        y = np.array(list(range(1, 8)) + list(range(7, 14)), float)
        part, direction = rules.trend(y, starts(len(y)))
        assert part.all()
        assert direction.tolist() == [1] * 6 + [-1] + [1] * 7


class TestTwoInThree:
    def test_nothing_close(self) -> None:
        assert two_of([0, 0, 0], [1, 1, 1]) == [0, 0, 0]

    @pytest.mark.parametrize("close", [[1, 0, 1], [0, 1, 1], [1, 1, 0]])
    def test_only_the_close_points_are_flagged(self, close: list[int]) -> None:
        assert two_of(close, [1, 1, 1]) == close

    def test_patterns_from_the_reference_tests(self) -> None:
        assert two_of([0, 0, 1, 0, 1, 0, 0], [1] * 7) == [0, 0, 1, 0, 1, 0, 0]
        assert two_of([0, 0, 1, 1, 0, 0, 0], [1] * 7) == [0, 0, 1, 1, 0, 0, 0]
        assert two_of([1, 0, 0, 1], [1] * 4) == [0, 0, 0, 0]
        assert two_of([1, 0, 0, 1, 1], [1] * 5) == [0, 0, 0, 1, 1]

    @pytest.mark.parametrize("close", [[1, 0, 1], [0, 1, 1], [1, 1, 0]])
    def test_opposite_sides_do_not_count(self, close: list[int]) -> None:
        assert two_of(close, [1, -1, 1]) == [0, 0, 0]

    def test_all_three_must_be_on_one_side(self) -> None:
        assert two_of([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1]) == [0] * 7
        assert two_of([1, 1, 0], [1, 1, 0]) == [0, 0, 0]

    def test_window_does_not_span_a_rebase(self) -> None:
        c = np.array([1, 1, 0, 1], bool)
        r = np.ones(4, np.int8)
        assert rules.two_in_three(c, r, starts(4, 2)).tolist() == [False] * 4
        assert rules.two_in_three(c, r, starts(4, 3)).tolist() == [True, True, False, False]


def test_relative_to_mean_zero_for_missing() -> None:
    rtm = rules.relative_to_mean(np.array([1.0, 2.0, np.nan, 3.0]), np.full(4, 2.0))
    assert rtm.tolist() == [-1, 0, 0, 1]
