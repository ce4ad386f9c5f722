"""Each mechanism function against a scalar reference written from its docstring.

The mechanisms' functions are compiled scalar formulas (the ones the engine's
kernels call); the tests call their array forms (``f.array``, a numba
vectorize of the same source) over a few hundred random cases plus
hand-picked edge cases (0, 1, thresholds).  Every reference below is a plain
Python function over scalars (``math`` only, looping over elements)
transcribed from the equation in the docstring of the function under test;
it never calls servsim.  Stochastic functions are checked statistically with
a stated tolerance.

Float32 contracts: where a formula returns float32 (satisfaction, morale,
skill, attitude, talk probability) its result is checked for dtype float32
and against the float64 reference within ``F32`` (a few float32 roundings).

Statistical tolerance: unless stated otherwise, an empirical frequency or mean
must lie within ``Z = 5`` standard errors of its expectation (the seeds are
fixed, so the tests are deterministic; 5 SE keeps them valid for other seeds).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from servsim.kernels.service import first_k_per_group
from servsim.kernels.service import stochastic_round as round_each
from servsim.mechanisms import (
    accounting,
    adoption,
    complaints,
    encounters,
    expectations,
    needs,
    quality,
    recovery,
    relationship,
    satisfaction,
    staff,
    word_of_mouth,
)
from servsim.mechanisms._common import logistic, logit, stochastic_round
from servsim.network import build_network, row_lookup
from servsim.state import ADVOCATE, LAPSED, LOYAL, NEW, PROSPECT, REPEAT

Z = 5.0  # standard errors allowed in statistical tests
N_CASES = 300
FAST = settings(max_examples=150, deadline=None, derandomize=True, database=None)
F32 = {"rtol": 1e-6, "atol": 1e-6}
"""Tolerance of a float32 result against its float64 reference."""


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def clip(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


def ref_logistic(x: float) -> float:
    """1 / (1 + e^-x), written to avoid overflow in math.exp."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def ref_logodds(p: float) -> float:
    return math.log(p / (1.0 - p))


def unit(g: np.random.Generator, n: int, edges=(0.0, 1.0, 0.5)) -> np.ndarray:
    """n values in [0, 1] whose first entries are the given edge values."""
    x = g.random(n)
    x[: len(edges)] = edges
    return x


# ---------------------------------------------------------------------------
# _common
# ---------------------------------------------------------------------------


def test_logistic_matches_scalar_reference():
    x = rng(1).normal(0.0, 10.0, N_CASES)
    x[:10] = [0.0, 1e-12, -1e-12, 20.0, -20.0, 700.0, -700.0, 800.0, -800.0, 36.0]
    with np.errstate(over="ignore"):
        got = logistic.array(x)
    want = [ref_logistic(v) for v in x]
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)
    with np.errstate(over="ignore"):
        assert logistic.array(np.array([np.inf, -np.inf])).tolist() == [1.0, 0.0]


def test_logistic_of_a_python_scalar():
    assert float(logistic(0.0)) == 0.5
    assert float(logistic(2)) == pytest.approx(ref_logistic(2.0), rel=1e-15)


def test_logit_matches_log_odds_inside_the_clip():
    p = rng(2).uniform(1e-9, 1 - 1e-9, N_CASES)
    p[:4] = [0.5, 0.25, 0.75, 1e-6]
    for v in p:
        assert logit(float(v)) == pytest.approx(ref_logodds(float(v)), rel=1e-9, abs=1e-12)
        assert logit(float(v)) == pytest.approx(-logit(1.0 - float(v)), rel=1e-6, abs=1e-9)
    assert logit(0.5) == 0.0


def test_logit_is_finite_and_monotone_at_0_and_1():
    lo, hi = logit(0.0), logit(1.0)
    assert math.isfinite(lo) and math.isfinite(hi)
    assert lo < logit(1e-9) < -20 and hi > logit(1 - 1e-9) > 20
    assert lo == pytest.approx(-hi)


def test_stochastic_round_is_floor_or_ceil():
    g = rng(3)
    x = g.uniform(0.0, 50.0, N_CASES)
    x[:6] = [0.0, 1.0, 7.0, 0.5, 1e-9, 3.999999]
    u = g.random(N_CASES)
    u[:3] = 0.0  # integers stay put even for the smallest uniform
    got = stochastic_round.array(x, u)
    assert got.dtype == np.int64
    assert np.array_equal(round_each(x, u), got)  # the kernels' loop over the formula
    for xi, ri in zip(x, got, strict=True):
        assert ri in (math.floor(xi), math.ceil(xi))
        if xi == math.floor(xi):  # integers are never moved
            assert ri == xi


def test_stochastic_round_expectation_equals_x():
    """Mean of 20 000 roundings of each x within Z standard errors of x."""
    g = rng(4)
    values = np.array([0.0, 0.05, 0.3, 0.5, 0.77, 1.0, 2.4, 13.9, 100.01])
    n = 20_000
    x = np.repeat(values, n)
    r = stochastic_round.array(x, g.random(x.size)).reshape(values.size, n)
    for v, row in zip(values, r, strict=True):
        f = v - math.floor(v)
        se = math.sqrt(f * (1 - f) / n)
        assert abs(row.mean() - v) <= Z * se + 1e-12, v


def _check_first_k(group, priority, slots, chosen):
    """Reference: per group sort priorities descending and take slots[g].

    Ties make the chosen *items* ambiguous, so compare the count per group and
    the multiset of chosen priorities (equivalently: every chosen priority >=
    every unchosen one in the same group).
    """
    assert chosen.dtype == bool and chosen.shape == group.shape
    for g in range(len(slots)):
        members = [i for i in range(group.size) if group[i] == g]
        ranked = sorted((priority[i] for i in members), reverse=True)
        k = min(int(slots[g]), len(members))
        picked = sorted((priority[i] for i in members if chosen[i]), reverse=True)
        assert len(picked) == k, (g, k, len(picked))
        assert picked == ranked[:k]
        left = [priority[i] for i in members if not chosen[i]]
        if picked and left:
            assert min(picked) >= max(left)


# first_k_per_group is the kernels' queue (FIFO service, approvals), tested here as
# the service mechanism's selection rule


def test_first_k_per_group_matches_sort_and_take():
    g = rng(5)
    for _ in range(N_CASES):
        n_groups = int(g.integers(1, 6))
        n = int(g.integers(0, 40))
        group = g.integers(0, n_groups, n)
        priority = g.integers(0, 6, n).astype(np.int32)  # few values: many ties
        slots = g.integers(0, 12, n_groups)  # 0 and more than the group holds
        chosen = first_k_per_group(group, priority, slots, g.random(n))
        _check_first_k(group, priority, slots, chosen)


def test_first_k_per_group_empty():
    out = first_k_per_group(
        np.zeros(0, np.int64), np.zeros(0, np.int64), np.array([3, 1]), np.zeros(0)
    )
    assert out.shape == (0,) and out.dtype == bool


def test_first_k_per_group_ties_broken_at_random():
    """10 tied items, 2 slots: each chosen with frequency 0.2 (Z SE, 4000 draws)."""
    g = rng(6)
    n_draws, n_items, k = 4000, 10, 2
    group = np.repeat(np.arange(n_draws), n_items)  # one group per draw
    priority = np.full(group.size, 3, dtype=np.int32)
    chosen = first_k_per_group(group, priority, np.full(n_draws, k), g.random(group.size))
    freq = chosen.reshape(n_draws, n_items).mean(axis=0)
    p = k / n_items
    assert np.all(np.abs(freq - p) <= Z * math.sqrt(p * (1 - p) / n_draws))


def test_first_k_per_group_fractional_priorities():
    g = rng(7)
    for _ in range(50):
        n = int(g.integers(2, 30))
        group = g.integers(0, 3, n)
        priority = g.random(n) * 3.0
        slots = g.integers(0, 6, 3)
        chosen = first_k_per_group(group, priority, slots, g.random(n))
        _check_first_k(group, priority, slots, chosen)


# ---------------------------------------------------------------------------
# expectations
# ---------------------------------------------------------------------------
# ---------------------------------------------------------------------------
# expectations
# ---------------------------------------------------------------------------


