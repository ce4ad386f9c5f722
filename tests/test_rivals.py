"""Rivals that react (issue 14 item 5; ODD 7.18): competitors' price reviews.

Behaviour, with fixed seeds: off is bit-identical (and a review that moves nothing
draws no random numbers); ``follow`` moves every rival along the stated partial
adjustment toward its target; ``best_response`` moves prices toward the estimated
profit maximum and a more elastic belief gives lower prices; bad input names the key.
"""

from __future__ import annotations

import numpy as np
import pytest

from servsim import replicate
from servsim.mechanisms import rivals
from servsim.model import ServiceMarket
from servsim.params import ParameterError, make_params

SMALL = ["market=company_a", "strategy=premium", "sim.n_customers=1000", "sim.days=125",
         "seed=3"]


def params(*extra: str):
    with replicate.Composer() as composer:
        return composer.params([*SMALL, *extra])


def run(*extra: str) -> ServiceMarket:
    model = ServiceMarket(params(*extra))
    model.run()
    return model


def test_off_and_a_review_that_moves_nothing_leave_the_run_bit_identical():
    base = run()
    off = run("market.reaction=none")
    still = run("market.reaction=follow", "market.reaction_speed=0")
    assert np.array_equal(base.records, off.records, equal_nan=True)
    # the reviews drew no random numbers:
    assert np.array_equal(base.records, still.records, equal_nan=True)
    assert len(still.price_log) == 4  # days 30, 60, 90, 120
    assert np.array_equal(still.firms.price, base.firms.price)


def test_follow_closes_the_stated_share_of_the_gap_at_each_review():
    model = run("market.reaction=follow", "market.reaction_speed=0.5",
                "market.reaction_weight=0.8", "market.review_days=30")
    start = model.start_price
    focal = start[0]
    assert focal == pytest.approx(1.40)
    assert [d for d, _ in model.price_log] == [30, 60, 90, 120]
    for j in range(1, model.n_firms):
        target = 0.2 * start[j] + 0.8 * focal
        for k, (_, prices) in enumerate(model.price_log, start=1):
            assert prices[j] == pytest.approx(target + (start[j] - target) * 0.5 ** k)
        # every rival priced unlike the focal moved toward the focal's price
        if start[j] != focal:
            assert abs(model.firms.price[j] - focal) < abs(start[j] - focal)
    assert np.any(model.firms.price[1:] != start[1:])
    assert model.firms.price[0] == focal  # the focal firm keeps its strategy's price
    # and the rivals' moves change the market
    assert not np.array_equal(model.records, run().records, equal_nan=True)


def test_follow_respects_the_price_bounds():
    model = run("market.reaction=follow", "market.reaction_speed=1",
                "market.reaction_weight=1", "market.reaction_price_max=1.2")
    assert np.all(model.firms.price[1:] == pytest.approx(1.2))


def test_profit_estimate_peaks_where_the_logit_markup_rule_says_for_a_small_firm():
    # a small share s: the estimate is ~ e^{-b p} (r p - c) with b = -eps / p_now, so it
    # peaks at p* = c / r + 1 / b (the logit markup rule); with p_now = 1, r = 2:
    grid = np.linspace(0.5, 3.0, 2501)

    def best(cost, eps):
        est = [rivals.profit_estimate(p, 1.0, 0.001, 10.0, 2.0, cost, eps) for p in grid]
        return grid[int(np.argmax(est))]

    assert best(1.0, -2.0) == pytest.approx(0.5 + 1 / 2, abs=0.01)  # = p_now: the
    # believed elasticity -2 at p_now is exactly the one where p_now is optimal (Lerner)
    assert best(1.0, -3.0) == pytest.approx(0.5 + 1 / 3, abs=0.01)  # more elastic: lower
    assert best(1.6, -2.0) == pytest.approx(0.8 + 1 / 2, abs=0.01)  # costlier: higher
    assert rivals.profit_estimate(1.0, 1.0, 0.0, 0.0, 2.0, 1.0, -2.0) == 0.0


def test_best_response_moves_rivals_and_a_more_elastic_belief_means_lower_prices():
    inelastic = run("market.reaction=best_response", "market.reaction_elasticity=-1.2")
    elastic = run("market.reaction=best_response", "market.reaction_elasticity=-3.0")
    for model in (inelastic, elastic):
        assert len(model.price_log) == 4
        assert np.all(model.firms.price[1:] >= 0.7) and np.all(model.firms.price[1:] <= 2.0)
        assert not np.array_equal(model.firms.price[1:], model.start_price[1:])
    assert np.all(elastic.firms.price[1:] < inelastic.firms.price[1:])


def test_bad_reaction_input_names_the_key_and_the_allowed_values():
    with pytest.raises(ParameterError, match=r"market\.reaction='bogus'.*none, follow"):
        make_params(**{"market.reaction": "bogus"})
    with pytest.raises(ParameterError, match="market.reaction_price_min"):
        make_params(**{"market.reaction_price_min": 2.5, "market.reaction_price_max": 2.0})
    with pytest.raises(ParameterError, match="market.review_days"):
        make_params(**{"market.review_days": 0})
