"""VALIDATION.md checks 9 and 10 — the service-profit chain; service as a profit centre.

9. Heskett, Jones, Loveman, Sasser & Schlesinger (1994, HBR "Putting the
   service-profit chain to work"); Hogreve et al. (2017, J. Marketing)
   meta-analysis: across runs that vary internal service quality (training
   and managers' support vs control), each adjacent pair of the chain —
   internal service quality, staff morale, staff retention, service quality
   delivered, customer satisfaction, customer retention, profit —
   correlates positively (Spearman, p < 0.05).
10. Seed 004 (productized stage; Komatsu): with after-sales packages, the
   lifetime service margin per customer can exceed the margin on the first
   sale; in the reactive stage service is a net cost.
"""

import numpy as np
import pandas as pd
from scipy import stats

from servsim import simulate

CHAIN = ("internal_service", "staff_morale", "staff_retention", "quality", "satisfaction",
         "retention", "profit")


def test_service_profit_chain_holds_link_by_link():
    rng = np.random.default_rng(2024)
    rows = []
    for run in range(20):
        training, control = rng.uniform(0, 1), rng.uniform(0, 1)
        r = simulate(**{"sim.n_customers": 3000, "sim.days": 730,
                        "market.focal_initial_share": 0.3, "strategy.training": training,
                        "org.control_share": control, "sim.seed": run})
        s, f = r.steps.iloc[180:], r.summary["firms"]["focal"]
        rows.append({
            "internal_service": s["internal_service"].mean(),
            "staff_morale": s["staff_morale"].mean(),
            "staff_retention": 1.0 - f["staff_turnover"],
            "quality": (s["quality"] * s["encounters"]).sum() / s["encounters"].sum(),
            "satisfaction": s["satisfaction"].mean(),
            "retention": f["retention_rate"],
            "profit": f["cumulative_profit"],
        })
    df = pd.DataFrame(rows)
    for a, b in zip(CHAIN, CHAIN[1:], strict=False):
        rho, p = stats.spearmanr(df[a], df[b])
        assert rho > 0 and p < 0.05, (a, b, rho, p)


def service_economics(**stage):
    r = simulate(**{"sim.n_customers": 4000, "sim.days": 1095, **stage})
    s, f = r.steps, r.summary["firms"]["focal"]
    customer_years = s["customers"].sum() / 365
    service_margin = (s["revenue_service"].sum() - s["cost_encounters"].sum()
                      - s["cost_proactive"].sum()) / customer_years
    lifetime_years = 1.0 / (1.0 - f["retention_rate"])
    p = r.params
    first_sale_margin = p.market.segments["all"].value * (p.strategy.price
                                                          - p.market.cost_of_goods)
    return service_margin, lifetime_years, first_sale_margin


def test_productized_service_is_a_profit_centre_and_reactive_a_cost():
    reactive, _, _ = service_economics()
    assert reactive < 0  # service costs, earns nothing
    margin, years, first_sale = service_economics(**{
        "stage.contract_uptake": 0.2, "stage.contract_fee": 1.0, "stage.proactive_rate": 0.02,
        "stage.proactive_prevention": 0.5, "stage.service_fee": 10.0})
    assert margin > 0
    assert margin * years > first_sale  # lifetime service margin beats the first sale's
