"""Warm batch evaluation: many small runs in long-lived workers.

A servsim worker pays its start-up once — the imports and loading the engine's
compiled kernels take 2–3 s on a quiet machine and far more on a loaded one —
and then evaluates design points for as long as the design lasts.  Three
evaluators share one interface (:class:`Evaluator`):

- :class:`SerialEvaluator`: in this process (``workers=1``; tests, debugging);
- :class:`ProcessEvaluator`: a :class:`concurrent.futures.ProcessPoolExecutor`
  on one machine whose initializer imports servsim and runs a tiny simulation,
  so every kernel is loaded before the first task.  Workers start with the
  ``forkserver`` method (``spawn`` where it is missing), never ``fork``: a
  forked copy of a process that holds threads (tqdm's monitor, a Ray or Optuna
  client, numba's threading layer) can deadlock;
- :class:`RayEvaluator`: the same on a Ray cluster, one warm actor per worker
  (``ray`` is an optional dependency: ``pip install 'servsim[ray]'``).

A task is ``(key, kwargs)``: the model function (``"module:function"``, the same
for the whole batch) is called as ``function(**kwargs)``.  Every task carries its
own seed in ``kwargs``, so the results do not depend on the number of workers or
on the order in which they finish.  :meth:`Evaluator.imap` yields
``(key, outcomes)`` as tasks finish; the commands store each result at once, so an
interrupted design loses at most the runs in flight.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from servsim.decide.model import MODEL_FUNCTION

Task = tuple[Hashable, dict[str, Any]]
"""``(key, kwargs)``: the key comes back with the outcomes."""

WARM_RUN = {"sim.n_customers": 300, "sim.days": 3, "seed": 0}
"""The tiny run a servsim worker makes at start-up so every compiled kernel is loaded."""

_functions: dict[str, Callable[..., dict]] = {}


def resolve(name: str) -> Callable[..., dict]:
    """Return the model function named ``"module:function"`` (imported once per process)."""
    if name not in _functions:
        module, sep, attr = name.partition(":")
        if not sep or not module or not attr:
            raise ValueError(f"model function {name!r}: expected 'module:function'")
        _functions[name] = getattr(importlib.import_module(module), attr)
    return _functions[name]


def warm_up(function: str) -> None:
    """Import the model function and, for servsim's own, run :data:`WARM_RUN` once."""
    fn = resolve(function)
    if function == MODEL_FUNCTION:
        fn(**WARM_RUN)


def is_warm(function: str) -> bool:
    """Tell whether this process has warmed up the model function (imported it)."""
    return function in _functions


def _evaluate_chunk(function: str, chunk: list[Task]) -> list[tuple[Hashable, dict]]:
    fn = resolve(function)
    return [(key, {k: float(v) for k, v in fn(**kwargs).items()}) for key, kwargs in chunk]


def _chunks(tasks: Iterable[Task], size: int) -> Iterator[list[Task]]:
    chunk: list[Task] = []
    for task in tasks:
        chunk.append(task)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Evaluator:
    """Evaluate tasks with one model function; a context manager that closes its workers.

    Parameters
    ----------
    function
        The model function, ``"module:function"``.
    workers
        Number of worker processes (actors).
    chunksize
        Tasks sent to a worker at once (1 for simulations; more for cheap functions).
    """

    def __init__(self, function: str = MODEL_FUNCTION, workers: int = 1, chunksize: int = 1):
        if workers < 1:
            raise ValueError(f"workers={workers}: need at least 1")
        if chunksize < 1:
            raise ValueError(f"chunksize={chunksize}: need at least 1")
        self.function = function
        self.workers = workers
        self.chunksize = chunksize

    def start(self) -> Evaluator:
        """Start and warm every worker; return once all are ready."""
        return self

    def imap(self, tasks: Iterable[Task]) -> Iterator[tuple[Hashable, dict]]:
        """Yield ``(key, outcomes)`` for every task, in the order they finish."""
        raise NotImplementedError

    def map(self, tasks: Iterable[Task]) -> dict[Hashable, dict]:
        """All outcomes, by key."""
        return dict(self.imap(tasks))

    def close(self) -> None:
        """Stop the workers."""

    def __enter__(self) -> Evaluator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


class SerialEvaluator(Evaluator):
    """Evaluate in this process (warmed on :meth:`start` like a worker)."""

    def start(self) -> SerialEvaluator:
        """Warm the model function in this process (once)."""
        if not getattr(self, "_warm", False):
            warm_up(self.function)
            self._warm = True
        return self

    def imap(self, tasks: Iterable[Task]) -> Iterator[tuple[Hashable, dict]]:
        """Evaluate one task after the other."""
        for chunk in _chunks(tasks, self.chunksize):
            yield from _evaluate_chunk(self.function, chunk)


def _process_start_method() -> str:
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"


def _warm_worker(function: str, all_warm: Any) -> None:
    """Pool initializer: warm up, then wait until every worker of the pool is warm."""
    warm_up(function)
    try:
        all_warm.wait(timeout=3600)
    except threading.BrokenBarrierError:  # a worker failed to start: its error surfaces
        pass


