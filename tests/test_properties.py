"""Hypothesis properties over random valid parameters, for a simulated 10 years.

Invariants checked after every day:

* customers are conserved: prospects + sum over firms and stages = population;
* every bounded state stays within its bounds (satisfaction, expectation,
  skill, morale in [0, 1]; attitude in [-1, 1]; counts >= 0);
* no inf anywhere, and NaN only in means over an empty set (documented);
* profit = revenue - cost every day, and cumulatively.
"""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servsim import make_params
from servsim.model import METRICS, ServiceMarket
from servsim.params import NETWORK_KINDS
from servsim.state import ADVOCATE, NEW

unit = st.floats(0.0, 1.0)

# Means over a set that can be empty (no customers, no staff, nothing resolved).
NAN_WHEN_EMPTY = {"satisfaction", "expectation", "recommend_score", "wait_days", "recovery_days",
                  "quality", "internal_service",
                  "staff_morale", "staff_skill"}


@st.composite
def strategies(draw):
    return {
        "service_level": draw(unit),
        "tiering": draw(unit),
        "price": draw(st.floats(0.3, 2.5)),
        "promise": draw(st.floats(0.5, 1.6)),
        "advertising": draw(unit),
        "service_level_target": draw(st.floats(0.0, 0.99)),
        "training": draw(unit),
        "compensation": draw(st.floats(0.0, 1.5)),
        "complaint_handling": draw(unit),
        "wage": draw(st.floats(50.0, 400.0)),
    }


@st.composite
def orgs(draw):
    return {
        "frontline_authority": draw(unit),
        "approval_levels": draw(st.integers(1, 5)),
        "level_delay_days": draw(st.integers(0, 5)),
        "manager_span": draw(st.integers(1, 20)),
        "control_share": draw(unit),
    }


@st.composite
def stages(draw):
    return {
        "standardization": draw(st.floats(0.0, 0.9)),
        "followup_rate": draw(unit),
        "contract_uptake": draw(unit),
        "contract_fee": draw(st.floats(0.0, 20.0)),
        "proactive_rate": draw(st.floats(0.0, 0.2)),
        "proactive_prevention": draw(unit),
        "service_fee": draw(st.floats(0.0, 50.0)),
    }


@st.composite
def segments(draw):
    k = draw(st.integers(1, 3))
    weights = np.array([draw(st.floats(0.1, 1.0)) for _ in range(k)])
    shares = weights / weights.sum()
    shares[-1] = 1.0 - shares[:-1].sum()
    return {
        f"s{i}": {
            "share": float(shares[i]),
            "value": draw(st.floats(1.0, 500.0)),
            "price_sensitivity": draw(st.floats(0.0, 3.0)),
            "expectation": draw(unit),
            "need_rate": draw(st.floats(0.0, 0.3)),
            "purchase_rate": draw(st.floats(0.0, 0.3)),
            "complaint_propensity": draw(unit),
            "patience_days": draw(st.integers(1, 30)),
        }
        for i in range(k)
    }


@st.composite
def params(draw):
    n_comp = draw(st.integers(0, 2))
    shares = [draw(st.floats(0.0, 0.3)) for _ in range(n_comp + 1)]
    competitors = {
        f"c{i}": {"name": f"c{i}", "initial_share": shares[i + 1], "strategy": draw(strategies()),
                  "org": draw(orgs()), "stage": draw(stages())}
        for i in range(n_comp)
    }
    n = draw(st.integers(30, 150))
    return make_params(
        {
            "strategy": draw(strategies()),
            "org": draw(orgs()),
            "stage": draw(stages()),
            "market": {
                "segments": draw(segments()),
                "network": {"kind": draw(st.sampled_from(NETWORK_KINDS)),
                            "mean_degree": draw(st.integers(1, 12)),
                            "rewire_prob": draw(unit)},
                "competitors": competitors,
                "focal_initial_share": shares[0],
                "innovation": draw(st.floats(0.0, 0.05)),
                "imitation": draw(st.floats(0.0, 0.5)),
                "expectation_drift": draw(st.floats(-0.1, 0.2)),
            },
            "sim": {"n_customers": n, "days": 3650, "seed": draw(st.integers(0, 2**31))},
        }
    )


def check_state(model: ServiceMarket) -> None:
    c, s = model.customers, model.staff
    for arr in (c.satisfaction, c.expectation, s.skill, s.morale):
        assert np.isfinite(arr).all()
        assert arr.min(initial=0) >= 0.0 and arr.max(initial=0) <= 1.0
    assert np.isfinite(c.attitude).all()
    assert c.attitude.min(initial=0) >= -1.0 and c.attitude.max(initial=0) <= 1.0
    assert ((c.stage >= 0) & (c.stage <= 5)).all()
    active = (c.stage >= NEW) & (c.stage <= ADVOCATE)
    assert (c.firm[active] >= 0).all()
    assert (c.tenure >= 0).all()


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(params())
def test_ten_years_invariants(p):
    model = ServiceMarket(p)
    for _ in range(p.sim.days):
        model.step()
        check_state(model)
        block = model.records[model.day - 1]
        n_stage = block[:, [METRICS.index(f"customers_{x}")
                            for x in ("new", "repeat", "loyal", "advocate", "lapsed")]].sum()
        assert n_stage + block[0, METRICS.index("prospects")] == p.sim.n_customers
    table = model.step_table()
    values = table[METRICS].to_numpy()
    assert not np.isinf(values).any()
    for col in METRICS:
        if col not in NAN_WHEN_EMPTY:
            assert not table[col].isna().any(), col
    assert (table[[c for c in METRICS if c.startswith(("cost", "revenue_", "customers"))]]
            >= -1e-9).all().all()
    np.testing.assert_allclose(table["profit"], table["revenue"] - table["cost"], atol=1e-6)
    np.testing.assert_allclose(table["profit"].sum(), table["revenue"].sum() - table["cost"].sum(),
                               rtol=1e-9, atol=1e-6)
