"""``servsim sensitivity``: Morris screening and Sobol indices over registry parameters (SALib).

Usage::

    servsim sensitivity                                  # preset morris_company_a
    servsim sensitivity sobol_company_a samples=128      # Sobol, N = 128
    servsim sensitivity morris_company_a 'outcomes=[profit,share]' replications=3
    servsim sensitivity sobol_company_a run.workers=2 run.out=/tmp/sobol   # elsewhere

Steps: the registry's parameters (and any ``ranges``) give a SALib problem;
SALib samples it (Morris trajectories, or Saltelli's extension of a scrambled
Sobol' sequence), seeded by ``seed``; every design point runs under each of
``strategies`` with replication seeds ``seed + r`` — the same for every strategy
(common random numbers) — on warm workers; each outcome expression
(:mod:`servsim.decide.outcomes`, e.g. ``profit[premium] - profit[differentiated]``)
is computed from the replication means; SALib analyses it with bootstrap
confidence intervals (``conf_level``, ``num_resamples``).  Convergence: the same
analysis on growing prefixes of the sample (N/2^k base samples or trajectories:
a prefix of either design is a design of that size).

Writes to ``run.out`` (default ``results/decisions/sensitivity/<preset>``):
``evaluations.jsonl`` (every run as it finishes: a re-run resumes),
``evaluations.parquet`` (tidy: point, strategy, replication, seed, parameters,
outcomes), ``indices.parquet`` (tidy: outcome, parameter, index, value,
confidence bounds, sample size; every prefix), ``summary.md`` (tables) and
figures: ``morris_<i>.png`` (mu*-sigma), ``sobol_<i>.png`` (S1 and ST with
CIs), ``convergence_<i>.png``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from servsim.decide import design, model
from servsim.decide.outcomes import parse, per_strategy_means
from servsim.params import ParameterError

PROG = "servsim sensitivity"
METHODS = ("morris", "sobol")


def check(cfg: DictConfig) -> None:
    """Reject bad settings with one line before any run."""
    if cfg.method not in METHODS:
        raise ParameterError(f"method={cfg.method}: allowed {', '.join(METHODS)}")
    if cfg.samples < 2:
        raise ParameterError(f"samples={cfg.samples}: need at least 2")
    if cfg.method == "sobol" and cfg.samples & (cfg.samples - 1):
        raise ParameterError(f"samples={cfg.samples}: Sobol' sampling needs a power of 2 "
                             "(e.g. 64, 128, 256)")
    if cfg.method == "morris" and (cfg.num_levels < 2 or cfg.num_levels % 2):
        raise ParameterError(f"num_levels={cfg.num_levels}: Morris needs an even number >= 2")
    if cfg.replications < 1:
        raise ParameterError(f"replications={cfg.replications}: need at least 1")
    if not 0 < cfg.conf_level < 1:
        raise ParameterError(f"conf_level={cfg.conf_level}: allowed (0, 1)")
    if cfg.num_resamples < 10:
        raise ParameterError(f"num_resamples={cfg.num_resamples}: need at least 10")
    if cfg.convergence_steps < 1:
        raise ParameterError(f"convergence_steps={cfg.convergence_steps}: need at least 1")
    if not cfg.outcomes:
        raise ParameterError("outcomes=[]: name at least one outcome")
    design.check_strategies(cfg.strategies, cfg.model)


def sample(problem: dict, cfg: DictConfig) -> np.ndarray:
    """Draw the SALib design: Morris trajectories or a Saltelli/Sobol' sample (seeded)."""
    if cfg.method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, N=int(cfg.samples), num_levels=int(cfg.num_levels),
                             seed=int(cfg.seed))
    from SALib.sample import sobol

    return sobol.sample(problem, int(cfg.samples), calc_second_order=bool(cfg.second_order),
                        seed=int(cfg.seed))


def rows_per_sample(method: str, num_vars: int, second_order: bool) -> int:
    """Design rows per trajectory (Morris) or per base sample (Sobol)."""
    if method == "morris":
        return num_vars + 1
    return 2 * num_vars + 2 if second_order else num_vars + 2


def _analysis_seed(seed: int) -> int:
    # SALib's sobol.analyze seeds its bootstrap only when ``if seed:`` holds (0 = unseeded)
    return int(seed) + 1


