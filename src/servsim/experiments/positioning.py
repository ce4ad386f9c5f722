"""Positioning (seed 000): which strategy wins on profit, share and loyalty, where.

Company A chooses premium, low-cost or differentiated service.  The market
space has two axes: how heterogeneous the five B2B segments are (the
``heterogeneity`` config group: h = 0, 0.5, 1, 1.5 times Company A's spread in
value, price sensitivity and expectation, means kept) and what the
competitors do (the foreign brand premium or differentiated; the small firms
low-cost or differentiated).  In every cell the three strategies are compared
on the same 20 seeds; the cell's winner is the best mean, tested against the
runner-up with a paired t-test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from servsim import plots, stats, tables
from servsim.experiments.common import (
    Findings,
    by_seed,
    difference,
    label,
    levels,
    series_panels,
    winner,
)
from servsim.replicate import Replications

TITLE = "Positioning: which service strategy wins where (seed 000)"
QUESTION = """
Company A is squeezed between a premium foreign brand and many low-price small makers.
Should it position its service as premium, low-cost or differentiated (service tiered by
customer value)? Does the answer change with how different its customer segments are and
with what the competitors do? The output is a map: which strategy wins on profit, market
share and loyalty in each region of that market space.
"""

HET = "heterogeneity"
FOREIGN = "market.competitors.foreign.strategy"
SMALL = "market.competitors.small_firms.strategy"
ARM = "strategy"
HET_ORDER = ("uniform", "mild", "baseline", "polarized")
HET_VALUE = {"uniform": 0.0, "mild": 0.5, "baseline": 1.0, "polarized": 1.5}
OUTCOMES = (("cumulative_profit", "profit"), ("final_share", "share"),
            ("retention_rate", "loyalty (retention)"))
SHORT = {"premium": "PREM", "lowcost": "LOW", "differentiated": "DIFF"}


def heterogeneity(h: float, segments: dict[str, dict]) -> dict[str, dict[str, float]]:
    """Segment values at heterogeneity ``h`` (what ``configs/heterogeneity/*.yaml`` hold).

    ``segments`` maps names to dicts with ``share``, ``value``,
    ``price_sensitivity`` and ``expectation`` (Company A's, h = 1).  Value and
    price sensitivity scale geometrically around their share-weighted mean,
    which is kept: ``x_s(h) = mean(x) g_s^h / sum_k w_k g_k^h`` with
    ``g_s = x_s / geomean(x)``; expectation scales linearly:
    ``x_s(h) = mean(x) + h (x_s - mean(x))``.
    """
    names = list(segments)
    w = np.array([segments[n]["share"] for n in names], dtype=float)
    out: dict[str, dict[str, float]] = {n: {} for n in names}
    for key in ("value", "price_sensitivity"):
        x = np.array([segments[n][key] for n in names], dtype=float)
        g = np.exp(h * (np.log(x) - (w * np.log(x)).sum()))
        scaled = (w * x).sum() * g / (w * g).sum()
        for n, v in zip(names, scaled, strict=True):
            out[n][key] = float(v)
    e = np.array([segments[n]["expectation"] for n in names], dtype=float)
    mean = (w * e).sum()
    for n, v in zip(names, mean + h * (e - mean), strict=True):
        out[n]["expectation"] = float(v)
    return out


def _cells(focal: pd.DataFrame) -> tuple[list, list[tuple], list]:
    hets = [h for h in HET_ORDER if h in set(focal[HET])] or levels(focal, HET)
    comps = [(f, s) for f in levels(focal, FOREIGN) for s in levels(focal, SMALL)]
    return hets, comps, levels(focal, ARM)


def _comp_label(comp: tuple) -> str:
    return f"foreign {comp[0]}, small firms {comp[1]}"


def analyze(data: Replications, out: Path) -> Findings:
    """Winners per cell and outcome; the map, profit curves and baseline series."""
    focal = data.focal()
    hets, comps, arms = _cells(focal)
    wins = {}
    for metric, _ in OUTCOMES:
        for het in hets:
            for comp in comps:
                within = {HET: het, FOREIGN: comp[0], SMALL: comp[1]}
                wins[metric, het, comp] = winner(focal, metric, ARM, arms, within)

    figures = [_map_figure(out, wins, hets, comps), _curves_figure(out, focal, hets, comps, arms),
               _series_figure(out, data.steps, comps, arms)]
    return Findings(_text(focal, wins, hets, comps, arms), [f for f in figures if f])


def _text(focal, wins, hets, comps, arms) -> str:
    n_cells = len(hets) * len(comps)
    lines = []
    for metric, name in OUTCOMES:
        counts = {a: 0 for a in arms}
        sig = 0
        for het in hets:
            for comp in comps:
                w = wins[metric, het, comp]
                counts[w.arm] += 1
                sig += w.significant
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        share = ", ".join(f"{a} in {c}" for a, c in ranked if c)
        lines.append(f"- **{name.capitalize()}** ({label(metric)}): best {share} of the "
                     f"{n_cells} cells; the lead over the runner-up is significant "
                     f"(paired t-test, p < 0.05) in {sig} of {n_cells}.")
    lines.append("")
    lines.append(_regions(wins, hets, comps))
    lines += ["", "Winner of each cell (margin over the runner-up on the same seeds, paired "
              "t-test p):", ""]
    rows = []
    for comp in comps:
        for het in hets:
            rows.append([f"{het} (h = {HET_VALUE.get(het, '?')})", _comp_label(comp)]
                        + [wins[m, het, comp].describe(m) for m, _ in OUTCOMES])
    lines.append(tables.markdown(pd.DataFrame(
        rows, columns=["heterogeneity", "competitors", *[n for _, n in OUTCOMES]]),
        align=["l", "l", "l", "l", "l"]))
    base_het = "baseline" if "baseline" in hets else hets[0]
    base_comp = comps[0]
    lines += ["", f"Company A's own market ({base_het} heterogeneity, {_comp_label(base_comp)}), "
              "mean [95% CI] over the seeds:", ""]
    metrics = ("cumulative_profit", "final_share", "retention_rate", "satisfaction",
               "recommend_score")
    rows = []
    within = {HET: base_het, FOREIGN: base_comp[0], SMALL: base_comp[1]}
    for arm in arms:
        rows.append([arm] + [tables.ci(stats.mean_ci(by_seed(focal, m, {**within, ARM: arm})))
                             for m in metrics])
    lines.append(tables.markdown(pd.DataFrame(rows, columns=["strategy",
                                                              *[label(m) for m in metrics]])))
    return "\n".join(lines)


def _regions(wins, hets, comps) -> str:
    """How each outcome's winner changes along the heterogeneity axis, per competitor move."""
    out = []
    for metric, name in OUTCOMES:
        cells = [wins[metric, h, c] for c in comps for h in hets]
        if len({w.arm for w in cells}) == 1:
            lo = min(cells, key=lambda w: w.test.diff.mean)
            hi = max(cells, key=lambda w: w.test.diff.mean)
            out.append(f"on {name}, {cells[0].arm} wins every cell, by "
                       f"{difference(metric, lo.test)} to {difference(metric, hi.test)} over "
                       f"the runner-up")
            continue
        paths: dict[str, list[str]] = {}
        for comp in comps:
            seq = " → ".join(f"{wins[metric, h, comp].arm} ({h})" for h in hets)
            paths.setdefault(seq, []).append(_comp_label(comp))
        out.append(f"on {name}, the winner along heterogeneity is "
                   + "; ".join(f"{seq} with {' / '.join(c)}" for seq, c in paths.items()))
    return "Reading the map: " + ". ".join(s[0].upper() + s[1:] for s in out) + "."


def _map_figure(out: Path, wins, hets, comps) -> tuple[str, str]:
    fig, axes = plots.figure(1, len(OUTCOMES), width=5.2 * len(OUTCOMES), height=4.4)
    for ax, (metric, name) in zip(axes[0], OUTCOMES, strict=True):
        from matplotlib.colors import to_rgba

        img = np.ones((len(comps), len(hets), 4))
        for i, comp in enumerate(comps):
            for j, het in enumerate(hets):
                w = wins[metric, het, comp]
                img[i, j] = to_rgba(plots.color(w.arm), 0.85 if w.significant else 0.3)
                margin = difference(metric, w.test, short=True)
                ax.text(j, i, f"{SHORT.get(w.arm, w.arm)}\n{margin}"
                        + ("" if w.significant else "\n(n.s.)"),
                        ha="center", va="center", fontsize=8)
        ax.imshow(img, aspect="auto")
        ax.set_xticks(range(len(hets)), [f"{h}\nh={HET_VALUE.get(h, '?')}" for h in hets],
                      fontsize=8)
        ax.set_yticks(range(len(comps)), [f"foreign {f}\nsmall {s}" for f, s in comps],
                      fontsize=8)
        ax.set_xlabel("segment heterogeneity")
        ax.set_title(f"best on {name}")
    fig.suptitle("Which positioning wins where (margin over the runner-up; pale: not "
                 "significant, paired t-test p >= 0.05)", fontsize=10)
    plots.save(fig, out / "map.png")
    return ("map.png", "The map: the strategy with the best mean in each cell of the market "
            "space (segment heterogeneity × competitor strategies) on profit, share and loyalty "
            "(annual retention) with its margin over the runner-up on the same seeds "
            "(profit in %, share and retention in percentage points); pale cells are not "
            "significant (paired t-test, p ≥ 0.05).")


def _curves_figure(out: Path, focal, hets, comps, arms) -> tuple[str, str]:
    table = stats.cell_means(focal, [HET, FOREIGN, SMALL, ARM],
                             ["cumulative_profit", "final_share"])
    table["h"] = table[HET].map(HET_VALUE)
    fig, axes = plots.figure(2, len(comps), width=3.4 * len(comps), height=6.0)
    for j, comp in enumerate(comps):
        part = table[(table[FOREIGN] == comp[0]) & (table[SMALL] == comp[1])]
        for i, metric in enumerate(("cumulative_profit", "final_share")):
            ax = axes[i, j]
            plots.lines_ci(ax, part, "h", metric, hue=ARM, order=arms)
            ax.set_title(f"foreign {comp[0]}\nsmall {comp[1]}", fontsize=8)
            ax.set_xlabel("heterogeneity h")
            if j == 0:
                ax.set_ylabel(label(metric))
    axes[0, 0].legend(fontsize=7)
    plots.save(fig, out / "profit_share.png")
    return ("profit_share.png", "Profit (top) and final share (bottom) of each positioning "
            "against segment heterogeneity, one column per competitor scenario; bands are 95% "
            "confidence intervals over the seeds.")


def _series_figure(out: Path, steps, comps, arms) -> tuple[str, str] | None:
    base = steps[(steps[HET] == "baseline") & (steps[FOREIGN] == comps[0][0])
                 & (steps[SMALL] == comps[0][1])] if not steps.empty else steps
    if base.empty:
        return None
    file = series_panels(out, "series.png", base,
                         (("share", "market share"), ("satisfaction", "satisfaction"),
                          ("cumulative_profit", "cumulative profit (cu)")), hue=ARM, order=arms)
    return (file, f"Company A's own market (baseline heterogeneity, {_comp_label(comps[0])}): "
            "weekly means over the seeds with 95% bands.")
