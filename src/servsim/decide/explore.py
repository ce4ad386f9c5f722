"""``servsim explore``: robust comparison of strategies and scenario discovery (EMA Workbench).

Usage::

    servsim explore                                   # preset company_a
    servsim explore scenarios=200 replications=2
    servsim explore 'flip=[lowcost,differentiated]' outcome=share

Steps: a Latin hypercube of ``scenarios`` points over the uncertainties
(EMA Workbench's ``LHSSampler``, seeded: its default is unseeded), each
scenario run under every strategy with the same seeds (common random
numbers) on warm workers; then

- **robust comparison**: for each strategy, the probability of being best
  (ties shared) and its regret (best outcome in the scenario minus its own)
  across the scenarios — mean, 90th percentile and maximum;
- **scenario discovery**: PRIM (``ema_workbench.analysis.prim.Prim``) on where
  the ranking of the pair ``flip = [A, B]`` flips — the scenarios where A beats
  B, or where B beats A, whichever is the minority — giving boxes with their
  coverage (share of the flips inside the box) and density (share of the box's
  scenarios that flip), stated in plain language.

The EMA Workbench is the optional ``explore`` extra (``pip install
'servsim[explore]'``); without it the command stops with one line.

Writes to ``run.out`` (default ``results/decisions/explore/<preset>``):
``evaluations.jsonl`` (resumable), ``evaluations.parquet``,
``robustness.parquet``, ``boxes.parquet``, ``summary.md`` and figures
``robustness.png``, ``prim_tradeoff.png``, ``prim_box_<k>.png``.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from servsim.decide import design, model
from servsim.decide.outcomes import parse, per_strategy_means
from servsim.params import ParameterError

PROG = "servsim explore"
FEW_FLIPS = 5
"""Fewer scenarios of interest than this get a warning: PRIM cannot describe a region."""


def ema():
    """Import EMA Workbench, or stop with one line saying how to install it."""
    try:
        import ema_workbench
        from ema_workbench.analysis import prim  # noqa: F401
    except ImportError:
        raise ImportError("servsim explore needs EMA Workbench: "
                          "pip install 'servsim[explore]'") from None
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return ema_workbench


def check(cfg: DictConfig) -> None:
    """Reject bad settings with one line before any run."""
    if cfg.scenarios < 4:
        raise ParameterError(f"scenarios={cfg.scenarios}: need at least 4")
    if cfg.replications < 1:
        raise ParameterError(f"replications={cfg.replications}: need at least 1")
    if len(cfg.strategies) < 2:
        raise ParameterError(f"strategies={list(cfg.strategies)}: compare at least two")
    if len(cfg.flip) != 2 or cfg.flip[0] == cfg.flip[1] or not set(cfg.flip) <= set(
            cfg.strategies):
        raise ParameterError(f"flip={list(cfg.flip)}: two different strategies of "
                             f"strategies={list(cfg.strategies)}")
    p = cfg.prim
    if not 0 < p.peel_alpha < 1 or not 0 < p.paste_alpha < 1:
        raise ParameterError("prim.peel_alpha and prim.paste_alpha: allowed (0, 1)")
    if not 0 < p.mass_min < 1:
        raise ParameterError(f"prim.mass_min={p.mass_min}: allowed (0, 1)")
    if not 0 <= p.min_coverage <= 1:
        raise ParameterError(f"prim.min_coverage={p.min_coverage}: allowed [0, 1]")
    if p.max_boxes < 1:
        raise ParameterError(f"prim.max_boxes={p.max_boxes}: need at least 1")
    design.check_strategies(cfg.strategies, cfg.model)


def latin_hypercube(params: list[model.Parameter], size: int, seed: int) -> pd.DataFrame:
    """Draw a seeded Latin hypercube over the parameters (EMA Workbench's ``LHSSampler``).

    Log-uniform parameters are sampled uniformly in log space; integer ones with
    EMA's ``IntegerParameter``.  Columns are the parameter keys.
    """
    ema()
    from ema_workbench import IntegerParameter, RealParameter
    from ema_workbench.em_framework.samplers import LHSSampler

    ema_params = []
    for i, p in enumerate(params):  # EMA names must be identifiers: x0, x1, ...
        if p.distribution == "integer":
            ema_params.append(IntegerParameter(f"x{i}", int(p.low), int(p.high)))
        elif p.distribution == "loguniform":
            ema_params.append(RealParameter(f"x{i}", math.log(p.low), math.log(p.high)))
        else:
            ema_params.append(RealParameter(f"x{i}", p.low, p.high))
    samples = LHSSampler().generate_samples(ema_params, size, rng=np.random.default_rng(seed))
    values = np.asarray(samples.samples, dtype=float)
    frame = pd.DataFrame(values, columns=[p.key for p in params])
    for p in params:
        if p.distribution == "loguniform":
            frame[p.key] = np.exp(frame[p.key])
        elif p.distribution == "integer":
            frame[p.key] = frame[p.key].round().astype(int)
    return frame


def robustness(values: pd.DataFrame) -> pd.DataFrame:
    """Probability of being best and regret per strategy (``values``: scenarios x strategies).

    Higher is better.  Ties for the best share the win equally; regret is the best
    value in the scenario minus the strategy's own.
    """
    best = values.max(axis=1)
    is_best = values.eq(best, axis=0)
    p_best = is_best.div(is_best.sum(axis=1), axis=0).mean()
    regret = values.rsub(best, axis=0)
    return pd.DataFrame({
        "strategy": values.columns,
        "mean": values.mean().to_numpy(),
        "p_best": p_best.to_numpy(),
        "regret_mean": regret.mean().to_numpy(),
        "regret_p90": regret.quantile(0.9).to_numpy(),
        "regret_max": regret.max().to_numpy(),
    }).sort_values(["p_best", "regret_mean"], ascending=[False, True]).reset_index(drop=True)


def discover(x: pd.DataFrame, of_interest: np.ndarray, prim_cfg: DictConfig | dict
             ) -> list[dict[str, Any]]:
    """PRIM boxes around the scenarios of interest.

    For each box (up to ``max_boxes``) the entry chosen on the peeling trajectory
    is the densest one whose coverage is at least ``min_coverage``.  Returns per
    box: its trajectory, the chosen index, coverage, density, mass, the number of
    scenarios inside and the restricted dimensions with their limits, the
    unrestricted range and PRIM's quasi-p value.
    """
    ema()
    from ema_workbench.analysis import prim
    from ema_workbench.analysis.scenario_discovery_util import _determine_restricted_dims

    y = np.asarray(of_interest, dtype=bool)
    if not y.any() or y.all():
        return []
    finder = prim.Prim(x.reset_index(drop=True), y.astype(int),
                       peel_alpha=float(prim_cfg["peel_alpha"]),
                       paste_alpha=float(prim_cfg["paste_alpha"]),
                       mass_min=float(prim_cfg["mass_min"]))
    boxes: list[dict[str, Any]] = []
    for _ in range(int(prim_cfg["max_boxes"])):
        remaining = int(np.sum(y[finder.yi_remaining])) if len(finder.yi_remaining) else 0
        if remaining == 0:
            break
        box = finder.find_box()
        if box is None:
            break
        trajectory = box.peeling_trajectory.copy()
        eligible = trajectory[trajectory["coverage"] >= float(prim_cfg["min_coverage"])]
        if eligible.empty:
            eligible = trajectory
        i = int(eligible["density"].idxmax())
        box.select(i)
        dims = list(_determine_restricted_dims(box.box_lims[i], finder.box_init))
        _, table = box.inspect(i, style="data")[0]
        limits = []
        for dim in dims:
            lo, hi = (float(v) for v in box.box_lims[i][dim])
            init_lo, init_hi = (float(v) for v in finder.box_init[dim])
            qp = [float(v) for v in table.loc[dim].iloc[2:] if np.isfinite(v)]
            limits.append({"parameter": str(dim), "low": lo, "high": hi,
                           "range_low": init_lo, "range_high": init_hi,
                           "qp": max(qp) if qp else math.nan})
        stats = trajectory.iloc[i]
        boxes.append({
            "trajectory": trajectory, "index": i, "coverage": float(stats["coverage"]),
            "density": float(stats["density"]), "mass": float(stats["mass"]),
            "limits": limits,
        })
        if box.coverage >= 1.0 - 1e-12:
            break
    return boxes


def _number(value: float) -> str:
    return f"{value:.3g}"


def describe_box(box: dict[str, Any], labels: dict[str, str]) -> str:
    """State the restrictions of a box in plain language (``price sensitivity > 1.4 and ...``)."""
    parts = []
    for lim in box["limits"]:
        name = labels.get(lim["parameter"], lim["parameter"])
        lower = lim["low"] > lim["range_low"] + 1e-12
        upper = lim["high"] < lim["range_high"] - 1e-12
        if lower and upper:
            parts.append(f"{name} is between {_number(lim['low'])} and {_number(lim['high'])}")
        elif lower:
            parts.append(f"{name} > {_number(lim['low'])}")
        elif upper:
            parts.append(f"{name} < {_number(lim['high'])}")
    return " and ".join(parts) if parts else "anywhere in the ranges explored"


def statement(winner: str, loser: str, box: dict[str, Any], labels: dict[str, str],
              outcome: str) -> str:
    """One sentence for a box: who wins where, with coverage and density."""
    return (f"{winner} beats {loser} on {outcome} when {describe_box(box, labels)} "
            f"(coverage {100 * box['coverage']:.0f}%: that share of all the scenarios where "
            f"{winner} wins lie in this box; density {100 * box['density']:.0f}%: that share "
            f"of the box's scenarios are wins for {winner}; the box holds "
            f"{100 * box['mass']:.0f}% of the scenarios)")


def run(cfg: DictConfig) -> dict[str, Any]:
    """Run an exploration from a composed config; return its results.

    Returns
    -------
    dict
        ``scenarios`` (the design), ``evaluations``, ``values`` (scenario x strategy
        means of the outcome), ``robustness``, ``boxes``, ``statements``, ``out``.
    """
    check(cfg)
    ema()
    keys = list(cfg.uncertainties)
    params = design.resolve_parameters(keys, cfg.ranges, cfg.model,
                                       None if keys else "uncertainty")
    names = design.outcome_names(cfg.model)
    strategies = [str(s) for s in cfg.strategies]
    parse(str(cfg.outcome), names, strategies)  # a bad outcome stops before any run
    scenarios = latin_hypercube(params, int(cfg.scenarios), int(cfg.seed))
    out = Path(cfg.run.out)
    evaluations = design.evaluate_design(scenarios, strategies, int(cfg.replications),
                                         int(cfg.seed), cfg.model, cfg.run,
                                         desc="scenarios x strategies")
    design.write_parquet(evaluations, out / "evaluations.parquet")
    means = per_strategy_means(evaluations, names)
    values = pd.DataFrame({s: parse(f"({cfg.outcome})", names, [s, *[t for t in strategies
                                                                        if t != s]])(means)
                           for s in strategies}, index=scenarios.index)
    robust = robustness(values)
    design.write_parquet(robust, out / "robustness.parquet")

    a, b = (str(s) for s in cfg.flip)
    a_wins = (values[a] > values[b]).to_numpy()
    winner, loser, interest = (b, a, ~a_wins) if a_wins.mean() > 0.5 else (a, b, a_wins)
    labels = {p.key: p.description or p.key for p in params}
    boxes = discover(scenarios, interest, cfg.prim)
    statements = [statement(winner, loser, box, labels, str(cfg.outcome)) for box in boxes]
    rows = [{"box": k, "winner": winner, "loser": loser, "coverage": box["coverage"],
             "density": box["density"], "mass": box["mass"], **lim}
            for k, box in enumerate(boxes, start=1) for lim in box["limits"]]
    box_frame = pd.DataFrame(rows, columns=["box", "winner", "loser", "coverage", "density",
                                            "mass", "parameter", "low", "high", "range_low",
                                            "range_high", "qp"])
    design.write_parquet(box_frame, out / "boxes.parquet")
    figures = write_figures(values, robust, scenarios, interest, boxes, labels, winner, loser,
                            cfg, out)
    result = {"scenarios": scenarios, "evaluations": evaluations, "values": values,
              "robustness": robust, "boxes": boxes, "statements": statements,
              "winner": winner, "loser": loser, "share": float(interest.mean()),
              "out": out, "figures": figures}
    result["summary"] = summary_markdown(result, cfg, params)
    design.write_text(result["summary"], out / "summary.md")
    return result


def summary_markdown(result: dict[str, Any], cfg: DictConfig,
                     params: list[model.Parameter]) -> str:
    """Write the summary: the design, the robust comparison and the PRIM boxes."""
    m = cfg.model
    size = (f"{m.n_customers:,} customers x {m.days} days, market {m.market}"
            if design.is_servsim(m) else f"model function {m.function}")
    winner, loser, share = result["winner"], result["loser"], result["share"]
    lines = [f"# Exploration: {cfg.outcome} across {len(result['scenarios'])} scenarios", "",
             f"- design: Latin hypercube of {cfg.scenarios} scenarios over {len(params)} "
             f"uncertainties (seed {cfg.seed}) x strategies {', '.join(cfg.strategies)}; "
             f"{cfg.replications} replication(s) each, the same seeds for every strategy",
             f"- runs: {len(result['evaluations'])} ({size})", "",
             "## Robust comparison", "",
             "p_best: share of scenarios where the strategy is best (ties shared); regret: "
             "best outcome in the scenario minus the strategy's own.", "",
             design.markdown_table(result["robustness"]), "",
             f"## Where the ranking of {cfg.flip[0]} and {cfg.flip[1]} flips", "",
             f"{winner} beats {loser} in {100 * share:.0f}% of the scenarios.", ""]
    flips = int(round(share * len(result["scenarios"])))
    if 0 < flips < FEW_FLIPS:
        lines += [f"**Only {flips} scenario(s) flip**: too few for PRIM to describe a region; "
                  "read any box below as the neighbourhood of those points, not as a pattern "
                  "(see its quasi-p value), or sample more scenarios.", ""]
    if not result["statements"]:
        lines.append("The ranking never flips in the scenarios explored: no box to find."
                     if share in (0.0, 1.0) else "PRIM found no box.")
    for k, (text, box) in enumerate(zip(result["statements"], result["boxes"], strict=True),
                                    start=1):
        lines += [f"{k}. {text}.", ""]
        lim = pd.DataFrame(box["limits"])
        lines += [design.markdown_table(lim), ""]
    lines += ["Uncertainties:", ""]
    lines += [f"- `{p.key}`: {p.description or '-'}; range [{p.low:g}, {p.high:g}] "
              f"({p.distribution}; source: {p.source})" for p in params]
    lines += ["", "Figures: " + ", ".join(f.name for f in result["figures"]), ""]
    return "\n".join(lines)


def write_figures(values: pd.DataFrame, robust: pd.DataFrame, scenarios: pd.DataFrame,
                  interest: np.ndarray, boxes: list[dict[str, Any]], labels: dict[str, str],
                  winner: str, loser: str, cfg: DictConfig, out: Path) -> list[Path]:
    """Robustness bars and regret, PRIM's trade-off curve and each box on its two main axes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.bar(robust["strategy"], robust["p_best"], color="#3182bd")
    left.set_ylabel("probability of being best")
    left.set_ylim(0, 1)
    best = values.max(axis=1)
    order = list(robust["strategy"])
    right.boxplot([best - values[s] for s in order], tick_labels=order)
    right.set_ylabel(f"regret ({cfg.outcome})")
    fig.suptitle(f"Robust comparison over {len(values)} scenarios", fontsize=10)
    fig.tight_layout()
    paths.append(out / "robustness.png")
    fig.savefig(paths[-1], dpi=120)
    plt.close(fig)
    if not boxes:
        return paths
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for k, box in enumerate(boxes, start=1):
        t = box["trajectory"]
        ax.plot(t["coverage"], t["density"], marker=".", label=f"box {k} trajectory")
        ax.plot(box["coverage"], box["density"], marker="o", ms=10, mfc="none", color="black")
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_title(f"PRIM peeling trajectory: {winner} beats {loser}", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    paths.append(out / "prim_tradeoff.png")
    fig.savefig(paths[-1], dpi=120)
    plt.close(fig)
    for k, box in enumerate(boxes, start=1):
        dims = [lim["parameter"] for lim in sorted(box["limits"], key=_restriction, reverse=True)]
        dims = (dims + [c for c in scenarios.columns if c not in dims])[:2]
        fig, ax = plt.subplots(figsize=(6, 4.8))
        xs, ys = scenarios[dims[0]], scenarios[dims[1]]
        ax.scatter(xs[~interest], ys[~interest], s=14, color="#bdbdbd", label=f"{loser} wins")
        ax.scatter(xs[interest], ys[interest], s=18, color="#e6550d", label=f"{winner} wins")
        lim = {entry["parameter"]: entry for entry in box["limits"]}
        x0, x1 = (lim[dims[0]]["low"], lim[dims[0]]["high"]) if dims[0] in lim else (
            xs.min(), xs.max())
        y0, y1 = (lim[dims[1]]["low"], lim[dims[1]]["high"]) if dims[1] in lim else (
            ys.min(), ys.max())
        ax.add_patch(plt.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, lw=1.5))
        ax.set_xlabel(labels.get(dims[0], dims[0]))
        ax.set_ylabel(labels.get(dims[1], dims[1]))
        ax.set_title(f"box {k}: coverage {box['coverage']:.2f}, density {box['density']:.2f}",
                     fontsize=10)
        ax.legend(fontsize=8, loc="best")
        fig.tight_layout()
        paths.append(out / f"prim_box_{k}.png")
        fig.savefig(paths[-1], dpi=120)
        plt.close(fig)
    return paths


def _restriction(lim: dict[str, float]) -> float:
    width = lim["range_high"] - lim["range_low"]
    return 1 - (lim["high"] - lim["low"]) / width if width > 0 else 0.0


def main(argv: list[str] | None = None) -> int:
    """``servsim explore [preset] [key=value ...]``; returns the exit status."""
    return design.run_command(PROG, "explore", argv, run)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
