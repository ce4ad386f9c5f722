"""Step 8 as two kernels: purchase occasions (dropout, then the choice among firms and
the outside option), then switching, stages, contracts, adoption and the new customers'
first purchase (formulas of :mod:`servsim.mechanisms.relationship`,
:mod:`~servsim.mechanisms.adoption`, :mod:`~servsim.mechanisms.expectations` and
:mod:`~servsim.mechanisms.accounting`).

The customer-free part of every firm's utility per segment (:func:`firm_utilities`) is
computed once per day; only the customers at an occasion (or who heard of a firm) add
their attitude and inertia.  Draws, in this order: one float per customer (occasion),
one double per occasion (dropout), one per survivor (choice), then the adoption draws.

With ``sim.counter_draws = 1`` (``counter_seed >= 0``) none of these comes from the
model's generator: each is the counter-based uniform
``U(counter_seed, stream, customer, day)`` (:func:`~servsim.kernels.random.counter_uniform`,
float64 in (0, 1); the streams of :mod:`servsim.streams`), so a customer's draw on a
day does not depend on how many draws other customers or other phases consumed
(common random numbers for calibration, ODD 7.10).  The occasion then compares the
float64 uniform with the float32 rate ``purchase_rate_s * m_i``.
"""

from __future__ import annotations

import numpy as np

from servsim.kernels import PREFETCH_AHEAD, is_active, jit, prefetch, row_sum
from servsim.kernels.random import counter_uniform, next_double, next_float
from servsim.mechanisms import accounting, adoption, expectations, relationship
from servsim.mechanisms.adoption import choose
from servsim.state import LAPSED, NEW
from servsim.streams import (ADOPT_STREAM, CHOICE_STREAM, CONTRACT_STREAM, DEFECTION_STREAM,
                             OCCASION_STREAM, PICK_STREAM, SHARE_STREAM)

f32 = np.float32


@jit
def firm_utilities(promised, norm, firms, segments, behaviour):
    """The customer-free parts of each firm's utility per segment (F x S each, float64):
    the price-free part and the price term (before each customer's multiplier).
    ``firms``, ``segments``, ``behaviour``: the records of :mod:`servsim.kernel_args`.
    """
    n_firms, n_seg = promised.shape
    b = behaviour[0]
    base = np.empty((n_firms, n_seg))
    price_term = np.empty((n_firms, n_seg))
    for k in range(n_firms):
        for s in range(n_seg):
            e0 = expectations.prospect_expectation(promised[k, s], norm[s], b.promise_weight)
            base[k, s] = adoption.firm_utility(e0, firms[k].product_quality, firms[k].brand,
                                               b.utility_quality, b.utility_product)
            price_term[k, s] = adoption.price_utility(firms[k].price,
                                                      segments[s].price_sensitivity,
                                                      b.utility_price)
    return base, price_term


@jit
def _draw(bitgen, counter_seed, stream, customer, day):
    """One float64 uniform: ``next_double(bitgen)`` if ``counter_seed < 0``, else the
    counter-based ``U(counter_seed, stream, customer, day)`` (no generator state used)."""
    if counter_seed >= 0:
        return counter_uniform(counter_seed, stream, customer, day)
    return next_double(bitgen)


@jit
def _drops(bitgen, counter_seed, day, i, k, satisfaction, attitude, dropout_offset, b):
    """Whether customer ``i`` of firm ``k`` drops out now: one draw (the defection stream)
    against :func:`~servsim.mechanisms.relationship.defection_probability`."""
    p_drop = relationship.defection_probability(
        satisfaction[i], attitude[i, k], b.logit_churn_base, b.wom_neutral,
        b.churn_satisfaction, b.churn_attitude, dropout_offset[i])
    return _draw(bitgen, counter_seed, DEFECTION_STREAM, i, day) < p_drop


