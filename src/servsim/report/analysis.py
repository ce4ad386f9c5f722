"""The report's numbers: KPIs, paired differences, the leader, assumptions, figures."""

from __future__ import annotations

import math
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from servsim import plots, stats, tables
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


def check_seeds(focal: pd.DataFrame, labels: Sequence[str]) -> None:
    """Refuse scenarios with fewer than :data:`MIN_SEEDS` replications (one line)."""
    counts = focal.groupby("scenario")["seed"].nunique()
    short = {lab: int(counts.get(lab, 0)) for lab in labels
             if int(counts.get(lab, 0)) < MIN_SEEDS}
    if short:
        listed = ", ".join(f"{lab}: {n}" for lab, n in short.items())
        raise ValueError(f"too few seeds ({listed}): the report needs at least {MIN_SEEDS} "
                         "replications per scenario for its confidence intervals")
