"""Step 10 as one kernel: morale, skill, quits, hires and coaching (formulas:
:mod:`servsim.mechanisms.staff`, :mod:`servsim.mechanisms.encounters`,
:mod:`servsim.mechanisms.accounting`).
"""

from __future__ import annotations

import math

import numpy as np

from servsim.kernels import jit
from servsim.kernels.random import next_double
from servsim.mechanisms import accounting, encounters, staff
from servsim.state import ADVOCATE, NEW

f32 = np.float32


@jit
def normal_pair(bitgen):
    """Two independent standard normals from two uniforms of the stream (Box-Muller)."""
    u1, u2 = next_double(bitgen), next_double(bitgen)
    r = math.sqrt(-2.0 * math.log(1.0 - u1))
    return r * math.cos(2.0 * math.pi * u2), r * math.sin(2.0 * math.pi * u2)


@jit
def hire_traits(bitgen, i, baseline, sensitivity, baseline_sd, sensitivity_sd):
    """Draw employee ``i``'s disposition and sensitivity (two uniforms; none when both
    spreads are 0, then 0 and 1).
    """
    if baseline_sd > 0.0 or sensitivity_sd > 0.0:
        z1, z2 = normal_pair(bitgen)
        baseline[i] = f32(baseline_sd * z1)
        sensitivity[i] = f32(staff.employee_sensitivity(z2, sensitivity_sd))
    else:
        baseline[i], sensitivity[i] = f32(0.0), f32(1.0)


@jit
def staff_traits(bitgen, baseline, sensitivity, behaviour):
    """Traits of every staff slot at day 0, slot by slot (:func:`hire_traits`);
    ``behaviour``: the behaviour record (:mod:`servsim.kernel_args`)."""
    b = behaviour[0]
    baseline_sd, sensitivity_sd = b.morale_baseline_sd, b.morale_sensitivity_sd
    for i in range(baseline.size):
        hire_traits(bitgen, i, baseline, sensitivity, baseline_sd, sensitivity_sd)


