"""What a run returns: the per-step table, the run summary and the parameters.

The per-step table is tidy and wide: one row per (day, firm), one column per
metric in :data:`STEP_COLUMNS`.  Market-level values (``prospects``,
``market_norm``) repeat on every firm's row of that day.  Summaries are pure
functions of the table (:mod:`servsim.metrics`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from servsim.params import Params, to_dict

STAGES = ("prospect", "new", "repeat", "loyal", "advocate", "lapsed")
"""Relationship stages (seed 002 lifecycle); codes are the tuple's indices."""

REVENUE_SOURCES = ("purchases", "premium", "crossbuy", "service")
COST_SOURCES = (
    "goods",
    "wages",
    "training",
    "compensation",
    "proactive",
    "followup",
    "advertising",
    "hiring",
    "encounters",
    "acquisition",
    "overhead",
)

STEP_COLUMNS: dict[str, str] = {
    "day": "day index, 1 = after the first step",
    "firm": "firm name (focal first)",
    "prospects": "market: customers who have never adopted any firm",
    "customers_new": "customers in stage new",
    "customers_repeat": "customers in stage repeat",
    "customers_loyal": "customers in stage loyal",
    "customers_advocate": "customers in stage advocate",
    "customers_lapsed": "former customers of this firm now with no firm",
    "customers": "active customers (new + repeat + loyal + advocate)",
    "share": "active customers / all active customers in the market",
    "acquisitions": "customers won today (prospects, lapsed and switchers)",
    "churn": "customers lost today (lapsed or switched away)",
    "satisfaction": "mean satisfaction of active customers",
    "expectation": "mean expectation of active customers",
    "recommend_score": "NPS-style score in [-100, 100]: % promoters - % detractors",
    "encounters": "service encounters served today",
    "waiting": "service requests waiting at the end of the day (queue length)",
    "wait_days": "mean days waited by encounters served today",
    "quality": "mean perceived quality of today's encounters",
    "failures": "service failures today",
    "complaints": "complaints lodged today",
    "complaints_ignored": "complaints today that the firm did not act on",
    "recoveries": "complaints resolved today",
    "recoveries_on_spot": "complaints resolved today by the frontline on the spot",
    "recovery_days": "mean days from complaint to resolution, over today's resolutions",
    "complaints_abandoned": "complaints given up today by customers who waited too long",
    "complaint_queue": "escalated complaints waiting for approval at the end of the day",
    "wom_positive": "positive word-of-mouth messages sent today",
    "wom_negative": "negative word-of-mouth messages sent today",
    "contracts": "customers holding a service contract",
    **{f"revenue_{s}": f"revenue from {s}" for s in REVENUE_SOURCES},
    "revenue": "total revenue",
    **{f"cost_{s}": f"cost of {s}" for s in COST_SOURCES},
    "cost": "total cost",
    "profit": "revenue - cost",
    "staff": "active frontline staff",
    "staff_morale": "mean morale of active staff",
    "staff_skill": "mean skill of active staff",
    "internal_service": "internal service quality as surveyed: mean rating of the staff who "
                        "answered (noisy)",
    "staff_quits": "staff who quit today",
    "staff_hires": "novices who started today",
    "manager_coaching": "coaching sessions given today",
    "market_norm": "market: mean reference expectation of quality (drifts up)",
}


METRICS: list[str] = [c for c in STEP_COLUMNS if c not in ("day", "firm")]
"""Per-(day, firm) metrics the model records, in :data:`STEP_COLUMNS` order (the columns
of ``ServiceMarket.records``)."""
METRIC_INDEX: dict[str, int] = {name: i for i, name in enumerate(METRICS)}
"""Column of each metric in the model's day log and records."""


@dataclass
class RunResult:
    """The outputs of :func:`servsim.simulate`."""

    steps: pd.DataFrame
    """Per (day, firm) table with :data:`STEP_COLUMNS`."""
    summary: dict[str, Any]
    """Per-run summary: ``{"firms": {name: {...}}, "focal": name, ...}``."""
    params: Params
    """The resolved parameters (``sim.seed`` is the seed)."""
    extras: dict[str, Any] = field(default_factory=dict)
    """Diagnostics: ``recoveries`` (one row per closed complaint, see
    :meth:`servsim.model.ServiceMarket.recovery_table`)."""
    events: pd.DataFrame | None = None
    """The per-customer event log (``sim.record_events=1``; :mod:`servsim.events`)."""

    def config(self) -> dict:
        """The resolved configuration as a plain dict."""
        return to_dict(self.params)

    @property
    def outcomes(self) -> dict[str, float]:
        """The focal firm's scalar outcomes as one flat dict (the run's EMA-style outcomes).

        The metrics of :func:`servsim.metrics.firm_summary` for the focal firm,
        under the names the collected tables use: ``cumulative_profit``,
        ``discounted_profit``, ``final_share``, ``retention_rate``, ``clv``,
        ``satisfaction``, ``recommend_score`` (NPS-style), ``complaints``,
        ``recovery_days``, ``staff_turnover``, ... (NaN where undefined, e.g.
        ``recovery_days`` without a recovery), and ``customer_equity``
        (:func:`servsim.metrics.customer_equity`: the customers at the end times
        their lifetime value).
        """
        from servsim.metrics import customer_equity

        firm = self.summary["firms"][self.summary["focal"]]
        out = {name: float(value) for name, value in firm.items()
               if isinstance(value, int | float) and not isinstance(value, bool)}
        out["customer_equity"] = customer_equity(out["final_customers"], out["clv"])
        return out
