"""The SMM objective along one parameter, with and without per-customer counter draws.

    python benchmarks/crn_smoothness.py                 # alpha and a, 15 points each
    python benchmarks/crn_smoothness.py --param b --points 15 --span 0.05

servsim's engine on the CDNOW cohort (the ``cdnow`` preset's moments and weights, the
``cdnow_servsim`` preset's stored estimates as the centre, engine seeds 0-1 as the fit
uses), the loss Q(theta) at ``points`` values of one parameter spread evenly over
centre x (1 -/+ span), the others fixed, once with ``sim.counter_draws = 0`` (the model's
sequential generator) and once with 1 (docs/ODD.md 7.10).  Printed per mode: the loss
at each point, and three roughness measures of the curve,

* ``ssd2``: the sum of squared second differences sum_k (Q_{k+1} - 2 Q_k + Q_{k-1})^2,
  divided by the squared range of Q (a smooth curve on a fine grid: near 0);
* ``minima``: interior local minima (Q_k below both neighbours; a convex curve: <= 1);
* ``resid``: the rms residual about a least-squares quadratic in theta, relative to the
  rms of Q about its mean (the share of the curve that is noise); ``noise``: the same rms
  residual absolute (loss units).
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def roughness(theta: np.ndarray, loss: np.ndarray) -> dict:
    """ssd2, minima and resid of a loss curve (see the module docstring)."""
    d2 = loss[2:] - 2 * loss[1:-1] + loss[:-2]
    span = float(loss.max() - loss.min()) or 1.0
    minima = int(np.sum((loss[1:-1] < loss[:-2]) & (loss[1:-1] < loss[2:])))
    fit = np.polyval(np.polyfit(theta, loss, 2), theta)
    noise = float(np.sqrt(np.mean((loss - fit) ** 2)))
    return {"ssd2": float(np.sum(d2 ** 2) / span ** 2), "minima": minima,
            "resid": noise / (float(np.std(loss)) or 1.0), "noise": noise}


def main(argv=None) -> int:
    from servsim.calibration import simulators, smm
    from servsim.calibration.config import load_config
    from servsim.calibration.pipeline import load_log

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--param", action="append", help="parameter(s): r, alpha, a, b")
    ap.add_argument("--points", type=int, default=15)
    ap.add_argument("--span", type=float, default=0.05, help="relative half-width")
    ap.add_argument("--seeds", default="0,1")
    args = ap.parse_args(argv)
    names = args.param or ["alpha", "a"]
    seeds = tuple(int(s) for s in args.seeds.split(","))
    config = load_config("cdnow")
    log = load_log(config)
    centre = dict(load_config("cdnow_servsim").fixed)
    spec = smm.MomentSpec(log.calibration_weeks, config.moments.max_count,
                          config.moments.recency_bin_weeks)
    weights = smm.bootstrap_weights(log, spec, config.moments.bootstrap_resamples)
    for name in names:
        theta = centre[name] * np.linspace(1 - args.span, 1 + args.span, args.points)
        for counter in (0, 1):
            sim = simulators.ServsimCohort.for_log(log, {"sim.counter_draws": counter})
            fixed = {k: v for k, v in centre.items() if k != name}
            problem = smm.SMMProblem(log, sim, [smm.Parameter(name, 1e-9, 1e9)], fixed,
                                     seeds, spec, weights)
            t0 = time.perf_counter()
            loss = np.array([problem.loss({name: float(x)}) for x in theta])
            r = roughness(theta, loss)
            print(f"{name} counter_draws={counter}: ssd2 {r['ssd2']:.3f}, "
                  f"local minima {r['minima']}, resid {r['resid']:.3f}, "
                  f"noise {r['noise']:.2e}, "
                  f"argmin {theta[np.argmin(loss)]:.4f} ({time.perf_counter() - t0:.0f} s)")
            print("  theta " + " ".join(f"{x:.4f}" for x in theta))
            print("  loss  " + " ".join(f"{x:.4e}" for x in loss), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
