"""Erlang B/C and square-root staffing (servsim.mechanisms.queueing) against direct formulas."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servsim.mechanisms import queueing as q


def direct_erlang_c(c: int, a: float) -> float:
    """Erlang C from its textbook sum (exact rationals via floats, small c only)."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


@settings(deadline=None)
@given(c=st.integers(1, 60), rho=st.floats(0.01, 0.99))
def test_erlang_c_matches_the_textbook_sum(c, rho):
    a = rho * c
    assert q.erlang_c(c, a) == pytest.approx(direct_erlang_c(c, a), rel=1e-9, abs=1e-12)


def test_known_values_and_limits():
    assert q.erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: P(wait) = rho
    assert q.erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert q.erlang_c(5, 5.0) == 1.0 and q.erlang_c(5, 7.0) == 1.0  # unstable
    assert q.erlang_c(3, 0.0) == 0.0
    # M/M/1 mean wait: rho / (mu - lambda)
    assert q.mean_wait(1, 0.8, 1.0) == pytest.approx(0.8 / 0.2)
    assert math.isinf(q.mean_wait(2, 2.0, 1.0))


def test_staffing_is_the_smallest_that_meets_the_target():
    for a in (0.3, 2.0, 17.5, 240.0):
        for target in (0.05, 0.2, 0.5, 0.8):
            c = q.staff_for_wait_probability(a, target)
            assert q.erlang_c(c, a) <= target
            assert c == 1 or q.erlang_c(c - 1, a) > target


def test_square_root_staffing_approaches_the_halfin_whitt_limit():
    beta = 1.0
    limit = q.halfin_whitt_wait_probability(beta)
    assert limit == pytest.approx(0.2234, abs=1e-3)
    probs = [q.erlang_c(q.square_root_staffing(a, beta), a) for a in (100.0, 1e3, 1e4, 1e5)]
    assert abs(probs[-1] - limit) < 0.01
    assert np.ptp(probs) < 0.06  # roughly constant as the load grows 1000-fold


def test_array_form_broadcasts():
    out = q.erlang_c_array([1, 2, 10], [0.5, 1.0, 8.0])
    assert out.shape == (3,)
    assert out[2] == pytest.approx(direct_erlang_c(10, 8.0))
