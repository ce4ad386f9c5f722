"""Step 10 — staff morale, skill, quitting and replacement; managers' coaching.

The service-profit chain's inside (Heskett et al. 1994; seed 003):
internal service quality drives employee satisfaction (morale), which
drives retention and productivity.  The internal-service index an employee
experiences, and the morale it supports for employee ``i``:

    x  = w_s (coach - 1/2) + w_t (training - 1/2) + w_a (authority - 1/2)
         + w_w (wage / market_wage - 1) - w_o max(load - 1, 0)
    m*_i = logistic(s_i x + b_i)
    m'   = clip(m + mu (m*_i - m) + sigma_m eps, 0, 1),   eps ~ N(0, 1) daily

Employees differ (drawn at hire, kept while in the job): a disposition
``b_i ~ N(0, sd_b)`` in logit units (some people are more satisfied than others
in the same job) and a sensitivity ``s_i = exp(sd_s z - sd_s^2 / 2)`` (mean 1)
to internal service; ``eps`` is a daily shock to morale (events outside the
levers).  With ``sd_b = sd_s = sigma_m = 0`` every employee has the firm's
target ``logistic(x)``.

Internal service quality is *measured*, not read off the target: each day a
share ``rho`` of the active staff answers a survey, rating the internal service
they experience as ``clip(logistic(x) + e, 0, 1)`` with ``e ~ N(0, sd_e)``
(measurement error); the firm's logged internal service is the mean answer
(missing when nobody answered).

``coach`` is coaching sessions per team member and day: a manager spends
``(1 - control_share)`` of its capacity coaching (the inverted pyramid's
support role) and shares it over the active team.  ``load`` is the day's
encounters over the employee's capacity
(:func:`servsim.mechanisms.encounters.person_capacity`).  Skill grows with
experience, training and coaching toward 1:

    k' = min(k + (l * encounters + r_t * training + r_c * coach) (1 - k), 1)

Quitting: ``logit P(quit) = logit(q0) + b (1/2 - m)``; a quitter's job is
refilled by a novice after ``hiring_lag_days`` (if the staffing target still
needs it), so skill is lost with turnover.

Staffing by service level (Erlang 1917; Halfin & Whitt 1981; Gans, Koole &
Mandelbaum 2003): requests arrive at ``λ = Σ_s customers_s need_rate_s`` per day
and one person serves ``c`` per day, so the offered load is ``a = λ / c``
people.  A firm staffs the smallest team whose Erlang-C waiting probability
meets its service-level target (the share of requests answered at once),
``C(n, a) <= 1 - target``, plus the people its proactive contract work needs:

    target_f = max(1, n*(a, 1 - service_level_target) + ceil(contracts proactive_rate / c))

For large loads this is square-root staffing, ``n* ≈ a + β √a``: the team grows
less than in proportion to the customer base (economies of scale in service).
Morale and skill are float32; the rest float64.
"""

from __future__ import annotations

import math

import numpy as np

from servsim.mechanisms import queueing
from servsim.mechanisms._common import formula, logistic

f32 = np.float32


@formula
def coaching_per_member(manager_capacity: float, control_share: float, team_size: int) -> float:
    """Coaching sessions per team member-day for a manager: ``capacity (1 - control) /
    team``, capped at 1; 0 without a team (float64).
    """
    if team_size > 0:
        return min(manager_capacity * (1.0 - control_share) / team_size, 1.0)
    return 0.0


@formula
def workload(encounters: int, capacity: np.float32) -> float:
    """An employee's load: the day's encounters over its capacity (0 without capacity)."""
    return encounters / np.float64(capacity) if capacity > 0 else 0.0


@formula
def internal_service_index(
    coaching: float, training: float, authority: float, wage: float, market_wage: float,
    load: float, w_support: float, w_training: float, w_authority: float, w_wage: float,
    w_overload: float,
) -> float:
    """The internal-service index ``x`` an employee experiences (logit units, float64;
    module docstring).
    """
    return (w_support * (coaching - 0.5)
            + w_training * (training - 0.5)
            + w_authority * (authority - 0.5)
            + w_wage * (wage / market_wage - 1.0)
            - w_overload * max(load - 1.0, 0.0))


@formula
def morale_target(
    coaching: float, training: float, authority: float, wage: float, market_wage: float,
    load: float, w_support: float, w_training: float, w_authority: float, w_wage: float,
    w_overload: float, sensitivity: float, baseline: float,
) -> float:
    """Morale the internal service supports for one employee, ``m*_i = logistic(s_i x +
    b_i)`` (float64; module docstring).
    """
    x = internal_service_index(coaching, training, authority, wage, market_wage, load,
                               w_support, w_training, w_authority, w_wage, w_overload)
    return logistic(sensitivity * x + baseline)


@formula
def employee_sensitivity(z: float, sd: float) -> float:
    """An employee's sensitivity to internal service from a standard normal ``z``:
    ``exp(sd z - sd^2 / 2)`` (lognormal with mean 1; 1 when ``sd`` is 0).
    """
    return math.exp(sd * z - 0.5 * sd * sd)


@formula
def update_morale(morale: np.float32, target: float, rate: float,
                  shock: float) -> np.float32:
    """``m' = clip(m + mu (m* - m) + shock, 0, 1)`` (float64, rounded to float32; the
    clip only binds with a shock).
    """
    m = morale + rate * (target - morale) + shock
    if shock != 0.0:
        m = min(max(m, 0.0), 1.0)
    return f32(m)


@formula
def survey_answer(index: float, error: float) -> float:
    """One employee's survey rating of internal service: ``clip(logistic(x) + e, 0, 1)``."""
    return min(max(logistic(index) + error, 0.0), 1.0)


@formula
def update_skill(skill: np.float32, encounters: int, training: float, coaching: float,
                 learning_rate: float, training_rate: float,
                 coaching_rate: float) -> np.float32:
    """Skill after a day of work, training and coaching (module docstring; ``1 - k``
    in float32, the rest float64, rounded to float32).
    """
    gain = learning_rate * encounters + training_rate * training + coaching_rate * coaching
    return f32(min(skill + gain * (f32(1.0) - skill), 1.0))


@formula
def quit_probability(morale: np.float32, logit_quit_base: float, slope: float) -> float:
    """Daily quit probability: ``logistic(logit(q0) + b (1/2 - m))``.

    The logit is a float32 sum (``logit(q0)`` and ``b`` rounded to float32), as
    numpy computed it on the float32 morale; the logistic is float64.
    """
    return logistic(np.float64(f32(logit_quit_base) + f32(slope) * (f32(0.5) - morale)))


@formula
def offered_load(requests_per_day: float, capacity_per_person: float) -> float:
    """Offered load in people, ``a = λ / c`` (0 without capacity)."""
    return requests_per_day / capacity_per_person if capacity_per_person > 0 else 0.0


@formula
def staffing_target(load: float, contracts: int, service_level_target: float,
                    proactive_rate: float, capacity_per_person: float) -> int:
    """Staff a firm aims for: the smallest team whose Erlang-C probability of waiting
    is at most ``1 - service_level_target`` at offered load ``load``, plus the people
    its proactive contract work needs, at least 1 (module docstring).
    """
    queue = queueing.staff_for_wait_probability(load, 1.0 - service_level_target)
    proactive = np.ceil(contracts * proactive_rate / capacity_per_person)
    return max(1, queue + np.int64(proactive))
