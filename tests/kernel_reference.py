"""The vectorised numpy code each compiled kernel replaced, kept as oracles.

Each function takes a model, works on deep copies of the state it touches
(and of the model's Generator) and returns what the numpy phase produced:
tests/test_kernels.py runs the kernel on the model itself and compares,
bit for bit.  Written with the mechanisms' functions (:mod:`servsim.mechanisms`).
"""

from __future__ import annotations

import copy
import math

import numpy as np

from servsim.mechanisms import encounters, staff
from servsim.model import DETRACTOR, PROMOTER
from servsim.state import ADVOCATE, NEW, is_active


def mean_by(group, values, n):
    counts = np.bincount(group, minlength=n)
    sums = np.bincount(group, weights=values, minlength=n)
    return np.divide(sums, counts, out=np.full(n, np.nan), where=counts > 0)


def census(model):
    """(counts by firm + 1, stage, segment, contract, class; firm sums of S and E)."""
    c, F, n_seg = model.c, model.n_firms, len(model.seg.share)
    shape = (F + 1, 6, n_seg, 2, 3)
    key = (c.firm.astype(np.int64) + 1) * 6 + c.stage
    key = (key * n_seg + c.segment) * 2 + c.contract
    key = key * 3 + (c.satisfaction >= PROMOTER) + 2 * (c.satisfaction < DETRACTOR)
    counts = np.bincount(key, minlength=math.prod(shape)).reshape(shape)
    code = (c.firm + np.int8(1)) * is_active(c.stage)
    sums = np.zeros((2, F))
    for k in range(F):
        who = np.flatnonzero(code == k + 1)
        for row, column in enumerate((c.satisfaction, c.expectation)):
            sums[row, k] = np.cumsum(column[who], dtype=np.float64)[-1] if who.size else 0.0
    return counts, sums


def staff_day(model, target_staff):
    """Step 10 as numpy did it: (staff copy, managers copy, per-firm logs, rng after)."""
    s, m = copy.deepcopy(model.s), copy.deepcopy(model.m)
    rng = copy.deepcopy(model.rng)
    f, b, F = model.firms, model.b, model.n_firms
    act = s.active
    m.team_size = np.bincount(s.manager[act], minlength=len(m.firm)).astype(np.int32)
    mf = m.firm.astype(np.int64)
    per_member = staff.coaching_per_member(
        f.manager_capacity[mf], f.control_share[mf], m.team_size
    )
    m.coaching_today = (per_member * m.team_size).astype(np.float32)
    sf = s.firm.astype(np.int64)
    coach = per_member[s.manager]
    cap = encounters.person_capacity(s.morale, b.staff_capacity, b.productivity_morale)
    load = np.divide(s.encounters_today, cap, out=np.zeros(s.n), where=cap > 0)
    target = staff.morale_target(
        coach, f.training[sf], f.frontline_authority[sf],
        f.wage[sf] / model.params.market.market_wage, load,
        b.morale_support, b.morale_training, b.morale_authority, b.morale_wage,
        b.morale_overload,
    )
    morale = staff.update_morale(s.morale, target, b.morale_adjustment)
    isq = mean_by(sf[act], target[act], F)
    skill = staff.update_skill(s.skill, s.encounters_today, f.training[sf], coach,
                               b.learning_rate, b.training_rate, b.coaching_rate)
    s.morale = np.where(act, morale, s.morale).astype(np.float32)
    s.skill = np.where(act, skill, s.skill).astype(np.float32)
    quits = act & (rng.random(s.n) < staff.quit_probability(s.morale, b.quit_base,
                                                               b.quit_morale))
    s.active[quits] = False
    s.tenure[quits] = 0
    s.tenure[s.active] += 1
    filling = s.vacancy_days >= 0
    s.vacancy_days[filling] -= 1
    start = filling & (s.vacancy_days < 0)
    s.active[start] = True
    s.skill[start] = b.novice_skill
    s.morale[start] = b.initial_morale
    s.tenure[start] = 0
    need = target_staff - np.bincount(sf[s.active | (s.vacancy_days >= 0)], minlength=F)
    for k in np.flatnonzero(need > 0):
        free = np.flatnonzero((sf == k) & ~s.active & (s.vacancy_days < 0))[: need[k]]
        s.vacancy_days[free] = b.hiring_lag_days
    logs = (isq, np.bincount(sf[quits], minlength=F).astype(float),
            np.bincount(sf[start], minlength=F).astype(float),
            np.bincount(mf, weights=m.coaching_today, minlength=F))
    return s, m, logs, rng


__all__ = ["ADVOCATE", "NEW", "census", "mean_by", "staff_day"]
