"""Step 4 — service failures and perceived quality.

Failure probability (logit-linear; Bitner, Booms & Tetreault 1990 classify
failures by employee response, system and overload causes):

    logit phi = logit(phi0) + b_k (1/2 - skill) + b_m (1/2 - morale)
                + b_l (1/2 - level) + b_o max(load - 1, 0)
    phi' = phi * (1 - standardization) * (1 - prevention * contract)

Perceived quality:

    q = clip(level + w_k (skill - 1/2) + w_m (morale - 1/2)
             - w_wait * wait_days - severity * failed + noise, 0, 1)

with ``noise ~ N(0, sigma)``: waiting lowers perceived quality (Taylor 1994,
"Waiting for service").
"""

from __future__ import annotations

import numpy as np

from servsim.mechanisms._common import logistic, logit


def failure_probability(
    skill: np.ndarray,
    morale: np.ndarray,
    level: np.ndarray,
    overload: np.ndarray,
    base_failure: float,
    slope_skill: float,
    slope_morale: float,
    slope_level: float,
    slope_overload: float,
    standardization: np.ndarray | float = 0.0,
    prevention: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Probability that an encounter fails (see module docstring)."""
    z = (
        logit(base_failure)
        + slope_skill * (0.5 - skill)
        + slope_morale * (0.5 - morale)
        + slope_level * (0.5 - level)
        + slope_overload * np.maximum(overload - 1.0, 0.0)
    )
    return logistic(z) * (1.0 - standardization) * (1.0 - prevention)


def perceived_quality(
    level: np.ndarray,
    skill: np.ndarray,
    morale: np.ndarray,
    wait_days: np.ndarray,
    failed: np.ndarray,
    noise: np.ndarray,
    skill_weight: float,
    morale_weight: float,
    wait_penalty: float,
    failure_severity: float,
) -> np.ndarray:
    """Quality the customer perceives in an encounter (see module docstring)."""
    q = (
        level
        + skill_weight * (skill - 0.5)
        + morale_weight * (morale - 0.5)
        - wait_penalty * wait_days
        - failure_severity * failed
        + noise
    )
    return np.clip(q, 0.0, 1.0)
