"""Each market's level of price response, calibrated to its documented elasticity.

``python -m servsim.calibration.elasticity [--market M] [--write]``

``market.price_response`` (``k_p``, ODD 7.9) scales every segment's price
sensitivity in choice.  The segments' ``price_sensitivity`` values say which
buyers care more about price than others (a judgement per segment, in the market
file); ``k_p`` sets the market's overall level so that the focal firm's long-run
own-price sales elasticity is the market's target in
:data:`servsim.validation.economics.EXPECTED_ELASTICITY` (consumer markets near the
meta-analytic means, Tellis 1988 -1.76 and Bijmolt, van Heerde & Pieters 2005
-2.62; the B2B market lower).  The procedure, deterministic:

1. Compose the market with its default strategies (``servsim market=M``) and
   measure the elasticity exactly as check 11 does (a +10% probe of the focal
   price after the burn-in, quantity over the window, same seed in both arms) at
   check 11's full size, but on the calibration seeds :data:`SEEDS`, disjoint
   from the check's (0-29): the check then measures the calibrated market out of
   sample.
2. Start from the market file's ``k_p``; the next value is
   ``k * target / e(k)`` (the logit elasticity is about proportional to the price
   weight), then secant steps on ``log k`` against ``log(-e)``, until the mean
   elasticity is within :data:`TOLERANCE` of the target or :data:`MAX_EVALUATIONS`
   evaluations are spent (the closest is kept and reported).

``--write`` writes ``price_response`` into ``src/servsim/configs/market/M.yaml``.
Re-run it whenever demand changes, then re-run the margins
(:mod:`servsim.calibration.margins`), which depend on demand.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from servsim.calibration.margins import MARKET_DIR

SEEDS = tuple(range(100, 130))
"""Calibration seeds: 30, disjoint from check 11's seeds 0-29."""

TOLERANCE = 0.05
"""Stop when the calibration seeds' mean elasticity is this close to the target."""

MAX_EVALUATIONS = 6
"""At most this many elasticity measurements per market."""

K_RANGE = (0.05, 20.0)
"""Where the search may put ``k_p`` (a step beyond is clipped to it)."""


@dataclass
class Calibration:
    """One market's search: the target and every (k_p, elasticity) measured."""

    market: str
    target: float
    source: str
    trials: list[tuple[float, float]] = field(default_factory=list)

    @property
    def best(self) -> tuple[float, float]:
        """The (k_p, elasticity) closest to the target."""
        return min(self.trials, key=lambda kt: abs(kt[1] - self.target))

    @property
    def converged(self) -> bool:
        return abs(self.best[1] - self.target) <= TOLERANCE


def next_k(trials: list[tuple[float, float]], target: float) -> float:
    """The next ``k_p`` to try after ``trials`` ((k, elasticity), elasticities < 0):
    proportional after one, a secant step on (log k, log(-e)) through the last two
    after more (proportional again if the last two do not rise with k)."""
    k1, e1 = trials[-1]
    slope = 1.0
    if len(trials) >= 2:
        k0, e0 = trials[-2]
        if k1 != k0 and e0 < 0 and e1 < 0:
            s = (math.log(-e1) - math.log(-e0)) / (math.log(k1) - math.log(k0))
            if s > 0.05:
                slope = s
    if e1 >= 0:
        return min(K_RANGE[1], k1 * 2.0)
    k = k1 * math.exp((math.log(-target) - math.log(-e1)) / slope)
    return min(K_RANGE[1], max(K_RANGE[0], k))


def search(measure: Callable[[float], float], k0: float, target: float,
           tolerance: float = TOLERANCE, max_evaluations: int = MAX_EVALUATIONS
           ) -> list[tuple[float, float]]:
    """Trials (k, measure(k)) from ``k0`` until one is within ``tolerance`` of
    ``target`` or ``max_evaluations`` are spent."""
    trials = [(k0, measure(k0))]
    while abs(trials[-1][1] - target) > tolerance and len(trials) < max_evaluations:
        k = round(next_k(trials, target), 4)
        if any(k == kt[0] for kt in trials):
            break
        trials.append((k, measure(k)))
    return trials


