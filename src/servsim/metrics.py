"""Run summaries as pure functions of the per-step table.

Definitions (per firm, over the whole run):

* ``cumulative_profit`` = sum of daily profit; ``discounted_profit`` = sum of
  profit_t / (1 + d)^(t / 365) with d the annual ``sim.discount_rate``.
* ``retention_rate`` (annual) = (1 - h)^365 with h = churn / customer-days,
  the daily defection hazard.
* ``margin_per_customer_year`` = (revenue - goods - compensation - encounter,
  proactive and follow-up costs) per customer-year: the contribution margin.
* ``clv`` = m r / (1 + d - r) (Gupta & Lehmann 2003, margin at the end of each
  year survived) with m the margin per customer-year and r the retention rate.
* ``recovery_days`` = mean days from complaint to resolution;
  ``staff_turnover`` = quits per staff-year.
* ``satisfaction``, ``recommend_score``, ``staff_morale``: means over the
  last ``window`` days (30).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

VARIABLE_COSTS = ("cost_goods", "cost_compensation", "cost_encounters", "cost_proactive",
                  "cost_followup")


def clv(margin: float, retention: float, discount: float) -> float:
    """Customer lifetime value m r / (1 + d - r) (Gupta & Lehmann 2003)."""
    return margin * retention / (1.0 + discount - retention)


def customer_equity(customers: float, clv_per_customer: float) -> float:
    """Customer equity of the current customer base: ``customers x CLV``.

    The value of the customers a firm holds at the end of a run, each worth the
    lifetime value :func:`clv` of the run's margin and retention (Rust, Lemon &
    Zeithaml 2004; Gupta, Lehmann & Stuart 2004 add the customers still to be
    acquired, which a run's horizon leaves out): the terminal value to set beside
    cumulative profit, so that a strategy that milks its base does not look better
    than one that builds it.
    """
    return float(customers * clv_per_customer)


def firm_summary(df: pd.DataFrame, discount_rate: float, window: int = 30) -> dict:
    """Summary of one firm's rows of the step table (see module docstring)."""
    df = df.sort_values("day")
    days = df["day"].to_numpy()
    profit = df["profit"].to_numpy()
    factor = (1.0 + discount_rate) ** (-days / 365.0)
    customer_days = float(df["customers"].sum())
    churn = float(df["churn"].sum())
    hazard = churn / customer_days if customer_days > 0 else float("nan")
    retention = (1.0 - hazard) ** 365 if customer_days > 0 else float("nan")
    margin_total = float(df["revenue"].sum() - sum(df[c].sum() for c in VARIABLE_COSTS))
    margin = margin_total / (customer_days / 365.0) if customer_days > 0 else float("nan")
    recoveries = float(df["recoveries"].sum())
    rec_days = (df["recovery_days"].fillna(0.0) * df["recoveries"]).sum()
    staff_years = float(df["staff"].sum()) / 365.0
    tail = df.tail(window)
    return {
        "cumulative_profit": float(profit.sum()),
        "discounted_profit": float((profit * factor).sum()),
        "revenue": float(df["revenue"].sum()),
        "cost": float(df["cost"].sum()),
        "retention_rate": float(retention),
        "margin_per_customer_year": float(margin),
        "clv": float(clv(margin, retention, discount_rate)) if customer_days > 0 else float("nan"),
        "final_customers": float(df["customers"].iloc[-1]),
        "final_share": float(df["share"].iloc[-1]),
        "acquisitions": float(df["acquisitions"].sum()),
        "churn": churn,
        "satisfaction": float(tail["satisfaction"].mean()),
        "recommend_score": float(tail["recommend_score"].mean()),
        "failures": float(df["failures"].sum()),
        "complaints": float(df["complaints"].sum()),
        "recoveries": recoveries,
        "recovery_days": float(rec_days / recoveries) if recoveries > 0 else float("nan"),
        "complaints_abandoned": float(df["complaints_abandoned"].sum()),
        "wom_positive": float(df["wom_positive"].sum()),
        "wom_negative": float(df["wom_negative"].sum()),
        "staff_morale": float(tail["staff_morale"].mean()),
        "staff_skill": float(tail["staff_skill"].mean()),
        "staff_turnover": float(df["staff_quits"].sum() / staff_years) if staff_years else 0.0,
        "service_revenue": float(df["revenue_service"].sum()),
    }


def run_summary(steps: pd.DataFrame, discount_rate: float, focal: str, burn_in: int = 0) -> dict:
    """Summary of a run: ``{"focal": name, "firms": {name: firm_summary}}``.

    With ``burn_in`` > 0 the firms' summaries count only days after it
    (``sim.burn_in_days``: flows, retention and CLV of the endogenous market, not of the
    transition from the day-0 allocation); ``days`` stays the run's length.
    """
    days = int(steps["day"].max()) if len(steps) else 0
    if burn_in:
        steps = steps[steps["day"] > burn_in]
    firms = {
        str(name): firm_summary(g, discount_rate) for name, g in steps.groupby("firm", sort=False)
    }
    return {"focal": focal, "days": days, "firms": firms}


def nan_to_none(obj):
    """Recursively replace NaN floats by None (JSON has no NaN)."""
    if isinstance(obj, dict):
        return {k: nan_to_none(v) for k, v in obj.items()}
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj
