"""Replications: compose runs from Hydra overrides, run them on processes, gather tidy tables.

The experiments (:mod:`servsim.experiments`) and the comparison report
(:mod:`servsim.report`) both work on sets of runs that differ in their
overrides and their seed.  This module:

1. **composes** each run's parameters from the package's configs exactly as
   ``servsim`` would (:class:`servsim.compose.Composer`, one composition per
   set of config-group choices):
   either the sweep of an ``experiment/`` preset (:func:`experiment_jobs`,
   the same job list ``servsim -m +experiment=NAME`` launches) or a list of
   scenarios times seeds (:func:`scenario_jobs`);
2. **runs** them, in order, on ``n_jobs`` processes (:func:`run_jobs`); every
   run draws only from its own seed, so the tables do not depend on the
   number of processes or on scheduling;
3. **gathers** tidy tables (:class:`Replications`): ``runs`` (one row per
   run x firm: the run's labels -- its overrides as columns, named as
   ``servsim-collect`` names them -- the firm's summary metrics of
   :mod:`servsim.metrics` and the run totals of every flow, ``total_<column>``),
   ``steps`` (the per-step table thinned to ``stride``-day periods) and any
   ``extras`` a probe returns (e.g. the per-complaint recovery table).

:func:`from_sweep` builds the same tables from a ``servsim -m`` sweep
directory (via :mod:`servsim.collect`), so an analysis can use either source.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from servsim import outputs
from servsim.collect import column_name, parse_override
from servsim.compose import Composer, default_composer, expand_sweep
from servsim.params import Params

STRIDE = 7
"""Default period of the thinned step table (days)."""

WEIGHTED = {"recovery_days": "recoveries", "wait_days": "encounters", "quality": "encounters"}
"""Step columns that are means over events: thinned as event-weighted means."""

FLOWS = (
    "acquisitions", "churn", "encounters", "failures", "complaints", "complaints_ignored",
    "recoveries", "recoveries_on_spot", "complaints_abandoned", "wom_positive", "wom_negative",
    "revenue_purchases", "revenue_premium", "revenue_crossbuy", "revenue_service", "revenue",
    "cost_goods", "cost_wages", "cost_training", "cost_compensation", "cost_proactive",
    "cost_followup", "cost_advertising", "cost_hiring", "cost_encounters", "cost", "profit",
    "staff_quits", "staff_hires",
)
"""Daily flows whose run totals are added to ``runs`` as ``total_<column>``; stocks
``customers`` and ``staff`` are summed into ``customer_days`` and ``staff_days``."""

Probe = Callable[[Any, Params], Mapping[str, pd.DataFrame]]
"""A function ``probe(model, params) -> {name: table}`` called after a run (module-level,
so that it can be sent to worker processes)."""


# --------------------------------------------------------------------------- composing


@dataclass
class Job:
    """One run: its position, its Hydra overrides, its parameters and its labels."""

    run: int
    overrides: tuple[str, ...]
    params: Params
    labels: dict[str, Any] = field(default_factory=dict)
    """Table columns describing the run: each override (``servsim-collect`` naming),
    the config-group choices and ``seed``."""


def labels_of(overrides: Sequence[str], params: Params) -> dict[str, Any]:
    """Table columns of a run: its overrides (``+experiment`` left out), group choices, seed."""
    labels: dict[str, Any] = {}
    for item in overrides:
        key, value = parse_override(item)
        if key == "experiment":
            continue
        labels[column_name(key)] = value
    for group in ("market", "strategy", "org", "stage"):
        labels.setdefault(group, getattr(params, group).name)
    labels["seed"] = params.sim.seed
    return labels


def experiment_jobs(name: str, overrides: Sequence[str] = ()) -> list[Job]:
    """The runs of ``servsim -m +experiment=NAME OVERRIDES...``, in the sweeper's order.

    ``overrides`` may hold sweeps (``seed=range(5)``, ``strategy=premium,lowcost``);
    a key given here replaces the preset's sweep of that key, as on the command line.
    """
    from omegaconf import open_dict

    task = [f"+experiment={name}", *overrides]
    fixed = [o for o in task if not _is_sweep(o)]
    with default_composer() as composer:
        cfg = composer.config(fixed, hydra=True)
        with open_dict(cfg):
            cfg.hydra.overrides.task = task
        expanded = expand_sweep(cfg)
        if expanded is None:
            raise ValueError(f"experiment {name}: cannot expand its sweep")
        return [_job(i, job, composer) for i, job in enumerate(expanded)]


def scenario_jobs(scenarios: Sequence[Sequence[str]], seeds: Iterable[int],
                  base: Sequence[str] = ()) -> list[Job]:
    """Every scenario (a list of overrides, after ``base``) for every seed, scenario-major.

    Each job's labels get ``scenario`` (the scenario's position) besides its overrides.
    """
    seeds = list(seeds)
    jobs = []
    with default_composer() as composer:
        for k, scenario in enumerate(scenarios):
            for seed in seeds:
                job = _job(len(jobs), [*base, *scenario, f"seed={seed}"], composer)
                job.labels = {"scenario": k, **job.labels}
                jobs.append(job)
    return jobs


def _is_sweep(override: str) -> bool:
    from hydra.core.override_parser.overrides_parser import OverridesParser

    return OverridesParser.create().parse_override(override).is_sweep_override()


def _job(run: int, overrides: Sequence[str], composer: Composer) -> Job:
    params = composer.params(overrides)
    return Job(run=run, overrides=tuple(overrides), params=params,
               labels=labels_of(overrides, params))


def design_fingerprint(jobs: Sequence[Job]) -> str:
    """SHA-256 over every run's overrides and resolved parameters (``config_hash``)."""
    text = json.dumps([[list(j.overrides), outputs.config_hash(j.params)] for j in jobs])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- running


