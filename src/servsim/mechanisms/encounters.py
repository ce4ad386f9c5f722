"""Step 3 — encounters served by frontline staff within their capacity; excess waits.

Capacity of firm f: ``C_f = sum over its active staff of max(c (1 + k_m (m - 1/2)), 0)``
(c encounters per person-day; morale m raises productivity: the
service-profit chain's "employee satisfaction -> productivity", Heskett et
al. 1994), less the capacity used by proactive contacts.  Requests are
served oldest first (FIFO by days waited, random among equals); the rest
wait another day.  Each served request goes to a random active employee of
its firm.
"""

from __future__ import annotations

import numpy as np

from servsim.mechanisms._common import first_k_per_group, stochastic_round


def person_capacity(
    morale: np.ndarray, capacity_per_person: float, productivity_morale: float
) -> np.ndarray:
    """Encounters one employee can serve today: ``max(c (1 + k_m (m - 1/2)), 0)``."""
    return capacity_per_person * np.maximum(1.0 + productivity_morale * (morale - 0.5), 0.0)


def staff_capacity(
    active: np.ndarray,
    morale: np.ndarray,
    firm: np.ndarray,
    n_firms: int,
    capacity_per_person: float,
    productivity_morale: float,
) -> np.ndarray:
    """Encounter capacity per firm today (float, before proactive contacts)."""
    per_person = person_capacity(morale, capacity_per_person, productivity_morale)
    return np.bincount(firm[active], weights=per_person[active], minlength=n_firms)


def serve(
    request_firm: np.ndarray,
    request_wait: np.ndarray,
    capacity: np.ndarray,
    u_order: np.ndarray,
    u_round: np.ndarray,
) -> np.ndarray:
    """Mask of requests served today: per firm, the ``C_f`` longest-waiting.

    ``capacity`` (float per firm) is rounded stochastically with ``u_round``
    (one uniform per firm); ``u_order`` (one per request) breaks ties.
    """
    slots = stochastic_round(np.maximum(capacity, 0.0), u_round)
    return first_k_per_group(request_firm, request_wait, slots, u_order)


def assign_staff(
    firm_of_encounter: np.ndarray, staff_active: np.ndarray, staff_firm: np.ndarray, u: np.ndarray
) -> np.ndarray:
    """A random active employee of the right firm for each encounter (index into staff).

    Returns -1 where the firm has no active staff.
    """
    pool = np.flatnonzero(staff_active)
    pool = pool[np.argsort(staff_firm[pool], kind="stable")]
    n_firms = int(max(staff_firm.max(initial=-1), firm_of_encounter.max(initial=-1))) + 1
    counts = np.bincount(staff_firm[pool], minlength=n_firms)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    c = counts[firm_of_encounter]
    pick = starts[firm_of_encounter] + np.floor(u * c).astype(np.int64)
    out = np.full(firm_of_encounter.size, -1, dtype=np.int64)
    ok = c > 0
    out[ok] = pool[np.minimum(pick[ok], pool.size - 1)]
    return out
