"""The customers' social network: sparse, undirected, built vectorized.

Word of mouth travels over it (:mod:`servsim.mechanisms.word_of_mouth`).
Graphs are stored as a row-normalized CSR matrix ``W`` (``W[i, j] = 1/deg(i)``
for each tie ``i-j``), so that ``W @ x`` is the mean of ``x`` over a
customer's ties: the share of one's contacts who say something.  At 10^6
customers and mean degree 10 that is 10^7 entries: 40 MB of int32 indices and
40 MB of float32 weights.

Generators (all O(edges), numpy only — networkx is far too slow at 10^6):

* ``small_world`` — Watts & Strogatz (1998): ring lattice with ``k/2`` ties on
  each side, each tie's far end rewired to a uniform node with probability
  ``rewire_prob``.  The default (clustered, short paths; Rand & Rust 2011).
* ``random`` — Erdos-Renyi G(n, m) with m = n k / 2 uniform pairs.
* ``scale_free`` — Barabasi-Albert preferential attachment by the
  Batagelj & Brandes (2005) edge-list algorithm, resolved with pointer jumping.
* ``complete`` — fully mixed: no edges are stored; ``W @ x`` is the mean of
  ``x`` over everybody else (Bass 1969's mixing assumption).

Self-loops and duplicate ties are dropped, so realised mean degree can be
slightly below ``mean_degree``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass
class Network:
    """A social network over ``n`` customers."""

    n: int
    kind: str
    weights: sp.csr_matrix | None
    """Row-normalized adjacency (None for the complete graph)."""
    degree: np.ndarray
    """Ties per customer (int32)."""

    def mean_over_ties(self, x: np.ndarray) -> np.ndarray:
        """Mean of ``x`` (shape (n,) or (n, k)) over each customer's ties.

        A customer with no ties receives 0.
        """
        if self.weights is not None:
            return self.weights @ x
        # complete graph: mean over everybody else
        total = x.sum(axis=0, dtype=np.float64)
        denom = max(self.n - 1, 1)
        out_type = np.result_type(x.dtype, np.float32)
        return ((total - x) / denom).astype(out_type, copy=False)

    def share_of_ties(self, talkers: np.ndarray, category: np.ndarray, k: int) -> np.ndarray:
        """Share of each customer's ties that are talkers of each category (n x k, float32).

        ``talkers`` are customer indices, ``category[t]`` in ``range(k)`` the kind of
        message talker t sends.  Equal to ``mean_over_ties(X)`` with ``X`` the one-hot
        (n x k) indicator of talkers' categories, but computed by scattering each
        talker's message to its ties: the graph is undirected, so the ties of a talker
        are the customers who hear it.  Cost O(talkers x degree + n k) instead of
        O(edges k).
        """
        if self.weights is None:
            totals = np.bincount(category, minlength=k).astype(np.float64)
            out = np.broadcast_to(totals, (self.n, k)).copy()
            out[talkers, category] -= 1.0  # nobody hears themselves
            return (out / max(self.n - 1, 1)).astype(np.float32)
        w = self.weights
        starts, ends = w.indptr[talkers], w.indptr[talkers + 1]
        lengths = ends - starts
        # the tie entries of every talker's row, without a Python loop
        offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        hearers = w.indices[np.arange(lengths.sum()) + offsets]
        key = hearers.astype(np.int64) * k + np.repeat(category, lengths)
        counts = np.bincount(key, minlength=self.n * k).reshape(self.n, k)
        inv = np.zeros(self.n, dtype=np.float32)
        np.divide(1.0, self.degree, out=inv, where=self.degree > 0)
        return counts.astype(np.float32) * inv[:, None]

    @property
    def n_edges(self) -> int:
        """Number of undirected ties."""
        if self.weights is None:
            return self.n * (self.n - 1) // 2
        return int(self.weights.nnz // 2)

    def neighbours(self, i: int) -> np.ndarray:
        """Indices of customer ``i``'s ties (for views and visualisation)."""
        if self.weights is None:
            return np.delete(np.arange(self.n), i)
        w = self.weights
        return w.indices[w.indptr[i] : w.indptr[i + 1]].copy()

    @property
    def nbytes(self) -> int:
        """Memory held by the network's arrays."""
        if self.weights is None:
            return self.degree.nbytes
        w = self.weights
        return w.data.nbytes + w.indices.nbytes + w.indptr.nbytes + self.degree.nbytes


