"""A ``servsim -m`` sweep: parameters checked up front, one writer, progress, its job list.

:class:`SweepProgress` is the Hydra callback that ``hydra/default.yaml``
installs.  Before the first job it checks the parameters of the sweep's jobs
(:func:`preflight_jobs`), takes the sweep directory's lock (:class:`SweepLock`:
one sweep writes into a directory at a time) and records the job list in
``<sweep dir>/.servsim/sweep.json`` (so ``servsim-collect`` can tell jobs that
never ran).  Each job, in its own process, watches the sweep's process and
exits if it dies (:func:`watch_owner`); after each job the callback records the
job's status in ``<sweep dir>/.servsim/progress`` and prints one progress line.
At the end, a sweep with failed runs exits with status 1 and one line saying so.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
import threading
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
EXIT_RUNS_FAILED = 1
"""Exit status of a sweep in which runs failed."""

STATE_DIR = ".servsim"
LOCK_FILE = "lock"
SWEEP_FILE = "sweep.json"
PROGRESS_FILE = "progress"
WATCH_SECONDS = 0.5
"""How often a job's process checks that the sweep's process is alive."""


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
    before any simulation with ``servsim: error: ...`` and exit status 2.  It
    then takes the directory's :class:`SweepLock` (a second sweep into the same
    directory stops there, with one line) and writes ``sweep.json``.
    ``on_job_start`` and ``on_job_end`` run in the job's process, whatever the
    launcher: the first starts :func:`watch_owner`, the second appends the
    job's status to ``<sweep dir>/.servsim/progress`` and prints one progress
    line (done / total, elapsed, ETA) on stderr; the sweep's end prints the
    totals and the ``servsim-collect`` command, and exits with status 1 and one
    line when runs failed.
    """

    def __init__(self, preflight: bool = True, full_check_max_jobs: int = 64) -> None:
        self.preflight = preflight
        self.full_check_max_jobs = full_check_max_jobs

    @staticmethod
    def _state_dir(config: DictConfig) -> Path:
        return Path(str(config.hydra.sweep.dir)) / STATE_DIR

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Validate the sweep's parameters, take the directory's lock, record the job list."""
        problem = remote_sweep_dir_problem(config)
        if problem:
            print(f"{PROG}: error: {problem}", file=sys.stderr)
            raise SystemExit(EXIT_USAGE)
        jobs = expand_sweep(config)
        if self.preflight and jobs:
            self._check_jobs(config, preflight_jobs(jobs, self.full_check_max_jobs))
        sweep_dir = Path(str(config.hydra.sweep.dir))
        lock = SweepLock(sweep_dir)
        try:
            lock.acquire()
        except SweepLocked as ex:
            print(f"{PROG}: error: {ex}", file=sys.stderr)
            raise SystemExit(EXIT_USAGE) from None
        global ACTIVE
        ACTIVE = ActiveSweep(sweep_dir, None if jobs is None else len(jobs), lock)
        arm_interrupt()
        state = sweep_dir / STATE_DIR
        outputs.write_json(state / SWEEP_FILE, {
            "total": None if jobs is None else len(jobs),
            "jobs": jobs,
            "started": time.time(),
            "owner": {"pid": os.getpid(), "host": socket.gethostname()},
        })
        outputs.write_text(state / PROGRESS_FILE, "")

    def on_job_start(self, config: DictConfig, **kwargs: Any) -> None:
        """In a job's own process, exit if the sweep's process dies (no orphans)."""
        check_interrupted()  # a Ctrl-C whose KeyboardInterrupt was swallowed stops here
        if OmegaConf.select(config, "hydra.mode") != RunMode.MULTIRUN:
            return
        owner = read_sweep(Path(str(config.hydra.sweep.dir))).get("owner") or {}
        pid = owner.get("pid")
        if isinstance(pid, int) and owner.get("host") == socket.gethostname():
            watch_owner(pid)

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
        try:
            self._record_job_end(config, job_return)
        finally:
            check_interrupted()  # after the job's status is recorded: it counts as done

    def _record_job_end(self, config: DictConfig, job_return: Any) -> None:
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
            with open(state / PROGRESS_FILE, "a", encoding="utf-8") as f:
                f.write(line + "\n")  # one small append per job: atomic on POSIX
            done = _read_progress(state)
            meta = json.loads((state / SWEEP_FILE).read_text(encoding="utf-8"))
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
        """Print the sweep's totals; exit with status 1 and one line if runs failed."""
        check_interrupted()  # never "sweep finished" after a Ctrl-C
        state = self._state_dir(config)
        done = _read_progress(state)
        counts = {s: done.count(s) for s in dict.fromkeys(done)}
        text = ", ".join(f"{n} {s}" for s, n in counts.items()) or "no runs"
        sweep_dir = Path(str(config.hydra.sweep.dir))
        release()
        print(f"{PROG}: sweep finished ({text}) in {sweep_dir}", file=sys.stderr)
        print(f"  gather it: servsim-collect {sweep_dir}", file=sys.stderr, flush=True)
        failed = [job for job, status in _read_progress(state, jobs=True)
                  if status in (outputs.STATUS_ERROR, "failed")]
        if failed:
            total = read_sweep(sweep_dir).get("total") or len(done)
            print(f"{PROG}: {len(failed)} of {total} runs failed: see "
                  f"{sweep_dir / str(failed[0]) / 'servsim.log'} (servsim-collect {sweep_dir} "
                  "lists them all)", file=sys.stderr, flush=True)
            raise SystemExit(EXIT_RUNS_FAILED)


