"""Step 9 — revenue and cost by source (seed 002: profit from new customers,
cross-/up-selling and longer customer life; seed 004: after-sales service).

Per purchase by a customer of value v at price index p:

    purchases = v p
    premium   = v p * loyalty_premium      (loyal and advocate customers only)
    crossbuy  = v p * cross_buy            (loyal and advocate customers only)
    goods     = v * cost_of_goods * (1 + cross_buy * loyal)

Service revenue: ``contracts * contract_fee + encounters * service_fee``.
Daily costs: wages (staff and managers, managers at ``MANAGER_WAGE_FACTOR``
times the wage), training (staff * training * training_cost), compensation
paid in recoveries, proactive and follow-up contacts, advertising
(``advertising * advertising_cost * N / 1000``), hiring, and the material cost
of encounters (``cost_per_encounter * service_level`` each).
Profit = revenue - cost, every day and cumulatively.
"""

from __future__ import annotations

import numpy as np

MANAGER_WAGE_FACTOR = 1.5
"""A manager's wage relative to a frontline employee's."""


def purchase_amounts(
    value: np.ndarray,
    price: np.ndarray,
    loyal: np.ndarray,
    loyalty_premium: np.ndarray,
    cross_buy: np.ndarray,
    cost_of_goods: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(purchases, premium, crossbuy, goods cost) per purchase (see module docstring)."""
    base = value * price
    premium = base * loyalty_premium * loyal
    crossbuy = base * cross_buy * loyal
    goods = value * cost_of_goods * (1.0 + cross_buy * loyal)
    return base, premium, crossbuy, goods


def staff_costs(
    staff: np.ndarray,
    managers: np.ndarray,
    wage: np.ndarray,
    training: np.ndarray,
    training_cost: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(wages, training) per firm for a day."""
    wages = wage * (staff + MANAGER_WAGE_FACTOR * managers)
    return wages, staff * training * training_cost


def advertising_cost(advertising: np.ndarray, cost_per_1000: np.ndarray, n_market: int):
    """Advertising spend per firm for a day."""
    return advertising * cost_per_1000 * n_market / 1000.0
