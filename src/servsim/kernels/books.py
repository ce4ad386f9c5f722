"""Step 9 and the day's record as one kernel: revenue and costs by source
(:mod:`servsim.mechanisms.accounting`), then the (firm x metric) row block
from the census (see ``ServiceMarket.record``).
"""

from __future__ import annotations

import numpy as np

from servsim.kernels import jit, ratio, row_sum
from servsim.mechanisms import accounting
from servsim.results import COST_SOURCES, REVENUE_SOURCES
from servsim.state import ADVOCATE, LAPSED, LOYAL, NEW, REPEAT

STAGE_COLUMNS = (("customers_new", NEW), ("customers_repeat", REPEAT),
                 ("customers_loyal", LOYAL), ("customers_advocate", ADVOCATE),
                 ("customers_lapsed", LAPSED))
BOOKS_COLUMNS = ("contracts", "encounters", "revenue_service", "cost_wages", "cost_training",
                 "cost_proactive", "cost_advertising", "acquisitions", "cost_acquisition",
                 "cost_overhead")
"""The day-log columns :func:`books` reads or writes, in the order of its ``cols``."""
RECORD_COLUMNS = (
    "prospects", "customers", "share", "satisfaction", "expectation", "recommend_score",
    "recoveries", "recovery_days", "revenue", "cost", "profit", "staff", "staff_morale",
    "staff_skill", "market_norm",
)
"""The day-log columns :func:`record` reads or writes, in the order of its ``cols``;
it also writes the stage counts (``stage_cols``, :data:`STAGE_COLUMNS`) and adds up
the revenue and cost sources (``revenue_cols``, ``cost_cols``)."""
REVENUE_COLUMNS = tuple(f"revenue_{x}" for x in REVENUE_SOURCES)
COST_COLUMNS = tuple(f"cost_{x}" for x in COST_SOURCES)
STAGE_CODES = tuple(code for _, code in STAGE_COLUMNS)


@jit
def _staff_counts(n_firms, staff_firm, staff_active, staff_morale, staff_skill):
    """Active staff per firm and the sums of their morale and skill (float64, in order)."""
    count = np.zeros(n_firms, dtype=np.int64)
    morale = np.zeros(n_firms)
    skill = np.zeros(n_firms)
    for i in range(staff_firm.size):
        if staff_active[i]:
            k = staff_firm[i]
            count[k] += 1
            morale[k] += np.float64(staff_morale[i])
            skill[k] += np.float64(staff_skill[i])
    return count, morale, skill


@jit
def books(log, cols, proactive, n_customers, staff_firm, staff_active, manager_firm,
          team_size, firms, mean_value):
    """Service revenue and the day's costs by source, into ``log`` (acquisitions are
    the choice step's, already logged); ``firms``: the firm records.
    """
    (contracts, encounters, revenue_service, cost_wages, cost_training, cost_proactive,
     cost_advertising, acquisitions, cost_acquisition, cost_overhead) = cols
    n_firms = log.shape[0]
    staff_n = _staff_counts(n_firms, staff_firm, staff_active, staff_firm, staff_firm)[0]
    managers = np.zeros(n_firms, dtype=np.int64)
    for g in range(manager_firm.size):
        if team_size[g] > 0:
            managers[manager_firm[g]] += 1
    L = log
    for k in range(n_firms):
        f = firms[k]
        L[k, revenue_service] = accounting.service_revenue(L[k, contracts], L[k, encounters],
                                                           f.contract_fee, f.service_fee)
        L[k, cost_wages] = accounting.wages(staff_n[k], managers[k], f.wage)
        L[k, cost_training] = accounting.training_cost(staff_n[k], f.training, f.training_cost)
        L[k, cost_proactive] = accounting.proactive_cost(proactive[k], f.proactive_cost)
        L[k, cost_advertising] = accounting.advertising_cost(f.advertising, f.advertising_cost,
                                                             n_customers)
        L[k, cost_acquisition] = accounting.acquisition_cost(L[k, acquisitions],
                                                             f.acquisition_cost, mean_value)
        L[k, cost_overhead] = accounting.overhead_cost(f.overhead, n_customers)


@jit
def record(log, cols, stage_cols, revenue_cols, cost_cols, census, sums, counts_fs,
           staff_firm, staff_active, staff_morale, staff_skill, norm, segment_share,
           stage_codes):
    """The day's records into ``log`` (n_firms x metrics) from the census (firm + 1,
    stage, segment, contract, class) and the firms' sums; ``counts_fs`` (active
    customers by firm and segment) is refreshed in place for tomorrow's expectations.
    """
    (prospects, customers, share, satisfaction, expectation, recommend_score, recoveries,
     recovery_days, revenue, cost, profit, staff, staff_morale_c, staff_skill_c,
     market_norm) = cols
    n_firms = log.shape[0]
    L = log
    stages = census.sum(axis=4).sum(axis=3).sum(axis=2)
    never = stages[0].sum()
    active_n = np.zeros(n_firms, dtype=np.int64)
    promoters = np.zeros(n_firms, dtype=np.int64)
    detractors = np.zeros(n_firms, dtype=np.int64)
    counts_fs[:] = 0
    for k in range(n_firms):
        for st in range(NEW, ADVOCATE + 1):
            active_n[k] += stages[k + 1, st]
            for s in range(census.shape[2]):
                for c in range(2):
                    counts_fs[k, s] += census[k + 1, st, s, c].sum()
                    promoters[k] += census[k + 1, st, s, c, 1]
                    detractors[k] += census[k + 1, st, s, c, 2]
    total_active = max(active_n.sum(), 1)
    staff_n, morale_sum, skill_sum = _staff_counts(n_firms, staff_firm, staff_active,
                                                   staff_morale, staff_skill)
    sat_mean, exp_mean = ratio(sums[0], active_n), ratio(sums[1], active_n)
    score = ratio(100.0 * (promoters - detractors), active_n)
    days_mean = ratio(L[:, recovery_days].copy(), L[:, recoveries].copy())
    morale_mean, skill_mean = ratio(morale_sum, staff_n), ratio(skill_sum, staff_n)
    market = row_sum(norm * segment_share)
    for k in range(n_firms):
        L[k, prospects] = never
        for j in range(len(stage_cols)):
            L[k, stage_cols[j]] = stages[k + 1, stage_codes[j]]
        L[k, customers] = active_n[k]
        L[k, share] = active_n[k] / total_active
        L[k, satisfaction], L[k, expectation] = sat_mean[k], exp_mean[k]
        L[k, recommend_score] = score[k]
        L[k, recovery_days] = days_mean[k]
        r = 0.0
        for c in revenue_cols:
            r += L[k, c]
        L[k, revenue] = r
        t = 0.0
        for c in cost_cols:
            t += L[k, c]
        L[k, cost] = t
        L[k, profit] = r - t
        L[k, staff] = staff_n[k]
        L[k, staff_morale_c], L[k, staff_skill_c] = morale_mean[k], skill_mean[k]
        L[k, market_norm] = market
