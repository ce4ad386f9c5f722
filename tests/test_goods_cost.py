"""The unit cost of goods scales with product quality (ODD 7.11), in the engine."""

import numpy as np
import pytest

from servsim import simulate
from servsim.mechanisms import accounting

RUN = {"sim.n_customers": 1500, "sim.days": 120, "sim.seed": 4}


def test_goods_cost_share_is_the_market_share_at_the_mainstream_product():
    assert accounting.goods_cost_share(0.6, 0.65, 0.65, 1.0) == 0.6
    assert accounting.goods_cost_share(0.6, 0.3, 0.65, 0.0) == 0.6
    assert accounting.goods_cost_share(0.6, 0.5, 0.65, 1.0) == pytest.approx(0.6 * 0.5 / 0.65)
    assert accounting.goods_cost_share(0.6, 0.85, 0.65, 2.0) == pytest.approx(
        0.6 * (0.85 / 0.65) ** 2)
    shares = [accounting.goods_cost_share(0.6, q, 0.65, 1.5) for q in (0.3, 0.5, 0.65, 0.9)]
    assert shares == sorted(shares) and len(set(shares)) == 4


def books(curvature: float):
    r = simulate(market="company_a", **RUN, **{"market.product_cost_curvature": curvature})
    return r.steps.groupby("firm").sum(numeric_only=True), r.params.firms


def test_better_products_cost_more_and_costs_move_no_decision():
    # company_a: focal differentiated (pq 0.65 = the reference), foreign premium (0.85),
    # small_firms lowcost (0.5).  Same seed with the quality term off and on: the cost of
    # goods is an accounting cost, so every customer count and revenue is identical, the
    # mainstream firm's goods cost too, and the others' scale by (pq / 0.65) exactly.
    off, _ = books(0.0)
    on, firms = books(1.0)
    for col in ("customers", "revenue_purchases", "acquisitions", "churn"):
        np.testing.assert_array_equal(on[col], off[col])
    quality = {f.name: f.strategy.product_quality for f in firms}
    assert quality == {"focal": 0.65, "foreign": 0.85, "small_firms": 0.5}
    for name, q in quality.items():
        assert on.loc[name, "cost_goods"] == pytest.approx(
            off.loc[name, "cost_goods"] * q / 0.65, rel=1e-12), name
    assert on.loc["small_firms", "profit"] > off.loc["small_firms", "profit"]
    assert on.loc["foreign", "profit"] < off.loc["foreign", "profit"]
