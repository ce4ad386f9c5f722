"""The engine and the one-object-per-agent Mesa reference agree statistically.

``benchmarks/reference_model.py`` re-implements the model the plain Mesa way
(one ``mesa.Agent`` per customer, employee and manager; scalar Python maths;
random numbers drawn in another order).  Both run on the same parameters and
seeds 0..19, and these run-level outcomes are compared:

=====================  =========================================================
churn rate             churn / customer-days (the daily defection hazard)
complaint rate         complaints / failures
failure rate           failures / served encounters (give-ups count as failures)
recovery rate          recoveries / complaints
mean satisfaction      mean over days of the mean satisfaction of active customers
acquisitions           customers won over the run
=====================  =========================================================

Scenarios (:func:`reference_model.scenario`, 600 customers x 120 days):
``single_firm`` (all six outcomes of the focal firm) and ``two_firm`` (a
premium rival with an inverted pyramid, so customers switch: the six outcomes
pooled over the market, plus each firm's satisfaction and acquisitions and the
focal firm's recovery rate).  Event rates are raised (:data:`BUSY`: more needs,
failures, complaints and defections, some ignored complaints, follow-up calls,
service contracts and proactive contacts) so that every mechanism fires often
enough at this small size; staffing is ample because queueing dynamics add a
lot of run-to-run noise to failure rates at this size.

Criterion, for each of the ``K`` = 16 comparisons:

1. Welch's t-test of the 20 engine values against the 20 reference values
   gives ``p > 0.01 / K`` (Bonferroni: a family-wise false-alarm rate of 1%
   when the two implementations are equivalent), **and**
2. the relative difference of the means ``|mean_ref - mean_eng| / |mean_eng|``
   is within :data:`BOUNDS` (churn 30%, complaint rate 20%, failure rate 20%,
   recovery rate 12%, satisfaction 2%, acquisitions 25%: about four standard
   errors of that difference at this size, measured when the test was
   written; the standard errors were 5-7% for churn, 3-4% for complaint and
   failure rates, 2-3% for recovery, 0.2-0.4% for satisfaction and 4-6% for
   acquisitions).

Seeds are fixed, so the test is deterministic: a failure means the two
implementations drifted apart (a mechanism changed on one side only), not bad
luck.  When the engine's model changes on purpose, change the reference too.
"""

from __future__ import annotations

import multiprocessing
import os
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from scipy import stats

from benchmarks.reference_model import ReferenceMarket, scenario
from servsim.model import ServiceMarket

N_CUSTOMERS = 600
DAYS = 120
SEEDS = range(20)
ALPHA = 0.01

BUSY = {
    "market.segments.regular.need_rate": 0.05,
    "market.segments.key.need_rate": 0.06,
    "market.segments.regular.complaint_propensity": 0.3,
    "market.segments.key.complaint_propensity": 0.5,
    "market.segments.regular.patience_days": 7,
    "market.segments.key.patience_days": 10,
    "behaviour.base_failure": 0.12,
    "behaviour.loyal_tenure_days": 45,
    "strategy.service_level_target": 0.99,
    "behaviour.churn_base": 0.05,
    "strategy.complaint_handling": 0.85,
    "stage.followup_rate": 0.1,
    "stage.contract_uptake": 0.05,
    "stage.proactive_rate": 0.03,
    "stage.proactive_prevention": 0.3,
    "stage.contract_fee": 1.0,
    "stage.standardization": 0.1,
}
"""Raised event rates for a small, fast but informative comparison (staffing is ample:
queueing dynamics add much run-to-run noise to failure rates at this size)."""

RIVAL = {"market.competitors.rival.strategy.service_level_target": 0.99}
"""The two-firm market's rival is staffed like the focal firm."""

BOUNDS = {
    "churn_rate": 0.30,
    "complaint_rate": 0.20,
    "failure_rate": 0.20,
    "recovery_rate": 0.12,
    "satisfaction": 0.02,
    "acquisitions": 0.25,
}
"""Largest accepted relative difference of the means, per outcome."""

SCENARIOS = ("single_firm", "two_firm")


def _outcomes(g) -> dict[str, float]:
    failures = g["failures"].sum()
    complaints = g["complaints"].sum()
    days = g.groupby("day")
    satisfaction = (days.apply(lambda d: (d["satisfaction"] * d["customers"]).sum()
                               / max(d["customers"].sum(), 1), include_groups=False)
                    if g["firm"].nunique() > 1 else g["satisfaction"])
    return {
        "churn_rate": g["churn"].sum() / max(g["customers"].sum(), 1),
        "complaint_rate": complaints / max(failures, 1),
        "failure_rate": failures / max(g["encounters"].sum(), 1),
        "recovery_rate": g["recoveries"].sum() / max(complaints, 1),
        "satisfaction": float(satisfaction.mean()),
        "acquisitions": float(g["acquisitions"].sum()),
    }