def test_segment_service_levels():
    g = rng(10)
    for _ in range(N_CASES):
        sl = float(g.choice([0.0, 1.0, g.random()]))
        tiering = float(g.choice([0.0, g.uniform(0, 2)]))
        rel = g.uniform(0.0, 3.0, int(g.integers(0, 5)))
        got = expectations.segment_service_level.array(sl, tiering, rel)
        want = [clip(sl * (1 + tiering * (v - 1)), 0.0, 1.0) for v in rel]
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
        if tiering == 0.0:
            assert np.all(got == sl)


def test_promised_quality():
    g = rng(11)
    sl = unit(g, N_CASES)
    for promise in [0.0, 0.8, 1.0, 1.3, 2.0]:
        got = expectations.promised_quality.array(sl, promise)
        np.testing.assert_allclose(got, [clip(promise * s, 0, 1) for s in sl], rtol=1e-12)
    np.testing.assert_array_equal(expectations.promised_quality.array(sl, 1.0), sl)  # no gap


def test_prospect_expectation():
    g = rng(12)
    p, r = unit(g, N_CASES), unit(g, N_CASES, edges=(1.0, 0.0))
    for w in [0.0, 0.3, 1.0]:
        got = expectations.prospect_expectation.array(p, r, w)
        want = [w * pi + (1 - w) * ri for pi, ri in zip(p, r, strict=True)]
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_offered_quality_weights_by_customers_or_averages_firms():
    assert expectations.offered_quality(0.6 * 30 + 0.9 * 10, 40, 1.5, 2) == pytest.approx(0.675)
    assert expectations.offered_quality(0.0, 0, 0.6 + 0.9, 2) == pytest.approx(0.75)


def test_update_norm():
    g = rng(13)
    for _ in range(N_CASES // 10):
        n = int(g.integers(0, 12))
        norm, offered = unit(g, n, edges=(1.0, 0.0)[:n]), g.random(n)
        drift, a = float(g.uniform(-0.05, 0.05)), float(g.random())
        got = expectations.update_norm.array(norm, offered, drift, a)
        want = [clip(r + drift + a * (q - r), 0, 1) for r, q in zip(norm, offered, strict=True)]
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_pull_expectation():
    """E' = clip(E + k_ad adv (P - E) + a (R - E), 0, 1), through the (rate, target) form
    the engine uses, in float32."""
    g = rng(14)
    n = N_CASES
    e, p, r, adv = g.random(n), g.random(n), g.random(n), g.uniform(0, 3, n)
    adv[:3] = 0.0
    for k_ad, a in [(0.07, 0.02), (0.003, 0.0), (0.0, 0.0)]:
        rate = expectations.pull_rate.array(adv, k_ad, a)
        target = expectations.pull_target.array(adv, p, r, k_ad, a)
        e32 = e.astype(np.float32)
        got = expectations.pulled_expectation.array(e32, rate.astype(np.float32),
                                                    target.astype(np.float32))
        assert got.dtype == np.float32
        want = [clip(ei + k_ad * ai * (pi - ei) + a * (ri - ei), 0, 1)
                for ei, pi, ri, ai in zip(e32.astype(float), p, r, adv, strict=True)]
        np.testing.assert_allclose(got, want, **F32)
        if k_ad == 0.0 and a == 0.0:
            assert np.array_equal(got, e32)  # no pull: expectations stay put


# ---------------------------------------------------------------------------
# needs
# ---------------------------------------------------------------------------


def test_needs_service():
    g = rng(20)
    u = unit(g, N_CASES, edges=(0.0, 0.3, 0.999)).astype(np.float32)
    rate = unit(g, N_CASES, edges=(0.0, 0.3, 1.0)).astype(np.float32)
    active = g.random(N_CASES) < 0.8
    busy = g.random(N_CASES) < 0.2
    active[:3], busy[:3] = True, False
    got = needs.needs_service.array(u, rate, active, busy)
    want = [bool(a and not b and ui < ri)
            for ui, ri, a, b in zip(u, rate, active, busy, strict=True)]
    assert got.tolist() == want
    assert got[:3].tolist() == [False, False, True]  # rate 0 never; u == rate is not a need


def test_proactive_contacts_binomial_moments():
    """Binomial(contracts, rate): range, exact at rate 0/1, mean and variance."""
    contracts = np.array([0, 10, 100, 1000, 57, 40])
    rate = np.array([0.3, 0.0, 1.0, 0.05, 0.5, 0.9])
    reps = 5000
    draws = needs.proactive_contacts(rng(21), np.tile(contracts, reps), np.tile(rate, reps))
    draws = draws.reshape(reps, contracts.size)
    assert np.all(draws >= 0) and np.all(draws <= contracts)
    for j, (c, p) in enumerate(zip(contracts, rate, strict=True)):
        mean, var = c * p, c * p * (1 - p)
        if var == 0:
            assert np.all(draws[:, j] == mean)
            continue
        assert abs(draws[:, j].mean() - mean) <= Z * math.sqrt(var / reps)
        # variance: SE of sample variance ~ var * sqrt(2 / reps) for near-normal draws
        assert abs(draws[:, j].var() - var) <= Z * var * math.sqrt(2 / reps) * 1.5


# ---------------------------------------------------------------------------
# encounters
# ---------------------------------------------------------------------------


def test_person_capacity():
    g = rng(30)
    morale = unit(g, N_CASES, edges=(0.0, 1.0, 0.5)).astype(np.float32)
    for c, k_m in [(8.0, 0.5), (12.0, 0.0), (3.5, 2.0), (8.0, 3.0)]:
        got = encounters.person_capacity.array(morale, c, k_m)
        assert got.dtype == np.float32
        want = [max(c * (1 + k_m * (float(m) - 0.5)), 0.0) for m in morale]
        np.testing.assert_allclose(got, want, **F32)


def test_person_capacity_floors_at_zero_when_productivity_morale_exceeds_2():
    # docstring: max(c (1 + k_m (m - 1/2)), 0); at k_m = 3, m = 0 the term is -0.5
    morale = np.array([0.0, 1.0], dtype=np.float32)
    np.testing.assert_allclose(encounters.person_capacity.array(morale, 8.0, 3.0), [0.0, 20.0])


def test_overload_and_request_capacity():
    assert encounters.overload(12, 8.0) == 1.5
    assert encounters.overload(5, 0.0) == 2.0  # no capacity: overloaded
    assert encounters.request_capacity(10.5, 3) == 7.5
    assert encounters.request_capacity(2.0, 3) == 0.0


def test_gives_up():
    # waited 3 days so far: with today's, 4 > patience 3
    assert encounters.gives_up(False, 3, 3)
    assert not encounters.gives_up(False, 2, 3)  # 2 + 1 = 3 days: still within patience
    assert not encounters.gives_up(True, 9, 3)  # served today


def serve(firm, wait, capacity, u_order, u_round):
    """The encounters kernel's selection: per firm, the ``C_f`` longest-waiting
    requests, ``C_f`` rounded stochastically (its two steps, as the kernel calls them)."""
    slots = round_each(np.maximum(capacity, 0.0), u_round)
    return first_k_per_group(firm.astype(np.int64), wait, slots, u_order)


def test_serve_longest_waiting_within_rounded_capacity():
    g = rng(31)
    for _ in range(N_CASES):
        n_firms = int(g.integers(1, 5))
        n = int(g.integers(0, 40))
        firm = g.integers(0, n_firms, n)
        wait = g.integers(0, 5, n).astype(np.int32)
        capacity = g.choice([-2.0, 0.0, 3.0, 50.0, 0.5], n_firms) + g.choice([0, 1], n_firms) * (
            g.uniform(0, 10, n_firms)
        )
        served = serve(firm, wait, capacity, g.random(n), g.random(n_firms))
        assert served.dtype == bool and served.shape == (n,)
        for f in range(n_firms):
            mine = [i for i in range(n) if firm[i] == f]
            c = max(capacity[f], 0.0)
            allowed = {min(math.floor(c), len(mine)), min(math.ceil(c), len(mine))}
            picked = sorted((wait[i] for i in mine if served[i]), reverse=True)
            assert len(picked) in allowed
            assert picked == sorted((wait[i] for i in mine), reverse=True)[: len(picked)]


def test_serve_expected_count_equals_capacity():
    """With ample requests, mean served per firm = capacity (Z SE over 3000 firms)."""
    g = rng(32)
    caps = np.array([0.25, 2.5, 7.9, 4.0])
    n_rep, per_firm = 3000, 12
    capacity = np.repeat(caps, n_rep)
    n_firms = capacity.size
    firm = np.repeat(np.arange(n_firms), per_firm)
    wait = g.integers(0, 4, firm.size).astype(np.int32)
    served = serve(firm, wait, capacity, g.random(firm.size), g.random(n_firms))
    counts = np.bincount(firm[served], minlength=n_firms).reshape(caps.size, n_rep)
    for cap, row in zip(caps, counts, strict=True):
        f = cap - math.floor(cap)
        assert abs(row.mean() - cap) <= Z * math.sqrt(f * (1 - f) / n_rep) + 1e-12


def test_serve_empty_queue():
    served = serve(np.zeros(0, np.int64), np.zeros(0, np.int32), np.array([3.0]), np.zeros(0),
                   np.array([0.5]))
    assert served.shape == (0,)


# ---------------------------------------------------------------------------
# quality
# ---------------------------------------------------------------------------


def test_failure_probability_matches_module_equation():
    g = rng(40)
    n = N_CASES
    skill, morale, level = unit(g, n), unit(g, n), unit(g, n)
    overload = g.uniform(0, 3, n)
    overload[:3] = [0.0, 1.0, 2.0]
    std = unit(g, n, edges=(0.0, 1.0))
    prev = unit(g, n, edges=(1.0, 0.0))
    contract = g.random(n) < 0.5
    for base, bk, bm, bl, bo in [(0.05, 2.0, 1.0, 1.5, 3.0), (0.5, 0.0, 0.0, 0.0, 0.0),
                                 (0.001, -1.0, 4.0, 0.3, 10.0), (0.999, 3.0, 3.0, 3.0, 1.0)]:
        got = quality.failure_probability.array(skill, morale, level, overload, contract, std,
                                                prev, logit(base), bk, bm, bl, bo)
        want = []
        for i in range(n):
            z = (ref_logodds(base) + bk * (0.5 - skill[i]) + bm * (0.5 - morale[i])
                 + bl * (0.5 - level[i]) + bo * max(overload[i] - 1, 0))
            want.append(ref_logistic(z) * (1 - std[i]) * (1 - prev[i] * contract[i]))
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-15)
        assert np.all((got >= 0) & (got <= 1))
    # no standardization, no prevention; average staff => base rate
    assert quality.failure_probability(0.5, 0.5, 0.5, 0.5, True, 0.0, 0.0, logit(0.08),
                                       2.0, 2.0, 2.0, 2.0) == pytest.approx(0.08, rel=1e-9)


