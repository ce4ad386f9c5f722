r"""The comparison report for strategists: ``servsim-report``.

Compare a few scenarios -- config names or override lists -- over the same
seeds and write one self-contained HTML page (figures embedded as base64 PNG,
no network needed) and the same report in Markdown beside it::

    servsim-report market=company_a --scenario strategy=premium \
        --scenario strategy=lowcost --scenario strategy=differentiated \
        --seeds 20 --baseline 0 -o results/report
    servsim-report --scenario premium --scenario "differentiated org=inverted" -o out/
    servsim-report --from-sweep results/sweeps/2025-06-01/10-00-00 -o out/

Positional arguments are overrides applied to every scenario.  A scenario is
a quoted, space-separated list of overrides (``"strategy=premium
org=inverted"``); a bare name (``premium``) is the config-group option of
that name (``strategy=premium``).  ``--from-sweep DIR`` reads a finished
``servsim -m`` sweep instead (via :mod:`servsim.collect`); its scenarios are
the combinations of the swept values other than the seed.

The report holds, for the focal firm:

- a KPI table (:data:`KPIS`): mean and 95% Student-t interval over the seeds;
- paired differences against the baseline scenario (same seeds, so the same
  customers, network and initial market): mean difference, 95% interval,
  relative change and the two-sided **paired t-test** (``scipy.stats.ttest_rel``);
- time series of the main KPIs with 95% bands;
- a plain-language paragraph: which scenario leads on what, by how much and
  how sure we are (leader against runner-up, paired t-test).

Every number is also written as a table (``kpis.csv``, ``differences.csv``)
with the tidy runs (``runs.parquet``, one row per run of the focal firm) and
series (``steps.parquet``), so each can be recomputed.
"""

from __future__ import annotations

import argparse
import base64
import html
import math
import os
import shlex
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from servsim import outputs, plots, replicate, stats, tables
from servsim import robustness as robustness_
from servsim.params import Params

KPIS: tuple[tuple[str, str, bool], ...] = (
    ("cumulative_profit", "profit, cumulative (cu)", True),
    ("discounted_profit", "profit, discounted (cu)", True),
    ("final_share", "market share at the end", True),
    ("retention_rate", "customer retention (annual)", True),
    ("clv", "customer lifetime value (cu)", True),
    ("satisfaction", "satisfaction (0-1)", True),
    ("recommend_score", "NPS (recommend score)", True),
    ("complaints", "complaints", False),
    ("recovery_days", "days to resolve a complaint", False),
    ("staff_turnover", "staff turnover (quits per staff-year)", False),
)
"""(summary metric, plain name, higher is better) of every KPI in the report."""

SERIES = (("customers", "customers"), ("satisfaction", "satisfaction"),
          ("cumulative_profit", "cumulative profit (cu)"),
          ("recommend_score", "NPS (recommend score)"), ("complaints", "complaints per day"),
          ("staff_morale", "staff morale"))
"""(step column, title) of the time-series panels."""

RATE_KPIS = ("final_share", "retention_rate")
"""KPIs that are fractions: shown in %, differences in percentage points."""
RELATIVE_KPIS = ("cumulative_profit", "discounted_profit", "clv", "complaints", "recovery_days",
                 "staff_turnover")
"""KPIs measured from zero, whose differences are also shown relative to the baseline."""

BOUNDS: dict[str, tuple[float, float]] = {
    "final_share": (0.0, 1.0), "retention_rate": (0.0, 1.0), "satisfaction": (0.0, 1.0),
    "recommend_score": (-100.0, 100.0), "complaints": (0.0, math.inf),
    "recovery_days": (0.0, math.inf), "staff_turnover": (0.0, math.inf)}
"""The range of every bounded KPI (docs/ODD.md's definitions): their intervals are
:func:`servsim.stats.bounded_mean_ci` (logit scale for two bounds, log scale for a lower
bound), so they stay within it; the other KPIs get the plain t interval.  Turnover is quits
per staff-year, which can exceed 1: only its lower bound holds."""

MIN_SEEDS = 2
"""Fewest replications per scenario: a confidence interval needs two."""

OUTPUT_FILES = ("report.html", "report.md", "kpis.png", "series.png", "robustness.png",
                "kpis.csv", "differences.csv", "runs.parquet", "steps.parquet",
                "rank_probabilities.csv", "robustness_summary.csv", "tornado.csv",
                "screening.csv", "robustness.parquet")
