"""The customer census in one pass: counts by (firm + 1, stage, segment,
contract, satisfaction class), and each firm's running sums of its active
customers' satisfaction and expectation (see ``ServiceMarket._customer_census``).

The sums are float64 running sums in customer order (what
``np.bincount(..., weights=)`` gives), bit for bit: the pass notes the active
customers (without a branch), a second loop adds their values in order.
"""

from __future__ import annotations

import numpy as np

from servsim.kernels import is_active, jit


@jit
def census_day(firm, stage, segment, contract, satisfaction, expectation,
               n_firms, n_segments, promoter, detractor):
    """Counts (n_firms + 1, 6, n_segments, 2, 3) and sums (2, n_firms): the float64 sums,
    added in customer order, of the active customers' satisfaction and expectation.
    """
    n = firm.size
    n_cells = (n_firms + 1) * 6 * n_segments * 2 * 3
    counts = np.zeros(n_cells, dtype=np.int64)
    active = np.empty(n, dtype=np.int64)
    m = 0
    promoter, detractor = np.float32(promoter), np.float32(detractor)
    for i in range(n):
        s = satisfaction[i]
        key = (((firm[i] + 1) * 6 + stage[i]) * n_segments + segment[i]) * 2 + contract[i]
        counts[key * 3 + (s >= promoter) + 2 * (s < detractor)] += 1
        active[m] = i
        m += is_active(stage[i])
    sums = np.zeros((2, n_firms))
    if n_firms == 1:  # the sums in registers
        a = b = 0.0
        for i in active[:m]:
            a += satisfaction[i]
            b += expectation[i]
        sums[0, 0], sums[1, 0] = a, b
    else:
        for i in active[:m]:
            sums[0, firm[i]] += satisfaction[i]
            sums[1, firm[i]] += expectation[i]
    census = counts.reshape((n_firms + 1, 6, n_segments, 2, 3))
    return census, sums