def test_fails():
    u = np.array([0.1, 0.1, 0.9, 0.9, 0.9])
    got = quality.fails.array(u, np.full(5, 0.5), np.array([0, 0, 0, 1, 0], bool),
                              np.array([1, 1, 1, 1, 0], bool))
    assert got.tolist() == [True, True, False, True, True]


def test_perceived_quality():
    g = rng(41)
    n = N_CASES
    level, skill, morale = unit(g, n), unit(g, n), unit(g, n)
    wait = g.integers(0, 6, n).astype(float)
    failed = g.random(n) < 0.3
    noise = g.normal(0, 0.1, n)
    wk, wm, ww, sev = 0.2, 0.1, 0.03, 0.4
    got = quality.perceived_quality.array(level, skill, morale, wait, failed, noise, wk, wm, ww,
                                          sev)
    want = [
        clip(level[i] + wk * (skill[i] - 0.5) + wm * (morale[i] - 0.5) - ww * wait[i]
             - sev * float(failed[i]) + noise[i], 0, 1)
        for i in range(n)
    ]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_failure_memory():
    assert quality.forgets_failures(400, 10, 365) and not quality.forgets_failures(375, 10, 365)
    assert quality.failures_after_failure(3) == 4 and quality.failures_after_failure(255) == 255


# ---------------------------------------------------------------------------
# satisfaction
# ---------------------------------------------------------------------------


def ref_v(d: float, lam: float, z: float, beta: float = 1.0) -> float:
    if d >= 0:
        return d ** beta
    if -z <= d < 0:
        return 0.0
    return -lam * (-(d + z)) ** beta


def test_disconfirmation_value_piecewise():
    g = rng(50)
    q, e = unit(g, N_CASES), unit(g, N_CASES, edges=(0.0, 1.0, 0.5))
    for lam in [1.0, 2.25]:
        for z in [0.0, 0.1, 0.25]:
            for beta in [1.0, 0.88, 0.5]:
                got = satisfaction.disconfirmation_value.array(q, e, lam, z, beta)
                want = [ref_v(qi - ei, lam, z, beta) for qi, ei in zip(q, e, strict=True)]
                np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_disconfirmation_value_boundaries():
    # exactly representable: d = 0, d = -z (inside the zone), d just below -z
    q = np.array([0.5, 0.5, 0.5, 0.75])
    e = np.array([0.5, 0.75, 0.875, 0.5])
    got = satisfaction.disconfirmation_value.array(q, e, 2.0, 0.25, 1.0)
    assert got.tolist() == [0.0, 0.0, 2.0 * (-0.375 + 0.25), 0.25]
    # no tolerance: losses weigh lambda times gains
    gain = satisfaction.disconfirmation_value(0.75, 0.5, 2.5, 0.0, 0.88)
    loss = satisfaction.disconfirmation_value(0.25, 0.5, 2.5, 0.0, 0.88)
    assert loss == pytest.approx(-2.5 * gain, rel=1e-12)


def test_value_function_diminishing_sensitivity():
    # concave in gains, convex in losses: each further 0.1 of disconfirmation adds less
    v = [satisfaction.disconfirmation_value(0.5 + d, 0.5, 2.25, 0.0, 0.88)
         for d in (0.1, 0.2, 0.3)]
    assert v[1] - v[0] > v[2] - v[1] > 0
    w = [satisfaction.disconfirmation_value(0.5 - d, 0.5, 2.25, 0.0, 0.88)
         for d in (0.1, 0.2, 0.3)]
    assert w[0] - w[1] > w[1] - w[2] > 0


@FAST
@given(
    q=st.floats(0, 1), e=st.floats(0, 1), r=st.floats(0, 1), sn=st.floats(0, 1),
    gain=st.floats(0, 3), lam=st.floats(1, 4), z=st.floats(0, 0.5), h=st.floats(0, 1),
    beta=st.floats(0.3, 1), pi=st.floats(-0.3, 0.3),
)
def test_transaction_satisfaction(q, e, r, sn, gain, lam, z, h, beta, pi):
    got = satisfaction.transaction_satisfaction(q, e, r, sn, gain, lam, z, h, beta, pi)
    want = clip(sn + gain * ref_v(q - e, lam, z, beta) + h * (q - r) + pi, 0, 1)
    assert got == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_product_satisfaction_compares_the_product_with_the_markets_mean():
    # pi_f = h_g (pq_f - mean pq) + h_b br_f (ODD 7.5)
    assert satisfaction.product_satisfaction(0.85, 0.65, 0.3, 0.5, 0.1) == pytest.approx(
        0.5 * 0.2 + 0.1 * 0.3, rel=1e-12)
    assert satisfaction.product_satisfaction(0.5, 0.65, 0.0, 0.5, 0.1) == pytest.approx(-0.075)
    # a firm at the market's mean product and without brand: no shift
    assert satisfaction.product_satisfaction(0.65, 0.65, 0.0, 0.5, 0.1) == 0.0


def test_a_declined_prospect_considers_again_after_reconsider_days():
    # lost trial (ODD 7.9): declining on day t keeps the prospect out through t + T_r
    back = adoption.reconsider_from(10, 180)
    assert back == 191
    assert not adoption.considers(190, back) and adoption.considers(191, back)
    # T_r = 0: it considers the next day, as if it had never declined
    assert adoption.considers(11, adoption.reconsider_from(10, 0))


def test_assimilated_quality():
    g = rng(52)
    q, e = unit(g, N_CASES), unit(g, N_CASES)
    for a in [0.0, 0.1, 1.0]:
        got = quality.assimilated_quality.array(q, e, a)
        np.testing.assert_allclose(got, q + a * (e - q), rtol=1e-12, atol=1e-15)
        assert got.min() >= 0 and got.max() <= 1
    # a higher expectation raises the quality experienced, a little
    assert 0 < quality.assimilated_quality(0.6, 0.9, 0.1) - 0.6 < 0.9 - 0.6


