"""Simulated method of moments: fit any simulator's parameters to a transaction log.

A simulator is ``simulate(params: dict, seed: int) -> DataFrame`` (columns
``customer``, ``day`` or ``date``, ``amount``; see
:mod:`servsim.calibration.simulators`).  :func:`fit_smm` chooses the parameters
``theta`` that minimize

    ``Q(theta) = sum_j w_j (m_j(data) - mean_s m_j(simulate(theta, s)))^2``

over the **calibration window only** (the holdout is never seen by the fit):

- the moments ``m`` (:func:`moment_vector`) are three blocks: the weekly
  incremental repeat-transaction curve per customer (weeks 1..39 for CDNOW), the
  repeat-count histogram (0..7+) and the recency histogram (when repeat buyers
  last bought, 3-week bins); optionally (``MomentSpec.split_week``, off by default)
  a fourth, a within-window conditional expectation: the mean repeat transactions
  in the late part of the window (e.g. weeks 20..39 for CDNOW) of the customers
  grouped by their repeat count in the early part (weeks 1..19; 0..7+), the
  calibration-window analogue of the holdout diagnostic;
- the weights ``w`` are diagonal: the inverse of each moment's variance estimated
  by a bootstrap over the data's customers (200 resamples), rescaled so that each
  block's weights sum to the same total (a block of 39 weekly moments would
  otherwise outweigh the 8 histogram bins; judgement); a moment with no bootstrap
  variance gets the block's median weight, and a conditional bin without any data
  customer gets weight 0 (its moment is set to 0, so no NaN reaches the loss);
- common random numbers: every candidate is simulated with the *same* seeds
  (``seeds``), and the moments are averaged over them;
- the search is Optuna's (TPE, or CMA-ES through ``cmaes``) with resumable storage
  (a JournalStorage file, or an ``sqlite:///`` URL) and optional parallel workers
  (a process pool, each worker pulling trials from the shared storage).

Uncertainty: a parametric bootstrap.  ``B`` synthetic data sets are drawn from the
fitted simulator with seeds outside the fit's seeds; each is refitted by
Nelder-Mead started at the estimate, on the same seeds and weights; the report
gives the bootstrap standard deviation and the 2.5-97.5% percentiles per parameter.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from servsim.calibration.data import DAYS_PER_WEEK, TransactionLog, dedupe_customer_days

BOOTSTRAP_SEED_OFFSET = 1_000_003
"""Seeds of the parametric bootstrap's synthetic data: this offset plus 0, 1, ..."""


class SMMError(ValueError):
    """A bad SMM setting or simulator output; the one-line message names it."""


@dataclasses.dataclass(frozen=True)
class Parameter:
    """A parameter to fit, searched in ``[low, high]`` (on a log scale if ``log``)."""

    name: str
    low: float
    high: float
    log: bool = False

    def __post_init__(self):
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise SMMError(f"parameters.{self.name}: low {self.low} must be below high "
                           f"{self.high} (finite numbers)")
        if self.log and self.low <= 0:
            raise SMMError(f"parameters.{self.name}: a log-scale range needs low > 0, "
                           f"got {self.low}")

    def to_unit(self, value: float) -> float:
        """Map a value to [0, 1] of the search range."""
        if self.log:
            return (math.log(value) - math.log(self.low)) / math.log(self.high / self.low)
        return (value - self.low) / (self.high - self.low)

    def from_unit(self, unit: float) -> float:
        """Map [0, 1] (clipped) back to a value."""
        unit = min(max(unit, 0.0), 1.0)
        if self.log:
            return float(math.exp(math.log(self.low) + unit * math.log(self.high / self.low)))
        return float(self.low + unit * (self.high - self.low))


WEIGHTINGS = ("equal_blocks", "scale_free")
"""The block weightings of :attr:`MomentSpec.weighting`."""


