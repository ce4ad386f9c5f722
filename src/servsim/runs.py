"""One run into a directory: check, simulate, write the outputs, or resume a finished one.

:func:`run` is the plain function (config in, summary out) behind the
``servsim`` command (:mod:`servsim.cli`) and every job of a sweep; tests call
it directly.  The files a run directory holds, and how completion is told, are
:mod:`servsim.outputs`' business.

Failure handling:

- an invalid value (out of range, unknown key, wrong type, unknown option)
  raises :class:`~servsim.params.ParameterError` before any simulation (in a
  sweep every job's parameters are checked before the first job starts,
  :class:`servsim.sweep.SweepProgress`);
- a crash inside one run of a sweep is logged with its traceback to that job's
  log, recorded as ``"status": "error"`` in its ``summary.json``, and the other
  runs go on; ``servsim-collect`` reports it;
- re-running into the same directory keeps a run whose ``summary.json`` says
  ``ok`` for the same config, so an interrupted sweep resumes where it stopped.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from servsim import outputs
from servsim.compose import params_from_config
from servsim.params import ParameterError

log = logging.getLogger(__name__)

PROG = "servsim"


def hydra_mode() -> RunMode | None:
    """Hydra's run mode (RUN or MULTIRUN) in a Hydra job, else None."""
    if not HydraConfig.initialized():
        return None
    return HydraConfig.get().mode


def _sequential_launcher() -> bool:
    if not HydraConfig.initialized():
        return True
    target = str(OmegaConf.select(HydraConfig.get(), "launcher._target_", default=""))
    return target.endswith("BasicLauncher")


def _overrides() -> list[str]:
    if not HydraConfig.initialized():
        return []
    return list(HydraConfig.get().overrides.task)


def run(
    cfg: DictConfig | Mapping[str, Any],
    output_dir: str | os.PathLike | None = None,
    *,
    progress: bool | None = None,
    catch_errors: bool | None = None,
) -> dict[str, Any]:
    """Run one simulation from a composed config and write its outputs.

    Parameters
    ----------
    cfg
        The composed config (as Hydra passes it), or a plain nested mapping.
    output_dir
        Where to write; default Hydra's ``runtime.output_dir``.
    progress
        Show the run's progress bar; default on for a single run and for a
        sequential sweep, off when a parallel launcher runs several at once.
    catch_errors
        Record a crash in ``summary.json`` and return instead of raising;
        default on in a sweep (so other runs go on), off for a single run.

    Returns
    -------
    dict
        The summary as written to ``summary.json``: ``status`` is ``"ok"`` or
        ``"error"``; ``resumed`` is True when a complete run of the same config
        was already there and was kept.

    Raises
    ------
    ParameterError
        On an invalid value, before anything is simulated (single runs; in a
        sweep the error is recorded and returned instead).
    """
    mode = hydra_mode()
    multirun = mode == RunMode.MULTIRUN
    if output_dir is None:
        if not HydraConfig.initialized():
            raise ValueError("output_dir is required outside a Hydra run")
        output_dir = HydraConfig.get().runtime.output_dir
    out = Path(output_dir)
    if progress is None:
        progress = not multirun or _sequential_launcher()
    if catch_errors is None:
        catch_errors = multirun

    meta: dict[str, Any] = {
        "servsim_version": outputs.package_version(),
        "overrides": _overrides(),
    }
    try:
        params = params_from_config(cfg)
    except ParameterError as ex:
        if not catch_errors:
            raise
        out.mkdir(parents=True, exist_ok=True)
        print(f"{PROG}: error: {ex}", file=sys.stderr)
        summary = {"status": outputs.STATUS_ERROR, "error": str(ex),
                   "error_type": "ParameterError", **meta}
        outputs.write_json(out / outputs.SUMMARY_FILE, summary)
        return summary

    digest = outputs.config_hash(params)
    meta = {"seed": params.sim.seed, "config_hash": digest, **meta}
    if outputs.is_complete(out, digest):
        log.info("%s already holds a complete run of this config; skipped", out)
        if not multirun:
            print(f"{PROG}: {out} already holds this run (summary.json ok); "
                  "skipped. Delete its summary.json to run again.", file=sys.stderr)
        summary = outputs.read_summary(out) or {}
        summary["resumed"] = True
        return summary

    started = time.perf_counter()
    try:
        out.mkdir(parents=True, exist_ok=True)
        # files of an earlier, different, failed or damaged attempt must not outlive this one
        for name in (outputs.SUMMARY_FILE, *outputs.RECORDED_FILES):
            (out / name).unlink(missing_ok=True)
        from servsim.simulate import run_params

        log.info("simulating %s customers for %s days (seed %s)",
                 params.sim.n_customers, params.sim.days, params.sim.seed)
        result = run_params(params, progress=progress)
        elapsed = time.perf_counter() - started
        problem = outputs.first_non_finite(result.steps)
        if problem is not None:
            raise NonFiniteOutput(problem)
        outputs.write_parquet(out / outputs.STEPS_FILE, result.steps)
        if result.events is not None:
            outputs.write_parquet(out / outputs.EVENTS_FILE, result.events)
        outputs.write_config(out / outputs.CONFIG_FILE, result.params)
        try:
            outputs.write_figure(out / outputs.FIGURE_FILE, result.steps,
                                 focal=result.summary.get("focal"), params=result.params)
        except Exception:  # a figure is a convenience: never lose a run to it
            log.warning("could not draw %s:\n%s", outputs.FIGURE_FILE, traceback.format_exc())
        summary = {
            "status": outputs.STATUS_OK,
            **meta,
            "elapsed_seconds": round(elapsed, 3),
            **{k: v for k, v in result.summary.items() if k not in ("status",)},
            "files": outputs.record_files(out),  # what "complete" means: these, unchanged
        }
        outputs.write_json(out / outputs.SUMMARY_FILE, summary)  # last: completion marker
    except Exception as ex:
        if not catch_errors:
            _write_error(out, ex, meta, started)
            raise
        log.error("run failed:\n%s", traceback.format_exc())
        print(f"{PROG}: run in {out} failed: {type(ex).__name__}: {ex}", file=sys.stderr)
        return _write_error(out, ex, meta, started)

    log.info("wrote %s", out)
    return summary


