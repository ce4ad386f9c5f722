"""Service stage (seed 004): is service a cost or a profit centre?

Reactive (answer requests, service free), standardized (norms and follow-up
calls, still free) and productized (contracts, proactive inspections, paid
service) for Company A's industrial buyers and a telecom operator's
subscribers.  Service's own books, per customer-year:

- service revenue: contract fees and per-encounter service fees;
- direct service cost: encounter materials, proactive contacts, follow-ups;
- full service cost: direct cost plus frontline wages, training, hiring and
  recovery compensation (the whole service organisation).

Lifetime service margin = margin per customer-year x expected customer life
1 / (1 - annual retention); the first sale's margin = the mean purchase value
of the firm's customers at the end x (price - cost of goods).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from servsim import plots, stats, tables
from servsim.experiments.common import (
    Findings,
    by_seed,
    ci_table,
    levels,
    paired_table,
    series_panels,
)
from servsim.replicate import Replications

ASSUMPTIONS = (
    "Two markets (Company A's B2B market and telecom), each with its own rivals; the focal firm "
    "runs the differentiated strategy in the reactive, standardized or productized stage "
    "(contracts, proactive contacts and their fees as the stage presets say).",
    "Service revenue (contracts, fees) is earned as calibrated; whether customers would pay "
    "these fees in a given market is an assumption, not an estimate.",
    "Three-year runs, the first year a burn-in: the stage's effect on retention compounds, "
    "which customer equity carries beyond the horizon.",
)
"""What drives the finding (the summary's assumptions box)."""

TITLE = "Service stage: service as a cost or a profit centre (seed 004)"
QUESTION = """
Seed 004 describes service maturing from reactive (a cost of selling) through standardized
to productized (inspections and maintenance contracts sold: a profit centre, Komatsu earning
more over a machine's life from service than from its sale). In the model, which stage makes
service pay for itself, and how does lifetime service revenue per customer compare with the
margin on the first sale?
"""

ARM = "stage"
MARKET = "market"
STAGES = ("reactive", "standardized", "productized")
EXTRAS = ("firm_values",)
NAMES = {"direct_margin_cy": "service margin per customer-year, direct (cu)",
         "full_margin_cy": "service margin per customer-year, full (cu)",
         "service_revenue_cy": "service revenue per customer-year (cu)",
         "lifetime_direct": "lifetime service margin, direct (cu)",
         "lifetime_full": "lifetime service margin, full (cu)",
         "first_sale_margin": "margin on the first sale (cu)",
         "lifetime_ratio": "lifetime direct service margin / first-sale margin"}


def value_probe(model, params) -> dict[str, pd.DataFrame]:
    """Mean purchase value of the focal firm's active customers at the end, price and its
    unit cost of goods (ODD 7.11)."""
    c = model.customers
    focal = list(model.firms.names).index(params.focal_name)
    active = (c.firm == focal) & (c.stage >= 1) & (c.stage <= 4)
    mean_value = float(c.value[active].mean()) if active.any() else float("nan")
    return {"firm_values": pd.DataFrame([{"mean_value": mean_value,
                                          "price": params.strategy.price,
                                          "cost_of_goods": float(model.firms.goods_cost[focal])}])}


PROBE = value_probe


def service_books(data: Replications) -> pd.DataFrame:
    """Focal runs with service revenue, direct and full service margins, lifetime values."""
    f = data.focal().set_index("run")
    values = data.extras["firm_values"].set_index("run")
    cy = f["customer_days"] / 365.0
    direct = f["total_cost_encounters"] + f["total_cost_proactive"] + f["total_cost_followup"]
    full = (direct + f["total_cost_wages"] + f["total_cost_training"] + f["total_cost_hiring"]
            + f["total_cost_compensation"])
    f["service_revenue_cy"] = f["total_revenue_service"] / cy
    f["direct_margin_cy"] = (f["total_revenue_service"] - direct) / cy
    f["full_margin_cy"] = (f["total_revenue_service"] - full) / cy
    life = 1.0 / (1.0 - f["retention_rate"])
    f["lifetime_direct"] = f["direct_margin_cy"] * life
    f["lifetime_full"] = f["full_margin_cy"] * life
    f["first_sale_margin"] = values["mean_value"] * (values["price"] - values["cost_of_goods"])
    f["lifetime_ratio"] = f["lifetime_direct"] / f["first_sale_margin"]
    return f.reset_index()


BOOKS = ("service_revenue_cy", "direct_margin_cy", "full_margin_cy", "lifetime_direct",
         "first_sale_margin", "lifetime_ratio")
FIRM = ("cumulative_profit", "retention_rate", "satisfaction", "recommend_score")


def _verdict(e: stats.Estimate) -> str:
    if e.n and e.low > 0:
        return "profit centre"
    if e.n and e.high < 0:
        return "net cost"
    return "break-even (CI spans 0)"


def analyze(data: Replications, out: Path) -> Findings:
    """Service books per stage and market, paired firm outcomes, figures."""
    books = service_books(data)
    markets = levels(books, MARKET)
    stages = [s for s in STAGES if s in set(books[ARM])]
    lines = []
    for market in markets:
        part = books[books[MARKET] == market]
        verdicts = []
        for stage in stages:
            direct = stats.mean_ci(by_seed(part, "direct_margin_cy", {ARM: stage}))
            full = stats.mean_ci(by_seed(part, "full_margin_cy", {ARM: stage}))
            ratio = stats.mean_ci(by_seed(part, "lifetime_ratio", {ARM: stage}))
            verdicts.append(f"{stage}: direct {_verdict(direct)} ({tables.ci(direct)} cu per "
                            f"customer-year), full {_verdict(full)} ({tables.ci(full)}); "
                            f"lifetime direct service margin = {tables.num(ratio.mean)} × the "
                            f"first sale's margin")
        lines += [f"**{market}**: " + "; ".join(verdicts) + ".", ""]
    lines += ["Service books by stage (mean [95% CI] over the seeds):", "",
              ci_table(books, [MARKET, ARM], BOOKS, NAMES), "",
              "The firm as a whole, each stage minus reactive (paired by seed):", ""]
    for market in markets:
        part = books[books[MARKET] == market]
        if "reactive" in stages:
            lines += [f"*{market}*", "", paired_table(part, ARM, "reactive", FIRM), ""]
    figures = [_books_figure(out, books, markets, stages),
               _series_figure(out, data.steps, markets, stages)]
    return Findings("\n".join(lines), figures)


def _books_figure(out: Path, books, markets, stages) -> tuple[str, str]:
    metrics = ("direct_margin_cy", "full_margin_cy", "lifetime_direct", "first_sale_margin")
    fig, axes = plots.figure(len(markets), len(metrics), width=15, height=3.4 * len(markets))
    for i, market in enumerate(markets):
        part = books[books[MARKET] == market]
        for j, metric in enumerate(metrics):
            est = [stats.mean_ci(by_seed(part, metric, {ARM: s})) for s in stages]
            plots.bars_ci(axes[i, j], stages, [e.mean for e in est], [e.low for e in est],
                          [e.high for e in est])
            axes[i, j].set_title(f"{market}: {NAMES[metric]}", fontsize=8)
            axes[i, j].tick_params(axis="x", labelsize=8)
    plots.save(fig, out / "service_books.png")
    return ("service_books.png", "Service margin per customer-year (direct; full, with the "
            "service organisation's wages, training, hiring and compensation), lifetime direct "
            "service margin and the first sale's margin, by stage (95% error bars over the "
            "seeds).")


def _series_figure(out: Path, steps, markets, stages) -> tuple[str, str]:
    file = series_panels(out, "series.png", steps,
                         (("contracts", "service contracts"),
                          ("revenue_service", "service revenue per day"),
                          ("satisfaction", "satisfaction"),
                          ("cumulative_profit", "cumulative profit (cu)")),
                         hue=ARM, order=stages, rows=[(MARKET, m) for m in markets], width=3.8)
    return (file, "Contracts, service revenue, satisfaction and cumulative profit over time by "
            "stage (weekly means, 95% bands over the seeds).")
