"""``make bench``: servsim's speed and memory, measured side by side in one process.

Usage::

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/run.py            # full, ~15-30 min
    .venv/bin/python benchmarks/run.py --quick                      # tiny sizes (CI smoke)
    .venv/bin/python benchmarks/run.py --only A,C --out /tmp/r.md   # some sections

Prints one ratio line per goal and writes ``benchmarks/RESULTS.md`` (``--out``)
with the date, the machine, Python / numpy / scipy / Mesa versions, every
measurement and, where a goal is missed, the profile of the hot spots.

Every timing is the fastest of several repetitions, on one core (the Makefile
sets ``OMP_NUM_THREADS=1`` etc.), engine and comparison measured in the same
process.  Single-process timings use the CPU time of the process
(``time.process_time``, one thread): on a shared machine it leaves out the
time the process waited for a core, which wall time does not (``--clock wall``
switches to ``time.perf_counter``).  The sweep (F) is timed by the wall clock.

The scenario throughout is the ``single_firm`` market with the default
strategy (:func:`reference_model.scenario`): two segments, 30% of the
population are customers at day 0, a small-world network of mean degree 10.

A  engine vs the one-object-per-agent Mesa reference (reference_model.py),
   100,000 customers x 30 days: time of the 30 steps (build excluded; build
   and end-to-end reported too).  Goal >= 100x.
B  engine time per day at 1,000,000 customers vs an in-process floor: one
   numpy read+write pass over every column of ``model.customers`` (servsim.state
   Customers) plus the same random variates the engine draws in a day
   (counted on one more day by wrapping the model's Generator and, for the
   compiled kernels, its bit generator), drawn in one call per (method,
   dtype).  Goal <= 3x.
C  ``ServiceMarket.word_of_mouth_step`` vs a scipy CSR mat-vec ``W @ x`` over
   the same graph (x one float32 vector).  The step multiplies W by an
   (n x 2F) float32 message matrix; that product, and 2F separate mat-vecs,
   are reported too.  Goal <= 2x.
D  engine time per customer-day at 10^4, 10^5, 10^6 customers (fastest day
   after warm-up).  Goal: each within +-25% of the median of the three.
E  peak memory per customer at 10^6 customers, network included: build and 5
   days in a fresh subprocess; tracemalloc peak (every numpy and Python
   allocation) and the growth of the peak resident set (VmHWM) over the
   post-import baseline; the larger of the two counts.  Goal <= 250 bytes.
F  a sweep of 40 runs (100,000 customers, 365 days) through the Hydra CLI
   ``servsim -m``: joblib launcher with 2 processes vs the basic (sequential,
   1 process) launcher.  Parallel efficiency = T1 / (2 T2), goal >= 0.85; and
   runs per hour.  Falls back to joblib calling ``servsim.simulate`` directly
   (and says so) if the CLI does not work.
build  model build time at 10^6 customers (network included) vs the time of
   30 simulated days.  Goal: build < 30 days.
G  the warm batch evaluator of ``servsim sensitivity|explore|optimize``
   (servsim.decide.evaluator): evaluations per hour of Company A runs of 2,000
   customers x 730 days on a pool of 2 warm worker processes vs twice the
   engine's pure in-process rate (the same model function called in a loop in
   this process, after a warm-up run).  Wall time; the pool's start-up (imports,
   loading the compiled kernels, one tiny run per worker) is reported apart and
   paid once per design.  Goal >= 0.85.
H  the per-customer event log (``sim.record_events = 1``, issue 16): a day of the
   B scenario at 100,000 customers with it against without it, and the events a
   day and their bytes.  Reported, no goal (the other sections run with it off).
"""

from __future__ import annotations

import argparse
import cProfile
import ctypes
import datetime as _dt
import gc
import io
import json
import math
import os
import platform
import pstats
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import mesa  # noqa: E402
import scipy  # noqa: E402

from reference_model import ReferenceMarket, scenario  # noqa: E402
from servsim.model import ServiceMarket  # noqa: E402

FULL = {
    "A_n": 100_000, "A_days": 30, "A_reps_engine": 3, "A_reps_ref": 2,
    "B_n": 1_000_000, "B_days": 8, "B_warmup": 3, "floor_reps": 5,
    "C_reps": 5,
    "D_sizes": (10_000, 100_000, 1_000_000), "D_days": 10, "D_warmup": 3,
    "E_n": 1_000_000, "E_days": 5,
    "F_runs": 40, "F_reps": 3, "F_n": 100_000, "F_days": 365,
    "build_reps": 2,
    "profile_days": 3,
    "G_runs": 12, "G_reps": 2, "G_n": 2_000, "G_days": 730,
    "H_n": 100_000, "H_days": 10, "H_warmup": 3,
}
QUICK = {
    "A_n": 1_000, "A_days": 3, "A_reps_engine": 1, "A_reps_ref": 1,
    "B_n": 10_000, "B_days": 2, "B_warmup": 1, "floor_reps": 2,
    "C_reps": 2,
    "D_sizes": (1_000, 3_000, 10_000), "D_days": 2, "D_warmup": 1,
    "E_n": 10_000, "E_days": 2,
    "F_runs": 2, "F_reps": 1, "F_n": 1_000, "F_days": 10,
    "build_reps": 1,
    "profile_days": 1,
    "G_runs": 2, "G_reps": 1, "G_n": 300, "G_days": 20,
    "H_n": 2_000, "H_days": 2, "H_warmup": 1,
}

CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}
_clock = [time.process_time]


def clock() -> float:
    """The timing clock: CPU time of this process (default) or wall time (``--clock wall``)."""
    return _clock[0]()


GOALS = {"A": 100.0, "B": 3.0, "C": 2.0, "D": 0.25, "E": 250.0, "F": 0.85, "G": 0.85}


def params(n: int, days: int = 30, seed: int = 0):
    return scenario(**{"sim.n_customers": n, "sim.days": days, "sim.seed": seed})


