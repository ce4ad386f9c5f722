"""Step 3 — encounters served by frontline staff within their capacity; excess waits.

Capacity of firm f: ``C_f = sum over its active staff of max(c (1 + k_m (m - 1/2)), 0)``
(c encounters per person-day; morale m raises productivity: the
service-profit chain's "employee satisfaction -> productivity", Heskett et
al. 1994), less the capacity used by proactive contacts.  Requests are
served oldest first (FIFO by days waited, random among equals; the queue
itself is :func:`servsim.kernels.service.first_k_per_group`); the rest wait
another day, and a customer who has waited ``patience_days`` gives up.  Each
served request goes to a random active employee of its firm.
"""

from __future__ import annotations

import numpy as np

from servsim.mechanisms._common import formula

f32 = np.float32


@formula
def person_capacity(morale: np.float32, capacity_per_person: float,
                    productivity_morale: float) -> np.float32:
    """Encounters one employee can serve today: ``max(c (1 + k_m (m - 1/2)), 0)``.

    float32 (morale is float32; ``c`` and ``k_m`` are rounded to float32).
    """
    return f32(capacity_per_person) * max(
        f32(1.0) + f32(productivity_morale) * (morale - f32(0.5)), f32(0.0))


@formula
def overload(demand: float, capacity: float) -> float:
    """Load of a firm's frontline: ``demand / capacity`` (requests and proactive
    contacts over the staff's capacity), 2 when the firm has no capacity.
    """
    return demand / capacity if capacity > 0 else 2.0


@formula
def request_capacity(capacity: float, proactive: float) -> float:
    """Capacity left for requests once proactive contacts are made: ``max(C_f - p_f, 0)``."""
    return max(max(capacity - proactive, 0.0), 0.0)


@formula
def gives_up(served: bool, wait_days: int, patience_days: int) -> bool:
    """A request not served today whose customer has now waited longer than its
    segment's patience is given up (and counts as a failed encounter).
    """
    return not served and wait_days + 1 > patience_days
