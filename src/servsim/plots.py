"""Figures with 95% confidence bands, for the experiments and the comparison report.

Matplotlib's object API (``Figure`` with an Agg canvas, no pyplot state), so
figures can be drawn in any process and never open a window.  Bands are
Student-t intervals of the mean over replications (:mod:`servsim.stats`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from servsim.stats import LEVEL

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")
NAMED = {"premium": "#1f77b4", "lowcost": "#d62728", "differentiated": "#2ca02c",
         "pyramid": "#7f7f7f", "inverted": "#ff7f0e", "ignore": "#d62728", "slow": "#7f7f7f",
         "fast": "#2ca02c", "reactive": "#7f7f7f", "standardized": "#1f77b4",
         "productized": "#2ca02c"}


def color(name: Any, index: int = 0) -> str:
    """A stable colour for a strategy, organisation or stage name, else the palette's."""
    return NAMED.get(str(name), PALETTE[index % len(PALETTE)])


def figure(nrows: int = 1, ncols: int = 1, width: float = 10.0, height: float = 4.0):
    """A figure and its axes array (always 2-D) on an Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def png_bytes(fig, dpi: int = 90) -> bytes:
    """The figure as PNG bytes (no creation-software metadata)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def save(fig, path: str | Path, dpi: int = 90) -> Path:
    """Write the figure as PNG, atomically."""
    from servsim.atomic import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_bytes(png_bytes(fig, dpi))
    return path


def t_band(mean: np.ndarray, sd: np.ndarray, n: np.ndarray, level: float = LEVEL
           ) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper t interval of means from their s.d. and counts (NaN where n < 2)."""
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where(n >= 2, stats.t.ppf(0.5 + level / 2.0, np.maximum(n - 1, 1)), np.nan)
        half = q * np.asarray(sd, dtype=float) / np.sqrt(n)
    return mean - half, mean + half


def band(ax, x, mean, low, high, label: str | None = None, c: str | None = None,
         marker: str | None = None, **kw: Any) -> None:
    """A mean line with a shaded confidence band."""
    line = ax.plot(x, mean, label=label, color=c, marker=marker, lw=1.6, ms=4, **kw)[0]
    ax.fill_between(x, low, high, color=line.get_color(), alpha=0.2, lw=0)


def lines_ci(ax, table: pd.DataFrame, x: str, metric: str, hue: str | None = None,
             order: Sequence[Any] | None = None, marker: str = "o") -> None:
    """Plot ``metric`` against numeric ``x`` from a :func:`~servsim.stats.cell_means` table.

    One line with its 95% band per value of ``hue`` (in ``order``).
    """
    part = table[table["metric"] == metric]
    groups = [(None, part)] if hue is None else [
        (h, part[part[hue] == h]) for h in (order if order is not None
                                              else list(dict.fromkeys(part[hue])))]
    for i, (name, g) in enumerate(groups):
        g = g.sort_values(x)
        band(ax, g[x].to_numpy(float), g["mean"].to_numpy(float), g["low"].to_numpy(float),
             g["high"].to_numpy(float), label=None if name is None else str(name),
             c=color(name, i), marker=marker)


def series_ci(ax, steps: pd.DataFrame, value: str, hue: str | None = None,
              order: Sequence[Any] | None = None, x: str = "day", scale: float = 1.0,
              labels: dict[Any, str] | None = None) -> None:
    """Time series of ``value``: the mean over runs with its 95% band, per ``hue`` group.

    ``steps`` has one row per run and period (:func:`servsim.replicate.thin_steps`).
    """
    groups = [(None, steps)] if hue is None else [
        (h, steps[steps[hue] == h]) for h in (order if order is not None
                                               else list(dict.fromkeys(steps[hue])))]
    for i, (name, g) in enumerate(groups):
        agg = g.groupby(x)[value].agg(["mean", "std", "count"]).sort_index()
        mean = agg["mean"].to_numpy(float) * scale
        lo, hi = t_band(mean, agg["std"].to_numpy(float) * abs(scale), agg["count"].to_numpy())
        label = None if name is None else (labels or {}).get(name, str(name))
        band(ax, agg.index.to_numpy(float), mean, lo, hi, label=label, c=color(name, i))


def bars_ci(ax, names: Sequence[str], means: Sequence[float], lows: Sequence[float],
            highs: Sequence[float], colors: Sequence[str] | None = None) -> None:
    """Bars with 95% error bars."""
    means = np.asarray(means, float)
    err = np.vstack([means - np.asarray(lows, float), np.asarray(highs, float) - means])
    xs = np.arange(len(names))
    ax.bar(xs, means, yerr=err, capsize=4,
           color=colors or [color(n, i) for i, n in enumerate(names)], alpha=0.85)
    ax.set_xticks(xs, [str(n) for n in names])
    ax.axhline(0, color="black", lw=0.6)


def run_figure(steps: pd.DataFrame, focal: str | None = None, title: str | None = None):
    """The figure of one run (``figure.png``): four panels of the per-step table, titled.

    Panels: the focal firm's customers by relationship stage (stacked) with the
    other firms' customers as lines; mean satisfaction of each firm and the
    market norm; cumulative profit of each firm; the focal firm's failures,
    complaints, recoveries and abandoned complaints as a smoothed weekly rate
    (a 28-day moving average of the daily counts, times 7).  Every axis is
    labelled with its unit, legends sit outside the data, and a footnote
    explains the units ("cu" = currency units).  Columns missing from
    ``steps`` are skipped.  ``title`` names the run (see :func:`run_title`).
    """
    fig, axes = figure(2, 2, width=13, height=8)
    firms = list(dict.fromkeys(steps["firm"])) if "firm" in steps.columns else []
    focal = focal if focal is not None else (firms[0] if firms else None)
    by_firm = {name: part.sort_values("day") for name, part in steps.groupby("firm", sort=False)}
    main = by_firm.get(focal, steps)

    def outside(ax) -> None:
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)

    ax = axes[0, 0]
    stages = [c for c in ("customers_new", "customers_repeat", "customers_loyal",
                          "customers_advocate") if c in main.columns]
    if stages:
        ax.stackplot(main["day"], *[main[c] for c in stages],
                     labels=[c.removeprefix("customers_") for c in stages], alpha=0.85)
    for name, part in by_firm.items():
        if name != focal and "customers" in part.columns:
            ax.plot(part["day"], part["customers"], ls="--", lw=1.2, label=f"{name} (all)")
    ax.set_title(f"Customers of {focal} by relationship stage")
    ax.set_ylabel("customers")
    outside(ax)

    ax = axes[0, 1]
    for i, (name, part) in enumerate(by_firm.items()):
        if "satisfaction" in part.columns:
            ax.plot(part["day"], part["satisfaction"], label=name, color=color(name, i),
                    lw=1.8 if name == focal else 1)
    if "market_norm" in main.columns:
        ax.plot(main["day"], main["market_norm"], color="black", ls=":", label="market norm")
    ax.set_title("Mean satisfaction of active customers")
    ax.set_ylabel("satisfaction (0 = worst, 1 = best)")
    ax.set_ylim(0, 1)
    outside(ax)

    ax = axes[1, 0]
    for i, (name, part) in enumerate(by_firm.items()):
        if "profit" in part.columns:
            ax.plot(part["day"], part["profit"].cumsum(), label=name, color=color(name, i),
                    lw=1.8 if name == focal else 1)
    ax.axhline(0, color="black", lw=0.5)
    ax.set_title("Cumulative profit")
    ax.set_ylabel("cumulative profit (cu)")
    outside(ax)

    ax = axes[1, 1]
    for column in ("failures", "complaints", "recoveries", "complaints_abandoned"):
        if column in main.columns:
            weekly = main[column].rolling(28, min_periods=7).mean() * 7
            ax.plot(main["day"], weekly, label=column.replace("_", " "), lw=1.4)
    ax.set_title(f"{focal}: service failures and complaints")
    ax.set_ylabel("per week (28-day moving average)")
    ax.set_ylim(bottom=0)
    outside(ax)

    for ax in axes.ravel():
        ax.set_xlabel("day of the simulation")
    fig.suptitle(title or "servsim run", fontsize=13)
    fig.supxlabel("cu = currency units (the model's unit of money); one step = one simulated "
                  "day", fontsize=9, color="0.3")
    return fig


def run_title(params) -> str:
    """The title of a run's figure: market, strategy, organisation, seed and size."""
    sim = params.sim
    return (f"servsim: market {params.market.name} · strategy {params.strategy.name} · "
            f"org {params.org.name} · seed {sim.seed} · {sim.n_customers:,} customers, "
            f"{sim.days} days")


