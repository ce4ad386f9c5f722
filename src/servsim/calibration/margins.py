"""Fixed overhead per firm, calibrated to each market's stated net margin.

``python -m servsim.calibration.margins [--market M] [--write]``

Overhead (``market.overhead`` for the focal firm, ``market.competitors.NAME.overhead``
for each competitor; cu per day per 1,000 customers in the market, ODD 7.11) is a
fixed cost: it changes no decision in the model, so it can be solved per firm in
one pass from the firm's own books.  The procedure, deterministic:

1. Compose the market with its default strategies (``servsim market=M``: the focal
   firm's default presets, the competitors' presets in the market file), all
   overheads 0, :data:`N_CUSTOMERS` customers, :data:`DAYS` days, seeds
   :data:`SEEDS` (common to every market).
2. For each firm ``k``, over the measurement window (days after :data:`BURN_IN`)
   summed over the seeds: revenue ``R_k`` and profit before overhead ``Π_k``.
3. ``overhead_k = max(0, Π_k - m R_k) / (days × seeds) / (N / 1000)``, ``m`` the
   market's target net margin (:data:`TARGETS`).  A firm whose contribution margin
   ``Π_k / R_k`` is already below ``m`` gets no overhead (floored at 0, reported):
   a re-run after a change of demand or costs can never leave a firm in a loss
   made by overhead.
4. Verify: re-run the same seeds with the overheads and print each firm's net
   margin reached (equal to the target up to rounding when the floor does not bind,
   because overhead moves no decision).

``--write`` writes the values into ``src/servsim/configs/market/M.yaml``.  Re-run it
whenever demand, prices or costs change (the lead re-runs it after merging).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MARKET_DIR = Path(__file__).resolve().parents[1] / "configs" / "market"

N_CUSTOMERS = 4_000
DAYS = 730
BURN_IN = 365
SEEDS = (11, 12, 13)

TARGETS: dict[str, tuple[float, str]] = {
    "company_a": (0.06, "industrial electrical manufacturing, net margins ~5-8% (sector "
                        "data: Damodaran, Margins by Sector, electrical equipment; value "
                        "judgement for a maker squeezed between a premium brand and "
                        "low-price rivals)"),
    "telecom": (0.12, "telecom operators, net margins ~10-15% (sector data: Damodaran, "
                      "Margins by Sector, telecom services/wireless; value judgement)"),
    "hotels": (0.08, "hotels, net margins ~5-10% (sector data: Damodaran, Margins by "
                     "Sector, hotel/gaming; value judgement)"),
    "single_firm": (0.08, "a generic service business: judgement"),
}
"""Each market's target net margin (profit / revenue) and its source."""


@dataclass
class FirmMargin:
    """One firm's calibration: its books before overhead and the overhead solved."""

    firm: str
    revenue: float            # per day, window mean over seeds
    profit_before: float      # per day, before overhead
    overhead: float           # cu per day per 1,000 customers in the market
    margin_reached: float = float("nan")

    @property
    def contribution_margin(self) -> float:
        return self.profit_before / self.revenue if self.revenue > 0 else float("nan")


def solve_overhead(profit: float, revenue: float, target: float, scale: float) -> float:
    """Overhead (per 1,000 market customers) that leaves ``target`` net margin on a
    daily ``profit`` before overhead and ``revenue``: ``max(0, Π - m R) / scale``."""
    return max(0.0, profit - target * revenue) / scale


def _params(market: str, overheads: dict[str, float] | None, seed: int):
    from servsim.validation._core import market_params

    params = market_params(market, sim__n_customers=N_CUSTOMERS, sim__days=DAYS,
                           sim__seed=seed)
    overheads = overheads or {}
    names = [f.name for f in params.firms]
    params.market.overhead = float(overheads.get(names[0], 0.0))
    for key, firm in params.market.competitors.items():
        firm.overhead = float(overheads.get(firm.name, overheads.get(key, 0.0)))
    return params


