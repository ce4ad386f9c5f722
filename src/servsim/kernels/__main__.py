"""Compile (and cache) every kernel once: ``python -m servsim.kernels``.

Numba compiles a kernel on its first call and caches the machine code next to
the source (``kernels/__pycache__``); later processes load it in well under a
second.  A fresh checkout would otherwise pay the compilation (some 30-40 s)
in its first run, or in several processes at once; ``make`` runs this right
after installing.  It runs two tiny markets whose calls take the argument types
of any run: one firm, and three firms on a small-world network.
"""

from __future__ import annotations

import time


def main() -> None:
    start = time.perf_counter()
    from servsim.model import ServiceMarket

    competitor = {"name": "rival", "initial_share": 0.2,
                  "strategy": {"service_level": 0.5, "price": 0.9}}
    for market in ({}, {"competitors": {"a": competitor, "b": {**competitor, "name": "b"}}}):
        ServiceMarket({"sim": {"n_customers": 300, "days": 20}, "market": market}).run()
    print(f"servsim: the engine's compiled kernels are ready ({time.perf_counter() - start:.0f} s; "
          "cached for later runs)")


if __name__ == "__main__":
    main()
