"""Recovery (seed 001 section 2): complaint handling, compensation and the recovery paradox.

Company A's B2B customers voice many of their problems.  The firm ignores
complaints, resolves them slowly through the pyramid's approval chain, or
resolves them fast with an empowered frontline (the ``recovery`` config
group), at three compensation levels.  Run-level outcomes (retention, profit,
compensation paid, word of mouth) come from the run summaries; the
complaint-level ones from the engine's recovery log
(:meth:`servsim.model.ServiceMarket.recovery_table`), one row per closed
complaint of the focal firm with whether the customer was still a customer
at the end of the run.  Complaint-level statistics are computed per run and
then averaged over runs, so intervals are over replications.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from servsim import plots, stats, tables
from servsim.experiments.common import (
    Findings,
    by_seed,
    compare,
    difference,
    label,
    levels,
    panels,
)
from servsim.replicate import Replications

ASSUMPTIONS = (
    "Company A's B2B market (customers voice problems: complaint propensity up to 0.6), the "
    "differentiated strategy against the foreign brand and the small firms; the recovery mode "
    "and compensation are Company A's alone (rivals handle complaints as their presets say).",
    "Recovery satisfaction is the Tax, Brown & Chandrashekaran 1998 justice mix and the paradox "
    "is conditional (McCollough et al. 2000): a calibration choice (docs/validation.md), not an "
    "estimate for this market; compensation is paid as a share of the customer's value.",
    "Retention is annual (churn hazard over customer-days after the burn-in); customer equity "
    "uses the same margin and retention, so a mode that keeps customers is credited with their "
    "future margin.",
)
"""What drives the finding (the summary's assumptions box)."""

TITLE = "Recovery: complaint handling, compensation and the recovery paradox (seed 001 §2)"
QUESTION = """
Does handling complaints pay? Compare ignoring complaints, slow recovery through an approval
chain and fast recovery by an empowered frontline, at compensation from nothing to the full
purchase value. What do they do to retention and word of mouth, and where does the recovery
paradox -- a customer more satisfied after a failure and its recovery than before -- appear
(first failures, strong recoveries) and where not (repeated failures, weak or slow recoveries)?
"""

MODE = "recovery"
COMP = "strategy.compensation"
MODES = ("ignore", "slow", "fast")
EXTRAS = ("complaints",)
OBSERVE_DAYS = 180
"""Complaints closed in the last 180 days are left out of complaint-level retention."""
MIN_PER_RUN = 3
"""A run's complaint-level mean is used only if it rests on at least this many complaints."""
QUALITY_BINS = (0.0, 0.5, 0.6, 0.7, 0.8, 1.0001)
OUTCOME_CLASSES = ("on the spot", "1-3 days", "over 3 days", "unresolved")


def complaint_probe(model, params) -> dict[str, pd.DataFrame]:
    """The focal firm's closed complaints, each with whether its customer stayed to the end."""
    table = model.recovery_table()
    focal = list(model.firms.names).index(params.focal_name)
    table = table[table["firm"] == params.focal_name].drop(columns="firm")
    cust = table["customer"].to_numpy(dtype=np.int64)
    c = model.customers
    table = table.assign(
        retained=(c.firm[cust] == focal) & (c.stage[cust] >= 1) & (c.stage[cust] <= 4),
        segment=c.segment[cust].astype(np.int16),
        days_left=params.sim.days - table["day"].to_numpy(),
    )
    for col in ("recovery_quality", "sat_before", "sat_after"):
        table[col] = table[col].astype(np.float32)
    return {"complaints": table.drop(columns="customer").reset_index(drop=True)}


PROBE = complaint_probe


def outcome_class(days: pd.Series, resolved: pd.Series) -> pd.Series:
    """On the spot (0 days), 1-3 days, over 3 days, or unresolved."""
    cls = np.where(~resolved.astype(bool), "unresolved",
                   np.where(days <= 0, "on the spot", np.where(days <= 3, "1-3 days",
                                                               "over 3 days")))
    return pd.Series(cls, index=days.index)


def complaint_stats(complaints: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """Per run: retention by outcome class and the satisfaction change after recovery.

    Returns one row per run with the run's labels and ``retained_<class>``,
    ``n_<class>``, ``delta_first``, ``delta_repeated`` (mean sat_after -
    sat_before over resolved complaints), ``paradox_first`` (share of resolved
    first-failure complaints ending above the pre-failure satisfaction).
    """
    t = complaints.copy()
    t["cls"] = outcome_class(t["days"], t["resolved"])
    t["delta"] = t["sat_after"].astype(float) - t["sat_before"].astype(float)
    observed = t[t["days_left"] >= OBSERVE_DAYS]
    out = runs[["run", MODE, COMP, "seed"]].drop_duplicates("run").set_index("run")
    for cls in OUTCOME_CLASSES:
        part = observed[observed["cls"] == cls]
        g = part.groupby("run")["retained"]
        out[f"n_{cls}"] = g.size().reindex(out.index).fillna(0)
        out[f"retained_{cls}"] = g.mean().reindex(out.index).where(out[f"n_{cls}"] >= MIN_PER_RUN)
    res = t[t["resolved"].astype(bool)]
    for kind, mask in (("first", res["first_failure"].astype(bool)),
                       ("repeated", ~res["first_failure"].astype(bool))):
        g = res[mask].groupby("run")["delta"]
        n = g.size().reindex(out.index).fillna(0)
        out[f"n_{kind}"] = n
        out[f"delta_{kind}"] = g.mean().reindex(out.index).where(n >= MIN_PER_RUN)
        out[f"paradox_{kind}"] = (res[mask]["delta"] > 0).groupby(res[mask]["run"]).mean() \
            .reindex(out.index).where(n >= MIN_PER_RUN)
    return out.reset_index()


def quality_curve(complaints: pd.DataFrame) -> pd.DataFrame:
    """Mean satisfaction change by recovery-quality bin, first vs repeated, over runs."""
    res = complaints[complaints["resolved"].astype(bool)].copy()
    res["delta"] = res["sat_after"].astype(float) - res["sat_before"].astype(float)
    res["bin"] = pd.cut(res["recovery_quality"].astype(float), QUALITY_BINS, right=False)
    rows = []
    for first in (True, False):
        part = res[res["first_failure"].astype(bool) == first]
        per_run = part.groupby(["bin", "run"], observed=True)["delta"].agg(["mean", "size"])
        per_run = per_run[per_run["size"] >= MIN_PER_RUN].reset_index()
        for b, g in per_run.groupby("bin", observed=True):
            e = stats.mean_ci(g["mean"])
            rows.append({"first_failure": first, "bin": str(b), "mid": b.mid, "mean": e.mean,
                         "low": e.low, "high": e.high, "n": e.n,
                         "complaints": int(g["size"].sum())})
    return pd.DataFrame(rows, columns=["first_failure", "bin", "mid", "mean", "low", "high", "n",
                                       "complaints"])


def analyze(data: Replications, out: Path) -> Findings:
    """Run-level and complaint-level comparisons; three figures."""
    focal = data.focal().copy()
    focal["wom_negative_per_cy"] = focal["total_wom_negative"] / (focal["customer_days"] / 365)
    focal["wom_positive_per_cy"] = focal["total_wom_positive"] / (focal["customer_days"] / 365)
    per_run = complaint_stats(data.extras["complaints"], focal)
    curve = quality_curve(data.extras["complaints"])
    modes = [m for m in MODES if m in set(focal[MODE])]
    comps = sorted(levels(focal, COMP))
    text = _text(focal, per_run, curve, modes, comps)
    figures = [_outcomes_figure(out, focal, modes), _paradox_figure(out, per_run, curve, modes,
                                                                    comps)]
    return Findings(text, figures)


METRICS = ("retention_rate", "cumulative_profit", "total_cost_compensation",
           "wom_negative_per_cy", "satisfaction", "recovery_days")
NAMES = {"wom_negative_per_cy": "negative WOM messages per customer-year"}


def _name(metric: str) -> str:
    return NAMES.get(metric, label(metric))


def _text(focal, per_run, curve, modes, comps) -> str:
    mid = 0.25 if 0.25 in comps else comps[len(comps) // 2]
    lines = [f"Run-level outcomes of the focal firm by complaint handling, at compensation "
             f"{mid} (the differentiated strategy's own level), mean [95% CI]:", ""]
    rows = []
    for mode in modes:
        where = {MODE: mode, COMP: mid}
        rows.append([mode] + [tables.ci(stats.mean_ci(by_seed(focal, m, where)))
                              for m in METRICS])
    lines.append(tables.markdown(pd.DataFrame(rows, columns=["handling",
                                                              *[_name(m) for m in METRICS]])))
    lines.append("")
    for a, b in (("slow", "ignore"), ("fast", "slow"), ("fast", "ignore")):
        if a in modes and b in modes:
            parts = []
            for m in ("retention_rate", "cumulative_profit", "wom_negative_per_cy"):
                t = compare(focal, m, MODE, a, b, {COMP: mid})
                parts.append(f"{_name(m)} {difference(m, t)} (p = {t.p:.3g})")
            lines.append(f"- **{a} vs {b}** (compensation {mid}, paired by seed): "
                         + "; ".join(parts) + ".")
    # compensation: where does paying more stop paying?
    if "fast" in modes and len(comps) > 1:
        prof = {c: stats.mean_ci(by_seed(focal, "cumulative_profit", {MODE: "fast", COMP: c}))
                for c in comps}
        best = max(comps, key=lambda c: prof[c].mean)
        ret = {c: stats.mean_ci(by_seed(focal, "retention_rate", {MODE: "fast", COMP: c}))
               for c in comps}
        lines.append(f"- **Compensation** (fast recovery): profit is highest at compensation "
                     f"{best} ({tables.ci(prof[best])} cu); retention goes from "
                     f"{tables.ci(ret[comps[0]])} at {comps[0]} to {tables.ci(ret[comps[-1]])} "
                     f"at {comps[-1]}; compensation paid at {comps[-1]}: "
                     + tables.ci(stats.mean_ci(by_seed(focal, "total_cost_compensation",
                                                       {MODE: "fast", COMP: comps[-1]})))
                     + " cu.")
    lines += ["", f"**Retention after a complaint** (share of complainants still customers at "
              f"the end, complaints closed at least {OBSERVE_DAYS} days before the end; mean over "
              "runs of all handling modes and compensation levels [95% CI]):", ""]
    rows = []
    for cls in OUTCOME_CLASSES:
        e = stats.mean_ci(per_run[f"retained_{cls}"])
        rows.append([cls, tables.ci(e), e.n, int(per_run[f"n_{cls}"].sum())])
    lines.append(tables.markdown(pd.DataFrame(rows, columns=["complaint outcome",
                                                              "retained", "runs", "complaints"])))
    lines += ["", "**The recovery paradox**: mean change in satisfaction from before the failure "
              "to right after the recovery (resolved complaints; > 0 means the customer ends "
              "more satisfied than before the failure), per run, mean [95% CI] over runs:", ""]
    rows = []
    for mode in [m for m in modes if m != "ignore"]:
        for c in comps:
            sel = per_run[(per_run[MODE] == mode) & (per_run[COMP] == c)]
            first, rep = stats.mean_ci(sel["delta_first"]), stats.mean_ci(sel["delta_repeated"])
            share = stats.mean_ci(sel["paradox_first"])
            verdict = ("**paradox**" if first.n and first.low > 0 else
                       "no paradox" if first.n and first.high < 0 else "unclear")
            rows.append([mode, c, tables.ci(first, 2, True), tables.pct(share.mean, 2, False),
                         tables.ci(rep, 2, True), verdict])
    lines.append(tables.markdown(pd.DataFrame(rows, columns=[
        "handling", "compensation", "first failure: Δ satisfaction",
        "first failure: share above before", "repeated failure: Δ satisfaction",
        "paradox after a first failure?"])))
    for first, name in ((True, "first failures"), (False, "repeated failures")):
        part = curve[curve["first_failure"] == first]
        if len(part):
            lines += ["", f"By recovery quality ρ, {name} (per-run means over all runs, "
                      "mean [95% CI], complaints): " + "; ".join(
                          f"ρ in {r.bin}: {tables.num(r.mean, 2, signed=True)} "
                          f"[{tables.num(r.low, 2, signed=True)}, "
                          f"{tables.num(r.high, 2, signed=True)}] ({r.complaints})"
                          for r in part.itertuples()) + "."]
    return "\n".join(lines)


def _outcomes_figure(out: Path, focal, modes) -> tuple[str, str]:
    table = stats.cell_means(focal, [MODE, COMP], list(METRICS))
    file = panels(out, "outcomes.png", table, COMP, METRICS, hue=MODE, order=modes,
                  xlabel="compensation (share of purchase value)", names=NAMES)
    return (file, "Run-level outcomes against compensation for each way of handling complaints "
            "(95% bands over the seeds). Ignored complaints are never compensated, so the "
            "ignore line is flat.")


def _paradox_figure(out: Path, per_run, curve, modes, comps) -> tuple[str, str]:
    fig, axes = plots.figure(1, 3, width=14, height=4.2)
    for ax, kind in zip(axes[0][:2], ("first", "repeated"), strict=True):
        for i, mode in enumerate(m for m in modes if m != "ignore"):
            sel = per_run[per_run[MODE] == mode]
            est = [stats.mean_ci(sel[sel[COMP] == c][f"delta_{kind}"]) for c in comps]
            plots.band(ax, np.array(comps, float), np.array([e.mean for e in est]),
                       np.array([e.low for e in est]), np.array([e.high for e in est]),
                       label=mode, c=plots.color(mode, i), marker="o")
        ax.axhline(0, color="black", lw=0.7)
        ax.set_title(f"{kind} failure: satisfaction after recovery − before", fontsize=10)
        ax.set_xlabel("compensation")
    axes[0, 0].legend(fontsize=8)
    ax = axes[0, 2]
    for first, name in ((True, "first failure"), (False, "repeated failure")):
        part = curve[curve["first_failure"] == first]
        if not part.empty:
            plots.band(ax, part["mid"].to_numpy(float), part["mean"].to_numpy(float),
                       part["low"].to_numpy(float), part["high"].to_numpy(float), label=name,
                       marker="o")
    ax.axhline(0, color="black", lw=0.7)
    ax.set_xlabel("recovery quality ρ (bin mid-point)")
    ax.set_title("satisfaction change by recovery quality", fontsize=10)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    plots.save(fig, out / "paradox.png")
    return ("paradox.png", "Where the recovery paradox appears: mean change in a complainant's "
            "satisfaction from before the failure to after its recovery, per run (95% bands over "
            "runs), by handling and compensation for first and repeated failures, and by "
            "recovery quality. Above zero: the customer ends more satisfied than before.")