def _books(market: str, overheads: dict[str, float] | None) -> dict[str, tuple[float, float]]:
    """(revenue, profit) per firm and day over the window, mean over the seeds."""
    from servsim.simulate import simulate

    sums: dict[str, np.ndarray] = {}
    for seed in SEEDS:
        steps = simulate(_params(market, overheads, seed)).steps
        window = steps[steps["day"] > BURN_IN]
        for firm, rows in window.groupby("firm", sort=False):
            acc = sums.setdefault(str(firm), np.zeros(3))
            acc += (rows["revenue"].sum(), rows["profit"].sum(), len(rows))
    return {k: (v[0] / v[2], v[1] / v[2]) for k, v in sums.items()}


def calibrate(market: str) -> tuple[float, list[FirmMargin]]:
    """Solve each firm's overhead for ``market`` and verify the margins reached."""
    target = TARGETS[market][0]
    scale = N_CUSTOMERS / 1000.0
    firms = []
    for name, (revenue, profit) in _books(market, None).items():
        overhead = solve_overhead(profit, revenue, target, scale)
        firms.append(FirmMargin(name, revenue, profit, round(overhead, 3)))
    reached = _books(market, {f.firm: f.overhead for f in firms})
    for f in firms:
        revenue, profit = reached[f.firm]
        f.margin_reached = profit / revenue if revenue > 0 else float("nan")
    return target, firms


def write(market: str, firms: list[FirmMargin], path: Path | None = None) -> Path:
    """Write the overheads into the market's YAML (focal: top-level ``overhead``;
    competitors: ``overhead`` under ``competitors.NAME``), keeping the rest of the file.
    """
    path = path or MARKET_DIR / f"{market}.yaml"
    text = path.read_text()
    note = f"  # servsim.calibration.margins: net margin {TARGETS[market][0]:g}"
    focal, *rivals = firms
    line = f"overhead: {focal.overhead:g}{note}"
    if re.search(r"^overhead:.*$", text, flags=re.M):
        text = re.sub(r"^overhead:.*$", line, text, count=1, flags=re.M)
    else:
        text = re.sub(r"^(focal_initial_share:.*)$", r"\1\n" + line, text, count=1,
                      flags=re.M)
    for f in rivals:
        block = re.search(rf"^  {re.escape(f.firm)}:.*\n((?:    .*\n)*)", text, flags=re.M)
        if block is None:
            raise KeyError(f"{path}: no competitors.{f.firm} block to write its overhead into")
        body = block.group(1)
        entry = f"    overhead: {f.overhead:g}{note}\n"
        if re.search(r"^    overhead:.*\n", body, flags=re.M):
            body = re.sub(r"^    overhead:.*\n", entry, body, count=1, flags=re.M)
        else:
            body = body + entry
        text = text[:block.start(1)] + body + text[block.end(1):]
    path.write_text(text)
    return path


def report(market: str, target: float, firms: list[FirmMargin]) -> str:
    lines = [f"{market}: target net margin {target:.1%} ({TARGETS[market][1]})",
             f"  {'firm':<14}{'revenue/day':>13}{'contrib.':>10}{'overhead':>11}"
             f"{'net margin':>12}"]
    for f in firms:
        flag = "  (contribution margin below target: overhead 0)" if f.overhead == 0 else ""
        lines.append(f"  {f.firm:<14}{f.revenue:>13,.0f}{f.contribution_margin:>10.1%}"
                     f"{f.overhead:>11,.2f}{f.margin_reached:>12.1%}{flag}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m servsim.calibration.margins",
        description="Set each firm's fixed overhead so that the market's firms reach its "
                    f"stated net margin ({N_CUSTOMERS:,} customers, {DAYS} days, window after "
                    f"day {BURN_IN}, seeds {', '.join(map(str, SEEDS))}).")
    parser.add_argument("--market", choices=sorted(TARGETS), action="append",
                        help="market(s) to calibrate (default: all)")
    parser.add_argument("--write", action="store_true",
                        help="write the overheads into the market YAMLs")
    args = parser.parse_args(argv)
    for market in args.market or sorted(TARGETS):
        start = time.perf_counter()
        target, firms = calibrate(market)
        print(report(market, target, firms))
        if args.write:
            print(f"  wrote {write(market, firms)}")
        print(f"  ({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
