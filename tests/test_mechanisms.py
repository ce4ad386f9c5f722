"""Each mechanism function against a scalar reference written from its docstring.

Every reference below is a plain Python function over scalars (``math`` only,
looping over elements) transcribed from the equation in the docstring of the
function under test; it never calls servsim.  Inputs are random (numpy
Generators with fixed seeds, a few hundred cases per function) plus
hand-picked edge cases (0, 1, thresholds, empty arrays).  Stochastic
functions are checked statistically with a stated tolerance.

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
from servsim.mechanisms._common import (
    first_k_per_group,
    logistic,
    logit,
    stochastic_round,
)
from servsim.network import build_network, row_lookup
from servsim.state import ADVOCATE, LAPSED, LOYAL, NEW, PROSPECT, REPEAT

Z = 5.0  # standard errors allowed in statistical tests
N_CASES = 300
FAST = settings(max_examples=150, deadline=None, derandomize=True, database=None)


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
        got = logistic(x)
    want = [ref_logistic(v) for v in x]
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)
    with np.errstate(over="ignore"):
        assert logistic(np.array([np.inf, -np.inf])).tolist() == [1.0, 0.0]


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
    got = stochastic_round(x, u)
    assert got.dtype == np.int64
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
    r = stochastic_round(x, g.random(x.size)).reshape(values.size, n)
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


def test_first_k_per_group_matches_sort_and_take():
    g = rng(5)
    for _ in range(N_CASES):
        n_groups = int(g.integers(1, 6))
        n = int(g.integers(0, 40))
        group = g.integers(0, n_groups, n)
        priority = g.integers(0, 6, n)  # few values: many ties
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
    priority = np.full(group.size, 3)
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


def test_segment_service_levels():
    g = rng(10)
    for _ in range(N_CASES):
        sl = float(g.choice([0.0, 1.0, g.random()]))
        tiering = float(g.choice([0.0, g.uniform(0, 2)]))
        rel = g.uniform(0.0, 3.0, int(g.integers(0, 5)))
        got = expectations.segment_service_levels(sl, tiering, rel)
        want = [clip(sl * (1 + tiering * (v - 1)), 0.0, 1.0) for v in rel]
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
        if tiering == 0.0:
            assert np.all(got == sl)


def test_promised_quality():
    g = rng(11)
    sl = unit(g, N_CASES)
    for promise in [0.0, 0.8, 1.0, 1.3, 2.0]:
        got = expectations.promised_quality(sl, promise)
        np.testing.assert_allclose(got, [clip(promise * s, 0, 1) for s in sl], rtol=1e-12)
    np.testing.assert_array_equal(expectations.promised_quality(sl, 1.0), sl)  # no gap


def test_prospect_expectation():
    g = rng(12)
    p, r = unit(g, N_CASES), unit(g, N_CASES, edges=(1.0, 0.0))
    for w in [0.0, 0.3, 1.0]:
        got = expectations.prospect_expectation(p, r, w)
        want = [w * pi + (1 - w) * ri for pi, ri in zip(p, r, strict=True)]
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_update_norm():
    g = rng(13)
    for _ in range(N_CASES // 10):
        n = int(g.integers(0, 12))
        norm, offered = unit(g, n, edges=(1.0, 0.0)[:n]), g.random(n)
        drift, a = float(g.uniform(-0.05, 0.05)), float(g.random())
        got = expectations.update_norm(norm, offered, drift, a)
        want = [clip(r + drift + a * (q - r), 0, 1) for r, q in zip(norm, offered, strict=True)]
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_pull_expectation():
    g = rng(14)
    n = N_CASES
    e, p, r, adv = g.random(n), g.random(n), g.random(n), g.uniform(0, 3, n)
    adv[:3] = 0.0
    k_ad, a = 0.07, 0.02
    got = expectations.pull_expectation(e, p, r, adv, k_ad, a)
    want = [
        ei + k_ad * ai * (pi - ei) + a * (ri - ei)
        for ei, pi, ri, ai in zip(e, p, r, adv, strict=True)
    ]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------------------
# needs
# ---------------------------------------------------------------------------


def test_arise():
    g = rng(20)
    u = unit(g, N_CASES, edges=(0.0, 0.3, 0.999))
    rate = unit(g, N_CASES, edges=(0.0, 0.3, 1.0))
    elig = g.random(N_CASES) < 0.7
    elig[:3] = True
    got = needs.arise(u, rate, elig)
    want = [bool(e and ui < ri) for ui, ri, e in zip(u, rate, elig, strict=True)]
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


def ref_staff_capacity(active, morale, firm, n_firms, c, k_m):
    out = [0.0] * n_firms
    for a, m, f in zip(active, morale, firm, strict=True):
        if a:
            out[f] += c * (1 + k_m * (m - 0.5))
    return out


def test_staff_capacity_matches_sum_over_active_staff():
    g = rng(30)
    for _ in range(N_CASES):
        n_firms = int(g.integers(1, 5))
        n = int(g.integers(0, 30))
        active = g.random(n) < 0.7
        morale = unit(g, n, edges=(0.0, 1.0, 0.5)[:n])
        firm = g.integers(0, n_firms, n)
        c, k_m = float(g.uniform(0, 12)), float(g.choice([0.0, 0.5, 2.0, g.uniform(0, 2)]))
        got = encounters.staff_capacity(active, morale, firm, n_firms, c, k_m)
        assert got.shape == (n_firms,)
        want = ref_staff_capacity(active, morale, firm, n_firms, c, k_m)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_staff_capacity_floors_each_person_at_zero_when_productivity_morale_exceeds_2():
    # docstring: C_f = sum max(c (1 + k_m (m - 1/2)), 0); at k_m = 3, m = 0 the term is -0.5
    active, morale, firm = np.array([True, True]), np.array([0.0, 1.0]), np.array([0, 0])
    got = encounters.staff_capacity(active, morale, firm, 1, 8.0, 3.0)
    np.testing.assert_allclose(got, [0.0 + 8.0 * (1 + 3.0 * 0.5)])
    np.testing.assert_allclose(encounters.person_capacity(morale, 8.0, 3.0), [0.0, 20.0])


def test_staff_capacity_firm_without_active_staff_is_zero():
    got = encounters.staff_capacity(
        np.array([True, False, True]), np.array([0.5, 0.9, 1.0]), np.array([0, 1, 0]), 3, 8.0, 0.5
    )
    assert got.tolist() == [8.0 + 8.0 * 1.25, 0.0, 0.0]


def test_serve_longest_waiting_within_rounded_capacity():
    g = rng(31)
    for _ in range(N_CASES):
        n_firms = int(g.integers(1, 5))
        n = int(g.integers(0, 40))
        firm = g.integers(0, n_firms, n)
        wait = g.integers(0, 5, n)
        capacity = g.choice([-2.0, 0.0, 3.0, 50.0, 0.5], n_firms) + g.choice([0, 1], n_firms) * (
            g.uniform(0, 10, n_firms)
        )
        served = encounters.serve(firm, wait, capacity, g.random(n), g.random(n_firms))
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
    wait = g.integers(0, 4, firm.size)
    served = encounters.serve(firm, wait, capacity, g.random(firm.size), g.random(n_firms))
    counts = np.bincount(firm[served], minlength=n_firms).reshape(caps.size, n_rep)
    for cap, row in zip(caps, counts, strict=True):
        f = cap - math.floor(cap)
        assert abs(row.mean() - cap) <= Z * math.sqrt(f * (1 - f) / n_rep) + 1e-12


def test_serve_empty_queue():
    served = encounters.serve(
        np.zeros(0, np.int64), np.zeros(0, np.int32), np.array([3.0]), np.zeros(0), np.array([0.5])
    )
    assert served.shape == (0,)


def test_assign_staff_active_and_of_the_right_firm():
    g = rng(33)
    for _ in range(N_CASES):
        n_firms = int(g.integers(1, 5))
        n_staff = int(g.integers(0, 25))
        staff_firm = g.integers(0, n_firms, n_staff)
        active = g.random(n_staff) < 0.6
        n_enc = int(g.integers(0, 30))
        enc_firm = g.integers(0, n_firms + 1, n_enc)  # includes a firm with no staff at all
        u = g.random(n_enc)
        u[:2] = [0.0, np.nextafter(1.0, 0.0)][:n_enc]
        out = encounters.assign_staff(enc_firm, active, staff_firm, u)
        assert out.shape == (n_enc,)
        for f, s in zip(enc_firm, out, strict=True):
            has_staff = any(active[j] and staff_firm[j] == f for j in range(n_staff))
            if has_staff:
                assert 0 <= s < n_staff and active[s] and staff_firm[s] == f
            else:
                assert s == -1


def test_assign_staff_is_uniform_over_the_firms_active_staff():
    staff_firm = np.array([0, 1, 1, 2, 1, 0, 1, 1, 2, 1])
    active = np.array([1, 1, 0, 1, 1, 1, 1, 1, 1, 1], dtype=bool)
    pool = [j for j in range(10) if active[j] and staff_firm[j] == 1]  # 5 people
    n = 50_000
    out = encounters.assign_staff(np.ones(n, np.int64), active, staff_firm, rng(34).random(n))
    freq = np.bincount(out, minlength=10) / n
    p = 1 / len(pool)
    for j in range(10):
        if j in pool:
            assert abs(freq[j] - p) <= Z * math.sqrt(p * (1 - p) / n)
        else:
            assert freq[j] == 0


def test_assign_staff_no_encounters_or_no_staff():
    assert encounters.assign_staff(
        np.zeros(0, np.int64), np.ones(3, bool), np.array([0, 1, 1]), np.zeros(0)
    ).shape == (0,)
    out = encounters.assign_staff(
        np.array([0, 1, 1]), np.zeros(0, bool), np.zeros(0, np.int64), np.array([0.1, 0.5, 0.9])
    )
    assert out.tolist() == [-1, -1, -1]


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
    for base, bk, bm, bl, bo in [(0.05, 2.0, 1.0, 1.5, 3.0), (0.5, 0.0, 0.0, 0.0, 0.0),
                                 (0.001, -1.0, 4.0, 0.3, 10.0), (0.999, 3.0, 3.0, 3.0, 1.0)]:
        got = quality.failure_probability(skill, morale, level, overload, base, bk, bm, bl, bo,
                                          std, prev)
        want = []
        for i in range(n):
            z = (ref_logodds(base) + bk * (0.5 - skill[i]) + bm * (0.5 - morale[i])
                 + bl * (0.5 - level[i]) + bo * max(overload[i] - 1, 0))
            want.append(ref_logistic(z) * (1 - std[i]) * (1 - prev[i]))
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-15)
        assert np.all((got >= 0) & (got <= 1))
    # defaults: no standardization, no prevention; average staff => base rate
    half = np.array([0.5])
    assert quality.failure_probability(half, half, half, half, 0.08, 2, 2, 2, 2)[0] == (
        pytest.approx(0.08, rel=1e-9)
    )


def test_perceived_quality():
    g = rng(41)
    n = N_CASES
    level, skill, morale = unit(g, n), unit(g, n), unit(g, n)
    wait = g.integers(0, 6, n).astype(float)
    failed = g.random(n) < 0.3
    noise = g.normal(0, 0.1, n)
    wk, wm, ww, sev = 0.2, 0.1, 0.03, 0.4
    got = quality.perceived_quality(level, skill, morale, wait, failed, noise, wk, wm, ww, sev)
    want = [
        clip(level[i] + wk * (skill[i] - 0.5) + wm * (morale[i] - 0.5) - ww * wait[i]
             - sev * float(failed[i]) + noise[i], 0, 1)
        for i in range(n)
    ]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------------------
# satisfaction
# ---------------------------------------------------------------------------


def ref_v(d: float, lam: float, z: float) -> float:
    if d >= 0:
        return d
    if -z <= d < 0:
        return 0.0
    return lam * (d + z)


def test_disconfirmation_value_piecewise():
    g = rng(50)
    q, e = unit(g, N_CASES), unit(g, N_CASES, edges=(0.0, 1.0, 0.5))
    for lam in [1.0, 2.25]:
        for z in [0.0, 0.1, 0.25]:
            got = satisfaction.disconfirmation_value(q, e, lam, z)
            want = [ref_v(qi - ei, lam, z) for qi, ei in zip(q, e, strict=True)]
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_disconfirmation_value_boundaries():
    # exactly representable: d = 0, d = -z (inside the zone), d just below -z
    q = np.array([0.5, 0.5, 0.5, 0.75])
    e = np.array([0.5, 0.75, 0.875, 0.5])
    got = satisfaction.disconfirmation_value(q, e, 2.0, 0.25)
    assert got.tolist() == [0.0, 0.0, 2.0 * (-0.375 + 0.25), 0.25]
    # no tolerance: losses weigh lambda times gains
    gain = satisfaction.disconfirmation_value(np.array([0.75]), np.array([0.5]), 2.5)
    loss = satisfaction.disconfirmation_value(np.array([0.25]), np.array([0.5]), 2.5)
    assert loss[0] == -2.5 * gain[0]


@FAST
@given(
    q=st.floats(0, 1), e=st.floats(0, 1), r=st.floats(0, 1), sn=st.floats(0, 1),
    gain=st.floats(0, 3), lam=st.floats(1, 4), z=st.floats(0, 0.5), h=st.floats(0, 1),
)
def test_transaction_satisfaction(q, e, r, sn, gain, lam, z, h):
    got = satisfaction.transaction_satisfaction(
        np.array([q]), np.array([e]), np.array([r]), sn, gain, lam, z, h
    )
    want = clip(sn + gain * ref_v(q - e, lam, z) + h * (q - r), 0, 1)
    assert got[0] == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_update_satisfaction_and_expectation():
    g = rng(51)
    s, tx = unit(g, N_CASES), unit(g, N_CASES, edges=(1.0, 0.0))
    for w in [0.0, 0.2, 1.0]:
        got = satisfaction.update_satisfaction(s, tx, w)
        np.testing.assert_allclose(got, [(1 - w) * a + w * b for a, b in zip(s, tx, strict=True)],
                                   rtol=1e-12, atol=1e-15)
        got = satisfaction.update_expectation(s, tx, w)
        np.testing.assert_allclose(got, [(1 - w) * a + w * b for a, b in zip(s, tx, strict=True)],
                                   rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------------------
# complaints
# ---------------------------------------------------------------------------


def test_lodge():
    g = rng(60)
    n = N_CASES
    failed, followed = g.random(n) < 0.5, g.random(n) < 0.4
    u, prop = unit(g, n, edges=(0.0, 0.2)), unit(g, n, edges=(0.0, 0.2))
    voiced, surfaced = complaints.lodge(failed, u, prop, followed)
    for i in range(n):
        v = bool(failed[i] and u[i] < prop[i])
        assert voiced[i] == v
        assert surfaced[i] == bool(failed[i] and not v and followed[i])
    assert not np.any(voiced & surfaced)


def test_triage_partitions_complaints():
    g = rng(61)
    n = N_CASES
    uh, ua = unit(g, n, edges=(0.3, 0.0)), unit(g, n, edges=(0.5, 0.4))
    handling, authority = unit(g, n, edges=(0.3, 1.0)), unit(g, n, edges=(1.0, 0.4))
    on_spot, escalated, ignored = complaints.triage(uh, ua, handling, authority)
    for i in range(n):
        handled = uh[i] < handling[i]
        assert on_spot[i] == bool(handled and ua[i] <= authority[i])
        assert escalated[i] == bool(handled and not ua[i] <= authority[i])
        assert ignored[i] == (not handled)
    total = on_spot.astype(int) + escalated.astype(int) + ignored.astype(int)
    assert np.all(total == 1)
    assert ignored[0] and on_spot[1]  # u == handling is ignored; r == authority is on the spot


def test_triage_on_the_spot_share_equals_authority():
    n = 100_000
    g = rng(62)
    on_spot, _, _ = complaints.triage(g.random(n), g.random(n), np.ones(n), np.full(n, 0.3))
    assert abs(on_spot.mean() - 0.3) <= Z * math.sqrt(0.3 * 0.7 / n)


def test_approval_ready():
    g = rng(63)
    n = N_CASES
    age, level = g.integers(0, 15, n), g.integers(0, 4, n)
    delay = g.choice([0.0, 1.0, 2.0, 2.5], n)
    age[0], level[0], delay[0] = 6, 2, 2.0  # exactly at (level + 1) * delay
    got = complaints.approval_ready(age, level, delay)
    assert got.tolist() == [bool(a >= (lv + 1) * d) for a, lv, d in zip(age, level, delay,
                                                                         strict=True)]
    assert got[0]


# ---------------------------------------------------------------------------
# recovery
# ---------------------------------------------------------------------------


def test_recovery_quality():
    g = rng(70)
    n = N_CASES
    days = g.integers(0, 30, n).astype(float)
    comp = g.choice([0.0, 1.0, 50.0], n) * g.random(n)
    skill = unit(g, n)
    for tau, ch, ws, wc in [(3.0, 10.0, 0.4, 0.3), (1.0, 1.0, 1.0, 0.0), (7.0, 0.5, 0.0, 0.5)]:
        wk = 1 - ws - wc
        got = recovery.recovery_quality(days, comp, skill, tau, ch, ws, wc, wk)
        want = [ws * math.exp(-days[i] / tau) + wc * comp[i] / (comp[i] + ch) + wk * skill[i]
                for i in range(n)]
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
        assert np.all((got >= 0) & (got <= 1 + 1e-12))  # rho in [0, 1] when weights sum to 1


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
    now, before, rho = unit(g, n), unit(g, n, edges=(1.0, 0.0)), unit(g, n, edges=(0.7, 1.0))
    first = g.random(n) < 0.5
    for thr, gain, kappa in [(0.7, 0.5, 0.5), (0.0, 0.0, 1.0), (1.0, 2.0, 0.0)]:
        got = recovery.recovered_satisfaction(now, before, rho, first, thr, gain, kappa)
        want = [ref_recovered(now[i], before[i], rho[i], first[i], thr, gain, kappa)
                for i in range(n)]
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_recovery_paradox_only_after_a_first_failure():
    before, now = np.array([0.6]), np.array([0.3])
    strong = np.array([0.95])
    first = recovery.recovered_satisfaction(now, before, strong, np.array([True]), 0.7, 0.5, 0.5)
    again = recovery.recovered_satisfaction(now, before, strong, np.array([False]), 0.7, 0.5, 0.5)
    assert first[0] > before[0]  # the recovery paradox
    assert now[0] < again[0] < before[0]
    # after repeated failures it can never exceed pre-failure satisfaction (kappa < 1)
    g = rng(72)
    b, s, r = g.random(N_CASES), g.random(N_CASES), g.random(N_CASES)
    out = recovery.recovered_satisfaction(s, b, r, np.zeros(N_CASES, bool), 0.7, 0.5, 0.9)
    assert np.all(out <= np.maximum(b, s) + 1e-12)


def test_unresolved_satisfaction():
    s = unit(rng(73), N_CASES, edges=(0.0, 1.0, 0.1))
    for pen in [0.0, 0.1, 1.0]:
        got = recovery.unresolved_satisfaction(s, pen)
        np.testing.assert_allclose(got, [max(x - pen, 0.0) for x in s], rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------------------
# word of mouth
# ---------------------------------------------------------------------------


def ref_tau(s, sn, t0, tp, tm):
    return clip(t0 + tp * max(s - sn, 0) / (1 - sn) + tm * max(sn - s, 0) / sn, 0, 1)


def test_talk_probability_matches_equation():
    g = rng(80)
    s = unit(g, N_CASES)
    for sn, t0, tp, tm in [(0.5, 0.01, 0.05, 0.2), (0.3, 0.0, 0.5, 1.5), (0.8, 0.9, 0.5, 0.5)]:
        got = word_of_mouth.talk_probability(s, sn, t0, tp, tm)
        np.testing.assert_allclose(got, [ref_tau(x, sn, t0, tp, tm) for x in s], rtol=1e-12,
                                   atol=1e-15)


def test_talk_probability_is_u_shaped_and_asymmetric():
    sn, t0, tp, tm = 0.6, 0.02, 0.1, 0.3
    s = np.linspace(0, 1, 101)
    tau = word_of_mouth.talk_probability(s, sn, t0, tp, tm)
    i_n = 60
    assert tau[i_n] == pytest.approx(t0)  # minimum at neutral
    assert np.all(np.diff(tau[: i_n + 1]) < 0)  # falls toward neutral
    assert np.all(np.diff(tau[i_n:]) > 0)  # rises after
    assert tau[0] == pytest.approx(t0 + tm) and tau[-1] == pytest.approx(t0 + tp)
    # with sn = 0.5 and t- > t+, the dissatisfied talk more at equal distance
    d = np.linspace(0.01, 0.5, 50)
    lo = word_of_mouth.talk_probability(0.5 - d, 0.5, t0, tp, tm)
    hi = word_of_mouth.talk_probability(0.5 + d, 0.5, t0, tp, tm)
    assert np.all(lo > hi)


def test_message_category():
    g = rng(81)
    for _ in range(N_CASES // 3):
        n, n_firms = int(g.integers(1, 20)), int(g.integers(1, 4))
        firm = g.integers(0, n_firms, n)
        positive = g.random(n) < 0.5
        got = word_of_mouth.message_category(firm, positive, n_firms)
        want = [int(f) if p else n_firms + int(f) for f, p in zip(firm, positive, strict=True)]
        assert got.tolist() == want


def test_update_attitude():
    g = rng(82)
    a = g.uniform(-1, 1, (60, 5))
    a[0, :3] = [-1.0, 1.0, 0.0]
    pos, neg = g.random((60, 5)), g.random((60, 5))
    for gain, decay in [(0.5, 0.02), (3.0, 0.0), (0.0, 1.0)]:
        got = word_of_mouth.update_attitude(a, pos, neg, gain, decay)
        want = [[clip((1 - decay) * a[i, f] + gain * (pos[i, f] - neg[i, f]), -1, 1)
                 for f in range(5)] for i in range(60)]
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_update_attitude_rows_equals_dense_update_bit_for_bit():
    """Only the hearers' rows given: the same float32 values as the dense update (a
    zero may keep a minus sign the dense update's ``+ 0.0`` drops: -0.0 == 0.0)."""
    g = rng(83)
    n, nf = 500, 3
    a = g.uniform(-1, 1, (n, nf)).astype(np.float32)
    a[:5] = [[-1.0, 1.0, 0.0]] * 5
    rows = np.flatnonzero(g.random(n) < 0.3)
    rows = np.union1d(rows, [0, 1, 2])
    pos = np.zeros((n, nf), np.float32)
    neg = np.zeros((n, nf), np.float32)
    pos[rows] = g.random((rows.size, nf)).astype(np.float32)
    neg[rows] = g.random((rows.size, nf)).astype(np.float32)
    pos[0] = 1.0  # pushes past +1: clipped
    neg[1] = 1.0  # past -1
    for gain, decay in [(0.5, 0.02), (3.0, 0.0), (0.0, 1.0), (0.12, 0.005)]:
        want = word_of_mouth.update_attitude(a.copy(), pos, neg, gain, decay, out=a.copy())
        got = a.copy()
        word_of_mouth.update_attitude_rows(got, rows, pos[rows], neg[rows], gain, decay)
        assert got.dtype == np.float32
        assert np.array_equal(got, want)
        assert np.abs(got).max() <= 1.0


