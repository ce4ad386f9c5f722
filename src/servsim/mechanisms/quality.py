"""Step 4 — service failures and perceived quality.

Failure probability (logit-linear; Bitner, Booms & Tetreault 1990 classify
failures by employee response, system and overload causes):

    logit phi = logit(phi0) + b_k (1/2 - skill) + b_m (1/2 - morale)
                + b_l (1/2 - level) + b_o max(load - 1, 0)
    phi' = phi * (1 - standardization) * (1 - prevention * contract)

An encounter fails with probability phi', and always when the customer gave
up waiting or the firm had nobody to serve.  Perceived quality:

    q = clip(level + w_k (skill - 1/2) + w_m (morale - 1/2)
             - w_wait * wait_days - severity * failed + noise, 0, 1)

with ``noise ~ N(0, sigma)``: waiting lowers perceived quality (Taylor 1994,
"Waiting for service").  Expectations colour the perception a little
(assimilation: Anderson 1973; Boulding et al. 1993 find expectations raise
perceived quality): the quality a customer *experiences*, which enters
satisfaction and the updated expectation, is

    q~ = q + alpha (E - q)

while the firm's logged quality is ``q`` (what it delivered).  A customer remembers failures for
``failure_memory_days``.  All float64 (skill and morale are the employee's
float32 values widened; a customer served by nobody meets a novice's skill
and morale 1/2).
"""

from __future__ import annotations

from servsim.mechanisms._common import formula, logistic


@formula
def failure_probability(
    skill: float, morale: float, level: float, overload: float, contract: bool,
    standardization: float, prevention: float, logit_base_failure: float,
    slope_skill: float, slope_morale: float, slope_level: float, slope_overload: float,
) -> float:
    """Probability that an encounter fails, phi' (see module docstring).

    ``logit_base_failure`` is ``logit(phi0)``, computed once by the model; the
    prevention of proactive service applies to contract holders only.
    """
    z = (logit_base_failure + slope_skill * (0.5 - skill) + slope_morale * (0.5 - morale)
         + slope_level * (0.5 - level) + slope_overload * max(overload - 1.0, 0.0))
    return (logistic(z) * (1.0 - standardization)
            * (1.0 - prevention * (1.0 if contract else 0.0)))


@formula
def fails(u: float, probability: float, gave_up: bool, has_staff: bool) -> bool:
    """Whether an encounter fails: ``u < phi'``, or the customer gave up waiting, or no
    employee served it (``u`` one float64 uniform per encounter).
    """
    return u < probability or gave_up or not has_staff


@formula
def perceived_quality(
    level: float, skill: float, morale: float, wait_days: float, failed: bool, noise: float,
    skill_weight: float, morale_weight: float, wait_penalty: float, failure_severity: float,
) -> float:
    """Quality the customer perceives in an encounter, in [0, 1] (see module docstring)."""
    q = (level + skill_weight * (skill - 0.5) + morale_weight * (morale - 0.5)
         - wait_penalty * wait_days - failure_severity * (1.0 if failed else 0.0) + noise)
    return min(max(q, 0.0), 1.0)


@formula
def forgets_failures(day: int, last_failure_day: int, memory_days: int) -> bool:
    """Whether a customer's remembered failures are forgotten by ``day``: the last one
    is more than ``failure_memory_days`` old.
    """
    return day - last_failure_day > memory_days


@formula
def failures_after_failure(failures: int) -> int:
    """Failures remembered after one more: ``min(failures + 1, 255)`` (a uint8 count)."""
    return min(failures + 1, 255)


@formula
def assimilated_quality(perceived: float, expectation: float, assimilation: float) -> float:
    """Quality as the customer experiences it, pulled toward the expectation:
    ``q~ = q + alpha (E - q)`` (float64; stays in [0, 1] for alpha in [0, 1]).
    """
    return perceived + assimilation * (expectation - perceived)