def outcomes(steps) -> dict[str, dict[str, float]]:
    """Run-level outcomes per firm, and pooled over the market, from a step table."""
    out = {str(firm): _outcomes(g) for firm, g in steps.groupby("firm", sort=False)}
    out["market"] = _outcomes(steps)
    return out


def run_both(name: str, seed: int) -> tuple[dict, dict]:
    p = scenario(name, **BUSY, **(RIVAL if name == "two_firm" else {}),
                 **{"sim.n_customers": N_CUSTOMERS, "sim.days": DAYS, "sim.seed": seed})
    engine = ServiceMarket(p)
    engine.run()
    reference = ReferenceMarket(p)
    reference.run()
    return outcomes(engine.step_table()), outcomes(reference.step_table())


@pytest.fixture(scope="module")
def runs() -> dict[str, list[tuple[dict, dict]]]:
    """Every (scenario, seed) pair, on up to 2 processes (the CI machines have 2 cores)."""
    jobs = [(name, seed) for name in SCENARIOS for seed in SEEDS]
    workers = min(2, os.cpu_count() or 1)
    if workers > 1:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            results = list(pool.map(run_both, *zip(*jobs, strict=True)))
    else:
        results = [run_both(name, seed) for name, seed in jobs]
    out: dict[str, list[tuple[dict, dict]]] = {name: [] for name in SCENARIOS}
    for (name, _), result in zip(jobs, results, strict=True):
        out[name].append(result)
    return out


COMPARED = {
    "single_firm": {"focal": tuple(BOUNDS)},
    "two_firm": {"market": tuple(BOUNDS),
                 "focal": ("recovery_rate", "satisfaction", "acquisitions"),
                 "rival": ("satisfaction", "acquisitions")},
}
"""Outcomes compared per scenario and firm: in the two-firm market the rates are
pooled over the market (per firm they rest on too few events at this size), and
each firm's recovery, satisfaction and acquisitions (switching) are compared."""


def comparisons(runs) -> list[dict]:
    rows = []
    for name, pairs in runs.items():
        for firm, metrics in COMPARED[name].items():
            for metric in metrics:
                e = np.array([eng[firm][metric] for eng, _ in pairs], dtype=float)
                r = np.array([ref[firm][metric] for _, ref in pairs], dtype=float)
                with warnings.catch_warnings():  # near-constant samples: precision note
                    warnings.simplefilter("ignore", RuntimeWarning)
                    p = 1.0 if np.allclose(e, r) else float(
                        stats.ttest_ind(e, r, equal_var=False).pvalue)
                rel = abs(r.mean() - e.mean()) / abs(e.mean())
                rows.append({"scenario": name, "firm": firm, "metric": metric,
                             "engine": e.mean(), "reference": r.mean(), "rel": rel, "p": p})
    return rows


@pytest.mark.slow
def test_engine_and_reference_agree(runs):
    rows = comparisons(runs)
    k = len(rows)
    report = "\n".join(
        f"{r['scenario']:12s} {r['firm']:6s} {r['metric']:15s} engine {r['engine']:10.5f} "
        f"reference {r['reference']:10.5f} rel {r['rel']:6.1%} (<= {BOUNDS[r['metric']]:.0%}) "
        f"p {r['p']:.3g} (> {ALPHA / k:.2g})"
        for r in rows
    )
    print(report)
    bad = [r for r in rows if not (r["p"] > ALPHA / k and r["rel"] <= BOUNDS[r["metric"]])]
    assert not bad, "engine and reference disagree:\n" + report


@pytest.mark.slow
def test_every_mechanism_fires(runs):
    """The comparison is informative only if the events it compares happen."""
    for name, pairs in runs.items():
        for eng, ref in pairs:
            for side in (eng, ref):
                focal = side["focal"]
                assert focal["acquisitions"] > 0
                assert focal["complaint_rate"] > 0
                assert focal["recovery_rate"] > 0
                assert focal["churn_rate"] > 0


def test_reference_table_has_the_engine_columns():
    from servsim.results import STEP_COLUMNS

    p = scenario(**{"sim.n_customers": 200, "sim.days": 5})
    m = ReferenceMarket(p)
    m.run()
    df = m.step_table()
    assert list(df.columns) == list(STEP_COLUMNS)
    assert df["day"].tolist() == [1, 2, 3, 4, 5]
    stages = [f"customers_{s}" for s in ("new", "repeat", "loyal", "advocate", "lapsed")]
    assert ((df[stages].sum(axis=1) + df["prospects"]) == 200).all()
    np.testing.assert_allclose(df["profit"], df["revenue"] - df["cost"])
