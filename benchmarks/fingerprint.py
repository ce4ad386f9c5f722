"""Fingerprint of simulation results: a SHA-256 per run, to check that an
optimisation changes nothing, bit for bit.

    python benchmarks/fingerprint.py --check   # against fingerprint-baseline.txt
    python benchmarks/fingerprint.py --update  # rewrite it (only when results are
                                               # meant to change: docs/CONTRIBUTING.md)

(or ``> before.txt`` ... change the engine ... ``> after.txt`` and diff).

Runs :func:`servsim.simulate` for

* the dataclass defaults (``Params()``),
* each market config composed with Hydra exactly as ``servsim`` does
  (:class:`servsim.replicate.Composer`): ``company_a`` (the root config's
  default), ``telecom``, ``hotels``, ``single_firm``,
* the organisations, stages and the experiments' recovery and heterogeneity
  groups in a few combinations,
* ``single_firm`` with each network kind (``small_world``, ``random``,
  ``scale_free``, ``complete``) and an odd mean degree,

each for 3 seeds at a few hundred customers x 200 days, and prints one line per
run: the SHA-256 of the step table (``pd.util.hash_pandas_object``, index and
dtypes included), of the summary (JSON, sorted keys, floats by ``repr``) and of
the recoveries table.  It also fingerprints :func:`servsim.network.build_network`
itself (degree, CSR ``indptr``/``indices`` in stored order, the weights, and the
generator's state afterwards) for each kind at a few sizes, so that a change in
the order of ties within a row or in the random numbers consumed shows up even
where the step table would not notice.  The last line hashes all lines.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys

import numpy as np
import pandas as pd

from pathlib import Path

BASELINE = Path(__file__).with_name("fingerprint-baseline.txt")
"""The fingerprints of the committed engine (regenerate only for an intended change)."""
SEEDS = (0, 1, 2)
N, DAYS = 300, 200

RUNS: list[tuple[str, list[str] | None]] = [
    ("defaults", None),  # Params() dataclass defaults, not Hydra-composed
    ("company_a", ["market=company_a"]),
    ("telecom", ["market=telecom"]),
    ("hotels", ["market=hotels"]),
    ("single_firm", ["market=single_firm"]),
    *[(f"single_firm/{kind}", ["market=single_firm", f"market.network.kind={kind}"])
      for kind in ("small_world", "random", "scale_free", "complete")],
    ("single_firm/scale_free/k7", ["market=single_firm", "market.network.kind=scale_free",
                                   "market.network.mean_degree=7"]),
    ("company_a/random/rewire", ["market=company_a", "market.network.kind=random",
                                 "market.network.mean_degree=3"]),
    # organisations, stages and the experiments' config groups
    *[(g, [g]) for g in ("org=pyramid", "org=inverted", "stage=reactive",
                          "stage=standardized", "stage=productized")],
    ("telecom/inverted/productized", ["market=telecom", "org=inverted", "stage=productized"]),
    ("hotels/premium/fast", ["market=hotels", "strategy=premium", "+recovery=fast"]),
    ("company_a/lowcost/ignore", ["market=company_a", "strategy=lowcost", "+recovery=ignore"]),
    ("company_a/polarized/slow", ["market=company_a", "+heterogeneity=polarized",
                                  "+recovery=slow"]),
    ("telecom/complete", ["market=telecom", "market.network.kind=complete"]),
]

NETWORKS = [(n, kind, k, beta) for n in (2, 50, 3001)
            for kind, k, beta in (("small_world", 10, 0.1), ("small_world", 7, 0.0),
                                  ("small_world", 4, 1.0), ("random", 10, 0.1),
                                  ("random", 3, 0.1), ("scale_free", 10, 0.1),
                                  ("scale_free", 5, 0.1), ("complete", 10, 0.1))]
NETWORKS += [(300_001, kind, 10, 0.1) for kind in ("small_world", "random", "scale_free")]
"""... and a few large enough that any chunked build loops over several chunks."""


def sha(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.hexdigest()[:16]


def frame_sha(df: pd.DataFrame) -> str:
    dtypes = ",".join(f"{c}:{t}" for c, t in df.dtypes.items()).encode()
    return sha(dtypes, pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())


def summary_sha(summary: dict) -> str:
    def enc(v):
        if isinstance(v, float | np.floating):
            return repr(float(v))
        if isinstance(v, np.integer):
            return int(v)
        if isinstance(v, dict):
            return {str(k): enc(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [enc(x) for x in v]
        return v if isinstance(v, str | int | bool | type(None)) else repr(v)

    return sha(json.dumps(enc(summary), sort_keys=True).encode())


def network_lines() -> list[str]:
    from servsim.network import build_network

    out = []
    for n, kind, k, beta in NETWORKS:
        k = min(k, max(n - 1, 1))
        rng = np.random.default_rng(12345)
        net = build_network(n, kind, k, beta, rng)
        parts = [net.kind.encode(), net.degree.astype(np.int64).tobytes()]
        w = net.weights
        if w is not None:
            parts += [w.indptr.astype(np.int64).tobytes(), w.indices.astype(np.int64).tobytes(),
                      w.data.astype(np.float32).tobytes()]
        parts.append(rng.random(4).tobytes())  # the generator's state afterwards
        out.append(f"network n={n} {kind} k={k} beta={beta}: {sha(*parts)} "
                   f"edges={net.n_edges}")
    return out


def run_lines(n: int, days: int) -> list[str]:
    from servsim import simulate
    from servsim.params import make_params
    from servsim.replicate import Composer

    out = []
    with Composer() as composer:
        for name, overrides in RUNS:
            for seed in SEEDS:
                if overrides is None:
                    params = make_params(None, **{"sim.n_customers": n, "sim.days": days,
                                                   "sim.seed": seed})
                else:
                    params = composer.params([*overrides, f"sim.n_customers={n}",
                                              f"sim.days={days}", f"seed={seed}"])
                res = simulate(params)
                rec = res.extras.get("recoveries")
                rec_sha = frame_sha(rec) if isinstance(rec, pd.DataFrame) else "-"
                out.append(f"run {name} seed={seed} n={n} days={days}: "
                           f"steps={frame_sha(res.steps)} summary={summary_sha(res.summary)} "
                           f"recoveries={rec_sha}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=N, help="customers per run")
    ap.add_argument("--days", type=int, default=DAYS, help="days per run")
    ap.add_argument("--no-runs", action="store_true", help="fingerprint networks only")
    ap.add_argument("--check", action="store_true",
                    help=f"compare with {BASELINE.name} (default sizes) and exit 1 on any change")
    ap.add_argument("--update", action="store_true",
                    help=f"rewrite {BASELINE.name} (default sizes; results meant to change)")
    args = ap.parse_args(argv)
    if (args.check or args.update) and (args.n, args.days, args.no_runs) != (N, DAYS, False):
        ap.error("--check and --update use the default sizes (no --n, --days, --no-runs)")
    lines = network_lines()
    if not args.no_runs:
        lines += run_lines(args.n, args.days)
    lines.append(f"ALL: {sha(chr(10).join(lines).encode())}")
    if args.update:
        old = BASELINE.read_text(encoding="utf-8").splitlines() if BASELINE.exists() else []
        BASELINE.write_text("\n".join(lines) + "\n", encoding="utf-8")
        moved = sum(a != b for a, b in zip(old, lines, strict=False)) + abs(len(old) - len(lines))
        print(f"wrote {BASELINE.name}: {len(lines)} fingerprints, {moved} changed")
        return 0
    if not args.check:
        print("\n".join(lines))
        return 0
    expected = BASELINE.read_text(encoding="utf-8").splitlines()
    changed = [f"- {a}\n+ {b}" for a, b in zip(expected, lines, strict=False) if a != b]
    if changed or len(expected) != len(lines):
        print(f"results changed ({len(changed)} of {len(expected)} lines differ):", *changed,
              sep="\n")
        return 1
    print(f"identical to {BASELINE.name}: {len(lines)} fingerprints")
    return 0


if __name__ == "__main__":
    sys.exit(main())