def build_network(
    n: int, kind: str, mean_degree: int, rewire_prob: float, rng: np.random.Generator
) -> Network:
    """Build a network of ``kind`` over ``n`` customers with the model's generator."""
    if kind == "complete" or n <= 1:
        return Network(n, "complete", None, np.full(n, max(n - 1, 0), dtype=np.int32))
    k = int(min(mean_degree, n - 1))
    if kind == "small_world":
        src, dst = _watts_strogatz(n, k, rewire_prob, rng)
    elif kind == "random":
        src, dst = _erdos_renyi(n, k, rng)
    elif kind == "scale_free":
        src, dst = _barabasi_albert(n, k, rng)
    else:  # validated earlier; keep a clear message for direct callers
        raise ValueError(f"market.network.kind={kind!r} is unknown")
    return _to_csr(n, kind, src, dst)


def _watts_strogatz(n: int, k: int, beta: float, rng: np.random.Generator):
    half = max(k // 2, 1)
    src = np.repeat(np.arange(n, dtype=np.int32), half)
    offs = np.tile(np.arange(1, half + 1, dtype=np.int32), n)
    dst = (src.astype(np.int64) + offs) % n
    dst = dst.astype(np.int32)
    rewire = rng.random(src.size) < beta
    dst[rewire] = rng.integers(0, n, int(rewire.sum()), dtype=np.int32)
    return src, dst


def _erdos_renyi(n: int, k: int, rng: np.random.Generator):
    m = n * k // 2
    src = rng.integers(0, n, m, dtype=np.int32)
    dst = rng.integers(0, n, m, dtype=np.int32)
    return src, dst


def _barabasi_albert(n: int, k: int, rng: np.random.Generator):
    """Batagelj & Brandes (2005), 'Efficient generation of large random networks'.

    Slot 2e holds the new node of edge e; slot 2e+1 copies a uniformly chosen
    earlier slot r in [0, 2e], which makes targets proportional to degree.
    Copies of copies are resolved by pointer jumping (O(log) rounds).
    """
    d = max(k // 2, 1)
    m = n * d
    node_of_edge = (np.arange(m, dtype=np.int64) // d).astype(np.int32)
    ptr = (rng.random(m) * (2 * np.arange(m, dtype=np.float64) + 1)).astype(np.int64)
    # ptr[e] is a slot index in [0, 2e]; even slots are known nodes.
    target = np.empty(m, dtype=np.int32)
    pending = np.arange(m, dtype=np.int64)
    cur = ptr
    while pending.size:
        even = (cur % 2) == 0
        target[pending[even]] = node_of_edge[cur[even] // 2]
        pending = pending[~even]
        cur = ptr[cur[~even] // 2]
    return node_of_edge, target


def _to_csr(n: int, kind: str, src: np.ndarray, dst: np.ndarray) -> Network:
    keep = src != dst
    src, dst = src[keep], dst[keep]
    lo = np.minimum(src, dst).astype(np.int64)
    hi = np.maximum(src, dst).astype(np.int64)
    key = np.unique(lo * n + hi)  # drop duplicate ties
    del lo, hi, src, dst, keep
    a = (key // n).astype(np.int32)
    b = (key % n).astype(np.int32)
    del key
    rows = np.concatenate([a, b])
    cols = np.concatenate([b, a])
    del a, b
    order = np.argsort(rows, kind="stable")
    cols = cols[order]
    rows = rows[order]
    del order
    degree = np.bincount(rows, minlength=n).astype(np.int32)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(degree, out=indptr[1:])
    inv = np.zeros(n, dtype=np.float32)
    np.divide(1.0, degree, out=inv, where=degree > 0)
    data = inv[rows]
    del rows
    w = sp.csr_matrix((data, cols, indptr), shape=(n, n))
    w.has_sorted_indices = False
    return Network(n, kind, w, degree)