def thin_steps(steps: pd.DataFrame, stride: int = STRIDE) -> pd.DataFrame:
    """Thin a per-(day, firm) table to ``stride``-day periods.

    Each row is one firm's period ending on ``day``: the mean of the daily
    values (flows as daily rates, stocks as mean levels; the columns of
    :data:`WEIGHTED` as event-weighted means), ``days_in_period``, and
    ``cumulative_profit`` at the period's end.  Rows follow the input's firm
    order.  A flow's period total is ``value * days_in_period``.
    """
    if steps.empty:
        return steps.copy()
    df = steps.sort_values(["day"], kind="stable").copy()
    df["cumulative_profit"] = df.groupby("firm", sort=False)["profit"].cumsum()
    df["period"] = (df["day"].to_numpy() - 1) // stride
    value_cols = [c for c in df.columns if c not in ("day", "firm", "period")
                  and pd.api.types.is_numeric_dtype(df[c])]
    for col, weight in WEIGHTED.items():
        if col in df.columns and weight in df.columns:
            df[f"_w_{col}"] = df[col].fillna(0.0) * df[weight]
    groups = df.groupby(["firm", "period"], sort=False)
    out = groups[value_cols].mean()
    out["cumulative_profit"] = groups["cumulative_profit"].last()
    for col, weight in WEIGHTED.items():
        if col in df.columns and weight in df.columns:
            total = groups[weight].sum()
            out[col] = (groups[f"_w_{col}"].sum() / total).where(total > 0)
    out.insert(0, "days_in_period", groups["day"].count())
    out.insert(0, "day", groups["day"].max())
    out = out.reset_index().drop(columns="period")
    order = {name: i for i, name in enumerate(dict.fromkeys(steps["firm"]))}
    out = out.sort_values(["firm", "day"], key=lambda s: s.map(order) if s.name == "firm" else s,
                          kind="stable")
    return out.reset_index(drop=True)


def run_totals(steps: pd.DataFrame) -> pd.DataFrame:
    """Per firm: ``total_<flow>`` for :data:`FLOWS`, ``customer_days`` and ``staff_days``."""
    cols = [c for c in FLOWS if c in steps.columns]
    totals = steps.groupby("firm", sort=False)[cols].sum().add_prefix("total_")
    totals["customer_days"] = steps.groupby("firm", sort=False)["customers"].sum()
    totals["staff_days"] = steps.groupby("firm", sort=False)["staff"].sum()
    return totals


