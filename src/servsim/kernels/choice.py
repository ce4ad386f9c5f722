"""Step 8 as two kernels: purchases and defection, then switching, stages,
contracts, adoption and the new customers' first purchase (formulas of
:mod:`servsim.mechanisms.relationship`, :mod:`~servsim.mechanisms.adoption`,
:mod:`~servsim.mechanisms.expectations` and :mod:`~servsim.mechanisms.accounting`).

The switchers' choice weights ``exp(U - max U)`` are computed between the two
kernels, by numpy (its exp need not round as the C library's does).
"""

from __future__ import annotations

import numpy as np

from servsim.kernels import is_active, jit, row_sum
from servsim.kernels.random import next_double, next_float
from servsim.mechanisms import accounting, adoption, expectations, relationship
from servsim.mechanisms.adoption import choose
from servsim.state import LAPSED, NEW

f32 = np.float32


@jit
def defection(bitgen, stage, segment, firm, satisfaction, attitude, purchase_rate, price,
              price_sensitivity, logit_churn_base, neutral, slope_satisfaction,
              slope_attitude, slope_price, switch_share, log, churn_col, rate_multiplier,
              dropout_offset):
    """Purchase occasions and defection; defectors per firm are logged (``churn_col``).

    Returns (pool, buyers, defect, switch, movers): the customers not active at the
    start (the adoption pool), the buyers, which of them defect, which defectors switch,
    and the switchers.
    """
    n, n_firms = stage.size, attitude.shape[1]
    pool = np.empty(n, dtype=np.int64)
    buyers = np.empty(n, dtype=np.int64)
    n_pool = n_buy = 0
    for i in range(n):
        u = next_float(bitgen)
        active = is_active(stage[i])
        pool[n_pool] = i  # kept only if not active (no branch to mispredict)
        n_pool += not active
        if relationship.buys(u, purchase_rate[segment[i]] * rate_multiplier[i]):  # rarely true: predictable
            if active:
                buyers[n_buy] = i
                n_buy += 1
    buyers = buyers[:n_buy]
    defect = np.zeros(n_buy, dtype=np.bool_)
    churn = np.zeros(n_firms)
    n_leave = 0
    for j in range(n_buy):
        i = buyers[j]
        k = firm[i]
        p_defect = relationship.defection_probability(
            satisfaction[i], attitude[i, k], price[k], price_sensitivity[segment[i]],
            logit_churn_base, neutral, slope_satisfaction, slope_attitude, slope_price,
            dropout_offset[i])
        if next_double(bitgen) < p_defect:
            defect[j] = True
            churn[k] += 1
            n_leave += 1
    switch = np.zeros(n_leave, dtype=np.bool_)
    if n_firms > 1:
        for j in range(n_leave):
            switch[j] = relationship.switches(next_double(bitgen), switch_share)
    for k in range(n_firms):
        log[k, churn_col] = churn[k]
    return pool[:n_pool], buyers, defect, switch, buyers[defect][switch]


@jit
def _purchase(who, firm, stage, value, price, loyalty_premium, cross_buy, cost_of_goods,
              revenue):
    """Add one batch of purchases to ``revenue`` (F x 4: purchases, premium, crossbuy,
    goods), summed per firm from zero first, as ``np.bincount`` does.
    """
    batch = np.zeros_like(revenue)
    for i in who:
        k = firm[i]
        amounts = accounting.purchase_amounts(np.float64(value[i]), price[k],
                                              accounting.pays_loyalty(stage[i]),
                                              loyalty_premium[k], cross_buy[k], cost_of_goods)
        for c in range(4):
            batch[k, c] += amounts[c]
    revenue += batch


@jit
def _new_customers(who, new_firm, c_firm, segment, stage, expectation, satisfaction, tenure,
                   failures, contract, table_row, promised, norm, promise_weight,
                   initial_satisfaction, value, price, loyalty_premium, cross_buy,
                   cost_of_goods, acquisitions, revenue):
    """``who[j]`` become new customers of ``new_firm[j]`` (skipping -1: no choice) and
    make their first purchase (``ServiceMarket._join``).
    """
    ok = new_firm >= 0
    if not ok.any():
        return
    who, new_firm = who[ok], new_firm[ok]
    n_seg = norm.size
    for j in range(who.size):
        i, k = who[j], new_firm[j]
        s = segment[i]
        c_firm[i] = k
        table_row[i] = k * n_seg + s
        stage[i] = NEW
        expectation[i] = f32(expectations.prospect_expectation(promised[k, s], norm[s],
                                                               promise_weight))
        satisfaction[i] = f32(initial_satisfaction)
        tenure[i] = 0
        failures[i] = 0
        contract[i] = False
    batch = np.zeros_like(acquisitions)
    for k in new_firm:
        batch[k] += 1
    acquisitions += batch
    _purchase(who, c_firm, stage, value, price, loyalty_premium, cross_buy, cost_of_goods,
              revenue)