@dataclasses.dataclass(frozen=True)
class MomentSpec:
    """Which moments: weeks of the curve, repeat-count bins, recency bin width, and the
    early/late split of the window for the conditional block.

    ``split_week``: ``0`` (the default): no conditional block, the three-block
    objective; otherwise the early part is weeks ``1 .. split_week``, the late part
    weeks ``split_week + 1 .. calibration_weeks`` (``None``: ``calibration_weeks // 2``,
    weeks 1-19 and 20-39 for CDNOW).  Its bins are ``0 .. max_count+`` early repeats,
    as the holdout diagnostic's.  Off by default: with the blocks' weights rescaled to
    equal totals its noise dominates the loss (docs/calibration.md).
    """

    calibration_weeks: int
    max_count: int = 7
    recency_bin_weeks: int = 3
    split_week: int | None = 0
    weighting: str = "equal_blocks"
    """How :func:`bootstrap_weights` sets each block's weights from the inverse bootstrap
    variances: ``equal_blocks`` (default) rescales each block's weights to sum to 1
    (a weighted mean squared error in the moments' own units); ``scale_free`` divides
    each inverse variance by the number of moments in its block (each block's term is
    its mean squared t-statistic, whatever the moments' units)."""

    def __post_init__(self):
        if self.weighting not in WEIGHTINGS:
            raise SMMError(f"moments.weighting must be one of {', '.join(WEIGHTINGS)}, "
                           f"got {self.weighting!r}")
        split = self.split_week
        if split is not None and not 0 <= split < self.calibration_weeks:
            raise SMMError(f"moments.split_week must be 0 (no conditional block) or a week "
                           f"1..{self.calibration_weeks - 1} of the calibration window, "
                           f"got {split}")

    @property
    def recency_bins(self) -> int:
        """Number of recency bins."""
        return -(-self.calibration_weeks // self.recency_bin_weeks)

    @property
    def early_weeks(self) -> int:
        """Weeks in the early part of the window (0: no conditional block)."""
        return self.calibration_weeks // 2 if self.split_week is None else self.split_week

    @property
    def conditional_bins(self) -> int:
        """Number of conditional-block moments (early repeat counts 0 .. max_count+)."""
        return self.max_count + 1 if self.early_weeks > 0 else 0

    @property
    def blocks(self) -> dict[str, slice]:
        """Moment block name -> its slice of the moment vector."""
        w, c, r = self.calibration_weeks, self.max_count + 1, self.recency_bins
        out = {"weekly": slice(0, w), "repeat_count": slice(w, w + c),
               "recency": slice(w + c, w + c + r)}
        if self.conditional_bins:
            out["conditional"] = slice(w + c + r, w + c + r + self.conditional_bins)
        return out

    @property
    def labels(self) -> list[str]:
        """One label per moment."""
        k, e = self.max_count, self.early_weeks
        late = f"weeks {e + 1}-{self.calibration_weeks}"
        conditional = ([f"{late} repeats | weeks 1-{e} repeats {j}" for j in range(k)]
                       + [f"{late} repeats | weeks 1-{e} repeats {k}+"]
                       if self.conditional_bins else [])
        return ([f"week {j + 1}" for j in range(self.calibration_weeks)]
                + [f"repeats {j}" for j in range(k)] + [f"repeats {k}+"]
                + [f"last repeat bin {j + 1}" for j in range(self.recency_bins)]
                + conditional)


def customer_moment_rows(log: TransactionLog, spec: MomentSpec):
    """Per-customer contributions to the moments (calibration window only).

    Returns
    -------
    tuple
        ``weekly`` (n x weeks repeat counts), ``count_bin`` (n ints), ``recency_bin``
        (n ints, -1 for customers without a calibration repeat), ``early_bin`` (n ints:
        repeats in the early part, capped at ``max_count``; -1 for customers whose first
        purchase is not in the early part) and ``late`` (n repeat counts in the late part).
    """
    n = log.n_customers
    tx = log.transactions
    tx = tx[tx["day"] < spec.calibration_weeks * DAYS_PER_WEEK]
    customer = tx["customer"].to_numpy()
    day = tx["day"].to_numpy()
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, customer, day)
    repeat = day > first[customer]
    weekly = np.zeros((n, spec.calibration_weeks))
    np.add.at(weekly, (customer[repeat], day[repeat] // DAYS_PER_WEEK), 1.0)
    count = weekly.sum(axis=1).astype(np.int64)
    last = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last, customer[repeat], day[repeat])
    recency_bin = np.where(count > 0, np.minimum(last // (DAYS_PER_WEEK * spec.recency_bin_weeks),
                                                 spec.recency_bins - 1), -1)
    early = spec.early_weeks
    early_count = weekly[:, :early].sum(axis=1).astype(np.int64)
    early_bin = np.where(first < early * DAYS_PER_WEEK, np.minimum(early_count, spec.max_count),
                         -1)
    late = weekly[:, early:].sum(axis=1)
    return weekly, np.minimum(count, spec.max_count), recency_bin, early_bin, late


def _moments_from_rows(rows, spec: MomentSpec, weights=None) -> np.ndarray:
    """The moment vector from per-customer rows (``weights``: customer multiplicities);
    a conditional bin without customers is NaN here (:func:`moment_vector` sets it to 0)."""
    weekly, count_bin, recency_bin, early_bin, late = rows
    n = len(count_bin)
    weights = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    total = weights.sum()
    curve = weights @ weekly / total
    counts = np.bincount(count_bin, weights=weights, minlength=spec.max_count + 1) / total
    repeaters = recency_bin >= 0
    recency = np.bincount(recency_bin[repeaters], weights=weights[repeaters],
                          minlength=spec.recency_bins)
    recency = recency / recency.sum() if recency.sum() > 0 else recency
    bins = spec.conditional_bins
    at_risk = early_bin >= 0
    size = np.bincount(early_bin[at_risk], weights=weights[at_risk], minlength=bins)[:bins]
    late_sum = np.bincount(early_bin[at_risk], weights=(weights * late)[at_risk],
                           minlength=bins)[:bins]
    conditional = np.full(bins, np.nan)
    np.divide(late_sum, size, out=conditional, where=size > 0)
    return np.concatenate([curve, counts, recency, conditional])


def moment_vector(log: TransactionLog, spec: MomentSpec) -> np.ndarray:
    """Compute a log's moments: weekly repeats per customer, repeat-count and recency
    shares, late-part repeats by early-part repeats (an empty bin: 0)."""
    return np.nan_to_num(_moments_from_rows(customer_moment_rows(log, spec), spec), nan=0.0)


def bootstrap_weights(log: TransactionLog, spec: MomentSpec, resamples: int = 200,
                      seed: int = 0) -> np.ndarray:
    """Diagonal SMM weights: inverse bootstrap variances, blocks rescaled to equal totals
    (``spec.weighting`` ``equal_blocks``) or divided by the block's number of moments
    (``scale_free``).

    A moment undefined in the data (a conditional bin without customers) gets weight 0;
    a resample in which a bin is empty is left out of that bin's variance; a defined
    moment with no bootstrap variance gets its block's median weight."""
    rows = customer_moment_rows(log, spec)
    defined = np.isfinite(_moments_from_rows(rows, spec))
    rng = np.random.default_rng(seed)
    n = log.n_customers
    draws = np.array([_moments_from_rows(rows, spec, rng.multinomial(n, np.full(n, 1 / n)))
                      for _ in range(resamples)])
    variance = draws.var(axis=0, ddof=1)
    gaps = ~np.isfinite(draws).all(axis=0)  # a conditional bin empty in some resamples
    for j in np.flatnonzero(gaps):
        kept = draws[np.isfinite(draws[:, j]), j]
        variance[j] = kept.var(ddof=1) if len(kept) >= 2 else 0.0
    weights = np.zeros_like(variance)
    for block in spec.blocks.values():
        v, ok = variance[block], defined[block]
        w = np.where(ok & (v > 0), 1.0 / np.where(v > 0, v, 1.0), 0.0)
        positive = w > 0
        if positive.any():
            w[ok & ~positive] = np.median(w[positive])
            w = w / (w.sum() if spec.weighting == "equal_blocks" else ok.sum())
        weights[block] = w
    return weights


def as_transactions(frame: pd.DataFrame, log: TransactionLog, name: str = "simulator"
                    ) -> TransactionLog:
    """Turn a simulator's output into a log of the same cohort and windows (one row per day)."""
    if "customer" not in frame.columns:
        raise SMMError(f"{name} output: column 'customer' not found "
                       f"(columns: {', '.join(map(str, frame.columns))})")
    if "day" in frame.columns:
        day = frame["day"].to_numpy()
    elif "date" in frame.columns:
        day = (pd.to_datetime(frame["date"]) - log.calibration_start).dt.days.to_numpy()
    else:
        raise SMMError(f"{name} output: neither a 'day' nor a 'date' column "
                       f"(columns: {', '.join(map(str, frame.columns))})")
    customer = frame["customer"].to_numpy()
    if len(customer) and (customer.min() < 0 or customer.max() >= log.n_customers):
        raise SMMError(f"{name} output: column 'customer' must hold cohort codes "
                       f"0..{log.n_customers - 1}, got {customer.min()}..{customer.max()}")
    amount = frame["amount"].to_numpy(dtype=float) if "amount" in frame else np.ones(len(day))
    table = pd.DataFrame({"customer": customer.astype(np.int64),
                          "day": np.asarray(day).astype(np.int64), "amount": amount})
    table = table[(table["day"] >= 0) & (table["day"] < log.total_days)]
    return log.with_transactions(dedupe_customer_days(table))


@dataclasses.dataclass
class SMMProblem:
    """What to fit: a log's calibration moments, a simulator and the parameters.

    Attributes
    ----------
    log
        The observed cohort (only its calibration window enters the fit).
    simulator
        ``simulate(params, seed) -> DataFrame`` (picklable for parallel workers).
    parameters
        The parameters to fit, with search ranges.
    fixed
        Parameters passed to the simulator unchanged.
    seeds
        Common random numbers: the seeds every candidate is simulated with.
    spec
        The moments (default: the log's calibration weeks, 0..7+, 3-week bins, no
        conditional block).
    weights
        Diagonal weights (default: :func:`bootstrap_weights` of the log).
    target
        The moments to match (default: the log's); the bootstrap replaces them.

    Notes
    -----
    The moments read the calibration window only, so a simulator with a
    ``for_window(days)`` method (:class:`~servsim.calibration.simulators.ServsimCohort`)
    is run for the calibration days only when the objective is evaluated
    (:meth:`simulate`); its promise is that those days come out as in a full run.
    ``simulator`` itself stays the full-horizon one (the holdout replay).
    """

    log: TransactionLog
    simulator: Callable[[dict, int], pd.DataFrame]
    parameters: list[Parameter]
    fixed: dict = dataclasses.field(default_factory=dict)
    seeds: tuple[int, ...] = (0, 1, 2, 3)
    spec: MomentSpec | None = None
    weights: np.ndarray | None = None
    target: np.ndarray | None = None

    def __post_init__(self):
        names = [p.name for p in self.parameters]
        overlap = sorted(set(names) & set(self.fixed))
        if overlap:
            raise SMMError(f"parameters.{overlap[0]}: both fitted and fixed")
        if not self.seeds:
            raise SMMError("seeds: give at least one seed")
        self.seeds = tuple(int(s) for s in self.seeds)
        if self.spec is None:
            self.spec = MomentSpec(self.log.calibration_weeks)
        if self.target is None:
            self.target = moment_vector(self.log, self.spec)
        if self.weights is None:
            self.weights = bootstrap_weights(self.log, self.spec)
        window = getattr(self.simulator, "for_window", None)
        days = min(self.spec.calibration_weeks * DAYS_PER_WEEK, self.log.total_days)
        self._window_simulator = window(days) if window is not None else self.simulator

    def full_params(self, values: dict) -> dict:
        """Fitted values merged with the fixed ones."""
        return {**self.fixed, **values}

    def simulate(self, values: dict, seed: int) -> TransactionLog:
        """One simulated log of the cohort (its calibration window at least)."""
        return as_transactions(self._window_simulator(self.full_params(values), seed),
                               self.log)

    def simulated_moments(self, values: dict) -> np.ndarray:
        """Moments averaged over the common seeds."""
        return np.mean([moment_vector(self.simulate(values, s), self.spec)
                        for s in self.seeds], axis=0)

    def loss(self, values: dict, target: np.ndarray | None = None) -> float:
        """Evaluate the SMM objective ``sum_j w_j (m_j - mean_s m_j(theta, s))^2``."""
        target = self.target if target is None else target
        gap = self.simulated_moments(values) - target
        return float(np.sum(self.weights * gap * gap))


def _suggest(trial, parameters):
    return {p.name: trial.suggest_float(p.name, p.low, p.high, log=p.log) for p in parameters}


def make_sampler(name: str, seed: int):
    """Optuna sampler ``tpe`` or ``cmaes`` (seeded)."""
    import optuna

    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True)
    if name == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
    raise SMMError(f"search.sampler {name!r} unknown (allowed: tpe, cmaes)")