@jit
def staff_day(
    bitgen,
    # staff columns (updated in place)
    firm, manager, active, skill, morale, tenure, vacancy_days, encounters_today,
    baseline, sensitivity,
    # managers (team_size and coaching_today updated in place)
    manager_firm, team_size, coaching_today,
    # the firm records and each firm's staffing target
    firms, target_staff,
    # the behaviour record (servsim.kernel_args)
    behaviour,
    # the day log and its columns: internal service, quits, hires, hiring cost, coaching
    log, cols,
):
    """One day of staff dynamics, logged per firm (internal service quality as surveyed,
    quits, hires, their hiring cost, coaching sessions).

    Random numbers, in this order: per active slot, two uniforms for its morale shock
    and survey error (only if ``morale_shock`` or ``survey_error`` > 0) and one for
    whether it answers the survey (only if ``survey_response`` < 1); then one uniform
    per slot for quitting; then two per novice who starts (:func:`hire_traits`).
    """
    n, n_mgr, n_firms = firm.size, manager_firm.size, target_staff.size
    b = behaviour[0]
    team_size[:] = 0
    for i in range(n):
        if active[i]:
            team_size[manager[i]] += 1
    per_member = np.zeros(n_mgr)
    coaching = np.zeros(n_firms)
    for j in range(n_mgr):
        k = manager_firm[j]
        per_member[j] = staff.coaching_per_member(firms[k].manager_capacity,
                                                  firms[k].control_share, team_size[j])
        coaching_today[j] = f32(per_member[j] * team_size[j])
        coaching[k] += coaching_today[j]
    isq_sum = np.zeros(n_firms)
    isq_n = np.zeros(n_firms, dtype=np.int64)
    for i in range(n):
        k = firm[i]
        fk = firms[k]
        coach = per_member[manager[i]]
        cap = encounters.person_capacity(morale[i], b.staff_capacity, b.productivity_morale)
        load = staff.workload(encounters_today[i], cap)
        if active[i]:
            x = staff.internal_service_index(coach, fk.training, fk.frontline_authority,
                                             fk.wage, b.market_wage, load, b.morale_support,
                                             b.morale_training, b.morale_authority,
                                             b.morale_wage, b.morale_overload)
            target = staff.morale_target(coach, fk.training, fk.frontline_authority, fk.wage,
                                         b.market_wage, load, b.morale_support,
                                         b.morale_training, b.morale_authority, b.morale_wage,
                                         b.morale_overload, sensitivity[i], baseline[i])
            shock, error = 0.0, 0.0
            if b.morale_shock > 0.0 or b.survey_error > 0.0:
                z1, z2 = normal_pair(bitgen)
                shock, error = b.morale_shock * z1, b.survey_error * z2
            if b.survey_response >= 1.0 or next_double(bitgen) < b.survey_response:
                isq_sum[k] += staff.survey_answer(x, error)
                isq_n[k] += 1
            morale[i] = staff.update_morale(morale[i], target, b.morale_adjustment, shock)
            skill[i] = staff.update_skill(skill[i], encounters_today[i], fk.training, coach,
                                          b.learning_rate, b.training_rate, b.coaching_rate)
    isq = np.full(n_firms, np.nan)
    for k in range(n_firms):
        if isq_n[k] > 0:
            isq[k] = isq_sum[k] / isq_n[k]
    # quits (one uniform per staff slot, as rng.random(n)), then vacancies
    quits = np.zeros(n_firms)
    hires = np.zeros(n_firms)
    for i in range(n):
        u = next_double(bitgen)
        if active[i] and u < staff.quit_probability(morale[i], b.logit_quit_base, b.quit_morale):
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
                skill[i] = f32(b.novice_skill)
                morale[i] = f32(b.initial_morale)
                hire_traits(bitgen, i, baseline, sensitivity, b.morale_baseline_sd,
                            b.morale_sensitivity_sd)
                tenure[i] = 0
                hires[firm[i]] += 1
        if active[i] or vacancy_days[i] >= 0:
            staffed[firm[i]] += 1
    # open vacancies (the first free slots of each firm) where the target needs people
    need = target_staff - staffed
    for i in range(n):
        k = firm[i]
        if need[k] > 0 and not active[i] and vacancy_days[i] < 0:
            vacancy_days[i] = b.hiring_lag_days
            need[k] -= 1
    c_isq, c_quits, c_hires, c_cost, c_coaching = cols
    for k in range(n_firms):
        log[k, c_isq], log[k, c_quits], log[k, c_hires] = isq[k], quits[k], hires[k]
        log[k, c_cost] = accounting.hiring_cost(hires[k], b.hiring_cost)
        log[k, c_coaching] = coaching[k]


@jit
def staff_target(census, segments, firms, behaviour):
    """Staff each firm aims for: the Erlang-C team for its requests (customers by
    segment times the segment's need rate) at its service-level target, plus the
    people its proactive contract work needs (``contracts * proactive_rate /
    capacity``), at least 1 (:func:`servsim.mechanisms.staff.staffing_target`).

    ``census`` is ``ServiceMarket._customer_census()`` (firm + 1, stage, segment,
    contract, class); ``segments``, ``firms``, ``behaviour``: the records of
    :mod:`servsim.kernel_args`.
    """
    n_firms = census.shape[0] - 1
    capacity_per_person = behaviour[0].staff_capacity
    target = np.empty(n_firms, dtype=np.int64)
    for k in range(n_firms):
        requests = 0.0
        for s in range(census.shape[2]):
            requests += census[k + 1, NEW:ADVOCATE + 1, s].sum() * segments[s].need_rate
        contracts = census[k + 1, :, :, 1].sum()
        load = staff.offered_load(requests, capacity_per_person)
        target[k] = staff.staffing_target(load, contracts, firms[k].service_level_target,
                                          firms[k].proactive_rate, capacity_per_person)
    return target