def analyze(problem: dict, X: np.ndarray, Y: np.ndarray, cfg: DictConfig) -> pd.DataFrame:
    """SALib's analysis of one outcome: a tidy frame (parameter, index, value, low, high)."""
    names = problem["names"]
    level = float(cfg.conf_level)
    rows: list[dict[str, Any]] = []
    if cfg.method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(problem, X, Y, num_resamples=int(cfg.num_resamples),
                             conf_level=level, num_levels=int(cfg.num_levels),
                             seed=_analysis_seed(cfg.seed))
        for i, name in enumerate(names):
            conf = float(res["mu_star_conf"][i])
            mu_star = float(res["mu_star"][i])
            rows.append({"parameter": name, "index": "mu_star", "value": mu_star,
                         "low": mu_star - conf, "high": mu_star + conf})
            for index in ("mu", "sigma"):
                v = float(res[index][i])
                rows.append({"parameter": name, "index": index, "value": v,
                             "low": math.nan, "high": math.nan})
    else:
        from SALib.analyze import sobol

        res = sobol.analyze(problem, Y, calc_second_order=bool(cfg.second_order),
                            num_resamples=int(cfg.num_resamples), conf_level=level,
                            seed=_analysis_seed(cfg.seed))
        for i, name in enumerate(names):
            for index in ("S1", "ST"):
                v, conf = float(res[index][i]), float(res[f"{index}_conf"][i])
                rows.append({"parameter": name, "index": index, "value": v,
                             "low": v - conf, "high": v + conf})
        if cfg.second_order:
            for i, a in enumerate(names):
                for j in range(i + 1, len(names)):
                    v, conf = float(res["S2"][i, j]), float(res["S2_conf"][i, j])
                    rows.append({"parameter": f"{a} x {names[j]}", "index": "S2", "value": v,
                                 "low": v - conf, "high": v + conf})
    return pd.DataFrame(rows)


def noise_share(per_rep: list[np.ndarray], mean: np.ndarray) -> float:
    """Share of var(Y) across points that is replication noise.

    Every point runs with the same seeds (common random numbers), so a seed's
    common effect shifts all points alike and moves no index; what remains is the
    point x seed interaction of a two-way layout (points x replications): its mean
    square over R, divided by the variance of the replication means ``mean``.
    """
    if len(per_rep) < 2:
        return math.nan
    y = np.column_stack(per_rep)
    if not np.all(np.isfinite(y)):
        return math.nan
    e = y - y.mean(axis=1, keepdims=True) - y.mean(axis=0, keepdims=True) + y.mean()
    points, reps = y.shape
    interaction = float((e ** 2).sum()) / ((points - 1) * (reps - 1))
    total = float(np.var(mean, ddof=1))
    return interaction / reps / total if total > 0 else math.nan


def slug(text: str) -> str:
    """Return a file-name form of an outcome expression."""
    out = text.replace(" - ", "_minus_").replace(" + ", "_plus_")
    return "".join(c if c.isalnum() or c == "_" else "_" for c in out).strip("_")[:60]


def run(cfg: DictConfig) -> dict[str, Any]:
    """Run a sensitivity design from a composed config; return the results.

    Returns
    -------
    dict
        ``indices`` (tidy frame, every prefix), ``evaluations`` (tidy frame),
        ``problem``, ``X`` (the design), ``out`` (directory), ``figures``.
    """
    check(cfg)
    keys = list(cfg.parameters)
    params = design.resolve_parameters(keys, cfg.ranges, cfg.model,
                                       None if keys else "uncertainty")
    problem = model.problem(params)
    names = design.outcome_names(cfg.model)
    strategies = list(cfg.strategies) or [None]
    labels = [s or "" for s in strategies]
    expressions = [parse(text, names, labels) for text in cfg.outcomes]
    X = sample(problem, cfg)
    points = pd.DataFrame([design.point_values(params, row) for row in X])
    out = Path(cfg.run.out)
    evaluations = design.evaluate_design(points, strategies, int(cfg.replications),
                                         int(cfg.seed), cfg.model, cfg.run,
                                         desc=f"{cfg.method} runs")
    design.write_parquet(evaluations, out / "evaluations.parquet")
    means = per_strategy_means(evaluations, names)
    per_rep = [per_strategy_means(evaluations[evaluations["replication"] == r], names)
               for r in range(int(cfg.replications))]
    step = rows_per_sample(cfg.method, len(params), bool(cfg.second_order))
    sizes = sorted({max(2, int(cfg.samples) >> k) for k in range(int(cfg.convergence_steps))})
    frames, noise, constant = [], {}, {}
    for expr in expressions:
        Y = expr(means)
        if np.all(np.isfinite(Y)) and np.ptp(Y) == 0:  # nothing to apportion
            constant[expr.text] = float(Y[0])
            continue
        noise[expr.text] = noise_share([expr(t) for t in per_rep], Y)
        for n in sizes:
            rows = n * step
            if cfg.method == "sobol" and n < 2:
                continue
            frame = analyze(problem, X[:rows], Y[:rows], cfg)
            frame.insert(0, "outcome", expr.text)
            frame["samples"] = n
            frame["runs"] = rows * len(strategies) * int(cfg.replications)
            frames.append(frame)
    if not frames:
        raise ParameterError(f"every outcome is constant across the design ({constant}): "
                             "nothing to analyse")
    indices = pd.concat(frames, ignore_index=True)
    indices.insert(2, "method", cfg.method)
    indices["conf_level"] = float(cfg.conf_level)
    design.write_parquet(indices, out / "indices.parquet")
    labels_of = {p.key: p.description or p.key for p in params}
    figures = write_figures(indices, cfg, out, labels_of)
    summary = summary_markdown(indices, cfg, params, noise, len(evaluations), figures,
                               constant)
    design.write_text(summary, out / "summary.md")
    return {"indices": indices, "evaluations": evaluations, "problem": problem, "X": X,
            "out": out, "figures": figures, "noise_share": noise, "summary": summary,
            "constant": constant}


