"""XmR limits, classification and warnings against NHSRplotthedots' behaviour."""

from __future__ import annotations

import numpy as np
import pytest

from sharedpurpose.spc import (
    MR_LIMIT_FACTOR,
    SHORT_PERIOD_WARNING,
    SpcInputError,
    xmr,
)

# set.seed(123); rnorm(20) as printed by R (8 significant digits), the data of
# NHSRplotthedots' tests/testthat/test-ptd_spc_standard.R
RNORM_123 = [
    -0.56047565,
    -0.23017749,
    1.55870831,
    0.07050839,
    0.12928774,
    1.71506499,
    0.46091621,
    -1.26506123,
    -0.68685285,
    -0.44566197,
    1.22408180,
    0.35981383,
    0.40077145,
    0.11068272,
    -0.55584113,
    1.78691314,
    0.49785048,
    -1.96661716,
    0.70135590,
    -0.47279141,
]
DAYS = np.datetime64("2020-01-01") + np.arange(1, 21)


class TestReferenceSnapshots:
    """Figures from tests/testthat/_snaps/ptd_spc_standard.md (7 digits)."""

    def test_plain(self) -> None:
        r = xmr(DAYS, RNORM_123)
        assert r.mean[0] == pytest.approx(0.1416238, abs=1e-7)
        assert r.lpl[0] == pytest.approx(-3.01138, abs=1e-5)
        assert r.upl[0] == pytest.approx(3.294627, abs=1e-6)
        assert r.point_type.tolist() == ["common_cause"] * 20
        assert r.variation_icon == "common_cause"
        assert r.warnings == ()

    def test_outlier_screened(self) -> None:
        y = list(RNORM_123)
        y[14] = 10
        r = xmr(DAYS, y)
        assert r.mean[0] == pytest.approx(0.6694159, abs=1e-7)
        assert r.lpl[0] == pytest.approx(-2.383666, abs=1e-6)
        assert r.upl[0] == pytest.approx(3.722497, abs=1e-6)
        assert r.special_cause_rule[14] == "astronomical"
        assert r.point_type[14] == "special_cause_improvement"

    def test_outlier_not_screened(self) -> None:
        y = list(RNORM_123)
        y[14] = 10
        r = xmr(DAYS, y, screen_outliers=False)
        assert r.lpl[0] == pytest.approx(-4.596625, abs=1e-6)
        assert r.upl[0] == pytest.approx(5.935457, abs=1e-6)

    def test_two_close_points_on_opposite_sides_are_common_cause(self) -> None:
        y = [1.0, -1.0] * 8
        y[14], y[15] = 5.5, -5.5
        r = xmr(np.arange(16), y)
        assert r.point_type[-2:].tolist() == ["common_cause", "common_cause"]


class TestLimits:
    def test_mean_and_moving_range(self) -> None:
        y = np.array([3.0, 5, 4, 6, 5, 7, 6, 5, 4, 6, 5, 4, 5])
        r = xmr(np.arange(13), y)
        amr = np.mean(np.abs(np.diff(y)))
        assert r.mean[0] == pytest.approx(y.mean(), rel=1e-15)
        assert r.upl[0] == pytest.approx(y.mean() + MR_LIMIT_FACTOR * amr, rel=1e-15)
        assert r.lpl[0] == pytest.approx(y.mean() - MR_LIMIT_FACTOR * amr, rel=1e-15)

    def test_moving_ranges_never_bridge_a_gap(self) -> None:
        y = [1.0, 2.0, np.nan, 10.0, 11.0]
        r = xmr(range(5), y)
        # ranges: |2-1| and |11-10|; none across the missing value
        assert r.upl[0] == pytest.approx(6.0 + 2.66 * 1.0)
        assert np.isnan(r.mean[2]) and np.isnan(r.upl[2]) and np.isnan(r.lpl[2])
        assert r.point_type[2] == "common_cause" and r.special_cause_rule[2] == ""

    def test_screening_uses_strictly_below(self) -> None:
        # ranges 1,1,1,1,x: choose x so that x == 3.267 * mean(ranges) is impossible
        # to hit exactly; check the rule through its effect instead
        y = [0.0, 1, 0, 1, 0, 20]
        screened = xmr(range(6), y)
        raw = xmr(range(6), y, screen_outliers=False)
        assert screened.upl[0] == pytest.approx(np.mean(y) + 2.66 * 1.0)
        assert raw.upl[0] == pytest.approx(np.mean(y) + 2.66 * 24 / 5)

    def test_flat_series_has_limits_at_its_mean(self) -> None:
        r = xmr(range(15), [4.0] * 15)
        assert r.lpl.tolist() == [4.0] * 15 == r.upl.tolist()
        assert set(r.point_type.tolist()) == {"common_cause"}

    def test_single_point_has_no_limits(self) -> None:
        r = xmr([1], [3.0])
        assert r.mean.tolist() == [3.0]
        assert np.isnan(r.lpl[0]) and np.isnan(r.upl[0])
        assert r.variation_icon == "common_cause"

    def test_fix_after_n_points(self) -> None:
        rng = np.random.default_rng(5)
        y = rng.normal(10, 1, 30)
        fixed = xmr(range(30), y, fix_after_n_points=12)
        first12 = xmr(range(12), y[:12])
        assert fixed.mean[0] == first12.mean[0]
        assert fixed.upl[-1] == first12.upl[0]
        assert fixed.warnings == ()

    def test_fix_counts_missing_rows(self) -> None:
        y = np.arange(20, dtype=float)
        y[3] = np.nan
        r = xmr(range(20), y, fix_after_n_points=12)
        assert r.mean[0] == pytest.approx(np.nanmean(y[:12]))

    @pytest.mark.parametrize("bad", [11, 5, 12.5])
    def test_fix_needs_twelve(self, bad: float) -> None:
        with pytest.raises(SpcInputError, match="fix_after_n_points"):
            xmr(range(20), np.arange(20.0), fix_after_n_points=bad)  # type: ignore[arg-type]

    def test_rebase_starts_a_new_period(self) -> None:
        y = np.r_[np.full(15, 10.0) + np.tile([0, 1], 8)[:15], np.full(15, 20.0)]
        r = xmr(range(30), y, rebase=[15])
        assert r.mean[0] == pytest.approx(y[:15].mean())
        assert r.mean[20] == 20.0
        assert r.special_cause_rule[15:].tolist() == ["shift"] * 0 + [""] * 15

    def test_rebase_matching_no_point_is_ignored_with_a_warning(self) -> None:
        r = xmr(range(20), np.arange(20.0) % 3, rebase=[99])
        plain = xmr(range(20), np.arange(20.0) % 3)
        assert r.mean.tolist() == plain.mean.tolist()
        assert any("rebase" in w for w in r.warnings)

    def test_dates_and_order(self) -> None:
        x = np.array(["2021-03-01", "2021-01-01", "2021-02-01"])
        r = xmr(x, [3.0, 1.0, 2.0])
        assert r.x.tolist() == sorted(np.array(x, "datetime64[D]").tolist())
        assert r.y.tolist() == [1.0, 2.0, 3.0]

    def test_duplicate_x_rejected(self) -> None:
        with pytest.raises(SpcInputError, match="duplicate"):
            xmr([1, 2, 2], [1.0, 2.0, 3.0])

    def test_unknown_direction_rejected(self) -> None:
        with pytest.raises(SpcInputError, match="improvement_direction"):
            xmr([1, 2], [1.0, 2.0], improvement_direction="up")


