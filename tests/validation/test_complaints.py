"""VALIDATION.md checks 4-6 — voice, recovery outcome and the conditional paradox.

4. Most dissatisfied customers do not complain (TARP 1979/1986 for the US
   Office of Consumer Affairs: ~1 complaint per ~25 silent dissatisfied in
   consumer markets; B2B higher).  The share of failures that become
   complaints is the segment's parameter, and silent dissatisfaction still
   drives churn.
5. Recovery outcome orders retention (TARP; Hart, Heskett & Sasser 1990):
   resolved quickly > resolved slowly > not resolved.
6. The recovery paradox is conditional (McCollough, Berry & Yadav 2000;
   Smith & Bolton 1998): after a first failure with strong, fast recovery,
   satisfaction can exceed its pre-failure level; after repeated failures,
   or weak recovery, it cannot.
"""

import numpy as np
import pytest
from scipy import stats

from servsim import make_params, simulate
from servsim.model import ServiceMarket


def test_complaint_share_of_failures_is_the_segment_propensity():
    segs = {"consumer": {"share": 0.5, "complaint_propensity": 0.04},
            "b2b": {"share": 0.5, "complaint_propensity": 0.25}}
    model = ServiceMarket(make_params(**{"sim.n_customers": 20_000, "sim.days": 365,
                                         "market.focal_initial_share": 0.5,
                                         "market.segments": segs}))
    failures = {0: 0, 1: 0}
    complaints = {0: 0, 1: 0}
    # count per segment from the recovery table (complaints) and the model's own counters
    model.run()
    table = model.recovery_table()
    seg_of = model.c.segment
    for k in (0, 1):
        complaints[k] = int((seg_of[table["customer"].to_numpy()] == k).sum())
    total_failures = model.step_table()["failures"].sum()
    # failures split across segments in proportion to encounters (same need rates)
    for k in (0, 1):
        failures[k] = total_failures * (seg_of[model.c.firm >= 0] == k).mean()
    consumer = complaints[0] / failures[0]
    b2b = complaints[1] / failures[1]
    assert consumer == pytest.approx(0.04, abs=0.015)  # ~1 in 25 failures voiced
    assert b2b == pytest.approx(0.25, abs=0.05)
    assert b2b > 3 * consumer


def test_silent_dissatisfaction_still_drives_churn():
    base = {"sim.n_customers": 5000, "sim.days": 365, "market.focal_initial_share": 0.5,
            "market.segments": {"all": {"share": 1.0, "complaint_propensity": 0.0}}}
    low, high = [], []
    for seed in range(4):
        low.append(simulate(**base, **{"sim.seed": seed, "behaviour.base_failure": 0.02})
                   .summary["firms"]["focal"])
        high.append(simulate(**base, **{"sim.seed": seed, "behaviour.base_failure": 0.15})
                    .summary["firms"]["focal"])
    assert all(f["complaints"] == 0 for f in low + high)  # nobody voices anything
    assert np.mean([f["retention_rate"] for f in high]) < np.mean(
        [f["retention_rate"] for f in low]) - 0.03


@pytest.fixture(scope="module")
def complaint_history():
    """B2B market with a mixed complaint process: on-the-spot, escalated, ignored."""
    params = make_params(**{
        "sim.n_customers": 40_000, "sim.days": 720, "market.focal_initial_share": 0.6,
        "market.segments": {"b2b": {"share": 1.0, "complaint_propensity": 0.3,
                                    "patience_days": 21}},
        "org.frontline_authority": 0.5, "org.approval_levels": 2, "org.level_delay_days": 3,
        "strategy.complaint_handling": 0.8, "strategy.compensation": 0.3,
        "strategy.staff_per_1000": 3.5,
    })
    model = ServiceMarket(params)
    model.run()
    table = model.recovery_table()
    table = table[table["day"] <= params.sim.days - 180].copy()  # 180 days to observe retention
    c = model.c
    cust = table["customer"].to_numpy()
    table["retained"] = (c.stage[cust] >= 1) & (c.stage[cust] <= 4) & (c.firm[cust] == 0)
    return table


def test_recovery_outcome_orders_retention(complaint_history):
    t = complaint_history
    fast = t[t["resolved"] & (t["days"] <= 1)]["retained"]
    slow = t[t["resolved"] & (t["days"] >= 3)]["retained"]
    unresolved = t[~t["resolved"]]["retained"]
    assert min(len(fast), len(slow), len(unresolved)) >= 300
    assert fast.mean() > slow.mean() > unresolved.mean()
    # the ordering is a statistically clear trend (Cochran-Armitage, one-sided, p < 0.01)
    assert cochran_armitage_p([unresolved, slow, fast]) < 0.01
    # and resolving at all matters (Fisher exact, one-sided)
    table = [[slow.sum(), len(slow) - slow.sum()],
             [unresolved.sum(), len(unresolved) - unresolved.sum()]]
    assert stats.fisher_exact(table, alternative="greater").pvalue < 0.01


def cochran_armitage_p(groups) -> float:
    """One-sided p-value of an increasing trend in proportions across ordered groups."""
    n = np.array([len(g) for g in groups], dtype=float)
    x = np.array([g.sum() for g in groups], dtype=float)
    w = np.arange(len(groups), dtype=float)
    p = x.sum() / n.sum()
    t = (w * (x - n * p)).sum()
    var = p * (1 - p) * ((n * w**2).sum() - (n * w).sum() ** 2 / n.sum())
    return float(stats.norm.sf(t / np.sqrt(var)))


def test_recovery_paradox_only_after_first_failure_and_strong_recovery():
    # empowered frontline, generous compensation: many strong, fast recoveries
    params = make_params(**{
        "sim.n_customers": 20_000, "sim.days": 365, "market.focal_initial_share": 0.6,
        "market.segments": {"b2b": {"share": 1.0, "complaint_propensity": 0.3}},
        "org.frontline_authority": 0.7, "strategy.compensation": 1.0,
        "strategy.staff_per_1000": 3.5,
    })
    model = ServiceMarket(params)
    model.run()
    t = model.recovery_table()
    t = t[t["resolved"]]
    delta = t["sat_after"] - t["sat_before"]
    strong = t["recovery_quality"] >= 0.85
    first = t["first_failure"]
    paradox = delta[strong & first]
    repeated = delta[strong & ~first]
    weak = delta[(t["recovery_quality"] < 0.6) & first]
    assert len(paradox) >= 100 and len(repeated) >= 20 and len(weak) >= 20
    assert stats.ttest_1samp(paradox, 0.0, alternative="greater").pvalue < 0.01
    assert repeated.mean() < 0 and weak.mean() < 0