def final(indices: pd.DataFrame) -> pd.DataFrame:
    """Select the rows of the full sample (largest prefix)."""
    return indices[indices["samples"] == indices["samples"].max()]


def table(indices: pd.DataFrame, outcome: str, method: str) -> pd.DataFrame:
    """One outcome's indices at the full sample, wide, ranked (mu* or ST first)."""
    rows = final(indices)
    rows = rows[rows["outcome"] == outcome]
    wide = rows.pivot(index="parameter", columns="index", values="value")
    low = rows.pivot(index="parameter", columns="index", values="low")
    high = rows.pivot(index="parameter", columns="index", values="high")
    if method == "morris":
        cols = {"mu_star": wide["mu_star"], "mu_star low": low["mu_star"],
                "mu_star high": high["mu_star"], "sigma": wide["sigma"], "mu": wide["mu"]}
        order = "mu_star"
    else:
        wide, low, high = (f.drop(index=[i for i in f.index if " x " in i]) for f in
                           (wide, low, high))
        cols = {"S1": wide["S1"], "S1 low": low["S1"], "S1 high": high["S1"],
                "ST": wide["ST"], "ST low": low["ST"], "ST high": high["ST"]}
        order = "ST"
    frame = pd.DataFrame(cols).sort_values(order, ascending=False).reset_index()
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame


def summary_markdown(indices: pd.DataFrame, cfg: DictConfig, params: list[model.Parameter],
                     noise: dict[str, float], n_runs: int, figures: list[Path],
                     constant: dict[str, float] | None = None) -> str:
    """Write the summary: the design, one ranked table per outcome and the figures."""
    level = f"{100 * float(cfg.conf_level):g}%"
    m = cfg.model
    size = (f"{m.n_customers:,} customers x {m.days} days, market {m.market}"
            if design.is_servsim(m) else f"model function {m.function}")
    lines = [f"# Sensitivity: {cfg.method}", "",
             f"- design: {cfg.method}, samples={cfg.samples}"
             + (f", num_levels={cfg.num_levels}" if cfg.method == "morris" else "")
             + f", seed={cfg.seed}; {len(params)} parameters; strategies "
             f"{', '.join(cfg.strategies) or '-'}; {cfg.replications} replication(s) per point "
             f"(seeds {cfg.seed}..{cfg.seed + cfg.replications - 1}, common to all strategies)",
             f"- runs: {n_runs} ({size})",
             f"- intervals: {level} bootstrap ({cfg.num_resamples} resamples)", ""]
    for outcome in dict.fromkeys(indices["outcome"]):
        lines += [f"## {outcome}", "", design.markdown_table(table(indices, outcome, cfg.method)),
                  ""]
        share = noise.get(outcome, math.nan)
        if math.isfinite(share):
            lines += [f"Replication noise (point x seed interaction) is {100 * share:.1f}% of "
                      "the variance of the replication means across the design.", ""]
    for outcome, value in (constant or {}).items():
        lines += [f"## {outcome}", "", f"Constant at {value:g} at every design point: the "
                  "parameters move nothing here, so there is no variance to apportion.", ""]
    lines += ["Parameters:", ""]
    lines += [f"- `{p.key}`: {p.description or '-'}; range [{p.low:g}, {p.high:g}] "
              f"({p.distribution}; source: {p.source})" for p in params]
    lines += ["", "Figures: " + ", ".join(f.name for f in figures), ""]
    return "\n".join(lines)


