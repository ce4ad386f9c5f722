"""``servsim optimize``: the focal firm's levers within registry bounds (Optuna).

Usage::

    servsim optimize                                     # preset company_a (Pareto front)
    servsim optimize profit_company_a trials=60          # one objective, TPE
    servsim optimize "constraints=['satisfaction >= 0.75']" replications=3

Each trial sets the levers (``strategy.price`` ...) within their registry
ranges (or ``ranges``) on top of the ``base_strategy`` preset and runs
``replications`` seeds ``seed + r`` — the same seeds in every trial (common
random numbers), so two trials differ by their levers, not by their luck.
The objective is the mean over those seeds.  One objective uses Optuna's TPE
sampler, several NSGA-II (a Pareto front, e.g. profit vs share vs
satisfaction); ``constraints`` such as ``satisfaction >= 0.7`` are set on
each trial with Optuna 5's ``Trial.set_constraint`` (its ``constraints_func``
is deprecated), so the samplers and ``best_trial(s)`` keep to feasible trials
(a trial is feasible when every constraint holds on its mean outcomes).

Trials are asked ``batch`` at a time, evaluated on warm workers and told in
trial order, so a seeded study gives the same trials whatever the number of
workers.  The study lives in ``optuna.db`` (sqlite) or ``optuna.journal``
(``storage=journal``: safe for several ``servsim optimize`` processes sharing
a network file system) in ``run.out``: a re-run continues it up to ``trials``
(trials left running by an interrupted process are marked failed and asked
again; their finished runs come from ``evaluations.jsonl``), and several
processes started on the same directory work on one study.

The best lever set (or, with several objectives, the Pareto set and its best
point on the first objective) is reported with a flag on every lever within
``bound_tolerance`` of a bound of its range: the optimum may lie outside it.

Writes ``trials.parquet`` (tidy: trial, state, levers, objective and outcome
means, constraint values, feasible, pareto), ``summary.md``, ``history.png``
and, with several objectives, ``pareto.png``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig

from servsim.decide import design, model
from servsim.params import ParameterError

PROG = "servsim optimize"
STORAGES = ("sqlite", "journal")
_CONSTRAINT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=)\s*([-+0-9.eE]+)\s*$")


def parse_constraint(text: str, outcomes: list[str]) -> tuple[str, str, float]:
    """``"satisfaction >= 0.7"`` -> ("satisfaction", ">=", 0.7); one line on a bad one."""
    match = _CONSTRAINT.match(text)
    if not match:
        raise ParameterError(f"constraint {text!r}: write '<outcome> >= <number>' or "
                             "'<outcome> <= <number>'")
    name, op, value = match.groups()
    if name not in outcomes:
        raise ParameterError(f"constraint {text!r}: unknown outcome {name!r}; allowed: "
                             f"{', '.join(outcomes)}")
    try:
        return name, op, float(value)
    except ValueError:
        raise ParameterError(f"constraint {text!r}: {value!r} is not a number") from None


def constraint_value(constraint: tuple[str, str, float], means: dict[str, float]) -> float:
    """Optuna's convention: <= 0 when the constraint holds."""
    name, op, bound = constraint
    value = means[name]
    if not math.isfinite(value):
        return math.inf
    return bound - value if op == ">=" else value - bound


def check(cfg: DictConfig, outcomes: list[str]) -> tuple[list[str], list[tuple]]:
    """Reject bad settings with one line; return the directions and parsed constraints."""
    if not cfg.levers:
        raise ParameterError("levers=[]: name at least one lever")
    if not cfg.objectives:
        raise ParameterError("objectives=[]: name at least one outcome")
    for name in cfg.objectives:
        if name not in outcomes:
            raise ParameterError(f"objectives: unknown outcome {name!r}; allowed: "
                                 f"{', '.join(outcomes)}")
    directions = list(cfg.directions) or ["maximize"] * len(cfg.objectives)
    if len(directions) != len(cfg.objectives) or not set(directions) <= {"maximize",
                                                                          "minimize"}:
        raise ParameterError(f"directions={directions}: one of maximize/minimize per objective "
                             f"({len(cfg.objectives)})")
    for key, value, low in (("trials", cfg.trials, 1), ("replications", cfg.replications, 1),
                            ("batch", cfg.batch, 1), ("population", cfg.population, 2)):
        if value < low:
            raise ParameterError(f"{key}={value}: need at least {low}")
    if cfg.storage not in STORAGES:
        raise ParameterError(f"storage={cfg.storage}: allowed {', '.join(STORAGES)}")
    if not 0 <= cfg.bound_tolerance < 0.5:
        raise ParameterError(f"bound_tolerance={cfg.bound_tolerance}: allowed [0, 0.5)")
    if design.is_servsim(cfg.model):
        design.check_strategies([cfg.base_strategy], cfg.model)
    return directions, [parse_constraint(str(c), outcomes) for c in cfg.constraints]