"""Files a report directory may hold (written by :func:`write`)."""


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.88em;margin:.6em 0}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right}th{background:#f4f4f4}
tbody th{text-align:left}.lead{background:#f7fbff;border-left:4px solid #1f77b4;padding:.6em 1em}
img{max-width:100%}td.text{text-align:left}code{background:#f4f4f4;padding:0 .2em}
.small{font-size:.85em;color:#555}
"""


@dataclass
class Scenario:
    """A scenario of the report: its label and overrides."""

    label: str
    overrides: list[str]


@dataclass
class Report:
    """Everything the report shows, as tables and text."""

    title: str
    scenarios: list[Scenario]
    baseline: str
    seeds: list[int]
    kpis: pd.DataFrame
    """scenario, kpi, mean, low, high, n, interval (how the interval was made)."""
    differences: pd.DataFrame
    """scenario, baseline, kpi, diff, low, high, relative, t, p, p_holm, n."""
    paragraph: str
    command: str
    figures: dict[str, bytes] = field(default_factory=dict)
    """file name -> PNG bytes."""
    assumptions: list[tuple[str, str]] = field(default_factory=list)
    """(topic, text) pairs of the assumptions box."""
    robustness: robustness_.Robustness | None = None
    """Rank probabilities and the tornado over the market's uncertainties, if asked for."""
    robustness_text: str = ""


# --------------------------------------------------------------------------- scenarios


SCENARIO_GROUPS = ("strategy", "org", "stage", "market", "heterogeneity", "recovery")
"""Config groups whose option names may stand alone in a scenario (``premium``)."""


def group_options() -> dict[str, list[str]]:
    """Return the options of every group of :data:`SCENARIO_GROUPS` (``{"strategy": [...]}``)."""
    from servsim import conf

    return {g: sorted(f.stem for f in (conf.CONFIG_DIR / g).glob("*.yaml")
                      if not f.stem.startswith("base_"))
            for g in SCENARIO_GROUPS}


def resolve_name(name: str) -> str:
    """Turn a bare config name into ``group=name`` (searching strategy, org, stage, ...)."""
    options = group_options()
    found = [g for g in SCENARIO_GROUPS if name in options[g]]
    if not found:
        valid = "; ".join(f"{g}: {', '.join(opts)}" for g, opts in options.items())
        raise ValueError(f"scenario {name!r}: not an override (key=value) and no config group "
                         f"has an option of that name; valid names: {valid}")
    if len(found) > 1:
        raise ValueError(f"scenario {name!r} is an option of several groups "
                         f"({', '.join(found)}); write e.g. {found[0]}={name}")
    group = found[0]
    return f"+{group}={name}" if group in ("heterogeneity", "recovery") else f"{group}={name}"


def parse_scenario(text: str) -> list[str]:
    """``"premium org=inverted"`` -> ``["strategy=premium", "org=inverted"]``."""
    return [item if "=" in item else resolve_name(item) for item in shlex.split(text)]


def scenario_labels(scenarios: Sequence[Sequence[str]],
                    texts: Sequence[str] | None = None) -> list[str]:
    """Short labels: the values when every scenario sets the same single key, else the text.

    ``texts`` are the scenarios as the user wrote them (default: the overrides joined).
    """
    keys = {tuple(o.partition("=")[0] for o in s) for s in scenarios}
    if len(keys) == 1 and all(len(s) == 1 for s in scenarios):
        labels = [s[0].partition("=")[2] for s in scenarios]
    elif texts is not None:
        labels = [" ".join(t.split()) or "(base)" for t in texts]
    else:
        labels = [" ".join(s) if s else "(base)" for s in scenarios]
    if len(set(labels)) < len(labels):
        labels = [f"{i}: {lab}" for i, lab in enumerate(labels)]
    return labels


# --------------------------------------------------------------------------- computing


def interval_method(key: str) -> str:
    """How the interval of KPI ``key`` is made (the ``interval`` column of kpis.csv)."""
    low, high = BOUNDS.get(key, (-math.inf, math.inf))
    if math.isfinite(low) and math.isfinite(high):
        return f"logit t on [{low:g}, {high:g}]"
    if math.isfinite(low):
        return f"log t on [{low:g}, inf)"
    return "t"


def kpi_table(focal: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """Mean and 95% interval of every KPI per scenario (``focal``: one row per run).

    Bounded KPIs (:data:`BOUNDS`) get :func:`servsim.stats.bounded_mean_ci`, the
    others :func:`servsim.stats.mean_ci`.
    """
    rows = []
    for lab in labels:
        part = focal[focal["scenario"] == lab]
        for key, _, _ in KPIS:
            e = stats.bounded_mean_ci(part[key], *BOUNDS.get(key, (-math.inf, math.inf)))
            rows.append({"scenario": lab, "kpi": key, "mean": e.mean, "low": e.low,
                         "high": e.high, "n": e.n, "interval": interval_method(key)})
    return pd.DataFrame(rows)


def _by_seed(focal: pd.DataFrame, lab: str, key: str) -> pd.Series:
    part = focal[focal["scenario"] == lab]
    return pd.Series(part[key].to_numpy(float), index=part["seed"].to_numpy())


def difference_table(focal: pd.DataFrame, labels: Sequence[str], baseline: str) -> pd.DataFrame:
    """Each scenario minus the baseline, paired by seed, per KPI (paired t-test).

    ``p_holm`` is Holm's adjustment over every test of the table (all scenarios
    and KPIs against the one baseline), so that a verdict of "likely" or
    "clear" anywhere in it is wrong with probability at most 5%.
    """
    rows = []
    for lab in labels:
        if lab == baseline:
            continue
        for key, _, _ in KPIS:
            t = stats.paired(_by_seed(focal, lab, key), _by_seed(focal, baseline, key))
            rows.append({"scenario": lab, "baseline": baseline, "kpi": key,
                         "diff": t.diff.mean, "low": t.diff.low, "high": t.diff.high,
                         "relative": t.relative, "t": t.t, "p": t.p, "n": t.diff.n})
    table = pd.DataFrame(rows)
    table.insert(table.columns.get_loc("p") + 1, "p_holm", stats.holm(table["p"]))
    return table


def _value(key: str, x: float) -> str:
    return tables.pct(x, 3, signed=False) if key in RATE_KPIS else tables.num(x)


def _relative(key: str, relative: float, mean_b: float) -> str | None:
    """Format the relative change, for KPIs measured from zero and a positive mean."""
    if key in RELATIVE_KPIS and np.isfinite(relative) and mean_b > 0:
        return tables.pct(relative)
    return None


def _gap(key: str, t: stats.PairedTest) -> str:
    if key in RATE_KPIS:
        return tables.num(100 * t.diff.mean, 2, signed=True) + " points"
    text = tables.num(t.diff.mean, 3, signed=True)
    rel = _relative(key, t.relative, t.mean_b)
    return text + (f", {rel}" if rel else "")


def leader_paragraph(focal: pd.DataFrame, labels: Sequence[str], baseline: str) -> str:
    """Plain language: who leads on what, by how much, how sure (leader vs runner-up).

    A KPI's leader has the best mean; it is compared with the runner-up on the
    same seeds (paired t-test).  The p-values are Holm-adjusted over the KPIs
    compared (:func:`servsim.stats.holm`).  Clear and likely leads (adjusted
    p < 0.05) are listed per leader; KPIs where the lead is within noise are
    listed together.
    """
    n = focal.groupby("scenario")["seed"].nunique().min()
    compared = []
    for key, name, higher in KPIS:
        means = {lab: stats.mean_ci(_by_seed(focal, lab, key)).mean for lab in labels}
        finite = [lab for lab in labels if np.isfinite(means[lab])]
        if len(finite) < 2:
            continue
        ranked = sorted(finite, key=lambda lab: means[lab], reverse=higher)
        lead, second = ranked[0], ranked[1]
        t = stats.paired(_by_seed(focal, lead, key), _by_seed(focal, second, key))
        compared.append((key, name, means, lead, second, t))
    adjusted = stats.holm([c[-1].p for c in compared])
    by_leader: dict[str, list[str]] = {}
    unclear = []
    for (key, name, means, lead, second, t), p in zip(compared, adjusted, strict=True):
        if not (np.isfinite(p) and p < 0.05):
            unclear.append(f"{name} ({lead} {_value(key, means[lead])}, {second} "
                           f"{_value(key, means[second])}, p = {p:.2f})"
                           if np.isfinite(p) else name)
            continue
        by_leader.setdefault(lead, []).append(
            f"{name}: {_value(key, means[lead])} against {_value(key, means[second])} for "
            f"{second}, {_gap(key, t)}, {stats.confidence_words(p)}")
    parts = [f"Over {n} replications, each scenario facing the same customers, network and "
             f"starting market seed by seed:"]
    for lead, items in by_leader.items():
        parts.append(f"**{lead}** leads on " + "; ".join(items) + ".")
    if not by_leader:
        parts.append("no scenario leads any KPI clearly.")
    if unclear:
        parts.append("No scenario is clearly ahead on " + "; ".join(unclear)
                     + ": there the seeds disagree about who leads.")
    parts.append(f"\"Clear\" means p < 0.01 and \"likely\" p < 0.05 in a two-sided paired "
                 f"t-test over the seeds of the leader against the runner-up, Holm-adjusted over "
                 f"the {len(compared)} KPIs, so that the chance of any false lead in this "
                 f"paragraph is at most 5% (the tables compare every scenario with the "
                 f"baseline, {baseline}).")
    return " ".join(parts)


def build(focal: pd.DataFrame, steps: pd.DataFrame, scenarios: Sequence[Scenario],
          baseline: str, title: str, command: str,
          params: Mapping[str, Params] | None = None,
          robustness: robustness_.Robustness | None = None) -> Report:
    """Compute the report from the focal firm's runs and thinned steps (column ``scenario``).

    ``params`` (label -> the scenario's parameters) fills the assumptions box;
    ``robustness`` (:func:`servsim.robustness.analyse`) adds its section.
    """
    labels = [s.label for s in scenarios]
    if baseline not in labels:
        raise ValueError(f"baseline {baseline!r} is not a scenario ({', '.join(labels)})")
    check_seeds(focal, labels)
    report = Report(title=title, scenarios=list(scenarios), baseline=baseline,
                    seeds=sorted(int(s) for s in focal["seed"].unique()),
                    kpis=kpi_table(focal, labels),
                    differences=difference_table(focal, labels, baseline),
                    paragraph=leader_paragraph(focal, labels, baseline), command=command,
                    robustness=robustness)
    report.assumptions = assumptions(params or {}, focal, robustness)
    report.figures["kpis.png"] = _kpi_figure(report)
    if not steps.empty:
        report.figures["series.png"] = _series_figure(steps, labels)
    if robustness is not None:
        report.robustness_text = robustness_paragraph(robustness)
        report.figures["robustness.png"] = _robustness_figure(robustness, labels)
    return report


KEY_CALIBRATION = (
    ("behaviour.utility_quality", "weight of expected quality in the choice of a firm"),
    ("behaviour.utility_price", "weight of price (times the segment's price sensitivity)"),
    ("behaviour.loss_aversion", "loss aversion: a shortfall weighs this many times a surplus"),
    ("behaviour.churn_satisfaction", "slope of defection on dissatisfaction"),
    ("behaviour.wom_negative", "word-of-mouth rate of unhappy customers"),
    ("behaviour.wom_positive", "word-of-mouth rate of delighted customers"),
    ("market.cost_of_goods", "cost of goods, a fraction of revenue"),
)
"""The calibration choices the assumptions box names (docs/ODD.md section 7 gives their
sources; most are judgement, see docs/validation.md)."""

LEVERS = (("strategy.price", "price index"), ("strategy.service_level", "service level"),
          ("strategy.promise", "promise"), ("strategy.training", "training"),
          ("strategy.compensation", "compensation"), ("org.name", "organisation"),
          ("stage.name", "service stage"))
"""The focal firm's levers listed per scenario in the assumptions box."""


def _get(params: Params, dotted: str):
    value = params
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def _fmt(value) -> str:
    return tables.num(value) if isinstance(value, int | float) and not isinstance(
        value, bool) else str(value)


def assumptions(params: Mapping[str, Params], focal: pd.DataFrame,
                robustness: robustness_.Robustness | None = None) -> list[tuple[str, str]]:
    """List the assumptions box: market, size, horizon, units, levers, what drives the result.

    From the scenarios' parameters (``params``, label -> :class:`~servsim.params.Params`);
    without them, size and horizon come from the runs' ``n_customers`` and ``days``.
    """
    rows: list[tuple[str, str]] = []
    first = next(iter(params.values()), None)
    if first is not None:
        m = first.market
        segments = ", ".join(f"{name} {tables.pct(seg.share, 2, False)} (price sensitivity "
                             f"{tables.num(seg.price_sensitivity)})"
                             for name, seg in m.segments.items())
        rivals = ", ".join(f"{name} ({firm.strategy.name}, initial share "
                           f"{tables.pct(firm.initial_share, 2, False)})"
                           for name, firm in m.competitors.items()) or "none (a single firm)"
        markets = sorted({p.market.name for p in params.values()})
        rows.append(("market", f"{', '.join(markets)}: segments {segments}; competitors "
                               f"{rivals}; {m.network.kind} word-of-mouth network, mean "
                               f"degree {m.network.mean_degree}"))
        sizes = sorted({p.sim.n_customers for p in params.values()})
        horizons = sorted({p.sim.days for p in params.values()})
        rates = sorted({p.sim.discount_rate for p in params.values()})
    else:
        sizes = sorted({int(v) for v in focal.get("n_customers", pd.Series(dtype=int))})
        horizons = sorted({int(v) for v in focal.get("days", pd.Series(dtype=int))})
        rates = []
    if sizes:
        rows.append(("size", f"{' / '.join(f'{n:,}' for n in sizes)} customers in the market "
                             "(all firms' customers and prospects)"))
    if horizons:
        rows.append(("horizon", f"{' / '.join(str(d) for d in horizons)} days ("
                                f"{' / '.join(f'{d / 365:.1f}' for d in horizons)} years)"
                     + (f"; discounted at {tables.pct(rates[0], 2, False)} a year"
                        if len(rates) == 1 else "")))
    rows.append(("units", "money in currency units (cu), totals over the horizon; share and "
                          "retention as fractions shown in %, differences in percentage points; "
                          "satisfaction 0-1; NPS -100 to 100; turnover in quits per staff-year"))
    if params:
        keys = [k for k, _ in LEVERS]
        varying = [k for k in keys if len({str(_get(p, k)) for p in params.values()}) > 1]
        shown = varying or keys[:2]
        levers = "; ".join(f"{lab}: " + ", ".join(f"{name} {_fmt(_get(p, k))}" for k, name
                                                   in LEVERS if k in shown)
                           for lab, p in params.items())
        rows.append(("levers compared", levers))
        calib = "; ".join(f"{desc} {_fmt(_get(first, key))} (`{key}`)"
                          for key, desc in KEY_CALIBRATION)
        rows.append(("key calibration choices", calib + ". Customers choose by a logit of "
                     "expected quality against price, so the price-versus-service trade-off "
                     "rests on the first two weights."))
    if robustness is not None and len(robustness.tornado):
        moving = robustness.tornado[robustness.tornado["swing"] > 0]
        top = moving.head(3)
        flips = moving[moving["flips"]]["key"].tolist()
        if top.empty:
            text = ("none of the tornado's parameters moves the leader's margin within its "
                    "range")
        else:
            text = ("the parameters whose range moves the leader's margin most: "
                    + ", ".join(f"`{k}`" for k in top["key"])
                    + (f"; within its range {', '.join(f'`{k}`' for k in flips)} changes the "
                       "leader" if flips else "; none of them changes the leader on its own"))
        rows.append(("what drives the result", text + " (tornado below)"))
    else:
        rows.append(("what drives the result", "not measured in this report: run it with "
                     "--robustness N to see which uncertain parameters would change the "
                     "verdict"))
    return rows


def _seed_text(seeds: Sequence[int]) -> str:
    return f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {seeds[0]}-{seeds[-1]}"


def robustness_paragraph(rob: robustness_.Robustness) -> str:
    """Plain language: how often each scenario is best, its regret, what flips the verdict."""
    name = dict((k, n) for k, n, _ in KPIS).get(rob.outcome, rob.outcome)
    n = int(rob.summary["n"].iloc[0])
    best = rob.summary.sort_values("p_best", ascending=False)
    shares = "; ".join(f"**{r.scenario}** in {tables.pct(r.p_best, 2, False)} "
                       f"[{tables.pct(r.p_best_low, 2, False)}, "
                       f"{tables.pct(r.p_best_high, 2, False)}] (mean regret "
                       f"{tables.num(r.regret_mean)})" for r in best.itertuples())
    text = (f"Across {n} samples of the market's {len(rob.parameters)} uncertain parameters "
            f"(Latin hypercube over their ranges, each sample a new seed shared by every "
            f"scenario), the best on {name} is {shares}. ")
    flips = rob.tornado[rob.tornado["flips"]]
    margin = float(rob.tornado["margin_default"].iloc[0]) if len(rob.tornado) else math.nan
    text += (f"At the parameters' defaults ({_seed_text(rob.seeds)}) "
             f"{rob.leader} leads {rob.runner_up} by {tables.num(margin)}. ")
    if flips.empty:
        text += ("No single parameter, moved alone to either end of its range, changes that "
                 "leader.")
    else:
        ends = []
        for r in flips.itertuples():
            for end, value, lead in (("low", r.low, r.leader_low), ("high", r.high,
                                                                     r.leader_high)):
                if lead != rob.leader:
                    ends.append(f"`{r.key}` at its {end} end ({_fmt(value)}: {lead} leads)")
        text += "The leader changes with one parameter moved alone: " + "; ".join(ends) + "."
    return text


def _kpi_figure(report: Report) -> bytes:
    labels = [s.label for s in report.scenarios]
    fig, axes = plots.figure(2, 5, width=16, height=6.2)
    for ax, (key, name, _) in zip(axes.flat, KPIS, strict=True):
        part = report.kpis[report.kpis["kpi"] == key].set_index("scenario").loc[labels]
        plots.bars_ci(ax, labels, part["mean"], part["low"], part["high"])
        ax.set_title(name, fontsize=9)
        ax.tick_params(axis="x", labelsize=7, rotation=20)
    return plots.png_bytes(fig)


def _series_figure(steps: pd.DataFrame, labels: Sequence[str]) -> bytes:
    fig, axes = plots.figure(2, 3, width=15, height=7)
    for ax, (col, title) in zip(axes.flat, SERIES, strict=True):
        if col in steps.columns:
            plots.series_ci(ax, steps, col, hue="scenario", order=list(labels))
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("day")
    axes[0, 0].legend(fontsize=8)
    return plots.png_bytes(fig)


def _robustness_figure(rob: robustness_.Robustness, labels: Sequence[str]) -> bytes:
    name = dict((k, n) for k, n, _ in KPIS).get(rob.outcome, rob.outcome)
    rows = max(len(rob.tornado.head(10)), len(labels))
    fig, axes = plots.figure(1, 2, width=15, height=2.2 + 0.42 * rows)
    plots.rank_bars(axes[0, 0], rob.ranks, [lab for lab in labels
                                           if lab in set(rob.ranks["scenario"])])
    axes[0, 0].set_title(f"rank on {name} across the uncertainties", fontsize=10)
    plots.tornado(axes[0, 1], rob.tornado,
                  label=f"{rob.leader} minus {rob.runner_up}: {name}")
    axes[0, 1].set_title("one parameter at a time (others at defaults)", fontsize=10)
    return plots.png_bytes(fig)


# --------------------------------------------------------------------------- rendering


def _kpi_frame(report: Report) -> pd.DataFrame:
    labels = [s.label for s in report.scenarios]
    rows = []
    for key, name, higher in KPIS:
        part = report.kpis[report.kpis["kpi"] == key].set_index("scenario")
        cells = []
        for lab in labels:
            r = part.loc[lab]
            e = stats.Estimate(r["mean"], r["low"], r["high"], int(r["n"]))
            cells.append(tables.ci(e) if key not in RATE_KPIS else (
                f"{tables.pct(e.mean, 3, False)} [{tables.pct(e.low, 3, False)}, "
                f"{tables.pct(e.high, 3, False)}]"))
        rows.append([f"{name} ({'↑' if higher else '↓'} better)", *cells])
    return pd.DataFrame(rows, columns=["KPI", *labels])


def _p_text(p: float) -> str:
    return "< 0.001" if p < 0.001 else ("n/a" if not np.isfinite(p) else f"{p:.3f}")


def _diff_frame(report: Report) -> pd.DataFrame:
    rows = []
    for r in report.differences.itertuples():
        name = dict((k, n) for k, n, _ in KPIS)[r.kpi]
        scale = 100.0 if r.kpi in RATE_KPIS else 1.0
        unit = " points" if r.kpi in RATE_KPIS else ""
        mean_b = r.diff / r.relative if np.isfinite(r.relative) and r.relative != 0 else 0.0
        rel = _relative(r.kpi, r.relative, mean_b) or ""
        rows.append([f"{r.scenario} − {r.baseline}", name,
                     f"{tables.num(scale * r.diff, 3, True)}{unit} "
                     f"[{tables.num(scale * r.low, 3, True)}, "
                     f"{tables.num(scale * r.high, 3, True)}]",
                     rel, _p_text(r.p), _p_text(r.p_holm),
                     stats.confidence_words(r.p_holm).split(" (")[0]])
    return pd.DataFrame(rows, columns=["comparison", "KPI", "difference [95% CI]",
                                       "relative", "p (paired t)", "p (Holm)", "verdict"])


def _assumption_frame(report: Report) -> pd.DataFrame:
    return pd.DataFrame(report.assumptions, columns=["assumption", "in this report"])


def _rank_frame(rob: robustness_.Robustness) -> pd.DataFrame:
    rows = []
    n_ranks = int(rob.ranks["rank"].max())
    for r in rob.summary.itertuples():
        part = rob.ranks[rob.ranks["scenario"] == r.scenario].set_index("rank")
        rows.append([r.scenario, *[f"{tables.pct(part.loc[k, 'probability'], 2, False)} "
                                   f"[{tables.pct(part.loc[k, 'low'], 2, False)}, "
                                   f"{tables.pct(part.loc[k, 'high'], 2, False)}]"
                                   for k in range(1, n_ranks + 1)],
                     tables.num(r.regret_mean), tables.num(r.outcome_mean)])
    return pd.DataFrame(rows, columns=["scenario", *[f"P(rank {k}) [95% CI]"
                                                     for k in range(1, n_ranks + 1)],
                                       "mean regret", "mean"])


def _tornado_frame(rob: robustness_.Robustness, top: int = 10) -> pd.DataFrame:
    rows = [[r.key, f"{_fmt(r.low)} – {_fmt(r.high)} (default {_fmt(r.default)})",
             tables.num(r.margin_low, 3, True), tables.num(r.margin_high, 3, True),
             f"yes: {r.leader_low if r.leader_low != rob.leader else r.leader_high} leads"
             if r.flips else "no"] for r in rob.tornado.head(top).itertuples()]
    return pd.DataFrame(rows, columns=["parameter", "range", "margin at low",
                                       "margin at high", "leader changes"])


def _scenario_lines(report: Report) -> list[str]:
    return [f"- **{s.label}**{' (baseline)' if s.label == report.baseline else ''}: "
            f"`{' '.join(s.overrides) or '(base settings)'}`" for s in report.scenarios]


def method_text(report: Report) -> str:
    """Describe how the numbers were made, in a few sentences."""
    seeds = report.seeds
    seed_text = (f"{seeds[0]}–{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1))
                 else ", ".join(map(str, seeds)))
    text = (f"{len(seeds)} replications per scenario (seeds {seed_text}); scenarios share "
            "seeds, so each pair of runs with one seed starts from the same customers, network "
            "and market (common random numbers). KPIs are the focal firm's run summaries "
            "(servsim.metrics): means with 95% Student-t intervals over seeds "
            "(scipy.stats.ttest_1samp); for bounded KPIs (share, retention, satisfaction, NPS, "
            "and the non-negative complaints, recovery days and turnover) the t interval is "
            "built on the logit (or log) scale and mapped back, so it stays within the bounds "
            "(kpis.csv, column interval). Differences are per seed against the baseline, with "
            "their t interval and a two-sided paired t-test (scipy.stats.ttest_rel); the "
            "verdicts use Holm-adjusted p-values over every comparison of the table "
            "(statsmodels multipletests). Time series are weekly means of the daily values "
            "with 95% bands over seeds.")
    rob = report.robustness
    if rob is not None:
        text += (f" Robustness: {int(rob.summary['n'].iloc[0])} Latin-hypercube samples "
                 f"(scipy.stats.qmc) of the {len(rob.parameters)} uncertain parameters of the "
                 "market's parameter registry, each parameter over its plausible range and "
                 "distribution; at each sample every scenario runs with the same parameter "
                 "values and the same seed. Rank probabilities have Wilson 95% intervals; "
                 "regret is the best scenario's outcome minus the scenario's, averaged over "
                 "samples. The tornado moves one parameter at a time to each end of its range, "
                 f"the others at their defaults, on {_seed_text(rob.seeds)}; its "
                 f"{len(rob.tornado)} parameters are those whose values correlate most "
                 "(Spearman, over the samples) with the margin between the two leading "
                 "scenarios (rank_probabilities.csv, robustness_summary.csv, tornado.csv, "
                 "screening.csv, robustness.parquet).")
    return text


def to_markdown(report: Report) -> str:
    """Render the report as Markdown (figures referenced as PNG files beside it)."""
    lines = [f"# {report.title}", "", report.paragraph, "", "## Assumptions", "",
             tables.markdown(_assumption_frame(report), align=["l", "l"]), "",
             "## Scenarios", "", *_scenario_lines(report), "",
             "## KPIs (mean [95% CI] over seeds)", "",
             tables.markdown(_kpi_frame(report)), "",
             f"## Differences against the baseline ({report.baseline}), paired by seed", "",
             tables.markdown(_diff_frame(report), align=["l", "l", "r", "r", "r", "r", "l"]),
             ""]
    rob = report.robustness
    if rob is not None:
        lines += ["## Robustness across the market's uncertainties", "", report.robustness_text,
                  "", tables.markdown(_rank_frame(rob)), "",
                  tables.markdown(_tornado_frame(rob), align=["l", "l", "r", "r", "l"]), ""]
    for file, title in FIGURES:
        if file in report.figures:
            lines += [f"## {title}", "", f"![{title}]({file})", ""]
    lines += ["## Method", "", method_text(report), "", f"Command: `{report.command}`", ""]
    return "\n".join(lines)


FIGURES = (("kpis.png", "KPIs"), ("series.png", "Over time"),
           ("robustness.png", "Robustness"))
"""(file, title) of the report's figures, in page order."""


def to_html(report: Report) -> str:
    """Render the report as one self-contained HTML page (figures inline as base64 PNG)."""
    import re

    def md_inline(text: str) -> str:
        text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(text))
        return re.sub(r"`(.+?)`", r"<code>\1</code>", text)

    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>{html.escape(report.title)}</title><style>{CSS}</style></head><body>",
             f"<h1>{html.escape(report.title)}</h1>",
             f"<p class='lead'>{md_inline(report.paragraph)}</p>",
             "<h2>Assumptions</h2><table class='assumptions'><tbody>"]
    for topic, text in report.assumptions:
        parts.append(f"<tr><th>{html.escape(topic)}</th><td class='text'>{md_inline(text)}"
                     "</td></tr>")
    parts.append("</tbody></table><h2>Scenarios</h2><ul>")
    for s in report.scenarios:
        base = " (baseline)" if s.label == report.baseline else ""
        parts.append(f"<li><b>{html.escape(s.label)}</b>{base}: "
                     f"<code>{html.escape(' '.join(s.overrides) or '(base settings)')}</code></li>")
    parts += ["</ul><h2>KPIs (mean [95% CI] over seeds)</h2>",
              tables.html_table(_kpi_frame(report)),
              f"<h2>Differences against the baseline ({html.escape(report.baseline)}), "
              "paired by seed</h2>", tables.html_table(_diff_frame(report), "diff")]
    rob = report.robustness
    if rob is not None:
        parts += ["<h2>Robustness across the market's uncertainties</h2>",
                  f"<p>{md_inline(report.robustness_text)}</p>",
                  tables.html_table(_rank_frame(rob), "ranks"),
                  tables.html_table(_tornado_frame(rob), "tornado")]
    for file, title in FIGURES:
        if file in report.figures:
            data = base64.b64encode(report.figures[file]).decode("ascii")
            parts.append(f"<h2>{title}</h2><img alt='{title}' src='data:image/png;base64,{data}'>")
    parts += [f"<h2>Method</h2><p>{html.escape(method_text(report))}</p>",
              f"<p class='small'>Command: <code>{html.escape(report.command)}</code></p>",
              "</body></html>"]
    return "\n".join(parts)


def write(report: Report, out: str | Path, focal: pd.DataFrame, steps: pd.DataFrame) -> Path:
    """Write report.html, report.md, the figures and every table behind the numbers.

    kpis.csv, differences.csv, the tidy runs and steps, and with robustness
    rank_probabilities.csv, robustness_summary.csv, tornado.csv and
    robustness.parquet (every evaluation).  Files of :data:`OUTPUT_FILES` left
    from an earlier report in ``out`` that this report does not write are
    removed, so the directory holds one report only (:func:`check_output`
    refuses an existing report unless forced).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for file, data in report.figures.items():
        with outputs.atomic_path(out / file) as tmp:
            tmp.write_bytes(data)
        written.append(out / file)
    written.append(outputs.write_text(out / "report.md", to_markdown(report)))
    written.append(outputs.write_text(out / "kpis.csv", report.kpis.to_csv(index=False)))
    written.append(outputs.write_text(out / "differences.csv",
                                      report.differences.to_csv(index=False)))
    written.append(outputs.write_parquet(out / "runs.parquet", focal))
    written.append(outputs.write_parquet(out / "steps.parquet", steps))
    rob = report.robustness
    if rob is not None:
        for name, table in (("rank_probabilities.csv", rob.ranks),
                            ("robustness_summary.csv", rob.summary),
                            ("tornado.csv", rob.tornado),
                            *((("screening.csv", rob.screening),)
                              if rob.screening is not None else ())):
            written.append(outputs.write_text(out / name, table.to_csv(index=False)))
        written.append(outputs.write_parquet(out / "robustness.parquet", rob.results))
    page = outputs.write_text(out / "report.html", to_html(report))
    written.append(page)
    names = {Path(w).name for w in written}
    for stale in OUTPUT_FILES:
        if stale not in names and (out / stale).is_file():
            (out / stale).unlink()
    return page


# --------------------------------------------------------------------------- sources


def simulate_scenarios(scenarios: Sequence[Scenario], seeds: Sequence[int],
                       base: Sequence[str] = (), n_jobs: int = 2, progress: bool = True
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every scenario for every seed; the focal firm's runs and steps with ``scenario``."""
    jobs = replicate.scenario_jobs([s.overrides for s in scenarios], seeds, base)
    data = replicate.run_jobs(jobs, n_jobs=n_jobs, progress=progress)
    names = {i: s.label for i, s in enumerate(scenarios)}
    focal = data.focal()
    focal["scenario"] = focal["scenario"].map(names)
    steps = data.steps.copy()
    steps["scenario"] = steps["scenario"].map(names)
    return focal, steps


def sweep_scenarios(sweep_dir: str | Path, by: Sequence[str] | None = None
                    ) -> tuple[list[Scenario], pd.DataFrame, pd.DataFrame]:
    """Scenarios, focal runs and steps of a finished sweep (scenario = swept values but seed)."""
    data = replicate.from_sweep(sweep_dir)
    focal = data.focal()
    candidates = [c for c in focal.columns if c in ("market", "strategy", "org", "stage")
                  or "." in c]
    by = list(by) if by else replicate.varying_columns(focal, candidates)
    if not by:
        raise ValueError(f"{sweep_dir}: the runs differ only in their seed; nothing to compare")
    keys = focal[by].astype(str).agg(" ".join, axis=1) if len(by) > 1 else focal[by[0]].astype(str)
    overrides = {}
    for k, row in zip(keys, focal[by].astype(str).itertuples(index=False), strict=True):
        overrides.setdefault(k, [f"{c}={v}" for c, v in zip(by, row, strict=True)])
    labels = scenario_labels(list(overrides.values()))
    mapping = dict(zip(overrides, labels, strict=True))
    scenarios = [Scenario(mapping[k], v) for k, v in overrides.items()]
    focal["scenario"] = keys.map(mapping)
    run_to_scenario = dict(zip(focal["run"], focal["scenario"], strict=True))
    steps = data.steps.copy()
    steps["scenario"] = steps["run"].map(run_to_scenario)
    return scenarios, focal, steps


def scenario_params(scenarios: Sequence[Scenario], base: Sequence[str] = ()) -> dict[str, Params]:
    """Each scenario's composed parameters (without a seed), as ``servsim`` composes them."""
    with replicate.Composer() as composer:
        return {s.label: composer.params([*base, *s.overrides]) for s in scenarios}


def sweep_params(sweep_dir: str | Path, focal: pd.DataFrame) -> dict[str, Params]:
    """Each scenario's parameters from the ``config.yaml`` of its first run in the sweep.

    Scenarios whose config cannot be read are left out (the assumptions box then
    says less, from the runs' table).
    """
    import yaml

    from servsim.params import make_params

    found = {}
    for label, part in focal.groupby("scenario", sort=False):
        path = Path(sweep_dir) / str(part["run"].iloc[0]) / outputs.CONFIG_FILE
        try:
            found[str(label)] = make_params(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, yaml.YAMLError):
            continue
    return found


def model_kwargs(overrides: Sequence[str]) -> dict[str, object]:
    """Turn overrides into the model function's keywords (``strategy=premium`` -> strategy).

    Group choices keep their group as key, dotted keys stay dotted, values are
    typed by YAML rules (``strategy.price=1.2`` -> ``{"strategy.price": 1.2}``).
    """
    from servsim.collect import parse_override

    kwargs: dict[str, object] = {}
    for item in overrides:
        key, value = parse_override(item)
        if key == "seed":
            raise ValueError(f"{item}: robustness sets the seeds itself; drop the seed override")
        kwargs[key] = value
    return kwargs


ROBUSTNESS_OUTCOMES = {k: higher for k, _, higher in KPIS}
"""Outcomes --robustness may rank on, and whether higher is better."""


def run_robustness(scenarios: Sequence[Scenario], base: Sequence[str], market: str,
                   outcome: str, samples: int, seed: int, first_seed: int, tornado_seeds: int,
                   tornado_parameters: int, n_jobs: int, model_and_parameters=None
                   ) -> robustness_.Robustness:
    """Rank probabilities and the tornado of the scenarios over the market's uncertainties.

    ``model_and_parameters`` is ``(model, parameters)``; by default
    :func:`servsim.robustness.servsim_model` (servsim's model function and
    registry).  Parameters that a scenario or ``base`` sets are not varied.
    Evaluations run on ``n_jobs`` processes.
    """
    model, parameters = (model_and_parameters if model_and_parameters is not None
                         else robustness_.servsim_model(market))
    fixed = set(model_kwargs(base)).union(*(model_kwargs(s.overrides) for s in scenarios))
    parameters = [p for p in parameters if p.key not in fixed]  # the user set these
    mapper = robustness_.sequential if n_jobs <= 1 else robustness_.pool_mapper(n_jobs)
    return robustness_.analyse(
        model, parameters, {s.label: model_kwargs(s.overrides) for s in scenarios}, outcome,
        higher=ROBUSTNESS_OUTCOMES[outcome], samples=samples, seed=seed, first_seed=first_seed,
        tornado_seeds=tornado_seeds, tornado_parameters=tornado_parameters,
        base={"market": market, **model_kwargs(base)},
        mapper=mapper)


# --------------------------------------------------------------------------- command line


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (no usage block) and exit 2."""

    def error(self, message: str):  # noqa: D102 - argparse's hook
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def check_output(out: str | Path, force: bool = False) -> Path:
    """Refuse an output directory the report cannot or should not write, before any work.

    Raises ``ValueError`` (one line) if ``out`` is a file, lies under a file,
    is not writable, or already holds a report and ``force`` is false.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"-o {out}: is a file, not a directory; give a directory for the report")
    existing = out
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ValueError(f"-o {out}: {existing} is a file, so no directory can be made under it")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"-o {out}: {existing} is not writable")
    held = [f for f in OUTPUT_FILES if (out / f).exists()] if out.is_dir() else []
    if held and not force:
        raise ValueError(f"-o {out}: already holds a report ({', '.join(held[:3])}"
                         f"{', ...' if len(held) > 3 else ''}); pass --force to replace it, "
                         "or choose another directory")
    return out


def resolve_baseline(text: str, labels: Sequence[str]) -> str:
    """Return the baseline's label from ``--baseline`` (a position or a label)."""
    if text.lstrip("-").isdigit():
        index = int(text)
        if not 0 <= index < len(labels):
            raise ValueError(f"--baseline {text}: allowed positions 0 to {len(labels) - 1} or a "
                             f"label ({', '.join(labels)})")
        return labels[index]
    if text not in labels:
        raise ValueError(f"--baseline {text!r} is not a scenario; allowed: positions 0 to "
                         f"{len(labels) - 1} or a label ({', '.join(labels)})")
    return text


def check_seeds(focal: pd.DataFrame, labels: Sequence[str]) -> None:
    """Refuse scenarios with fewer than :data:`MIN_SEEDS` replications (one line)."""
    counts = focal.groupby("scenario")["seed"].nunique()
    short = {lab: int(counts.get(lab, 0)) for lab in labels
             if int(counts.get(lab, 0)) < MIN_SEEDS}
    if short:
        listed = ", ".join(f"{lab}: {n}" for lab, n in short.items())
        raise ValueError(f"too few seeds ({listed}): the report needs at least {MIN_SEEDS} "
                         "replications per scenario for its confidence intervals")


def main(argv: list[str] | None = None) -> int:
    """Console entry point ``servsim-report``."""
    parser = _Parser(
        prog="servsim-report",
        description="Compare scenarios over the same seeds and write one self-contained HTML "
                    "report (and Markdown beside it): KPIs with 95% CIs, paired differences "
                    "against a baseline with a paired t-test, time series, a plain-language "
                    "summary.",
        epilog="Example: servsim-report market=company_a --scenario strategy=premium "
               "--scenario strategy=lowcost --scenario strategy=differentiated --seeds 20 "
               "--baseline 0 -o results/report")
    parser.add_argument("overrides", nargs="*", help="overrides for every scenario")
    parser.add_argument("-s", "--scenario", action="append", default=[], metavar="OVERRIDES",
                        help="a scenario: quoted overrides or config names (repeat)")
    parser.add_argument("--labels", help="comma-separated scenario labels")
    parser.add_argument("--from-sweep", metavar="DIR", help="read a finished servsim -m sweep")
    parser.add_argument("--by", help="with --from-sweep: comma-separated columns that define "
                                     "the scenarios (default: every swept column but seed)")
    parser.add_argument("--seeds", type=int, default=20,
                        help=f"replications, at least {MIN_SEEDS} (default 20)")
    parser.add_argument("--seed-start", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--baseline", default="0", help="baseline scenario: position or label")
    parser.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--title", default="servsim comparison report")
    parser.add_argument("-o", "--out", default="results/report", help="output directory")
    parser.add_argument("--force", action="store_true",
                        help="replace the report already in the output directory")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--robustness", type=int, default=0, metavar="N",
                        help="also sample the market's uncertain parameters N times (Latin "
                             "hypercube) for rank probabilities and a tornado (default 0: off)")
    parser.add_argument("--robustness-outcome", default="cumulative_profit",
                        choices=sorted(ROBUSTNESS_OUTCOMES),
                        help="the KPI ranked by --robustness (default cumulative_profit)")
    parser.add_argument("--robustness-seed", type=int, default=0,
                        help="seed of the robustness design (default 0)")
    parser.add_argument("--tornado-seeds", type=int, default=2,
                        help="replications per tornado point (default 2)")
    parser.add_argument("--tornado-parameters", type=int, default=8, metavar="K",
                        help="parameters in the tornado: the K that move the leaders' margin "
                             "most across the samples (default 8)")
    args = parser.parse_intermixed_args(argv)
    started = time.perf_counter()
    command = "servsim-report " + " ".join(shlex.quote(a) for a in (
        argv if argv is not None else sys.argv[1:]))
    if not args.from_sweep and args.seeds < MIN_SEEDS:
        parser.error(f"--seeds {args.seeds}: allowed {MIN_SEEDS} or more (a confidence "
                     "interval needs two replications)")
    if args.seed_start < 0:
        parser.error(f"--seed-start {args.seed_start}: allowed 0 or more")
    if args.jobs < 1:
        parser.error(f"--jobs {args.jobs}: allowed 1 or more")
    if args.robustness < 0 or args.robustness == 1:
        parser.error(f"--robustness {args.robustness}: allowed 0 (off) or 2 or more samples")
    if args.tornado_seeds < 1:
        parser.error(f"--tornado-seeds {args.tornado_seeds}: allowed 1 or more")
    if args.tornado_parameters < 1:
        parser.error(f"--tornado-parameters {args.tornado_parameters}: allowed 1 or more")
    if args.robustness and args.from_sweep:
        parser.error("--robustness runs the model itself; it cannot be combined with "
                     "--from-sweep")
    try:
        check_output(args.out, args.force)
        if args.from_sweep:
            if args.scenario:
                parser.error("--from-sweep reads its scenarios from the sweep; drop --scenario")
            scenarios, focal, steps = sweep_scenarios(
                args.from_sweep, args.by.split(",") if args.by else None)
            labels = [s.label for s in scenarios]
            baseline = resolve_baseline(args.baseline, labels)
            check_seeds(focal, labels)
            params = sweep_params(args.from_sweep, focal)
            rob = None
        else:
            if len(args.scenario) < 2:
                parser.error("give at least two --scenario options (or --from-sweep DIR)")
            lists = [parse_scenario(s) for s in args.scenario]
            labels = (args.labels.split(",") if args.labels
                      else scenario_labels(lists, args.scenario))
            if len(labels) != len(lists):
                parser.error(f"--labels has {len(labels)} names for {len(lists)} scenarios")
            if len(set(labels)) < len(labels):
                parser.error(f"--labels {args.labels}: every label must be different")
            scenarios = [Scenario(lab, o) for lab, o in zip(labels, lists, strict=True)]
            baseline = resolve_baseline(args.baseline, labels)
            params = scenario_params(scenarios, args.overrides)
            model = None
            if args.robustness:
                markets = sorted({p.market.name for p in params.values()})
                if len(markets) > 1:
                    raise ValueError(f"--robustness compares scenarios in one market; these "
                                     f"are in {', '.join(markets)}")
                for s in scenarios:
                    model_kwargs(s.overrides)
                model = robustness_.servsim_model(markets[0])  # refused here, before any run
            seeds = range(args.seed_start, args.seed_start + args.seeds)
            focal, steps = simulate_scenarios(scenarios, seeds, args.overrides, args.jobs,
                                              progress=not args.quiet)
            rob = None
            if model is not None:
                rob = run_robustness(scenarios, [o for o in args.overrides
                                                 if not o.startswith("market=")],
                                     markets[0], args.robustness_outcome, args.robustness,
                                     args.robustness_seed, args.seed_start, args.tornado_seeds,
                                     args.tornado_parameters, args.jobs, model)
        report = build(focal, steps, scenarios, baseline, args.title, command, params, rob)
    except Exception as ex:
        from hydra.errors import HydraException

        if not isinstance(ex, ValueError | FileNotFoundError | IndexError | HydraException):
            raise
        from servsim.compose import describe_error

        print(f"servsim-report: error: {describe_error(ex)}", file=sys.stderr)
        return 2
    path = write(report, args.out, focal, steps)
    print(f"servsim-report: wrote {path} and {Path(args.out) / 'report.md'} "
          f"({len(focal)} runs, {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
