"""``calibrate(log, ...)``: fit a simulator to a transaction log and judge it on the holdout.

One call does what ``servsim calibrate fit`` does: fit the chosen parameters by SMM
on the calibration window (:mod:`servsim.calibration.smm`), simulate the fitted
model over calibration and holdout with the same seeds, score it beside the BTYD
peers (BG/NBD, Pareto/NBD fitted to the same window), and, given an output
directory, write ``figure.png``, ``summary.json``, ``trials.csv``,
``conditional.csv`` and ``fitted.yaml`` -- a config that replays the fitted
parameters without fitting (``parameters: {}``, the estimates under ``fixed``).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd

from servsim.calibration import scoring
from servsim.calibration.config import (
    CalibrationConfig,
    as_yaml,
    engine_settings,
    parameters_of,
    to_dict,
)
from servsim.calibration.data import (
    Columns,
    TransactionLog,
    cdnow_log,
    make_log,
    read_transactions,
    rfm_summary,
)
from servsim.calibration.figures import fit_and_holdout_figure
from servsim.calibration.peers import run_peers
from servsim.calibration.simulators import make_simulator
from servsim.calibration.smm import (
    MomentSpec,
    Parameter,
    SMMProblem,
    SMMResult,
    as_transactions,
    bootstrap_weights,
    fit_smm,
    moment_vector,
)


def load_log(config: CalibrationConfig) -> TransactionLog:
    """Load the transaction log and windows a config names (``cdnow`` or a file)."""
    data, windows = config.data, config.windows
    if data.file == "cdnow":
        if (windows.calibration_end, windows.holdout_end) == ("1997-09-30", "1998-06-30") \
                and windows.calibration_start in (None, "1997-01-01") \
                and windows.cohort_end is None:
            return cdnow_log()
        from servsim.calibration.data import cdnow_path, load_cdnow

        frame, source = load_cdnow(), str(cdnow_path())
    else:
        columns = Columns(data.columns.customer, data.columns.date, data.columns.amount)
        frame = read_transactions(data.file, columns, data.date_format, data.format,
                                  data.separator)
        source = data.file
    return make_log(frame, windows.calibration_end, windows.holdout_end,
                    windows.calibration_start, windows.cohort_end, source)


@dataclasses.dataclass
class CalibrationReport:
    """A fitted (or replayed) simulator judged on the holdout beside the peers.

    Attributes
    ----------
    params
        All simulator parameters (fitted and fixed).
    smm
        The SMM result (``None`` when replaying fixed parameters).
    uncertainty
        Per fitted parameter: estimate, bootstrap sd and percentiles.
    errors
        Holdout errors (percent) of the simulator and of each peer, one row each.
    curves
        Label -> weekly repeat curve (``data``, the simulator, the peers).
    conditional
        Mean holdout transactions by calibration frequency: data, simulator, peers.
    moments
        Observed and simulated moments with their weights.
    files
        Written files by role.
    """

    params: dict[str, float]
    smm: SMMResult | None
    uncertainty: pd.DataFrame
    errors: pd.DataFrame
    curves: dict[str, pd.DataFrame]
    conditional: pd.DataFrame
    moments: pd.DataFrame
    files: dict[str, Path] = dataclasses.field(default_factory=dict)


def simulated_logs(problem: SMMProblem, params: dict) -> list[TransactionLog]:
    """One full-horizon (calibration and holdout) simulated log per seed of the problem."""
    return [as_transactions(problem.simulator(problem.full_params(params), seed), problem.log)
            for seed in problem.seeds]


def simulated_diagnostics(problem: SMMProblem, params: dict, max_frequency: int = 7,
                          logs: list[TransactionLog] | None = None):
    """Simulate the weekly curve and conditional table, averaged over the seeds.

    ``logs``: the runs of :func:`simulated_logs` (simulated here if not given)."""
    curves, groups = [], []
    for sim in simulated_logs(problem, params) if logs is None else logs:
        curves.append(scoring.weekly_repeat_curve(sim))
        summary = rfm_summary(sim)
        groups.append(pd.DataFrame({"group": np.minimum(summary["frequency"], max_frequency),
                                    "holdout": summary["holdout"]}))
    curve = curves[0][["week"]].copy()
    for column in ("incremental", "cumulative"):
        curve[column] = np.mean([c[column].to_numpy() for c in curves], axis=0)
    pooled = pd.concat(groups)
    conditional = pooled.groupby("group")["holdout"].mean()
    conditional.index = [f"{g}+" if g == max_frequency else str(g) for g in conditional.index]
    return curve, conditional


def calibrate(log: TransactionLog, simulator="bgnbd", parameters: list[Parameter] = (),
              fixed: dict | None = None, seeds=(0, 1, 2, 3), n_trials: int = 200,
              sampler: str = "tpe", search_seed: int = 0, storage=None,
              study_name: str = "servsim-smm", workers: int = 1, bootstrap: int = 0,
              bootstrap_evaluations: int = 60, spec: MomentSpec | None = None,
              weight_resamples: int = 200, peers: bool = True,
              output_dir: str | Path | None = None,
              config: CalibrationConfig | None = None,
              engine: dict | None = None, polish: int = 0,
              start: dict | None = None) -> CalibrationReport:
    """Fit a simulator to a log by SMM (or replay fixed parameters) and score the holdout.

    Parameters
    ----------
    log
        The observed cohort and windows (:func:`servsim.calibration.data.make_log`).
    simulator
        A simulator name (``bgnbd``, ``mbgnbd``, ``paretonbd``, ``servsim``) or any
        ``simulate(params, seed) -> DataFrame``.
    parameters
        Parameters to fit (empty: replay ``fixed``).
    fixed
        Parameters passed unchanged.
    seeds
        Common random numbers.
    n_trials, sampler, search_seed, storage, study_name, workers
        The Optuna search (:func:`servsim.calibration.smm.fit_smm`).
    bootstrap, bootstrap_evaluations
        Parametric-bootstrap refits for the uncertainty.
    spec
        The moments (default: the log's calibration weeks, 0..7+, 3-week bins, no
        conditional block).
    weight_resamples
        Customer-bootstrap resamples for the SMM weights.
    peers
        Also fit BG/NBD and Pareto/NBD to the log and report them.
    output_dir
        Where to write the figure, summary, trials, conditional table and config.
    config
        The config this run came from (written back with the estimates as
        ``fitted.yaml``).
    polish
        Nelder-Mead evaluations from the best trial after the search (0: none).
    start
        A parameter set tried as the first trial (a warm start, e.g. a previous estimate).
    engine
        Fixed dotted servsim settings of a named ``servsim`` simulator (e.g.
        ``{"sim.counter_draws": 1}``: per-customer common random numbers).
    """
    fixed = dict(fixed or {})
    name = simulator if isinstance(simulator, str) else getattr(
        simulator, "__name__", type(simulator).__name__)
    simulate = (make_simulator(simulator, log, engine) if isinstance(simulator, str)
                else simulator)
    spec = spec or MomentSpec(log.calibration_weeks)
    weights = bootstrap_weights(log, spec, weight_resamples)
    result = None
    if parameters:
        problem = SMMProblem(log, simulate, list(parameters), fixed, tuple(seeds), spec,
                             weights)
        result = fit_smm(problem, n_trials, sampler, search_seed, storage, study_name,
                         workers, bootstrap, bootstrap_evaluations,
                         enqueue=[dict(start)] if start else None, polish=polish)
        params = {**fixed, **result.params}
        uncertainty = result.uncertainty()
    else:
        problem = SMMProblem(log, simulate, [], fixed, tuple(seeds), spec, weights)
        params = fixed
        uncertainty = pd.DataFrame(columns=["estimate", "sd", "p2.5", "p97.5", "replicates"])
    observed = scoring.weekly_repeat_curve(log)
    fitted = result.params if result is not None else {}
    # one full-horizon run per seed serves the holdout curve, the conditional table and
    # the simulated moments (the moments read only its calibration window)
    logs = simulated_logs(problem, fitted)
    curve, sim_conditional = simulated_diagnostics(problem, fitted, spec.max_count, logs)
    label = f"{name} (SMM)" if parameters else f"{name} (replay)"
    curves = {label: curve}
    errors = {label: scoring.holdout_errors(observed, curve, log.calibration_weeks)}
    conditional = scoring.conditional_expectation(log, max_frequency=spec.max_count)
    conditional[label] = sim_conditional.reindex(conditional.index)
    if peers:
        report = run_peers(log)
        for peer_label, peer_curve in report.predicted.items():
            curves[peer_label] = peer_curve
            errors[peer_label] = report.errors.loc[peer_label].to_dict()
            conditional[peer_label] = report.conditional[peer_label]
    simulated = np.mean([moment_vector(sim, spec) for sim in logs], axis=0)
    moments = pd.DataFrame({"observed": moment_vector(log, spec), "simulated": simulated,
                            "weight": weights}, index=spec.labels)
    out = CalibrationReport(params, result, uncertainty, pd.DataFrame(errors).T, curves,
                            conditional, moments)
    if output_dir is not None:
        _write(out, log, observed, Path(output_dir), config, name)
    return out


def _write(report: CalibrationReport, log: TransactionLog, observed: pd.DataFrame,
           out: Path, config: CalibrationConfig | None, name: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    files = report.files
    files["figure"] = fit_and_holdout_figure(
        observed, report.curves, report.conditional,
        log.calibration_weeks, out / "figure.png",
        title=f"{name} calibrated on weeks 1-{log.calibration_weeks} of "
              f"{Path(log.source).name}; holdout to week {log.total_weeks}")
    report.conditional.to_csv(out / "conditional.csv")
    files["conditional"] = out / "conditional.csv"
    report.moments.to_csv(out / "moments.csv")
    files["moments"] = out / "moments.csv"
    if report.smm is not None:
        report.smm.trials.to_csv(out / "trials.csv", index=False)
        files["trials"] = out / "trials.csv"
        if len(report.smm.bootstrap):
            report.smm.bootstrap.to_csv(out / "bootstrap.csv", index=False)
            files["bootstrap"] = out / "bootstrap.csv"
    summary = {
        "source": log.source, "customers": log.n_customers,
        "calibration_weeks": log.calibration_weeks, "total_weeks": log.total_weeks,
        "simulator": name, "params": report.params,
        "loss": None if report.smm is None else report.smm.loss,
        "uncertainty": json.loads(report.uncertainty.to_json(orient="index")),
        "uncertainty_method": "parametric bootstrap (refits of data simulated at the estimate)",
        "holdout_errors_percent": json.loads(report.errors.to_json(orient="index")),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=float) + "\n")
    files["summary"] = out / "summary.json"
    if config is not None:
        fitted = dataclasses.replace(config, parameters={},
                                     fixed={k: float(v) for k, v in report.params.items()},
                                     output_dir=str(out / "replay"))
        header = (f"# {name} fitted by SMM to {log.source} (weeks 1-{log.calibration_weeks}).\n"
                  f"# Replays the estimates without fitting:\n"
                  f"#   python -m servsim.calibration fit --config {out / 'fitted.yaml'}\n")
        (out / "fitted.yaml").write_text(header + as_yaml(fitted))
        files["config"] = out / "fitted.yaml"


def run_config(config: CalibrationConfig) -> CalibrationReport:
    """Run a composed calibration config (the ``servsim calibrate fit`` command)."""
    parameters = parameters_of(config)  # a bad range fails here, before reading the log
    log = load_log(config)
    engine = engine_settings(config)
    make_simulator(config.simulator, log, engine)  # an unknown simulator: one line
    out = Path(config.output_dir)
    storage = config.search.storage or (str(out / "study.journal") if parameters else None)
    return calibrate(
        log, config.simulator, parameters, dict(config.fixed), tuple(config.seeds),
        config.search.trials, config.search.sampler, config.search.seed, storage,
        config.search.study_name, config.search.workers, config.uncertainty.bootstrap,
        config.uncertainty.evaluations,
        MomentSpec(log.calibration_weeks, config.moments.max_count,
                   config.moments.recency_bin_weeks, config.moments.split_week,
                   config.moments.weighting),
        config.moments.bootstrap_resamples, True, out, config, engine,
        config.search.polish, dict(config.search.start))


__all__ = ["CalibrationReport", "calibrate", "load_log", "run_config", "simulated_logs",
           "to_dict"]
