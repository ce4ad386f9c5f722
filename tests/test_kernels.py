"""The compiled kernels' own machinery (servsim.kernels): random draws, the census, the
queues and sums, against the numpy code they replaced, bit for bit (NaN equal to NaN);
and the whole compiled day over the markets of ENGINE_CASES.

The formulas are the mechanisms' own functions (tests/test_mechanisms.py); the
engine's results are pinned by benchmarks/fingerprint.py and checked against the
independent one-object-per-agent implementation by tests/test_reference_agreement.py.
(The numpy engine of before the kernels, tests/numpy_engine.py, was retired once
the kernels called the mechanisms' functions: it held a second copy of every
formula.)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from servsim.kernels import jit, row_sum, service
from servsim.kernels.random import bitgen_address, next_double, next_float
from servsim.mechanisms._common import stochastic_round
from servsim.model import DETRACTOR, PROMOTER, ServiceMarket
from servsim.results import STAGES
from servsim.state import is_active

CASES = {
    "one firm": {"sim": {"n_customers": 3000, "seed": 3}},
    "three firms, high turnover": {
        "sim": {"n_customers": 4000, "seed": 5},
        "market": {"focal_initial_share": 0.1, "competitors": {
            "low": {"name": "low", "initial_share": 0.1,
                    "strategy": {"service_level": 0.45, "price": 0.85, "service_level_target": 0.5}},
            "prem": {"name": "prem", "initial_share": 0.1,
                     "strategy": {"service_level": 0.85, "price": 1.3, "service_level_target": 0.9},
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
    # put customers exactly on the class thresholds (float32 rounding of 0.7 and 0.45), some
    # of them customers of a firm, and a few of a firm just below the detractor threshold
    m.customers.satisfaction[:20] = np.float32(0.7)
    m.customers.satisfaction[20:40] = np.float32(0.45)
    # some active customers in each class, whatever the day's satisfaction
    active = np.flatnonzero(is_active(m.customers.stage))
    m.customers.satisfaction[active[-10:]] = np.float32(0.9)
    m.customers.satisfaction[active[-20:-10]] = np.float32(0.2)
    with_firm = np.flatnonzero(m.customers.firm >= 0)
    m.customers.satisfaction[with_firm[:5]] = np.float32(0.7)
    m.customers.satisfaction[with_firm[5:10]] = np.float32(0.45)
    m.customers.satisfaction[with_firm[10:15]] = np.nextafter(np.float32(0.45), np.float32(0))
    m._census = None
    counts = m._customer_census()
    c, n_seg = m.customers, len(m.segments.share)
    shape = (m.n_firms + 1, 6, n_seg, 2, 3)
    key = (c.firm.astype(np.int64) + 1) * 6 + c.stage
    key = (key * n_seg + c.segment) * 2 + c.contract
    key = key * 3 + (c.satisfaction >= PROMOTER) + 2 * (c.satisfaction < DETRACTOR)
    assert same(counts, np.bincount(key, minlength=math.prod(shape)).reshape(shape))
    for k in range(m.n_firms):
        who = np.flatnonzero((c.firm == k) & is_active(c.stage))
        for row, column in enumerate((c.satisfaction, c.expectation)):
            want = np.cumsum(column[who], dtype=np.float64)[-1] if who.size else 0.0
            assert m._census_sums[row, k] == want
    assert counts[1:, :, :, :, 1].sum() > 0 and counts[1:, :, :, :, 2].sum() > 0



def first_k_per_group_numpy(group, priority, slots, u):
    """The numpy selection the kernel replaced: lexsort by (group, -priority, u)."""
    if group.size == 0:
        return np.zeros(0, dtype=bool)
    order = np.lexsort((u, -np.asarray(priority, dtype=np.float64), group))
    g_sorted = group[order]
    first = np.searchsorted(g_sorted, np.arange(len(slots)))
    rank = np.arange(order.size) - first[g_sorted]
    chosen = np.empty(order.size, dtype=bool)
    chosen[order] = rank < slots[g_sorted]
    return chosen


@pytest.mark.parametrize("seed", range(5))
def test_first_k_per_group_and_stochastic_round_equal_numpy(seed):
    """The kernels' selection of the longest-waiting (ties by uniform) and rounding."""
    g = np.random.default_rng(seed)
    n, groups = int(g.integers(0, 400)), int(g.integers(1, 6))
    group = g.integers(0, groups, n)
    priority = g.integers(0, 4, n).astype(np.int32)  # many ties
    u = g.random(n)
    u[: n // 3] = u[0] if n else 0.0  # ties in u too: broken by position
    x = g.random(groups) * 5
    ur = g.random(groups)
    slots = service.stochastic_round(x, ur)
    assert same(slots, (np.floor(x) + (ur < x - np.floor(x))).astype(np.int64))
    assert same(slots, stochastic_round.array(x, ur))
    assert same(service.first_k_per_group(group, priority, slots, u),
                first_k_per_group_numpy(group, priority, slots, u))


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
def test_compiled_day_keeps_its_books(composer, overrides):
    """Every kernel runs (tests/test_kernels_boundscheck.py runs this with index checks):
    80 days of each market, customers conserved, complaints only from failures, closed
    complaints consistent, and the same seed gives the same table twice."""
    params = composer.params([*overrides, "sim.n_customers=1500", "sim.days=80", "seed=7"])
    model = ServiceMarket(params)
    model.run()
    steps = model.step_table()
    again = ServiceMarket(params)
    again.run()
    pd.testing.assert_frame_equal(steps, again.step_table())
    by_day = steps.groupby("day")
    stage_total = by_day[[f"customers_{s}" for s in STAGES[1:]]].sum().sum(axis=1)
    assert (stage_total + by_day["prospects"].first() == 1500).all()
    assert (steps["complaints"] <= steps["failures"]).all()
    assert (steps["recoveries_on_spot"] <= steps["recoveries"]).all()
    assert steps["encounters"].sum() > 0 and steps["churn"].sum() > 0
    rec = model.recovery_table()
    assert len(rec) == steps["recoveries"].sum() + steps["complaints_abandoned"].sum()
    assert ((rec["recovery_quality"] >= 0) & (rec["recovery_quality"] <= 1)).all()
    assert ((rec["sat_after"] >= 0) & (rec["sat_after"] <= 1)).all()


def test_kernel_records_keep_every_type_and_follow_levers_changed_in_place():
    """The kernels' named inputs (servsim.kernel_args): every numeric behaviour parameter
    is a field of the behaviour record with the type it had as an argument (float64,
    int64), the firm and segment records keep their columns' dtypes (float32 rates
    float32), a firm lever changed in place reaches the records, and every model
    shares one dtype object per layout (a new, equal one would slow numba's dispatch).
    """
    import dataclasses

    from servsim.kernel_args import MARKET_FIELDS

    model = ServiceMarket(CASES["three firms, high turnover"])
    b, k = model.behaviour, model._constants.behaviour
    assert k.shape == (1,)
    for f in dataclasses.fields(b):
        if f.type in ("float", "int"):
            value = getattr(b, f.name)
            assert k.dtype[f.name] == (np.float64 if f.type == "float" else np.int64), f.name
            assert k[0][f.name] == value and type(k[0][f.name].item()) is type(value)
        else:
            assert f.name not in k.dtype.names
    for name in MARKET_FIELDS:
        assert k[0][name] == getattr(model.params.market, name)
    firms, segments = model.firms, model.segments
    assert firms.records.shape == (firms.n,)
    for name in firms.records.dtype.names:
        column = getattr(firms, name)
        assert column.dtype == firms.records.dtype[name]
        assert np.shares_memory(column, firms.records)
    assert firms.records.dtype["approval_levels"] == np.int32
    for name in ("need_rate32", "purchase_rate32"):
        assert segments.records.dtype[name] == np.float32
        assert np.array_equal(segments.records[name],
                              getattr(segments, name[:-2]).astype(np.float32))
    assert segments.records.dtype["patience_days"] == np.int32
    firms.price[1] = 0.5
    assert firms.records[1]["price"] == 0.5
    other = ServiceMarket(CASES["one firm"])
    assert other._constants.behaviour.dtype is k.dtype
    assert other.segments.records.dtype is segments.records.dtype
    assert other.firms.records.dtype is firms.records.dtype