def make_storage(storage: str | Path | None):
    """Optuna storage: ``None`` (in memory), an ``sqlite:///`` URL or a journal file path."""
    if storage is None:
        return None
    text = str(storage)
    if "://" in text:
        return text
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    Path(text).parent.mkdir(parents=True, exist_ok=True)
    return JournalStorage(JournalFileBackend(text))


def _open_study(storage, study_name: str, sampler: str, seed: int):
    import warnings

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    return optuna.create_study(study_name=study_name, storage=make_storage(storage),
                               sampler=make_sampler(sampler, seed), direction="minimize",
                               load_if_exists=True)


def _completed(study) -> int:
    import optuna

    return len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))


def _optimize(study, problem: SMMProblem, n_trials: int, total: int) -> None:
    """Run up to ``n_trials`` trials, stopping once the study holds ``total`` complete ones."""

    def objective(trial):
        return problem.loss(_suggest(trial, problem.parameters))

    def enough(study, _trial):
        if _completed(study) >= total:
            study.stop()

    study.optimize(objective, n_trials=n_trials, callbacks=[enough])


def _worker(problem: SMMProblem, storage: str, study_name: str, sampler: str, seed: int,
            n_trials: int, total: int) -> int:
    """Run a parallel worker: open the shared study and run trials on it."""
    study = _open_study(storage, study_name, sampler, seed)
    _optimize(study, problem, n_trials, total)
    return _completed(study)