def _ready() -> int:
    return os.getpid()


class ProcessEvaluator(Evaluator):
    """Long-lived worker processes on this machine, warmed by their initializer."""

    def __init__(self, function: str = MODEL_FUNCTION, workers: int = 2, chunksize: int = 1):
        super().__init__(function, workers, chunksize)
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> ProcessEvaluator:
        """Start the pool and wait until every worker has warmed up."""
        if self._pool is None:
            context = multiprocessing.get_context(_process_start_method())
            all_warm = context.Barrier(self.workers)
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context,
                                             initializer=_warm_worker,
                                             initargs=(self.function, all_warm))
            # the pool starts a process per submitted call while none is idle, so one
            # call per worker starts them all; each answers once all have warmed up
            for future in [self._pool.submit(_ready) for _ in range(self.workers)]:
                future.result()
        return self

    def imap(self, tasks: Iterable[Task]) -> Iterator[tuple[Hashable, dict]]:
        """Keep two chunks per worker in flight; yield results as they finish."""
        self.start()
        assert self._pool is not None
        pending: set[Future] = set()
        chunks = _chunks(tasks, self.chunksize)
        limit = 2 * self.workers
        try:
            for chunk in chunks:
                pending.add(self._pool.submit(_evaluate_chunk, self.function, chunk))
                if len(pending) >= limit:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        yield from future.result()
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield from future.result()
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        """Shut the pool down (running tasks finish, queued ones are cancelled)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class _RayWorker:
    """The body of a Ray actor: warmed once, then evaluates chunks."""

    def __init__(self, function: str) -> None:
        self.function = function
        warm_up(function)

    def ready(self) -> int:
        return os.getpid()

    def evaluate(self, chunk: list[Task]) -> list[tuple[Hashable, dict]]:
        return _evaluate_chunk(self.function, chunk)


class RayEvaluator(Evaluator):
    """Warm Ray actors, one per worker, on a running cluster (``address``) or a local Ray.

    Parameters
    ----------
    address
        A running cluster's address (``"127.0.0.1:6379"``, ``"auto"``); None starts
        a local Ray with ``workers`` CPUs (when Ray is not initialised already).
    """

    def __init__(self, function: str = MODEL_FUNCTION, workers: int = 2, chunksize: int = 1,
                 address: str | None = None):
        super().__init__(function, workers, chunksize)
        self.address = address
        self._actors: list[Any] = []
        self._started_ray = False

    @staticmethod
    def _ray():
        try:
            import ray
        except ImportError:
            raise ImportError("backend=ray needs Ray: pip install 'servsim[ray]' "
                              "(or use backend=process)") from None
        return ray

    def start(self) -> RayEvaluator:
        """Connect to (or start) Ray, create the actors and wait until each is warm."""
        if self._actors:
            return self
        ray = self._ray()
        if not ray.is_initialized():
            if self.address:
                ray.init(address=self.address, log_to_driver=False)
            else:
                ray.init(num_cpus=self.workers, include_dashboard=False, log_to_driver=False)
            self._started_ray = True
        actor = ray.remote(num_cpus=1)(_RayWorker)
        self._actors = [actor.remote(self.function) for _ in range(self.workers)]
        ray.get([a.ready.remote() for a in self._actors])
        return self

    def imap(self, tasks: Iterable[Task]) -> Iterator[tuple[Hashable, dict]]:
        """Two chunks in flight per actor; yield results as they finish."""
        self.start()
        ray = self._ray()
        chunks = _chunks(tasks, self.chunksize)
        idle = deque(self._actors * 2)
        owner: dict[Any, Any] = {}
        try:
            while True:
                while idle:
                    chunk = next(chunks, None)
                    if chunk is None:
                        break
                    actor = idle.popleft()
                    owner[actor.evaluate.remote(chunk)] = actor
                if not owner:
                    return
                done, _ = ray.wait(list(owner), num_returns=1)
                for ref in done:
                    idle.append(owner.pop(ref))
                    yield from ray.get(ref)
        finally:
            for ref in owner:
                ray.cancel(ref)

    def close(self) -> None:
        """Kill the actors (and shut down a Ray this evaluator started)."""
        if not self._actors and not self._started_ray:
            return
        ray = self._ray()
        for actor in self._actors:
            ray.kill(actor)
        self._actors = []
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False


BACKENDS = ("process", "ray", "serial")


def make_evaluator(function: str = MODEL_FUNCTION, workers: int = 1, backend: str = "process",
                   chunksize: int = 1, address: str | None = None) -> Evaluator:
    """Return the evaluator for these settings (``process`` with 1 worker: this process).

    Raises
    ------
    ValueError
        For an unknown backend, naming the allowed ones.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend={backend!r}: allowed {', '.join(BACKENDS)}")
    if backend == "ray":
        return RayEvaluator(function, workers, chunksize, address)
    if backend == "serial" or workers == 1:
        return SerialEvaluator(function, 1, chunksize)
    return ProcessEvaluator(function, workers, chunksize)
