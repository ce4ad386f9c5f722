"""Step 8a — choice among firms: the Bass hazard, then a multinomial logit.

Utility of firm f for a customer of segment s (McFadden 1974; relative to the
market's reference price index 1):

    V_f = b_q E0_f + b_g pq_f + br_f - b_p * beta_s * m_i * (price_f - 1) + b_a A_f
          (+ b_i for the customer's current firm: inertia / switching cost)

E0_f is the expected service quality (the promise blended with the norm,
:func:`servsim.mechanisms.expectations.prospect_expectation`), pq_f the firm's
product quality, br_f its brand, A_f the attitude and m_i the customer's own
price-sensitivity multiplier (a random coefficient, 1 without heterogeneity).
The part that does not depend on the customer (:func:`firm_utility`) is computed
once per day per firm and segment.

*Existing customers* at a purchase occasion who do not drop out
(:mod:`.relationship`) choose by a two-level (nested) logit
(:func:`occasion_choice`): buy at all against the outside option (utility U_0:
no purchase today) by the inclusive value of the firms, then which firm, with
the inertia b_i for the current one (a switching cost deters changing supplier,
not buying).

*Prospects* (never adopted, or lapsed) hear of firm f through advertising and
word of mouth with hazard

    a_f = p * adv_f + q * pos_in_f

(Bass 1969; on the complete graph pos_in_f is the adopted fraction, giving
p + q F).  A prospect hears of some firm with probability ``min(1, sum a)``
and then chooses by the same logit, each firm weighted by its awareness share
(a consideration-weighted logit): P(f | heard) = a_f e^{V_f} / (sum_g a_g
e^{V_g} + (sum_g a_g) e^{U_0}) (:func:`prospect_share`).  With no outside
option (U_0 -> -inf) a prospect who hears adopts: exactly the discrete-time
Bass recursion.

*Lost trial.*  A prospect who hears and declines (chooses the outside option)
leaves the market for ``T_r`` days (``behaviour.reconsider_days``): it does not
consider the same offers again at once (an evaluated and rejected alternative
leaves the consideration set, the 'inept set' of Narayana & Markin 1975), so
an offer that fails to convert loses the prospect for a while instead of
getting a fresh draw the next day (:func:`considers`, :func:`reconsider_from`).
"""

from __future__ import annotations

import numpy as np

from servsim.mechanisms._common import formula


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
def firm_utility(expected_quality: float, product_quality: float, brand: float,
                 weight_quality: float, weight_product: float) -> float:
    """The customer-free, price-free part of a firm's utility for a segment (float64):
    ``b_q E0 + b_g pq + br``.
    """
    return weight_quality * expected_quality + weight_product * product_quality + brand


@formula
def segment_price_sensitivity(price_sensitivity: float, price_response: float) -> float:
    """A segment's effective price sensitivity in choice, at set-up:
    ``k_p * beta_s`` (the market's calibrated ``price_response`` times the segment's own).
    """
    return price_response * price_sensitivity


@formula
def price_utility(price: float, price_sensitivity: float, weight_price: float) -> float:
    """The segment's price term of a firm's utility, before the customer's multiplier:
    ``b_p * sensitivity * (price - 1)`` (float64; subtracted).
    """
    return weight_price * price_sensitivity * (price - 1.0)


@formula
def utility(base: float, price_term: float, multiplier: np.float32, attitude: np.float32,
            weight_attitude: float, own: bool, inertia: float) -> float:
    """A customer's utility of a firm:
    ``base - m_i * price_term + b_a A (+ b_i if it is the current firm)`` (float64).
    """
    return (base - np.float64(multiplier) * price_term + weight_attitude * np.float64(attitude)
            + (inertia if own else 0.0))


@formula
def occasion_choice(utilities: np.ndarray, own: int, inertia: float, outside_utility: float,
                    u: float) -> int:
    """Choice at a purchase occasion (one row of utilities without inertia, float64): the
    index of the chosen firm, or -1 for the outside option (no purchase today).

    Two levels (a nested logit with the firms in one nest): buy at all with
    ``P = S / (S + exp(U_0))``, ``S = sum_g exp(V_g)`` (the inclusive value, without
    inertia: a switching cost deters changing supplier, not buying); then firm g with
    probability proportional to ``exp(V_g + b_i [g = own])``.  One uniform ``u`` serves
    both levels (the second uses ``u / P``).
    """
    top = outside_utility
    for v in utilities:
        top = max(top, v)
    inside = 0.0
    for v in utilities:
        inside += np.exp(v - top)
    p_buy = inside / (inside + np.exp(outside_utility - top))
    if not u < p_buy:
        return -1
    top_in = utilities[own] + inertia
    for v in utilities:
        top_in = max(top_in, v)
    total = 0.0
    for k in range(utilities.size):
        total += np.exp(utilities[k] + (inertia if k == own else 0.0) - top_in)
    bar = (u / p_buy) * total
    cum = 0.0
    last = own
    for k in range(utilities.size):
        w = np.exp(utilities[k] + (inertia if k == own else 0.0) - top_in)
        if w > 0:
            last = k
        cum += w
        if bar < cum:
            return k
    return last


@formula
def prospect_share(awareness: np.ndarray, utilities: np.ndarray, outside_utility: float,
                   weights: np.ndarray) -> float:
    """P(adopting some firm | heard of one) of the consideration-weighted logit; fills
    ``weights`` with ``a_f exp(V_f - top)`` (the relative odds of each firm).
    """
    top = outside_utility
    for v in utilities:
        top = max(top, v)
    total_a, inside = 0.0, 0.0
    for k in range(utilities.size):
        weights[k] = awareness[k] * np.exp(utilities[k] - top)
        total_a += awareness[k]
        inside += weights[k]
    outside = total_a * np.exp(outside_utility - top)
    if not inside > 0:
        return 0.0
    return inside / (inside + outside)


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


@formula
def considers(day: int, reconsider_day: np.int32) -> bool:
    """A prospect considers offers today unless it declined within the last ``T_r`` days."""
    return reconsider_day <= day


@formula
def reconsider_from(day: int, reconsider_days: int) -> np.int32:
    """First day a prospect who declines today considers offers again: ``day + 1 + T_r``
    (int32; T_r = 0: the next day, as if it had never declined).
    """
    return np.int32(day + 1 + reconsider_days)
