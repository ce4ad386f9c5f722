"""Helpers shared by the experiments' analyses: findings, per-run aggregates, comparisons.

An analysis receives :class:`servsim.replicate.Replications` (``runs``: one
row per run x firm; ``steps``: thinned per-period series) and returns
:class:`Findings` (Markdown text with numbers, and the figures it wrote).
Comparisons are always made over replications: the seed is the unit, arms
that share a seed are paired (common random numbers: the same customers,
network and initial shares), and tests are paired t-tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from servsim import stats, tables

LABELS = {
    "cumulative_profit": "cumulative profit (cu)",
    "discounted_profit": "discounted profit (cu)",
    "final_share": "final market share",
    "retention_rate": "annual customer retention",
    "clv": "CLV (cu)",
    "satisfaction": "satisfaction (last 30 days)",
    "recommend_score": "NPS-style recommend score",
    "complaints": "complaints",
    "recovery_days": "days to resolve a complaint",
    "staff_turnover": "staff quits per staff-year",
    "staff_morale": "staff morale (last 30 days)",
    "final_customers": "customers at the end",
    "acquisitions": "customers acquired",
    "total_cost_compensation": "compensation paid (cu)",
    "customer_equity": "customer equity at the end (cu)",
    "long_run_value": "profit + terminal customer equity (cu)",
}
"""Plain names of metrics, for tables and figure titles."""


@dataclass
class Findings:
    """What an analysis found: Markdown text (with numbers) and the figures it wrote."""

    text: str
    figures: list[tuple[str, str]] = field(default_factory=list)
    """(file name in the output directory, caption) per figure."""


def label(metric: str) -> str:
    """The plain name of a metric."""
    return LABELS.get(metric, metric.replace("_", " "))


def per_run(steps: pd.DataFrame, value: str, after: int = 0, until: int | None = None,
            how: str = "mean", by: str = "run") -> pd.Series:
    """One number per run from the thinned steps, over periods ending in (after, until].

    ``how`` is ``"mean"`` (mean of the period values: a time average) or
    ``"total"`` (sum of value x days_in_period: the flow's total).
    """
    part = steps[steps["day"] > after]
    if until is not None:
        part = part[part["day"] <= until]
    if how == "total":
        return (part[value] * part["days_in_period"]).groupby(part[by], sort=False).sum()
    if how == "mean":
        return part.groupby(by, sort=False)[value].mean()
    raise ValueError(f"how={how!r}: expected 'mean' or 'total'")


def weighted_per_run(steps: pd.DataFrame, value: str, weight: str, after: int = 0
                     ) -> pd.Series:
    """Per run: the ``weight``-weighted mean of ``value`` over periods after ``after``."""
    part = steps[steps["day"] > after]
    w = part[weight] * part["days_in_period"]
    num = (part[value].fillna(0.0) * w).groupby(part["run"], sort=False).sum()
    den = w.groupby(part["run"], sort=False).sum()
    return (num / den).where(den > 0)


def by_seed(frame: pd.DataFrame, metric: str, where: dict[str, Any]) -> pd.Series:
    """``metric`` of the rows matching ``where`` (column -> value), indexed by seed."""
    mask = np.ones(len(frame), dtype=bool)
    for col, value in where.items():
        mask &= (frame[col] == value).to_numpy()
    part = frame[mask]
    return pd.Series(part[metric].to_numpy(float), index=part["seed"].to_numpy())


def compare(frame: pd.DataFrame, metric: str, arm: str, a: Any, b: Any,
            within: dict[str, Any] | None = None) -> stats.PairedTest:
    """Paired comparison of arm ``a`` against arm ``b`` (same seeds) within a cell."""
    within = within or {}
    return stats.paired(by_seed(frame, metric, {**within, arm: a}),
                        by_seed(frame, metric, {**within, arm: b}))


@dataclass
class Winner:
    """The arm with the best mean in a cell, and how it compares with the runner-up."""

    arm: Any
    runner_up: Any
    test: stats.PairedTest
    means: dict[Any, float]

    @property
    def significant(self) -> bool:
        """The lead over the runner-up is significant at 5% (paired t-test)."""
        return bool(np.isfinite(self.test.p) and self.test.p < 0.05)

    def describe(self, metric: str) -> str:
        """``premium (+1.2 pp vs lowcost, p = 0.003)``."""
        p = "p < 0.001" if self.test.p < 0.001 else f"p = {self.test.p:.3f}"
        return f"{self.arm} ({difference(metric, self.test)} vs {self.runner_up}, {p})"


RATES = ("final_share", "retention_rate")
"""Metrics that are fractions: differences are shown in percentage points."""
MONEY = ("cumulative_profit", "discounted_profit", "clv", "revenue", "cost", "customer_equity",
         "long_run_value")
"""Metrics in currency units: differences also shown relative to the comparison arm."""


def difference(metric: str, test: stats.PairedTest, short: bool = False) -> str:
    """A paired difference in the metric's natural unit.

    Fractions in percentage points (``+1.4 pp``); money in cu, with the
    relative change when the comparison arm's mean is positive (``+12,300 cu
    (+8.1%)``; ``short``: the percentage alone if available); others as numbers.
    """
    d = test.diff.mean
    if metric in RATES:
        return tables.num(100.0 * d, 2, signed=True) + " pp"
    if metric in MONEY or metric.startswith(("total_cost", "total_revenue")):
        rel = tables.pct(test.relative) if test.mean_b > 0 else None
        if short and rel:
            return rel
        return tables.num(d, 3, signed=True) + " cu" + (f" ({rel})" if rel else "")
    return tables.num(d, 3, signed=True)


def winner(frame: pd.DataFrame, metric: str, arm: str, arms: Sequence[Any],
           within: dict[str, Any] | None = None, higher_is_better: bool = True) -> Winner:
    """The best arm on ``metric`` within a cell and its paired test against the runner-up."""
    within = within or {}
    means = {a: stats.mean_ci(by_seed(frame, metric, {**within, arm: a})).mean for a in arms}
    ranked = sorted(arms, key=lambda a: means[a], reverse=higher_is_better)
    best, second = ranked[0], ranked[1]
    return Winner(best, second, compare(frame, metric, arm, best, second, within), means)


def cell_text(frame: pd.DataFrame, metric: str, where: dict[str, Any], digits: int = 3) -> str:
    """``mean [low, high]`` of ``metric`` in a cell."""
    return tables.ci(stats.mean_ci(by_seed(frame, metric, where)), digits)


def levels(frame: pd.DataFrame, column: str) -> list[Any]:
    """The values of a design column in order of first appearance."""
    return list(dict.fromkeys(frame[column].tolist()))


def ci_table(frame: pd.DataFrame, by: Sequence[str], metrics: Sequence[str],
             names: dict[str, str] | None = None, digits: int = 3) -> str:
    """Markdown table: one row per cell of ``by``, ``mean [low, high]`` per metric."""
    names = names or {}
    rows = []
    for key, part in frame.groupby(list(by), sort=False):
        key = key if isinstance(key, tuple) else (key,)
        rows.append([*map(str, key)] + [tables.ci(stats.mean_ci(part[m]), digits)
                                         for m in metrics])
    columns = [*by, *[names.get(m, label(m)) for m in metrics]]
    return tables.markdown(pd.DataFrame(rows, columns=columns),
                           align=["l"] * len(by) + ["r"] * len(metrics))


def paired_table(frame: pd.DataFrame, arm: str, baseline: Any, metrics: Sequence[str],
                 within: dict[str, Any] | None = None, names: dict[str, str] | None = None
                 ) -> str:
    """Markdown table: each other arm minus ``baseline`` per metric, paired by seed, with p."""
    names = names or {}
    rows = []
    for a in levels(frame, arm):
        if a == baseline:
            continue
        cells = [str(a)]
        for m in metrics:
            t = compare(frame, m, arm, a, baseline, within)
            p = "p < 0.001" if t.p < 0.001 else f"p = {t.p:.3f}"
            cells.append(f"{difference(m, t)} ({p})")
        rows.append(cells)
    columns = [f"{arm} vs {baseline}", *[names.get(m, label(m)) for m in metrics]]
    return tables.markdown(pd.DataFrame(rows, columns=columns))


def panels(out, file: str, table: pd.DataFrame, x: str, metrics: Sequence[str],
           hue: str | None = None, order: Sequence[Any] | None = None, ncols: int = 3,
           xlabel: str | None = None, names: dict[str, str] | None = None,
           vline: float | None = None) -> str:
    """One panel per metric of a :func:`~servsim.stats.cell_means` table against ``x``."""
    from servsim import plots

    names = names or {}
    nrows = -(-len(metrics) // ncols)
    fig, axes = plots.figure(nrows, ncols, width=4.4 * ncols, height=3.4 * nrows)
    for ax, metric in zip(axes.flat, metrics, strict=False):
        plots.lines_ci(ax, table, x, metric, hue=hue, order=order)
        ax.set_title(names.get(metric, label(metric)), fontsize=10)
        ax.set_xlabel(xlabel or x)
        if vline is not None:
            ax.axvline(vline, color="black", ls=":", lw=1)
    for ax in list(axes.flat)[len(metrics):]:
        ax.set_visible(False)
    if hue is not None:
        axes[0, 0].legend(fontsize=8, title=hue)
    plots.save(fig, out / file)
    return file


def series_panels(out, file: str, steps: pd.DataFrame, columns: Sequence[tuple[str, str]],
                  hue: str, order: Sequence[Any], labels: dict[Any, str] | None = None,
                  rows: Sequence[tuple[str, Any]] = ((None, None),), width: float = 4.4
                  ) -> str:
    """Time series of ``columns`` ((step column, title) pairs), one line and band per ``hue``.

    ``rows`` splits the figure into rows by (column, value) of ``steps``
    (default: one row with every run).
    """
    from servsim import plots

    fig, axes = plots.figure(len(rows), len(columns), width=width * len(columns),
                             height=3.6 * len(rows))
    for i, (col, value) in enumerate(rows):
        part = steps if col is None else steps[steps[col] == value]
        for j, (column, title) in enumerate(columns):
            ax = axes[i, j]
            plots.series_ci(ax, part, column, hue=hue, order=order, labels=labels)
            ax.set_title(title if col is None else f"{value}: {title}", fontsize=10)
            ax.set_xlabel("day")
    axes[0, 0].legend(fontsize=8)
    plots.save(fig, out / file)
    return file


def with_value(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``long_run_value`` = measured cumulative profit + terminal customer equity.

    The long-run outcome of a run whose horizon is shorter than a customer lifetime: the
    profit of the measured days plus the value of the customers held at the end
    (:func:`servsim.metrics.customer_equity`), so that milking the base does not win.
    """
    out = frame.copy()
    if "customer_equity" in out.columns:
        out["long_run_value"] = out["cumulative_profit"] + out["customer_equity"].fillna(0.0)
    return out


def assumptions_box(focal: pd.DataFrame, drivers: Sequence[str]) -> str:
    """The summary's assumptions box: market size, horizon, units and what drives the finding."""
    sizes = focal.drop_duplicates([c for c in ("n_customers", "days", "burn_in_days")
                                   if c in focal.columns])
    horizon = "; ".join(
        f"{int(r.n_customers):,} customers (the whole simulated market), {int(r.days):,} days "
        + (f"of which the first {int(getattr(r, 'burn_in_days', 0)):,} are a burn-in and the "
           f"last {int(r.days) - int(getattr(r, 'burn_in_days', 0)):,} are measured"
           if int(getattr(r, "burn_in_days", 0) or 0) else "all measured")
        for r in sizes.itertuples())
    lines = ["> **Assumptions box.**",
             f"> - Market size and horizon: {horizon}.",
             "> - Units: money in abstract currency units (cu) per run (the whole market of that "
             "size), price as an index (1 = the market reference), shares and retention as "
             "fractions; profit is the cumulative profit of the measured days, customer equity "
             "the customers at the end times their CLV (the terminal value of a customer base "
             "whose lifetime exceeds the horizon).",
             *[f"> - {d}" for d in drivers]]
    return "\n".join(lines)
