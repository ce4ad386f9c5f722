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

from servsim.mechanisms._common import formula

f32 = np.float32


def speed_table(max_days: int, speed_days: float) -> np.ndarray:
    """``exp(-days / tau)`` for days 0 .. max_days (float64, numpy's exp, once per run).

    The speed term of :func:`recovery_quality` for every delay a complaint can
    have (complaints close within the customer's patience).
    """
    days = np.arange(max_days + 1, dtype=np.float64)
    return np.exp(-days / speed_days)


@formula
def recovery_quality(speed: float, compensation: float, skill: np.float32,
                     compensation_scale: float, weight_speed: float,
                     weight_compensation: float, weight_skill: float) -> float:
    """Recovery quality rho (float64; see module docstring).

    ``speed`` is ``exp(-days / tau)`` (:func:`speed_table`); ``compensation``
    the firm's offer (negative counts as 0); ``skill`` the float32 skill of the
    employee who took the complaint, weighted in float32 (``w_k`` rounded to
    float32), as numpy computed it on the float32 column.
    """
    comp = max(compensation, 0.0)
    return (weight_speed * speed + weight_compensation * comp / (comp + compensation_scale)
            + np.float64(f32(weight_skill) * skill))


@formula
def recovered_satisfaction(
    sat_now: np.float32, sat_before: np.float32, quality: float, first_failure: bool,
    paradox_threshold: float, paradox_gain: float, repeat_cap: float,
) -> np.float32:
    """Satisfaction once a complaint is resolved (float32; see module docstring).

    The loss ``L`` is the float32 difference of the two satisfactions; the rest
    is float64, rounded to float32 at the end.
    """
    loss = np.float64(max(sat_before - sat_now, f32(0.0)))
    if first_failure:
        new = sat_now + quality * loss + paradox_gain * max(quality - paradox_threshold, 0.0)
    else:
        new = sat_now + repeat_cap * quality * loss
    return f32(min(max(new, 0.0), 1.0))


@formula
def unresolved_satisfaction(sat_now: np.float32, penalty: float) -> np.float32:
    """Satisfaction after a complaint is abandoned: ``max(S - penalty, 0)`` (float32)."""
    return max(sat_now - f32(penalty), f32(0.0))
