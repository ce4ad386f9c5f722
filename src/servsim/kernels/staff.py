"""Step 10 as one kernel: morale, skill, quits, hires and coaching (see
:mod:`servsim.mechanisms.staff` for the formulas)."""

from __future__ import annotations

import numpy as np

from servsim.kernels import expit, jit
from servsim.kernels.random import next_double
from servsim.state import ADVOCATE, NEW

f32 = np.float32


@jit
def staff_day(
    bitgen,
    # staff columns (updated in place)
    firm, manager, active, skill, morale, tenure, vacancy_days, encounters_today,
    # managers (team_size and coaching_today updated in place)
    manager_firm, team_size, coaching_today,
    # per firm
    manager_capacity, control_share, training, authority, wage, target_staff,
    # behaviour
    market_wage, capacity_per_person, productivity_morale,
    w_support, w_training, w_authority, w_wage, w_overload, morale_rate,
    learning_rate, training_rate, coaching_rate, logit_quit_base, quit_slope,
    novice_skill, initial_morale, hiring_lag_days, hiring_cost,
    # the day log and its columns: internal service, quits, hires, hiring cost, coaching
    log, cols,
):
    """One day of staff dynamics, logged per firm (internal service quality, quits,
    hires, their hiring cost, coaching sessions)."""
    n, n_mgr, n_firms = firm.size, manager_firm.size, target_staff.size
    team_size[:] = 0
    for i in range(n):
        if active[i]:
            team_size[manager[i]] += 1
    per_member = np.zeros(n_mgr)
    coaching = np.zeros(n_firms)
    for j in range(n_mgr):
        k = manager_firm[j]
        if team_size[j] > 0:
            per_member[j] = min(manager_capacity[k] * (1.0 - control_share[k]) / team_size[j],
                                1.0)
        coaching_today[j] = f32(per_member[j] * team_size[j])
        coaching[k] += coaching_today[j]
    isq_sum = np.zeros(n_firms)
    isq_n = np.zeros(n_firms, dtype=np.int64)
    cpp, pm = f32(capacity_per_person), f32(productivity_morale)
    for i in range(n):
        k = firm[i]
        coach = per_member[manager[i]]
        m = morale[i]
        cap = cpp * max(f32(1.0) + pm * (m - f32(0.5)), f32(0.0))
        load = encounters_today[i] / np.float64(cap) if cap > 0 else 0.0
        target = expit(
            w_support * (coach - 0.5)
            + w_training * (training[k] - 0.5)
            + w_authority * (authority[k] - 0.5)
            + w_wage * (wage[k] / market_wage - 1.0)
            - w_overload * max(load - 1.0, 0.0)
        )
        if active[i]:
            isq_sum[k] += target
            isq_n[k] += 1
            gain = (learning_rate * encounters_today[i] + training_rate * training[k]
                    + coaching_rate * coach)
            s = skill[i]
            morale[i] = f32(m + morale_rate * (target - m))
            skill[i] = f32(min(s + gain * (f32(1.0) - s), 1.0))
    isq = np.full(n_firms, np.nan)
    for k in range(n_firms):
        if isq_n[k] > 0:
            isq[k] = isq_sum[k] / isq_n[k]
    # quits (one uniform per staff slot, as rng.random(n)), then vacancies
    quits = np.zeros(n_firms)
    hires = np.zeros(n_firms)
    lq, qs = f32(logit_quit_base), f32(quit_slope)
    for i in range(n):
        u = next_double(bitgen)
        if active[i] and u < expit(np.float64(lq + qs * (f32(0.5) - morale[i]))):
            active[i] = False
            tenure[i] = 0
            quits[firm[i]] += 1
        if active[i]:
            tenure[i] += 1
    staffed = np.zeros(n_firms, dtype=np.int64)
    for i in range(n):
        if vacancy_days[i] >= 0:
            vacancy_days[i] -= 1
            if vacancy_days[i] < 0:  # a novice starts
                active[i] = True
                skill[i] = f32(novice_skill)
                morale[i] = f32(initial_morale)
                tenure[i] = 0
                hires[firm[i]] += 1
        if active[i] or vacancy_days[i] >= 0:
            staffed[firm[i]] += 1
    # open vacancies (the first free slots of each firm) where the target needs people
    need = target_staff - staffed
    for i in range(n):
        k = firm[i]
        if need[k] > 0 and not active[i] and vacancy_days[i] < 0:
            vacancy_days[i] = hiring_lag_days
            need[k] -= 1
    c_isq, c_quits, c_hires, c_cost, c_coaching = cols
    for k in range(n_firms):
        log[k, c_isq], log[k, c_quits], log[k, c_hires] = isq[k], quits[k], hires[k]
        log[k, c_cost] = hires[k] * hiring_cost
        log[k, c_coaching] = coaching[k]


@jit
def staff_target(census, staff_per_1000, proactive_rate, capacity_per_person):
    """Staff each firm aims for: its ratio to customers, plus the people its proactive
    contract work needs (``contracts * proactive_rate / capacity``), at least 1.

    ``census`` is ``ServiceMarket._customer_census()`` (firm + 1, stage, segment,
    contract, class).
    """
    n_firms = census.shape[0] - 1
    target = np.empty(n_firms, dtype=np.int64)
    for k in range(n_firms):
        customers = census[k + 1, NEW:ADVOCATE + 1].sum()
        contracts = census[k + 1, :, :, 1].sum()
        need = (staff_per_1000[k] * customers / 1000
                + contracts * proactive_rate[k] / capacity_per_person)
        target[k] = max(1, np.ceil(need))
    return target