@jit
def defection(bitgen, stage, segment, firm, satisfaction, attitude, segments, base,
              price_term, multiplier, behaviour, log, churn_col, rate_multiplier,
              dropout_offset, daily, counter_seed, day):
    """Purchase occasions: dropout, then the choice among firms and the outside option.
    Leavers (dropouts and switchers) per firm are logged (``churn_col``).  ``segments``
    (their float32 ``purchase_rate32``), ``behaviour``: records of :mod:`servsim.kernel_args`.
    ``counter_seed``: -1 = the model's generator draws; >= 0 = counter-based draws keyed
    by (counter_seed, stream, customer, ``day``) (module docstring).

    ``daily`` (``behaviour.dropout_timing = daily``, the Pareto/NBD's timing): every active
    customer may drop out every day, with the same probability, before and instead of
    any occasion (one float64 draw per active customer first, in customer order); a
    customer who stays has no dropout at its occasion.

    Returns (pool, buyers, defect, switch, movers, target, skip): the customers not
    active at the start (the adoption pool), the customers at an occasion (with
    ``daily``, also the day's dropouts), which of them leave their firm, which leavers
    switch (the rest drop out), the switchers and the firm each chose, and which
    customers at an occasion chose the outside option.
    """
    n, n_firms = stage.size, attitude.shape[1]
    b = behaviour[0]
    purchase_rate = np.empty(segments.size, dtype=np.float32)  # as an array, for the loop
    for s in range(segments.size):
        purchase_rate[s] = segments[s].purchase_rate32
    pool = np.empty(n, dtype=np.int32)  # int32: half the memory traffic of intp
    buyers = np.empty(n, dtype=np.int64)
    left = np.zeros(n if daily else 0, dtype=np.bool_)  # daily timing: today's dropouts
    if daily:
        for i in range(n):
            if is_active(stage[i]):
                left[i] = _drops(bitgen, counter_seed, day, i, firm[i], satisfaction, attitude,
                                 dropout_offset, b)
    n_pool = n_buy = 0
    if counter_seed >= 0:  # counter draws: only the active customers' are computed
        for i in range(n):
            active = is_active(stage[i])
            pool[n_pool] = i
            n_pool += not active
            if active:
                u64 = counter_uniform(counter_seed, OCCASION_STREAM, i, day)
                if (relationship.buys(u64, purchase_rate[segment[i]] * rate_multiplier[i])
                        or (daily and left[i])):
                    buyers[n_buy] = i
                    n_buy += 1
    else:
        for i in range(n):
            u = next_float(bitgen)
            active = is_active(stage[i])
            pool[n_pool] = i  # kept only if not active (no branch to mispredict)
            n_pool += not active
            if (relationship.buys(u, purchase_rate[segment[i]] * rate_multiplier[i])
                    or (daily and left[i])):
                if active:  # rarely true
                    buyers[n_buy] = i
                    n_buy += 1
    buyers = buyers[:n_buy]
    defect = np.zeros(n_buy, dtype=np.bool_)
    skip = np.zeros(n_buy, dtype=np.bool_)
    chosen = np.full(n_buy, -1, dtype=np.int64)
    churn = np.zeros(n_firms)
    util = np.empty(n_firms)
    for j in range(n_buy):
        if j + PREFETCH_AHEAD < n_buy:  # the columns read below, at a later buyer's row
            ahead = buyers[j + PREFETCH_AHEAD]
            prefetch(firm, ahead)
            prefetch(segment, ahead)
            prefetch(multiplier, ahead)
            prefetch(dropout_offset, ahead)
            prefetch(satisfaction, ahead)
            prefetch(attitude[ahead], 0)
        i = buyers[j]
        k = firm[i]
        s = segment[i]
        # daily: dropped out today (the others have no dropout at an occasion)
        gone = left[i] if daily else _drops(bitgen, counter_seed, day, i, k, satisfaction,
                                            attitude, dropout_offset, b)
        if gone:
            defect[j] = True
            churn[k] += 1
            continue
        for g in range(n_firms):
            util[g] = adoption.utility(base[g, s], price_term[g, s], multiplier[i],
                                       attitude[i, g], b.utility_attitude, False, 0.0)
        c = adoption.occasion_choice(util, k, b.inertia, b.outside_utility,
                                     _draw(bitgen, counter_seed, CHOICE_STREAM, i, day))
        if c < 0:
            skip[j] = True
        elif c != k:
            defect[j] = True
            chosen[j] = c
            churn[k] += 1
    leavers = chosen[defect]
    switch = leavers >= 0
    for k in range(n_firms):
        log[k, churn_col] = churn[k]
    return (pool[:n_pool], buyers, defect, switch, buyers[defect][switch], leavers[switch],
            skip)


