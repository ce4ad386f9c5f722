"""Step 8a — prospects adopt a firm: the Bass hazard split by a logit choice.

A prospect (never adopted, or lapsed) hears of firm f through advertising
and word of mouth; its adoption hazard toward f is

    a_f = p * adv_f + q * pos_in_f

(Bass 1969: innovation p from external influence, imitation q from
adopters; on the complete graph pos_in_f is the adopted fraction, giving
the Bass hazard p + q F).  A prospect who considers f buys with the
conversion probability of a binary logit against the outside option of not
buying (McFadden 1974):

    pi_f = logistic(U_f - U_0),
    U_f  = b_q E0_f - b_p * price_sensitivity * price_f + b_a A_f

where E0_f is the expected quality (the promise blended with the norm,
:func:`servsim.mechanisms.expectations.prospect_expectation`) and A_f the
attitude.  So the prospect adopts some firm with probability
``min(1, sum_f a_f pi_f)`` and, given adoption, firm f with probability
proportional to ``a_f pi_f`` (:func:`choose`).  Awareness gates choice: a firm
nobody has heard of today cannot be chosen.  With no outside option
(U_0 -> -inf, pi = 1) this is exactly the discrete-time Bass recursion.

A defector who switches (:mod:`.relationship`) picks another firm with
probability proportional to ``exp(U_f - max U)`` (a multinomial logit over the
competitors, computed by numpy).
"""

from __future__ import annotations

import numpy as np

from servsim.mechanisms._common import formula, logistic


@formula
def hazard(advertising: float, pos_in: np.float32, innovation: float,
           imitation: float) -> float:
    """Adoption hazard toward a firm: ``p adv_f + q pos_in_f`` (float64; ``q pos_in``
    is a float32 product, ``q`` rounded to float32, as numpy computed it on the
    float32 shares).
    """
    return innovation * advertising + np.float64(np.float32(imitation) * pos_in)


@formula
def adopt_probability(total: float) -> float:
    """P(adopting any firm today) = ``min(1, sum_f a_f pi_f)``, given the sum
    (also P(hearing of any firm) = ``min(1, sum_f a_f)``).
    """
    return min(total, 1.0)


@formula
def utility(expected_quality: float, price: float, price_sensitivity: float,
            attitude: np.float32, weight_quality: float, weight_price: float,
            weight_attitude: float) -> float:
    """Choice utility of a firm: ``b_q E0 - b_p * sensitivity * price + b_a A`` (float64)."""
    return (weight_quality * expected_quality - weight_price * price_sensitivity * price
            + weight_attitude * np.float64(attitude))


@formula
def conversion(utility: float, outside_utility: float) -> float:
    """Conversion probability ``pi_f = logistic(U_f - U_0)`` (float64)."""
    return logistic(utility - outside_utility)


@formula
def choose(weights: np.ndarray, u: float) -> int:
    """Index drawn with probability proportional to ``weights`` (one row, float64).

    The first index whose running sum exceeds ``u * total``; -1 when every
    weight is zero.
    """
    total = 0.0
    for w in weights:
        total += w
    if not total > 0:
        return -1
    bar = u * total
    cum, pick = 0.0, 0
    for w in weights:
        cum += w
        pick += cum <= bar
    return min(pick, weights.size - 1)