# ---------------------------------------------------------------------------
# adoption
# ---------------------------------------------------------------------------


def test_hazards():
    g = rng(90)
    adv, pos = g.uniform(0, 2, 4), g.random((70, 4))
    adv[0] = 0.0
    p, q = 0.003, 0.38
    got = adoption.hazards(adv, pos, p, q)
    want = [[p * adv[f] + q * pos[i, f] for f in range(4)] for i in range(70)]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_utility():
    g = rng(91)
    n, nf = 70, 3
    eq, price, sens, att = g.random((n, nf)), g.uniform(0.5, 1.5, nf), g.random(n), g.uniform(
        -1, 1, (n, nf))
    bq, bp, ba = 4.0, 2.0, 1.5
    got = adoption.utility(eq, price, sens, att, bq, bp, ba)
    want = [[bq * eq[i, f] - bp * sens[i] * price[f] + ba * att[i, f] for f in range(nf)]
            for i in range(n)]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_choose_rows_of_zeros_give_minus_one():
    w = np.array([[0.0, 0.0, 0.0], [0.0, 2.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 5.0]])
    for u in [0.0, 0.5, np.nextafter(1.0, 0.0)]:
        assert adoption.choose(w, np.full(4, u)).tolist() == [-1, 1, 0, 2]
    assert adoption.choose(np.zeros((0, 3)), np.zeros(0)).shape == (0,)


