"""Step 9 — revenue and cost by source (seed 002: profit from new customers,
cross-/up-selling and longer customer life; seed 004: after-sales service).

Per purchase by a customer of value v at price index p:

    purchases = v p
    premium   = v p * loyalty_premium      (loyal and advocate customers only)
    crossbuy  = v p * cross_buy            (loyal and advocate customers only)
    goods     = v * g_f * (1 + cross_buy * loyal)
    g_f       = cost_of_goods * (pq_f / pq_ref)**κ_g      (the firm's unit cost of goods)

The unit cost of goods rises with the firm's product quality ``pq_f``
(:func:`goods_cost_share`, at set-up): ``cost_of_goods`` is the share for the
market's mainstream product ``pq_ref`` (``market.reference_product_quality``),
and ``κ_g`` (``market.product_cost_curvature``) is the elasticity of unit cost
with respect to product quality (0: every product costs the same).

Service revenue: ``contracts * contract_fee + encounters * service_fee``.
Daily costs: wages (staff and managers, managers at ``MANAGER_WAGE_FACTOR``
times the wage), training (staff * training * training_cost), compensation
paid in recoveries (the offer times the customer's value), proactive and
follow-up contacts, advertising (``advertising * advertising_cost * N / 1000``),
hiring, the material cost of encounters (``cost_per_encounter *
service_level**κ`` each, not for those given up: a convex cost of designed quality,
κ = ``quality_cost_curvature``), acquisition (``acquisitions * acquisition_cost *
v̄``, v̄ the market's mean purchase value at price 1; seed 002's cost of
developing new customers) and a fixed overhead (``overhead * N / 1000``, a
cost independent of the firm's own volume, set by
:mod:`servsim.calibration.margins` to the market's net margin).
Profit = revenue - cost, every day and cumulatively.  All float64.
"""

from __future__ import annotations

import numpy as np

from servsim.mechanisms._common import formula
from servsim.state import ADVOCATE, LOYAL

MANAGER_WAGE_FACTOR = 1.5
"""A manager's wage relative to a frontline employee's."""


@formula
def goods_cost_share(cost_of_goods: float, product_quality: float, reference: float,
                     curvature: float) -> float:
    """A firm's unit cost of goods per unit of purchase value at price 1 (float64):
    ``cost_of_goods * (pq / pq_ref)**κ_g``; equal to ``cost_of_goods`` for the
    mainstream product (``pq = pq_ref``) or with ``κ_g = 0``.

    Better products cost more to make (vertical differentiation: Mussa & Rosen 1978;
    Moorthy 1988, where unit cost rises convexly in quality).
    """
    return cost_of_goods * (product_quality / reference) ** curvature


@formula
def purchase_amounts(value: float, price: float, loyal: bool, loyalty_premium: float,
                     cross_buy: float, cost_of_goods: float):
    """(purchases, premium, crossbuy, goods cost) of one purchase (see module docstring;
    ``cost_of_goods`` is the firm's own share, :func:`goods_cost_share`)."""
    is_loyal = 1.0 if loyal else 0.0
    base = value * price
    return (base, base * loyalty_premium * is_loyal, base * cross_buy * is_loyal,
            value * cost_of_goods * (1.0 + cross_buy * is_loyal))


@formula
def service_revenue(contracts: float, encounters: float, contract_fee: float,
                    service_fee: float) -> float:
    """A day's service revenue: ``contracts * contract_fee + encounters * service_fee``."""
    return contracts * contract_fee + encounters * service_fee


@formula
def wages(staff: int, managers: int, wage: float) -> float:
    """A day's wages: ``wage * (staff + MANAGER_WAGE_FACTOR * managers)``."""
    return wage * (staff + MANAGER_WAGE_FACTOR * managers)


@formula
def training_cost(staff: int, training: float, cost: float) -> float:
    """A day's training: ``staff * training * training_cost``."""
    return staff * training * cost


@formula
def advertising_cost(advertising: float, cost_per_1000: float, n_market: int) -> float:
    """A day's advertising: ``advertising * cost_per_1000 * N / 1000``."""
    return advertising * cost_per_1000 * n_market / 1000.0


@formula
def encounter_cost(cost_per_encounter: float, level: float, gave_up: bool,
                   curvature: float) -> float:
    """Material cost of an encounter: ``cost_per_encounter * service_level**κ`` (a convex
    cost of designed quality; 0 if the customer gave up).
    """
    return cost_per_encounter * level**curvature * (0.0 if gave_up else 1.0)


@formula
def acquisition_cost(acquisitions: float, cost_per_account: float, mean_value: float) -> float:
    """A day's acquisition cost: ``acquisitions * acquisition_cost * v̄``."""
    return acquisitions * cost_per_account * mean_value


@formula
def overhead_cost(overhead_per_1000: float, n_market: int) -> float:
    """A day's fixed overhead: ``overhead * N / 1000``."""
    return overhead_per_1000 * n_market / 1000.0


@formula
def compensation_cost(compensation: float, value: np.float32) -> float:
    """What a recovery pays: the firm's compensation offer times the customer's value."""
    return compensation * np.float64(value)


@formula
def hiring_cost(hires: float, cost_per_hire: float) -> float:
    """A day's hiring cost: ``hires * hiring_cost``."""
    return hires * cost_per_hire


@formula
def proactive_cost(contacts: int, cost_per_contact: float) -> float:
    """A day's proactive contacts: ``contacts * proactive_cost``."""
    return contacts * cost_per_contact


@formula
def followup_cost(followed_up: bool, cost_per_call: float) -> float:
    """Cost of an encounter's follow-up call (0 if none was made)."""
    return cost_per_call if followed_up else 0.0


@formula
def pays_loyalty(stage: int) -> bool:
    """Whether a purchase earns the loyalty premium and cross-buying: the buyer is
    loyal or an advocate.
    """
    return stage == LOYAL or stage == ADVOCATE
