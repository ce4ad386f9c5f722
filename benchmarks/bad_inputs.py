"""Replay the bad-input classes over every numeric key and count the one-line answers.

For every numeric parameter of a market's composed config (from the
registry, :func:`servsim.registry.parameters`) this script gives the
``servsim`` command a bad value of each class — negative (below the allowed
range), out of range (above it), NaN, inf, text, huge (1e300), empty — and,
per group, unknown keys and unknown config options, shares and weights that
do not sum to 1, joint constraints out of order, and empty mappings
(``market.segments={}``).  A case passes when the command's answer is
exactly one line that names the key and the allowed range.

Paths (all the command's own code; nothing is simulated):

``sweep`` (default, every case)
    what ``servsim -m`` checks before the first job:
    :func:`servsim.registry.check_overrides`, then the sweep's composer
    (:class:`servsim.compose.Composer`: the config composed once by Hydra,
    value overrides set by OmegaConf against the schema), then
    :func:`servsim.compose.params_from_config` (validation); the answer is
    :func:`servsim.compose.describe_error`'s line.
``compose`` (``--compose N``: N cases, spread over the classes)
    what a single ``servsim KEY=VALUE`` run does: a full Hydra composition
    per case, then validation.
``cli`` (``--cli N``: N cases, spread over the classes)
    the installed ``servsim`` command in a subprocess (``hydra.run.dir`` in a
    temporary directory): exit status 2, one line on stderr, no run written.

Usage::

    python benchmarks/bad_inputs.py                       # every case, sweep path
    python benchmarks/bad_inputs.py --compose 40 --cli 12 # plus the other two paths
    python benchmarks/bad_inputs.py --market telecom --sample 100

Prints the count per class and the failures; exits 1 if any case failed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

CLASSES = ("negative", "out-of-range", "nan", "inf", "text", "huge", "empty", "unknown-key",
           "unknown-option", "shares", "joint", "empty-mapping")
"""The bad-input classes, in the order they are reported."""


@dataclass(frozen=True)
class Case:
    """One bad input: the overrides given and what its one line must name."""

    cls: str
    overrides: tuple[str, ...]
    names: tuple[str, ...]
    """Texts the line must contain to name the key (e.g. the key itself)."""
    allowed: str
    """Text the line must contain to state the allowed range (at least ``allowed``)."""

    @property
    def shown(self) -> str:
        """The case as a command line."""
        return " ".join(self.overrides)


def _number(x: float) -> str:
    return str(x) if isinstance(x, int) else repr(float(x))


def _below(p) -> float:
    lo = p.bounds[0]
    if p.integer:
        return lo - 1
    return -1.0 if lo >= 0 else lo - abs(lo) - 1.0


def _above(p) -> float:
    hi = p.bounds[1]
    return hi + 1 if p.integer else hi + max(1.0, abs(hi))


def value_cases(params: Sequence) -> Iterator[Case]:
    """The value classes for each numeric parameter."""
    from servsim.params import allowed_for_key

    for p in params:
        allowed = allowed_for_key(p.key)
        assert allowed, p.key
        bad = {"negative": _number(_below(p)), "out-of-range": _number(_above(p)),
               "nan": "nan", "inf": "inf", "text": "abc", "huge": "1e300", "empty": ""}
        for cls, value in bad.items():
            yield Case(cls, (f"{p.key}={value}",), (p.key,), allowed)


def unknown_key_cases(params: Sequence, market: str) -> Iterator[Case]:
    """A misspelt last part of every key, and unknown segment and competitor names."""
    for p in params:
        yield Case("unknown-key", (f"{p.key}x=1",), (f"{p.key}x",), "allowed: ")
    for key in ("nosuch=1", "strategy.nosuch=1", "market.segments.nosuch.share=0.2",
                "market.competitors.nosuch.strategy.price=1", "behaviour.nosuch=1",
                "sim.nosuch=1"):
        yield Case("unknown-key", (key,), (key.partition("=")[0],), "allowed: ")


def option_cases(market: str) -> Iterator[Case]:
    """Unknown options of each config group (also through a competitor's package)."""
    groups = ["strategy", "org", "stage", "market", "+experiment", "+recovery",
              "+heterogeneity"]
    for group in groups:
        name = group.lstrip("+")
        yield Case("unknown-option", (f"{group}=nosuch",), (f"{name}=nosuch",),
                   f"unknown option of config group '{name}'; allowed: ")


def joint_cases(params: Sequence, market: str) -> Iterator[Case]:
    """Shares and weights that no longer sum to 1; thresholds and degree out of order."""
    for p in params:
        if p.constraint and ".segments." in p.key:
            name = p.key.split(".")[2]
            value = p.default + 0.05 if p.default <= 0.9 else p.default - 0.05
            yield Case("shares", (f"{p.key}={value:g}",),
                       ("market.segments.*.share", f"{name}={value:g}"), "allowed: ")
        elif p.constraint and "initial_share" in p.key:
            short = p.key.removeprefix("market.")
            yield Case("shares", (f"{p.key}=1.0",), (f"{short}=1",), "allowed: at most 1")
        elif p.constraint and "recovery_weight" in p.key:
            value = p.default + 0.1
            yield Case("shares", (f"{p.key}={value:g}",), (f"{p.key}={value:g}",),
                       "allowed: they must sum to 1")
    for key, value in (("behaviour.repeat_threshold", 0.9), ("behaviour.loyal_threshold", 0.95),
                       ("behaviour.advocate_threshold", 0.05)):
        yield Case("joint", (f"{key}={value}",), (f"{key}={value}",),
                   "allowed repeat_threshold <= loyal_threshold <= advocate_threshold")
    yield Case("joint", ("sim.n_customers=3",), ("sim.n_customers=3",),
               "allowed sim.n_customers in [")
    yield Case("joint", ("market.network.mean_degree=900", "sim.n_customers=500"),
               ("market.network.mean_degree=900",), "or market.network.mean_degree in [1, 499]")


def mapping_cases() -> Iterator[Case]:
    """Empty mappings: merged key by key, they would change nothing."""
    for key in ("market.segments", "market.competitors", "market.network", "behaviour", "sim",
                "market.segments.large_state", "+market.segments"):
        shown = key.lstrip("+")
        yield Case("empty-mapping", (f"{key}={{}}",), (f"{shown}={{}}",), "allowed")


def all_cases(market: str = "company_a", every_key: bool = True) -> list[Case]:
    """Every case for a market, in class order.

    With ``every_key`` False the value classes cover each declared field once
    (the first segment's key stands for the other segments', the focal firm's
    levers for the competitors': the same check runs for all of them) and unknown
    keys one per group, which is ~3x faster.
    """
    from servsim.registry import parameters

    params = parameters(market, constrained=True)
    misspelt = params
    if not every_key:
        firsts = {}
        for p in params:
            field = p.schema_key.removeprefix("market.competitors.*.")
            firsts.setdefault(field, p)
        params = list(firsts.values())
        groups = {}
        for p in params:
            groups.setdefault(p.schema_key.rsplit(".", 1)[0], p)
        misspelt = list(groups.values())
    cases = [*value_cases(params), *unknown_key_cases(misspelt, market), *option_cases(market),
             *joint_cases(parameters(market, constrained=True), market), *mapping_cases()]
    if market != "company_a":  # the entry names above are company_a's
        cases = [c for c in cases if "large_state" not in c.shown]
    return sorted(cases, key=lambda c: CLASSES.index(c.cls))


def sample(cases: Sequence[Case], n: int, seed: int = 0) -> list[Case]:
    """About n cases spread over the classes (every class at least once), reproducibly."""
    if n >= len(cases):
        return list(cases)
    rng = random.Random(seed)
    by_class: dict[str, list[Case]] = {}
    for c in cases:
        by_class.setdefault(c.cls, []).append(c)
    per = max(1, n // len(by_class))
    return [c for cls in CLASSES if cls in by_class
            for c in rng.sample(by_class[cls], min(per, len(by_class[cls])))]


def passes(case: Case, lines: Sequence[str]) -> bool:
    """Exactly one line, naming the key and the allowed range."""
    if len(lines) != 1:
        return False
    line = lines[0]
    return all(name in line for name in case.names) and case.allowed in line


# --------------------------------------------------------------------------- the paths


class CommandChecks:
    """The checks ``servsim`` runs before any work, in this process (nothing is simulated).

    Both paths use :class:`servsim.compose.Composer`, the one composition path: the
    sweep pre-flight composes a job as Hydra composes a sweep's jobs (a composer on
    the sweep's config), a single run as the command composes it.
    """

    def __init__(self, market: str) -> None:
        from servsim.compose import Composer, standalone_loader

        self.market = market
        self._base = (f"market={market}",)
        loader = standalone_loader()
        self._single = Composer(loader=loader)
        master = self._single.config(list(self._base), hydra=True)
        self._sweep = Composer(master, loader)

    def close(self) -> None:
        """Nothing to release (the composers hold no global state)."""

    def _answer(self, check, case: Case) -> list[str]:
        from servsim.compose import describe_error, params_from_config
        from servsim.params import Params
        from servsim.registry import check_overrides

        try:
            check_overrides(case.overrides)
            params = check(case)
            if not isinstance(params, Params):  # a composed config: validate it
                params_from_config(params)
        except Exception as ex:  # the command prints describe_error's line for these
            return [line for line in describe_error(ex).splitlines() if line.strip()]
        return []  # accepted: no error line

    def sweep(self, case: Case) -> list[str]:
        """The sweep's pre-flight check (``servsim -m ...``): the job's config as the
        sweeper composes it, then the parameter check."""
        return self._answer(lambda c: self._sweep([*self._base, *c.overrides]), case)

    def single(self, case: Case) -> list[str]:
        """A single run's composition (``servsim KEY=VALUE``)."""
        return self._answer(lambda c: self._single.params([*self._base, *c.overrides]), case)


def command_line(cases: Sequence[Case], market: str, parallel: int = 4) -> list[list[str]]:
    """Run ``servsim`` on each case in subprocesses; the answer is its stderr lines.

    A case also fails (its answer gets an extra line) unless the exit status is 2
    and its run directory holds no summary or steps file.
    """
    exe = shutil.which("servsim") or str(Path(sys.executable).with_name("servsim"))
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    answers: list[list[str]] = []
    with tempfile.TemporaryDirectory(prefix="servsim-bad-") as tmp:
        for start in range(0, len(cases), parallel):
            batch = []
            for i, case in enumerate(cases[start:start + parallel], start):
                run_dir = Path(tmp) / f"case{i}"
                argv = [exe, f"market={market}", *case.overrides, f"hydra.run.dir={run_dir}"]
                batch.append((run_dir, subprocess.Popen(
                    argv, cwd=tmp, env=env, text=True, stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE)))
            for run_dir, proc in batch:
                _, err = proc.communicate(timeout=600)
                lines = [line.removeprefix("servsim: error: ") for line in err.splitlines()
                         if line.strip()]
                wrote = [p.name for p in run_dir.glob("*") if p.name in
                         ("summary.json", "steps.parquet")]
                if proc.returncode != 2 or wrote:
                    lines.append(f"(exit status {proc.returncode}; wrote {wrote})")
                answers.append(lines)
    return answers


# --------------------------------------------------------------------------- report


@dataclass
class Outcome:
    """The result of one path: cases, answers and the failures."""

    path: str
    cases: list[Case]
    answers: list[list[str]]

    @property
    def failures(self) -> list[tuple[Case, list[str]]]:
        """The cases whose answer was not one line naming the key and the range."""
        return [(c, a) for c, a in zip(self.cases, self.answers, strict=True)
                if not passes(c, a)]

    def report(self, out=sys.stdout) -> None:
        """Print the counts per class and every failure."""
        total = Counter(c.cls for c in self.cases)
        bad = Counter(c.cls for c, _ in self.failures)
        per_class = ", ".join(f"{cls} {total[cls] - bad[cls]}/{total[cls]}"
                              for cls in CLASSES if total[cls])
        good = len(self.cases) - len(self.failures)
        print(f"{self.path}: {good} of {len(self.cases)} bad inputs gave one line naming the "
              f"key and the allowed range ({per_class})", file=out)
        for case, answer in self.failures:
            shown = " / ".join(answer) if answer else "(accepted: no error)"
            print(f"  FAIL [{case.cls}] {case.shown}: {shown}", file=out)


def replay(market: str = "company_a", *, n_sweep: int | None = None, n_compose: int = 0,
           n_cli: int = 0, seed: int = 0, every_key: bool = True) -> list[Outcome]:
    """Replay the cases through each path; ``n_*`` are sample sizes (None: every case)."""
    cases = all_cases(market, every_key)
    outcomes = []
    checks = CommandChecks(market)
    try:
        chosen = cases if n_sweep is None else sample(cases, n_sweep, seed)
        outcomes.append(Outcome("sweep", chosen, [checks.sweep(c) for c in chosen]))
        if n_compose:
            chosen = sample(cases, n_compose, seed + 1)
            outcomes.append(Outcome("compose", chosen, [checks.single(c) for c in chosen]))
    finally:
        checks.close()
    if n_cli:
        chosen = sample(cases, n_cli, seed + 2)
        outcomes.append(Outcome("cli", chosen, command_line(chosen, market)))
    return outcomes


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: see the module docstring."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--market", default="company_a")
    ap.add_argument("--sample", type=int, default=None,
                    help="replay about this many cases on the sweep path (default: all)")
    ap.add_argument("--compose", type=int, default=0,
                    help="also this many through a full single-run composition")
    ap.add_argument("--cli", type=int, default=0,
                    help="also this many through the servsim command in subprocesses")
    ap.add_argument("--seed", type=int, default=0, help="seed of the samples")
    ap.add_argument("--per-field", action="store_true",
                    help="each schema field once instead of every expanded key (faster)")
    args = ap.parse_args(argv)
    outcomes = replay(args.market, n_sweep=args.sample, n_compose=args.compose, n_cli=args.cli,
                      seed=args.seed, every_key=not args.per_field)
    for outcome in outcomes:
        outcome.report()
    return 1 if any(o.failures for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
