"""Run charts and the Anhøj rules (sharedpurpose.spc.runs)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedpurpose.spc.runs import (
    crossings_limit,
    longest_run_limit,
    qbinom,
    run_chart,
    runs_analysis,
)

# Anhøj & Olesen (2014), table 1: useful observations -> (longest run limit,
# fewest crossings).
ANHOEJ_TABLE = {
    10: (6, 2),
    11: (6, 2),
    12: (7, 3),
    13: (7, 3),
    14: (7, 4),
    15: (7, 4),
    16: (7, 4),
    17: (7, 5),
    18: (7, 5),
    19: (7, 6),
    20: (7, 6),
    21: (7, 6),
    22: (7, 7),
    23: (8, 7),
    24: (8, 8),
    25: (8, 8),
    26: (8, 8),
    27: (8, 9),
    28: (8, 9),
    29: (8, 10),
    30: (8, 10),
}


@pytest.mark.parametrize(("n", "expected"), sorted(ANHOEJ_TABLE.items()))
def test_limits_match_published_table(n: int, expected: tuple[int, int]) -> None:
    assert (longest_run_limit(n), crossings_limit(n)) == expected


def _qbinom_brute(p: float, size: int, prob: float) -> int:
    q = Fraction(prob)
    total = Fraction(0)
    for k in range(size + 1):
        total += math.comb(size, k) * q**k * (1 - q) ** (size - k)
        if total >= Fraction(p):
            return k
    return size


@given(
    st.floats(0.001, 0.999),
    st.integers(0, 60),
    st.sampled_from([0.5, 0.1, 0.25, 0.9]),
)
@settings(max_examples=60, deadline=None)
def test_qbinom_matches_exact_cdf(p: float, size: int, prob: float) -> None:
    assert qbinom(p, size, prob) == _qbinom_brute(p, size, prob)


def test_qbinom_edges_follow_r() -> None:
    assert qbinom(0.05, 0, 0.5) == 0
    assert qbinom(0.0, 10, 0.5) == 0
    assert qbinom(1.0, 10, 0.5) == 10
    # qbinom(0.05, 99, 0.5) in R is 41; large sizes stay exact and quick.
    assert qbinom(0.05, 99, 0.5) == 41
    assert qbinom(0.05, 9999, 0.5) == 4917
    with pytest.raises(ValueError):
        qbinom(0.05, -1, 0.5)


def test_points_on_the_median_neither_break_nor_count() -> None:
    # median 5; the three 5s sit inside a run of points below it
    y = [1, 2, 5, 3, 5, 4, 5, 9, 8, 7]
    a = runs_analysis(y, 5.0)
    assert a.n_obs == 10
    assert a.n_useful == 7
    assert a.longest_run == 4
    assert a.n_crossings == 1
    assert a.longest_run_max == round(math.log2(7)) + 3
    assert a.n_crossings_min == qbinom(0.05, 6, 0.5)


def test_missing_values_are_ignored_by_runs() -> None:
    a = runs_analysis([1.0, np.nan, 1.0, 3.0, np.nan, 3.0], 2.0)
    assert (a.n_useful, a.longest_run, a.n_crossings) == (4, 2, 1)


def test_no_useful_point_gives_no_figures() -> None:
    a = runs_analysis([2.0, 2.0, np.nan], 2.0)
    assert a.n_useful == 0
    assert a.longest_run is None and a.n_crossings_min is None
    assert a.runs_signal is False


def test_run_chart_figures_and_shift_marks() -> None:
    # 10 low values then 10 high values: a run of 10 > round(log2(20)) + 3 = 7
    y = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9]
    r = run_chart(y, improvement_direction="increase")
    assert r.chart == "run"
    assert np.all(r.centre == 5.0)
    assert r.mean[0] == pytest.approx(5.0)
    assert np.all(np.isnan(r.lpl)) and np.all(np.isnan(r.upl))
    assert (r.longest_run, r.longest_run_max) == (10, 7)
    assert (r.n_crossings, r.n_crossings_min) == (1, 6)
    assert r.runs_signal is True
    assert list(r.special_cause_rule) == ["shift"] * 20
    assert list(r.point_type[:10]) == ["special_cause_concern"] * 10
    assert list(r.point_type[10:]) == ["special_cause_improvement"] * 10
    assert r.variation_icon == "improvement_high"
    assert r.assurance_icon is None


def test_run_chart_neutral_and_decrease_directions() -> None:
    y = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9]
    neutral = run_chart(y, improvement_direction="neutral")
    assert neutral.point_type[0] == "special_cause_neutral_low"
    assert neutral.point_type[-1] == "special_cause_neutral_high"
    assert neutral.variation_icon == "neutral_high"
    decrease = run_chart(y, improvement_direction="decrease")
    assert decrease.variation_icon == "concern_high"
    with pytest.raises(ValueError):
        run_chart(y, improvement_direction="up")


def test_random_looking_run_chart_has_no_signal() -> None:
    y = [3, 7, 4, 8, 2, 6, 5, 9, 1, 7, 4, 6, 3, 8, 5, 2, 9, 4, 6, 3]
    r = run_chart(y)
    assert r.runs_signal is False
    assert set(r.point_type.tolist()) == {"common_cause"}
    assert set(r.special_cause_rule.tolist()) == {""}
    assert r.variation_icon == "common_cause"


def test_few_crossings_flags_period_without_marking_points() -> None:
    # 12 useful points in runs of 6, 6: longest 6 <= 7 but 1 crossing < 3
    y = [1, 2, 3, 1, 2, 3, 7, 8, 9, 7, 8, 9]
    r = run_chart(y)
    assert r.runs_signal is True
    assert r.longest_run == 6 and r.n_crossings == 1
    assert set(r.special_cause_rule.tolist()) == {""}


def test_rebase_splits_periods_and_reports_last() -> None:
    y = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 10, 20, 30, 40, 50, 60]
    x = np.arange(101, 117)
    r = run_chart(y, x, rebase=[111])
    assert r.centre[0] == 1.5 and r.centre[-1] == 35.0
    assert r.period is not None and r.period.tolist() == [0] * 10 + [1] * 6
    # last period: 3 below, 3 above
    assert (r.longest_run, r.n_crossings) == (3, 1)


def test_rebase_between_points_starts_at_next_point() -> None:
    r = run_chart([1, 2, 3, 4], [10, 20, 30, 40], rebase=[25])
    assert r.period is not None and r.period.tolist() == [0, 0, 1, 1]


def test_fix_after_n_points_freezes_median_but_runs_use_all_points() -> None:
    y = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    r = run_chart(y, fix_after_n_points=4)
    assert np.all(r.centre == 2.5)
    assert r.mean[0] == pytest.approx(2.5)
    assert r.longest_run == 10
    assert r.runs_signal is True


def test_missing_values_carry_through() -> None:
    y = [1.0, np.nan, 3.0, 2.0, np.nan]
    r = run_chart(y)
    assert np.isnan(r.value[1]) and np.isnan(r.value[4])
    assert r.centre[0] == 2.0
    assert r.point_type[1] == ""
    assert r.point_type[0] == "common_cause"


def test_unsorted_x_is_sorted_and_duplicates_rejected() -> None:
    r = run_chart([3.0, 1.0, 2.0], [3, 1, 2])
    assert r.x.tolist() == [1, 2, 3]
    assert r.y.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError):
        run_chart([1, 2], [1, 1])


def test_dates_as_x() -> None:
    x = np.arange("2020-01", "2020-07", dtype="datetime64[M]").astype("datetime64[D]")
    r = run_chart([1, 2, 3, 4, 5, 6], x, rebase=[np.datetime64("2020-04-01")])
    assert r.period is not None and r.period.tolist() == [0, 0, 0, 1, 1, 1]


def test_run_chart_with_denominators_plots_ratios() -> None:
    r = run_chart([1, 2, 3], n=[10, 10, 20])
    assert r.value.tolist() == [0.1, 0.2, 0.15]


def test_result_arrays_are_read_only() -> None:
    r = run_chart([1, 2, 3])
    with pytest.raises(ValueError):
        r.value[0] = 5


def _naive_runs(values: list[float], centre: float) -> tuple[int, int, int]:
    """Straightforward reading of qicharts2's runs.analysis (rle over signs)."""
    signs = [(v > centre) - (v < centre) for v in values if not math.isnan(v)]
    signs = [s for s in signs if s != 0]
    runs: list[int] = []
    for s_prev, s in zip([None, *signs], signs, strict=False):
        if s == s_prev:
            runs[-1] += 1
        else:
            runs.append(1)
    return len(signs), max(runs), len(runs) - 1


