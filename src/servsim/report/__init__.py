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

- an assumptions box (:func:`assumptions`): market, size, horizon, units, the
  levers compared, the key calibration choices and what drives the result;
- a KPI table (:data:`KPIS`): mean and 95% Student-t interval over the seeds,
  kept within the bounds of bounded KPIs (:data:`BOUNDS`,
  :func:`servsim.stats.bounded_mean_ci`);
- paired differences against the baseline scenario (same seeds, so the same
  customers, network and initial market): mean difference, 95% interval,
  relative change and the two-sided **paired t-test** (``scipy.stats.ttest_rel``)
  with Holm-adjusted p-values over the table;
- time series of the main KPIs with 95% bands;
- a plain-language paragraph: which scenario leads on what, by how much and
  how sure we are (leader against runner-up, paired t-test, Holm over the KPIs);
- with ``--robustness N`` (:mod:`servsim.robustness`): rank probabilities of
  the scenarios over N samples of the market's uncertain parameters, regret,
  and a tornado of the parameters that could change the leader.

Every number is also written as a table (``kpis.csv``, ``differences.csv``,
the robustness tables) with the tidy runs (``runs.parquet``, one row per run of
the focal firm) and
series (``steps.parquet``), so each can be recomputed.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from servsim import outputs, replicate
from servsim import robustness as robustness_
from servsim.params import Params
from servsim.report.analysis import (
    BOUNDS,
    CSS,
    KEY_CALIBRATION,
    KPIS,
    LEVERS,
    MIN_SEEDS,
    OUTPUT_FILES,
    RATE_KPIS,
    RELATIVE_KPIS,
    SCENARIO_GROUPS,
    SERIES,
    Report,
    Scenario,
    _by_seed,
    _fmt,
    _gap,
    _get,
    _kpi_figure,
    _relative,
    _robustness_figure,
    _seed_text,
    _series_figure,
    _value,
    assumptions,
    build,
    check_seeds,
    difference_table,
    group_options,
    interval_method,
    kpi_table,
    leader_paragraph,
    parse_scenario,
    resolve_name,
    robustness_paragraph,
    scenario_labels,
)
from servsim.report.render import (
    FIGURES,
    _assumption_frame,
    _diff_frame,
    _kpi_frame,
    _p_text,
    _rank_frame,
    _scenario_lines,
    _tornado_frame,
    method_text,
    to_html,
    to_markdown,
    write,
)

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
    Evaluations run on ``n_jobs`` processes: servsim's own model on the warm
    workers of :mod:`servsim.decide.evaluator` (kept for the samples and the
    tornado), another model on :func:`servsim.robustness.pool_mapper`.
    """
    import servsim

    model, parameters = (model_and_parameters if model_and_parameters is not None
                         else robustness_.servsim_model(market))
    fixed = set(model_kwargs(base)).union(*(model_kwargs(s.overrides) for s in scenarios))
    parameters = [p for p in parameters if p.key not in fixed]  # the user set these

    def analyse(mapper: robustness_.Mapper) -> robustness_.Robustness:
        return robustness_.analyse(
            model, parameters, {s.label: model_kwargs(s.overrides) for s in scenarios},
            outcome, higher=ROBUSTNESS_OUTCOMES[outcome], samples=samples, seed=seed,
            first_seed=first_seed, tornado_seeds=tornado_seeds,
            tornado_parameters=tornado_parameters,
            base={"market": market, **model_kwargs(base)}, mapper=mapper)

    if n_jobs <= 1:
        return analyse(robustness_.sequential)
    if model is servsim.evaluate:
        from servsim.decide.evaluator import make_evaluator

        with make_evaluator("servsim:evaluate", workers=n_jobs) as evaluator:
            return analyse(robustness_.evaluator_mapper(evaluator))
    return analyse(robustness_.pool_mapper(n_jobs))


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

__all__ = [  # the report's API (servsim.report.X), defined in analysis and render
    "check_seeds",
    "KPIS",
    "SERIES",
    "RATE_KPIS",
    "RELATIVE_KPIS",
    "BOUNDS",
    "MIN_SEEDS",
    "OUTPUT_FILES",
    "CSS",
    "Scenario",
    "Report",
    "SCENARIO_GROUPS",
    "group_options",
    "resolve_name",
    "parse_scenario",
    "scenario_labels",
    "interval_method",
    "kpi_table",
    "_by_seed",
    "difference_table",
    "_value",
    "_relative",
    "_gap",
    "leader_paragraph",
    "build",
    "KEY_CALIBRATION",
    "LEVERS",
    "_get",
    "_fmt",
    "assumptions",
    "_seed_text",
    "robustness_paragraph",
    "_kpi_figure",
    "_series_figure",
    "_robustness_figure",
    "_kpi_frame",
    "_p_text",
    "_diff_frame",
    "_assumption_frame",
    "_rank_frame",
    "_tornado_frame",
    "_scenario_lines",
    "method_text",
    "to_markdown",
    "FIGURES",
    "to_html",
    "write",
]
