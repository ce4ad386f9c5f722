"""VALIDATION.md check 2 — customer lifetime value (Gupta & Lehmann 2003).

With constant margin m per period, constant retention r and discount rate d,
margin received at the end of each period survived: CLV = m r / (1 + d - r).
Set-up: one segment, every customer a customer at day 0, no acquisition, a
purchase every period, defection independent of satisfaction, attitude and
price (exogenous constant retention), no loyalty premium or cross-buying.
The mean discounted margin per customer must match within 2%.
"""

import numpy as np

from servsim import simulate
from servsim.metrics import clv


def test_discounted_margin_matches_gupta_lehmann():
    n, r, d = 50_000, 0.9, 0.01
    value, price, cogs = 100.0, 1.0, 0.6
    res = simulate(**{
        "sim.n_customers": n, "sim.days": 200, "market.focal_initial_share": 1.0,
        "market.innovation": 0.0, "market.imitation": 0.0, "market.network.kind": "random",
        "market.cost_of_goods": cogs, "strategy.price": price,
        "market.segments": {"all": {"share": 1.0, "need_rate": 0.0, "purchase_rate": 1.0,
                                    "value": value}},
        "behaviour.churn_base": 1 - r, "behaviour.churn_satisfaction": 0.0,
        "behaviour.churn_attitude": 0.0, "behaviour.churn_price": 0.0,
        "strategy.loyalty_premium": 0.0, "strategy.cross_buy": 0.0,
    })
    s = res.steps
    margin = (s["revenue_purchases"] - s["cost_goods"]).to_numpy()
    simulated = float((margin / (1 + d) ** s["day"].to_numpy()).sum() / n)
    m = value * (price - cogs)  # customer values are lognormal with mean 1 x segment value
    expected = clv(m, r, d)
    assert abs(simulated / expected - 1) < 0.02
    # and the expected tenure 1/(1 - r): customers churn at the exogenous rate
    churn_hazard = s["churn"].sum() / s["customers"].shift(1, fill_value=n).sum()
    assert abs(churn_hazard - (1 - r)) < 0.003