class NonFiniteOutput(RuntimeError):
    """A run produced an infinite value, or NaN where a value must be defined."""


RUN_FAILURES = (NonFiniteOutput, OSError)
"""Failures of a single run that the command reports in one line (exit 1), not as a bug."""


def remove_unused_run_dir(out: str | os.PathLike) -> bool:
    """Remove a run directory that holds nothing but what Hydra wrote before the run started.

    A single run refused for a bad value leaves no directory behind.  Only a
    directory whose entries are ``.hydra/`` (Hydra's three files) and the job
    log is removed; anything else in it, e.g. an earlier run's results, keeps it.
    """
    import shutil

    out = Path(out)
    try:
        entries = {p.name for p in out.iterdir()}
        hydra_files = {p.name for p in (out / ".hydra").iterdir()} if (out / ".hydra").is_dir() \
            else set()
    except OSError:
        return False
    if not entries <= {".hydra", "servsim.log"} or not hydra_files <= {
            "config.yaml", "hydra.yaml", "overrides.yaml"}:
        return False
    shutil.rmtree(out, ignore_errors=True)
    return not out.exists()


def _write_error(out: Path, ex: BaseException, meta: dict, started: float) -> dict[str, Any]:
    summary = {
        "status": outputs.STATUS_ERROR,
        "error": f"{type(ex).__name__}: {ex}",
        "error_type": type(ex).__name__,
        **meta,
        "elapsed_seconds": round(time.perf_counter() - started, 3),
    }
    try:
        outputs.write_json(out / outputs.SUMMARY_FILE, summary)
    except Exception:  # pragma: no cover - disk full etc.
        log.error("could not write %s:\n%s", outputs.SUMMARY_FILE, traceback.format_exc())
    return summary


def report(summary: Mapping[str, Any], out: str) -> None:
    """Tell a single run's user where the results are and a headline or two."""
    if summary.get("resumed"):
        return
    print(f"{PROG}: done in {summary.get('elapsed_seconds', float('nan')):.1f} s; results in {out}")
    print(f"  {outputs.STEPS_FILE}  {outputs.SUMMARY_FILE}  {outputs.CONFIG_FILE}  "
          f"{outputs.FIGURE_FILE}")
    firms = summary.get("firms")
    if isinstance(firms, Mapping):
        for name, values in firms.items():
            if not isinstance(values, Mapping):
                continue
            shown = [f"{k}={_fmt(values[k])}" for k in _HEADLINE if k in values]
            if shown:
                print(f"  {name}: " + ", ".join(shown))


_HEADLINE = ("final_share", "final_customers", "satisfaction", "retention_rate",
             "cumulative_profit")


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)
