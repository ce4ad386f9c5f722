"""Queueing formulas for staffing by service level (M/M/c, Erlang C).

Frontline service is a multi-server queue: requests arrive at rate λ per day, each
of c servers serves μ per day, offered load ``a = λ / μ``, utilisation
``ρ = a / c``.  Erlang's delay formula gives the probability that a request waits
(Erlang 1917; Gans, Koole & Mandelbaum 2003, "Telephone call centers", MSOM, eq. 1):

    B(0, a) = 1,   B(c, a) = a B(c-1, a) / (c + a B(c-1, a))        (Erlang B, stable)
    C(c, a) = c B(c, a) / (c - a (1 - B(c, a)))        for a < c, else 1
    W_q     = C(c, a) / (c μ - λ)                      (mean wait, days)

Square-root staffing (Halfin & Whitt 1981): ``c = a + β √a`` keeps the waiting
probability near ``P(β) = [1 + β Φ(β) / φ(β)]^-1`` as the load grows (the
quality-and-efficiency-driven regime).

All functions are scalar, float64, compiled (numba); ``*_array`` forms apply them
element by element for tests and notebooks.
"""

from __future__ import annotations

import math

import numba
import numpy as np

_jit = numba.njit(cache=True, error_model="numpy")


@_jit
def erlang_b(c: int, a: float) -> float:
    """Blocking probability of M/M/c/c (Erlang B) by the stable recursion."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


@_jit
def erlang_c(c: int, a: float) -> float:
    """Probability that a request waits in M/M/c with offered load ``a`` (1 if a >= c)."""
    if c <= 0 or a >= c:
        return 1.0
    if a <= 0.0:
        return 0.0
    b = erlang_b(c, a)
    return c * b / (c - a * (1.0 - b))


@_jit
def mean_wait(c: int, arrival_rate: float, service_rate: float) -> float:
    """Mean wait in queue ``W_q = C(c, a) / (c μ − λ)`` (inf when ``λ >= c μ``)."""
    if c * service_rate <= arrival_rate:
        return math.inf
    return erlang_c(c, arrival_rate / service_rate) / (c * service_rate - arrival_rate)


@_jit
def staff_for_wait_probability(a: float, target: float) -> int:
    """The smallest number of servers c with ``C(c, a) <= target`` (at least 1)."""
    if a <= 0.0:
        return 1
    c = max(int(math.floor(a)) + 1, 1)
    while erlang_c(c, a) > target:
        c += 1
    return c


@_jit
def square_root_staffing(a: float, beta: float) -> int:
    """Halfin-Whitt staffing ``c = ceil(a + β √a)`` (at least 1)."""
    return max(int(math.ceil(a + beta * math.sqrt(max(a, 0.0)))), 1)


def halfin_whitt_wait_probability(beta: float) -> float:
    """The limit of C(c, a) under square-root staffing: ``[1 + β Φ(β)/φ(β)]^-1``."""
    from scipy.stats import norm

    return float(1.0 / (1.0 + beta * norm.cdf(beta) / norm.pdf(beta)))


def erlang_c_array(c, a) -> np.ndarray:
    """:func:`erlang_c` element by element (broadcast)."""
    c, a = np.broadcast_arrays(np.asarray(c, dtype=np.int64), np.asarray(a, dtype=np.float64))
    return np.array([erlang_c(int(ci), float(ai)) for ci, ai in zip(c.ravel(), a.ravel(),
                                                                    strict=True)]
                    ).reshape(c.shape)
