"""Each compiled kernel (servsim.kernels) against the numpy code it replaced, and the
compiled engine against the numpy engine over the mechanisms (tests/numpy_engine.py).

Comparisons are exact (bit
for bit, NaN equal to NaN): the kernels promise identical results, random
numbers included (the Generator's state afterwards is compared too).
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from tests.numpy_engine import NumpyMarket
from servsim.kernels.random import bitgen_address, next_double, next_float
from servsim.kernels import jit, row_sum, service
from servsim.mechanisms._common import first_k_per_group, stochastic_round
from servsim.model import ServiceMarket
from servsim.state import is_active

CASES = {
    "one firm": {"sim": {"n_customers": 3000, "seed": 3}},
    "three firms, high turnover": {
        "sim": {"n_customers": 4000, "seed": 5},
        "market": {"focal_initial_share": 0.1, "competitors": {
            "low": {"name": "low", "initial_share": 0.1,
                    "strategy": {"service_level": 0.45, "price": 0.85, "staff_per_1000": 2.0}},
            "prem": {"name": "prem", "initial_share": 0.1,
                     "strategy": {"service_level": 0.85, "price": 1.3, "staff_per_1000": 4.0},
                     "org": {"frontline_authority": 0.8, "approval_levels": 1}}}},
        "behaviour": {"quit_base": 0.05, "hiring_lag_days": 2},
    },
}


def same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and bool(
        np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))


def model_after(case, days):
    m = ServiceMarket(CASES[case])
    m.run(days)
    return m


@jit
def _draws(address, n64, n32, order):
    out = np.empty(n64 + n32)
    j = 0
    for first in (order, not order):
        for _ in range(n64 if first else n32):
            out[j] = next_double(address) if first else next_float(address)
            j += 1
    return out


@pytest.mark.parametrize("n64,n32", [(0, 1), (1, 3), (7, 0), (5, 1001), (1000, 9)])
def test_bitgen_draws_are_numpys(n64, n32):
    """next_double / next_float give Generator.random's numbers and leave it in the
    same state, with float32's half-word buffer shared across calls."""
    a, b = np.random.default_rng(11), np.random.default_rng(11)
    a.random(3, dtype=np.float32)  # leave a buffered half word
    b.random(3, dtype=np.float32)
    want = np.concatenate([a.random(n64), a.random(n32, dtype=np.float32)])
    got = _draws(bitgen_address(b), n64, n32, True)
    assert same(got, want)
    assert a.random(5).tolist() == b.random(5).tolist()


@pytest.mark.parametrize("case", list(CASES))
def test_census_equals_numpy(case):
    """Counts as numpy's bincount of the cell key; sums as the running float64 sums."""
    m = model_after(case, 40)
    # put customers exactly on the class thresholds (float32 rounding of 0.7 and 0.45)
    m.c.satisfaction[:20] = np.float32(0.7)
    m.c.satisfaction[20:40] = np.float32(0.45)
    m._census = None
    counts = m._customer_census()
    numpy_view = SimpleNamespace(c=m.c, n_firms=m.n_firms, seg=m.seg, _census=None)
    assert same(counts, NumpyMarket._customer_census(numpy_view))
    c = m.c
    for k in range(m.n_firms):
        who = np.flatnonzero((c.firm == k) & is_active(c.stage))
        for row, column in enumerate((c.satisfaction, c.expectation)):
            want = np.cumsum(column[who], dtype=np.float64)[-1] if who.size else 0.0
            assert m._census_sums[row, k] == want
    assert counts[1:, :, :, :, 1].sum() > 0 and counts[1:, :, :, :, 2].sum() > 0



@pytest.mark.parametrize("seed", range(5))
def test_first_k_per_group_and_stochastic_round_equal_the_mechanisms(seed):
    """The kernels' selection of the longest-waiting (ties by uniform) and rounding."""
    g = np.random.default_rng(seed)
    n, groups = int(g.integers(0, 400)), int(g.integers(1, 6))
    group = g.integers(0, groups, n)
    priority = g.integers(0, 4, n).astype(np.int32)  # many ties
    u = g.random(n)
    u[: n // 3] = u[0] if n else 0.0  # ties in u too: broken by position
    x = g.random(groups) * 5
    ur = g.random(groups)
    assert same(service.stochastic_round(x, ur), stochastic_round(x, ur))
    slots = stochastic_round(x, ur)
    assert same(service.first_k_per_group(group, priority, slots, u),
                first_k_per_group(group, priority, slots, u))


@pytest.mark.parametrize("n", [1, 3, 7, 8, 9, 15, 16, 17, 100, 128, 129, 300, 1001])
def test_row_sum_adds_as_numpy(n):
    """numpy sums pairwise (blocks of 128, 8 accumulators): row_sum gives its bits."""
    g = np.random.default_rng(n)
    a = g.random(n) * 10.0 ** g.uniform(-6, 6, n)  # magnitudes where the order matters
    b = g.random((3, n))
    assert row_sum(a) == a.sum()
    assert [row_sum(r) for r in b] == b.sum(axis=1).tolist()


ENGINE_CASES = [
    ["market=company_a"],
    ["market=company_a", "behaviour.quit_base=0.05", "behaviour.hiring_lag_days=2"],
    ["market=telecom", "org=inverted", "stage=productized"],
    ["market=hotels", "strategy=premium", "+recovery=fast"],
    ["market=company_a", "strategy=lowcost", "+recovery=ignore", "+heterogeneity=polarized"],
    ["market=single_firm", "market.network.kind=complete"],
    ["market=single_firm", "market.network.kind=scale_free", "org=pyramid"],
]


@pytest.fixture(scope="module")
def composer():
    from servsim.replicate import Composer

    with Composer() as c:
        yield c


@pytest.mark.parametrize("overrides", ENGINE_CASES, ids=lambda o: " ".join(o))
def test_compiled_engine_equals_the_numpy_engine(composer, overrides):
    """The compiled day against the numpy phases over the mechanisms' functions
    (tests/numpy_engine.py): step tables, closed complaints and every customer,
    staff and manager column, bit for bit, after 80 days."""
    params = composer.params([*overrides, "sim.n_customers=1500", "sim.days=80", "seed=7"])
    compiled, numpy_engine = ServiceMarket(params), NumpyMarket(params)
    compiled.run()
    numpy_engine.run()
    pd.testing.assert_frame_equal(compiled.step_table(), numpy_engine.step_table())
    pd.testing.assert_frame_equal(compiled.recovery_table(), numpy_engine.recovery_table())
    for table in ("c", "s", "m", "requests", "complaints"):
        a, b = getattr(compiled, table), getattr(numpy_engine, table)
        for field in dataclasses.fields(a):
            assert same(getattr(a, field.name), getattr(b, field.name)), (table, field.name)
    assert compiled.rng.random() == numpy_engine.rng.random()
    steps = compiled.step_table()
    assert steps["encounters"].sum() > 0 and steps["churn"].sum() > 0