def test_promise_pull_weight():
    assert expectations.promise_pull_weight(0, 180.0) == 1.0
    assert expectations.promise_pull_weight(180, 180.0) == 0.5
    t = np.arange(0, 2000, 7)
    w = expectations.promise_pull_weight.array(t, 180.0)
    np.testing.assert_allclose(w, 180.0 / (180.0 + t), rtol=1e-12)
    assert np.all(np.diff(w) < 0)


def test_update_satisfaction_and_expectation():
    g = rng(51)
    s, tx = unit(g, N_CASES).astype(np.float32), unit(g, N_CASES, edges=(1.0, 0.0))
    for w in [0.0, 0.2, 1.0]:
        got = satisfaction.update_satisfaction.array(s, tx, w)
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, [(1 - w) * float(a) + w * b
                                         for a, b in zip(s, tx, strict=True)], **F32)
        got = satisfaction.update_expectation.array(s.astype(float), tx, w)
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, [(1 - w) * float(a) + w * b
                                         for a, b in zip(s, tx, strict=True)], **F32)


# ---------------------------------------------------------------------------
# complaints
# ---------------------------------------------------------------------------


def test_lodge():
    g = rng(60)
    n = N_CASES
    failed, followed = g.random(n) < 0.5, g.random(n) < 0.4
    u, prop = unit(g, n, edges=(0.0, 0.2)), unit(g, n, edges=(0.0, 0.2))
    voiced = complaints.voiced.array(failed, u, prop)
    lodged = complaints.lodged.array(voiced, failed, followed)
    for i in range(n):
        v = bool(failed[i] and u[i] < prop[i])
        assert voiced[i] == v
        assert lodged[i] == bool(v or (failed[i] and followed[i]))
    assert not np.any(lodged & ~failed)  # only failures become complaints


def test_followed_up():
    assert complaints.followed_up(0.2, 0.3) and not complaints.followed_up(0.3, 0.3)


def test_triage_partitions_complaints():
    g = rng(61)
    n = N_CASES
    uh, ua = unit(g, n, edges=(0.3, 0.0)), unit(g, n, edges=(0.5, 0.4))
    handling, authority = unit(g, n, edges=(0.3, 1.0)), unit(g, n, edges=(1.0, 0.4))
    handled = complaints.handled.array(uh, handling)
    spot = complaints.settled_on_spot.array(ua, authority)
    for i in range(n):
        assert handled[i] == bool(uh[i] < handling[i])
        assert spot[i] == bool(ua[i] <= authority[i])
    assert not handled[0] and spot[1]  # u == handling is ignored; r == authority on the spot


def test_triage_on_the_spot_share_equals_authority():
    n = 100_000
    g = rng(62)
    on_spot = (complaints.handled.array(g.random(n), 1.0)
               & complaints.settled_on_spot.array(g.random(n), 0.3))
    assert abs(on_spot.mean() - 0.3) <= Z * math.sqrt(0.3 * 0.7 / n)


def test_approval_ready():
    g = rng(63)
    n = N_CASES
    age, level = g.integers(0, 15, n).astype(np.int32), g.integers(0, 4, n).astype(np.int32)
    delay = g.choice([0, 1, 2, 3], n).astype(np.int32)
    age[0], level[0], delay[0] = 6, 2, 2  # exactly at (level + 1) * delay
    got = complaints.approval_ready.array(age, level, delay)
    assert got.tolist() == [bool(a >= (lv + 1) * d) for a, lv, d in zip(age, level, delay,
                                                                         strict=True)]
    assert got[0]


def test_approvals_resolution_and_abandonment():
    assert complaints.approval_slots(4.0, 0.5, 3) == 2.0
    assert complaints.approval_slots(4.0, 0.5, 0) == 0.0  # no team, no approvals
    assert complaints.resolved(2, 2) and not complaints.resolved(1, 2)
    assert complaints.abandoned(False, 5, 5) and not complaints.abandoned(True, 9, 5)
    assert not complaints.abandoned(False, 4, 5)
    assert complaints.first_failure(1) and not complaints.first_failure(2)


# ---------------------------------------------------------------------------
# recovery
# ---------------------------------------------------------------------------


def test_recovery_quality():
    g = rng(70)
    n = N_CASES
    days = g.integers(0, 30, n)
    comp = g.choice([0.0, 1.0, 50.0], n) * g.random(n)
    comp[:2] = [-1.0, 0.0]  # a negative offer counts as none
    skill = unit(g, n).astype(np.float32)
    for tau, ch, ws, wc in [(3.0, 10.0, 0.4, 0.3), (1.0, 1.0, 1.0, 0.0), (7.0, 0.5, 0.0, 0.5)]:
        wk = 1 - ws - wc
        speed = recovery.speed_table(29, tau)[days]
        got = recovery.recovery_quality.array(speed, comp, skill, ch, ws, wc, wk)
        want = [ws * math.exp(-days[i] / tau) + wc * max(comp[i], 0) / (max(comp[i], 0) + ch)
                + wk * float(skill[i]) for i in range(n)]
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)  # w_k * skill in float32
        assert np.all((got >= 0) & (got <= 1 + 1e-6))  # rho in [0, 1] when weights sum to 1


def ref_recovered(s_now, s_before, rho, first, thr, g_, kappa):
    loss = max(s_before - s_now, 0.0)
    if first:
        s = s_now + rho * loss + g_ * max(rho - thr, 0.0)
    else:
        s = s_now + kappa * rho * loss
    # The docstring gives no clip; satisfaction is a [0, 1] quantity (state.py,
    # satisfaction.py), and the code clips to it, so the reference does too.
    return clip(s, 0.0, 1.0)


def test_recovered_satisfaction():
    g = rng(71)
    n = N_CASES
    now = unit(g, n).astype(np.float32)
    before = unit(g, n, edges=(1.0, 0.0)).astype(np.float32)
    rho = unit(g, n, edges=(0.7, 1.0))
    first = g.random(n) < 0.5
    for thr, gain, kappa in [(0.7, 0.5, 0.5), (0.0, 0.0, 1.0), (1.0, 2.0, 0.0)]:
        got = recovery.recovered_satisfaction.array(now, before, rho, first, thr, gain, kappa)
        assert got.dtype == np.float32
        want = [ref_recovered(float(now[i]), float(before[i]), rho[i], first[i], thr, gain,
                              kappa) for i in range(n)]
        np.testing.assert_allclose(got, want, **F32)


def test_recovery_paradox_only_after_a_first_failure():
    before, now = np.float32(0.6), np.float32(0.3)
    first = recovery.recovered_satisfaction(now, before, 0.95, True, 0.7, 0.5, 0.5)
    again = recovery.recovered_satisfaction(now, before, 0.95, False, 0.7, 0.5, 0.5)
    assert first > before  # the recovery paradox
    assert now < again < before
    # after repeated failures it can never exceed pre-failure satisfaction (kappa < 1)
    g = rng(72)
    b, s = g.random(N_CASES).astype(np.float32), g.random(N_CASES).astype(np.float32)
    out = recovery.recovered_satisfaction.array(s, b, g.random(N_CASES),
                                                np.zeros(N_CASES, bool), 0.7, 0.5, 0.9)
    assert np.all(out <= np.maximum(b, s))


def test_unresolved_satisfaction():
    s = unit(rng(73), N_CASES, edges=(0.0, 1.0, 0.1)).astype(np.float32)
    for pen in [0.0, 0.1, 1.0]:
        got = recovery.unresolved_satisfaction.array(s, pen)
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, [max(float(x) - pen, 0.0) for x in s], **F32)


# ---------------------------------------------------------------------------
# word of mouth
# ---------------------------------------------------------------------------


def ref_tau(s, sn, t0, tp, tm):
    return clip(t0 + tp * max(s - sn, 0) / (1 - sn) + tm * max(sn - s, 0) / sn, 0, 1)


def test_talk_probability_matches_equation():
    g = rng(80)
    s = unit(g, N_CASES).astype(np.float32)
    for sn, t0, tp, tm in [(0.5, 0.01, 0.05, 0.2), (0.3, 0.0, 0.5, 1.5), (0.8, 0.9, 0.5, 0.5)]:
        got = word_of_mouth.talk_probability.array(s, sn, t0, tp, tm)
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, [ref_tau(float(x), sn, t0, tp, tm) for x in s], **F32)


