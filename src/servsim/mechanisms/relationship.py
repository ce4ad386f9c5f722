"""Step 8b — the relationship: stages, defection, lapse and switching (seed 002).

At each purchase occasion (daily probability ``purchase_rate``) a customer
first decides whether to defect:

    logit P(defect) = logit(c0) + c_s (s_n - S) - c_a A_own
                      + c_p * price_sensitivity * (price - 1)

A defector switches to a competitor at once with probability
``switch_share`` (when there is one; the new firm is drawn by the choice
utility of :mod:`.adoption`), else lapses (no firm; it may adopt again
later).  A customer who stays buys and moves along the lifecycle
prospect -> new -> repeat -> loyal -> advocate (seed 002):

    new -> repeat        if S >= s_repeat
    repeat -> loyal      if S >= s_loyal and tenure >= T_loyal
    loyal -> advocate    if S >= s_advocate
    advocate -> loyal    if S <  s_advocate;   loyal -> repeat if S < s_loyal
"""

from __future__ import annotations

import numpy as np

from servsim.mechanisms._common import logistic, logit
from servsim.state import ADVOCATE, LOYAL, NEW, REPEAT


def defection_probability(
    satisfaction: np.ndarray,
    attitude_own: np.ndarray,
    price: np.ndarray,
    price_sensitivity: np.ndarray,
    neutral: float,
    churn_base: float,
    slope_satisfaction: float,
    slope_attitude: float,
    slope_price: float,
) -> np.ndarray:
    """P(defect | purchase occasion) (see module docstring)."""
    z = (
        logit(churn_base)
        + slope_satisfaction * (neutral - satisfaction)
        - slope_attitude * attitude_own
        + slope_price * price_sensitivity * (price - 1.0)
    )
    return logistic(z)


def next_stage(
    stage: np.ndarray,
    satisfaction: np.ndarray,
    tenure: np.ndarray,
    repeat_threshold: float,
    loyal_threshold: float,
    advocate_threshold: float,
    loyal_tenure_days: int,
) -> np.ndarray:
    """Stage after a satisfied-enough purchase (see module docstring)."""
    s = satisfaction
    out = stage.copy()
    out[(stage == NEW) & (s >= repeat_threshold)] = REPEAT
    out[(stage == REPEAT) & (s >= loyal_threshold) & (tenure >= loyal_tenure_days)] = LOYAL
    out[(stage == LOYAL) & (s >= advocate_threshold)] = ADVOCATE
    out[(stage == ADVOCATE) & (s < advocate_threshold)] = LOYAL
    out[(stage == LOYAL) & (s < loyal_threshold)] = REPEAT
    return out
