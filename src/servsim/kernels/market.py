"""Steps 1-2 as kernels: the market norm and expectations, and needs arising
(formulas: :mod:`servsim.mechanisms.expectations`, :mod:`servsim.mechanisms.needs`).
"""

from __future__ import annotations

import numpy as np

from servsim.kernels import is_active, jit
from servsim.kernels.random import next_float
from servsim.mechanisms import expectations as expectations_
from servsim.mechanisms import needs as needs_

f32 = np.float32


@jit
def expectations(counts, service_level, promised, norm, firms, behaviour, table_row,
                 expectation, tenure):
    """The norm follows what firms offer (in place); advertising and the norm pull each
    customer's expectation, with a float32 rate and target per (firm, segment) row and
    tenure: the promise's pull fades with the customer's tenure
    (:func:`~servsim.mechanisms.expectations.promise_pull_weight`).  Each (row, tenure)
    pair's rate and target are computed once a day, when first needed.  ``firms``: the
    firm records, ``behaviour`` the behaviour record (:mod:`servsim.kernel_args`).
    """
    n_firms, n_seg = counts.shape
    b = behaviour[0]
    drift_per_day, adaptation = b.expectation_drift / 365.0, b.norm_adaptation
    advertising_pull, fade_days = b.advertising_pull, b.promise_fade_days
    advertising = np.empty(n_firms)  # the lever as an array, for the customer loop
    for k in range(n_firms):
        advertising[k] = firms[k].advertising
    for s in range(n_seg):
        total, offered_sum, level_sum = 0, 0.0, 0.0
        for k in range(n_firms):
            total += counts[k, s]
            offered_sum += counts[k, s] * service_level[k, s]
            level_sum += service_level[k, s]
        offered = expectations_.offered_quality(offered_sum, total, level_sum, n_firms)
        norm[s] = expectations_.update_norm(norm[s], offered, drift_per_day, adaptation)
    # a customer's rate and target depend on the customer only through (row, tenure):
    # each pair's are computed once a day, on first use, for tenures below
    # TENURE_CACHE.  At tenure 0, or where the firm does not advertise, the faded pull
    # is the full one bit for bit (the weight is exactly 1; k_ad w adv is exactly 0)
    n_rows = n_firms * n_seg
    cached = np.zeros((n_rows, TENURE_CACHE), dtype=np.bool_)
    faded = np.empty((n_rows, TENURE_CACHE, 2), dtype=np.float32)
    args = (n_seg, advertising, promised, norm, advertising_pull, fade_days, adaptation)
    for i in range(expectation.size):
        r = table_row[i]
        t = tenure[i]
        if 0 <= t < TENURE_CACHE:
            if not cached[r, t]:
                faded[r, t, 0], faded[r, t, 1] = _faded_pull(r, t, *args)
                cached[r, t] = True
            rate_i, target_i = faded[r, t, 0], faded[r, t, 1]
        else:
            rate_i, target_i = _faded_pull(r, t, *args)
        expectation[i] = expectations_.pulled_expectation(expectation[i], rate_i, target_i)


TENURE_CACHE = 4096  # tenures (days) whose faded pull is cached per day; longer: computed


@jit
def _faded_pull(row, tenure, n_seg, advertising, promised, norm, advertising_pull, fade_days,
                adaptation):
    """The float32 rate and target of (firm, segment) ``row`` at ``tenure`` days: the
    promise's pull faded by :func:`~servsim.mechanisms.expectations.promise_pull_weight`.
    """
    k, s = row // n_seg, row % n_seg
    pull = advertising_pull * expectations_.promise_pull_weight(tenure, fade_days)
    return (f32(expectations_.pull_rate(advertising[k], pull, adaptation)),
            f32(expectations_.pull_target(advertising[k], promised[k, s], norm[s], pull,
                                          adaptation)))


@jit
def needs(bitgen, segments, segment, stage, busy, firm, contract, n_firms, req_customer,
          req_firm, req_wait, log, contracts_col):
    """Needs arise (one float32 uniform per customer) among active customers with nothing
    open: they join the open requests (``req_*``, returned with them appended, wait 0).

    Returns (the new request queue, contracts per firm); contracts are logged.
    ``segments``: the segment records (their float32 ``need_rate32``).
    """
    n = segment.size
    need_rate = np.empty(segments.size, dtype=np.float32)  # as an array, for the loop
    for s in range(segments.size):
        need_rate[s] = segments[s].need_rate32
    who = np.empty(n, dtype=np.int64)
    m = 0
    contracts = np.zeros(n_firms, dtype=np.int64)
    for i in range(n):
        u = next_float(bitgen)
        if needs_.needs_service(u, need_rate[segment[i]], is_active(stage[i]), busy[i]):
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