def run_one(params: Params, probe: Probe | None = None, stride: int = STRIDE,
            firms: str = "focal") -> tuple[list[dict], pd.DataFrame, dict[str, pd.DataFrame]]:
    """Run one replication; return its firm rows, thinned steps and probe tables.

    Builds the model as :func:`servsim.simulate` does (so the summary metrics
    are the same) and, if given, calls ``probe(model, params)`` at the end.
    ``firms`` is ``"focal"`` (steps of the focal firm only) or ``"all"``.
    """
    from servsim.metrics import customer_equity, run_summary
    from servsim.model import ServiceMarket

    model = ServiceMarket(params)
    model.run()
    steps = model.step_table()
    summary = run_summary(steps, params.sim.discount_rate, params.focal_name,
                          params.sim.burn_in_days)
    totals = run_totals(steps[steps["day"] > params.sim.burn_in_days])  # as the summary
    rows = []
    price = dict(zip(model.firms.names, model.firms.price.tolist(), strict=True))
    for name, metrics in summary["firms"].items():
        rows.append({"firm": name, "is_focal": name == summary["focal"], **metrics,
                     "customer_equity": customer_equity(metrics["final_customers"],
                                                        metrics["clv"]),
                     "final_price": price[name], **totals.loc[name].to_dict(),
                     "days": summary["days"], "burn_in_days": params.sim.burn_in_days,
                     "n_customers": params.sim.n_customers})
    if firms == "focal":
        steps = steps[steps["firm"] == params.focal_name]
    extras = dict(probe(model, params)) if probe is not None else {}
    return rows, thin_steps(steps, stride), extras


def _run_job(args: tuple) -> tuple[list[dict], pd.DataFrame, dict[str, pd.DataFrame]]:
    params, probe, stride, firms = args
    return run_one(params, probe, stride, firms)


@dataclass
class Replications:
    """Tidy tables of a set of runs (see the module docstring)."""

    runs: pd.DataFrame
    steps: pd.DataFrame
    extras: dict[str, pd.DataFrame] = field(default_factory=dict)

    def focal(self) -> pd.DataFrame:
        """The focal firm's rows of ``runs``."""
        return self.runs[self.runs["is_focal"].astype(bool)].reset_index(drop=True)

    def save(self, directory: str | Path) -> list[Path]:
        """Write ``runs.parquet``, ``steps.parquet`` and ``<extra>.parquet`` (atomically)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        written = [outputs.write_parquet(directory / "runs.parquet", self.runs),
                   outputs.write_parquet(directory / "steps.parquet", self.steps)]
        for name, table in self.extras.items():
            written.append(outputs.write_parquet(directory / f"{name}.parquet", table))
        return written

    @classmethod
    def load(cls, directory: str | Path, extras: Sequence[str] = ()) -> Replications:
        """Read what :meth:`save` wrote."""
        directory = Path(directory)
        return cls(runs=pd.read_parquet(directory / "runs.parquet"),
                   steps=pd.read_parquet(directory / "steps.parquet"),
                   extras={name: pd.read_parquet(directory / f"{name}.parquet")
                           for name in extras})


def run_jobs(jobs: Sequence[Job], n_jobs: int = 2, probe: Probe | None = None,
             stride: int = STRIDE, firms: str = "focal", progress: bool = True) -> Replications:
    """Run every job (``n_jobs`` processes; 1 = in this process) and gather the tables.

    Rows come in job order whatever the number of processes, and every run
    depends only on its own parameters and seed: the same jobs give the same
    tables.  ``runs`` and ``steps`` start with ``run`` and the job's labels;
    each extra table gets a ``run`` column.
    """
    tasks = [(job.params, probe, stride, firms) for job in jobs]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(tasks), unit="run", desc="servsim", file=sys.stderr, leave=False)
    results = []
    if n_jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            results.append(_run_job(task))
            if bar is not None:
                bar.update()
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=n_jobs, mp_context=ctx) as pool:
            for result in pool.map(_run_job, tasks):
                results.append(result)
                if bar is not None:
                    bar.update()
    if bar is not None:
        bar.close()
    run_rows, step_frames, extra_frames = [], [], {}
    for job, (rows, steps, extras) in zip(jobs, results, strict=True):
        labels = {"run": job.run, **job.labels}
        run_rows.extend({**labels, **row} for row in rows)
        step_frames.append(_prepend(steps, labels))
        for name, table in extras.items():
            extra_frames.setdefault(name, []).append(_prepend(table, {"run": job.run}))
    runs = pd.DataFrame.from_records(run_rows)
    steps = pd.concat(step_frames, ignore_index=True) if step_frames else pd.DataFrame()
    extras = {k: pd.concat(v, ignore_index=True) for k, v in extra_frames.items()}
    return Replications(runs=_tidy(runs), steps=_tidy(steps), extras=extras)


def _prepend(frame: pd.DataFrame, labels: Mapping[str, Any]) -> pd.DataFrame:
    frame = frame.copy()
    for key, value in reversed(list(labels.items())):
        frame.insert(0, key, [value] * len(frame))
    return frame


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns that parquet can store: mixed numbers become numeric, other mixes strings."""
    from servsim.collect import _harmonize

    return _harmonize(frame)