@dataclasses.dataclass
class SMMResult:
    """The outcome of :func:`fit_smm`.

    Attributes
    ----------
    params
        Fitted parameter -> value (the best trial).
    loss
        The best trial's objective.
    trials
        All complete trials (parameters and loss), best first.
    bootstrap
        One row per parametric-bootstrap refit (empty if none ran).
    problem
        The problem fitted.
    """

    params: dict[str, float]
    loss: float
    trials: pd.DataFrame
    bootstrap: pd.DataFrame
    problem: SMMProblem

    def uncertainty(self) -> pd.DataFrame:
        """Per parameter: estimate, bootstrap sd and 2.5/97.5% percentiles."""
        rows = {}
        for name, value in self.params.items():
            draws = self.bootstrap[name] if name in self.bootstrap else pd.Series(dtype=float)
            rows[name] = {"estimate": value,
                          "sd": float(draws.std(ddof=1)) if len(draws) > 1 else math.nan,
                          "p2.5": float(draws.quantile(0.025)) if len(draws) else math.nan,
                          "p97.5": float(draws.quantile(0.975)) if len(draws) else math.nan,
                          "replicates": len(draws)}
        return pd.DataFrame(rows).T


def parametric_bootstrap(problem: SMMProblem, estimate: dict, replicates: int,
                         max_evaluations: int = 80) -> pd.DataFrame:
    """Refit synthetic data sets drawn at ``estimate`` (seeds outside the fit's seeds).

    Each refit minimizes the same objective (same seeds, same weights) against the
    synthetic data's moments by Nelder-Mead on the parameters' unit scale, starting
    at the estimate, with at most ``max_evaluations`` evaluations.
    """
    from scipy import optimize

    rows = []
    start = np.array([p.to_unit(estimate[p.name]) for p in problem.parameters])
    for b in range(replicates):
        seed = BOOTSTRAP_SEED_OFFSET + b
        if seed in problem.seeds:
            raise SMMError(f"seeds: {seed} is reserved for the parametric bootstrap")
        target = moment_vector(problem.simulate(estimate, seed), problem.spec)

        def objective(unit, target=target):
            values = {p.name: p.from_unit(u) for p, u in zip(problem.parameters, unit,
                                                             strict=True)}
            return problem.loss(values, target)

        step = np.full(len(start), 0.08)
        simplex = np.vstack([start, start + np.diag(step)])
        result = optimize.minimize(objective, start, method="Nelder-Mead",
                                   options={"maxfev": max_evaluations, "initial_simplex": simplex,
                                            "xatol": 1e-3, "fatol": 1e-6})
        row = {p.name: p.from_unit(u) for p, u in zip(problem.parameters, result.x, strict=True)}
        row.update(loss=float(result.fun), seed=seed)
        rows.append(row)
    return pd.DataFrame(rows)


