"""The ``servsim`` command: a thin Hydra wrapper around :func:`servsim.simulate.simulate`.

Usage::

    servsim                                            # the default scenario
    servsim strategy=premium market=company_a          # choose config-group options
    servsim -m strategy=premium,lowcost,differentiated seed='range(20)'   # a sweep
    servsim -m +experiment=positioning_quick           # a preset sweep
    servsim -m hydra/launcher=parallel ...             # the sweep on several processes
    servsim --cfg job                                  # print the composed config

Each run writes, in Hydra's ``runtime.output_dir`` (``results/runs/...`` or
``results/sweeps/.../<job number>``): ``steps.parquet``, ``config.yaml``,
``figure.png`` and, last, ``summary.json`` (see :mod:`servsim.outputs`).

Failure handling:

- an invalid value (out of range, unknown key, wrong type, unknown option)
  stops before any simulation with one line ``servsim: error: ...`` on stderr
  and exit status 2; in a sweep every job's parameters are checked before the
  first job starts (:class:`SweepProgress`);
- a crash inside one run of a sweep is logged with its traceback to that job's
  log, recorded as ``"status": "error"`` in its ``summary.json``, and the other
  runs go on; ``servsim-collect`` reports it;
- re-running a sweep into the same ``hydra.sweep.dir`` skips runs whose
  ``summary.json`` says ``ok`` for the same config, so an interrupted sweep
  resumes where it stopped.

:func:`run` is the plain function (config in, summary out) that the Hydra entry
point calls; tests call it directly.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from servsim import conf, outputs
from servsim.compose import JobComposer
from servsim.params import ParameterError, Params, make_params

log = logging.getLogger(__name__)

PROG = "servsim"
EXIT_USAGE = 2
"""Exit status for invalid input (as argparse uses)."""

_LAUNCHER_EXTRAS = {
    "joblib": "parallel",
    "submitit_local": "cluster",
    "submitit_slurm": "cluster",
    "ray": "ray",
    "ray_aws": "ray",
}


# --------------------------------------------------------------------------- config -> params


def task_container(cfg: DictConfig | Mapping[str, Any]) -> dict[str, Any]:
    """Return the task part of a composed config as a plain dict (no ``hydra`` node, no alias)."""
    if isinstance(cfg, DictConfig):
        cfg = copy.deepcopy(cfg)
        with read_write(cfg), open_dict(cfg):
            cfg.pop("hydra", None)
        data = OmegaConf.to_container(cfg, resolve=True)
    else:
        data = copy.deepcopy(dict(cfg))
        data.pop("hydra", None)
    assert isinstance(data, dict)
    data.pop("seed", None)  # alias, already interpolated into sim.seed
    return data


def params_from_config(cfg: DictConfig | Mapping[str, Any]) -> Params:
    """Build validated :class:`~servsim.params.Params`; raises ParameterError."""
    return make_params(task_container(cfg))


# --------------------------------------------------------------------------- one run


def _hydra_mode() -> RunMode | None:
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
    mode = _hydra_mode()
    multirun = mode == RunMode.MULTIRUN
    if output_dir is None:
        if not HydraConfig.initialized():
            raise ValueError("output_dir is required outside a Hydra run")
        output_dir = HydraConfig.get().runtime.output_dir
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
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

    # files of an earlier, different or failed attempt must not outlive this one
    for name in (outputs.SUMMARY_FILE, outputs.STEPS_FILE, outputs.CONFIG_FILE,
                 outputs.FIGURE_FILE):
        (out / name).unlink(missing_ok=True)
    started = time.perf_counter()
    try:
        from servsim.simulate import simulate

        log.info("simulating %s customers for %s days (seed %s)",
                 params.sim.n_customers, params.sim.days, params.sim.seed)
        result = simulate(params, progress=progress)
        elapsed = time.perf_counter() - started
        outputs.write_parquet(out / outputs.STEPS_FILE, result.steps)
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


def _report(summary: Mapping[str, Any], out: str) -> None:
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


# --------------------------------------------------------------------------- sweep callback


def expand_sweep(config: DictConfig) -> list[list[str]] | None:
    """Return the override list of every job a basic-sweeper multirun will launch, in order.

    Mirrors :class:`hydra._internal.core_plugins.basic_sweeper.BasicSweeper`:
    ``hydra.sweeper.params`` first, then the command line's task overrides.
    Returns None for other sweepers or when the overrides cannot be parsed.
    """
    target = str(OmegaConf.select(config, "hydra.sweeper._target_", default=""))
    if not target.endswith("BasicSweeper"):
        return None
    try:
        from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
        from hydra.core.override_parser.overrides_parser import OverridesParser

        params = OmegaConf.select(config, "hydra.sweeper.params", default=None) or {}
        lines = [f"{k}={v}" for k, v in params.items()]
        lines += list(config.hydra.overrides.task)
        parsed = OverridesParser.create().parse_overrides(lines)
        batches = BasicSweeper.split_arguments(parsed, None)
    except Exception:  # unknown sweep syntax: Hydra will report it itself
        return None
    return [job for batch in batches for job in batch]


def preflight_jobs(jobs: list[list[str]], full_check_max_jobs: int = 64) -> list[list[str]]:
    """Choose the jobs whose parameters are checked before a sweep starts.

    Small sweeps (at most ``full_check_max_jobs`` jobs) are checked in full.
    In larger ones every swept value is tried once, in the first job: each
    distinct value of a non-numeric sweep, and the smallest and largest of a
    numeric one (servsim's range checks are intervals, so the extremes decide).
    A combination that is only invalid jointly (shares that no longer sum to 1)
    is then caught when its own job starts, recorded as an error, and the
    other jobs go on.
    """
    if len(jobs) <= full_check_max_jobs:
        return jobs
    base = list(jobs[0])
    values: dict[int, dict[str, str]] = {}
    for job in jobs:
        for i, item in enumerate(job):
            if i < len(base) and item != base[i]:
                values.setdefault(i, {})[item.partition("=")[2]] = item
    chosen = [base]
    for i, by_value in values.items():
        items = list(by_value.items())
        try:
            numeric = sorted(items, key=lambda kv: float(kv[0]))
            items = [numeric[0], numeric[-1]]
        except ValueError:
            pass
        for _, item in items:
            chosen.append([*base[:i], item, *base[i + 1:]])
    return chosen


def remote_sweep_dir_problem(config: DictConfig) -> str | None:
    """Why this sweep's dir cannot work with its launcher, or None.

    A running Ray cluster (``ray.init.address`` set, as in ``ray_cluster``) runs
    the jobs in the head's working directory, so a relative ``hydra.sweep.dir``
    would silently land there instead of where servsim was started.
    """
    target = str(OmegaConf.select(config, "hydra.launcher._target_", default="") or "")
    if not target.endswith("RayLauncher"):
        return None
    if OmegaConf.select(config, "hydra.launcher.ray.init.address", default=None) is None:
        return None  # a local Ray started by the launcher runs in this directory
    sweep_dir = str(config.hydra.sweep.dir)
    if Path(sweep_dir).is_absolute():
        return None
    return (f"hydra.sweep.dir={sweep_dir} must be an absolute path with a running Ray "
            "cluster (its workers run in the head's directory); e.g. "
            f"hydra.sweep.dir={Path(sweep_dir).resolve()}")


class SweepProgress(Callback):
    """Hydra callback: check a sweep's parameters up front, then report progress.

    ``on_multirun_start`` composes the jobs of a basic sweep chosen by
    :func:`preflight_jobs` and validates their parameters
    (:func:`servsim.params.make_params`); the first invalid one stops the sweep
    before any simulation with ``servsim: error: ...`` and exit status 2.
    ``on_job_end`` (which runs in the job's process, whatever the launcher)
    appends the job's status to ``<sweep dir>/.servsim/progress`` and prints
    one progress line (done / total, elapsed, ETA) on stderr; the sweep's end
    prints the totals and the ``servsim-collect`` command.
    """

    def __init__(self, preflight: bool = True, full_check_max_jobs: int = 64) -> None:
        self.preflight = preflight
        self.full_check_max_jobs = full_check_max_jobs

    @staticmethod
    def _state_dir(config: DictConfig) -> Path:
        return Path(str(config.hydra.sweep.dir)) / ".servsim"

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Validate the sweep's parameters, then record its size and start time."""
        problem = remote_sweep_dir_problem(config)
        if problem:
            print(f"{PROG}: error: {problem}", file=sys.stderr)
            raise SystemExit(EXIT_USAGE)
        jobs = expand_sweep(config)
        if self.preflight and jobs:
            self._check_jobs(config, preflight_jobs(jobs, self.full_check_max_jobs))
        state = self._state_dir(config)
        state.mkdir(parents=True, exist_ok=True)
        outputs.write_json(state / "sweep.json", {
            "total": None if jobs is None else len(jobs),
            "started": time.time(),
        })
        outputs.write_text(state / "progress", "")

    def _check_jobs(self, config: DictConfig, jobs: list[list[str]]) -> None:
        """Validate each job's parameters; stop the sweep at the first invalid one.

        Configs come from :class:`servsim.compose.JobComposer`: a sweep over seeds or
        levers composes once, not once per job.
        """
        from hydra.core.global_hydra import GlobalHydra

        if not GlobalHydra.instance().is_initialized():
            return
        compose = JobComposer(config, GlobalHydra.instance().config_loader())
        for job in jobs:
            try:
                job_cfg = compose(job)
            except Exception:  # composition errors: Hydra's sweeper reports them
                return
            try:
                params_from_config(job_cfg)
            except ParameterError as ex:
                shown = " ".join(job)
                print(f"{PROG}: error: {ex} (sweep job: {shown})", file=sys.stderr)
                raise SystemExit(EXIT_USAGE) from None

    def on_job_end(self, config: DictConfig, job_return: Any, **kwargs: Any) -> None:
        """Append this job's status and print runs done / total with an ETA."""
        if OmegaConf.select(config, "hydra.mode") != RunMode.MULTIRUN:
            return
        from hydra.core.utils import JobStatus

        status = "failed"
        if job_return.status == JobStatus.COMPLETED:
            value = job_return._return_value
            if isinstance(value, Mapping):
                status = "resumed" if value.get("resumed") else str(value.get("status", "ok"))
            else:
                status = "ok"
        state = self._state_dir(config)
        line = json.dumps({"job": OmegaConf.select(config, "hydra.job.num"), "status": status})
        try:
            with open(state / "progress", "a", encoding="utf-8") as f:
                f.write(line + "\n")  # one small append per job: atomic on POSIX
            done = _read_progress(state)
            meta = json.loads((state / "sweep.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        from tqdm import tqdm

        errors = sum(1 for s in done if s in ("error", "failed"))
        meter = tqdm.format_meter(
            len(done), meta.get("total"), time.time() - float(meta.get("started", time.time())),
            prefix=f"{PROG} sweep", unit="run",
        )
        print(meter + (f" ({errors} failed)" if errors else ""), file=sys.stderr, flush=True)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Print the sweep's totals and how to gather them into one table."""
        state = self._state_dir(config)
        done = _read_progress(state)
        counts = {s: done.count(s) for s in dict.fromkeys(done)}
        text = ", ".join(f"{n} {s}" for s, n in counts.items()) or "no runs"
        sweep_dir = Path(str(config.hydra.sweep.dir))
        print(f"{PROG}: sweep finished ({text}) in {sweep_dir}", file=sys.stderr)
        print(f"  gather it: servsim-collect {sweep_dir}", file=sys.stderr, flush=True)


def _read_progress(state: Path) -> list[str]:
    try:
        lines = (state / "progress").read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        try:
            out.append(str(json.loads(line)["status"]))
        except (ValueError, KeyError, TypeError):
            continue
    return out


# --------------------------------------------------------------------------- entry point


@hydra.main(version_base="1.3", config_path=str(conf.CONFIG_DIR), config_name=conf.CONFIG_NAME)
def _hydra_main(cfg: DictConfig) -> dict[str, Any]:
    try:
        summary = run(cfg)
    except ParameterError as ex:
        # exit here: an exception would make Hydra print its own "Error executing job" line
        print(f"{PROG}: error: {ex}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None
    if _hydra_mode() == RunMode.RUN:
        _report(summary, HydraConfig.get().runtime.output_dir)
    return summary


def describe_error(ex: BaseException) -> str:
    """One line for a configuration error: the key, the value and what is allowed."""
    from hydra.errors import MissingConfigException
    from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException

    if isinstance(ex, ParameterError):
        return str(ex)
    if isinstance(ex, MissingConfigException) and ex.missing_cfg_file:
        missing = str(ex.missing_cfg_file)
        group, _, option = missing.rpartition("/")
        if ex.options is not None:
            allowed = sorted(o for o in ex.options if not o.startswith("base_"))
            return (f"{group}={option}: unknown option of config group '{group}'; "
                    f"allowed: {', '.join(allowed)}")
        first = str(ex).splitlines()[0]
        plugin = _LAUNCHER_EXTRAS.get(option) if group == "hydra/launcher" else None
        if plugin:
            return (f"{first} The launcher plugin is not installed; "
                    f"pip install 'servsim[{plugin}]'")
        return first
    head = _first_line(ex).rstrip(".")
    cause = ex if isinstance(ex, OmegaConfBaseException) else ex.__cause__
    if isinstance(cause, OmegaConfBaseException):
        msg = _first_line(cause, getattr(cause, "msg", None))
        key = getattr(cause, "full_key", None) or ""
        parent = getattr(cause, "parent_node", None)
        if isinstance(cause, ConfigKeyError | ConfigAttributeError):
            schema = getattr(cause, "object_type", None)
            if dataclasses.is_dataclass(schema):
                msg += f"; allowed: {', '.join(f.name for f in dataclasses.fields(schema))}"
            elif parent is not None and hasattr(parent, "keys"):
                msg += f"; allowed: {', '.join(str(k) for k in parent.keys())}"
        text = msg if cause is ex else f"{head}: {msg}"
        if key and key not in text:
            text += f" (key {key})"
        return text
    return head or type(ex).__name__


def _first_line(ex: BaseException, text: str | None = None) -> str:
    for line in (text or str(ex)).splitlines():
        if line.strip():
            return line.strip()
    return ""


def _raised_by_hydra(ex: BaseException) -> bool:
    """Tell whether ``ex`` was raised inside Hydra or OmegaConf (not in servsim or the model)."""
    tb = ex.__traceback__
    last = None
    while tb is not None:
        last = tb.tb_frame
        tb = tb.tb_next
    name = str(last.f_globals.get("__name__", "")) if last is not None else ""
    return name.split(".")[0] in ("hydra", "omegaconf")


def main() -> None:
    """Console entry point ``servsim``: Hydra's command line around :func:`run`.

    Configuration errors end with one line on stderr and exit status 2; set
    ``HYDRA_FULL_ERROR=1`` for Hydra's full traces instead.
    """
    if os.environ.get("HYDRA_FULL_ERROR") == "1":
        _hydra_main()
        return
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    previous = os.environ.get("HYDRA_FULL_ERROR")
    os.environ["HYDRA_FULL_ERROR"] = "1"  # let errors reach us instead of Hydra's printer
    try:
        _hydra_main()
    except (ParameterError, HydraException, OmegaConfBaseException) as ex:
        print(f"{PROG}: error: {describe_error(ex)}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    except Exception as ex:
        if not _raised_by_hydra(ex):
            raise  # a bug or a crash in a single run: keep the traceback
        # Hydra's own command-line checks (e.g. -m with --cfg) raise plain exceptions
        print(f"{PROG}: error: invalid command line: {_first_line(ex)}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    finally:
        if previous is None:
            os.environ.pop("HYDRA_FULL_ERROR", None)
        else:
            os.environ["HYDRA_FULL_ERROR"] = previous


if __name__ == "__main__":  # pragma: no cover
    main()
