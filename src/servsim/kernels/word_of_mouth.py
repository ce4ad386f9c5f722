"""Step 7 as kernels: who talks, who hears, and the attitudes that move
(formulas: :mod:`servsim.mechanisms.word_of_mouth`).
"""

from __future__ import annotations

import numpy as np

from servsim.kernels import PREFETCH_AHEAD, jit, prefetch
from servsim.kernels.random import next_float
from servsim.mechanisms import word_of_mouth as wom
from servsim.state import LAPSED

f32 = np.float32


@jit
def talkers(bitgen, satisfaction, low, high, firm, n_firms, behaviour):
    """Who talks today (one float32 uniform per customer, as ``rng.random(n, float32)``).
    ``behaviour``: the behaviour record (:mod:`servsim.kernel_args`).

    ``low`` and ``high`` bound everybody's satisfaction (its min and max).

    Returns (talkers ascending, positive?, message category: ``firm`` if positive,
    ``n_firms + firm`` if negative).
    """
    n = satisfaction.size
    b = behaviour[0]
    neutral, base, positive, negative = b.wom_neutral, b.wom_base, b.wom_positive, b.wom_negative
    # tau is U-shaped in S (falls to s_n, then rises, each piece monotone in float32
    # too): nobody's exceeds its value at the lowest or the highest S, so only the
    # draws below that bound (noted without a branch) need their tau
    bound = max(wom.talk_probability(low, neutral, base, positive, negative),
                wom.talk_probability(high, neutral, base, positive, negative))
    who = np.empty(n, dtype=np.int64)
    draw = np.empty(n, dtype=np.float32)
    m = 0
    for i in range(n):
        u = next_float(bitgen)
        who[m], draw[m] = i, u
        m += u < bound
    talking = 0
    for j in range(m):
        if j + PREFETCH_AHEAD < m:
            prefetch(firm, who[j + PREFETCH_AHEAD])
            prefetch(satisfaction, who[j + PREFETCH_AHEAD])
        i = who[j]
        if firm[i] >= 0 and draw[j] < wom.talk_probability(satisfaction[i], neutral, base,
                                                             positive, negative):
            who[talking] = i
            talking += 1
    m = talking
    who = who[:m].copy()
    good = np.empty(m, dtype=np.bool_)
    category = np.empty(m, dtype=np.int64)
    for j in range(m):
        i = who[j]
        good[j] = wom.speaks_well(satisfaction[i], neutral)
        category[j] = wom.message_category(firm[i], good[j], n_firms)
    return who, good, category


@jit
def hear(indptr, indices, talkers, category, k, slot, inverse_degree):
    """:meth:`servsim.network.Network.heard_by` on a CSR pattern.

    The talkers' ties are listed, then visited in that order (each hearer's slot
    fetched ahead, :func:`~servsim.kernels.prefetch`): a hearer met for the first time
    gets the next row (``slot[i]`` is left holding hearer i's row); each hearing adds 1 to its
    cell; each row is then scaled by ``1/deg`` (float32), which is ``c/deg``
    rounded once for c hearings.
    """
    total = 0
    for j in range(talkers.size):
        if j + PREFETCH_AHEAD < talkers.size:
            prefetch(indptr, talkers[j + PREFETCH_AHEAD])
        total += indptr[talkers[j] + 1] - indptr[talkers[j]]
    heard = np.empty(total, dtype=np.int64)  # every hearing, in order: hearer, category
    said = np.empty(total, dtype=np.int64)
    e2 = 0
    for j in range(talkers.size):
        for e in range(indptr[talkers[j]], indptr[talkers[j] + 1]):
            heard[e2], said[e2] = indices[e], category[j]
            e2 += 1
    rows = np.empty(total, dtype=np.int64)
    scale = np.empty(total, dtype=np.float32)
    shares = np.zeros((total, k), dtype=np.float32)
    n_rows = 0
    for e in range(total):
        if e + PREFETCH_AHEAD < total:  # the hearer's slot and 1/deg share a cache line
            prefetch(slot, heard[e + PREFETCH_AHEAD])
        h = heard[e]
        r = slot[h]
        if not (0 <= r < n_rows and rows[r] == h):  # first hearing of h today
            r = n_rows
            slot[h] = r
            rows[r] = h
            scale[r] = inverse_degree[h]
            n_rows += 1
        shares[r, said[e]] += f32(1.0)
    for r in range(n_rows):
        for c in range(k):
            shares[r, c] *= scale[r]
    return rows[:n_rows], shares[:n_rows]


@jit
def attitudes_and_fade(attitude, rows, shares, behaviour, talkers, good, firm, degree,
                       stage, satisfaction, log, cols):
    """Attitudes decay, hearers add ``g (pos_in - neg_in)`` (clipped to [-1, 1]); former
    customers' satisfaction fades toward neutral.  Logs the ties reached by positive
    and by negative talk, per firm (``cols``).  ``behaviour``: the behaviour record.
    """
    n, n_firms = attitude.shape
    b = behaviour[0]
    gain, decay, neutral = b.wom_attitude, b.attitude_decay, b.wom_neutral
    for i in range(n):  # one pass: everyone's attitudes fade, former customers' satisfaction
        for k in range(n_firms):
            attitude[i, k] = wom.faded_attitude(attitude[i, k], decay)
        if stage[i] == LAPSED:
            satisfaction[i] = wom.faded_satisfaction(satisfaction[i], decay, neutral)
    for r in range(rows.size):
        if r + PREFETCH_AHEAD < rows.size:
            prefetch(attitude[rows[r + PREFETCH_AHEAD]], 0)
        i = rows[r]
        for k in range(n_firms):
            attitude[i, k] = wom.heard_attitude(attitude[i, k], shares[r, k],
                                                shares[r, n_firms + k], gain)
    reach = np.zeros((2, n_firms))
    for j in range(talkers.size):
        t = talkers[j]
        reach[0 if good[j] else 1, firm[t]] += np.float64(degree[t])
    for k in range(n_firms):
        log[k, cols[0]], log[k, cols[1]] = reach[0, k], reach[1, k]
