"""p, p′, u, u′, c and g charts (sharedpurpose.spc.attribute), hand-checked."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedpurpose.spc.attribute import (
    c_chart,
    chart_batch,
    g_chart,
    laney_sigma_z,
    p_chart,
    u_chart,
)
from sharedpurpose.spc.grouping import SeriesOptions
from sharedpurpose.spc.runs import run_chart

Y = [12, 15, 9, 18, 11, 14, 30, 10, 13, 12, 16, 11]
N = [100, 110, 95, 120, 100, 105, 100, 98, 102, 99, 115, 101]


def test_p_chart_formulas() -> None:
    r = p_chart(Y, N)
    centre = sum(Y) / sum(N)
    sd = np.sqrt(centre * (1 - centre) / np.array(N, float))
    assert r.chart == "p"
    np.testing.assert_allclose(r.value, np.array(Y) / np.array(N), rtol=1e-12)
    np.testing.assert_allclose(r.centre, centre, rtol=1e-12)
    np.testing.assert_allclose(r.mean, centre, rtol=1e-12)
    np.testing.assert_allclose(r.upl, centre + 3 * sd, rtol=1e-12)
    np.testing.assert_allclose(r.lpl, np.maximum(centre - 3 * sd, 0), rtol=1e-12)
    # 30/100 is far above the upper limit
    assert r.special_cause_rule[6] == "astronomical"
    assert r.point_type[6] == "special_cause_improvement"
    assert (r.special_cause_rule == "astronomical").sum() == 1


def test_p_chart_limits_are_clamped_to_unit_interval() -> None:
    r = p_chart([1, 0, 1, 5], [2, 3, 2, 5])
    assert np.all(r.lpl == 0.0)
    assert r.upl.max() == 1.0
    # a point at exactly 1 equals the clamped limit: not outside it
    assert r.special_cause_rule[3] == ""


def test_laney_p_prime_formulas() -> None:
    r = p_chart(Y, N, laney=True, screen_moving_ranges=False)
    centre = sum(Y) / sum(N)
    nn = np.array(N, float)
    p = np.array(Y) / nn
    sd = np.sqrt(centre * (1 - centre) / nn)
    sigma_z = np.mean(np.abs(np.diff((p - centre) / sd))) / 1.128
    assert r.chart == "pp"
    np.testing.assert_allclose(r.upl, centre + 3 * sd * sigma_z, rtol=1e-12)
    np.testing.assert_allclose(r.lpl, np.maximum(centre - 3 * sd * sigma_z, 0), rtol=1e-12)


def test_laney_screening_drops_large_moving_ranges() -> None:
    z_values = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 20.0])
    base = np.ones(z_values.size, bool)
    sigma = np.ones(z_values.size)
    unscreened = laney_sigma_z(z_values, 0.0, sigma, base, screen_moving_ranges=False)
    screened = laney_sigma_z(z_values, 0.0, sigma, base)
    assert unscreened == pytest.approx((8 + 20) / 9 / 1.128)
    # mean MR 28/9 = 3.11; 20 >= 3.267 * 3.11 is dropped, the 1s stay
    assert screened == pytest.approx(1 / 1.128)


def test_u_chart_and_u_prime() -> None:
    r = u_chart(Y, N)
    centre = sum(Y) / sum(N)
    nn = np.array(N, float)
    np.testing.assert_allclose(r.upl, centre + 3 * np.sqrt(centre / nn), rtol=1e-12)
    np.testing.assert_allclose(r.lpl, np.maximum(centre - 3 * np.sqrt(centre / nn), 0))
    up = u_chart(Y, N, laney=True)
    assert up.chart == "up"
    assert up.upl[0] != r.upl[0]
    # u values may exceed 1: no upper clamp
    big = u_chart([50, 60, 55], [10, 10, 10])
    assert big.upl[0] > 1


def test_c_chart_formulas() -> None:
    y = [4, 9, 5, 6, 0, 30]
    r = c_chart(y, fix_after_n_points=5)
    centre = np.mean(y[:5])
    assert np.all(r.centre == centre)
    assert r.upl[0] == pytest.approx(centre + 3 * math.sqrt(centre))
    assert r.lpl[0] == 0.0
    assert r.special_cause_rule[-1] == "astronomical"


def test_g_chart_median_centre_limits_from_mean() -> None:
    y = [10.0, 30.0, 20.0, 60.0, 400.0]
    r = g_chart(y, fix_after_n_points=4)
    assert r.centre[0] == 25.0
    assert r.mean[0] == 30.0
    assert r.lpl[0] == 0.0
    assert r.upl[0] == pytest.approx(30 + 3 * math.sqrt(30 * 31))
    assert r.special_cause_rule.tolist() == [""] * 4 + ["astronomical"]
    assert r.point_type[-1] == "special_cause_improvement"
    assert r.variation_icon == "improvement_high"


def test_missing_points_have_no_value_or_ratio_limits() -> None:
    y = [12, np.nan, 9, 18]
    n = [100, 110, np.nan, 120]
    r = p_chart(y, n)
    assert np.isnan(r.value[1]) and np.isnan(r.value[2])
    assert np.isnan(r.upl[1]) and np.isnan(r.upl[2])
    assert r.centre[0] == pytest.approx(30 / 220)
    c = c_chart([3, np.nan, 5])
    assert c.centre[0] == 4.0
    assert np.isnan(c.value[1]) and c.upl[1] == c.upl[0]


def test_rebase_gives_each_period_its_own_centre() -> None:
    x = np.arange(1, 13)
    r = c_chart([5, 6, 5, 6, 5, 6, 20, 21, 20, 21, 20, 21], x, rebase=[7])
    assert r.centre[0] == 5.5 and r.centre[-1] == 20.5
    assert set(r.special_cause_rule.tolist()) == {""}


def test_assurance_uses_last_points_limits() -> None:
    y = [90, 92, 91, 93, 90, 94]
    n = [100] * 6
    assert p_chart(y, n, target=0.5).assurance_icon == "consistent_pass"
    assert p_chart(y, n, target=0.5, improvement_direction="decrease").assurance_icon == (
        "consistent_fail"
    )
    assert p_chart(y, n, target=0.91).assurance_icon == "inconsistent"
    assert p_chart(y, n, target=0.91, improvement_direction="neutral").assurance_icon is None
    assert p_chart(y, n).assurance_icon is None


def test_concern_low_icon() -> None:
    r = c_chart([20, 21, 19, 20, 22, 21, 20, 19, 21, 20, 0], fix_after_n_points=10)
    assert r.special_cause_rule[-1] == "astronomical"
    assert r.variation_icon == "concern_low"


def test_denominators_required() -> None:
    with pytest.raises(ValueError):
        chart_batch("p", ["a"], [1], [1])
    with pytest.raises(ValueError):
        chart_batch("xbar", ["a"], [1], [1])


def test_batch_with_options() -> None:
    series = ["b"] * 6 + ["a"] * 6
    x = list(range(6)) * 2
    y = [5, 6, 5, 6, 20, 21, 1, 2, 3, 4, 5, 6]
    opts = SeriesOptions(
        series=["b"],
        target=[3.0],
        improvement_direction=["decrease"],
        rebase_series=["b"],
        rebase_x=[4],
    )
    b = chart_batch("c", series, x, y, options=opts)
    assert b.series_ids.tolist() == ["a", "b"]
    rb = b["b"]
    assert rb.centre.tolist() == [5.5] * 4 + [20.5] * 2
    one = c_chart(y[:6], x[:6], rebase=[4], improvement_direction="decrease", target=3.0)
    np.testing.assert_array_equal(rb.upl, one.upl)
    assert b.assurance_icon.tolist()[1] == (one.assurance_icon or "")


@st.composite
def _p_series(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    size = draw(st.integers(2, 30))
    n = draw(st.lists(st.integers(1, 500), min_size=size, max_size=size))
    y = [draw(st.integers(0, k)) for k in n]
    return y, n


@given(_p_series(), st.booleans())
@settings(max_examples=60, deadline=None)
def test_p_limits_within_unit_interval(data: tuple[list[int], list[int]], laney: bool) -> None:
    y, n = data
    r = p_chart(y, n, laney=laney)
    for lim in (r.lpl, r.upl):
        ok = lim[np.isfinite(lim)]
        assert np.all((ok >= 0) & (ok <= 1))
    assert np.all(r.lpl[np.isfinite(r.lpl)] <= r.upl[np.isfinite(r.lpl)])


@given(
    st.lists(
        st.tuples(st.sampled_from(["x", "y", "z"]), st.integers(0, 50), st.integers(1, 50)),
        min_size=1,
        max_size=60,
        unique_by=lambda t: (t[0], t[1]),
    ),
    st.sampled_from(["run", "p", "pp", "u", "up", "c", "g"]),
)
@settings(max_examples=50, deadline=None)
def test_batch_equals_one_by_one(rows: list[tuple[str, int, int]], chart: str) -> None:
    series = [r[0] for r in rows]
    x = [r[1] for r in rows]
    y = [r[2] // 2 for r in rows]
    n = [r[2] for r in rows]
    b = chart_batch(chart, series, x, y, n if chart in ("p", "pp", "u", "up") else None)
    for i, sid in enumerate(b.series_ids.tolist()):
        pick = [j for j, s in enumerate(series) if s == sid]
        xs = [x[j] for j in pick]
        ys = [y[j] for j in pick]
        ns = [n[j] for j in pick]
        if chart == "run":
            one = run_chart(ys, xs)
        elif chart in ("p", "pp"):
            one = p_chart(ys, ns, xs, laney=chart == "pp")
        elif chart in ("u", "up"):
            one = u_chart(ys, ns, xs, laney=chart == "up")
        elif chart == "c":
            one = c_chart(ys, xs)
        else:
            one = g_chart(ys, xs)
        got = b.series_result(i)
        for name in ("value", "centre", "mean", "lpl", "upl"):
            np.testing.assert_array_equal(getattr(got, name), getattr(one, name))
        assert got.point_type.tolist() == one.point_type.tolist()
        assert got.variation_icon == one.variation_icon
        assert got.runs_signal == one.runs_signal
        assert got.longest_run == (one.longest_run if one.longest_run is not None else -1)
