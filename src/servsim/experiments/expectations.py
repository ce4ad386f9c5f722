"""Expectations (seed 001 section 8): the promise against delivery.

Company A, among its rivals, offers one designed service level to every segment (tiering 0), so
its promised quality is ``promise x service_level`` for everyone.  The
promise is swept from 0.6 to 1.5.  "Delivered" is the encounter-weighted
mean perceived quality over the run divided by the designed level, in the
same units as the promise: a promise above it over-promises.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from servsim import stats, tables
from servsim.experiments.common import (
    Findings,
    by_seed,
    ci_table,
    compare,
    difference,
    levels,
    paired_table,
    panels,
    per_run,
    series_panels,
    weighted_per_run,
)
from servsim.replicate import Replications

ASSUMPTIONS = (
    "A competitive market (Company A's, with the foreign brand and the small firms): a prospect "
    "the promise fails to convert, or a customer it disappoints, can buy from a rival; one "
    "designed level for every segment (tiering 0), the promise as promised / designed quality.",
    "Expectations follow the promise through advertising and drift with the market norm; "
    "disconfirmation is loss-averse. Whether expectations also colour perceived quality "
    "(assimilation) and how fast the promise's pull fades is the behaviour work's (issue 15.1).",
    "Profit is measured after a one-year burn-in, so the promise's effect on early acquisition "
    "(the transition) is shown separately from the long run; customer equity values the base "
    "at the end.",
)
"""What drives the finding (the summary's assumptions box)."""

TITLE = "Expectations: what over-promising does (seed 001 §8)"
QUESTION = """
A promise (advertising, sales talk) sets expectations; satisfaction is what is delivered
against what was expected. How do acquisition, satisfaction, retention and profit respond
when the promise runs below, at or above what the firm actually delivers?
"""

ARM = "strategy.promise"
EARLY_DAYS = 91
"""Early acquisition: customers won in the first 13 weeks."""
LATE_AFTER = 365
"""Late satisfaction: mean over the periods after the first year."""
EXTRAS = ("levers",)
NAMES = {"acq_early": f"customers won, first {EARLY_DAYS} days",
         "satisfaction_late": "satisfaction after year 1",
         "delivered": "delivered / designed quality"}


def lever_probe(model, params) -> dict[str, pd.DataFrame]:
    """The focal firm's designed service level and promise (for delivered-vs-promised)."""
    return {"levers": pd.DataFrame([{"service_level": params.strategy.service_level,
                                     "promise": params.strategy.promise,
                                     "tiering": params.strategy.tiering}])}


PROBE = lever_probe


def per_run_table(data: Replications) -> pd.DataFrame:
    """Focal runs with early acquisitions, late satisfaction and delivered quality."""
    focal = data.focal().set_index("run")
    steps = data.steps
    focal["acq_early"] = per_run(steps, "acquisitions", until=EARLY_DAYS, how="total")
    focal["satisfaction_late"] = per_run(steps, "satisfaction", after=LATE_AFTER)
    quality = weighted_per_run(steps, "quality", "encounters")
    levers = data.extras["levers"].set_index("run")
    focal["delivered"] = quality / levers["service_level"]
    return focal.reset_index()


METRICS = ("acq_early", "acquisitions", "satisfaction_late", "retention_rate",
           "cumulative_profit", "discounted_profit")


def analyze(data: Replications, out: Path) -> Findings:
    """Outcomes over the promise sweep, paired against promise 1, and where profit peaks."""
    focal = per_run_table(data)
    promises = sorted(levels(focal, ARM))
    delivered = stats.mean_ci(focal["delivered"])
    base = 1.0 if 1.0 in promises else promises[len(promises) // 2]
    profit = {p: stats.mean_ci(by_seed(focal, "cumulative_profit", {ARM: p})) for p in promises}
    best = max(promises, key=lambda p: profit[p].mean)
    lines = [f"The firm delivers {tables.ci(delivered)} of its designed quality (perceived "
             f"quality over designed level, mean over all runs): promises above this "
             f"over-promise. Mean [95% CI] per promise level:", "",
             ci_table(focal, [ARM], METRICS, NAMES), "",
             f"Paired differences against promise {base} (same seeds):", "",
             paired_table(focal, ARM, base, ("acq_early", "satisfaction_late",
                                             "retention_rate", "cumulative_profit"), names=NAMES),
             ""]
    rho = {m: stats.spearman_ci(focal[ARM], focal[m]) for m in
           ("acq_early", "satisfaction_late", "retention_rate", "cumulative_profit")}
    lines.append("- **Direction over the sweep** (Spearman ρ across runs [95% CI]): "
                 + "; ".join(f"{NAMES.get(m, m.replace('_', ' '))} "
                             f"{tables.ci(e, 2, signed=True)} (p = {p:.2g})"
                             for m, (e, p) in rho.items()) + ".")
    top = max(promises)
    test_top = compare(focal, "cumulative_profit", ARM, best, top)
    lines.append(f"- **Profit peaks at promise {best}** ({tables.ci(profit[best])} cu), "
                 f"{'at or below' if best <= delivered.mean else 'above'} delivered quality "
                 f"({tables.num(delivered.mean)}). Against the largest promise ({top}): "
                 f"{difference('cumulative_profit', test_top)}, paired t-test "
                 f"{stats.confidence_words(test_top.p)}.")
    if best == promises[0]:
        lines.append(f"- The peak is at the **lowest** promise tested ({best}): within this sweep "
                     "under-promising never stops paying (its acquisition cost is smaller than "
                     "its satisfaction and retention gain), so the true optimum may lie lower.")
    if best != base:
        t = compare(focal, "cumulative_profit", ARM, best, base)
        lines.append(f"- Against promising exactly the designed level ({base}): "
                     f"{difference('cumulative_profit', t)}, {stats.confidence_words(t.p)}.")
    table = stats.cell_means(focal, [ARM], list(METRICS))
    figures = [(panels(out, "sweep.png", table, ARM, METRICS, xlabel="promise (promised / "
                       "designed quality)", names=NAMES, vline=delivered.mean),
                "Outcomes over the promise sweep (95% bands over the seeds); the dotted line is "
                "the quality actually delivered, in promise units."),
               _series_figure(out, data.steps, promises)]
    return Findings("\n".join(lines), figures)


def _series_figure(out: Path, steps: pd.DataFrame, promises: list[float]) -> tuple[str, str]:
    shown = sorted({promises[0], 1.0 if 1.0 in promises else promises[0], promises[-1],
                    promises[-2] if len(promises) > 1 else promises[0]})
    file = series_panels(out, "series.png", steps[steps[ARM].isin(shown)],
                         (("customers", "customers"), ("satisfaction", "satisfaction"),
                          ("cumulative_profit", "cumulative profit (cu)")),
                         hue=ARM, order=shown, labels={p: f"promise {p}" for p in shown})
    return (file, "Customers, satisfaction and cumulative profit over time for a low, an honest "
            "and two high promises (weekly means, 95% bands over the seeds).")