@jit
def _purchase(who, firm, stage, value, firms, revenue):
    """Add one batch of purchases to ``revenue`` (F x 4: purchases, premium, crossbuy,
    goods at the firm's own unit cost ``goods_cost``), summed per firm from zero first, as
    ``np.bincount`` does (``firms``: records).
    """
    batch = np.zeros_like(revenue)
    for j in range(who.size):
        if j + PREFETCH_AHEAD < who.size:
            prefetch(firm, who[j + PREFETCH_AHEAD])
            prefetch(value, who[j + PREFETCH_AHEAD])
            prefetch(stage, who[j + PREFETCH_AHEAD])
        i = who[j]
        k = firm[i]
        fk = firms[k]
        amounts = accounting.purchase_amounts(np.float64(value[i]), fk.price,
                                              accounting.pays_loyalty(stage[i]),
                                              fk.loyalty_premium, fk.cross_buy, fk.goods_cost)
        for c in range(4):
            batch[k, c] += amounts[c]
    revenue += batch


@jit
def _new_customers(who, new_firm, c_firm, segment, stage, expectation, satisfaction, tenure,
                   failures, contract, table_row, promised, norm, firms, behaviour, value,
                   acquisitions, revenue):
    """``who[j]`` become new customers of ``new_firm[j]`` (skipping -1: no choice) and
    make their first purchase (``ServiceMarket._join``); ``firms``, ``behaviour``: records
    (:mod:`servsim.kernel_args`).
    """
    ok = new_firm >= 0
    if not ok.any():
        return
    who, new_firm = who[ok], new_firm[ok]
    n_seg = norm.size
    b = behaviour[0]
    for j in range(who.size):
        i, k = who[j], new_firm[j]
        s = segment[i]
        c_firm[i] = k
        table_row[i] = k * n_seg + s
        stage[i] = NEW
        expectation[i] = f32(expectations.prospect_expectation(promised[k, s], norm[s],
                                                               b.promise_weight))
        satisfaction[i] = f32(b.initial_satisfaction)
        tenure[i] = 0
        failures[i] = 0
        contract[i] = False
    batch = np.zeros_like(acquisitions)
    for k in new_firm:
        batch[k] += 1
    acquisitions += batch
    _purchase(who, c_firm, stage, value, firms, revenue)


