"""Step 6b — recovery quality and its effect on satisfaction; the conditional paradox.

Recovery quality (Tax, Brown & Chandrashekaran 1998: speed, compensation and
the employee's handling make perceived justice; Hart, Heskett & Sasser 1990):

    rho = w_s exp(-days / tau) + w_c c / (c + c_half) + w_k skill,   w_s + w_c + w_k = 1

Satisfaction after recovery, with L = max(S_before - S_now, 0) the loss the
failure caused:

    first failure:     S' = S_now + rho L + g max(rho - rho*, 0)
    repeated failures: S' = S_now + kappa rho L            (kappa < 1)

so a strong, fast recovery after a *first* failure can leave the customer
above pre-failure satisfaction (the recovery paradox), while after repeated
failures it cannot (McCollough, Berry & Yadav 2000; Smith & Bolton 1998).
A complaint that closes unresolved — ignored by the firm, or too slow — costs
``unresolved_penalty`` of satisfaction when the customer gives up after
``patience_days`` (until then the customer waits).  Satisfaction stays in [0, 1].
"""

from __future__ import annotations

import numpy as np


def recovery_quality(
    days: np.ndarray,
    compensation: np.ndarray,
    skill: np.ndarray,
    speed_days: float,
    compensation_scale: float,
    weight_speed: float,
    weight_compensation: float,
    weight_skill: float,
) -> np.ndarray:
    """Recovery quality rho in [0, 1] (see module docstring)."""
    comp = np.maximum(compensation, 0.0)
    return (
        weight_speed * np.exp(-np.asarray(days, dtype=np.float64) / speed_days)
        + weight_compensation * comp / (comp + compensation_scale)
        + weight_skill * skill
    )


def recovered_satisfaction(
    sat_now: np.ndarray,
    sat_before: np.ndarray,
    quality: np.ndarray,
    first_failure: np.ndarray,
    paradox_threshold: float,
    paradox_gain: float,
    repeat_cap: float,
) -> np.ndarray:
    """Satisfaction once a complaint is resolved (see module docstring)."""
    loss = np.maximum(sat_before - sat_now, 0.0)
    first = sat_now + quality * loss + paradox_gain * np.maximum(quality - paradox_threshold, 0.0)
    repeated = sat_now + repeat_cap * quality * loss
    return np.clip(np.where(first_failure, first, repeated), 0.0, 1.0)


def unresolved_satisfaction(sat_now: np.ndarray, penalty: float) -> np.ndarray:
    """Satisfaction after a complaint is ignored or abandoned: ``max(S - penalty, 0)``."""
    return np.maximum(sat_now - penalty, 0.0)
