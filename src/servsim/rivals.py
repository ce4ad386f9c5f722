"""Competitors' price reviews: the engine glue of :mod:`servsim.mechanisms.rivals`.

:func:`review_prices` is called by :meth:`servsim.model.ServiceMarket.step` at the
start of every ``market.review_days``-th day when ``market.reaction`` is not
``"none"`` (with ``"none"`` it is never called and nothing changes: runs stay
bit-identical).  It moves every competitor's price index in ``model.firms.price``
(firm 0, the focal firm, keeps its strategy's price); the kernels read the
prices afresh each day.  No random numbers are drawn.
"""

from __future__ import annotations

import numpy as np

from servsim.mechanisms import rivals
from servsim.results import METRIC_INDEX


def review_prices(model) -> None:
    """On a review day (``day`` a multiple of ``market.review_days``), one price review of
    every competitor (ODD 7.18); on other days nothing."""
    m = model.params.market
    if model.day % m.review_days:
        return  # not a review day
    price = model.firms.price
    if not hasattr(model, "start_price"):
        model.start_price = price.copy()  # the strategies' prices (no review before today)
    low, high = m.reaction_price_min, m.reaction_price_max
    if m.reaction == "follow":
        targets = [rivals.follow_target(float(model.start_price[j]), float(price[0]),
                                        m.reaction_weight) for j in range(model.n_firms)]
    elif m.reaction == "best_response":
        window = model.records[max(model.day - m.review_days, 0):model.day]
        customers = window[:, :, METRIC_INDEX["customers"]].mean(axis=0)
        revenue = window[:, :, METRIC_INDEX["revenue"]].mean(axis=0)
        # fixed costs (overhead, advertising: per market size) move with no price
        cost = (window[:, :, METRIC_INDEX["cost"]] - window[:, :, METRIC_INDEX["cost_overhead"]]
                - window[:, :, METRIC_INDEX["cost_advertising"]]).mean(axis=0)
        grid = np.linspace(low, high, rivals.GRID)
        targets = []
        for j in range(model.n_firms):
            n_j = float(customers[j])
            if n_j <= 0.0:
                targets.append(float(price[j]))
                continue
            args = (float(price[j]), n_j / model.n, n_j, float(revenue[j]) / n_j,
                    float(cost[j]) / n_j, m.reaction_elasticity)
            profits = [rivals.profit_estimate(float(p), *args) for p in grid]
            targets.append(float(grid[int(np.argmax(profits))]))
    else:
        raise ValueError(f"market.reaction={m.reaction!r}: expected none, follow or "
                         "best_response")
    for j in range(1, model.n_firms):
        price[j] = rivals.adjust(float(price[j]), targets[j], m.reaction_speed, low, high)
    if not hasattr(model, "price_log"):
        model.price_log = []  # (day, prices after the review)
    model.price_log.append((model.day, price.copy()))
