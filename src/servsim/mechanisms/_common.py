"""Small numeric helpers shared by the mechanisms."""

from __future__ import annotations

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
