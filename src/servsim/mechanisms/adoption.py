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

where E0_f is the expected quality (the promise blended with the norm) and
A_f the attitude.  So the prospect adopts some firm with probability
``min(1, sum_f a_f pi_f)`` and, given adoption, firm f with probability
proportional to ``a_f pi_f``.  Awareness gates choice: a firm nobody has
heard of today cannot be chosen.  With no outside option (U_0 -> -inf,
pi = 1) this is exactly the discrete-time Bass recursion.
"""

from __future__ import annotations

import numpy as np

from servsim.mechanisms._common import logistic


def hazards(advertising: np.ndarray, pos_in: np.ndarray, p: float, q: float) -> np.ndarray:
    """Adoption hazards a (n x F): ``p adv_f + q pos_in_f``."""
    return p * advertising[None, :] + q * pos_in


def utility(
    expected_quality: np.ndarray,
    price: np.ndarray,
    price_sensitivity: np.ndarray,
    attitude: np.ndarray,
    weight_quality: float,
    weight_price: float,
    weight_attitude: float,
) -> np.ndarray:
    """Choice utility (n x F) of each firm for each chooser."""
    return (
        weight_quality * expected_quality
        - weight_price * price_sensitivity[:, None] * price[None, :]
        + weight_attitude * attitude
    )


def choose(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Column index drawn with probability proportional to each row's weights.

    Rows whose weights are all zero give -1.
    """
    cum = np.cumsum(weights, axis=1)
    total = cum[:, -1]
    pick = (cum <= (u * total)[:, None]).sum(axis=1)
    pick = np.minimum(pick, weights.shape[1] - 1)
    return np.where(total > 0, pick, -1)


def conversion(u: np.ndarray, outside_utility: float) -> np.ndarray:
    """Conversion probability ``pi_f = logistic(U_f - U_0)``."""
    return logistic(u - outside_utility)


def adopt_probability(a: np.ndarray) -> np.ndarray:
    """P(adopting any firm today) = ``min(1, sum_f a_f pi_f)``, given ``a`` = a_f pi_f."""
    return np.minimum(a.sum(axis=1), 1.0)