@FAST
@given(
    w=hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)),
                 elements=st.one_of(st.just(0.0), st.floats(1e-6, 1e3))),
    data=st.data(),
)
def test_choose_never_picks_a_zero_weight(w, data):
    u = data.draw(hnp.arrays(np.float64, w.shape[0],
                             elements=st.floats(0, 1, exclude_max=True)))
    out = adoption.choose(w, u)
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
    picks = adoption.choose(np.repeat(w, n, axis=0), rng(92).random(4 * n)).reshape(4, n)
    for row, p in zip(picks, w / w.sum(axis=1, keepdims=True), strict=True):
        freq = np.bincount(row, minlength=4) / n
        assert np.all(np.abs(freq - p) <= Z * np.sqrt(p * (1 - p) / n))


def test_adopt_probability():
    g = rng(93)
    a = g.uniform(0, 0.6, (N_CASES, 3))
    a[0], a[1] = 0.0, [1.0, 0.0, 0.0]
    got = adoption.adopt_probability(a)
    np.testing.assert_allclose(got, [min(1.0, sum(row)) for row in a], rtol=1e-12)
    assert got[0] == 0 and got[1] == 1


def test_conversion_is_binary_logit_against_the_outside_option():
    g = rng(94)
    u = g.normal(0, 3, (N_CASES, 4))
    u[0] = [0.0, -1.0, 800.0, -800.0]
    for u0 in [-1.0, 0.0, 2.5]:
        with np.errstate(over="ignore"):
            got = adoption.conversion(u, u0)
        want = [[ref_logistic(u[i, f] - u0) for f in range(4)] for i in range(N_CASES)]
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)
        assert np.all((got >= 0) & (got <= 1))
    assert adoption.conversion(np.array([[1.5]]), 1.5)[0, 0] == 0.5  # U_f = U_0
    # no outside option (U_0 -> -inf): pi = 1, the pure Bass model
    np.testing.assert_array_equal(adoption.conversion(u[1:], -np.inf), 1.0)
    np.testing.assert_allclose(adoption.conversion(u[1:], -1e3), 1.0, rtol=0, atol=1e-12)