@jit
def adoption_and_stages(
    bitgen, pool, buyers, defect, switch, movers, switch_weights,
    # customers
    c_firm, segment, stage, satisfaction, expectation, attitude, value, tenure, failures,
    contract, busy, table_row,
    # open requests
    request_customer,
    # today's word of mouth (sparse): hearers, their pos_in rows, the slot index
    wom_rows, wom_pos, slot,
    # firms and segments
    price, loyalty_premium, cross_buy, contract_uptake, promised, advertising,
    price_sensitivity, norm,
    # behaviour and market
    cost_of_goods, repeat_threshold, loyal_threshold, advocate_threshold, loyal_tenure_days,
    innovation, imitation, utility_quality, utility_price, utility_attitude,
    outside_utility, promise_weight, initial_satisfaction,
    # the day log: purchase columns (accounting.purchase_amounts' order), acquisitions
    log, purchase_cols, acquisitions_col,
):
    """The rest of the choice step (logs revenue and acquisitions); returns the mask of
    open requests kept (the leavers' are dropped) and how many were dropped.
    """
    n_firms = price.size
    revenue = np.zeros((n_firms, 4))
    acquisitions = np.zeros(n_firms)
    leavers = buyers[defect]  # movers are leavers[switch], from defection
    target = np.empty(movers.size, dtype=np.int64)
    for j in range(movers.size):
        target[j] = choose(switch_weights[j], next_double(bitgen))
    for i in leavers[~switch]:  # lapse
        stage[i] = LAPSED
        contract[i] = False
        tenure[i] = 0
    # leavers' open requests are dropped (leavers are in ascending order)
    keep = np.ones(request_customer.size, dtype=np.bool_)
    dropped = 0
    if leavers.size:
        for r in range(request_customer.size):
            i = request_customer[r]
            p = np.searchsorted(leavers, i)
            if p < leavers.size and leavers[p] == i:
                keep[r] = False
                busy[i] = False
                dropped += 1
    stayers = buyers[~defect]
    _purchase(stayers, c_firm, stage, value, price, loyalty_premium, cross_buy, cost_of_goods,
              revenue)
    for i in stayers:
        stage[i] = relationship.next_stage(stage[i], satisfaction[i], tenure[i],
                                           repeat_threshold, loyal_threshold,
                                           advocate_threshold, loyal_tenure_days)
    for i in stayers:  # one draw per stayer, as rng.random(stayers.size)
        u = next_double(bitgen)
        if relationship.takes_contract(contract[i], satisfaction[i], u, repeat_threshold,
                                       contract_uptake[c_firm[i]]):
            contract[i] = True
    # adoption: thinning (exact), see ServiceMarket.choice_step; the bound is the
    # probability of hearing at each firm's largest pos_in, widened by 1e-9
    hazard = np.empty(n_firms)
    for k in range(n_firms):
        top = f32(0.0)
        for r in range(wom_rows.size):
            top = max(top, wom_pos[r, k])
        hazard[k] = adoption.hazard(advertising[k], top, innovation, imitation)
    adopt_bound = adoption.adopt_probability(row_sum(hazard)) * (1 + 1e-9)
    maybe = np.empty(pool.size, dtype=np.int64)
    u_pool = np.empty(pool.size)
    n_maybe = 0
    for j in range(pool.size):
        u = next_double(bitgen)
        if u < adopt_bound:
            maybe[n_maybe] = pool[j]
            u_pool[n_maybe] = u
            n_maybe += 1
    heard = np.empty(n_maybe, dtype=np.int64)
    heard_a = np.empty((n_maybe, n_firms))
    heard_p = np.empty(n_maybe)
    n_heard = 0
    for j in range(n_maybe):
        i = maybe[j]
        pos = slot[i]
        hit = 0 <= pos < wom_rows.size and wom_rows[pos] == i
        for k in range(n_firms):
            pos_in = wom_pos[pos, k] if hit else f32(0.0)
            hazard[k] = adoption.hazard(advertising[k], pos_in, innovation, imitation)
        p_heard = adoption.adopt_probability(row_sum(hazard))
        if u_pool[j] < p_heard:
            heard[n_heard] = i
            heard_a[n_heard] = hazard
            heard_p[n_heard] = p_heard
            n_heard += 1
    adopters = np.empty(n_heard, dtype=np.int64)
    adopt_a = np.empty((n_heard, n_firms))
    n_adopt = 0
    for j in range(n_heard):
        i = heard[j]
        s = segment[i]
        a = heard_a[j]
        for k in range(n_firms):
            e0 = expectations.prospect_expectation(promised[k, s], norm[s], promise_weight)
            util = adoption.utility(e0, price[k], price_sensitivity[s], attitude[i, k],
                                    utility_quality, utility_price, utility_attitude)
            a[k] *= adoption.conversion(util, outside_utility)
        if next_double(bitgen) * heard_p[j] < adoption.adopt_probability(row_sum(a)):
            adopters[n_adopt] = i
            adopt_a[n_adopt] = a
            n_adopt += 1
    chosen = np.empty(n_adopt, dtype=np.int64)
    for j in range(n_adopt):
        chosen[j] = choose(adopt_a[j], next_double(bitgen))
    # the new customers: switchers first, then adopters
    args = (c_firm, segment, stage, expectation, satisfaction, tenure, failures, contract,
            table_row, promised, norm, promise_weight, initial_satisfaction, value, price,
            loyalty_premium, cross_buy, cost_of_goods, acquisitions, revenue)
    _new_customers(movers, target, *args)
    _new_customers(adopters[:n_adopt], chosen, *args)
    for i in range(stage.size):
        tenure[i] += is_active(stage[i])
    for k in range(n_firms):
        for j in range(4):
            log[k, purchase_cols[j]] += revenue[k, j]
        log[k, acquisitions_col] += acquisitions[k]
    return keep, dropped


@jit
def utilities(who, segment, attitude, promised, norm, price, price_sensitivity,
              promise_weight, utility_quality, utility_price, utility_attitude):
    """Choice utility of every firm for customers ``who`` (len(who) x F, float64): the
    switchers' logit weights are ``exp(U - max U)`` of these (numpy's exp).
    """
    n_firms = price.size
    out = np.empty((who.size, n_firms))
    for j in range(who.size):
        i = who[j]
        s = segment[i]
        for k in range(n_firms):
            e0 = expectations.prospect_expectation(promised[k, s], norm[s], promise_weight)
            out[j, k] = adoption.utility(e0, price[k], price_sensitivity[s], attitude[i, k],
                                         utility_quality, utility_price, utility_attitude)
    return out