def fit_smm(problem: SMMProblem, n_trials: int = 200, sampler: str = "tpe", seed: int = 0,
            storage: str | Path | None = None, study_name: str = "servsim-smm",
            workers: int = 1, bootstrap: int = 0, bootstrap_evaluations: int = 80,
            enqueue: list[dict] | None = None, polish: int = 0) -> SMMResult:
    """Fit the problem's parameters by SMM with Optuna; optionally bootstrap them.

    Parameters
    ----------
    problem
        The log, simulator, parameters and seeds.
    n_trials
        Complete trials the study should hold; a resumed study runs only the rest.
    sampler
        ``tpe`` or ``cmaes``.
    seed
        The sampler's seed (worker ``k`` uses ``seed + k``).
    storage
        ``None`` (in memory), a journal file path or an ``sqlite:///`` URL; with a
        storage an interrupted fit resumes where it stopped.
    study_name
        The study's name in the storage.
    workers
        Parallel worker processes (each pulls trials from the shared storage; more
        than one needs a storage).
    bootstrap
        Parametric-bootstrap replicates for the uncertainty (0: none).
    bootstrap_evaluations
        Objective evaluations per bootstrap refit.
    enqueue
        Parameter sets to try first (e.g. a previous estimate).
    polish
        Nelder-Mead evaluations after the search (0: none), from the best trial on the
        parameters' unit scale (:func:`polish_best`); its evaluations are added to
        ``trials`` (state ``POLISH``) and the estimate is the better of the two.  A
        local method needs a smooth objective: common random numbers per customer
        (``sim.counter_draws = 1`` for the servsim engine).
    """
    if not problem.parameters:
        raise SMMError("parameters: nothing to fit (give at least one parameter)")
    if n_trials < 1:
        raise SMMError(f"search.trials must be >= 1, got {n_trials}")
    if workers < 1:
        raise SMMError(f"search.workers must be >= 1, got {workers}")
    if workers > 1 and storage is None:
        raise SMMError("search.workers > 1 needs search.storage (a journal file or sqlite URL)")
    study = _open_study(storage, study_name, sampler, seed)
    for values in enqueue or ():
        study.enqueue_trial(values, skip_if_exists=True)
    remaining = n_trials - _completed(study)
    if remaining > 0 and workers == 1:
        _optimize(study, problem, remaining, n_trials)
    elif remaining > 0:
        import multiprocessing

        share = -(-remaining // workers)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            futures = [pool.submit(_worker, problem, str(storage), study_name, sampler,
                                   seed + k, share, n_trials) for k in range(workers)]
            for future in futures:
                future.result()
    study = _open_study(storage, study_name, sampler, seed) if storage is not None else study
    frame = study.trials_dataframe(attrs=("number", "value", "params", "state"))
    frame = frame[frame["state"] == "COMPLETE"].sort_values("value", ignore_index=True)
    frame.columns = [c.removeprefix("params_") for c in frame.columns]
    frame = frame.rename(columns={"value": "loss"})
    best = {p.name: float(study.best_params[p.name]) for p in problem.parameters}
    loss = float(study.best_value)
    if polish > 0:
        best, loss, steps = polish_best(problem, best, loss, polish,
                                        int(frame["number"].max()) + 1)
        frame = pd.concat([frame, steps], ignore_index=True).sort_values(
            "loss", ignore_index=True, kind="stable")
    draws = (parametric_bootstrap(problem, best, bootstrap, bootstrap_evaluations)
             if bootstrap > 0 else pd.DataFrame())
    return SMMResult(best, loss, frame, draws, problem)


