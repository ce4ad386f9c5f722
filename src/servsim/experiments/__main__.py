"""``python -m servsim.experiments NAME|all ...``: run canned experiments (see the package).

The names are :data:`servsim.experiments.EXPERIMENTS`; ``all`` runs each in that order
(``make experiments``), ``--list`` prints them one a line.  The command line lives here,
not in the package's ``__init__``, because it does not shape any summary's text (the
analysis code fingerprint covers what does).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from servsim.experiments import EXPERIMENTS, run

ALL = "all"


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m servsim.experiments NAME|all [options] [overrides...]``."""
    parser = argparse.ArgumentParser(
        prog="python -m servsim.experiments",
        description="Run a canned servsim experiment (its experiment/ preset's replications), "
                    "analyse it, and write tidy tables, figures and summary.md.")
    parser.add_argument("name", nargs="?", choices=(*EXPERIMENTS, ALL),
                        help=f"an experiment, or {ALL!r} for every one in turn")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. sim.n_customers=1000")
    parser.add_argument("--list", action="store_true", help="print the experiments' names")
    parser.add_argument("--seeds", type=int, help="replications (default: the preset's, 20)")
    parser.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    parser.add_argument("-o", "--out", help="output directory (default results/NAME; "
                                            f"with {ALL!r}, OUT/NAME for each)")
    parser.add_argument("--analyze-only", action="store_true",
                        help="re-analyse the tables saved in the output directory")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_intermixed_args(argv)
    if args.list:
        print("\n".join(EXPERIMENTS))
        return 0
    if args.name is None:
        parser.error(f"name: choose one of {', '.join(EXPERIMENTS)}, or {ALL} (or --list)")
    if args.seeds is not None and args.seeds < 1:
        parser.error(f"--seeds: at least 1 replication (got {args.seeds})")
    names = EXPERIMENTS if args.name == ALL else (args.name,)
    for name in names:
        out = args.out if args.out is None or args.name != ALL else Path(args.out) / name
        started = time.perf_counter()
        path = run(name, args.overrides, seeds=args.seeds, n_jobs=args.jobs, out=out,
                   analyze_only=args.analyze_only, progress=not args.quiet)
        print(f"{name}: wrote {path} and figures in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