@given(st.lists(st.integers(-5, 5), min_size=1, max_size=60), st.integers(-3, 3))
@settings(max_examples=80, deadline=None)
def test_runs_match_naive_count(values: list[int], centre: int) -> None:
    a = runs_analysis(values, centre)
    if not any(v != centre for v in values):
        assert a.n_useful == 0
        return
    n, longest, crossings = _naive_runs([float(v) for v in values], float(centre))
    assert (a.n_useful, a.longest_run, a.n_crossings) == (n, longest, crossings)
    assert a.runs_signal == (
        longest > round(math.log2(n)) + 3 or crossings < qbinom(0.05, n - 1, 0.5)
    )


@given(
    st.lists(st.integers(-1000, 1000), min_size=2, max_size=50),
    st.integers(-10_000, 10_000),
)
@settings(max_examples=60, deadline=None)
def test_run_counts_invariant_to_adding_a_constant(values: list[int], shift: int) -> None:
    a = run_chart(values)
    b = run_chart([v + shift for v in values])
    assert (a.longest_run, a.n_crossings, a.runs_signal) == (
        b.longest_run,
        b.n_crossings,
        b.runs_signal,
    )
    assert a.special_cause_rule.tolist() == b.special_cause_rule.tolist()
    assert b.centre[0] == pytest.approx(a.centre[0] + shift)
