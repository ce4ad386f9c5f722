"""Steps 3-6 as kernels: encounters within capacity, then each encounter's
quality, the customer's satisfaction, complaints, managers' approvals and
recovery (formulas: :mod:`servsim.mechanisms.encounters`, ``quality``,
``satisfaction``, ``complaints``, ``recovery`` and ``accounting``).

Two kernels, because the quality noise is numpy's normal draws (ziggurat)
taken between them: :func:`encounters` ends with the failure uniforms, which
numpy drew just before the noise.
"""

from __future__ import annotations

import numpy as np

from servsim.kernels import jit, ratio
from servsim.kernels.random import next_double
from servsim.mechanisms import (
    accounting,
    complaints,
    quality,
    recovery,
)
from servsim.mechanisms import (
    encounters as encounters_,
)
from servsim.mechanisms import (
    satisfaction as satisfaction_,
)
from servsim.mechanisms._common import stochastic_round as round_one

f32 = np.float32


@jit
def draws(bitgen, n):
    """``rng.random(n)``."""
    out = np.empty(n)
    for i in range(n):
        out[i] = next_double(bitgen)
    return out


@jit
def stochastic_round(x, u):
    """:func:`servsim.mechanisms._common.stochastic_round` of each ``x`` (x >= 0)."""
    out = np.empty(x.size, dtype=np.int64)
    for i in range(x.size):
        out[i] = round_one(x[i], u[i])
    return out


@jit
def first_k_per_group(group, priority, slots, u):
    """Mask selecting, in each group g, the ``slots[g]`` items of highest priority.

    Ties in ``priority`` are broken by the uniforms ``u``, then by position: the
    lexicographic order (group, -priority, u, position), by three stable sorts.
    FIFO service (priority = days waited) and managers' approval queues.
    """
    chosen = np.zeros(group.size, dtype=np.bool_)
    order = np.argsort(u, kind="mergesort")
    key = -priority[order].astype(np.float64)
    order = order[np.argsort(key, kind="mergesort")]
    order = order[np.argsort(group[order], kind="mergesort")]
    previous, rank = -1, 0
    for i in order:
        if group[i] != previous:
            previous, rank = group[i], 0
        chosen[i] = rank < slots[group[i]]
        rank += 1
    return chosen


@jit
def encounters(bitgen, req_customer, req_firm, req_wait, proactive, staff_active, staff_morale,
               staff_firm, encounters_today, behaviour, segments, segment, log, cols):
    """Serve requests FIFO within capacity; long waiters give up; staff assigned at random.
    ``behaviour``: the behaviour record, ``segments`` the segment records
    (:mod:`servsim.kernel_args`).

    Returns (customer, firm, wait, staff, gave_up, u_fail, overload, queue): one entry
    per encounter (served or given up), in request order, with its failure uniform
    (quality step); each firm's overload; the requests still waiting, a day older
    (customer, firm, wait).  Logs per firm (``cols``): encounters, mean wait, waiting.
    """
    n_firms, n_req = proactive.size, req_customer.size
    b = behaviour[0]
    cap_total = np.zeros(n_firms)
    for i in range(staff_firm.size):
        if staff_active[i]:
            cap_total[staff_firm[i]] += encounters_.person_capacity(
                staff_morale[i], b.staff_capacity, b.productivity_morale)
    demand = proactive.copy()
    for r in range(n_req):
        demand[req_firm[r]] += 1
    overload = np.empty(n_firms)
    capacity = np.empty(n_firms)
    for k in range(n_firms):
        overload[k] = encounters_.overload(demand[k], cap_total[k])
        capacity[k] = encounters_.request_capacity(cap_total[k], proactive[k])
    u_order = draws(bitgen, n_req)
    slots = stochastic_round(capacity, draws(bitgen, n_firms))
    group = req_firm.astype(np.int64)
    served = first_k_per_group(group, req_wait, slots, u_order)
    done = np.empty(n_req, dtype=np.bool_)
    gave = np.empty(n_req, dtype=np.bool_)
    for r in range(n_req):
        gave[r] = encounters_.gives_up(served[r], req_wait[r],
                                       segments[segment[req_customer[r]]].patience_days)
        done[r] = served[r] or gave[r]
    idx = np.flatnonzero(done)
    m = idx.size
    customer, firm = req_customer[idx], group[idx]
    gave_up, served_e = gave[idx], served[idx]
    wait = np.empty(m)
    for j in range(m):
        wait[j] = np.float64(req_wait[idx[j]]) + (1.0 if gave_up[j] else 0.0)
    # a random active employee of the encounter's firm (active staff grouped by firm)
    counts = np.zeros(n_firms, dtype=np.int64)
    for i in range(staff_firm.size):
        if staff_active[i]:
            counts[staff_firm[i]] += 1
    starts = np.zeros(n_firms, dtype=np.int64)
    for k in range(1, n_firms):
        starts[k] = starts[k - 1] + counts[k - 1]
    pool = np.empty(counts.sum(), dtype=np.int64)
    fill = starts.copy()
    for i in range(staff_firm.size):
        if staff_active[i]:
            pool[fill[staff_firm[i]]] = i
            fill[staff_firm[i]] += 1
    staff = np.full(m, -1, dtype=np.int64)
    for j in range(m):
        u = next_double(bitgen)
        c = counts[firm[j]]
        if c > 0:
            pick = starts[firm[j]] + np.int64(np.floor(u * c))
            staff[j] = pool[min(pick, pool.size - 1)]
    encounters_today[:] = 0
    n_served = np.zeros(n_firms)
    wait_sum = np.zeros(n_firms)
    for j in range(m):
        if served_e[j]:
            if staff[j] >= 0:
                encounters_today[staff[j]] += 1
            n_served[firm[j]] += 1
            wait_sum[firm[j]] += wait[j]
    keep = ~done
    waiting = np.zeros(n_firms)
    for r in range(n_req):
        if keep[r]:
            waiting[req_firm[r]] += 1
    mean_wait = ratio(wait_sum, n_served)
    for k in range(n_firms):
        log[k, cols[0]], log[k, cols[1]], log[k, cols[2]] = n_served[k], mean_wait[k], waiting[k]
    queue = (req_customer[keep], req_firm[keep], req_wait[keep] + np.int32(1))
    return customer, firm, wait, staff, gave_up, draws(bitgen, m), overload, queue


