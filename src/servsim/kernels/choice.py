"""Step 8 as two kernels: purchases and defection, then switching, stages,
contracts, adoption and the new customers' first purchase (formulas of
:mod:`servsim.mechanisms.relationship`, :mod:`~servsim.mechanisms.adoption`,
:mod:`~servsim.mechanisms.expectations` and :mod:`~servsim.mechanisms.accounting`).

The switchers' choice weights ``exp(U - max U)`` are computed between the two
kernels, by numpy (its exp need not round as the C library's does).
"""

from __future__ import annotations

import numpy as np

from servsim.kernels import expit, is_active, jit, row_sum
from servsim.kernels.random import next_double, next_float
from servsim.state import ADVOCATE, LAPSED, LOYAL, NEW, REPEAT

f32 = np.float32


@jit
def choose(weights, u):
    """:func:`servsim.mechanisms.adoption.choose` for one row."""
    total = 0.0
    for w in weights:
        total += w
    if not total > 0:
        return -1
    bar = u * total
    cum, pick = 0.0, 0
    for w in weights:
        cum += w
        pick += cum <= bar
    return min(pick, weights.size - 1)


@jit
def defection(bitgen, stage, segment, firm, satisfaction, attitude, purchase_rate, price,
              price_sensitivity, logit_churn_base, neutral, slope_satisfaction,
              slope_attitude, slope_price, switch_share, log, churn_col):
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
        if u < purchase_rate[segment[i]]:  # rarely true first: a predictable branch
            if active:
                buyers[n_buy] = i
                n_buy += 1
    buyers = buyers[:n_buy]
    defect = np.zeros(n_buy, dtype=np.bool_)
    churn = np.zeros(n_firms)
    lc, cs, ca = f32(logit_churn_base), f32(slope_satisfaction), f32(slope_attitude)
    s_n = f32(neutral)
    n_leave = 0
    for j in range(n_buy):
        i = buyers[j]
        k = firm[i]
        z32 = lc + cs * (s_n - satisfaction[i]) - ca * attitude[i, k]
        z = np.float64(z32) + slope_price * price_sensitivity[segment[i]] * (price[k] - 1.0)
        if next_double(bitgen) < expit(z):
            defect[j] = True
            churn[k] += 1
            n_leave += 1
    switch = np.zeros(n_leave, dtype=np.bool_)
    if n_firms > 1:
        for j in range(n_leave):
            switch[j] = next_double(bitgen) < switch_share
    for k in range(n_firms):
        log[k, churn_col] = churn[k]
    return pool[:n_pool], buyers, defect, switch, buyers[defect][switch]


@jit
def _purchase(who, firm, stage, value, price, loyalty_premium, cross_buy, cost_of_goods,
              revenue):
    """Add one batch of purchases to ``revenue`` (F x 4: purchases, premium, crossbuy,
    goods), summed per firm from zero first, as ``np.bincount`` does."""
    batch = np.zeros_like(revenue)
    for i in who:
        k = firm[i]
        loyal = 1.0 if (stage[i] == LOYAL or stage[i] == ADVOCATE) else 0.0
        v = np.float64(value[i])
        base = v * price[k]
        batch[k, 0] += base
        batch[k, 1] += base * loyalty_premium[k] * loyal
        batch[k, 2] += base * cross_buy[k] * loyal
        batch[k, 3] += v * cost_of_goods * (1.0 + cross_buy[k] * loyal)
    revenue += batch


@jit
def _new_customers(who, new_firm, c_firm, segment, stage, expectation, satisfaction, tenure,
                   failures, contract, table_row, promised, norm, promise_weight,
                   initial_satisfaction, value, price, loyalty_premium, cross_buy,
                   cost_of_goods, acquisitions, revenue):
    """``who[j]`` become new customers of ``new_firm[j]`` (skipping -1: no choice) and
    make their first purchase (``ServiceMarket._join``)."""
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
        expectation[i] = f32(promise_weight * promised[k, s] + (1.0 - promise_weight) * norm[s])
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
    open requests kept (the leavers' are dropped) and how many were dropped."""
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
    rep, loy, adv = f32(repeat_threshold), f32(loyal_threshold), f32(advocate_threshold)
    for i in stayers:
        st, s = stage[i], satisfaction[i]
        out = st
        if st == NEW and s >= rep:
            out = REPEAT
        if st == REPEAT and s >= loy and tenure[i] >= loyal_tenure_days:
            out = LOYAL
        if st == LOYAL and s >= adv:
            out = ADVOCATE
        if st == ADVOCATE and s < adv:
            out = LOYAL
        if st == LOYAL and s < loy:
            out = REPEAT
        stage[i] = out
    for i in stayers:  # one draw per stayer, as rng.random(stayers.size)
        u = next_double(bitgen)
        if not contract[i] and satisfaction[i] >= rep and u < contract_uptake[c_firm[i]]:
            contract[i] = True
    # adoption: thinning (exact), see ServiceMarket.choice_step; the bound is the
    # probability of hearing at each firm's largest pos_in, widened by 1e-9
    q32 = f32(imitation)
    hazard = np.empty(n_firms)
    for k in range(n_firms):
        top = f32(0.0)
        for r in range(wom_rows.size):
            top = max(top, wom_pos[r, k])
        hazard[k] = innovation * advertising[k] + np.float64(q32 * top)
    adopt_bound = min(row_sum(hazard), 1.0) * (1 + 1e-9)
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
            hazard[k] = innovation * advertising[k] + np.float64(q32 * pos_in)
        p_heard = min(row_sum(hazard), 1.0)
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
            e0 = promise_weight * promised[k, s] + (1.0 - promise_weight) * norm[s]
            util = (utility_quality * e0 - utility_price * price_sensitivity[s] * price[k]
                    + utility_attitude * np.float64(attitude[i, k]))
            a[k] *= expit(util - outside_utility)
        if next_double(bitgen) * heard_p[j] < min(row_sum(a), 1.0):
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