def make_study(cfg: DictConfig, directions: list[str]):
    """Create or load the study in ``run.out`` with its seeded sampler."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    out = Path(cfg.run.out)
    out.mkdir(parents=True, exist_ok=True)
    if cfg.storage == "sqlite":
        storage: Any = f"sqlite:///{(out / 'optuna.db').resolve()}"
    else:
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        storage = JournalStorage(JournalFileBackend(str(out / "optuna.journal")))
    if len(directions) == 1:
        sampler = optuna.samplers.TPESampler(seed=int(cfg.seed), multivariate=True)
    else:
        sampler = optuna.samplers.NSGAIISampler(population_size=int(cfg.population),
                                                seed=int(cfg.seed))
    return optuna.create_study(study_name=str(cfg.study), storage=storage, sampler=sampler,
                               directions=directions, load_if_exists=True)


def _requeue_stale(study) -> int:
    """Mark trials left running by an interrupted process failed and ask them again."""
    from optuna.trial import TrialState

    stale = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    for trial in stale:
        study._storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)
        study.enqueue_trial(trial.params, skip_if_exists=False)
    return len(stale)


def _suggest(trial, lever: model.Parameter):
    if lever.distribution == "integer":
        return trial.suggest_int(lever.key, int(lever.low), int(lever.high))
    return trial.suggest_float(lever.key, lever.low, lever.high,
                               log=lever.distribution == "loguniform")


def bound_flags(values: dict[str, float], levers: list[model.Parameter],
                tolerance: float) -> dict[str, str]:
    """Levers within ``tolerance`` (share of the range) of a bound: ``{key: "lower"|"upper"}``."""
    flags = {}
    for lever in levers:
        frac = (values[lever.key] - lever.low) / (lever.high - lever.low)
        if frac <= tolerance:
            flags[lever.key] = "lower"
        elif frac >= 1 - tolerance:
            flags[lever.key] = "upper"
    return flags


def run(cfg: DictConfig) -> dict[str, Any]:
    """Run (or continue) an optimisation from a composed config; return its results.

    Returns
    -------
    dict
        ``trials`` (tidy frame), ``best`` (lever values of the chosen optimum),
        ``best_values``, ``pareto`` (frame of the Pareto set), ``flags`` (levers on a
        bound), ``study``, ``out``, ``figures``, ``summary``.
    """
    from optuna.trial import TrialState

    names = design.outcome_names(cfg.model)
    directions, constraints = check(cfg, names)
    levers = design.resolve_parameters(list(cfg.levers), cfg.ranges, cfg.model, "lever")
    study = make_study(cfg, directions)
    requeued = _requeue_stale(study)
    out = Path(cfg.run.out)
    strategy = str(cfg.base_strategy) if design.is_servsim(cfg.model) else None
    objectives = list(cfg.objectives)

    def finished() -> int:  # evaluated trials (not those an interruption left unfinished)
        return sum(1 for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,
                                                                         TrialState.FAIL))
                   if "outcomes" in t.user_attrs)

    done_before = finished()
    bar = design._progress(int(cfg.trials), min(done_before, int(cfg.trials)), "trials",
                           bool(cfg.run.progress))
    evaluator = design.make_evaluator_for(cfg.model, cfg.run)
    run_cfg = {**dict(cfg.run), "progress": False}
    try:
        while finished() < int(cfg.trials):
            k = min(int(cfg.batch), int(cfg.trials) - finished())
            trials = [study.ask() for _ in range(k)]
            points = pd.DataFrame([{lv.key: _suggest(t, lv) for lv in levers} for t in trials],
                                  index=[t.number for t in trials])
            table = design.evaluate_design(points, [strategy], int(cfg.replications),
                                           int(cfg.seed), cfg.model, run_cfg,
                                           evaluator=evaluator)
            means = table.groupby("point")[names].mean()
            for t in trials:  # told in trial order: the same study whatever the workers
                m = {k: float(v) for k, v in means.loc[t.number].items()}
                t.set_user_attr("outcomes", {k: (v if math.isfinite(v) else None)
                                             for k, v in m.items()})
                if constraints:  # Optuna 5: Trial.set_constraint (constraints_func is
                    # deprecated); the sampler treats a trial as feasible when all are <= 0
                    values_c = [constraint_value(c, m) for c in constraints]
                    t.set_user_attr("constraints", values_c)
                    for c, value in zip(constraints, values_c, strict=True):
                        t.set_constraint(f"{c[0]} {c[1]} {c[2]:g}", value)
                values = [m[o] for o in objectives]
                if all(math.isfinite(v) for v in values):
                    study.tell(t, values)
                else:
                    study.tell(t, state=TrialState.FAIL)
                bar.update(1)
    finally:
        bar.close()
        evaluator.close()
    return report(study, cfg, levers, objectives, directions, constraints, out, requeued)


def trials_frame(study, levers: list[model.Parameter], objectives: list[str],
                 constraints: list[tuple]) -> pd.DataFrame:
    """Every trial as one tidy row: levers, objective and outcome means, constraints."""
    pareto = {t.number for t in _feasible_pareto(study)}
    rows = []
    for t in study.get_trials(deepcopy=False):
        row: dict[str, Any] = {"trial": t.number, "state": t.state.name}
        row.update({lv.key: t.params.get(lv.key, math.nan) for lv in levers})
        for name, value in (t.user_attrs.get("outcomes") or {}).items():
            row[name] = math.nan if value is None else float(value)
        cons = t.user_attrs.get("constraints", [])
        for c, value in zip(constraints, cons, strict=False):
            row[f"constraint: {c[0]} {c[1]} {c[2]:g}"] = float(value)
        row["feasible"] = t.state.name == "COMPLETE" and all(v <= 0 for v in cons)
        row["pareto"] = t.number in pareto
        rows.append(row)
    return pd.DataFrame(rows)


def _feasible_pareto(study) -> list:
    try:
        if len(study.directions) == 1:
            return [study.best_trial]
        return list(study.best_trials)
    except ValueError:  # no (feasible) completed trial
        return []


def report(study, cfg: DictConfig, levers: list[model.Parameter], objectives: list[str],
           directions: list[str], constraints: list[tuple], out: Path,
           requeued: int = 0) -> dict[str, Any]:
    """Tidy trials, the optimum with bound flags, figures and the summary."""
    trials = trials_frame(study, levers, objectives, constraints)
    design.write_parquet(trials, out / "trials.parquet")
    front = _feasible_pareto(study)
    pareto = trials[trials["pareto"]].copy()
    best_trial = None
    if front:
        sign = 1 if directions[0] == "maximize" else -1
        best_trial = max(front, key=lambda t: sign * t.values[0])
    best = dict(best_trial.params) if best_trial else {}
    best_values = dict(zip(objectives, best_trial.values, strict=True)) if best_trial else {}
    flags = bound_flags(best, levers, float(cfg.bound_tolerance)) if best else {}
    figures = write_figures(trials, objectives, directions, out)
    result = {"trials": trials, "best": best, "best_values": best_values, "pareto": pareto,
              "flags": flags, "study": study, "out": out, "figures": figures,
              "best_trial": None if best_trial is None else best_trial.number,
              "requeued": requeued}
    result["summary"] = summary_markdown(result, cfg, levers, objectives, directions,
                                         constraints)
    design.write_text(result["summary"], out / "summary.md")
    return result


def summary_markdown(result: dict[str, Any], cfg: DictConfig, levers: list[model.Parameter],
                     objectives: list[str], directions: list[str],
                     constraints: list[tuple]) -> str:
    """Write the summary: the study, the optimum with bound flags and the Pareto set."""
    m = cfg.model
    size = (f"{m.n_customers:,} customers x {m.days} days, market {m.market}, "
            f"levers on top of strategy {cfg.base_strategy}"
            if design.is_servsim(m) else f"model function {m.function}")
    trials = result["trials"]
    goal = ", ".join(f"{d} {o}" for o, d in zip(objectives, directions, strict=True))
    sampler = "TPE" if len(objectives) == 1 else f"NSGA-II (population {cfg.population})"
    lines = [f"# Optimisation: {goal}", "",
             f"- study `{cfg.study}` ({cfg.storage} storage in {result['out']}): "
             f"{len(trials)} trials, {int((trials['state'] == 'COMPLETE').sum())} complete; "
             f"sampler {sampler}, seed {cfg.seed}",
             f"- each trial: the mean of {cfg.replications} replication(s), seeds "
             f"{cfg.seed}..{cfg.seed + cfg.replications - 1} in every trial "
             f"(common random numbers); {size}",
             "- constraints: " + (", ".join(f"{c[0]} {c[1]} {c[2]:g}" for c in constraints)
                                  or "none"), ""]
    if result["requeued"]:
        lines += [f"{result['requeued']} trial(s) left running by an interrupted run were "
                  "asked again.", ""]
    if not result["best"]:
        lines += ["No feasible trial: relax the constraints or widen the ranges.", ""]
    else:
        title = "Optimal lever set" if len(objectives) == 1 else (
            f"Best point of the Pareto front on {objectives[0]}")
        lines += [f"## {title} (trial {result['best_trial']})", ""]
        rows = []
        for lv in levers:
            value = result["best"][lv.key]
            flag = result["flags"].get(lv.key)
            rows.append({"lever": lv.key, "value": value, "range": f"[{lv.low:g}, {lv.high:g}]",
                         "on a bound": (f"yes: {flag} bound; the optimum may lie outside "
                                        "the range searched") if flag else "no"})
        lines += [design.markdown_table(pd.DataFrame(rows)), ""]
        lines += ["Objectives: " + ", ".join(f"{k} = {v:,.4g}" for k, v in
                                             result["best_values"].items()), ""]
        for key, flag in result["flags"].items():
            lines += [f"**Warning: {key} sits on the {flag} bound of its range**; widen "
                      f"`ranges` to see whether the optimum lies beyond it.", ""]
    if len(objectives) > 1 and len(result["pareto"]):
        cols = ["trial", *[lv.key for lv in levers], *objectives]
        front = result["pareto"][cols].sort_values(objectives[0], ascending=False)
        lines += [f"## Pareto front ({len(front)} trials)", "",
                  design.markdown_table(front), ""]
    lines += ["Figures: " + ", ".join(f.name for f in result["figures"]), ""]
    return "\n".join(lines)


def write_figures(trials: pd.DataFrame, objectives: list[str], directions: list[str],
                  out: Path) -> list[Path]:
    """History of the first objective (best so far) and, with two or more, the Pareto front."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths: list[Path] = []
    done = trials[trials["state"] == "COMPLETE"].sort_values("trial")
    if done.empty:
        return paths
    first, sign = objectives[0], (1 if directions[0] == "maximize" else -1)
    fig, ax = plt.subplots(figsize=(7, 4))
    feasible = done[done["feasible"]]
    ax.scatter(done["trial"], done[first], s=14, facecolors="none", edgecolors="#9ecae1",
               label="infeasible")
    ax.scatter(feasible["trial"], feasible[first], s=14, color="#3182bd", label="feasible")
    if len(feasible):
        best = (sign * feasible[first]).cummax() * sign
        ax.step(feasible["trial"], best, where="post", color="#e6550d", label="best so far")
    ax.set_xlabel("trial")
    ax.set_ylabel(first)
    ax.set_title(f"Optimisation history: {directions[0]} {first}", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    paths.append(out / "history.png")
    fig.savefig(paths[-1], dpi=120)
    plt.close(fig)
    if len(objectives) >= 2:
        fig, ax = plt.subplots(figsize=(7, 5))
        x, y = objectives[0], objectives[1]
        color = done[objectives[2]] if len(objectives) > 2 else None
        style = {"c": color, "cmap": "viridis"} if color is not None else {"color": "#bdbdbd"}
        sc = ax.scatter(done[x], done[y], s=16, alpha=0.6, label="trials", **style)
        front = done[done["pareto"]].sort_values(x)
        ax.scatter(front[x], front[y], s=60, facecolors="none", edgecolors="#e6550d", lw=1.5,
                   label="Pareto front (feasible)")
        if color is not None:
            fig.colorbar(sc, ax=ax, label=objectives[2])
        ax.set_xlabel(f"{x} ({directions[0]})")
        ax.set_ylabel(f"{y} ({directions[1]})")
        ax.set_title("Pareto front", fontsize=10)
        ax.legend(fontsize=8)
        fig.tight_layout()
        paths.append(out / "pareto.png")
        fig.savefig(paths[-1], dpi=120)
        plt.close(fig)
    return paths


def main(argv: list[str] | None = None) -> int:
    """``servsim optimize [preset] [key=value ...]``; returns the exit status."""
    return design.run_command(PROG, "optimize", argv, run)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