# ---------------------------------------------------------------------------
# relationship
# ---------------------------------------------------------------------------


def test_defection_probability():
    g = rng(100)
    n = N_CASES
    s, att = unit(g, n), g.uniform(-1, 1, n)
    price, sens = g.uniform(0.5, 1.5, n), g.random(n)
    price[0] = 1.0
    for sn, c0, cs, ca, cp in [(0.5, 0.01, 6.0, 1.0, 2.0), (0.7, 0.5, 0.0, 0.0, 0.0),
                               (0.3, 0.2, 10.0, 3.0, 5.0)]:
        got = relationship.defection_probability(s, att, price, sens, sn, c0, cs, ca, cp)
        want = [ref_logistic(ref_logodds(c0) + cs * (sn - s[i]) - ca * att[i]
                             + cp * sens[i] * (price[i] - 1)) for i in range(n)]
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-15)


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
    s = np.where(g.random(n) < 0.5, g.random(n), s)  # ... and in between
    tenure = g.choice([0, t_loyal - 1, t_loyal, 400], n).astype(np.int32)
    before = stage.copy()
    got = relationship.next_stage(stage, s, tenure, r, lo, adv, t_loyal)
    assert np.array_equal(stage, before)  # input untouched
    assert got.dtype == stage.dtype
    want = [ref_next_stage(stage[i], s[i], tenure[i], r, lo, adv, t_loyal) for i in range(n)]
    assert got.tolist() == want


