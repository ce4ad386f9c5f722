"""Step 8b — the relationship: stages, defection, lapse and switching (seed 002).

At each purchase occasion (daily probability ``purchase_rate``) a customer
first decides whether the relationship ends (dropout):

    logit P(dropout) = logit(c0) + c_s (s_n - S) - c_a A_own

A dropout lapses (no firm; it may adopt again later).  Price plays no part
here: a surviving customer then chooses among the market's firms and the
outside option by the multinomial logit of :mod:`.adoption`
(:func:`~servsim.mechanisms.adoption.occasion_utility`, with inertia for its
current firm).  Choosing another firm is a switch, choosing the outside option
is no purchase today.  A customer who buys from its own firm moves along the
lifecycle prospect -> new -> repeat -> loyal -> advocate (seed 002):

    new -> repeat        if S >= s_repeat
    repeat -> loyal      if S >= s_loyal and tenure >= T_loyal
    loyal -> advocate    if S >= s_advocate
    advocate -> loyal    if S <  s_advocate;   loyal -> repeat if S < s_loyal

and, if satisfied enough to repeat (S >= s_repeat), takes its firm's service
contract with probability ``contract_uptake`` (productized stage, seed 004).
Satisfaction and attitude are float32; the thresholds are compared in float32.
"""

from __future__ import annotations

import numpy as np

from servsim.mechanisms._common import formula, logistic
from servsim.state import ADVOCATE, LOYAL, NEW, REPEAT

f32 = np.float32


@formula
def buys(u: np.float32, purchase_rate: np.float32) -> bool:
    """Whether a customer has a purchase occasion today: ``u < purchase_rate`` (one
    float32 uniform per customer from the model's generator, or with
    ``sim.counter_draws = 1`` the float64 counter-based uniform U(seed, 20, i, day); the
    segment's rate times the customer's multiplier in float32).
    """
    return u < purchase_rate


@formula
def defection_probability(
    satisfaction: np.float32, attitude_own: np.float32, logit_churn_base: float,
    neutral: float, slope_satisfaction: float, slope_attitude: float,
    dropout_offset: np.float32,
) -> float:
    """P(dropout | purchase occasion): the relationship ends (see module docstring).

    The satisfaction and attitude terms are float32 (``logit(c0)`` and the slopes
    rounded to float32), as numpy computed them on the float32 columns; the logistic
    is float64.  ``dropout_offset`` is the customer's float32 dropout propensity (0 when
    heterogeneity is off: the sum is then unchanged).
    """
    z32 = (f32(logit_churn_base) + f32(slope_satisfaction) * (f32(neutral) - satisfaction)
           - f32(slope_attitude) * attitude_own) + dropout_offset
    return logistic(np.float64(z32))


@formula
def next_stage(stage: int, satisfaction: np.float32, tenure: int, repeat_threshold: float,
               loyal_threshold: float, advocate_threshold: float,
               loyal_tenure_days: int) -> int:
    """Stage after a purchase (see module docstring; the rules apply in that order)."""
    rep, loy, adv = f32(repeat_threshold), f32(loyal_threshold), f32(advocate_threshold)
    s = satisfaction
    out = stage
    if stage == NEW and s >= rep:
        out = REPEAT
    if stage == REPEAT and s >= loy and tenure >= loyal_tenure_days:
        out = LOYAL
    if stage == LOYAL and s >= adv:
        out = ADVOCATE
    if stage == ADVOCATE and s < adv:
        out = LOYAL
    if stage == LOYAL and s < loy:
        out = REPEAT
    return out


@formula
def takes_contract(contract: bool, satisfaction: np.float32, u: float,
                   repeat_threshold: float, contract_uptake: float) -> bool:
    """Whether a buyer without a contract takes one today:
    ``S >= s_repeat and u < contract_uptake``.
    """
    return not contract and satisfaction >= f32(repeat_threshold) and u < contract_uptake
