"""Retention economics (seed 002): long-run profit as a function of customer retention.

Retention is varied from outside the firm: customers' base propensity to
defect at a purchase occasion (``behaviour.churn_base``) is swept while every
lever stays fixed, so profit differences come from how long customers stay
-- and from what long-staying customers do (loyal and advocate customers pay
a loyalty premium, cross-buy and recommend).  Reichheld & Sasser (1990, HBR
"Zero defections") report that 5 points more retention raised profit by 25-85%
in their cases; here the same question is asked of the model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from servsim import plots, stats, tables
from servsim.experiments.common import Findings, ci_table, levels, per_run, series_panels
from servsim.replicate import Replications

ASSUMPTIONS = (
    "One firm (no rivals): the base churn rate is swept as a property of the market, not a "
    "lever; the firm's strategy is fixed (differentiated).",
    "CLV and customer equity use the run's own margin and annual retention (after the burn-in) "
    "with the run's discount rate: the '5 points of retention' result is only as good as that "
    "margin (Reichheld & Sasser 1990 report it for their industries).",
    "Three-year runs, the first year a burn-in.",
)
"""What drives the finding (the summary's assumptions box)."""

TITLE = "Retention economics: longer customer life as a profit source (seed 002)"
QUESTION = """
Seed 002 argues that keeping customers longer is itself a source of profit: long-standing
customers buy more, pay a premium, cross-buy and bring others. How does long-run profit
respond to customer retention when everything the firm does stays the same?
"""

ARM = "behaviour.churn_base"
LAST_YEAR = 365
NAMES = {"loyal_share": "loyal + advocate share of customers (last year)",
         "loyalty_revenue_share": "premium + cross-buy share of revenue",
         "final_customers": "customers at the end"}


def per_run_table(data: Replications) -> pd.DataFrame:
    """Focal runs with the loyal share (last year) and the loyalty revenue share."""
    focal = data.focal().set_index("run")
    steps = data.steps.copy()
    steps["loyal_share"] = ((steps["customers_loyal"] + steps["customers_advocate"])
                            / steps["customers"].where(steps["customers"] > 0))
    last = steps["day"].max() - LAST_YEAR
    focal["loyal_share"] = per_run(steps, "loyal_share", after=last)
    focal["loyalty_revenue_share"] = ((focal["total_revenue_premium"]
                                       + focal["total_revenue_crossbuy"])
                                      / focal["total_revenue"])
    return focal.reset_index()


METRICS = ("retention_rate", "cumulative_profit", "discounted_profit", "clv",
           "final_customers", "loyal_share", "loyalty_revenue_share")


def analyze(data: Replications, out: Path) -> Findings:
    """Profit against retention: levels, slope, the '+5 points' effect and figures."""
    focal = per_run_table(data)
    churn = sorted(levels(focal, ARM))
    cells = stats.cell_means(focal, [ARM], list(METRICS))
    ret = cells[cells["metric"] == "retention_rate"].set_index(ARM)["mean"]
    prof = cells[cells["metric"] == "cumulative_profit"].set_index(ARM)["mean"]
    slope = stats.slope(focal["retention_rate"], focal["cumulative_profit"])
    dslope = stats.slope(focal["retention_rate"], focal["discounted_profit"])
    el = stats.elasticity(focal["retention_rate"], focal["cumulative_profit"])
    base = 0.02 if 0.02 in churn else churn[len(churn) // 2]
    base_profit = prof[base]
    lines = ["Mean [95% CI] over the seeds at each level of customers' base defection "
             "propensity:", "", ci_table(focal, [ARM], METRICS, NAMES), "",
             f"- **Slope across all {len(focal)} runs**: each percentage point of annual "
             f"retention is worth {tables.ci(_per_point(slope))} cu of cumulative profit "
             f"({tables.ci(_per_point(dslope))} cu discounted)"
             + (f"; elasticity of profit with respect to retention at the means "
                f"{tables.ci(el, 3)}." if focal["cumulative_profit"].mean() > 0 else ".")]
    five = _per_point(slope)
    five = stats.Estimate(5 * five.mean, 5 * five.low, 5 * five.high, five.n)
    text = f"{tables.ci(five)} cu"
    if base_profit > 0:
        text += (f", i.e. {tables.pct(five.mean / base_profit)} "
                 f"[{tables.pct(five.low / base_profit)}, {tables.pct(five.high / base_profit)}]"
                 " of its profit")
    lines.append(f"- **Five points more retention** at the default propensity ({base}: retention "
                 f"{tables.num(ret[base])}, profit {tables.num(base_profit)} cu) is worth {text} "
                 f"(linear fit across runs; Reichheld & Sasser's 25–85% was measured on real "
                 f"firms' cost structures, not on this one).")
    marginal = []
    for a, b in zip(churn[::-1], churn[::-1][1:], strict=False):
        dr = ret[b] - ret[a]
        if dr > 0:
            marginal.append((ret[a], ret[b], (prof[b] - prof[a]) / (100 * dr)))
    if marginal:
        values = [m for _, _, m in marginal]
        rising = all(y > x for x, y in zip(values, values[1:], strict=False))
        shape = ("rises with retention: retention pays more the higher it already is"
                 if rising else
                 f"does not rise steadily (between {tables.num(min(values))} and "
                 f"{tables.num(max(values))} cu per point): in profit over the run the value of "
                 "a point is roughly constant, unlike the CLV formula m r / (1 + d − r), which "
                 "is convex in r")
        lines.append("- **Marginal value of a retention point** between adjacent levels, from low "
                     "to high retention: " + "; ".join(
                         f"{tables.num(100 * a, 3)}% → {tables.num(100 * b, 3)}%: "
                         f"{tables.num(m)} cu per point" for a, b, m in marginal)
                     + f". It {shape}.")
    loyal = cells[cells["metric"] == "loyal_share"].set_index(ARM)["mean"]
    lo, hi = churn[0], churn[-1]
    lines.append(f"- **Where the extra profit comes from**: volume, not richer customers. With "
                 f"the highest retention ({tables.num(ret[lo])}) the loyal + advocate share is "
                 f"{tables.pct(loyal[lo], 3, False)}, against {tables.pct(loyal[hi], 3, False)} at "
                 f"the lowest ({tables.num(ret[hi])}): when few customers leave, the dissatisfied "
                 "stay too, while heavy churn leaves the satisfied few (a selection effect); "
                 "loyalty stages follow satisfaction, not tenure alone.")
    figures = [_profit_figure(out, focal, cells), _series_figure(out, data.steps, churn)]
    return Findings("\n".join(lines), figures)


def _per_point(e: stats.Estimate) -> stats.Estimate:
    return stats.Estimate(e.mean / 100, e.low / 100, e.high / 100, e.n)


def _profit_figure(out: Path, focal, cells) -> tuple[str, str]:
    fig, axes = plots.figure(1, 3, width=14, height=4)
    by = cells.pivot(index=ARM, columns="metric", values=["mean", "low", "high"])
    for ax, metric in zip(axes[0], ("cumulative_profit", "clv", "loyal_share"), strict=True):
        ax.scatter(focal["retention_rate"], focal[metric], s=8, alpha=0.4, color="#7f7f7f")
        x = by["mean"]["retention_rate"].to_numpy(float)
        xerr = np.vstack([x - by["low"]["retention_rate"], by["high"]["retention_rate"] - x])
        y = by["mean"][metric].to_numpy(float)
        yerr = np.vstack([y - by["low"][metric], by["high"][metric] - y])
        ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt="o-", color="#1f77b4", capsize=3)
        ax.set_xlabel("annual customer retention")
        ax.set_title(NAMES.get(metric, metric.replace("_", " ")), fontsize=10)
    plots.save(fig, out / "profit_vs_retention.png")
    return ("profit_vs_retention.png", "Cumulative profit, CLV and the loyal share against "
            "annual retention: grey points are runs, blue the mean per defection level with 95% "
            "intervals in both directions.")


def _series_figure(out: Path, steps, churn) -> tuple[str, str]:
    file = series_panels(out, "series.png", steps,
                         (("customers", "customers"), ("customers_loyal", "loyal customers"),
                          ("cumulative_profit", "cumulative profit (cu)")),
                         hue=ARM, order=churn, labels={c: f"churn base {c}" for c in churn})
    return (file, "Customers, loyal customers and cumulative profit over time for each "
            "defection level (weekly means, 95% bands over the seeds).")
