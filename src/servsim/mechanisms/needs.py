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

from servsim.mechanisms._common import formula


@formula
def needs_service(u: np.float32, need_rate: np.float32, active: bool, busy: bool) -> bool:
    """Whether a customer needs service today: ``u < need_rate`` for an active customer
    with nothing open (``u`` one float32 uniform per customer, ``need_rate`` the
    segment's rate rounded to float32).
    """
    return u < need_rate and active and not busy


def proactive_contacts(
    rng: np.random.Generator, contracts: np.ndarray, proactive_rate: np.ndarray
) -> np.ndarray:
    """Proactive contacts per firm today: ``Binomial(contracts_f, rate_f)`` (numpy's
    binomial draws, one per firm).
    """
    return rng.binomial(contracts.astype(np.int64), np.clip(proactive_rate, 0.0, 1.0))
