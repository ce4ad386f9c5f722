"""market.price_response (k_p, ODD 7.9) and its calibration,
servsim.calibration.elasticity: the search and the YAML writer (the full calibration
runs in `python -m servsim.calibration.elasticity`, several minutes a market)."""

from __future__ import annotations

import dataclasses
import shutil

import numpy as np
import pytest
import yaml

from servsim.calibration import elasticity
from servsim.firms import segment_table
from servsim.params import Params
from servsim.simulate import simulate
from servsim.validation._core import market_params
from servsim.validation.economics import EXPECTED_ELASTICITY


def test_price_response_scales_every_segments_price_sensitivity():
    params = market_params("company_a")
    raw = np.array([s.price_sensitivity for s in params.market.segments.values()])
    params.market.price_response = 0.5
    np.testing.assert_array_equal(segment_table(params).price_sensitivity, 0.5 * raw)
    params.market.price_response = 1.0
    np.testing.assert_array_equal(segment_table(params).price_sensitivity, raw)


def _customers(price: float, k: float) -> np.ndarray:
    p = Params()
    p.sim.n_customers, p.sim.days, p.sim.seed = 800, 90, 4
    p.market.focal_initial_share = 0.3
    p.market.price_response = k
    p.strategy.price = price
    steps = simulate(p).steps
    return steps["customers"].to_numpy()


def test_without_price_response_price_moves_no_choice():
    """k_p = 0: two prices, same seed, identical customer counts every day (price is
    out of every choice); k_p = 1: the dearer firm ends with fewer customers."""
    np.testing.assert_array_equal(_customers(1.0, 0.0), _customers(1.5, 0.0))
    cheap, dear = _customers(1.0, 1.0), _customers(1.5, 1.0)
    assert dear[-1] < cheap[-1]


def test_search_is_proportional_first_then_secant():
    assert elasticity.next_k([(1.0, -2.0)], -1.0) == pytest.approx(0.5)
    # a constant-elasticity response e(k) = -2 k^0.8: exact after the secant step
    measure = lambda k: -2.0 * k ** 0.8  # noqa: E731
    trials = elasticity.search(measure, 1.0, -1.2, tolerance=1e-3)
    assert abs(trials[-1][1] + 1.2) <= 1e-3
    assert trials[-1][0] == pytest.approx(0.6 ** 1.25, abs=2e-4)
    assert len(trials) <= 4


def test_search_stops_at_its_budget_and_keeps_the_closest():
    measure = lambda k: -3.0 + 0.0 * k  # noqa: E731  (does not answer k: never converges)
    trials = elasticity.search(measure, 1.0, -1.0, max_evaluations=3)
    assert len(trials) <= 3
    cal = elasticity.Calibration("x", -1.0, "test", trials)
    assert not cal.converged and cal.best in trials


def test_calibration_seeds_are_not_the_checks():
    from servsim.validation.economics import _sizes

    assert not set(elasticity.SEEDS) & set(range(_sizes("full")[3]))
    assert set(EXPECTED_ELASTICITY) == {p.stem for p in elasticity.MARKET_DIR.glob("*.yaml")}


def test_write_puts_price_response_in_the_market_yaml(tmp_path):
    path = tmp_path / "telecom.yaml"
    shutil.copy(elasticity.MARKET_DIR / "telecom.yaml", path)
    before = yaml.safe_load(path.read_text())
    for k in (0.8125, 1.25):  # a re-run replaces, never duplicates
        cal = elasticity.Calibration("telecom", -1.8, "test", [(k, -1.79)])
        elasticity.write("telecom", cal, path)
    data = yaml.safe_load(path.read_text())
    assert data["price_response"] == 1.25
    assert path.read_text().count("price_response:") == 1
    data.pop("price_response")
    before.pop("price_response", None)
    assert data == before  # the rest kept


def test_price_response_is_a_documented_market_parameter():
    field = {f.name: f for f in dataclasses.fields(Params().market)}["price_response"]
    assert "calibration.elasticity" in field.metadata["source"]