def current_k(market: str) -> float:
    """The market file's ``price_response`` (as composed)."""
    from servsim.validation._core import market_params

    return float(market_params(market).market.price_response)


def measure_elasticity(market: str, k: float) -> float:
    """Mean focal elasticity at check 11's full size on :data:`SEEDS`, with ``k_p = k``."""
    from servsim.validation.economics import _sizes, elasticity_per_seed

    n, burn, window, _ = _sizes("full")
    return float(elasticity_per_seed(market, SEEDS, n, burn, window,
                                     market__price_response=k).mean())


def calibrate(market: str, log: Callable[[str], None] = print) -> Calibration:
    """Search ``k_p`` for ``market`` from its file's value."""
    from servsim.validation.economics import EXPECTED_ELASTICITY

    target, source = EXPECTED_ELASTICITY[market]
    cal = Calibration(market, target, source)

    def measure(k: float) -> float:
        start = time.perf_counter()
        e = measure_elasticity(market, k)
        log(f"  k_p = {k:<8g} elasticity {e:+.3f}  ({time.perf_counter() - start:.0f} s)")
        return e

    cal.trials = search(measure, current_k(market), target)
    return cal


def write(market: str, cal: Calibration, path: Path | None = None) -> Path:
    """Write ``price_response: k  # ...`` into the market's YAML (replacing the line
    if there is one, else after ``imitation:``), keeping the rest of the file."""
    path = path or MARKET_DIR / f"{market}.yaml"
    text = path.read_text()
    k, e = cal.best
    line = (f"price_response: {k:g}  # servsim.calibration.elasticity: focal elasticity "
            f"{cal.target:g} (measured {e:.2f})")
    if re.search(r"^price_response:.*$", text, flags=re.M):
        text = re.sub(r"^price_response:.*$", line, text, count=1, flags=re.M)
    elif re.search(r"^imitation:.*$", text, flags=re.M):
        text = re.sub(r"^(imitation:.*)$", r"\1\n" + line, text, count=1, flags=re.M)
    else:
        text = text.rstrip("\n") + "\n" + line + "\n"
    path.write_text(text)
    return path


def report(cal: Calibration) -> str:
    k, e = cal.best
    state = "converged" if cal.converged else f"NOT within {TOLERANCE} of the target"
    return (f"{cal.market}: target {cal.target:g} ({cal.source})\n"
            f"  k_p = {k:g}: elasticity {e:+.3f} on seeds {SEEDS[0]}-{SEEDS[-1]}, "
            f"{len(cal.trials)} evaluations, {state}")


def main(argv: list[str] | None = None) -> int:
    from servsim.validation.economics import EXPECTED_ELASTICITY

    parser = argparse.ArgumentParser(
        prog="python -m servsim.calibration.elasticity",
        description="Set each market's price_response so that its focal firm's long-run "
                    "own-price sales elasticity (check 11's probe at full size, calibration "
                    f"seeds {SEEDS[0]}-{SEEDS[-1]}) is the market's target.")
    parser.add_argument("--market", choices=sorted(EXPECTED_ELASTICITY), action="append",
                        help="market(s) to calibrate (default: all)")
    parser.add_argument("--write", action="store_true",
                        help="write price_response into the market YAMLs")
    args = parser.parse_args(argv)
    for market in args.market or list(EXPECTED_ELASTICITY):
        start = time.perf_counter()
        print(f"{market}: searching k_p", flush=True)
        cal = calibrate(market, log=lambda s: print(s, flush=True))
        print(report(cal))
        if args.write:
            print(f"  wrote {write(market, cal)}")
        print(f"  ({time.perf_counter() - start:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
