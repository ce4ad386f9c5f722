"""Steps 1-2 as kernels: the market norm and expectations, and needs arising
(formulas of :mod:`servsim.mechanisms.expectations` and ``needs``)."""

from __future__ import annotations

import numpy as np

from servsim.kernels import is_active, jit
from servsim.kernels.random import next_float

f32 = np.float32


@jit
def expectations(counts, service_level, norm, drift_per_day, adaptation, advertising,
                 advertising_pull, promised, table_row, expectation):
    """The norm follows what firms offer (``update_norm``, in place); advertising and the
    norm pull each customer's expectation (``pull_expectation``, linear in E:
    ``E' = E + rate (target - E)`` with rate and target per (firm, segment) row,
    in float32)."""
    n_firms, n_seg = counts.shape
    for s in range(n_seg):
        total, offered_sum, level_sum = 0, 0.0, 0.0
        for k in range(n_firms):
            total += counts[k, s]
            offered_sum += counts[k, s] * service_level[k, s]
            level_sum += service_level[k, s]
        offered = offered_sum / max(total, 1) if total > 0 else level_sum / n_firms
        r = norm[s] + drift_per_day + adaptation * (offered - norm[s])
        norm[s] = min(max(r, 0.0), 1.0)
    rate = np.empty(n_firms * n_seg, dtype=np.float32)
    target = np.empty(n_firms * n_seg, dtype=np.float32)
    for k in range(n_firms):
        rate_k = advertising_pull * advertising[k] + adaptation
        for s in range(n_seg):
            pulled = advertising_pull * advertising[k] * promised[k, s] + adaptation * norm[s]
            rate[k * n_seg + s] = f32(rate_k)
            target[k * n_seg + s] = f32(pulled / (rate_k if rate_k > 0 else 1.0))
    for i in range(expectation.size):
        e = expectation[i]
        r = table_row[i]
        expectation[i] = min(max((target[r] - e) * rate[r] + e, f32(0.0)), f32(1.0))


@jit
def needs(bitgen, need_rate, segment, stage, busy, firm, contract, n_firms, req_customer,
          req_firm, req_wait, log, contracts_col):
    """Needs arise (one float32 uniform per customer) among active customers with nothing
    open: they join the open requests (``req_*``, returned with them appended, wait 0).

    Returns (the new request queue, contracts per firm); contracts are logged.
    """
    n = segment.size
    who = np.empty(n, dtype=np.int64)
    m = 0
    contracts = np.zeros(n_firms, dtype=np.int64)
    for i in range(n):
        u = next_float(bitgen)
        if u < need_rate[segment[i]] and is_active(stage[i]) and not busy[i]:
            busy[i] = True
            who[m] = i
            m += 1
        if contract[i]:
            contracts[firm[i]] += 1
    who = who[:m]
    queue = (np.concatenate((req_customer, who)),
             np.concatenate((req_firm, firm[who])),
             np.concatenate((req_wait, np.zeros(m, dtype=np.int32))))
    for k in range(n_firms):
        log[k, contracts_col] = contracts[k]
    return queue, contracts