@jit
def _recover(j, i, k, days, sat_before, skill, out, satisfaction, failures, busy, value, firms,
             b, exp_speed, sums):
    """Resolve customer i's complaint at firm k after ``days``: recovery quality, the
    satisfaction it leaves, the log row ``j`` of ``out`` and the batch sums (count,
    days, compensation cost).  ``b``: the behaviour record (``behaviour[0]``).
    """
    if days >= exp_speed.size:  # ages stay within patience (abandoned at patience)
        raise IndexError("complaint older than the recovery-speed table")
    compensation = firms[k].compensation
    rho = recovery.recovery_quality(exp_speed[days], compensation, skill, b.compensation_scale,
                                    b.recovery_weight_speed, b.recovery_weight_compensation,
                                    b.recovery_weight_skill)
    first = complaints.first_failure(failures[i])
    satisfaction[i] = recovery.recovered_satisfaction(satisfaction[i], sat_before, rho, first,
                                                      b.paradox_threshold, b.paradox_gain,
                                                      b.repeat_failure_cap)
    busy[i] = False
    sums[0, k] += 1
    sums[1, k] += np.float64(days)
    sums[2, k] += accounting.compensation_cost(compensation, value[i])
    _log_row(out, j, k, i, days, True, first, rho, sat_before, satisfaction[i])


@jit
def _log_row(out, j, k, i, days, resolved, first, rho, sat_before, sat_after):
    ints, floats = out
    ints[j, 0], ints[j, 1], ints[j, 2], ints[j, 3] = k, i, days, resolved
    ints[j, 4] = first
    floats[j, 0], floats[j, 1], floats[j, 2] = f32(rho), sat_before, sat_after


