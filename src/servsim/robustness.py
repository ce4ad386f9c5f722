"""Robustness of a comparison: rank probabilities and a tornado over the uncertainties.

The comparison report (:mod:`servsim.report`) compares scenarios at the
model's default market and behaviour parameters.  This module asks whether
its verdict survives the uncertain ones, in EMA Workbench's vocabulary: a
*model* is a function from keywords to a dict of *outcomes*, the
*uncertainties* are parameters with a plausible range and distribution, the
scenarios are the *levers* compared.

- :func:`sample_uncertainties` -- a seeded Latin hypercube over the
  uncertainties (``scipy.stats.qmc.LatinHypercube``), mapped through each
  parameter's distribution;
- :func:`evaluate_design` -- every scenario at every sample, with **common
  random numbers**: at one sample every scenario gets the same parameter
  values and the same model seed;
- :func:`rank_probabilities` -- per scenario, the probability of each rank
  (Wilson intervals), of being best, and the mean regret;
- :func:`tornado` -- one parameter at a time at the low and the high end of
  its range (the others at their defaults): the leader's margin over the
  runner-up at each end, and whether the leader changes (the verdict flips);
- :func:`analyse` -- all of it for the report.

The model function and the parameter list are arguments, so the code can be
tested with a synthetic model of known answer; :func:`servsim_model` is the
one adapter to servsim's own model function and parameter registry.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from servsim import stats

Model = Callable[..., Mapping[str, float]]
"""``model(**kwargs) -> {outcome: value}``: scenario keywords, ``seed``, parameter keys."""

Mapper = Callable[[Model, Sequence[Mapping[str, Any]]], list[Mapping[str, float]]]
"""``mapper(model, [kwargs, ...]) -> [outcomes, ...]`` in order (sequential or a pool)."""


class Uncertainty(Protocol):
    """What this module reads of a parameter (``servsim.registry.Parameter`` has it)."""

    key: str
    low: float
    high: float
    distribution: str
    default: Any


@dataclass
class Robustness:
    """The robustness tables of a report."""

    outcome: str
    """The outcome compared (a key of the model's dict)."""
    higher_is_better: bool
    results: pd.DataFrame
    """sample, seed, scenario, each uncertainty's value, each outcome: one row per evaluation."""
    ranks: pd.DataFrame
    """scenario, rank, count, probability, low, high, n."""
    summary: pd.DataFrame
    """scenario, p_best, p_best_low, p_best_high, regret_mean, outcome_mean, n."""
    tornado: pd.DataFrame
    """key, low, high, default, margin_low, margin_high, margin_default, leader_low,
    leader_high, swing, flips: sorted by swing, largest first."""
    leader: str
    """The leader at the defaults (tornado seeds)."""
    runner_up: str
    parameters: list[str]
    seeds: list[int]
    """The tornado's seeds (common to every scenario and end)."""
    screening: pd.DataFrame | None = None
    """key, rho, low, high, p, selected: :func:`screen`'s choice of the tornado's parameters."""


def sequential(model: Model, kwargs_list: Sequence[Mapping[str, Any]]
               ) -> list[Mapping[str, float]]:
    """Evaluate one after another in this process (the default :data:`Mapper`)."""
    return [model(**kwargs) for kwargs in kwargs_list]


def _call(task: tuple[Model, Mapping[str, Any]]) -> Mapping[str, float]:
    model, kwargs = task
    return dict(model(**kwargs))


def pool_mapper(n_jobs: int) -> Mapper:
    """Make a :data:`Mapper` on ``n_jobs`` spawned processes (results in call order).

    The model must be picklable (a module-level function).  Every call depends
    only on its keywords, so the results equal :func:`sequential`'s.
    """
    def mapper(model: Model, kwargs_list: Sequence[Mapping[str, Any]]
               ) -> list[Mapping[str, float]]:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        tasks = [(model, kwargs) for kwargs in kwargs_list]
        if n_jobs <= 1 or len(tasks) <= 1:
            return [_call(t) for t in tasks]
        chunk = max(1, len(tasks) // (4 * n_jobs))
        with ProcessPoolExecutor(max_workers=n_jobs,
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            return list(pool.map(_call, tasks, chunksize=chunk))
    return mapper


# --------------------------------------------------------------------------- sampling


def _is_integer(parameter: Uncertainty) -> bool:
    default = parameter.default
    return (bool(getattr(parameter, "integer", False))
            or str(parameter.distribution).lower() == "integer"
            or (isinstance(default, int | np.integer) and not isinstance(default, bool)))


def ppf(parameter: Uncertainty, u: np.ndarray) -> np.ndarray:
    """Values of ``parameter`` at quantiles ``u`` of its distribution over [low, high].

    ``uniform``; ``loguniform`` (uniform in log, positive bounds); ``triangular``
    (mode at the default); ``integer`` (each integer of the range equally
    likely).  An integer parameter (``integer`` distribution or flag, or an int
    default) gives integers; ``u`` = 0 and 1 give the range's ends.

    Raises
    ------
    ValueError
        For an unknown distribution or an empty range.
    """
    low, high = float(parameter.low), float(parameter.high)
    if not (np.isfinite(low) and np.isfinite(high) and high > low):
        raise ValueError(f"{parameter.key}: range [{low}, {high}] is not a finite interval")
    kind = str(parameter.distribution).lower().replace("-", "").replace("_", "")
    u = np.asarray(u, dtype=float)
    if kind == "integer":
        first, last = math.ceil(low), math.floor(high)
        values = np.minimum(first + np.floor((last - first + 1) * u), last)
        return values.astype(int)
    if kind == "uniform":
        values = low + (high - low) * u
    elif kind in ("loguniform", "logarithmic", "reciprocal"):
        if low <= 0:
            raise ValueError(f"{parameter.key}: a log-uniform range needs low > 0, got {low}")
        values = np.exp(np.log(low) + (np.log(high) - np.log(low)) * u)
    elif kind == "triangular":
        from scipy.stats import triang

        mode = min(max(float(parameter.default), low), high)
        values = triang.ppf(u, (mode - low) / (high - low), loc=low, scale=high - low)
    else:
        raise ValueError(f"{parameter.key}: unknown distribution {parameter.distribution!r}; "
                         "allowed: uniform, loguniform, triangular, integer")
    if _is_integer(parameter):
        values = np.clip(np.floor(values + 0.5), math.ceil(low), math.floor(high))
        return values.astype(int)
    return values


def sample_uncertainties(parameters: Sequence[Uncertainty], n: int, seed: int = 0,
                         first_seed: int = 0) -> pd.DataFrame:
    """``n`` Latin-hypercube samples of the parameters, with a model seed per sample.

    Columns ``sample``, ``seed`` (``first_seed + sample``: each sample also draws
    a new replication, so the probabilities cover the model's own noise) and one
    per parameter key.  The same ``seed`` gives the same design.
    """
    from scipy.stats import qmc

    if n < 1:
        raise ValueError(f"robustness samples: allowed 1 or more, got {n}")
    if not parameters:
        raise ValueError("robustness: no uncertain parameters to sample")
    keys = [p.key for p in parameters]
    if len(set(keys)) < len(keys):
        raise ValueError(f"robustness: repeated parameter keys in {keys}")
    unit = qmc.LatinHypercube(d=len(parameters), rng=np.random.default_rng(seed)).random(n)
    columns = {"sample": np.arange(n), "seed": first_seed + np.arange(n)}
    for j, parameter in enumerate(parameters):
        columns[parameter.key] = ppf(parameter, unit[:, j])
    return pd.DataFrame(columns)


# --------------------------------------------------------------------------- evaluating


def evaluate_design(model: Model, design: pd.DataFrame, scenarios: Mapping[str, Mapping[str, Any]],
                    base: Mapping[str, Any] | None = None, mapper: Mapper = sequential
                    ) -> pd.DataFrame:
    """Every scenario at every row of ``design`` (common random numbers across scenarios).

    A row's keyword arguments are ``base``, then the scenario's keywords, then
    ``seed`` and the row's parameter values.  Returns one row per (sample,
    scenario): the design's columns, ``scenario`` and the model's outcomes.
    """
    keys = [c for c in design.columns if c not in ("sample", "seed")]
    calls, index = [], []
    for values in design.to_dict("records"):
        for label, kwargs in scenarios.items():
            calls.append({**(base or {}), **kwargs, "seed": int(values["seed"]),
                          **{k: _plain(values[k]) for k in keys}})
            index.append({"sample": int(values["sample"]), "seed": int(values["seed"]),
                          "scenario": label, **{k: values[k] for k in keys}})
    outcomes = mapper(model, calls)
    return pd.DataFrame([{**i, **dict(o)} for i, o in zip(index, outcomes, strict=True)])


def _plain(value: Any) -> Any:
    """Return numpy scalars as Python numbers (a model may validate types)."""
    return value.item() if isinstance(value, np.generic) else value


def _ranks(wide: pd.DataFrame, higher: bool) -> pd.DataFrame:
    """Rank 1 = best per row (ties share the better rank)."""
    return wide.rank(axis=1, ascending=not higher, method="min")


def rank_probabilities(results: pd.DataFrame, outcome: str, higher: bool = True,
                       level: float = stats.LEVEL) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rank probabilities and the probability of being best, with mean regret.

    ``results`` is :func:`evaluate_design`'s table.  Per sample the scenarios
    are ranked on ``outcome`` (1 = best; ties share the better rank; samples
    where any scenario's outcome is not finite are dropped).  Returns

    - ``ranks``: scenario, rank, count, probability, low, high (Wilson), n;
    - ``summary``: scenario, p_best with its interval, regret_mean (mean over
      samples of best outcome minus the scenario's, >= 0), outcome_mean, n.
    """
    wide = results.pivot(index="sample", columns="scenario", values=outcome)
    order = list(dict.fromkeys(results["scenario"]))
    wide = wide[order].astype(float)
    wide = wide[np.isfinite(wide).all(axis=1)]
    n = len(wide)
    if n == 0:
        raise ValueError(f"robustness: no sample with a finite {outcome} for every scenario")
    ranks = _ranks(wide, higher)
    best = wide.max(axis=1) if higher else wide.min(axis=1)
    regret = (best.to_numpy()[:, None] - wide.to_numpy()) * (1.0 if higher else -1.0)
    rank_rows, summary_rows = [], []
    for j, label in enumerate(order):
        for r in range(1, len(order) + 1):
            count = int((ranks[label] == r).sum())
            e = stats.proportion_ci(count, n, level)
            rank_rows.append({"scenario": label, "rank": r, "count": count,
                              "probability": e.mean, "low": e.low, "high": e.high, "n": n})
        e = stats.proportion_ci(int((ranks[label] == 1).sum()), n, level)
        summary_rows.append({"scenario": label, "p_best": e.mean, "p_best_low": e.low,
                             "p_best_high": e.high, "regret_mean": float(regret[:, j].mean()),
                             "outcome_mean": float(wide[label].mean()), "n": n})
    return pd.DataFrame(rank_rows), pd.DataFrame(summary_rows)


def _mean_outcomes(model: Model, mapper: Mapper, scenarios: Mapping[str, Mapping[str, Any]],
                   settings: Sequence[Mapping[str, Any]], seeds: Sequence[int],
                   outcome: str, base: Mapping[str, Any] | None) -> list[dict[str, float]]:
    """Per setting: each scenario's outcome averaged over ``seeds`` (one batch of calls)."""
    calls = [{**(base or {}), **kwargs, "seed": int(seed), **setting}
             for setting in settings for kwargs in scenarios.values() for seed in seeds]
    values = iter(float(o[outcome]) for o in mapper(model, calls))
    return [{label: float(np.mean([next(values) for _ in seeds])) for label in scenarios}
            for _ in settings]


def _leader(means: Mapping[str, float], higher: bool) -> list[str]:
    return sorted(means, key=lambda lab: means[lab], reverse=higher)


def tornado(model: Model, parameters: Sequence[Uncertainty],
            scenarios: Mapping[str, Mapping[str, Any]], outcome: str, higher: bool = True,
            seeds: Sequence[int] = (0,), base: Mapping[str, Any] | None = None,
            mapper: Mapper = sequential) -> tuple[pd.DataFrame, str, str]:
    """One-at-a-time swings: which parameters change the leader on ``outcome``.

    At the defaults of every parameter, the scenarios' outcomes (mean over
    ``seeds``, the same seeds for every scenario and setting) give the leader
    and the runner-up.  Each parameter is then set to its ``low`` and its
    ``high`` with the others at their defaults; the *margin* is leader minus
    runner-up (sign-adjusted so that > 0 means the default leader is still
    ahead of the runner-up) and ``leader_low``/``leader_high`` name the best
    scenario at that end.  ``flips`` is true when the best scenario at either
    end is not the default leader.  Costs ``(2 P + 1) * scenarios * seeds``
    evaluations.

    Returns the table (sorted by ``swing`` = |margin_high - margin_low|,
    largest first), the leader and the runner-up.
    """
    if len(scenarios) < 2:
        raise ValueError("tornado: needs at least two scenarios")
    defaults = {p.key: _plain(p.default) for p in parameters}
    settings = [defaults]
    for p in parameters:
        low, high = ppf(p, np.array([0.0, 1.0]))  # the range's ends (integers rounded)
        settings += [{**defaults, p.key: _plain(low)}, {**defaults, p.key: _plain(high)}]
    means = _mean_outcomes(model, mapper, scenarios, settings, seeds, outcome, base)
    leader, runner_up = _leader(means[0], higher)[:2]
    sign = 1.0 if higher else -1.0

    def margin(m: Mapping[str, float]) -> float:
        return sign * (m[leader] - m[runner_up])

    rows = []
    for i, p in enumerate(parameters):
        at_low, at_high = means[1 + 2 * i], means[2 + 2 * i]
        lead_low, lead_high = _leader(at_low, higher)[0], _leader(at_high, higher)[0]
        rows.append({"key": p.key, "low": settings[1 + 2 * i][p.key],
                     "high": settings[2 + 2 * i][p.key], "default": defaults[p.key],
                     "margin_low": margin(at_low), "margin_high": margin(at_high),
                     "margin_default": margin(means[0]), "leader_low": lead_low,
                     "leader_high": lead_high,
                     "swing": abs(margin(at_high) - margin(at_low)),
                     "flips": bool(lead_low != leader or lead_high != leader)})
    table = pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable")
    return table.reset_index(drop=True), leader, runner_up


def screen(results: pd.DataFrame, parameters: Sequence[Uncertainty], outcome: str,
           higher: bool = True, top: int = 8) -> pd.DataFrame:
    """Rank the parameters by how strongly they move the margin between the two leaders.

    The two scenarios with the best mean ``outcome`` over the samples; per
    sample their margin (first minus second, sign-adjusted); per parameter
    Spearman's rank correlation of the margin with the parameter's value over
    the samples (:func:`servsim.stats.spearman_ci`).  Returns key, rho, low,
    high, p, selected (the ``top`` largest |rho|), sorted by |rho|.
    """
    wide = results.pivot(index="sample", columns="scenario", values=outcome).astype(float)
    means = wide.mean()
    first, second = means.sort_values(ascending=not higher).index[:2]
    margin = (wide[first] - wide[second]) * (1.0 if higher else -1.0)
    values = results.drop_duplicates("sample").set_index("sample").loc[wide.index]
    rows = []
    for p in parameters:
        est, pvalue = stats.spearman_ci(values[p.key].to_numpy(float), margin.to_numpy(float))
        rows.append({"key": p.key, "rho": est.mean, "low": est.low, "high": est.high,
                     "p": pvalue})
    table = pd.DataFrame(rows)
    table["abs_rho"] = table["rho"].abs().fillna(0.0)
    table = table.sort_values("abs_rho", ascending=False, kind="stable").reset_index(drop=True)
    table["selected"] = table.index < top
    return table.drop(columns="abs_rho")


def analyse(model: Model, parameters: Sequence[Uncertainty],
            scenarios: Mapping[str, Mapping[str, Any]], outcome: str, higher: bool = True,
            samples: int = 64, seed: int = 0, first_seed: int = 0, tornado_seeds: int = 2,
            tornado_parameters: int = 8, base: Mapping[str, Any] | None = None,
            mapper: Mapper = sequential) -> Robustness:
    """Rank probabilities over ``samples`` Latin-hypercube samples and the tornado.

    The sampling is seeded by ``seed`` (the design) and ``first_seed`` (the
    model seeds: sample i runs seed ``first_seed + i`` in every scenario); the
    tornado runs seeds ``first_seed .. first_seed + tornado_seeds - 1``.  With
    more than ``tornado_parameters`` uncertainties the tornado is limited to
    those :func:`screen` ranks first on the samples (a registry has a hundred
    or more: a full one-at-a-time pass would cost more than the samples).
    """
    design = sample_uncertainties(parameters, samples, seed, first_seed)
    results = evaluate_design(model, design, scenarios, base, mapper)
    if outcome not in results.columns:
        known = [c for c in results.columns if c not in design.columns and c != "scenario"]
        raise ValueError(f"robustness outcome {outcome!r} is not among the model's outcomes "
                         f"({', '.join(known)})")
    ranks, summary = rank_probabilities(results, outcome, higher)
    screening = screen(results, parameters, outcome, higher, tornado_parameters)
    chosen = set(screening.loc[screening["selected"], "key"])
    swung = [p for p in parameters if p.key in chosen]
    seeds = list(range(first_seed, first_seed + tornado_seeds))
    held = {p.key: _plain(p.default) for p in parameters if p.key not in chosen}
    table, leader, runner_up = tornado(model, swung, scenarios, outcome, higher, seeds,
                                       {**(base or {}), **held}, mapper)
    return Robustness(outcome=outcome, higher_is_better=higher, results=results, ranks=ranks,
                      summary=summary, tornado=table, leader=leader, runner_up=runner_up,
                      parameters=[p.key for p in parameters], seeds=seeds,
                      screening=screening)


# --------------------------------------------------------------------------- servsim


def servsim_model(market: str) -> tuple[Model, list[Uncertainty]]:
    """Return servsim's model function and the market's uncertainties (the one adapter).

    ``servsim.evaluate`` (keywords ``market``, ``strategy``, ``seed`` and dotted
    parameter keys -> the focal firm's outcomes) and
    ``servsim.registry.parameters(market=..., kind="uncertainty")``.

    Raises
    ------
    ValueError
        If this servsim has no model function or parameter registry yet.
    """
    try:
        from servsim import evaluate, registry  # type: ignore[attr-defined]
    except ImportError as ex:
        raise ValueError("--robustness needs servsim.evaluate and servsim.registry, which this "
                         f"version of servsim does not have ({ex})") from ex
    return evaluate, list(registry.parameters(market=market, kind="uncertainty"))
