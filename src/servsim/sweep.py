"""A ``servsim -m`` sweep: parameters checked up front, progress, the sweep directory's state.

:class:`SweepProgress` is the Hydra callback that ``hydra/default.yaml``
installs: before the first job it checks the parameters of the sweep's jobs
(:func:`preflight_jobs`), and after each job it records the job's status in
``<sweep dir>/.servsim/progress`` and prints one progress line.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from servsim import outputs
from servsim.compose import Composer, expand_sweep, params_from_config
from servsim.params import ParameterError

PROG = "servsim"
EXIT_USAGE = 2
"""Exit status for invalid input (as argparse uses)."""


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

        Configs come from :class:`servsim.compose.Composer`: a sweep over seeds or
        levers composes once, not once per job.
        """
        from hydra.core.global_hydra import GlobalHydra

        if not GlobalHydra.instance().is_initialized():
            return
        compose = Composer(config, GlobalHydra.instance().config_loader())
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
