"""Step 5 — satisfaction by expectation-disconfirmation, losses weighing more than gains.

Oliver (1980): satisfaction follows the disconfirmation ``d = q - E`` of
expectation E by perceived quality q.  Losses loom larger than gains
(Kahneman & Tversky 1979; shown for satisfaction by Anderson & Sullivan
1993, Marketing Science):

    v(d) = d                  if d >= 0
           0                  if -z <= d < 0     (zone of tolerance)
           lambda * (d + z)   if d < -z
    s_tx = clip(s_n + g * v(q - E) + h * (q - R), 0, 1)   transaction satisfaction
    S'   = (1 - w) S + w s_tx                             cumulative satisfaction
    E'   = (1 - eta) E + eta q                            adaptive expectation

``s_n`` is the neutral satisfaction (expectations exactly met).  The zone of
tolerance z (Zeithaml, Berry & Parasuraman 1993) is the band of adequate
service below expectation that customers accept without feeling a loss.
The term h (q - R) compares quality with the market norm R, the
experience-based norm of Cadotte, Woodruff & Jenkins (1987): since E adapts
to q, without it lasting quality differences would not show in
satisfaction, and a rising norm (seed 001 section 6) would not erode it.
"""

from __future__ import annotations

import numpy as np


def disconfirmation_value(
    perceived: np.ndarray, expectation: np.ndarray, loss_aversion: float, tolerance: float = 0.0
):
    """Loss-averse value of disconfirmation v(q - E) with a zone of tolerance."""
    d = perceived - expectation
    return np.where(d >= 0, d, loss_aversion * np.minimum(d + tolerance, 0.0))


def transaction_satisfaction(
    perceived: np.ndarray,
    expectation: np.ndarray,
    norm: np.ndarray,
    neutral: float,
    gain: float,
    loss_aversion: float,
    tolerance: float,
    norm_weight: float,
) -> np.ndarray:
    """Satisfaction with one encounter: ``clip(s_n + g v(q - E) + h (q - R), 0, 1)``."""
    v = disconfirmation_value(perceived, expectation, loss_aversion, tolerance)
    return np.clip(neutral + gain * v + norm_weight * (perceived - norm), 0.0, 1.0)


def update_satisfaction(satisfaction: np.ndarray, transaction: np.ndarray, memory: float):
    """Cumulative satisfaction: ``S' = (1 - w) S + w s_tx``."""
    return (1.0 - memory) * satisfaction + memory * transaction


def update_expectation(expectation: np.ndarray, perceived: np.ndarray, learning: float):
    """Adaptive expectation: ``E' = (1 - eta) E + eta q``."""
    return (1.0 - learning) * expectation + learning * perceived