def _read_progress(state: Path, jobs: bool = False) -> list:
    """Statuses recorded in ``progress`` in order (``jobs``: as (job number, status) pairs)."""
    try:
        lines = (state / PROGRESS_FILE).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        try:
            entry = json.loads(line)
            out.append((entry.get("job"), str(entry["status"])) if jobs
                       else str(entry["status"]))
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
    return out


def read_sweep(sweep_dir: str | Path) -> dict[str, Any]:
    """The sweep's record (``.servsim/sweep.json``: total, jobs, start, owner); {} if none."""
    try:
        data = json.loads((Path(sweep_dir) / STATE_DIR / SWEEP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


# --------------------------------------------------------------------------- one writer


class SweepLocked(RuntimeError):
    """Another live process holds the sweep directory's lock."""


class SweepLock:
    """An exclusive OS lock (``flock``) on ``<sweep dir>/.servsim/lock``.

    The kernel releases it when the holding process ends, however it ends, so
    a killed sweep never leaves a stale lock; the file's text (pid, host, start
    time) only serves the message of a sweep that is refused.
    """

    def __init__(self, sweep_dir: str | Path) -> None:
        self.path = Path(sweep_dir) / STATE_DIR / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`SweepLocked` naming its holder."""
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = ""
            with contextlib.suppress(OSError):
                holder = os.read(fd, 200).decode("utf-8", "replace").strip()
            os.close(fd)
            sweep_dir = self.path.parent.parent
            raise SweepLocked(
                f"another sweep ({holder or 'a running process'}) is writing to {sweep_dir}; "
                "wait for it to finish or choose another hydra.sweep.dir") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()} since "
                     f"{time.strftime('%Y-%m-%d %H:%M:%S')}".encode())
        self._fd = fd

    def release(self) -> None:
        """Release the lock (also done by the kernel when the process ends)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


class ActiveSweep:
    """The sweep this process is running: its directory, size and lock."""

    def __init__(self, sweep_dir: Path, total: int | None, lock: SweepLock) -> None:
        self.sweep_dir = sweep_dir
        self.total = total
        self.lock = lock

    def complete_runs(self) -> int:
        """Runs of this sweep done so far (ok or kept from an earlier attempt)."""
        done = _read_progress(self.sweep_dir / STATE_DIR)
        return sum(1 for s in done if s in (outputs.STATUS_OK, "resumed"))


ACTIVE: ActiveSweep | None = None
"""The sweep started by this process (set by ``on_multirun_start``), for the interrupt line."""


def release() -> None:
    """Release this process's sweep lock, if it holds one (and its Ctrl-C handler)."""
    global ACTIVE
    disarm_interrupt()
    if ACTIVE is not None:
        ACTIVE.lock.release()
        ACTIVE = None


# --------------------------------------------------------------------------- Ctrl-C

_interrupted = False
_previous_sigint: Any = None
_armed = False


def _on_sigint(signum: int, frame: Any) -> None:
    global _interrupted
    _interrupted = True
    raise KeyboardInterrupt


def arm_interrupt() -> bool:
    """Remember a Ctrl-C in the sweep's process, so that it stops the sweep even if swallowed.

    Python turns SIGINT into a ``KeyboardInterrupt`` wherever the main thread
    happens to be, which may be a finaliser (``__del__``, a weakref callback:
    "Exception ignored in ...") or a library's ``except BaseException``: the
    interrupt would then be lost and the sweep go on.  This handler raises it
    the same way and records it; :func:`check_interrupted`, at each job's start
    and end and at the sweep's end, raises it again.  Installed only over
    Python's default handler: an ignored SIGINT (a process started in the
    background by a non-interactive shell inherits ``SIG_IGN``, which POSIX
    programs keep) or an application's own handler is left alone.  Returns
    True when installed.
    """
    global _previous_sigint, _armed, _interrupted
    if _armed or threading.current_thread() is not threading.main_thread():
        return False
    current = signal.getsignal(signal.SIGINT)
    if current is not signal.default_int_handler:
        return False
    _interrupted = False
    _previous_sigint = signal.signal(signal.SIGINT, _on_sigint)
    _armed = True
    return True


def check_interrupted() -> None:
    """Raise ``KeyboardInterrupt`` if this process received a Ctrl-C during the sweep."""
    if _interrupted:
        raise KeyboardInterrupt


def disarm_interrupt() -> None:
    """Put back the SIGINT handler :func:`arm_interrupt` replaced; forget a recorded Ctrl-C."""
    global _previous_sigint, _armed, _interrupted
    if _armed and threading.current_thread() is threading.main_thread():
        with contextlib.suppress(ValueError, TypeError):
            signal.signal(signal.SIGINT, _previous_sigint)
        _armed = False
        _previous_sigint = None
    _interrupted = False


def interrupted_line(sweep: ActiveSweep) -> str:
    """The one line Ctrl-C on a sweep prints: how far it got and how to resume it."""
    total = "?" if sweep.total is None else str(sweep.total)
    return (f"{PROG}: interrupted: {sweep.complete_runs()} of {total} runs complete; run the "
            f"same command with hydra.sweep.dir={sweep.sweep_dir} to resume")


# --------------------------------------------------------------------------- no orphans

_watching: set[int] = set()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def watch_owner(owner_pid: int, interval: float = WATCH_SECONDS) -> bool:
    """Exit this process soon after the sweep's process ``owner_pid`` ends.

    A daemon thread checks every ``interval`` seconds that the parent process
    is still the one this job started under and that ``owner_pid`` lives (a
    killed parent leaves its children to init, which changes their parent even
    while the dead one is still a zombie).  Returns False (and watches nothing)
    in the sweep's own process.  One watcher per process (workers run many jobs).
    """
    if owner_pid == os.getpid() or owner_pid in _watching:
        return False
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent or not _alive(owner_pid):
                os._exit(EXIT_RUNS_FAILED)

    _watching.add(owner_pid)
    threading.Thread(target=watch, name="servsim-owner-watch", daemon=True).start()
    return True
