"""The calibration command: ``servsim calibrate`` / ``python -m servsim.calibration``.

Usage::

    python -m servsim.calibration fit --preset cdnow [KEY=VALUE ...]
    python -m servsim.calibration fit --config my_log.yaml search.trials=50
    python -m servsim.calibration peers [--out DIR] [--fitter scipy|lifetimes]

``fit`` composes a preset of the ``calibration/`` config group (or a YAML file of
the same schema, :class:`servsim.calibration.config.CalibrationConfig`) with Hydra
overrides, fits the chosen parameters by simulated method of moments, scores the
holdout beside the BTYD peers and writes its ``output_dir`` (see
:func:`servsim.calibration.pipeline.calibrate`); a config with ``parameters: {}``
replays its ``fixed`` values without fitting (``fitted.yaml`` is such a file).

``peers`` fits BG/NBD and Pareto/NBD to CDNOW's weeks 1-39 (or to ``--log FILE``
with its windows), scores the holdout, prints the table of issue 16 and writes
``peers.png``, ``peers.md`` and ``conditional.csv`` into ``--out``.

Bad input (a file, a column, a window) stops with one line ``servsim calibrate:
error: ...`` on stderr and exit status 2, before any fitting.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from servsim.calibration.data import CalibrationDataError, Columns
from servsim.calibration.simulators import EngineBindingMissing

PROG = "servsim calibrate"


def _log_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log", default="cdnow",
                        help="transaction log (CSV or parquet); 'cdnow' = the CDNOW master "
                             "file of the installed lifetimes distribution (default)")
    parser.add_argument("--customer-column", default="customer")
    parser.add_argument("--date-column", default="date")
    parser.add_argument("--amount-column", default="amount")
    parser.add_argument("--date-format", default=None, help="e.g. %%Y%%m%%d")
    parser.add_argument("--calibration-start", default=None)
    parser.add_argument("--calibration-end", default=None)
    parser.add_argument("--holdout-end", default=None)


def _load(args):
    from servsim.calibration import data

    if args.log == "cdnow":
        return data.cdnow_log()
    if args.calibration_end is None or args.holdout_end is None:
        raise CalibrationDataError(f"{args.log}: --calibration-end and --holdout-end are "
                                   "required for a log other than cdnow")
    frame = data.read_transactions(
        args.log, Columns(args.customer_column, args.date_column, args.amount_column),
        date_format=args.date_format)
    return data.make_log(frame, args.calibration_end, args.holdout_end,
                         args.calibration_start, source=args.log)


def _peers(args) -> int:
    from servsim.calibration.peers import run_peers

    log = _load(args)
    out = Path(args.out)
    report = run_peers(log, fitter=args.fitter, exposure=args.exposure,
                       figure=out / "peers.png")
    table = report.table()
    (out / "peers.md").write_text(table + "\n")
    report.conditional.to_csv(out / "conditional.csv")
    print(f"{log.source}: {log.n_customers} customers, calibration weeks "
          f"1-{log.calibration_weeks}, holdout weeks {log.calibration_weeks + 1}-"
          f"{log.total_weeks}")
    print(table)
    print()
    print("holdout transactions by calibration-period repeat transactions:")
    print(report.conditional.round(3).to_string())
    print(f"\nwrote {report.figure}, {out / 'peers.md'}, {out / 'conditional.csv'}")
    return 0


def _fit(args) -> int:
    from servsim.calibration.config import load_config
    from servsim.calibration.pipeline import run_config

    config = load_config(args.preset, args.config, args.overrides)
    report = run_config(config)
    print(f"{config.name}: simulator {config.simulator}, parameters "
          + ", ".join(f"{k}={v:.4g}" for k, v in report.params.items()))
    if len(report.uncertainty):
        print("uncertainty (parametric bootstrap):")
        print(report.uncertainty.astype(float).round(4).to_string())
    print("holdout errors (percent):")
    print(report.errors.round(2).to_string())
    print("holdout transactions by calibration-period repeat transactions:")
    print(report.conditional.round(3).to_string())
    print("wrote " + ", ".join(str(p) for p in report.files.values()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of ``servsim calibrate``."""
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    fit = commands.add_parser("fit", help="fit a simulator by SMM and score the holdout")
    source = fit.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", help="a preset of configs/calibration/ (e.g. cdnow)")
    source.add_argument("--config", help="a YAML file of the calibration schema")
    fit.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. search.trials=50")
    fit.set_defaults(run=_fit)
    peers = commands.add_parser("peers", help="fit and score BG/NBD and Pareto/NBD")
    _log_arguments(peers)
    peers.add_argument("--out", default="results/calibration/peers")
    peers.add_argument("--fitter", choices=("scipy", "lifetimes"), default="scipy")
    peers.add_argument("--exposure", choices=("end_of_day", "date_difference"),
                       default="end_of_day")
    peers.set_defaults(run=_peers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``servsim calibrate`` with ``argv`` (default ``sys.argv[1:]``); the exit status."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return args.run(args)
    except (CalibrationDataError, EngineBindingMissing, ValueError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
