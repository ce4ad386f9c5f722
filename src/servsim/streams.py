"""Counter-based uniforms: U(seed, stream, customer, k) by a SplitMix64 hash (a leaf module:
numpy only), for per-customer random streams (common random numbers in calibration)."""

from __future__ import annotations

import numpy as np

# streams (purposes) of the per-customer uniforms: heterogeneity at set-up
# (servsim.heterogeneity) and, with sim.counter_draws = 1, the choice step's daily draws
# keyed by (seed, stream, customer, day) (servsim.kernels.choice)
RATE_STREAM, DROPOUT_STREAM, ENTRY_STREAM = 16, 17, 18
OCCASION_STREAM, DEFECTION_STREAM, CHOICE_STREAM, CONTRACT_STREAM = 20, 21, 22, 23
ADOPT_STREAM, SHARE_STREAM, PICK_STREAM = 24, 25, 26

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def hashed_uniform(seed: int, stream: int, customer, k=0) -> np.ndarray:
    """Uniforms in (0, 1) indexed by (seed, stream, customer, k): SplitMix64 of a counter.

    The same arguments always give the same number, independently of any other draw.
    """
    customer = np.asarray(customer, dtype=np.uint64)
    k = np.asarray(k, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = (np.uint64(seed) * np.uint64(0xD1B54A32D192ED03)
             + np.uint64(stream) * np.uint64(0x8CB92BA72F3D8DD7)
             + customer * np.uint64(0x9FB21C651E98DF25) + k * _GOLDEN)
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
        z = z ^ (z >> np.uint64(31))
    return ((z >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53