def test_next_stage_empty():
    out = relationship.next_stage(np.zeros(0, np.int8), np.zeros(0), np.zeros(0, np.int32),
                                  0.5, 0.7, 0.85, 30)
    assert out.shape == (0,)


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
    base, premium, crossbuy, goods = accounting.purchase_amounts(value, price, loyal, prem,
                                                                 cross, cog)
    for i in range(n):
        vp = value[i] * price[i]
        lo = 1.0 if loyal[i] else 0.0
        assert base[i] == pytest.approx(vp, rel=1e-12)
        assert premium[i] == pytest.approx(vp * prem[i] * lo, rel=1e-12, abs=1e-300)
        assert crossbuy[i] == pytest.approx(vp * cross[i] * lo, rel=1e-12, abs=1e-300)
        assert goods[i] == pytest.approx(value[i] * cog * (1 + cross[i] * lo), rel=1e-12)


def test_staff_costs_and_advertising_cost():
    g = rng(111)
    nf = 50
    n_staff, n_mgr = g.integers(0, 30, nf).astype(float), g.integers(0, 4, nf).astype(float)
    wage, training, tcost = g.uniform(50, 200, nf), g.random(nf), g.uniform(0, 80, nf)
    wages, train = accounting.staff_costs(n_staff, n_mgr, wage, training, tcost)
    factor = accounting.MANAGER_WAGE_FACTOR
    assert factor > 1  # managers earn more than frontline staff
    for f in range(nf):
        assert wages[f] == pytest.approx(wage[f] * n_staff[f] + factor * wage[f] * n_mgr[f],
                                         rel=1e-12, abs=1e-12)
        assert train[f] == pytest.approx(n_staff[f] * training[f] * tcost[f], rel=1e-12,
                                         abs=1e-12)
    adv, per_1000 = g.uniform(0, 2, nf), g.uniform(0, 30, nf)
    for n_market in [0, 1000, 123_457]:
        got = accounting.advertising_cost(adv, per_1000, n_market)
        np.testing.assert_allclose(got, [adv[f] * per_1000[f] * n_market / 1000
                                         for f in range(nf)], rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------
# staff
# ---------------------------------------------------------------------------


def test_coaching_per_member():
    g = rng(120)
    n = N_CASES
    cap, ctrl = g.uniform(0, 20, n), unit(g, n, edges=(0.0, 1.0))
    team = g.integers(0, 15, n)
    team[:3] = [0, 1, 0]
    got = staff.coaching_per_member(cap, ctrl, team)
    want = [min(cap[i] * (1 - ctrl[i]) / team[i], 1.0) if team[i] > 0 else 0.0 for i in range(n)]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    assert np.all(got <= 1.0)


def test_morale_target():
    g = rng(121)
    n = N_CASES
    coach, train, auth = unit(g, n), unit(g, n), unit(g, n)
    wage_ratio, load = g.uniform(0.5, 1.5, n), g.uniform(0, 3, n)
    load[:2] = [1.0, 0.5]
    ws, wt, wa, ww, wo = 1.5, 1.0, 1.2, 2.0, 1.8
    got = staff.morale_target(coach, train, auth, wage_ratio, load, ws, wt, wa, ww, wo)
    want = [ref_logistic(ws * (coach[i] - 0.5) + wt * (train[i] - 0.5) + wa * (auth[i] - 0.5)
                         + ww * (wage_ratio[i] - 1) - wo * max(load[i] - 1, 0))
            for i in range(n)]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_update_morale():
    g = rng(122)
    m, t = unit(g, N_CASES), unit(g, N_CASES, edges=(1.0, 0.0))
    for mu in [0.0, 0.05, 1.0]:
        got = staff.update_morale(m, t, mu)
        np.testing.assert_allclose(got, [a + mu * (b - a) for a, b in zip(m, t, strict=True)],
                                   rtol=1e-12, atol=1e-15)


def test_update_skill():
    g = rng(123)
    n = N_CASES
    k = unit(g, n, edges=(0.0, 1.0))
    enc, train, coach = g.integers(0, 20, n).astype(float), unit(g, n), unit(g, n)
    for lr, tr, cr in [(0.002, 0.01, 0.02), (0.0, 0.0, 0.0), (0.1, 0.5, 0.5)]:
        got = staff.update_skill(k, enc, train, coach, lr, tr, cr)
        want = [min(k[i] + (lr * enc[i] + tr * train[i] + cr * coach[i]) * (1 - k[i]), 1.0)
                for i in range(n)]
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
        assert np.all(got <= 1.0) and np.all(got >= k - 1e-15)


def test_quit_probability():
    m = unit(rng(124), N_CASES)
    for q0, b in [(0.002, 4.0), (0.5, 0.0), (0.05, -2.0)]:
        got = staff.quit_probability(m, q0, b)
        want = [ref_logistic(ref_logodds(q0) + b * (0.5 - x)) for x in m]
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-15)
    assert staff.quit_probability(np.array([0.5]), 0.002, 4.0)[0] == pytest.approx(0.002)


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
