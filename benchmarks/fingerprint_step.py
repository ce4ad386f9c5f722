"""Fingerprint simulation results: a SHA-256 per run of the step table, summary and recoveries.

Speed work on the daily step must leave results identical bit for bit.  Run
this before a change, save the output, and compare after::

    python benchmarks/fingerprint_step.py > /tmp/before.txt
    # ... change the engine ...
    python benchmarks/fingerprint_step.py > /tmp/after.txt
    diff /tmp/before.txt /tmp/after.txt && echo identical

Each line: ``<config> seed=<s>  steps=<sha> summary=<sha> recoveries=<sha>``.
Configs: the default scenario, every market, both organisations, every stage
(plus a few combinations), composed with Hydra exactly as ``servsim`` does
(:class:`servsim.replicate.Composer`), at a few hundred customers x 200 days,
3 seeds each.  Options: ``--customers N --days D --seeds K``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys

import numpy as np
import pandas as pd

from servsim.metrics import nan_to_none
from servsim.replicate import Composer
from servsim.simulate import simulate

CONFIGS: dict[str, tuple[str, ...]] = {
    "default": (),
    "company_a": ("market=company_a",),
    "telecom": ("market=telecom",),
    "hotels": ("market=hotels",),
    "single_firm": ("market=single_firm",),
    "pyramid": ("org=pyramid",),
    "inverted": ("org=inverted",),
    "reactive": ("stage=reactive",),
    "standardized": ("stage=standardized",),
    "productized": ("stage=productized",),
    "telecom_inverted_productized": ("market=telecom", "org=inverted", "stage=productized"),
    "single_firm_productized": ("market=single_firm", "stage=productized"),
    "hotels_premium_fast": ("market=hotels", "strategy=premium", "+recovery=fast"),
    "company_a_lowcost_ignore": ("market=company_a", "strategy=lowcost", "+recovery=ignore"),
    "company_a_polarized_slow": ("market=company_a", "+heterogeneity=polarized", "+recovery=slow"),
    "telecom_complete_network": ("market=telecom", "market.network.kind=complete"),
    "hotels_scale_free_network": ("market=hotels", "market.network.kind=scale_free"),
}


def sha_frame(df: pd.DataFrame) -> str:
    """SHA-256 of a table's values (row hashes) and its column names."""
    h = hashlib.sha256()
    h.update(json.dumps(list(map(str, df.columns))).encode())
    h.update(pd.util.hash_pandas_object(df, index=True).values.tobytes())
    return h.hexdigest()[:16]


def sha_json(obj) -> str:
    """SHA-256 of a JSON document (keys sorted, floats by repr)."""
    text = json.dumps(nan_to_none(obj), sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fingerprints(customers: int, days: int, seeds: int):
    """Yield one fingerprint line per (config, seed)."""
    with Composer() as composer:
        for name, overrides in CONFIGS.items():
            for seed in range(seeds):
                params = composer.params(
                    (*overrides, f"seed={seed}", f"sim.n_customers={customers}",
                     f"sim.days={days}")
                )
                res = simulate(params)
                rec = res.extras["recoveries"]
                yield (f"{name:30s} seed={seed}  steps={sha_frame(res.steps)} "
                       f"summary={sha_json(res.summary)} recoveries={sha_frame(rec)} "
                       f"rows={len(res.steps)}/{len(rec)}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=400)
    ap.add_argument("--days", type=int, default=200)
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args(argv)
    for line in fingerprints(args.customers, args.days, args.seeds):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