@jit
def adoption_and_stages(
    bitgen, pool, buyers, defect, switch, movers, target, skip, base, price_term, multiplier,
    # customers
    c_firm, segment, stage, satisfaction, expectation, attitude, value, tenure, failures,
    contract, busy, table_row, reconsider_day,
    # open requests
    request_customer,
    # today's word of mouth (sparse): hearers, their pos_in rows, the slot index
    wom_rows, wom_pos, slot,
    # firm records, promised quality (firm x segment), the market norm
    firms, promised, norm,
    # the behaviour record (servsim.kernel_args), today
    behaviour, day,
    # the day log: purchase columns (accounting.purchase_amounts' order), acquisitions
    log, purchase_cols, acquisitions_col,
    # -1: the model's generator; >= 0: counter-based draws (module docstring)
    counter_seed,
):
    """The rest of the choice step (logs revenue and acquisitions); returns the mask of
    open requests kept (the leavers' are dropped) and how many were dropped.
    """
    n_firms = firms.size
    b = behaviour[0]
    revenue = np.zeros((n_firms, 4))
    acquisitions = np.zeros(n_firms)
    leavers = buyers[defect]  # movers are leavers[switch], from defection
    for i in leavers[~switch]:  # dropout: lapse
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
    stayers = buyers[~defect & ~skip]  # bought from their own firm
    _purchase(stayers, c_firm, stage, value, firms, revenue)
    for j in range(stayers.size):
        if j + PREFETCH_AHEAD < stayers.size:
            prefetch(satisfaction, stayers[j + PREFETCH_AHEAD])
            prefetch(tenure, stayers[j + PREFETCH_AHEAD])
            prefetch(contract, stayers[j + PREFETCH_AHEAD])
        i = stayers[j]
        stage[i] = relationship.next_stage(stage[i], satisfaction[i], tenure[i],
                                           b.repeat_threshold, b.loyal_threshold,
                                           b.advocate_threshold, b.loyal_tenure_days)
    for i in stayers:  # one draw per stayer, as rng.random(stayers.size)
        u = _draw(bitgen, counter_seed, CONTRACT_STREAM, i, day)
        if relationship.takes_contract(contract[i], satisfaction[i], u, b.repeat_threshold,
                                       firms[c_firm[i]].contract_uptake):
            contract[i] = True
    # adoption: thinning (exact), see ServiceMarket.choice_step; the bound is the
    # probability of hearing at each firm's largest pos_in, widened by 1e-9
    hazard = np.empty(n_firms)
    for k in range(n_firms):
        top = f32(0.0)
        for r in range(wom_rows.size):
            top = max(top, wom_pos[r, k])
        hazard[k] = adoption.hazard(firms[k].advertising, top, b.innovation, b.imitation)
    adopt_bound = adoption.adopt_probability(row_sum(hazard)) * (1 + 1e-9)
    maybe = np.empty(pool.size, dtype=np.int64)
    u_pool = np.empty(pool.size)
    n_maybe = 0
    for j in range(pool.size):
        u = _draw(bitgen, counter_seed, ADOPT_STREAM, pool[j], day)
        if u < adopt_bound and adoption.considers(day, reconsider_day[pool[j]]):
            maybe[n_maybe] = pool[j]
            u_pool[n_maybe] = u
            n_maybe += 1
    heard = np.empty(n_maybe, dtype=np.int64)
    heard_a = np.empty((n_maybe, n_firms))
    n_heard = 0
    for j in range(n_maybe):
        if j + PREFETCH_AHEAD < n_maybe:
            prefetch(slot, maybe[j + PREFETCH_AHEAD])
        i = maybe[j]
        pos = slot[i]
        hit = 0 <= pos < wom_rows.size and wom_rows[pos] == i
        for k in range(n_firms):
            pos_in = wom_pos[pos, k] if hit else f32(0.0)
            hazard[k] = adoption.hazard(firms[k].advertising, pos_in, b.innovation, b.imitation)
        p_heard = adoption.adopt_probability(row_sum(hazard))
        if u_pool[j] < p_heard:
            heard[n_heard] = i
            heard_a[n_heard] = hazard
            n_heard += 1
    adopters = np.empty(n_heard, dtype=np.int64)
    adopt_a = np.empty((n_heard, n_firms))
    util = np.empty(n_firms)
    odds = np.empty(n_firms)
    n_adopt = 0
    for j in range(n_heard):
        i = heard[j]
        s = segment[i]
        for k in range(n_firms):
            util[k] = adoption.utility(base[k, s], price_term[k, s], multiplier[i],
                                       attitude[i, k], b.utility_attitude, False, 0.0)
        share = adoption.prospect_share(heard_a[j], util, b.outside_utility, odds)
        if _draw(bitgen, counter_seed, SHARE_STREAM, i, day) < share:
            adopters[n_adopt] = i
            adopt_a[n_adopt] = odds
            n_adopt += 1
        else:  # declined: lost trial, out of the market for a while
            reconsider_day[i] = adoption.reconsider_from(day, b.reconsider_days)
    chosen = np.empty(n_adopt, dtype=np.int64)
    for j in range(n_adopt):
        u = _draw(bitgen, counter_seed, PICK_STREAM, adopters[j], day)
        chosen[j] = choose(adopt_a[j], u)
    # the new customers: switchers first, then adopters
    args = (c_firm, segment, stage, expectation, satisfaction, tenure, failures, contract,
            table_row, promised, norm, firms, behaviour, value, acquisitions, revenue)
    _new_customers(movers, target, *args)
    _new_customers(adopters[:n_adopt], chosen, *args)
    for i in range(stage.size):
        tenure[i] += is_active(stage[i])
    for k in range(n_firms):
        for j in range(4):
            log[k, purchase_cols[j]] += revenue[k, j]
        log[k, acquisitions_col] += acquisitions[k]
    return keep, dropped
