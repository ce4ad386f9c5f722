"""The customer census in one pass: counts by (firm + 1, stage, segment,
contract, satisfaction class) and each firm's running sums of its active
customers' satisfaction and expectation (see ``ServiceMarket._customer_census``)."""

from __future__ import annotations

import numpy as np

from servsim.kernels import jit


@jit
def census_day(firm, stage, segment, contract, satisfaction, expectation,
               n_firms, n_segments, promoter, detractor, first_active, last_active):
    """Counts (n_firms + 1, 6, n_segments, 2, 3) and sums (2, n_firms): the float64 sums,
    added in customer order, of the active customers' satisfaction and expectation."""
    n_cells = (n_firms + 1) * 6 * n_segments * 2 * 3
    counts = np.zeros(n_cells, dtype=np.int64)
    sums = np.zeros((2, n_firms))
    promoter, detractor = np.float32(promoter), np.float32(detractor)
    for i in range(firm.size):
        s = satisfaction[i]
        key = (((firm[i] + 1) * 6 + stage[i]) * n_segments + segment[i]) * 2 + contract[i]
        counts[key * 3 + (s >= promoter) + 2 * (s < detractor)] += 1
        if first_active <= stage[i] <= last_active:
            sums[0, firm[i]] += s
            sums[1, firm[i]] += expectation[i]
    return counts.reshape((n_firms + 1, 6, n_segments, 2, 3)), sums