class TestClassification:
    def test_trend_does_not_cross_a_rebase(self) -> None:
        y = np.r_[np.tile([5.0, 6.0], 6), np.arange(10.0, 20.0)]
        x = np.arange(y.size)
        assert "trend" in xmr(x, y).special_cause_rule.tolist()
        rb = xmr(x, y, rebase=[14])  # leaves 6 rising points before the rebase
        assert "trend" not in rb.special_cause_rule[:14].tolist()

    def test_precedence_astronomical_over_trend(self) -> None:
        y = [0.0, 10] * 5 + [1, 2, 3, 4, 5, 6, 100]
        r = xmr(range(len(y)), y)
        assert r.special_cause_rule[-1] == "astronomical"
        assert r.special_cause_rule[-7:-1].tolist() == ["trend"] * 6

    def test_precedence_trend_over_shift(self) -> None:
        y = [1.0, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 3, 3.1, 3.2, 3.3, 3.4, 3.5, 3.6]
        r = xmr(range(len(y)), y)
        rules = r.special_cause_rule.tolist()
        assert rules[-7:] == ["trend"] * 7

    def test_shift_with_points_on_the_mean(self) -> None:
        # mean is exactly 0: seven points above, one on the mean, seven below, one on it
        y = [3.0, 1, 3, 1, 3, 1, 3, 0, -3, -1, -3, -1, -3, -1, -3, 0]
        r = xmr(range(len(y)), y)
        assert r.special_cause_rule.tolist() == ["shift"] * 7 + [""] + ["shift"] * 7 + [""]
        assert r.point_type[0] == "special_cause_improvement"
        assert r.point_type[8] == "special_cause_concern"

    def test_point_on_mean_breaks_shift(self) -> None:
        y = [3.0, 1, 3, 1, 0, 3, 1, 3, -3, -1, -3, -1, -3, -1, -3, 0, 0]
        r = xmr(range(len(y)), y)
        assert r.mean[0] == 0.0
        assert r.special_cause_rule[:8].tolist() == [""] * 8
        assert r.special_cause_rule[8:15].tolist() == ["shift"] * 7

    @pytest.mark.parametrize(
        ("direction", "expected"),
        [
            ("increase", ("special_cause_improvement", "special_cause_concern")),
            ("decrease", ("special_cause_concern", "special_cause_improvement")),
            ("neutral", ("special_cause_neutral_high", "special_cause_neutral_low")),
        ],
    )
    def test_direction(self, direction: str, expected: tuple[str, str]) -> None:
        y = [1.0] * 7 + [-1.0] * 7
        r = xmr(range(14), y, improvement_direction=direction)
        assert (r.point_type[0], r.point_type[-1]) == expected

    def test_missing_value_inside_a_trend_breaks_it(self) -> None:
        y = [0.0, 10] * 4 + [1, 2, 3, np.nan, 4, 5, 6, 7] + [0, 10]
        r = xmr(range(len(y)), y)
        assert "trend" not in r.special_cause_rule.tolist()
        y[11] = 3.5
        assert xmr(range(len(y)), y).special_cause_rule[8:16].tolist() == ["trend"] * 8


class TestWarnings:
    def test_short_group_warns_below_thirteen(self) -> None:
        assert xmr(range(12), np.arange(12.0) % 2).warnings == (SHORT_PERIOD_WARNING,)
        assert xmr(range(13), np.arange(13.0) % 2).warnings == ()

    def test_short_rebased_period_warns(self) -> None:
        r = xmr(range(30), np.arange(30.0) % 2, rebase=[20])
        assert r.warnings == (SHORT_PERIOD_WARNING,)
