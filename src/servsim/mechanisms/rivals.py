"""Rivals' price response (issue 14 item 5), at the start of a review day.

Off by default (``market.reaction = "none"``: prices stay what the strategies
set).  Every ``market.review_days`` days each competitor (every firm but the
focal, index 0) resets its price index ``p`` a share ``lambda``
(``market.reaction_speed``) of the way toward a target price ``p*``, clamped to
[``reaction_price_min``, ``reaction_price_max``]:

    p <- clamp(p + lambda (p* - p))

``"follow"`` (a reaction function; price leadership by the focal firm):
the target lies a share ``w`` (``market.reaction_weight``) of the way from
the rival's own starting price ``p0`` to the focal's current price ``p_A``:

    p* = (1 - w) p0 + w p_A

``"best_response"`` (periodic myopic best response over a price grid): the
rival picks the grid price (``GRID`` points evenly over the allowed range)
that maximises a cheap profit estimate built from its last review period:

    s(p)   = s e^{-b (p - p_now)} / (s e^{-b (p - p_now)} + 1 - s)   (a binary logit
             of itself against everything else, through its current share s of the
             population, so rivals' prices enter through the shares they produced)
    b      = -eps / (p_now (1 - s))     (so that the own-price elasticity of customers
             at the current price is the believed ``eps = market.reaction_elasticity``)
    pi(p)  = N s(p) / s * (r p / p_now - c)

with ``N`` its mean customers, ``r`` its revenue and ``c`` its cost per
customer-day over the period less its fixed costs (overhead and advertising,
which are set per market size and move with no price).  It treats every other
cost as proportional to customers and revenue as proportional to price, ignores service and
retention dynamics and expects the others to keep their prices (a
Cournot-Nash-style adjustment process, not a forward-looking equilibrium).
Plain float64.
"""

from __future__ import annotations

import math

from servsim.mechanisms._common import formula

REACTIONS = ("none", "follow", "best_response")
"""The allowed values of ``market.reaction``."""

GRID = 41
"""Price points of the best-response grid (evenly over [reaction_price_min, reaction_price_max])."""


@formula
def follow_target(own_start: float, focal_price: float, weight: float) -> float:
    """``p* = (1 - w) p0 + w p_A``: the follower's target price."""
    return (1.0 - weight) * own_start + weight * focal_price


@formula
def adjust(price: float, target: float, speed: float, low: float, high: float) -> float:
    """``clamp(p + lambda (p* - p), low, high)``: one review's price move."""
    p = price + speed * (target - price)
    return min(max(p, low), high)


@formula
def profit_estimate(price: float, price_now: float, share: float, customers: float,
                    revenue: float, cost: float, elasticity: float) -> float:
    """``pi(p)`` per day of the module docstring (0 when the rival has no customers).

    ``revenue`` and ``cost`` are per customer-day; ``share`` is the rival's share
    of the population (in (0, 1)); ``elasticity`` < 0.
    """
    if customers <= 0.0 or share <= 0.0 or share >= 1.0:
        return 0.0
    b = -elasticity / (price_now * (1.0 - share))
    x = share * math.exp(-b * (price - price_now))
    s = x / (x + 1.0 - share)
    return customers * s / share * (revenue * price / price_now - cost)