def rank_bars(ax, ranks: pd.DataFrame, order: Sequence[str] | None = None) -> None:
    """Draw stacked bars: each scenario's probability of rank 1, 2, ... (1 = best).

    ``ranks`` has columns scenario, rank, probability
    (:func:`servsim.robustness.rank_probabilities`); rank 1 darkest.
    """
    order = list(order) if order is not None else list(dict.fromkeys(ranks["scenario"]))
    n_ranks = int(ranks["rank"].max())
    shades = [f"{0.15 + 0.7 * r / max(n_ranks - 1, 1):.2f}" for r in range(n_ranks)]
    wide = ranks.pivot(index="scenario", columns="rank", values="probability").loc[order]
    left = np.zeros(len(order))
    ys = np.arange(len(order))
    for r in range(1, n_ranks + 1):
        width = wide[r].to_numpy(float)
        ax.barh(ys, width, left=left, color=shades[r - 1], edgecolor="white",
                label=f"rank {r}")
        for y, x0, w in zip(ys, left, width, strict=True):
            if w >= 0.08:
                ax.text(x0 + w / 2, y, f"{100 * w:.0f}%", ha="center", va="center",
                        fontsize=8, color="white" if r == 1 else "black")
        left += width
    ax.set_yticks(ys, [str(s) for s in order])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability")
    ax.legend(fontsize=7, ncols=n_ranks, loc="upper center", bbox_to_anchor=(0.5, -0.22),
              frameon=False)


def tornado(ax, table: pd.DataFrame, label: str = "margin", top: int = 10) -> None:
    """Draw a tornado: per parameter, the margin at its low and high end around the default.

    ``table`` has columns key, margin_low, margin_high, margin_default, swing and
    flips (:func:`servsim.robustness.tornado`), sorted by swing.  Bars start at
    the default margin; the zero line is where the verdict changes; parameters
    that change the leader are marked ``(flips)``.
    """
    part = table.head(top)
    ys = np.arange(len(part))
    base = float(part["margin_default"].iloc[0]) if len(part) else 0.0
    for y, row in zip(ys, part.itertuples(), strict=True):
        ax.barh(y, row.margin_low - base, left=base, color="#9ecae1", edgecolor="#3182bd")
        ax.barh(y, row.margin_high - base, left=base, color="#fdae6b", edgecolor="#e6550d")
    names = [f"{k} (flips)" if f else str(k) for k, f in zip(part["key"], part["flips"],
                                                                strict=True)]
    ax.set_yticks(ys, names, fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0.0, color="black", lw=1.0)
    ax.axvline(base, color="#555555", lw=0.8, ls="--")
    ax.set_xlabel(label)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color="#9ecae1", label="parameter at its low end"),
                       Patch(color="#fdae6b", label="at its high end")], fontsize=7,
              loc="best")