def test_talk_probability_is_u_shaped_and_asymmetric():
    sn, t0, tp, tm = 0.6, 0.02, 0.1, 0.3
    s = np.linspace(0, 1, 101).astype(np.float32)
    tau = word_of_mouth.talk_probability.array(s, sn, t0, tp, tm).astype(np.float64)
    i_n = 60
    assert tau[i_n] == pytest.approx(t0, rel=1e-6)  # minimum at neutral
    assert np.all(np.diff(tau[: i_n + 1]) < 0)  # falls toward neutral
    assert np.all(np.diff(tau[i_n:]) > 0)  # rises after
    assert tau[0] == pytest.approx(t0 + tm, rel=1e-6)
    assert tau[-1] == pytest.approx(t0 + tp, rel=1e-6)
    # with sn = 0.5 and t- > t+, the dissatisfied talk more at equal distance
    d = np.linspace(0.01, 0.5, 50)
    lo = word_of_mouth.talk_probability.array((0.5 - d).astype(np.float32), 0.5, t0, tp, tm)
    hi = word_of_mouth.talk_probability.array((0.5 + d).astype(np.float32), 0.5, t0, tp, tm)
    assert np.all(lo > hi)


def test_message_category():
    g = rng(81)
    for _ in range(N_CASES // 3):
        n, n_firms = int(g.integers(1, 20)), int(g.integers(1, 4))
        firm = g.integers(0, n_firms, n)
        positive = word_of_mouth.speaks_well.array(g.random(n).astype(np.float32), 0.5)
        got = word_of_mouth.message_category.array(firm, positive, n_firms)
        want = [int(f) if p else n_firms + int(f) for f, p in zip(firm, positive, strict=True)]
        assert got.tolist() == want


def test_update_attitude():
    """A' = clip((1 - delta) A + g (pos_in - neg_in), -1, 1), in float32."""
    g = rng(82)
    a = g.uniform(-1, 1, (60, 5)).astype(np.float32)
    a[0, :3] = [-1.0, 1.0, 0.0]
    pos, neg = g.random((60, 5)).astype(np.float32), g.random((60, 5)).astype(np.float32)
    for gain, decay in [(0.5, 0.02), (3.0, 0.0), (0.0, 1.0)]:
        faded = word_of_mouth.faded_attitude.array(a, decay)
        got = word_of_mouth.heard_attitude.array(faded, pos, neg, gain)
        assert faded.dtype == got.dtype == np.float32
        want = [[clip((1 - decay) * float(a[i, f]) + gain * (float(pos[i, f]) - float(neg[i, f])),
                      -1, 1) for f in range(5)] for i in range(60)]
        np.testing.assert_allclose(got, want, **F32)
        np.testing.assert_allclose(faded, (1 - decay) * a.astype(float), **F32)


def test_faded_satisfaction_moves_toward_neutral():
    s = np.array([0.0, 0.5, 1.0], dtype=np.float32)
    got = word_of_mouth.faded_satisfaction.array(s, 0.1, 0.5)
    np.testing.assert_allclose(got, [0.05, 0.5, 0.95], **F32)


# ---------------------------------------------------------------------------
# adoption
# ---------------------------------------------------------------------------


def test_hazards():
    g = rng(90)
    adv, pos = g.uniform(0, 2, 4), g.random((70, 4)).astype(np.float32)
    adv[0] = 0.0
    p, q = 0.003, 0.38
    got = adoption.hazard.array(adv[None, :], pos, p, q)
    want = [[p * adv[f] + q * float(pos[i, f]) for f in range(4)] for i in range(70)]
    np.testing.assert_allclose(got, want, **F32)  # q pos_in is a float32 product


def test_utility():
    g = rng(91)
    n, nf = 70, 3
    eq, pq, br = g.random((n, nf)), g.random(nf), g.normal(0, 0.5, nf)
    price, sens = g.uniform(0.5, 1.5, nf), g.random(n)
    att = g.uniform(-1, 1, (n, nf)).astype(np.float32)
    mult = g.lognormal(0, 0.5, n).astype(np.float32)
    bq, bg, bp, ba, bi = 4.0, 3.0, 2.0, 1.5, 1.2
    base = adoption.firm_utility.array(eq, pq[None, :], br[None, :], bq, bg)
    pt = adoption.price_utility.array(price[None, :], sens[:, None], bp)
    own = np.zeros((n, nf), dtype=bool)
    own[:, 1] = True
    got = adoption.utility.array(base, pt, mult[:, None], att, ba, own, bi)
    want = [[bq * eq[i, f] + bg * pq[f] + br[f] - bp * float(mult[i]) * sens[i] * (price[f] - 1)
             + ba * float(att[i, f]) + (bi if f == 1 else 0.0) for f in range(nf)]
            for i in range(n)]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_occasion_choice_is_the_nested_logit():
    """Frequencies of each firm and of the outside option (-1) within Z SE over 40 000
    draws: P(buy) = S / (S + e^{U_0}) with S = sum e^{V} (no inertia), then firm g in
    proportion to e^{V_g + b_i [g = own]}; extreme utilities do not overflow.
    """
    n = 40_000
    u = rng(95).random(n)
    for v, own, bi, u0 in [([1.0, 0.0, 2.0], 1, 1.5, 0.5), ([800.0, 790.0], 1, 4.0, -1.0),
                           ([0.0, 0.0], 0, 0.0, -1000.0), ([0.3], 0, 4.0, 0.0)]:
        v = np.array(v)
        picks = np.array([adoption.occasion_choice(v, own, bi, u0, x) for x in u])
        top = max(v.max(), u0)
        inside, outside = np.exp(v - top).sum(), np.exp(u0 - top)
        p_buy = inside / (inside + outside)
        w = np.exp(v + bi * (np.arange(v.size) == own) - v.max() - bi)
        p = np.append(p_buy * w / w.sum(), 1 - p_buy)
        freq = np.array([np.mean(picks == k) for k in range(v.size)] + [np.mean(picks == -1)])
        assert np.all(np.abs(freq - p) <= Z * np.sqrt(p * (1 - p) / n) + 1e-12), (v, freq, p)
    # inertia does not change whether to buy, only which firm
    a = [adoption.occasion_choice(np.array([1.0, 1.0]), 0, 0.0, 1.0, x) for x in u[:2000]]
    b = [adoption.occasion_choice(np.array([1.0, 1.0]), 0, 5.0, 1.0, x) for x in u[:2000]]
    assert [x < 0 for x in a] == [x < 0 for x in b]
    # no outside option: never -1
    assert all(adoption.occasion_choice(np.array([0.0, 1.0]), 0, 2.0, -1000.0, x) >= 0
               for x in [0.0, 0.5, np.nextafter(1.0, 0.0)])


def test_prospect_share():
    g = rng(96)
    w = np.empty(3)
    for _ in range(200):
        a, v, u0 = g.uniform(0, 0.3, 3), g.normal(0, 3, 3), g.normal(0, 2)
        got = adoption.prospect_share(a, v, u0, w)
        want = (a * np.exp(v)).sum() / ((a * np.exp(v)).sum() + a.sum() * np.exp(u0))
        np.testing.assert_allclose(got, want, rtol=1e-12)
        np.testing.assert_allclose(w / w.sum(), a * np.exp(v) / (a * np.exp(v)).sum(),
                                   rtol=1e-12)
    # one firm: the binary logit against the outside option
    one = np.empty(1)
    assert adoption.prospect_share(np.array([0.2]), np.array([1.5]), 1.5, one) == 0.5
    # no outside option (the Bass limit): whoever hears adopts, exactly
    assert adoption.prospect_share(np.array([0.1, 0.0, 0.3]), np.array([5.0, 2.0, -3.0]),
                                   -1000.0, w) == 1.0
    # heard of nobody: no adoption
    assert adoption.prospect_share(np.zeros(3), np.zeros(3), 0.0, w) == 0.0


def choose_rows(w, u):
    """:func:`servsim.mechanisms.adoption.choose` for each row."""
    return np.array([adoption.choose(row, x) for row, x in zip(w, u, strict=True)],
                    dtype=np.int64)


def test_choose_rows_of_zeros_give_minus_one():
    w = np.array([[0.0, 0.0, 0.0], [0.0, 2.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 5.0]])
    for u in [0.0, 0.5, np.nextafter(1.0, 0.0)]:
        assert choose_rows(w, np.full(4, u)).tolist() == [-1, 1, 0, 2]


@FAST
@given(
    w=hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)),
                 elements=st.one_of(st.just(0.0), st.floats(1e-6, 1e3))),
    data=st.data(),
)
def test_choose_never_picks_a_zero_weight(w, data):
    u = data.draw(hnp.arrays(np.float64, w.shape[0],
                             elements=st.floats(0, 1, exclude_max=True)))
    out = choose_rows(w, u)
    for i in range(w.shape[0]):
        if w[i].sum() == 0:
            assert out[i] == -1
        else:
            assert 0 <= out[i] < w.shape[1] and w[i, out[i]] > 0


