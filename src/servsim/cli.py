"""The ``servsim`` command: a thin Hydra entry point around :func:`servsim.runs.run`.

Usage::

    servsim                                            # the default scenario
    servsim strategy=premium market=company_a          # choose config-group options
    servsim -m strategy=premium,lowcost,differentiated seed='range(20)'   # a sweep
    servsim -m +experiment=positioning_quick           # a preset sweep
    servsim -m hydra/launcher=parallel ...             # the sweep on several processes
    servsim --cfg job                                  # print the composed config
    servsim sensitivity|explore|optimize|calibrate ... # the decision tools (own --help)

Each run writes, in Hydra's ``runtime.output_dir`` (``results/runs/...`` or
``results/sweeps/.../<job number>``): ``steps.parquet``, ``config.yaml``,
``figure.png`` and, last, ``summary.json`` (see :mod:`servsim.outputs`).

Invalid input stops before any simulation with one line ``servsim: error: ...``
on stderr and exit status 2 (set ``HYDRA_FULL_ERROR=1`` for Hydra's traces).
What a run and a sweep do is in :mod:`servsim.runs` and :mod:`servsim.sweep`;
composition in :mod:`servsim.compose`.  Nothing in the package imports this
module.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from servsim import conf, sweep
from servsim.compose import describe_error, first_line, params_from_config, raised_by_hydra
from servsim.params import ParameterError
from servsim.runs import PROG, RUN_FAILURES, hydra_mode, remove_unused_run_dir, report, run

EXIT_USAGE = 2
"""Exit status for invalid input (as argparse uses)."""
EXIT_RUN_FAILED = 1
"""Exit status of a run that failed (or of a sweep in which runs failed)."""
EXIT_INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT, as shells report it)."""

SUBCOMMANDS = {
    "sensitivity": ("servsim.decide.sensitivity", "global sensitivity analysis (SALib: "
                    "Morris, Sobol)"),
    "explore": ("servsim.decide.explore", "robust comparison and scenario discovery "
                "(EMA Workbench: LHS, PRIM)"),
    "optimize": ("servsim.decide.optimize", "optimise the levers (Optuna; Pareto fronts)"),
    "calibrate": ("servsim.calibration.cli", "calibrate the model to data"),
}
"""``servsim NAME ...``: the module whose ``main(argv) -> int`` runs each subcommand."""

__all__ = ["main", "params_from_config", "run"]  # params_from_config: kept for old imports


@hydra.main(version_base="1.3", config_path=str(conf.CONFIG_DIR), config_name=conf.CONFIG_NAME)
def _hydra_main(cfg: DictConfig) -> dict[str, Any]:
    # every exit here is a SystemExit: an exception would make Hydra print its own
    # "Error executing job with overrides" line besides ours
    single = hydra_mode() == RunMode.RUN
    out = HydraConfig.get().runtime.output_dir
    try:
        summary = run(cfg)
    except ParameterError as ex:
        if single:
            remove_unused_run_dir(out)  # a refused run leaves no directory behind
        print(f"{PROG}: error: {ex}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None
    except RUN_FAILURES as ex:
        print(f"{PROG}: error: run in {out} failed: {type(ex).__name__}: {ex} (recorded in "
              "its summary.json)", file=sys.stderr)
        raise SystemExit(EXIT_RUN_FAILED) from None
    except Exception as ex:
        if not raised_by_hydra(ex):
            raise  # a bug or a crash in a single run: keep the traceback
        if single:
            remove_unused_run_dir(out)
        print(f"{PROG}: error: {describe_error(ex)}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None
    if single:
        report(summary, out)
    return summary


def run_subcommand(name: str, argv: list[str]) -> int:
    """Run ``servsim NAME ARGV``: import the subcommand's module lazily and call its ``main``."""
    module_name = SUBCOMMANDS[name][0]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as ex:
        if ex.name is not None and module_name.startswith(ex.name):
            print(f"{PROG}: error: 'servsim {name}' is not available in this installation "
                  f"(module {module_name} not found)", file=sys.stderr)
            return EXIT_USAGE
        print(f"{PROG}: error: 'servsim {name}' needs the package '{ex.name}', which is not "
              "installed (see pyproject.toml's extras)", file=sys.stderr)
        return EXIT_USAGE
    return int(module.main(argv) or 0)


def subcommand_help() -> str:
    """The lines ``servsim --help`` adds about the subcommands."""
    lines = ["", "== Subcommands (servsim NAME --help for each) =="]
    lines += [f"  servsim {name:<12} {text}" for name, (_, text) in SUBCOMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Console entry point ``servsim``: a subcommand, or Hydra's command line around ``run``.

    Configuration errors end with one line on stderr and exit status 2; set
    ``HYDRA_FULL_ERROR=1`` for Hydra's full traces instead.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    if args and args[0] in SUBCOMMANDS:
        sys.exit(run_subcommand(args[0], args[1:]))
    if argv is not None:
        sys.argv = [sys.argv[0] if sys.argv else PROG, *args]
    if "--help" in args or "-h" in args:
        try:
            _hydra_main()  # Hydra prints the groups and options, then exits
        except SystemExit as ex:
            if ex.code not in (0, None):
                raise
        print(subcommand_help())
        return
    if not conf.resolvers_allowed():
        try:
            conf.refuse_resolvers(_overrides_in(args))
        except ParameterError as ex:
            print(f"{PROG}: error: {ex}", file=sys.stderr)
            sys.exit(EXIT_USAGE)
    try:
        _main_hydra()
    except KeyboardInterrupt:
        active = sweep.ACTIVE
        line = (sweep.interrupted_line(active) if active is not None
                else f"{PROG}: interrupted")
        print(f"\n{line}", file=sys.stderr, flush=True)
        sys.exit(EXIT_INTERRUPTED)
    finally:
        sweep.release()


def _overrides_in(args: list[str]) -> list[str]:
    """The command line's overrides (not its options nor their values)."""
    takes_value = {"-cp", "--config-path", "-cn", "--config-name", "-cd", "--config-dir",
                   "-p", "--package", "--info", "-i", "--experimental-rerun"}
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg in takes_value:
            skip = arg not in ("--info", "-i")
        elif not arg.startswith("-"):
            out.append(arg)
    return out


def _main_hydra() -> None:
    """Hydra's command line, with its errors as one line on stderr and exit status 2."""
    if os.environ.get("HYDRA_FULL_ERROR") == "1":
        _hydra_main()
        return
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    previous = os.environ.get("HYDRA_FULL_ERROR")
    os.environ["HYDRA_FULL_ERROR"] = "1"  # let errors reach us instead of Hydra's printer
    try:
        from servsim.registry import check_overrides

        check_overrides(sys.argv[1:])  # e.g. market.segments={}: recorded but changes nothing
        _hydra_main()
    except (ParameterError, HydraException, OmegaConfBaseException) as ex:
        print(f"{PROG}: error: {describe_error(ex)}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    except Exception as ex:
        if not raised_by_hydra(ex):
            raise  # a bug or a crash in a single run: keep the traceback
        # Hydra's own command-line checks (e.g. -m with --cfg) raise plain exceptions
        print(f"{PROG}: error: invalid command line: {first_line(ex)}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    finally:
        if previous is None:
            os.environ.pop("HYDRA_FULL_ERROR", None)
        else:
            os.environ["HYDRA_FULL_ERROR"] = previous


if __name__ == "__main__":  # pragma: no cover
    main()