def fmt_s(t: float) -> str:
    return f"{t * 1e3:.1f} ms" if t < 1 else f"{t:.2f} s"


def ok(flag: bool) -> str:
    return "MET" if flag else "MISSED"


# --------------------------------------------------------------------------- machine


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    threads = {k: os.environ.get(k, "unset") for k in
               ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    return {
        "load": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
        "date": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "mesa": mesa.__version__,
        "threads": ", ".join(f"{k}={v}" for k, v in threads.items()),
    }


# --------------------------------------------------------------------------- helpers


class _BitGen(ctypes.Structure):
    """numpy's ``bitgen_t`` (numpy/random/bitgen.h)."""

    _fields_ = [("state", ctypes.c_void_p),
                ("next_uint64", ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_void_p)),
                ("next_uint32", ctypes.CFUNCTYPE(ctypes.c_uint32, ctypes.c_void_p)),
                ("next_double", ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_void_p)),
                ("next_raw", ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_void_p))]


class CountingGenerator:
    """Wraps a numpy Generator and counts the variates drawn, per (method, dtype).

    Draws through the Generator's methods are counted per call; the compiled kernels
    draw from the bit generator itself (``servsim.kernels.random``), so
    :attr:`bit_generator` hands them a ``bitgen_t`` whose functions count each draw
    (a uniform from ``next_double`` as ``random``/float64, one from ``next_uint32`` as
    ``random``/float32) and call the real ones: slow (a Python callback per draw), so
    a counted day is not a timed day.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self.counts: dict[tuple[str, str], int] = {}
        self.calls = 0
        real = rng.bit_generator.ctypes

        def counting(fn, key, kind):
            def call(_state):
                self.counts[key] = self.counts.get(key, 0) + 1
                return fn(real.state)
            return kind(call)

        fields = dict(_BitGen._fields_)
        self._callbacks = [  # kept alive as long as the struct
            counting(real.next_uint64, ("integers", "uint64"), fields["next_uint64"]),
            counting(real.next_uint32, ("random", "float32"), fields["next_uint32"]),
            counting(real.next_double, ("random", "float64"), fields["next_double"]),
            counting(real.next_uint64, ("integers", "uint64"), fields["next_raw"]),
        ]
        self._bitgen = _BitGen(real.state, *self._callbacks)
        address = ctypes.c_void_p(ctypes.addressof(self._bitgen))
        ctypes_view = type("ctypes", (), {"bit_generator": address})
        self.bit_generator = type("CountingBitGenerator", (), {"ctypes": ctypes_view})()

    def __getattr__(self, name):
        attr = getattr(self._rng, name)
        if not callable(attr) or name.startswith("_"):
            return attr

        def counted(*args, **kwargs):
            out = attr(*args, **kwargs)
            dtype = np.dtype(kwargs["dtype"] if "dtype" in kwargs else np.asarray(out).dtype).name
            key = (name, dtype)
            self.counts[key] = self.counts.get(key, 0) + int(np.size(out))
            self.calls += 1
            return out

        return counted

    def reset(self) -> None:
        self.counts = {}
        self.calls = 0


def draw_like(rng: np.random.Generator, counts: dict[tuple[str, str], int]) -> None:
    """Draw the same number of variates per (method, dtype), one call each."""
    for (name, dtype), k in counts.items():
        if k == 0:
            continue
        if name == "random":
            rng.random(k, dtype=np.dtype(dtype))
        elif name == "normal":
            rng.normal(0.0, 1.0, k)
        elif name == "binomial":
            rng.binomial(10, 0.1, k)
        elif name == "integers":
            rng.integers(0, 2**31 - 1, k)
        elif name == "lognormal":
            rng.lognormal(0.0, 1.0, k)
        elif name == "poisson":
            rng.poisson(1.0, k)
        else:  # any other method: a uniform per variate (counted, noted)
            rng.random(k)


def touch_columns(cols: list[np.ndarray]) -> None:
    """One read + write pass over each array, in place."""
    for a in cols:
        if a.dtype == np.bool_:
            np.logical_or(a, False, out=a)
        else:
            np.add(a, a.dtype.type(0), out=a)


def best_of(fn, reps: int) -> float:
    best = float("inf")
    for _ in range(reps):
        t = clock()
        fn()
        best = min(best, clock() - t)
    return best


def timed_days(model, days: int) -> list[float]:
    out = []
    for _ in range(days):
        t = clock()
        model.step()
        out.append(clock() - t)
    return out


PHASES = ("expectations_step", "needs_step", "encounters_step", "outcomes_step",
          "word_of_mouth_step", "choice_step", "books_step", "staff_step", "record")


def phase_profile(model, days: int) -> list[tuple[str, float]]:
    """Wall time per ``ServiceMarket`` phase over ``days`` steps (instance-level wrappers)."""
    totals = dict.fromkeys(PHASES, 0.0)

    def wrap(name):
        fn = getattr(model, name)

        def timed(*a, **k):
            t = clock()
            try:
                return fn(*a, **k)
            finally:
                totals[name] += clock() - t

        return timed

    for name in PHASES:
        setattr(model, name, wrap(name))
    t = clock()
    for _ in range(days):
        model.step()
    total = clock() - t
    for name in PHASES:
        delattr(model, name)
    rows = sorted(totals.items(), key=lambda kv: -kv[1])
    rows.append(("(step overhead, outside phases)", total - sum(totals.values())))
    return [(k, v / days) for k, v in rows], total / days


def cprofile_top(fn, n: int = 15, sort: str = "tottime") -> str:
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    buf = io.StringIO()
    st = pstats.Stats(prof, stream=buf)
    st.strip_dirs().sort_stats(sort).print_stats(n)
    lines = buf.getvalue().splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.strip().startswith("ncalls")), 0)
    return "\n".join(ln for ln in lines[start:] if ln.strip())


# --------------------------------------------------------------------------- sections


class Bench:
    def __init__(self, cfg: dict, quick: bool) -> None:
        self.cfg = cfg
        self.quick = quick
        self.lines: list[str] = []  # ratio lines (printed + in RESULTS.md)
        self.details: list[str] = []  # markdown body
        self.hot: list[str] = []  # hot-spot notes for missed goals
        self.models: dict[int, ServiceMarket] = {}
        self.results: dict = {}

    def say(self, line: str) -> None:
        print(line, flush=True)
        self.lines.append(line)

    def md(self, text: str) -> None:
        """Markdown: lines left-stripped, except inside code fences (dedented as a block)."""
        out, block, fenced = [], [], False
        for line in text.strip("\n").splitlines():
            if line.strip().startswith("```"):
                if fenced:
                    out.extend(textwrap.dedent("\n".join(block)).splitlines())
                    block = []
                out.append(line.strip())
                fenced = not fenced
            elif fenced:
                block.append(line)
            else:
                out.append(line.strip())
        self.details.append("\n".join(out))

    # A --------------------------------------------------------------------
    def section_a(self) -> None:
        c = self.cfg
        n, days = c["A_n"], c["A_days"]
        p = params(n, days)
        eng_build = eng_run = ref_build = ref_run = float("inf")
        for _ in range(c["A_reps_engine"]):
            gc.collect()
            t = clock()
            m = ServiceMarket(p)
            t1 = clock()
            m.run(days)
            t2 = clock()
            eng_build, eng_run = min(eng_build, t1 - t), min(eng_run, t2 - t1)
            del m
        for _ in range(c["A_reps_ref"]):
            gc.collect()
            t = clock()
            r = ReferenceMarket(p)
            t1 = clock()
            r.run(days)
            t2 = clock()
            ref_build, ref_run = min(ref_build, t1 - t), min(ref_run, t2 - t1)
            del r
        gc.collect()
        ratio = ref_run / eng_run
        ratio_e2e = (ref_build + ref_run) / (eng_build + eng_run)
        self.results["A"] = {"ratio": ratio, "ratio_end_to_end": ratio_e2e}
        self.say(f"A  engine vs Mesa reference, {n:,} customers x {days} days: {ratio:.1f}x "
                 f"faster (goal >= {GOALS['A']:.0f}x: {ok(ratio >= GOALS['A'])}); "
                 f"with build {ratio_e2e:.1f}x")
        self.md(f"""
        ### A. Engine vs the one-object-per-agent Mesa reference

        {n:,} customers, {days} days, `single_firm` scenario, same `Params`; fastest of
        {c['A_reps_engine']} (engine) and {c['A_reps_ref']} (reference) repetitions, both
        measured at the full size and horizon (no extrapolation).

        | | build | {days} days | per day | per customer-day |
        |---|---|---|---|---|
        | engine (`ServiceMarket`) | {fmt_s(eng_build)} | {fmt_s(eng_run)} | {fmt_s(eng_run / days)} | {eng_run / days / n * 1e9:.0f} ns |
        | reference (`ReferenceMarket`) | {fmt_s(ref_build)} | {fmt_s(ref_run)} | {fmt_s(ref_run / days)} | {ref_run / days / n * 1e9:.0f} ns |
        | **ratio** | {ref_build / eng_build:.1f}x | **{ratio:.1f}x** | | |

        End to end (build + {days} days): {ratio_e2e:.1f}x.
        """)
        if ratio < GOALS["A"]:
            m = ServiceMarket(p)
            timed_days(m, 2)
            rows, per_day = phase_profile(m, 10)
            del m
            table = "\n".join(f"        | `{k}` | {v * 1e3:.2f} ms | {v / per_day * 100:.0f}% |"
                              for k, v in rows)
            self.md(f"""
            Where the engine's day goes at {n:,} customers (mean of 10 days after 2,
            {fmt_s(per_day)} a day):

            | phase (`ServiceMarket` method) | per day | share |
            |---|---|---|
{table}
            """)
            top = ", ".join(f"`{k}` {v / per_day * 100:.0f}%" for k, v in rows[:4])
            self.hot.append(f"A missed ({ratio:.1f}x < {GOALS['A']:.0f}x): the engine's day at "
                            f"{n:,} customers ({fmt_s(eng_run / days)}) goes to {top}.")

    # B --------------------------------------------------------------------
    def big_model(self) -> ServiceMarket:
        n = self.cfg["B_n"]
        if n not in self.models:
            builds = []
            m = None
            for _ in range(self.cfg["build_reps"]):
                m = None
                gc.collect()
                t = clock()
                m = ServiceMarket(params(n, 400))
                builds.append(clock() - t)
            self.results["build"] = min(builds)
            self.models[n] = m
        return self.models[n]

    def section_b(self) -> None:
        c = self.cfg
        m = self.big_model()
        n = m.n
        timed_days(m, c["B_warmup"])
        per_day = timed_days(m, c["B_days"])
        # the variates of a day, counted on one more (untimed) day
        real = m.rng
        counter = CountingGenerator(real)
        m.rng = counter
        m.step()
        m.rng = real
        counts = dict(counter.counts)
        cols = [getattr(m.customers, f) for f in m.customers._columns()]
        col_bytes = sum(a.nbytes for a in cols)
        floor_rng = np.random.default_rng(12345)
        t_cols = best_of(lambda: touch_columns(cols), c["floor_reps"])
        t_draws = best_of(lambda: draw_like(floor_rng, counts), c["floor_reps"])
        # the floor is timed between further days, so that both minima come from the
        # same minutes of a shared machine whose speed drifts
        t_floor = math.inf
        for _ in range(c["floor_reps"]):
            per_day += timed_days(m, 1)
            t_floor = min(t_floor, best_of(
                lambda: (touch_columns(cols), draw_like(floor_rng, counts)), 1))
        best = min(per_day)
        ratio = best / t_floor
        n_draws = sum(counts.values())
        self.results["B"] = {"ratio": ratio, "day": best, "floor": t_floor}
        self.results["day_1e6"] = best
        self.say(f"B  engine day vs floor, {n:,} customers: {ratio:.1f}x "
                 f"(goal <= {GOALS['B']:.0f}x: {ok(ratio <= GOALS['B'])}); "
                 f"day {fmt_s(best)}, floor {fmt_s(t_floor)}")
        draw_rows = "\n".join(f"        | `{k[0]}` ({k[1]}) | {v:,} |" for k, v in
                              sorted(counts.items(), key=lambda kv: -kv[1]))
        self.md(f"""
        ### B. Engine day vs the in-process floor

        {n:,} customers after {c['B_warmup']} warm-up days; the fastest of
        {len(per_day)} consecutive days: **{fmt_s(best)}** (mean
        {fmt_s(float(np.mean(per_day)))}).

        Floor (fastest of {c['floor_reps']}, each timed right after one of the last
        {c['floor_reps']} days): one in-place read+write pass over the
        {len(cols)} columns of `model.customers` ({col_bytes / n:.0f} bytes per customer,
        {col_bytes / 1e6:.0f} MB: {fmt_s(t_cols)}) plus the {n_draws:,} variates the engine
        drew on one more, untimed day ({counter_calls(counter)}), drawn in one call per kind
        ({fmt_s(t_draws)}): **{fmt_s(t_floor)}**.  The network (read by word of mouth,
        section C) is not part of the floor.

        | variates drawn on the counted day | count |
        |---|---|
{draw_rows}

        Ratio: **{ratio:.1f}x** (goal <= {GOALS['B']:.0f}x).
        """)
        self.profile_big(m)
        if ratio > GOALS["B"]:
            top = ", ".join(f"`{k}` {v / sum(x for _, x in self.results['profile']) * 100:.0f}%"
                            for k, v in self.results["profile"][:4])
            self.hot.append(f"B missed ({ratio:.1f}x > {GOALS['B']:.0f}x): a day at {n:,} "
                            f"customers goes to {top} (per-phase table and cProfile in B).")

    def profile_big(self, m: ServiceMarket) -> None:
        if "profile" in self.results:
            return
        days = self.cfg["profile_days"]
        rows, per_day = phase_profile(m, days)
        self.results["profile"] = rows
        table = "\n".join(f"        | `{k}` | {v * 1e3:.1f} ms | {v / per_day * 100:.0f}% |"
                          for k, v in rows)
        top = cprofile_top(lambda: [m.step() for _ in range(days)], 18)
        self.md(f"""
        #### Where a day goes at {m.n:,} customers (mean of {days} days, {fmt_s(per_day)} a day)

        | phase (`ServiceMarket` method) | per day | share |
        |---|---|---|
{table}

        cProfile of {days} days, top functions by own time:

        ```
{textwrap.indent(top, '        ')}
        ```
        """)

    # C --------------------------------------------------------------------
    def section_c(self) -> None:
        c = self.cfg
        m = self.big_model()
        n, F = m.n, m.n_firms
        W = m.network.weights
        t_wom = best_of(m.word_of_mouth_step, c["C_reps"])
        rng = np.random.default_rng(1)
        # one message per talker: 2% speak well of firm 0, 0.5% ill (one-hot rows)
        u = rng.random(n)
        talkers = np.flatnonzero(u < 0.025)
        category = (u[talkers] >= 0.02).astype(np.int64) * F
        X = np.zeros((n, 2 * F), dtype=np.float32)
        X[talkers, category] = 1.0
        x = np.ascontiguousarray(X[:, 0])
        cols = [np.ascontiguousarray(X[:, j]) for j in range(2 * F)]
        t_mv = best_of(lambda: W @ x, c["C_reps"])
        t_mm = best_of(lambda: W @ X, c["C_reps"])
        t_cols = best_of(lambda: [W @ v for v in cols], c["C_reps"])
        net = m.network
        t_scatter = best_of(lambda: net.share_of_ties(talkers, category, 2 * F), c["C_reps"])
        exact = bool(np.allclose(net.share_of_ties(talkers, category, 2 * F), W @ X, atol=1e-6))
        ratio = t_wom / t_mv
        self.results["C"] = {"ratio": ratio, "ratio_matmat": t_wom / t_mm}
        self.say(f"C  word-of-mouth step vs CSR mat-vec, {n:,} customers: {ratio:.1f}x "
                 f"(goal <= {GOALS['C']:.0f}x: {ok(ratio <= GOALS['C'])}); "
                 f"vs W @ X with X n x {2 * F}: {t_wom / t_mm:.1f}x")
        top = cprofile_top(lambda: [m.word_of_mouth_step() for _ in range(3)], 10)
        self.md(f"""
        ### C. Word of mouth vs a scipy CSR mat-vec over the same graph

        {n:,} customers, {m.network.n_edges:,} ties ({W.nnz:,} stored entries,
        {W.data.dtype} weights, {W.indices.dtype} indices); fastest of {c['C_reps']}.

        | | time |
        |---|---|
        | `ServiceMarket.word_of_mouth_step()` | {fmt_s(t_wom)} |
        | `W @ x`, x one float32 vector (the mat-vec) | {fmt_s(t_mv)} |
        | `W @ X`, X ({n:,} x {2 * F}) float32, as the step multiplies it | {fmt_s(t_mm)} |
        | `W @ X[:, j]` for each of the {2 * F} columns separately | {fmt_s(t_cols)} |
        | diagnostic: the same `W @ X` from the talkers' rows only (~{talkers.size / n * 100:.1f}% of customers; `Network.share_of_ties`, the step's scatter, dense n x {2 * F} output; {"equal to `W @ X`" if exact else "NOT equal"}) | {fmt_s(t_scatter)} |

        Ratio: **{ratio:.1f}x** against the mat-vec (goal <= {GOALS['C']:.0f}x);
        {t_wom / t_mm:.1f}x against `W @ X` as the step computes it.

        cProfile of 3 word-of-mouth steps (own time):

        ```
{textwrap.indent(top, '        ')}
        ```
        """)
        if ratio > GOALS["C"]:
            self.hot.append(
                f"C missed ({ratio:.1f}x): `W @ X` with X n x {2 * F} float32 (scipy "
                f"`csr_matvecs`) takes {fmt_s(t_mm)}, {t_mm / t_mv:.1f}x one mat-vec "
                f"({fmt_s(t_mv)}); {2 * F} separate mat-vecs take {fmt_s(t_cols)}; the same "
                f"product from the talkers' rows only takes {fmt_s(t_scatter)}; the rest of "
                f"the step {fmt_s(max(t_wom - t_mm, 0))}.")

    # D --------------------------------------------------------------------
    def section_d(self) -> None:
        c = self.cfg
        rows = []
        for n in c["D_sizes"]:
            if n == self.cfg["B_n"]:
                m = self.big_model()
            else:
                m = ServiceMarket(params(n, 400))
            timed_days(m, c["D_warmup"])
            days = timed_days(m, c["D_days"])
            best = min(days)
            rows.append((n, best, best / n * 1e9, float(np.mean(days)) / n * 1e9))
            if n != self.cfg["B_n"]:
                del m
        per = np.array([r[2] for r in rows])
        med = float(np.median(per))
        dev = float(np.max(np.abs(per / med - 1)))
        self.results["D"] = {"spread": dev, "ns": per.tolist()}
        self.say("D  time per customer-day at "
                 + ", ".join(f"{n:,}: {v:.0f} ns" for n, _, v, _ in rows)
                 + f": max deviation from median {dev * 100:.0f}% "
                 f"(goal <= {GOALS['D'] * 100:.0f}%: {ok(dev <= GOALS['D'])})")
        table = "\n".join(f"        | {n:,} | {fmt_s(b)} | {v:.0f} ns | {mu:.0f} ns | "
                          f"{(v / med - 1) * 100:+.0f}% |" for n, b, v, mu in rows)
        self.md(f"""
        ### D. Time per customer-day across sizes

        Fastest of {c['D_days']} days after {c['D_warmup']} warm-up days.

        | customers | day | per customer-day | (mean day) | vs median |
        |---|---|---|---|---|
{table}
        """)
        if dev > GOALS["D"]:
            small = rows[0][0]
            m = ServiceMarket(params(small, 400))
            timed_days(m, 2)
            prow, per_day = phase_profile(m, 20)
            self.hot.append(
                f"D missed ({dev * 100:.0f}%): a day at {small:,} customers ({fmt_s(per_day)}) "
                "carries a fixed cost that does not shrink with n: the Python glue between "
                "the compiled kernels, their calls, and Mesa's step; see the per-phase table "
                "in D."
            )
            table = "\n".join(f"        | `{k}` | {v * 1e6:.0f} us | {v / per_day * 100:.0f}% |"
                              for k, v in prow)
            self.md(f"""
            Per-phase time at {small:,} customers (mean of 20 days, {fmt_s(per_day)} a day):

            | phase | per day | share |
            |---|---|---|
{table}
            """)

    # E --------------------------------------------------------------------
    def section_e(self) -> None:
        c = self.cfg
        n, days = c["E_n"], c["E_days"]
        code = textwrap.dedent(f"""
            import json, sys, time, tracemalloc

            import numpy as np

            def hwm():  # peak resident set of this process (VmHWM; reset by exec, unlike
                # ru_maxrss, which a child inherits from a big parent)
                for line in open("/proc/self/status"):
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) * 1024
                return 0

            sys.path.insert(0, {str(HERE)!r})
            from reference_model import scenario
            from servsim.model import ServiceMarket
            mode = sys.argv[1]
            p = scenario(**{{"sim.n_customers": {n}, "sim.days": {days}}})
            out = {{}}
            if mode == "trace":
                tracemalloc.start()
            base = hwm()
            t = time.process_time()
            m = ServiceMarket(p)
            out["build_s"] = time.process_time() - t
            if mode == "trace":
                out["after_build_current"], out["build_peak"] = tracemalloc.get_traced_memory()
                tracemalloc.reset_peak()
            m.run({days})
            if mode == "trace":
                out["current"], out["run_peak"] = tracemalloc.get_traced_memory()
            else:
                out["rss_growth"] = hwm() - base
            out["customers_bytes"] = m.customers.nbytes
            out["network_bytes"] = m.network.nbytes
            out["wom_bytes"] = m._wom_pos.nbytes + m._wom_rows.nbytes
            out["records_bytes"] = m.records.nbytes
            print(json.dumps(out))
        """)
        runs = {}
        for mode in ("trace", "rss"):
            proc = subprocess.run([sys.executable, "-c", code, mode], capture_output=True,
                                  text=True, check=True)
            runs[mode] = json.loads(proc.stdout.strip().splitlines()[-1])
        res = {**runs["rss"], **runs["trace"]}
        peak_trace = max(res["build_peak"], res["run_peak"])
        rss_growth = runs["rss"]["rss_growth"]
        per_trace = peak_trace / n
        per_rss = rss_growth / n
        per = max(per_trace, per_rss)
        self.results["E"] = {"bytes": per, "trace": per_trace, "rss": per_rss}
        self.say(f"E  peak memory per customer at {n:,} (network included): {per:.0f} bytes "
                 f"(goal <= {GOALS['E']:.0f}: {ok(per <= GOALS['E'])}); "
                 f"tracemalloc {per_trace:.0f}, RSS growth {per_rss:.0f}")
        self.md(f"""
        ### E. Peak memory per customer

        {n:,} customers, build + {days} days, each measurement in a fresh subprocess.
        The reported figure is the larger of the two.

        | | bytes | per customer |
        |---|---|---|
        | tracemalloc peak during build | {res['build_peak'] / 1e6:.0f} MB | {res['build_peak'] / n:.0f} |
        | tracemalloc peak during {days} days | {res['run_peak'] / 1e6:.0f} MB | {res['run_peak'] / n:.0f} |
        | tracemalloc current after the run | {res['current'] / 1e6:.0f} MB | {res['current'] / n:.0f} |
        | peak RSS (VmHWM) growth over the post-import baseline | {rss_growth / 1e6:.0f} MB | {per_rss:.0f} |
        | of which: customer columns (`model.customers.nbytes`) | {res['customers_bytes'] / 1e6:.0f} MB | {res['customers_bytes'] / n:.0f} |
        | of which: network (`model.network.nbytes`) | {res['network_bytes'] / 1e6:.0f} MB | {res['network_bytes'] / n:.0f} |
        | of which: today's word of mouth (sparse `pos_in`) | {res['wom_bytes'] / 1e6:.0f} MB | {res['wom_bytes'] / n:.0f} |

        Build time in the RSS run: {fmt_s(runs['rss']['build_s'])}.
        """)
        if per > GOALS["E"]:
            phase = "build" if res["build_peak"] >= res["run_peak"] else "run"
            self.hot.append(f"E missed ({per:.0f} B/customer): the peak is in the {phase} "
                            f"(tracemalloc: build {res['build_peak'] / n:.0f}, "
                            f"run {res['run_peak'] / n:.0f} B/customer; peak RSS "
                            f"{per_rss:.0f}).")

    # F --------------------------------------------------------------------
    def section_f(self) -> None:
        c = self.cfg
        runs, n, days = c["F_runs"], c["F_n"], c["F_days"]
        servsim_cli = Path(sys.executable).parent / "servsim"
        tmp = Path(tempfile.mkdtemp(prefix="servsim-bench-"))
        note = ""
        seq: list[float] = []
        par: list[float] = []
        try:
            base = [str(servsim_cli), "-m", "market=single_firm",
                    f"sim.n_customers={n}", f"sim.days={days}", f"seed=range({runs})"]

            def sweep(extra: list[str], sub: str) -> float:
                t = time.perf_counter()
                subprocess.run(base + extra + [f"hydra.sweep.dir={tmp / sub}"], check=True,
                               capture_output=True, text=True, cwd=tmp)
                el = time.perf_counter() - t
                done = list((tmp / sub).glob("*/summary.json"))
                okay = sum(json.loads(f.read_text()).get("status", "ok") == "ok" for f in done)
                if okay != runs:
                    raise RuntimeError(f"{sub}: {okay} of {runs} runs ok")
                return el

            try:
                for rep in range(c["F_reps"]):  # alternating, fastest of each
                    seq.append(sweep([], f"seq{rep}"))
                    par.append(sweep(["hydra/launcher=parallel", "hydra.launcher.n_jobs=2"],
                                     f"par{rep}"))
                t1, t2 = min(seq), min(par)
                how = ("Hydra CLI: `servsim -m market=single_firm sim.n_customers=... "
                       f"seed='range({runs})'` with the basic launcher (1 process) and with "
                       "`hydra/launcher=parallel hydra.launcher.n_jobs=2` (joblib, 2 processes); "
                       "each run writes its outputs (steps.parquet, summary.json, figure).")
            except (OSError, subprocess.CalledProcessError, RuntimeError) as ex:
                note = (f"The Hydra CLI sweep failed ({type(ex).__name__}: "
                        f"{getattr(ex, 'stderr', '') or ex}); fell back to joblib calling "
                        "`servsim.simulate` directly.")
                t1, t2 = self.sweep_joblib(runs, n, days)
                how = "joblib `Parallel(n_jobs=k)` calling `servsim.simulate` (no outputs written)."
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        eff = t1 / (2 * t2)
        rph = runs / t2 * 3600
        self.results["F"] = {"efficiency": eff, "runs_per_hour": rph}
        if eff < GOALS["F"]:
            self.hot.append(f"F missed ({eff:.2f} < {GOALS['F']:.2f}): the serial part is "
                            "the launching process's start-up and config checks and each "
                            "joblib worker's imports (~2-3 s); the two processes share the L3 "
                            "cache and memory bandwidth of a shared 2-core VM, and any other "
                            "load on it (see the load average above) takes a core from them.")
        self.say(f"F  sweep of {runs} runs ({n:,} customers x {days} days) on 2 processes vs 1: "
                 f"parallel efficiency {eff:.2f} (goal >= {GOALS['F']:.2f}: "
                 f"{ok(eff >= GOALS['F'])}); {rph:.0f} runs per hour")
        self.md(f"""
        ### F. A sweep on 2 processes

        {runs} runs of {n:,} customers x {days} days (seeds 0..{runs - 1}). {how}
        Wall time, the fastest of {c["F_reps"]} sweeps of each kind, run alternately.
        {note}

        | | wall time | runs per hour |
        |---|---|---|
        | 1 process | {fmt_s(t1)} | {runs / t1 * 3600:.0f} |
        | 2 processes | {fmt_s(t2)} | {rph:.0f} |

        Parallel efficiency T1 / (2 T2) = **{eff:.2f}** (goal >= {GOALS['F']:.2f}).
        Every sweep, in order: 1 process {", ".join(fmt_s(t) for t in seq) or "-"};
        2 processes {", ".join(fmt_s(t) for t in par) or "-"}.
        """)

    @staticmethod
    def sweep_joblib(runs: int, n: int, days: int) -> tuple[float, float]:
        from joblib import Parallel, delayed

        from servsim import simulate

        def one(seed):
            return simulate(params(n, days, seed)).summary["seed"]

        out = []
        for jobs in (1, 2):
            t = time.perf_counter()
            Parallel(n_jobs=jobs, backend="loky")(delayed(one)(s) for s in range(runs))
            out.append(time.perf_counter() - t)
        return out[0], out[1]

    # build ------------------------------------------------------------------
    def section_build(self) -> None:
        m = self.big_model()
        build = self.results["build"]
        day = self.results.get("day_1e6")
        if day is None:
            timed_days(m, 2)
            day = min(timed_days(m, 3))
            self.results["day_1e6"] = day
        thirty = 30 * day
        self.results["build_vs_30days"] = build / thirty
        self.say(f"build  model build at {m.n:,} customers: {fmt_s(build)} vs 30 days "
                 f"{fmt_s(thirty)}: {build / thirty:.2f}x of 30 days "
                 f"(goal < 1x: {ok(build < thirty)})")
        body = f"""
        ### Model build at {m.n:,} customers

        `ServiceMarket(params)` including the network: **{fmt_s(build)}** (fastest of
        {self.cfg['build_reps']}); 30 simulated days at the fastest day of B take
        {fmt_s(thirty)}: build = {build / thirty:.2f}x the time of 30 days (goal < 1x).
        """
        p = params(m.n, 400)
        top = cprofile_top(lambda: ServiceMarket(p), 12, "tottime")
        body += f"""
        cProfile of one build, top functions by own time:

        ```
{textwrap.indent(top, '        ')}
        ```
        """
        if build >= thirty:
            first = next((ln for ln in top.splitlines()[1:] if ln.strip()), "").split()
            name = " ".join(first[5:]).strip("{}") if len(first) > 5 else ""
            where = f" (top own time: `{name}`, {first[1]} s under cProfile)" if name else ""
            self.hot.append(f"build missed ({fmt_s(build)} vs 30 days {fmt_s(thirty)})"
                            f"{where}: see the build profile.")
        self.md(body)


    # H ----------------------------------------------------------------------
    def section_h(self) -> None:
        """The per-customer event log's cost (issue 16: reported, no goal)."""
        from servsim.events import _COLS

        c = self.cfg
        n, days = c["H_n"], c["H_days"]
        off = ServiceMarket(params(n, 400))
        on = ServiceMarket(scenario(**{"sim.n_customers": n, "sim.days": 400, "sim.seed": 0,
                                       "sim.record_events": 1}))
        for m in (off, on):
            timed_days(m, c["H_warmup"])
        rows0 = len(on.events_log)
        t_off, t_on = [], []
        for _ in range(days):  # alternating, so both minima come from the same minutes
            t_off += timed_days(off, 1)
            t_on += timed_days(on, 1)
        rows = len(on.events_log) - rows0
        width = sum(np.dtype(dt).itemsize for _, dt in _COLS)
        ratio = min(t_on) / min(t_off)
        per_day = rows / days
        self.results["H"] = {"ratio": ratio, "events_per_day": per_day, "bytes_per_event": width}
        self.say(f"H  event log (sim.record_events=1) at {n:,} customers: a day costs "
                 f"{ratio:.2f}x the day without it ({fmt_s(min(t_on))} vs {fmt_s(min(t_off))}; "
                 f"reported, no goal); {per_day:,.0f} events a day, {width} bytes each "
                 f"({per_day * width / n:.2f} bytes per customer-day)")
        self.md(f"""
        ### H. The event log's cost

        The B scenario at {n:,} customers with and without `sim.record_events = 1`
        (every purchase, join, lapse, switch, failure and complaint kept in memory as
        {width}-byte rows), {c['H_warmup']} warm-up days each, then {days} days of each,
        alternating; fastest day: **{fmt_s(min(t_on))}** with the log against
        **{fmt_s(min(t_off))}** without: **{ratio:.2f}x** (issue 16 asks for it to be
        reported; no goal). The log grew by {per_day:,.0f} events a day,
        {per_day * width / 1e6:.2f} MB a day ({per_day * width / n:.2f} bytes per
        customer-day), before `events.parquet` is written.
        """)

    # G ----------------------------------------------------------------------
    def section_g(self) -> None:
        from servsim.decide.evaluator import ProcessEvaluator, SerialEvaluator

        c = self.cfg
        k, n, days = c["G_runs"], c["G_n"], c["G_days"]
        size = {"market": "company_a", "sim.n_customers": n, "sim.days": days}

        def tasks(count: int, offset: int) -> list:
            return [(s, {**size, "seed": s}) for s in range(offset, offset + count)]

        serial = SerialEvaluator().start()  # warm: imports and kernels loaded, one tiny run
        serial.map(tasks(1, 10_000))  # and this size composed once
        one: list[float] = []
        two: list[float] = []
        startup: list[float] = []
        for rep in range(c["G_reps"]):  # alternating, fastest of each
            t = time.perf_counter()
            serial.map(tasks(k, rep * 10 * k))
            one.append(time.perf_counter() - t)
            t = time.perf_counter()
            pool = ProcessEvaluator(workers=2).start()
            startup.append(time.perf_counter() - t)
            try:
                pool.map(tasks(1, 20_000 + rep))  # compose this size in each worker: ~0.1 s
                pool.map(tasks(1, 30_000 + rep))
                t = time.perf_counter()
                got = pool.map(tasks(2 * k, rep * 10 * k + 5 * k))
                two.append(time.perf_counter() - t)
            finally:
                pool.close()
            if len(got) != 2 * k:
                raise RuntimeError(f"G: {len(got)} of {2 * k} evaluations came back")
        rate1 = k / min(one) * 3600
        rate2 = 2 * k / min(two) * 3600
        eff = rate2 / (2 * rate1)
        with_start = 2 * k / (min(two) + min(startup)) * 3600
        self.results["G"] = {"efficiency": eff, "evaluations_per_hour": rate2,
                             "in_process_per_hour": rate1, "startup_s": min(startup)}
        if eff < GOALS["G"]:
            self.hot.append(f"G missed ({eff:.2f} < {GOALS['G']:.2f}): the two workers share "
                            "the L3 cache and memory bandwidth of a 2-core VM, and the "
                            "benchmark's own process and any other load on the machine (see "
                            "the load average above) take a core from them; the pool itself "
                            "adds one pickled task and one result dict per run.")
        self.say(f"G  warm evaluator, {n:,} customers x {days} days: 2 processes "
                 f"{rate2:.0f} evaluations/hour vs 2 x in-process {2 * rate1:.0f}: "
                 f"{eff:.2f} (goal >= {GOALS['G']:.2f}: {ok(eff >= GOALS['G'])}); "
                 f"pool start-up {fmt_s(min(startup))}")
        self.md(f"""
        ### G. The warm batch evaluator on 2 processes

        Company A (`market=company_a`, differentiated) runs of {n:,} customers x {days}
        days, one seed each, through `servsim.decide.evaluator`: {k} runs in this process
        (`SerialEvaluator`, warmed by a first run) vs {2 * k} runs on a `ProcessEvaluator`
        of 2 workers (forkserver processes warmed by their initializer: imports, compiled
        kernels, one tiny run; then one run of this size each).  Wall time, fastest of
        {c["G_reps"]} alternating repetitions.

        | | wall time | evaluations per hour |
        |---|---|---|
        | in-process, {k} runs | {fmt_s(min(one))} | {rate1:.0f} |
        | 2 warm processes, {2 * k} runs | {fmt_s(min(two))} | {rate2:.0f} |
        | 2 processes including the pool's start-up ({fmt_s(min(startup))}) | {fmt_s(min(two) + min(startup))} | {with_start:.0f} |

        Efficiency = rate(2 processes) / (2 x in-process rate) = **{eff:.2f}**
        (goal >= {GOALS['G']:.2f}).  Every repetition: in-process
        {", ".join(fmt_s(t) for t in one)}; 2 processes {", ".join(fmt_s(t) for t in two)};
        start-up {", ".join(fmt_s(t) for t in startup)}.
        """)


