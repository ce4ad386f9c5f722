"""sim.counter_draws: the choice step's per-customer counter-based draws (ODD 7.10).

The off setting is bit-identical to the engine as it was: tests/test_fingerprint.py
checks all 91 fingerprints (benchmarks/fingerprint.py --check), every one with
``sim.counter_draws = 0`` (the default).
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from servsim.calibration import simulators
from servsim.kernels.random import counter_uniform
from servsim.params import make_params
from servsim.simulate import simulate
from servsim.streams import OCCASION_STREAM, hashed_uniform

SMALL = {"sim.n_customers": 2000, "sim.days": 60, "market.innovation": 0.01,
         "market.imitation": 0.05, "sim.record_events": 1}
TRUTH = {"r": 0.25, "alpha": 4.8, "a": 0.75, "b": 2.2}


def test_counter_uniform_is_the_numpy_hash_bit_for_bit():
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 2**40, size=(500, 4))
    for seed, stream, customer, day in keys:
        a = counter_uniform(int(seed), int(stream), int(customer), int(day))
        assert a == hashed_uniform(int(seed), int(stream), int(customer), int(day))
        assert a == counter_uniform(int(seed), int(stream), int(customer), int(day))
        assert 0.0 < a < 1.0


def test_counter_uniform_is_uniform_and_streams_are_unrelated():
    # 300 customers x 1000 days of one stream: the KS statistic against U(0, 1) must be
    # below the 0.1% critical value 1.95 / sqrt(n) (a true uniform fails 1 time in 1000)
    customer, day = np.meshgrid(np.arange(300), np.arange(1000))
    u = np.array([counter_uniform(7, OCCASION_STREAM, int(i), int(t))
                  for i, t in zip(customer.ravel()[:20_000], day.ravel()[:20_000],
                                  strict=True)])
    every = hashed_uniform(7, OCCASION_STREAM, customer.ravel(), day.ravel())
    np.testing.assert_array_equal(u, every[:20_000])
    n = every.size
    assert stats.kstest(every, "uniform").statistic < 1.95 / np.sqrt(n)
    # neighbouring keys (next customer, next day, next stream, next seed) are unrelated:
    # |correlation| below 4 standard errors (1 / sqrt(n))
    base = hashed_uniform(7, OCCASION_STREAM, customer.ravel(), day.ravel())
    for other in (hashed_uniform(7, OCCASION_STREAM, customer.ravel() + 1, day.ravel()),
                  hashed_uniform(7, OCCASION_STREAM, customer.ravel(), day.ravel() + 1),
                  hashed_uniform(7, OCCASION_STREAM + 1, customer.ravel(), day.ravel()),
                  hashed_uniform(8, OCCASION_STREAM, customer.ravel(), day.ravel())):
        assert abs(np.corrcoef(base, other)[0, 1]) < 4 / np.sqrt(n)


def test_same_seed_gives_identical_events_and_another_seed_other_events():
    # the whole model (service layer on) with counter draws
    kw = {**SMALL, "sim.counter_draws": 1}
    a, b = simulate(make_params(**kw)), simulate(make_params(**kw))
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.steps, b.steps)
    c = simulate(make_params(**{**kw, "sim.seed": 1}))
    assert not a.events.equals(c.events)
    off = simulate(make_params(**SMALL))  # the setting changes which numbers are drawn
    assert not a.events.equals(off.events)


def _cohort(n, config, params, seed=0, days=120):
    """Purchases (customer, day) of an n-customer BTYD-like engine cohort (amounts left
    out: the customers' spend multipliers come from the model's generator at set-up)."""
    first = np.arange(n) % 30  # entries spread over the first month
    sim = simulators.ServsimCohort(first, days, config)
    return sim(params, seed)[["customer", "day"]]


def _of(tx, who):
    return tx[tx["customer"].isin(who)].reset_index(drop=True)


def _two_segments(counter, rate_y):
    seg = {"share": 0.5, "purchase_rate": 0.03, "rate_shape": 0.5,
           "dropout_concentration": 3.0}
    return {"sim.counter_draws": counter, "behaviour.churn_base": 0.25,
            "market.segments": {"x": seg, "y": {**seg, "purchase_rate": rate_y}}}


@pytest.mark.parametrize("counter", [1, 0])
def test_a_customers_draws_do_not_depend_on_other_customers(counter):
    # BTYD-like cohort (service layer off): adding customers, or changing another
    # segment's purchase rate, leaves customer i's purchases unchanged with counter
    # draws; with the sequential generator both change them (the test can fail)
    from servsim.model import ServiceMarket

    config = {"sim.counter_draws": counter}
    small, big = _cohort(400, config, TRUTH), _cohort(600, config, TRUTH)
    same_when_added = _of(big, np.arange(400)).equals(small)
    base = _cohort(600, _two_segments(counter, 0.03), {})
    faster = _cohort(600, _two_segments(counter, 0.06), {})
    params = make_params(**{**simulators.SERVSIM_BASE, **_two_segments(counter, 0.03),
                            "sim.n_customers": 600})
    x = np.flatnonzero(ServiceMarket(params).customers.segment == 0)
    y = np.setdiff1d(np.arange(600), x)
    assert 200 < x.size < 400
    assert len(_of(faster, y)) > 1.3 * len(_of(base, y))  # segment y does buy more
    same_when_other_segment_changes = _of(faster, x).equals(_of(base, x))
    if counter:
        assert same_when_added and same_when_other_segment_changes
    else:
        assert not same_when_added and not same_when_other_segment_changes


def test_common_random_numbers_hold_under_a_small_parameter_change():
    # a 1% change of r changes few customers' purchase counts with counter draws (the
    # toy simulators' bar: under 2%); with the sequential generator most later draws
    # shift and many more customers' counts change
    n = 3000

    def changed(counter):
        config = {"sim.counter_draws": counter}
        a = _cohort(n, config, TRUTH)
        b = _cohort(n, config, {**TRUTH, "r": TRUTH["r"] * 1.01})
        ca, cb = (np.bincount(t["customer"], minlength=n) for t in (a, b))
        return np.mean(ca != cb)

    with_counter, without = changed(1), changed(0)
    assert with_counter < 0.02
    assert without > 5 * with_counter
