"""The evidence rules on constructed series whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from sharedpurpose.spc.evidence import (
    MIN_BASELINE_POINTS,
    SUSTAIN_POINTS,
    intervention_effect,
    lagged_correlations,
    t_quantile_975,
    welch_interval,
)

RNG = np.random.default_rng(20260401)
BASELINE = [50.0, 52, 49, 51, 50, 48, 53, 50, 51, 49, 52, 50, 51, 49, 50, 52, 48, 51, 50, 49]


def months(n: int) -> np.ndarray:
    return np.arange("2020-01", np.datetime64("2020-01") + n, dtype="datetime64[M]")


def test_a_clear_step_change_in_the_intended_direction_is_a_sustained_improvement() -> None:
    y = BASELINE + [41, 40, 42, 39, 41, 40, 42, 40, 41, 39]
    x = months(len(y))

    effect = intervention_effect(x, y, x[20], improvement_direction="decrease")

    assert effect.verdict == "improvement"
    assert effect.sustained
    assert effect.periods_to_signal == 0
    assert effect.first_signal_x == x[20].item()
    assert (effect.baseline_points, effect.followup_points) == (20, 10)
    assert effect.change == pytest.approx(40.5 - 50.25)
    assert effect.change_low < effect.change < effect.change_high < 0
    assert not effect.baseline_unstable and effect.reasons == ()


def test_noise_alone_after_the_start_is_no_change() -> None:
    y = np.concatenate([BASELINE, RNG.normal(50.25, 0.3, 12)])
    x = months(len(y))

    effect = intervention_effect(x, y, x[20], improvement_direction="decrease")

    assert effect.verdict == "no_change"
    assert not effect.sustained
    assert effect.periods_to_signal is None
    assert effect.change_low < 0 < effect.change_high


def test_a_move_the_wrong_way_is_a_deterioration_not_an_improvement() -> None:
    y = BASELINE + [60, 59, 61, 60, 58, 61, 60, 59]
    x = months(len(y))

    effect = intervention_effect(x, y, x[20], improvement_direction="decrease")

    assert effect.verdict == "deterioration"
    assert effect.first_concern_x == x[20].item()
    assert not effect.sustained


def test_a_too_short_baseline_is_stated_not_judged() -> None:
    y = BASELINE[: MIN_BASELINE_POINTS - 1] + [41, 40, 42, 39, 41, 40, 42, 40]
    x = months(len(y))

    effect = intervention_effect(x, y, x[MIN_BASELINE_POINTS - 1], improvement_direction="decrease")

    assert effect.verdict == "not_judged" and not effect.judged
    assert effect.reasons == (
        f"Baseline too short to judge: {MIN_BASELINE_POINTS - 1} points before the start, "
        f"{MIN_BASELINE_POINTS} needed.",
    )
    assert effect.change < 0  # the change in mean is still reported


def test_a_single_good_point_is_an_improvement_but_not_sustained() -> None:
    y = BASELINE + [30, 50, 51, 49, 50, 52, 50, 51, 50]
    x = months(len(y))

    effect = intervention_effect(x, y, x[20], improvement_direction="decrease")

    assert effect.verdict == "improvement"
    assert not effect.sustained


def test_an_improvement_too_recent_to_call_sustained_says_so() -> None:
    y = BASELINE + [40, 41, 40]
    x = months(len(y))

    effect = intervention_effect(x, y, x[20], improvement_direction="decrease")

    assert effect.verdict == "improvement" and not effect.sustained
    assert f"{SUSTAIN_POINTS} needed" in effect.reasons[-1]


def test_missing_values_and_order_do_not_change_the_answer() -> None:
    y = BASELINE + [41, 40, 42, 39, 41, 40, 42, 40]
    x = months(len(y))
    shuffled = RNG.permutation(len(y))
    with_gap = np.array(y + [np.nan])
    x_gap = months(len(y) + 1)

    plain = intervention_effect(x, y, x[20], improvement_direction="decrease")
    permuted = intervention_effect(
        x[shuffled], np.array(y)[shuffled], x[20], improvement_direction="decrease"
    )
    gapped = intervention_effect(x_gap, with_gap, x[20], improvement_direction="decrease")

    assert permuted == plain
    assert gapped.followup_points == plain.followup_points and gapped.verdict == plain.verdict


def test_no_data_since_the_start_is_not_judged() -> None:
    x = months(20)

    effect = intervention_effect(x, BASELINE, np.datetime64("2030-01"))

    assert effect.verdict == "not_judged"
    assert effect.reasons == ("No data since the start.",)


def test_the_t_quantile_matches_tables() -> None:
    for df, table in ((3, 3.182), (10, 2.228), (30, 2.042), (120, 1.980)):
        assert t_quantile_975(df) == pytest.approx(table, abs=0.01)


def test_the_welch_interval_covers_the_difference_and_needs_two_points_each() -> None:
    a = np.array([1.0, 2, 3, 4])
    b = np.array([5.0, 6, 7, 8])

    low, high = welch_interval(a, b)

    assert low < 4 < high
    assert np.isnan(welch_interval(a[:1], b)[0])


def test_a_baseline_with_its_own_special_cause_is_flagged() -> None:
    unstable = BASELINE[:10] + [80.0] + BASELINE[11:]
    y = unstable + [41, 40, 42, 39, 41, 40, 42, 40]
    x = months(len(y))

    effect = intervention_effect(x, y, x[20], improvement_direction="decrease")

    assert effect.baseline_unstable
    assert "baseline itself shows special cause" in effect.reasons[0]


def test_a_series_that_follows_another_correlates_best_at_its_lag() -> None:
    leader = RNG.normal(0, 1, 40).cumsum()
    follower = np.concatenate([RNG.normal(0, 1, 3), leader[:-3]]) + RNG.normal(0, 0.05, 40)
    x = months(40)

    correlations = lagged_correlations(x, leader, x, follower, max_lag=6)

    best = max(correlations, key=lambda c: c.r)
    assert best.lag == 3 and best.r > 0.95
    assert [c.lag for c in correlations] == list(range(7))


def test_two_unrelated_trends_do_not_look_related_and_short_series_give_nothing() -> None:
    x = months(30)
    rising = np.arange(30) + RNG.normal(0, 1, 30)
    also_rising = np.arange(30) * 2 + RNG.normal(0, 1, 30)

    lag_zero = lagged_correlations(x, rising, x, also_rising, max_lag=0)[0]

    assert abs(lag_zero.r) < 0.5  # raw values would correlate near 1
    assert lagged_correlations(x[:5], rising[:5], x[:5], also_rising[:5]) == []
