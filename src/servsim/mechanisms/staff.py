"""Step 10 — staff morale, skill, quitting and replacement; managers' coaching.

The service-profit chain's inside (Heskett et al. 1994; seed 003):
internal service quality drives employee satisfaction (morale), which
drives retention and productivity.  Target morale:

    m* = logistic(w_s (coach - 1/2) + w_t (training - 1/2) + w_a (authority - 1/2)
                  + w_w (wage / market_wage - 1) - w_o max(load - 1, 0))
    m' = m + mu (m* - m)

``coach`` is coaching sessions per team member and day: a manager spends
``(1 - control_share)`` of its capacity coaching (the inverted pyramid's
support role) and shares it over the active team.  Skill grows with
experience, training and coaching toward 1:

    k' = min(k + (l * encounters + r_t * training + r_c * coach) (1 - k), 1)

Quitting: ``logit P(quit) = logit(q0) + b (1/2 - m)``; a quitter's job is
refilled by a novice after ``hiring_lag_days`` (if the staffing target still
needs it), so skill is lost with turnover.
"""

from __future__ import annotations

import numpy as np

from servsim.mechanisms._common import logistic, logit


def coaching_per_member(
    manager_capacity: np.ndarray, control_share: np.ndarray, team_size: np.ndarray
) -> np.ndarray:
    """Coaching sessions per team member-day for each manager (capped at 1)."""
    support = manager_capacity * (1.0 - control_share)
    per = np.divide(support, team_size, out=np.zeros_like(support, dtype=np.float64),
                    where=team_size > 0)
    return np.minimum(per, 1.0)


def morale_target(
    coaching: np.ndarray,
    training: np.ndarray,
    authority: np.ndarray,
    wage_ratio: np.ndarray,
    load: np.ndarray,
    w_support: float,
    w_training: float,
    w_authority: float,
    w_wage: float,
    w_overload: float,
) -> np.ndarray:
    """Morale that internal service quality supports (see module docstring)."""
    z = (
        w_support * (coaching - 0.5)
        + w_training * (training - 0.5)
        + w_authority * (authority - 0.5)
        + w_wage * (wage_ratio - 1.0)
        - w_overload * np.maximum(load - 1.0, 0.0)
    )
    return logistic(z)


def update_morale(morale: np.ndarray, target: np.ndarray, rate: float) -> np.ndarray:
    """``m' = m + mu (m* - m)``."""
    return morale + rate * (target - morale)


def update_skill(
    skill: np.ndarray,
    encounters: np.ndarray,
    training: np.ndarray,
    coaching: np.ndarray,
    learning_rate: float,
    training_rate: float,
    coaching_rate: float,
) -> np.ndarray:
    """Skill after a day of work, training and coaching (see module docstring)."""
    gain = learning_rate * encounters + training_rate * training + coaching_rate * coaching
    return np.minimum(skill + gain * (1.0 - skill), 1.0)


def quit_probability(morale: np.ndarray, quit_base: float, slope: float) -> np.ndarray:
    """Daily quit probability: ``logistic(logit(q0) + b (1/2 - m))``."""
    return logistic(logit(quit_base) + slope * (0.5 - morale))