def counter_calls(counter: CountingGenerator) -> str:
    return (f"{counter.calls} Generator method calls, the rest drawn by the compiled kernels "
            "from its bit generator")


# --------------------------------------------------------------------------- main


def busy_note(info: dict) -> str:
    """A caution when other work shared the machine (load average at the start)."""
    load1 = float(info["load"].split(" / ")[0])
    cores = info["cores"] or 1
    if load1 <= 0.5 * cores:
        return ""
    return (f"**Caution: the machine was busy** (load average {load1:.1f} on {cores} cores at "
            "the start): CPU-time ratios (A-E) are affected only through shared caches and "
            "memory bandwidth, but the sweep's wall-clock parallel efficiency (F) mostly "
            "measures the other work.  Rerun `make bench` on an idle machine for F.\n\n")


def write_results(bench: Bench, info: dict, out: Path, elapsed: float, quick: bool,
                  clock_name: str) -> None:
    head = f"""# servsim benchmarks{' (--quick: tiny sizes, not the real numbers)' if quick else ''}

Written by `benchmarks/run.py` (`make bench`) on {info['date']} in {elapsed / 60:.1f} min.

| | |
|---|---|
| machine | {info['platform']} |
| CPU | {info['cpu']} ({info['cores']} logical cores) |
| Python | {info['python']} |
| numpy / scipy / Mesa | {info['numpy']} / {info['scipy']} / {info['mesa']} |
| threads | {info['threads']} |
| clock (sections A-E, build) | {clock_name} |
| load average (1/5/15 min) at start / end | {info['load']} / {" / ".join(f"{x:.2f}" for x in os.getloadavg())} |

Scenario: the `single_firm` market (two segments, 30% customers at day 0,
small-world network of mean degree 10) with the default strategy, organisation
and stage (`benchmarks/reference_model.py: scenario()`).  One core; every
timing is the fastest of several repetitions.

{busy_note(info)}## Summary

```
{chr(10).join(bench.lines)}
```
"""
    hot = ""
    if bench.hot:
        hot = "\n## Goals missed: where the time (or memory) goes\n\n" + "\n".join(
            f"- {h}" for h in bench.hot) + "\n"
    body = "\n\n".join(bench.details)
    # a hand-kept "## History" section (before/after of past speed work) survives reruns
    old = out.read_text() if out.exists() else ""
    history = old[old.index(HISTORY):] if HISTORY in old else ""
    out.write_text(head + hot + "\n## Details\n\n" + body + "\n" + history)