def test_choose_distribution_matches_weights():
    """Frequencies within Z SE of w_f / sum w over 40 000 draws per row."""
    w = np.array([[1.0, 0.0, 3.0, 6.0], [0.0, 0.0, 0.0, 2.0], [5.0, 5.0, 0.0, 0.0],
                  [0.1, 0.2, 0.3, 0.4]])
    n = 40_000
    picks = choose_rows(np.repeat(w, n, axis=0), rng(92).random(4 * n)).reshape(4, n)
    for row, p in zip(picks, w / w.sum(axis=1, keepdims=True), strict=True):
        freq = np.bincount(row, minlength=4) / n
        assert np.all(np.abs(freq - p) <= Z * np.sqrt(p * (1 - p) / n))


def test_adopt_probability():
    g = rng(93)
    a = g.uniform(0, 0.6, (N_CASES, 3))
    a[0], a[1] = 0.0, [1.0, 0.0, 0.0]
    got = adoption.adopt_probability.array(a.sum(axis=1))
    np.testing.assert_allclose(got, [min(1.0, sum(row)) for row in a], rtol=1e-12)
    assert got[0] == 0 and got[1] == 1


# ---------------------------------------------------------------------------
# relationship
# ---------------------------------------------------------------------------


def test_defection_probability():
    g = rng(100)
    n = N_CASES
    s, att = unit(g, n).astype(np.float32), g.uniform(-1, 1, n).astype(np.float32)
    for sn, c0, cs, ca in [(0.5, 0.01, 6.0, 1.0), (0.7, 0.5, 0.0, 0.0), (0.3, 0.2, 10.0, 3.0)]:
        for offset in (np.zeros(n, np.float32), g.normal(0, 1, n).astype(np.float32)):
            got = relationship.defection_probability.array(s, att, logit(c0), sn, cs, ca,
                                                           offset)
            want = [ref_logistic(ref_logodds(c0) + cs * (sn - float(s[i])) - ca * float(att[i])
                                 + float(offset[i]))
                    for i in range(n)]
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-9)  # logit in float32


def test_buys():
    assert relationship.buys(np.float32(0.01), np.float32(0.02))
    assert not relationship.buys(np.float32(0.02), np.float32(0.02))


def ref_next_stage(stage, s, tenure, r, lo, adv, t_loyal):
    """Transitions of the docstring: at most one step per purchase."""
    if stage == NEW:
        return REPEAT if s >= r else NEW
    if stage == REPEAT:
        return LOYAL if (s >= lo and tenure >= t_loyal) else REPEAT
    if stage == LOYAL:
        if s >= adv:
            return ADVOCATE
        if s < lo:
            return REPEAT
        return LOYAL
    if stage == ADVOCATE:
        return LOYAL if s < adv else ADVOCATE
    return stage  # prospects and lapsed customers have no transition here


def test_next_stage_matches_docstring_transitions():
    g = rng(101)
    r, lo, adv, t_loyal = 0.5, 0.7, 0.85, 30
    n = N_CASES * 2
    stage = g.choice([PROSPECT, NEW, REPEAT, LOYAL, ADVOCATE, LAPSED], n).astype(np.int8)
    s = g.choice([r, lo, adv, 0.0, 1.0], n)  # thresholds exactly ...
    s = np.where(g.random(n) < 0.5, g.random(n), s).astype(np.float32)  # ... and in between
    tenure = g.choice([0, t_loyal - 1, t_loyal, 400], n).astype(np.int32)
    got = relationship.next_stage.array(stage, s, tenure, r, lo, adv, t_loyal)
    # thresholds are compared in float32, as the float32 satisfaction
    want = [ref_next_stage(stage[i], s[i], tenure[i], np.float32(r), np.float32(lo),
                           np.float32(adv), t_loyal) for i in range(n)]
    assert got.tolist() == want


def test_takes_contract():
    assert relationship.takes_contract(False, np.float32(0.5), 0.1, 0.45, 0.2)
    assert not relationship.takes_contract(True, np.float32(0.5), 0.1, 0.45, 0.2)
    assert not relationship.takes_contract(False, np.float32(0.4), 0.1, 0.45, 0.2)
    assert not relationship.takes_contract(False, np.float32(0.5), 0.3, 0.45, 0.2)


# ---------------------------------------------------------------------------
# accounting
# ---------------------------------------------------------------------------


def test_purchase_amounts():
    g = rng(110)
    n = N_CASES
    value, price = g.uniform(0.1, 100, n), g.uniform(0.5, 1.5, n)
    loyal = g.random(n) < 0.5
    prem, cross = g.uniform(0, 0.2, n), g.uniform(0, 0.3, n)
    cog = 0.55
    for i in range(n):
        base, premium, crossbuy, goods = accounting.purchase_amounts(
            value[i], price[i], bool(loyal[i]), prem[i], cross[i], cog)
        vp = value[i] * price[i]
        lo = 1.0 if loyal[i] else 0.0
        assert base == pytest.approx(vp, rel=1e-12)
        assert premium == pytest.approx(vp * prem[i] * lo, rel=1e-12, abs=1e-300)
        assert crossbuy == pytest.approx(vp * cross[i] * lo, rel=1e-12, abs=1e-300)
        assert goods == pytest.approx(value[i] * cog * (1 + cross[i] * lo), rel=1e-12)
    stages = np.array([PROSPECT, NEW, REPEAT, LOYAL, ADVOCATE, LAPSED], dtype=np.int8)
    assert accounting.pays_loyalty.array(stages).tolist() == [0, 0, 0, 1, 1, 0]


def test_staff_costs_and_advertising_cost():
    g = rng(111)
    nf = 50
    n_staff, n_mgr = g.integers(0, 30, nf), g.integers(0, 4, nf)
    wage, training, tcost = g.uniform(50, 200, nf), g.random(nf), g.uniform(0, 80, nf)
    wages = accounting.wages.array(n_staff, n_mgr, wage)
    train = accounting.training_cost.array(n_staff, training, tcost)
    factor = accounting.MANAGER_WAGE_FACTOR
    assert factor > 1  # managers earn more than frontline staff
    for f in range(nf):
        assert wages[f] == pytest.approx(wage[f] * n_staff[f] + factor * wage[f] * n_mgr[f],
                                         rel=1e-12, abs=1e-12)
        assert train[f] == pytest.approx(n_staff[f] * training[f] * tcost[f], rel=1e-12,
                                         abs=1e-12)
    adv, per_1000 = g.uniform(0, 2, nf), g.uniform(0, 30, nf)
    for n_market in [0, 1000, 123_457]:
        got = accounting.advertising_cost.array(adv, per_1000, n_market)
        np.testing.assert_allclose(got, [adv[f] * per_1000[f] * n_market / 1000
                                         for f in range(nf)], rtol=1e-12, atol=1e-12)


def test_service_revenue_and_per_event_costs():
    assert accounting.service_revenue(10.0, 4.0, 2.5, 1.0) == 29.0
    assert accounting.encounter_cost(2.0, 0.5, False, 1.0) == 1.0  # linear
    assert accounting.encounter_cost(2.0, 0.5, False, 2.0) == 0.5  # quadratic: 2 * 0.25
    assert accounting.encounter_cost(2.0, 0.5, True, 2.0) == 0.0
    # convex: the marginal cost of quality rises with the level
    costs = [accounting.encounter_cost(1.0, q, False, 2.0) for q in (0.2, 0.5, 0.8)]
    assert costs[2] - costs[1] > costs[1] - costs[0]
    assert accounting.acquisition_cost(3.0, 1.5, 100.0) == 450.0
    assert accounting.overhead_cost(50.0, 4000) == 200.0
    assert accounting.compensation_cost(0.5, np.float32(3.0)) == 1.5
    assert accounting.proactive_cost(4, 2.5) == 10.0 and accounting.hiring_cost(2.0, 7.5) == 15.0
    assert accounting.followup_cost(True, 3.0) == 3.0 and accounting.followup_cost(False, 3.0) == 0


