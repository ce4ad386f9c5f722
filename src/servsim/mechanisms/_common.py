"""Small numeric helpers shared by the mechanisms."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit


def logistic(x: np.ndarray | float) -> np.ndarray:
    """The logistic function 1 / (1 + e^-x), computed in float64 without overflow."""
    return expit(np.asarray(x, dtype=np.float64))


def logit(p: float) -> float:
    """Log-odds of a probability; ``p`` is clipped to [1e-12, 1 - 1e-12] to stay finite."""
    p = min(max(p, 1e-12), 1 - 1e-12)
    return float(np.log(p / (1 - p)))


def stochastic_round(x: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Round ``x`` >= 0 down or up so that the expectation equals ``x``."""
    base = np.floor(x)
    return (base + (u < (x - base))).astype(np.int64)


def first_k_per_group(
    group: np.ndarray, priority: np.ndarray, slots: np.ndarray, u: np.ndarray
) -> np.ndarray:
    """Mask selecting, in each group g, the ``slots[g]`` items of highest priority.

    Ties in ``priority`` are broken by the uniforms ``u``.  Used for FIFO
    service (priority = days waited) and manager approval queues.
    """
    if group.size == 0:
        return np.zeros(0, dtype=bool)
    order = np.lexsort((u, -np.asarray(priority, dtype=np.float64), group))
    g_sorted = group[order]
    first = np.searchsorted(g_sorted, np.arange(len(slots)))
    rank = np.arange(order.size) - first[g_sorted]
    chosen = np.empty(order.size, dtype=bool)
    chosen[order] = rank < slots[g_sorted]
    return chosen


def below_rate(u: np.ndarray, rate: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Indices i (ascending) where ``u[i] < rate[group[i]]``: who a Bernoulli draw selects.

    Equal to ``np.flatnonzero(u < rate[group])``, but the per-item rate is looked up
    only for the few draws below the largest rate (rates are small daily
    probabilities), which saves a gather over the whole population.  ``u`` and
    ``rate`` must share a dtype for the comparison to be the same.
    """
    cand = np.flatnonzero(u < rate.max())
    return cand[u[cand] < rate[group[cand]]]


def running_sum(values: np.ndarray) -> float:
    """The float64 sum of float32 ``values`` added one by one, in order.

    Equal, bit for bit, to ``np.cumsum(values, dtype=np.float64)[-1]`` (and to
    ``np.bincount``'s weighted sums), but usually at the cost of a pairwise sum:
    when every partial sum is exactly representable the order cannot matter.  All
    values are multiples of ``2**(e - 23)`` when the smallest non-zero one is at
    least ``2**e`` (float32 has a 24-bit significand), and so is every partial
    sum, which stays below ``count * max``: if that is below ``2**(e + 30)``
    (53 bits) no addition rounds.  Otherwise (a tiny non-zero value among many,
    negative values, another dtype) the running sum is computed as such.
    """
    if values.size == 0:
        return 0.0
    top = float(values.max())
    low = float(values.min())
    if values.dtype == np.float32 and top > 0.0 and low >= 0.0:
        if low == 0.0:  # the smallest non-zero value decides
            low = float(np.minimum.reduce(values, where=values > 0, initial=np.inf))
        e = math.frexp(low)[1] - 1  # low >= 2**e
        if values.size * top < 2.0 ** (e + 30):
            return float(np.sum(values, dtype=np.float64))
    return float(np.cumsum(values, dtype=np.float64)[-1])