@jit
def outcomes(
    bitgen, day, customer, firm, wait, staff, gave_up, u_fail, noise, overload,
    # customers
    segment, satisfaction, expectation, contract, failures, last_failure_day, busy, value,
    # staff and managers
    staff_skill, staff_morale, staff_manager, manager_firm, team_size,
    # open complaints
    book_customer, book_firm, book_manager, book_age, book_level, book_sat, book_skill,
    # firm and segment records, the designed level (firm x segment), the market norm
    firms, segments, service_level, norm,
    # the behaviour record (servsim.kernel_args), recovery speed by days waited
    behaviour, exp_speed,
    # the day log and its columns (servsim.kernels.columns.OUTCOME_COLUMNS)
    log, cols,
):
    """Quality, satisfaction, complaints, approvals, recovery and abandonment.

    Logs per firm (``cols``: failures, quality, encounter cost, follow-up cost,
    complaints, ignored, recoveries, recovery days, on the spot, compensation,
    abandoned, complaint queue).  Returns (book, recoveries, queue): the complaint
    book's columns after the day, the day's closed complaints (int and float
    columns) and each manager's open escalated complaints.
    """
    n_firms, m = overload.size, customer.size
    b = behaviour[0]
    logs = np.zeros((12, n_firms))
    skill64 = np.empty(m)
    sat_before = np.empty(m, dtype=np.float32)
    failed = np.empty(m, dtype=np.bool_)
    n_quality = np.zeros(n_firms)
    for j in range(m):
        i, k, st = customer[j], firm[j], staff[j]
        s, fk = segment[i], firms[firm[j]]
        has = st >= 0
        skill = np.float64(staff_skill[st] if has else f32(b.novice_skill))
        morale = np.float64(staff_morale[st]) if has else 0.5
        level = service_level[k, s]
        phi = quality.failure_probability(
            skill, morale, level, overload[k], contract[i], fk.standardization,
            fk.proactive_prevention, b.logit_base_failure, b.failure_skill, b.failure_morale,
            b.failure_level, b.failure_overload)
        failed[j] = quality.fails(u_fail[j], phi, gave_up[j], has)
        q = quality.perceived_quality(level, skill, morale, wait[j], failed[j], noise[j],
                                      b.skill_weight, b.morale_weight, b.wait_penalty,
                                      b.failure_severity)
        if quality.forgets_failures(day, last_failure_day[i], b.failure_memory_days):
            failures[i] = 0
        if failed[j]:
            failures[i] = quality.failures_after_failure(np.int32(failures[i]))
            last_failure_day[i] = day
            logs[0, k] += 1
        logs[1, k] += q
        n_quality[k] += 1
        logs[2, k] += accounting.encounter_cost(fk.cost_per_encounter, level, gave_up[j],
                                              fk.quality_cost_curvature)
        # satisfaction by expectation-disconfirmation of the quality as experienced
        # (assimilated toward the expectation); adaptive expectation
        sb = satisfaction[i]
        e = np.float64(expectation[i])
        qe = quality.assimilated_quality(q, e, b.assimilation)
        tx = satisfaction_.transaction_satisfaction(qe, e, norm[s], b.wom_neutral,
                                                    b.satisfaction_gain, b.loss_aversion,
                                                    b.tolerance, b.norm_weight,
                                                    b.value_curvature, fk.product_satisfaction)
        satisfaction[i] = satisfaction_.update_satisfaction(sb, tx, b.satisfaction_memory)
        expectation[i] = satisfaction_.update_expectation(e, qe, b.expectation_learning)
        sat_before[j] = sb
        skill64[j] = skill
    logs[1] = ratio(logs[1], n_quality)
    # complaints: follow-up calls, voiced or surfaced (one uniform per encounter each)
    followed = np.empty(m, dtype=np.bool_)
    for j in range(m):
        followed[j] = complaints.followed_up(next_double(bitgen), firms[firm[j]].followup_rate)
        logs[3, firm[j]] += accounting.followup_cost(followed[j], firms[firm[j]].followup_cost)
    lodged = np.zeros(m, dtype=np.bool_)
    for j in range(m):
        i = customer[j]
        voiced = complaints.voiced(failed[j], next_double(bitgen),
                                   segments[segment[i]].complaint_propensity)
        lodged[j] = complaints.lodged(voiced, failed[j], followed[j])
        if lodged[j]:
            logs[4, firm[j]] += 1
        else:
            busy[i] = False
    which = np.flatnonzero(lodged)
    n_l = which.size
    u_handle = draws(bitgen, n_l)
    u_authority = draws(bitgen, n_l)
    # the day's closed complaints: on the spot, then resolved by approval, then abandoned
    n_book = book_customer.size
    cap = n_l + n_book
    out = (np.zeros((cap, 5), dtype=np.int64), np.zeros((cap, 3), dtype=np.float32))
    n_out = 0
    spot = np.zeros((3, n_firms))
    into = np.zeros(n_l, dtype=np.bool_)
    mgr = np.full(n_l, -1, dtype=np.int32)
    for r in range(n_l):
        j = which[r]
        k = firm[j]
        if not complaints.handled(u_handle[r], firms[k].complaint_handling):
            logs[5, k] += 1
            into[r] = True
        elif complaints.settled_on_spot(u_authority[r], firms[k].frontline_authority):
            _recover(n_out, customer[j], k, 0, sat_before[j], f32(skill64[j]), out,
                     satisfaction, failures, busy, value, firms, b, exp_speed, spot)
            n_out += 1
        else:  # escalated to the employee's manager
            into[r] = True
            if staff[j] >= 0:
                mgr[r] = staff_manager[staff[j]]
    # into the book: escalated (manager >= 0) or ignored (-1)
    new = which[into]
    n_all = n_book + new.size
    b_customer = np.concatenate((book_customer, customer[new]))
    b_firm = np.concatenate((book_firm, firm[new].astype(np.int8)))
    b_manager = np.concatenate((book_manager, mgr[into]))
    b_age = np.concatenate((book_age, np.zeros(new.size, dtype=np.int32)))
    b_level = np.concatenate((book_level, np.zeros(new.size, dtype=np.int32)))
    b_sat = np.concatenate((book_sat, sat_before[new]))
    b_skill = np.concatenate((book_skill, skill64[new].astype(np.float32)))
    # approvals: each manager approves up to its slots of the oldest ready complaints
    n_mgr = manager_firm.size
    x = np.empty(n_mgr)
    for g in range(n_mgr):
        k = manager_firm[g]
        x[g] = complaints.approval_slots(firms[k].manager_capacity, firms[k].control_share,
                                         team_size[g])
    slots = stochastic_round(x, draws(bitgen, n_mgr))
    ready = np.empty(n_all, dtype=np.bool_)
    for r in range(n_all):
        ready[r] = b_manager[r] >= 0 and complaints.approval_ready(
            b_age[r], b_level[r], firms[b_firm[r]].level_delay_days)
    idx = np.flatnonzero(ready)
    approved = first_k_per_group(b_manager[idx].astype(np.int64), b_age[idx], slots,
                                 draws(bitgen, idx.size))
    for r in idx[approved]:
        b_level[r] += 1
    resolved = np.empty(n_all, dtype=np.bool_)
    abandoned = np.empty(n_all, dtype=np.bool_)
    for r in range(n_all):
        resolved[r] = b_manager[r] >= 0 and complaints.resolved(b_level[r],
                                                                firms[b_firm[r]].approval_levels)
        abandoned[r] = complaints.abandoned(resolved[r], b_age[r],
                                            segments[segment[b_customer[r]]].patience_days)
    approval = np.zeros((3, n_firms))
    for r in np.flatnonzero(resolved):
        _recover(n_out, b_customer[r], b_firm[r], b_age[r], b_sat[r], b_skill[r], out,
                 satisfaction, failures, busy, value, firms, b, exp_speed, approval)
        n_out += 1
    for r in np.flatnonzero(abandoned):
        i = b_customer[r]
        satisfaction[i] = recovery.unresolved_satisfaction(satisfaction[i], b.unresolved_penalty)
        busy[i] = False
        logs[10, b_firm[r]] += 1
        _log_row(out, n_out, b_firm[r], i, b_age[r], False, complaints.first_failure(failures[i]),
                 0.0, b_sat[r], satisfaction[i])
        n_out += 1
    for row, column in ((6, 0), (7, 1), (9, 2)):
        logs[row] = spot[column] + approval[column]
    logs[8] = spot[0]
    # the complaints still open, a day older
    open_ = ~(resolved | abandoned)
    queue = np.zeros(n_mgr, dtype=np.int32)
    for r in np.flatnonzero(open_):
        b_age[r] += 1
        if b_manager[r] >= 0:
            queue[b_manager[r]] += 1
            logs[11, b_firm[r]] += 1
    book = (b_customer[open_], b_firm[open_], b_manager[open_], b_age[open_], b_level[open_],
            b_sat[open_], b_skill[open_])
    for r in range(len(cols)):
        for k in range(n_firms):
            log[k, cols[r]] = logs[r, k]
    return book, (out[0][:n_out], out[1][:n_out]), queue