# ---------------------------------------------------------------------------
# staff
# ---------------------------------------------------------------------------


def test_staffing_target_by_erlang_c():
    from servsim.mechanisms import queueing
    # 1,000 customers x 0.02 needs a day / 8 per person-day: load 2.5 people
    a = staff.offered_load(20.0, 8.0)
    assert a == 2.5 and staff.offered_load(20.0, 0.0) == 0.0
    c = staff.staffing_target(a, 0, 0.8, 0.0, 8.0)
    assert queueing.erlang_c(c, a) <= 0.2 < queueing.erlang_c(c - 1, a)
    # a higher target needs more people; target 0 staffs the smallest stable team
    assert staff.staffing_target(a, 0, 0.95, 0.0, 8.0) > c
    assert staff.staffing_target(a, 0, 0.0, 0.0, 8.0) == 3
    # proactive contract work adds its own people; at least one person
    assert staff.staffing_target(a, 80, 0.8, 0.1, 8.0) == c + 1
    assert staff.staffing_target(0.0, 0, 0.8, 0.0, 8.0) == 1
    # economies of scale: fewer staff per customer in a larger firm
    small = staff.staffing_target(staff.offered_load(20.0, 8.0), 0, 0.8, 0.0, 8.0) / 1000
    large = staff.staffing_target(staff.offered_load(2000.0, 8.0), 0, 0.8, 0.0, 8.0) / 100000
    assert large < small


def test_coaching_per_member():
    g = rng(120)
    n = N_CASES
    cap, ctrl = g.uniform(0, 20, n), unit(g, n, edges=(0.0, 1.0))
    team = g.integers(0, 15, n)
    team[:3] = [0, 1, 0]
    got = staff.coaching_per_member.array(cap, ctrl, team)
    want = [min(cap[i] * (1 - ctrl[i]) / team[i], 1.0) if team[i] > 0 else 0.0 for i in range(n)]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    assert np.all(got <= 1.0)


def test_workload():
    assert staff.workload(12, np.float32(8.0)) == 1.5 and staff.workload(3, np.float32(0)) == 0


def test_morale_target():
    g = rng(121)
    n = N_CASES
    coach, train, auth = unit(g, n), unit(g, n), unit(g, n)
    wage, load = g.uniform(50, 150, n), g.uniform(0, 3, n)
    load[:2] = [1.0, 0.5]
    market_wage = 100.0
    ws, wt, wa, ww, wo = 1.5, 1.0, 1.2, 2.0, 1.8
    sens, base = g.lognormal(0, 0.3, n), g.normal(0, 0.5, n)
    sens[0], base[0] = 1.0, 0.0
    x = [ws * (coach[i] - 0.5) + wt * (train[i] - 0.5) + wa * (auth[i] - 0.5)
         + ww * (wage[i] / market_wage - 1) - wo * max(load[i] - 1, 0) for i in range(n)]
    got_x = staff.internal_service_index.array(coach, train, auth, wage, market_wage, load,
                                               ws, wt, wa, ww, wo)
    np.testing.assert_allclose(got_x, x, rtol=1e-12, atol=1e-15)
    got = staff.morale_target.array(coach, train, auth, wage, market_wage, load, ws, wt, wa, ww,
                                    wo, sens, base)
    want = [ref_logistic(sens[i] * x[i] + base[i]) for i in range(n)]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    # a more sensitive employee gains more from better internal service than a less sensitive
    # one; a higher disposition lifts morale at the same internal service
    lo, hi = (staff.morale_target(c, 0.5, 0.5, 100.0, 100.0, 0.5, ws, wt, wa, ww, wo, 2.0, 0.0)
              for c in (0.2, 0.8))
    lo1, hi1 = (staff.morale_target(c, 0.5, 0.5, 100.0, 100.0, 0.5, ws, wt, wa, ww, wo, 0.5, 0.0)
                for c in (0.2, 0.8))
    assert hi - lo > hi1 - lo1 > 0
    assert (staff.morale_target(0.5, 0.5, 0.5, 100.0, 100.0, 0.5, ws, wt, wa, ww, wo, 1.0, 0.4)
            > staff.morale_target(0.5, 0.5, 0.5, 100.0, 100.0, 0.5, ws, wt, wa, ww, wo, 1.0, 0.0))


def test_employee_sensitivity():
    assert staff.employee_sensitivity(1.7, 0.0) == 1.0
    z = rng(124).standard_normal(200_000)
    s = staff.employee_sensitivity.array(z, 0.3)
    np.testing.assert_allclose(s, np.exp(0.3 * z - 0.045), rtol=1e-12)
    assert abs(s.mean() - 1.0) < 0.005  # lognormal with mean 1 (se about 0.0007)


def test_update_morale():
    g = rng(122)
    m, t = unit(g, N_CASES).astype(np.float32), unit(g, N_CASES, edges=(1.0, 0.0))
    for mu in [0.0, 0.05, 1.0]:
        got = staff.update_morale.array(m, t, mu, 0.0)
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, [float(a) + mu * (b - float(a))
                                         for a, b in zip(m, t, strict=True)], **F32)
    shock = g.normal(0, 0.3, N_CASES)
    got = staff.update_morale.array(m, t, 0.05, shock)
    want = np.clip(m.astype(float) + 0.05 * (t - m.astype(float)) + shock, 0, 1)
    np.testing.assert_allclose(got, want, **F32)
    assert got.min() >= 0 and got.max() <= 1 and (want == 0).any() and (want == 1).any()


def test_survey_answer():
    g = rng(125)
    x, e = g.normal(0, 2, N_CASES), g.normal(0, 0.2, N_CASES)
    got = staff.survey_answer.array(x, e)
    np.testing.assert_allclose(got, np.clip(1 / (1 + np.exp(-x)) + e, 0, 1), rtol=1e-12,
                               atol=1e-15)
    assert staff.survey_answer(0.0, 0.0) == 0.5 and staff.survey_answer(5.0, 0.5) == 1.0


def test_update_skill():
    g = rng(123)
    n = N_CASES
    k = unit(g, n, edges=(0.0, 1.0)).astype(np.float32)
    enc, train, coach = g.integers(0, 20, n), unit(g, n), unit(g, n)
    for lr, tr, cr in [(0.002, 0.01, 0.02), (0.0, 0.0, 0.0), (0.1, 0.5, 0.5)]:
        got = staff.update_skill.array(k, enc, train, coach, lr, tr, cr)
        assert got.dtype == np.float32
        want = [min(float(k[i]) + (lr * enc[i] + tr * train[i] + cr * coach[i])
                    * (1 - float(k[i])), 1.0) for i in range(n)]
        np.testing.assert_allclose(got, want, **F32)
        assert np.all(got <= 1.0) and np.all(got >= k)


def test_quit_probability():
    m = unit(rng(124), N_CASES).astype(np.float32)
    for q0, b in [(0.002, 4.0), (0.5, 0.0), (0.05, -2.0)]:
        got = staff.quit_probability.array(m, logit(q0), b)
        want = [ref_logistic(ref_logodds(q0) + b * (0.5 - float(x))) for x in m]
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-12)  # the logit in float32
    assert staff.quit_probability(np.float32(0.5), logit(0.002), 4.0) == pytest.approx(
        0.002, rel=1e-5)


# ---------------------------------------------------------------------------
# network
# ---------------------------------------------------------------------------

SPARSE_KINDS = ["small_world", "random", "scale_free"]


def _ties(net):
    """Neighbour sets read from the CSR arrays (row i: indices[indptr[i]:indptr[i+1]])."""
    w = net.weights
    return [list(w.indices[w.indptr[i]:w.indptr[i + 1]]) for i in range(net.n)]


