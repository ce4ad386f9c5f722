"""Step 5 — satisfaction by expectation-disconfirmation, losses weighing more than gains.

Oliver (1980): satisfaction follows the disconfirmation ``d = q - E`` of
expectation E by perceived quality q.  Losses loom larger than gains
(Kahneman & Tversky 1979; shown for satisfaction by Anderson & Sullivan
1993, Marketing Science):

    v(d) = d^beta                    if d >= 0
           0                         if -z <= d < 0     (zone of tolerance)
           -lambda * (-(d + z))^beta  if d < -z
    s_tx = clip(s_n + g * v(q - E) + h * (q - R) + pi_f, 0, 1)   transaction satisfaction
    pi_f = h_g * (pq_f - mean_g pq_g) + h_b * br_f        product and brand of firm f
    S'   = (1 - w) S + w s_tx                             cumulative satisfaction
    E'   = (1 - eta) E + eta q                            adaptive expectation

``s_n`` is the neutral satisfaction (expectations exactly met).  The zone of
tolerance z (Zeithaml, Berry & Parasuraman 1993) is the band of adequate
service below expectation that customers accept without feeling a loss.
``beta <= 1`` gives the value function its diminishing sensitivity (concave in
gains, convex in losses: Kahneman & Tversky 1979; beta = 0.88 is Tversky &
Kahneman's 1992 estimate; beta = 1 is linear); ``d`` is on the 0-1 quality
scale.  ``q`` here is the quality as experienced, after assimilation
(:func:`servsim.mechanisms.quality.assimilated_quality`).
The term h (q - R) compares quality with the market norm R, the
experience-based norm of Cadotte, Woodruff & Jenkins (1987): since E adapts
to q, without it lasting quality differences would not show in
satisfaction, and a rising norm (seed 001 section 6) would not erode it.
The term pi_f brings in what the customer gets besides service (seed 002:
satisfaction comes from product, service, brand and trust): the firm's product
quality pq_f against the market's typical product (the mean over its firms,
again a Cadotte et al. norm) and a halo of its brand br_f (Andreassen &
Lindestad 1998).  It is fixed per firm, so service can offset a product gap
through q but the gap itself does not wear off.

Types: q, v, s_tx in float64; S and E are stored in float32.
"""

from __future__ import annotations

import numpy as np

from servsim.mechanisms._common import formula

f32 = np.float32


@formula
def disconfirmation_value(perceived: float, expectation: float, loss_aversion: float,
                          tolerance: float, curvature: float) -> float:
    """Loss-averse, diminishing-sensitivity value of disconfirmation v(q - E) with a zone
    of tolerance (float64; module docstring).
    """
    d = perceived - expectation
    if d >= 0:
        return d ** curvature
    loss = min(d + tolerance, 0.0)
    return -loss_aversion * (-loss) ** curvature


@formula
def product_satisfaction(product_quality: float, product_norm: float, brand: float,
                         product_weight: float, brand_halo: float) -> float:
    """A firm's product-and-brand term of transaction satisfaction:
    ``pi_f = h_g (pq_f - mean pq) + h_b br_f`` (float64).
    """
    return product_weight * (product_quality - product_norm) + brand_halo * brand


@formula
def transaction_satisfaction(
    perceived: float, expectation: float, norm: float, neutral: float, gain: float,
    loss_aversion: float, tolerance: float, norm_weight: float, curvature: float,
    product: float,
) -> float:
    """Satisfaction with one encounter: ``clip(s_n + g v(q - E) + h (q - R) + pi_f, 0, 1)``
    (float64; ``product`` is the firm's :func:`product_satisfaction`).
    """
    v = disconfirmation_value(perceived, expectation, loss_aversion, tolerance, curvature)
    return min(max(neutral + gain * v + norm_weight * (perceived - norm) + product, 0.0), 1.0)


@formula
def update_satisfaction(satisfaction: np.float32, transaction: float,
                        memory: float) -> np.float32:
    """Cumulative satisfaction: ``S' = (1 - w) S + w s_tx`` (float32).

    ``(1 - w) S`` is a float32 product (``1 - w`` rounded to float32), as numpy
    computed it on the float32 column; ``w s_tx`` is float64; the sum is rounded
    to float32.
    """
    return f32(np.float64(f32(1.0 - memory) * satisfaction) + memory * transaction)


@formula
def update_expectation(expectation: float, perceived: float, learning: float) -> np.float32:
    """Adaptive expectation: ``E' = (1 - eta) E + eta q`` (float64, rounded to float32)."""
    return f32((1.0 - learning) * expectation + learning * perceived)