HISTORY = "\n## History"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes (CI smoke test)")
    ap.add_argument("--only", default="A,B,C,D,E,F,G,H,build",
                    help="comma-separated sections (default: all)")
    ap.add_argument("--clock", choices=sorted(CLOCKS), default="cpu",
                    help="timing clock for single-process sections (default: cpu)")
    ap.add_argument("--out", type=Path, default=None,
                    help="results file (default benchmarks/RESULTS.md; --quick: none "
                         "unless given)")
    args = ap.parse_args(argv)
    _clock[0] = CLOCKS[args.clock]
    cfg = QUICK if args.quick else FULL
    info = machine()
    print(f"servsim bench{' --quick' if args.quick else ''}: {info['date']}, {info['cpu']}, "
          f"Python {info['python']}, numpy {info['numpy']}, Mesa {info['mesa']}, "
          f"{info['threads']}, load average {info['load']}", flush=True)
    if os.getloadavg()[0] > 0.5 * (os.cpu_count() or 1) and not args.quick:
        print("warning: the machine is busy (load average above half the cores): timings "
              "will be noisy", flush=True)
    bench = Bench(cfg, args.quick)
    t0 = time.perf_counter()
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    for name in ("A", "B", "C", "D", "build", "E", "F", "G", "H"):
        if name in wanted:
            getattr(bench, f"section_{name.lower()}")()
    bench.models.clear()
    out = args.out or (None if args.quick else HERE / "RESULTS.md")
    if out is not None:
        clock_name = ("CPU time of the process (`time.process_time`)" if args.clock == "cpu"
                      else "wall time (`time.perf_counter`)")
        write_results(bench, info, out, time.perf_counter() - t0, args.quick, clock_name)
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