@pytest.mark.parametrize("kind", SPARSE_KINDS)
def test_network_structure(kind):
    n, k = 2000, 10
    net = build_network(n, kind, k, 0.1, rng(130))
    ties = _ties(net)
    pairs = {(i, j) for i in range(n) for j in ties[i]}
    assert sum(len(t) for t in ties) == len(pairs)  # no duplicate ties
    assert all((j, i) in pairs for i, j in pairs)  # symmetric
    assert all(i != j for i, j in pairs)  # no self-loops
    assert net.degree.tolist() == [len(t) for t in ties]
    assert net.n_edges == len(pairs) // 2
    # W[i, j] = 1 / deg(i)
    w = net.weights
    rows = np.repeat(np.arange(n), np.diff(w.indptr))
    np.testing.assert_allclose(w.data, 1.0 / net.degree[rows], rtol=1e-6)


@pytest.mark.parametrize("kind", SPARSE_KINDS)
def test_network_mean_degree_close_to_requested(kind):
    """Realised mean degree within 3 % of the requested one, and never above it."""
    k = 10
    for seed in range(3):
        net = build_network(3000, kind, k, 0.1, rng(131 + seed))
        mean = net.degree.mean()
        assert mean <= k
        assert abs(mean - k) <= 0.03 * k, (kind, mean)


def test_scale_free_degree_is_heavy_tailed():
    k = 10
    sf = build_network(3000, "scale_free", k, 0.1, rng(134))
    er = build_network(3000, "random", k, 0.1, rng(134))
    assert sf.degree.max() > 10 * sf.degree.mean()  # hubs (~250 here)
    assert er.degree.max() < 3 * er.degree.mean()  # Poisson tail for contrast
    assert sf.degree.min() >= k // 2 - 1  # every new node brings k/2 ties


def test_small_world_without_rewiring_is_a_ring_lattice():
    n, k = 40, 6
    net = build_network(n, "small_world", k, 0.0, rng(135))
    for i, t in enumerate(_ties(net)):
        assert sorted(t) == sorted((i + d) % n for d in (-3, -2, -1, 1, 2, 3))


def ref_mean_over_ties(ties, x):
    out = []
    for t in ties:
        if not t:
            out.append([0.0] * len(x[0]))
        else:
            out.append([sum(x[j][c] for j in t) / len(t) for c in range(len(x[0]))])
    return out


@pytest.mark.parametrize(
    "kind,k", [("small_world", 4), ("random", 2), ("random", 6), ("scale_free", 4)]
)
def test_mean_over_ties_equals_loop_over_neighbours(kind, k):
    n = 60
    net = build_network(n, kind, k, 0.2, rng(136))
    ties = _ties(net)
    x = rng(137).random((n, 3))
    got2 = net.mean_over_ties(x)
    np.testing.assert_allclose(got2, ref_mean_over_ties(ties, x.tolist()), rtol=1e-6, atol=1e-7)
    got1 = net.mean_over_ties(x[:, 0])
    np.testing.assert_allclose(got1, [r[0] for r in ref_mean_over_ties(ties, x.tolist())],
                               rtol=1e-6, atol=1e-7)
    if kind == "random" and k == 2:
        isolated = net.degree == 0
        assert isolated.any()  # G(60, 60) leaves some customers alone ...
        assert np.all(got2[isolated] == 0)  # ... and they hear nothing


@pytest.mark.parametrize("kind", ["small_world", "random", "scale_free", "complete"])
def test_share_of_ties_equals_loop_over_neighbours(kind):
    g = rng(142)
    net = build_network(300, kind, 6, 0.2, g)
    k = 4
    talkers = np.flatnonzero(g.random(300) < 0.2)
    category = g.integers(0, k, talkers.size)
    got = net.share_of_ties(talkers, category, k)
    assert got.shape == (300, k) and got.dtype == np.float32
    cat_of = {int(t): int(c) for t, c in zip(talkers, category, strict=True)}
    for i in range(300):
        ties = [int(j) for j in net.neighbours(i)]
        want = [0.0] * k
        for j in ties:
            if j in cat_of:
                want[cat_of[j]] += 1.0 / len(ties)
        np.testing.assert_allclose(got[i], want, rtol=1e-5, atol=1e-7)
    # the sparse form: exactly the non-zero rows (and every row of the complete graph)
    rows, shares = net.heard_by(talkers, category, k)
    assert np.unique(rows).size == rows.size and shares.dtype == np.float32
    if kind == "complete":
        assert sorted(rows.tolist()) == list(range(300))
    else:
        assert sorted(rows.tolist()) == np.flatnonzero(got.any(axis=1)).tolist()
    assert np.array_equal(shares, got[rows])
    # looking rows up through the slot array it left: everybody's row, zeros included,
    # also after another day's call has left stale slots behind
    net.heard_by(talkers[::3], category[::3], k)
    rows, shares = net.heard_by(talkers, category, k)
    slot = net._slot
    who = g.permutation(300)
    assert np.array_equal(row_lookup(rows, shares, slot, who), got[who])
    assert row_lookup(rows, shares, slot, who[:0]).shape == (0, k)
    # share = (count of talking ties) / degree, rounded once to float32
    if kind != "complete":
        counts = np.zeros((300, k))
        for t, c in zip(talkers, category, strict=True):
            for j in net.neighbours(int(t)):
                counts[j, c] += 1
        exact = (counts[rows] / net.degree[rows][:, None]).astype(np.float32)
        assert np.array_equal(shares, exact)


def _reference_csr(n, src, dst):
    """The CSR the network had before the in-place build: np.unique of the tie keys,
    then a stable sort by row of [(lo, hi)..., (hi, lo)...]."""
    keep = src != dst
    lo = np.minimum(src[keep], dst[keep]).astype(np.int64)
    hi = np.maximum(src[keep], dst[keep]).astype(np.int64)
    key = np.unique(lo * n + hi)
    a, b = key // n, key % n
    rows, cols = np.concatenate([a, b]), np.concatenate([b, a])
    order = np.argsort(rows, kind="stable")
    degree = np.bincount(rows, minlength=n)
    return np.concatenate([[0], np.cumsum(degree)]), cols[order], degree


@pytest.mark.parametrize("chunk", [3, 64, 1 << 19])
@pytest.mark.parametrize("kind", SPARSE_KINDS)
def test_network_build_equals_reference_csr_in_order(kind, chunk, monkeypatch):
    """The chunked in-place build gives the same ties, in the same order within rows,
    and draws the same random numbers, whatever the chunk size."""
    from servsim import network

    n, k = 500, 6
    gen = {"small_world": lambda g: network._watts_strogatz(n, k, 0.3, g),
           "random": lambda g: network._erdos_renyi(n, k, g),
           "scale_free": lambda g: network._barabasi_albert(n, k, g)}[kind]
    src, dst = gen(rng(143))
    indptr, indices, degree = _reference_csr(n, src, dst)
    after = rng(143)
    gen(after)
    monkeypatch.setattr(network, "_CHUNK", chunk)
    g = rng(143)
    net = build_network(n, kind, k, 0.3, g)
    assert net.indptr.tolist() == indptr.tolist()
    assert net.indices.tolist() == indices.tolist()
    assert net.degree.tolist() == degree.tolist()
    assert g.random() == after.random()  # same draws as generating with one chunk
    w = net.weights
    assert w.indices.tolist() == indices.tolist() and w.data.dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_complete_graph_mean_over_everyone_else(dtype):
    n = 9
    net = build_network(n, "complete", 10, 0.1, rng(138))
    assert net.weights is None and net.degree.tolist() == [n - 1] * n
    assert net.n_edges == n * (n - 1) // 2
    x = rng(139).random((n, 4)).astype(dtype)
    want = [[sum(float(x[j, c]) for j in range(n) if j != i) / (n - 1) for c in range(4)]
            for i in range(n)]
    rtol = 1e-12 if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(net.mean_over_ties(x), want, rtol=rtol)
    np.testing.assert_allclose(net.mean_over_ties(x[:, 1]), [r[1] for r in want], rtol=rtol)
    for i in range(n):
        assert sorted(net.neighbours(i)) == [j for j in range(n) if j != i]


def test_complete_graph_mean_of_integer_input():
    net = build_network(3, "complete", 2, 0.0, rng(140))
    got = net.mean_over_ties(np.array([0, 1, 1]))
    np.testing.assert_allclose(got, [1.0, 0.5, 0.5])
