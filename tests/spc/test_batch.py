"""The batch API: equal to one-by-one charts, and invariant under the transformations users make."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharedpurpose.spc import BatchResult, SeriesOptions, SpcInputError, xmr, xmr_batch

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# small integers and halves make ties, points on the mean and flat runs common
values = st.one_of(
    st.integers(-6, 6).map(float),
    st.integers(-12, 12).map(lambda v: v / 2),
    st.just(math.nan),
)


@st.composite
def series_data(draw: st.DrawFn) -> dict[str, object]:
    n = draw(st.integers(1, 40))
    y = draw(st.lists(values, min_size=n, max_size=n))
    x = draw(st.permutations(list(range(n))))
    rebase = tuple(draw(st.lists(st.integers(0, n - 1), max_size=3, unique=True)))
    return {
        "x": x,
        "y": y,
        "direction": draw(st.sampled_from(["increase", "decrease", "neutral"])),
        "fix": draw(st.one_of(st.none(), st.integers(12, 30))),
        "screen": draw(st.booleans()),
        "rebase": rebase,
        "target": draw(st.one_of(st.none(), st.integers(-8, 8).map(float))),
    }


@st.composite
def batches(draw: st.DrawFn) -> tuple[list[str], list[int], list[float], list[str]]:
    k = draw(st.integers(1, 6))
    sid: list[str] = []
    xs: list[int] = []
    ys: list[float] = []
    for i in range(k):
        n = draw(st.integers(1, 25))
        sid += [f"s{i}"] * n
        xs += list(range(n))
        ys += draw(st.lists(values, min_size=n, max_size=n))
    dirs = draw(
        st.lists(st.sampled_from(["increase", "decrease", "neutral"]), min_size=k, max_size=k)
    )
    return sid, xs, ys, dirs


def _assert_same(a: BatchResult, b: BatchResult) -> None:
    assert a.series_ids.tolist() == b.series_ids.tolist()
    assert a.offsets.tolist() == b.offsets.tolist()
    for col in ("y", "mean", "lpl", "upl"):
        np.testing.assert_array_equal(getattr(a, col), getattr(b, col))
    for col in ("special_cause_rule", "point_type", "variation_icon", "assurance_icon"):
        assert getattr(a, col).tolist() == getattr(b, col).tolist()
    assert a.warnings == b.warnings


@SETTINGS
@given(batches(), st.randoms(use_true_random=False))
def test_point_and_series_order_change_nothing(b: tuple, rnd: object) -> None:  # type: ignore[type-arg]
    sid, xs, ys, dirs = b
    opts = SeriesOptions(
        series=[f"s{i}" for i in range(len(dirs))],
        improvement_direction=dirs,
        target=[0.0] * len(dirs),
    )
    ref = xmr_batch(sid, xs, ys, options=opts)
    perm = list(range(len(sid)))
    rnd.shuffle(perm)  # type: ignore[attr-defined]
    shuffled = xmr_batch(
        [sid[i] for i in perm], [xs[i] for i in perm], [ys[i] for i in perm], options=opts
    )
    _assert_same(ref, shuffled)


@SETTINGS
@given(batches())
def test_batch_equals_one_by_one(b: tuple) -> None:  # type: ignore[type-arg]
    sid, xs, ys, dirs = b
    ids = [f"s{i}" for i in range(len(dirs))]
    res = xmr_batch(
        sid,
        xs,
        ys,
        options=SeriesOptions(series=ids, improvement_direction=dirs, target=[1.0] * len(ids)),
    )
    sid_a = np.array(sid)
    for i, s in enumerate(ids):
        m = sid_a == s
        one = xmr(np.array(xs)[m], np.array(ys)[m], improvement_direction=dirs[i], target=1.0)
        got = res[s]
        np.testing.assert_array_equal(got.upl, one.upl)
        np.testing.assert_array_equal(got.mean, one.mean)
        assert got.point_type.tolist() == one.point_type.tolist()
        assert got.special_cause_rule.tolist() == one.special_cause_rule.tolist()
        assert (got.variation_icon, got.assurance_icon) == (one.variation_icon, one.assurance_icon)
        assert got.warnings == one.warnings


finite = st.lists(
    st.floats(-1e3, 1e3, allow_nan=False).map(lambda v: round(v, 3)), min_size=2, max_size=40
)


@SETTINGS
@given(finite, st.floats(-1e3, 1e3).map(lambda v: round(v, 2)))
def test_adding_a_constant_shifts_mean_and_limits(y: list[float], c: float) -> None:
    a = xmr(range(len(y)), y)
    b = xmr(range(len(y)), [v + c for v in y])
    scale = max(1.0, max(abs(v) for v in y) + abs(c))
    for col in ("mean", "lpl", "upl"):
        np.testing.assert_allclose(getattr(b, col), getattr(a, col) + c, rtol=0, atol=1e-9 * scale)


@SETTINGS
@given(finite, st.sampled_from([0.5, 2.0, 4.0, 10.0]))
def test_scaling_scales_mean_and_limits(y: list[float], k: float) -> None:
    a = xmr(range(len(y)), y)
    b = xmr(range(len(y)), [v * k for v in y])
    for col in ("mean", "lpl", "upl"):
        np.testing.assert_allclose(getattr(b, col), getattr(a, col) * k, rtol=1e-9, atol=1e-9)
    if k in (0.5, 2.0, 4.0):  # exact in binary: classification unchanged
        assert b.point_type.tolist() == a.point_type.tolist()


def test_columns_layout() -> None:
    r = xmr_batch(["b", "a", "b", "a"], [2, 1, 1, 2], [4.0, 1.0, 3.0, 2.0])
    assert r.series_ids.tolist() == ["a", "b"]
    assert r.series.tolist() == ["a", "a", "b", "b"]
    assert r.x.tolist() == [1.0, 2.0, 1.0, 2.0]
    assert r.y.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert len(r) == 2 and r.n_series == 2
    with pytest.raises(KeyError):
        r["zz"]


def test_per_series_options_and_rebase() -> None:
    sid = ["a"] * 20 + ["b"] * 20
    x = list(range(20)) * 2
    y = list(np.arange(20.0) % 4) * 2
    opts = SeriesOptions(
        series=["b"],
        improvement_direction=["decrease"],
        target=[99.0],
        fix_after_n_points=[12],
        screen_outliers=[False],
        rebase_series=["a"],
        rebase_x=[10],
    )
    r = xmr_batch(sid, x, y, options=opts)
    a, b = r["a"], r["b"]
    assert a.mean[0] == np.mean(y[:10]) and a.mean[15] == np.mean(y[10:20])
    assert b.mean[0] == np.mean(y[:12])
    assert a.assurance_icon is None and b.assurance_icon == "consistent_pass"


def test_options_for_unknown_series_rejected() -> None:
    with pytest.raises(SpcInputError, match="not in the data") as e:
        xmr_batch(["a", "a"], [1, 2], [1.0, 2.0], options=SeriesOptions(series=["a", "zz"]))
    assert e.value.index == 1


def test_global_rebase_applies_to_every_series() -> None:
    r = xmr_batch(["a"] * 4 + ["b"] * 4, [1, 2, 3, 4] * 2, [1.0, 2, 9, 10, 5, 6, 7, 8], rebase=[3])
    assert r.mean.tolist() == [1.5, 1.5, 9.5, 9.5, 5.5, 5.5, 7.5, 7.5]


def test_empty_batch() -> None:
    r = xmr_batch(np.array([], dtype=str), np.array([], float), np.array([], float))
    assert r.n_series == 0 and r.y.shape == (0,)