def write_figures(indices: pd.DataFrame, cfg: DictConfig, out: Path,
                  labels: dict[str, str]) -> list[Path]:
    """mu*-sigma plots or Sobol bars (with CIs), and convergence plots, per outcome."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths: list[Path] = []
    level = f"{100 * float(cfg.conf_level):g}%"
    for i, outcome in enumerate(dict.fromkeys(indices["outcome"]), start=1):
        rows = final(indices)
        rows = rows[rows["outcome"] == outcome]
        tab = table(indices, outcome, cfg.method)
        names = [labels.get(p, p) for p in tab["parameter"]]
        fig, ax = plt.subplots(figsize=(7.5, 4.8))
        if cfg.method == "morris":
            err = np.vstack([tab["mu_star"] - tab["mu_star low"],
                             tab["mu_star high"] - tab["mu_star"]])
            ax.errorbar(tab["mu_star"], tab["sigma"], xerr=err, fmt="o", color="#3182bd",
                        ecolor="#9ecae1", capsize=3)
            # the table ranks every parameter; the plot names the leading five
            for x, y, name in list(zip(tab["mu_star"], tab["sigma"], names, strict=True))[:5]:
                ax.annotate(name, (x, y), textcoords="offset points", xytext=(4, 4),
                            fontsize=8)
            top = float(np.nanmax(np.r_[tab["mu_star high"], tab["sigma"], 0])) * 1.1 or 1
            ax.plot([0, top], [0, top], ls=":", color="grey", lw=0.8)
            ax.set_xlim(0, top)
            ax.set_ylim(0, top)
            ax.set_xlabel(f"mu* (mean |elementary effect|, {level} CI)")
            ax.set_ylabel("sigma (spread of elementary effects)")
            name = f"morris_{i}.png"
        else:
            y = np.arange(len(tab))
            for offset, index, color in ((-0.2, "S1", "#3182bd"), (0.2, "ST", "#e6550d")):
                err = np.vstack([tab[index] - tab[f"{index} low"],
                                 tab[f"{index} high"] - tab[index]])
                ax.barh(y + offset, tab[index], height=0.38, xerr=err, color=color,
                        ecolor="black", capsize=2, label=f"{index} ({level} CI)")
            ax.set_yticks(y, names, fontsize=8)
            ax.invert_yaxis()
            ax.axvline(0, color="grey", lw=0.8)
            ax.set_xlabel("Sobol index (share of variance)")
            ax.legend(loc="lower right", fontsize=8)
            name = f"sobol_{i}.png"
        ax.set_title(f"{outcome}\n{cfg.method}, {int(rows['runs'].iloc[0])} runs", fontsize=10)
        fig.tight_layout()
        fig.savefig(out / name, dpi=120)
        plt.close(fig)
        paths.append(out / name)
        paths.append(_convergence_figure(indices, outcome, cfg, out / f"convergence_{i}.png",
                                         labels))
    return paths


def _convergence_figure(indices: pd.DataFrame, outcome: str, cfg: DictConfig, path: Path,
                        labels: dict[str, str]) -> Path:
    import matplotlib.pyplot as plt

    index = "mu_star" if cfg.method == "morris" else "ST"
    rows = indices[(indices["outcome"] == outcome) & (indices["index"] == index)]
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for parameter, g in rows.groupby("parameter", sort=False):
        g = g.sort_values("samples")
        line, = ax.plot(g["samples"], g["value"], marker="o", label=labels.get(parameter,
                                                                                parameter))
        ax.fill_between(g["samples"], g["low"], g["high"], color=line.get_color(), alpha=0.12)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("trajectories" if cfg.method == "morris" else "base samples N")
    ax.set_ylabel(index)
    ax.set_title(f"Convergence of {index}: {outcome}", fontsize=10)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    """``servsim sensitivity [preset] [key=value ...]``; returns the exit status."""
    return design.run_command(PROG, "sensitivity", argv, run)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