def polish_best(problem: SMMProblem, start: dict, start_loss: float, evaluations: int,
                first_number: int = 0) -> tuple[dict, float, pd.DataFrame]:
    """Nelder-Mead from ``start`` on the parameters' unit scale (initial simplex steps
    0.05, at most ``evaluations`` objective evaluations, ``xatol`` 1e-3 and ``fatol``
    1e-3 x ``start_loss``); returns the better of the start and the polished point,
    its loss, and one row per evaluation (``number`` from ``first_number``, state
    ``POLISH``)."""
    from scipy import optimize

    rows = []

    def objective(unit):
        values = {p.name: p.from_unit(float(u))  # clipped to the range
                  for p, u in zip(problem.parameters, unit, strict=True)}
        loss = problem.loss(values)
        rows.append({"number": first_number + len(rows), "loss": loss, **values,
                     "state": "POLISH"})
        return loss

    x0 = np.array([p.to_unit(start[p.name]) for p in problem.parameters])
    simplex = np.vstack([x0, x0 + np.diag(np.full(x0.size, 0.05))])
    optimize.minimize(objective, x0, method="Nelder-Mead",
                      options={"maxfev": evaluations, "initial_simplex": simplex,
                               "xatol": 1e-3, "fatol": 1e-3 * start_loss})
    steps = pd.DataFrame(rows)
    if len(steps) and steps["loss"].min() < start_loss:
        top = steps.loc[steps["loss"].idxmin()]
        return ({p.name: float(top[p.name]) for p in problem.parameters},
                float(top["loss"]), steps)
    return dict(start), float(start_loss), steps