# --------------------------------------------------------------------------- from a sweep


def from_sweep(sweep_dir: str | Path, stride: int = STRIDE, firms: str = "focal"
               ) -> Replications:
    """Tables of a ``servsim -m`` sweep directory (runs that finished ``ok``).

    ``runs`` comes from :func:`servsim.collect.collect` plus the run totals,
    ``steps`` from :func:`servsim.collect.collect_steps`, thinned per run.
    ``run`` is the run's directory relative to ``sweep_dir``.
    """
    from servsim.collect import collect, collect_steps

    runs = collect(sweep_dir)
    if runs.empty:
        raise FileNotFoundError(f"{sweep_dir}: no runs found")
    runs = runs[runs["status"] == outputs.STATUS_OK].reset_index(drop=True)
    daily = collect_steps(sweep_dir)
    if daily.empty:
        raise FileNotFoundError(f"{sweep_dir}: no steps.parquet in its runs")
    step_cols = [c for c in daily.columns if c in ("day", "firm") or c not in runs.columns]
    totals, thinned = [], []
    for run, part in daily.groupby("run", sort=False):
        part = part[step_cols]
        t = run_totals(part).reset_index()
        t.insert(0, "run", run)
        totals.append(t)
        if firms == "focal":
            focal = runs.loc[(runs["run"] == run) & runs["is_focal"].astype(bool), "firm"]
            part = part[part["firm"].isin(list(focal))]
        thin = thin_steps(part, stride)
        thin.insert(0, "run", run)
        thinned.append(thin)
    runs = runs.merge(pd.concat(totals, ignore_index=True), on=["run", "firm"], how="left")
    steps = pd.concat(thinned, ignore_index=True)
    steps = steps.merge(runs.drop_duplicates("run")[_label_columns(runs)], on="run", how="left")
    lead = _label_columns(runs)
    steps = steps[[*lead, *[c for c in steps.columns if c not in lead]]]
    return Replications(runs=runs, steps=steps)


def _label_columns(runs: pd.DataFrame) -> list[str]:
    from servsim.collect import GROUPS

    return [c for c in runs.columns
            if c == "run" or c in GROUPS or "." in c or c == "seed"]


def varying_columns(frame: pd.DataFrame, candidates: Iterable[str] | None = None,
                    exclude: Iterable[str] = ("run", "seed")) -> list[str]:
    """Label columns whose value differs between runs (the design's factors)."""
    cols = list(candidates) if candidates is not None else list(frame.columns)
    skip = set(exclude)
    return [c for c in cols if c in frame.columns and c not in skip
            and frame[c].astype(str).nunique(dropna=False) > 1]


def as_array(values: Iterable[float]) -> np.ndarray:
    """Float array of ``values`` (NaN for missing)."""
    return np.asarray(pd.to_numeric(pd.Series(list(values)), errors="coerce"), dtype=float)
