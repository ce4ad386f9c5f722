"""A continuous-time FIFO multi-server queue (check 14's single queue).

:func:`fifo_queue` serves requests in arrival order by the first server to come
free (the Kiefer-Wolfowitz recursion of a G/G/c queue, the servers' free times in
a binary heap): with Poisson arrivals and exponential service it is the M/M/c
queue whose Erlang-C formulas (:mod:`servsim.mechanisms.queueing`) size the
model's frontline.  It draws from numba's own generator (seeded per call), not
the model's: it is a validation instrument, not part of a run.
"""

from __future__ import annotations

import numpy as np

from servsim.kernels import jit


@jit
def _sift_down(heap, i):
    n = heap.size
    while True:
        left, smallest = 2 * i + 1, i
        if left < n and heap[left] < heap[smallest]:
            smallest = left
        if left + 1 < n and heap[left + 1] < heap[smallest]:
            smallest = left + 1
        if smallest == i:
            return
        heap[i], heap[smallest] = heap[smallest], heap[i]
        i = smallest


@jit
def fifo_queue(servers, arrival_rate, service_rate, n, warm_up, seed):
    """Mean wait and share of requests that wait among requests ``warm_up..n`` of an
    M/M/``servers`` FIFO queue started empty (time in the rates' unit).
    """
    np.random.seed(seed)
    free = np.zeros(servers)  # a min-heap of the times the servers come free
    t, wait_sum, waited = 0.0, 0.0, 0
    for r in range(n):
        t += np.random.exponential(1.0 / arrival_rate)
        start = max(t, free[0])
        if r >= warm_up:
            wait_sum += start - t
            waited += start > t
        free[0] = start + np.random.exponential(1.0 / service_rate)
        _sift_down(free, 0)
    kept = max(n - warm_up, 1)
    return wait_sum / kept, waited / kept
