"""Step 2 — service needs arise; proactive contacts in the productized stage.

A customer with no open request or complaint needs service with daily
probability ``need_rate`` of its segment (a Bernoulli thinning of a Poisson
stream).  Under a service contract (seed 004, productized stage) the firm
makes proactive contacts at ``proactive_rate`` per contracted customer-day;
they use frontline capacity and pre-empt a share of failures
(:func:`servsim.mechanisms.quality.failure_probability`).
"""

from __future__ import annotations

import numpy as np


def arise(u: np.ndarray, need_rate: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Mask of customers who need service today: ``eligible & (u < need_rate)``."""
    return eligible & (u < need_rate)


def proactive_contacts(
    rng: np.random.Generator, contracts: np.ndarray, proactive_rate: np.ndarray
) -> np.ndarray:
    """Proactive contacts per firm today: ``Binomial(contracts_f, rate_f)``."""
    return rng.binomial(contracts.astype(np.int64), np.clip(proactive_rate, 0.0, 1.0))
