"""Service-profit chain (seed 003; Heskett et al. 1994): the links measured across runs.

Internal service quality is varied through three levers -- training,
managers' control share (the rest of their time coaches) and staffing -- in a
full factorial with 20 seeds per cell.  For every run the chain's stations
are measured (time averages after a burn-in of :data:`BURN_IN` days; customer
retention and profit over the whole run), and each adjacent link is summarised
across all runs by Spearman's rho and by the elasticity at the means, both
with 95% intervals (Hogreve et al. 2017 meta-analyse the same links).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from servsim import plots, stats, tables
from servsim.experiments.common import Findings, ci_table, panels, per_run, weighted_per_run
from servsim.replicate import Replications

ASSUMPTIONS = (
    "One firm (no rivals) starting with 60% of the market so that it has teams to manage; the "
    "chain's links are measured across runs that differ in training, control share and "
    "staffing, not across business units of one firm.",
    "Internal service is the morale target in this version of the model, so its link to morale "
    "holds by construction until the behaviour work makes it a noisy survey measure (issue 15.2).",
    "Time averages and flows count days after the burn-in only.",
)
"""What drives the finding (the summary's assumptions box)."""

TITLE = "Service-profit chain: from internal service to profit, link by link (seed 003)"
QUESTION = """
Heskett et al.'s service-profit chain says internal service quality drives employee
satisfaction, which drives employee retention and productivity, service quality, customer
satisfaction, loyalty and finally profit. When training, coaching (managers' time not spent
on approvals) and staffing vary, does each link hold across runs, and how strong is it?
"""

LEVERS = ("strategy.training", "org.control_share", "strategy.service_level_target")
BURN_IN = 180
"""Days left out of the time averages (initial staff and customers settle)."""
CHAIN = (("internal_service", "internal service quality"),
         ("staff_morale", "staff morale"),
         ("staff_retention", "staff retention"),
         ("quality", "service quality delivered"),
         ("satisfaction", "customer satisfaction"),
         ("retention_rate", "customer retention"),
         ("cumulative_profit", "profit"))
NAMES = dict(CHAIN)


def chain_table(data: Replications) -> pd.DataFrame:
    """One row per run: the levers and the chain's stations.

    ``staff_retention`` is exp(-quits per staff-year) after the burn-in (the
    annual survival of a job at that quit hazard); ``quality`` the
    encounter-weighted perceived quality.
    """
    focal = data.focal().set_index("run")
    steps = data.steps
    out = focal[[c for c in (*LEVERS, "seed") if c in focal.columns]].copy()
    for col in ("internal_service", "staff_morale", "satisfaction"):
        out[col] = per_run(steps, col, after=BURN_IN)
    quits = per_run(steps, "staff_quits", after=BURN_IN, how="total")
    staff_years = per_run(steps, "staff", after=BURN_IN, how="total") / 365.0
    out["staff_retention"] = np.exp(-quits / staff_years)
    out["quality"] = weighted_per_run(steps, "quality", "encounters", after=BURN_IN)
    out["retention_rate"] = focal["retention_rate"]
    out["cumulative_profit"] = focal["cumulative_profit"]
    return out.reset_index()


def links(chain: pd.DataFrame) -> pd.DataFrame:
    """Spearman rho and elasticity of every adjacent link, plus the end-to-end link."""
    pairs = list(zip(CHAIN, CHAIN[1:], strict=False)) + [(CHAIN[0], CHAIN[-1])]
    rows = []
    for (a, a_name), (b, b_name) in pairs:
        rho, p = stats.spearman_ci(chain[a], chain[b])
        el = stats.elasticity(chain[a], chain[b])
        rows.append({"from": a_name, "to": b_name, "rho": rho, "p": p, "elasticity": el})
    return pd.DataFrame(rows)


def analyze(data: Replications, out: Path) -> Findings:
    """Link statistics, lever effects and two figures."""
    chain = chain_table(data)
    table = links(chain)
    rows = [[f"{r['from']} → {r['to']}", tables.ci(r["rho"], 2, signed=True),
             "< 0.001" if r["p"] < 0.001 else f"{r['p']:.3f}", tables.ci(r["elasticity"], 3,
                                                                          signed=True)]
            for r in table.to_dict("records")]
    holds = sum(1 for r in table.to_dict("records")[:-1]
                if r["rho"].low > 0)
    n_links = len(table) - 1
    weakest = min(table.to_dict("records")[:-1], key=lambda r: r["rho"].mean)
    strongest = max(table.to_dict("records")[:-1], key=lambda r: r["rho"].mean)
    end = table.to_dict("records")[-1]
    lines = [f"Across {len(chain)} runs, {holds} of the {n_links} adjacent links are positive "
             f"with a 95% interval above zero. Strongest: {strongest['from']} → "
             f"{strongest['to']} (ρ = {tables.num(strongest['rho'].mean, 2)}); weakest: "
             f"{weakest['from']} → {weakest['to']} (ρ = {tables.num(weakest['rho'].mean, 2)}). "
             f"End to end, internal service quality → profit has ρ = "
             f"{tables.ci(end['rho'], 2, signed=True)}.", "",
             tables.markdown(pd.DataFrame(rows, columns=[
                 "link", "Spearman ρ [95% CI]", "p", "elasticity at means [95% CI]"])), "",
             "Elasticity: % change of the second station per 1% change of the first, from the "
             "OLS slope across runs at the means (a description of co-movement across runs, "
             "not a causal effect of one station alone).", "",
             "What each lever does (mean [95% CI] over all runs at that level, pooled over the "
             "other levers):", ""]
    for lever in LEVERS:
        if lever in chain.columns:
            lines.append(_lever_sentence(chain, lever))
    lines.append("")
    for lever in LEVERS:
        if lever in chain.columns:
            lines += [ci_table(chain, [lever], ["staff_morale", "staff_retention", "quality",
                                                "satisfaction", "cumulative_profit"], NAMES), ""]
    figures = [_links_figure(out, chain), _levers_figure(out, chain)]
    return Findings("\n".join(lines), figures)


def _lever_sentence(chain: pd.DataFrame, lever: str) -> str:
    """From the lowest to the highest level of a lever: morale, quality, satisfaction, profit."""
    lo, hi = chain[lever].min(), chain[lever].max()
    parts = []
    for col in ("staff_morale", "quality", "satisfaction", "cumulative_profit"):
        a = stats.mean_ci(chain.loc[chain[lever] == lo, col])
        b = stats.mean_ci(chain.loc[chain[lever] == hi, col])
        parts.append(f"{NAMES[col]} {tables.num(a.mean)} → {tables.num(b.mean)}")
    return f"- `{lever}` {lo} → {hi}: " + ", ".join(parts) + "."


def _links_figure(out: Path, chain: pd.DataFrame) -> tuple[str, str]:
    pairs = list(zip(CHAIN, CHAIN[1:], strict=False))
    ncols = 3
    fig, axes = plots.figure(math.ceil(len(pairs) / ncols), ncols, width=13, height=7.5)
    staffing = "strategy.service_level_target"
    groups = sorted(chain[staffing].unique()) if staffing in chain.columns else [None]
    for ax, ((a, a_name), (b, b_name)) in zip(axes.flat, pairs, strict=False):
        for i, g in enumerate(groups):
            part = chain if g is None else chain[chain[staffing] == g]
            ax.scatter(part[a], part[b], s=6, alpha=0.45, color=plots.PALETTE[i],
                       label=None if g is None else f"staff per 1000 = {g}")
        fit = stats.slope(chain[a], chain[b])
        xs = np.linspace(chain[a].min(), chain[a].max(), 20)
        ax.plot(xs, chain[b].mean() + fit.mean * (xs - chain[a].mean()), color="black", lw=1)
        rho, _ = stats.spearman_ci(chain[a], chain[b])
        ax.set_title(f"{a_name} → {b_name}\nρ = {rho.mean:.2f} [{rho.low:.2f}, {rho.high:.2f}]",
                     fontsize=9)
        ax.set_xlabel(a_name, fontsize=8)
        ax.set_ylabel(b_name, fontsize=8)
    axes[0, 0].legend(fontsize=7)
    plots.save(fig, out / "links.png")
    return ("links.png", "Each link of the chain across runs (one point per run, coloured by "
            "staffing; black: OLS fit); ρ is Spearman's rank correlation with its 95% interval.")


def _levers_figure(out: Path, chain: pd.DataFrame) -> tuple[str, str]:
    metrics = [c for c, _ in CHAIN]
    default = chain[chain["strategy.service_level_target"] == chain["strategy.service_level_target"].max()]
    table = stats.cell_means(default, ["org.control_share", "strategy.training"], metrics)
    file = panels(out, "levers.png", table, "strategy.training", metrics, hue="org.control_share",
                  ncols=4, xlabel="training intensity", names=NAMES)
    staff = chain["strategy.service_level_target"].max()
    return (file, f"The chain's stations against training, one line per managers' control share "
            f"(the rest of their time coaches), at service-level target {staff} (95% bands "
            f"over the seeds).")
