"""The customers' social network: sparse, undirected, built vectorized.

Word of mouth travels over it (:mod:`servsim.mechanisms.word_of_mouth`).
Graphs are stored as the pattern of a CSR matrix: ``indptr`` (n + 1) and
``indices`` (one entry per tie end; customer i's ties are
``indices[indptr[i]:indptr[i + 1]]``), both int32 (``indptr`` int64 beyond
2^31 tie ends), plus ``degree``.  The
row-normalized matrix ``W`` (``W[i, j] = 1/deg(i)`` for each tie ``i-j``, so
that ``W @ x`` is the mean of ``x`` over a customer's ties: the share of one's
contacts who say something) is not stored: its values are ``1/deg(i)``, a
function of the row, and :attr:`Network.weights` assembles it on demand.  At
10^6 customers and mean degree 10 the network holds 10^7 entries: 40 MB of
indices + 8 MB of ``indptr`` and ``degree`` (48 bytes per customer).

Within a row, ties are stored in a fixed order: first the customers with a
higher index, ascending, then those with a lower index, ascending.

Building is O(edges) in memory: the tie list is held once as int64 keys
``lo * n + hi`` (8 bytes per tie), sorted in place, deduplicated in place and
scattered into ``indices`` by a counting sort (see :func:`_csr_from_keys`);
temporaries are made chunk by chunk (``_CHUNK`` ties at a time).

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

import functools
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from servsim.kernels.word_of_mouth import hear


@dataclass
class Network:
    """A social network over ``n`` customers."""

    n: int
    kind: str
    indptr: np.ndarray | None
    """Row starts of the CSR pattern, length n + 1 (int32, int64 beyond 2^31 tie ends;
    None for the complete graph)."""
    indices: np.ndarray | None
    """Tie ends, row by row (int32; None for the complete graph)."""
    degree: np.ndarray
    """Ties per customer (int32)."""

    @property
    def weights(self) -> sp.csr_matrix | None:
        """Row-normalized adjacency ``W`` (None for the complete graph), built on each access.

        ``W.data`` (float32 ``1/deg(i)`` for row i) is allocated anew; ``indices``
        and ``indptr`` are the network's own arrays, shared read-only.  Keep the
        matrix if you use it more than once.
        """
        if self.indices is None:
            return None
        data = np.repeat(self.inverse_degree, self.degree)
        w = sp.csr_matrix((data, self.indices, self.indptr), shape=(self.n, self.n), copy=False)
        w.has_sorted_indices = False
        return w

    def mean_over_ties(self, x: np.ndarray) -> np.ndarray:
        """Mean of ``x`` (shape (n,) or (n, k)) over each customer's ties.

        A customer with no ties receives 0.
        """
        if self.indices is not None:
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
        (n x k) indicator of talkers' categories.  The dense form of :meth:`heard_by`.
        """
        rows, shares = self.heard_by(talkers, category, k)
        out = np.zeros((self.n, k), dtype=np.float32)
        out[rows] = shares
        return out

    def heard_by(
        self, talkers: np.ndarray, category: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Who hears the talkers, and what share of their ties said each category.

        Returns ``rows`` (the customers with at least one talking tie, each once, in no
        particular order) and ``shares`` (len(rows) x k, float32): ``shares[r]`` is row
        ``rows[r]`` of :meth:`share_of_ties`; every other customer's row is zero.
        Computed by scattering each talker's message to its ties (the graph is undirected, so the
        ties of a talker are the customers who hear it): O(talkers x degree) work and
        memory, instead of O(edges k) for the mat-vec or O(n k) for the dense table
        (compiled: :func:`servsim.kernels.word_of_mouth.hear`; rows in order of first
        hearing).
        The complete graph, where everybody hears everybody, returns every row.

        The network's scratch index ``_slot`` (which shares cache lines with
        ``inverse_degree``) is left holding each hearer's position in ``rows``:
        ``_slot[i]`` for customer i is meaningful only if ``rows[_slot[i]] == i`` (see
        :func:`row_lookup`).
        """
        slot = self._slot  # only the hearers' entries are set
        self._heard_by_calls = self.heard_by_calls + 1
        if self.indices is None:
            totals = np.bincount(category, minlength=k).astype(np.float64)
            out = np.broadcast_to(totals, (self.n, k)).copy()
            out[talkers, category] -= 1.0  # nobody hears themselves
            rows = np.arange(self.n)
            slot[:] = rows
            return rows, (out / max(self.n - 1, 1)).astype(np.float32)
        return hear(self.indptr, self.indices, talkers.astype(np.int64, copy=False),
                    category.astype(np.int64, copy=False), k, slot, self.inverse_degree)

    @functools.cached_property
    def _scratch(self) -> np.ndarray:
        """Word of mouth's per-customer scratch: slot index and ``1 / deg``, side by side.

        n x 2 int32: column 0 is :meth:`heard_by`'s slot index, column 1 the bits of
        ``1 / deg`` (float32).  Word of mouth reads both for the same hearers: kept in
        one cache line, each hearer costs one memory fetch instead of two.
        """
        scratch = np.zeros((self.n, 2), dtype=np.int32)
        inv = scratch[:, 1].view(np.float32)
        np.divide(1.0, self.degree, out=inv, where=self.degree > 0)
        return scratch

    @functools.cached_property
    def _slot(self) -> np.ndarray:
        """:meth:`heard_by`'s scratch index (a view: n int32)."""
        return self._scratch[:, 0]

    @functools.cached_property
    def inverse_degree(self) -> np.ndarray:
        """``1 / deg(i)`` as float32 (0 for a customer without ties), computed once.

        A read-only strided view of the scratch array.
        """
        inv = self._scratch[:, 1].view(np.float32)
        inv.flags.writeable = False
        return inv

    @property
    def heard_by_calls(self) -> int:
        """How many times :meth:`heard_by` ran.

        The slot index is valid for the ``rows`` of the latest call only.
        """
        return self.__dict__.get("_heard_by_calls", 0)

    @property
    def n_edges(self) -> int:
        """Number of undirected ties."""
        if self.indices is None:
            return self.n * (self.n - 1) // 2
        return int(self.indices.size // 2)

    def neighbours(self, i: int) -> np.ndarray:
        """Indices of customer ``i``'s ties (for views and visualisation)."""
        if self.indices is None:
            return np.delete(np.arange(self.n), i)
        return self.indices[self.indptr[i] : self.indptr[i + 1]].copy()

    @property
    def nbytes(self) -> int:
        """Memory held by the network's arrays."""
        extra = self.__dict__["_scratch"].nbytes if "_scratch" in self.__dict__ else 0
        if self.indices is None:
            return self.degree.nbytes + extra
        return self.indices.nbytes + self.indptr.nbytes + self.degree.nbytes + extra


def row_lookup(rows: np.ndarray, values: np.ndarray, slot: np.ndarray,
               who: np.ndarray) -> np.ndarray:
    """Look up customers ``who`` in a sparse table from :meth:`Network.heard_by`.

    ``rows`` and ``values`` are what it returned, ``slot`` the index it filled; the
    result holds each customer's row of ``values``, zero for customers not in ``rows``.

    ``slot[i]`` may hold a stale position for a customer not in ``rows``, but then
    ``rows[slot[i]]`` is someone else, so the test ``rows[slot[i]] == i`` is exact.
    """
    out = np.zeros((who.size, *values.shape[1:]), dtype=values.dtype)
    if rows.size == 0 or who.size == 0:
        return out
    pos = slot[who].astype(np.intp)
    np.clip(pos, 0, rows.size - 1, out=pos)
    hit = rows[pos] == who
    out[hit] = values[pos[hit]]
    return out


_CHUNK = 1 << 19
"""Ties processed at a time by the chunked loops of the build (bounds temporaries)."""


def build_network(
    n: int, kind: str, mean_degree: int, rewire_prob: float, rng: np.random.Generator
) -> Network:
    """Build a network of ``kind`` over ``n`` customers with the model's generator."""
    if kind == "complete" or n <= 1:
        return Network(n, "complete", None, None, np.full(n, max(n - 1, 0), dtype=np.int32))
    k = int(min(mean_degree, n - 1))
    if kind == "small_world":
        src, dst = _watts_strogatz(n, k, rewire_prob, rng)
    elif kind == "random":
        src, dst = _erdos_renyi(n, k, rng)
    elif kind == "scale_free":
        src, dst = _barabasi_albert(n, k, rng)
    else:  # validated earlier; keep a clear message for direct callers
        raise ValueError(f"market.network.kind={kind!r} is unknown")
    key = _tie_keys(n, src, dst)
    del src, dst  # the keys are all the build needs from here on
    return _csr_from_keys(n, kind, key)


def _random_chunked(rng: np.random.Generator, size: int, fn) -> list:
    """``fn`` applied to ``rng.random(size)`` chunk by chunk, without the float64 array.

    ``Generator.random`` draws one 64-bit output per double, so consecutive
    calls of sizes adding up to ``size`` give the same numbers as one call.
    """
    return [fn(s, rng.random(min(_CHUNK, size - s))) for s in range(0, size, _CHUNK)]


def _watts_strogatz(n: int, k: int, beta: float, rng: np.random.Generator):
    """Ring lattice (node i tied to i+1 .. i+k/2, mod n), far ends rewired w.p. ``beta``.

    Ties are listed node by node, offsets 1..k/2 within a node.
    """
    half = max(k // 2, 1)
    src = np.repeat(np.arange(n, dtype=np.int32), half)
    dst = np.add.outer(np.arange(n, dtype=np.int32), np.arange(1, half + 1, dtype=np.int32))
    dst = dst.reshape(-1)
    dst[dst >= n] -= n  # (i + d) mod n, with i + d < n + half
    rewire = np.empty(src.size, dtype=bool)

    def mark(s: int, u: np.ndarray) -> None:
        rewire[s : s + u.size] = u < beta

    _random_chunked(rng, src.size, mark)
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
    idx = np.int32 if 2 * m < 2**31 else np.int64  # slot numbers go up to 2m - 1
    node_of_edge = np.repeat(np.arange(n, dtype=np.int32), d)  # = e // d
    ptr = np.empty(m, dtype=idx)

    def draw(s: int, u: np.ndarray) -> None:
        # ptr[e] = floor(u_e * (2e + 1)), in float64 as one whole-array expression would
        ptr[s : s + u.size] = u * (2 * np.arange(s, s + u.size, dtype=np.float64) + 1)

    _random_chunked(rng, m, draw)
    # ptr[e] is a slot index in [0, 2e]; even slots are known nodes.
    target = np.empty(m, dtype=np.int32)
    pending = np.arange(m, dtype=idx)
    cur = ptr
    while pending.size:
        even = (cur % 2) == 0
        target[pending[even]] = node_of_edge[cur[even] // 2]
        odd = ~even
        del even
        pending = pending[odd]
        cur = ptr[cur[odd] // 2]
    return node_of_edge, target


def _tie_keys(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """One int64 key per listed tie: ``min * n + max`` of its two ends.

    Self-loops get the key ``n * n``, above every real key, so that sorting moves
    them to the end.  Computed chunk by chunk: no int64 copies of ``src``/``dst``.
    """
    key = np.empty(src.size, dtype=np.int64)
    nn = np.int64(n)
    for s in range(0, src.size, _CHUNK):
        a, b = src[s : s + _CHUNK], dst[s : s + _CHUNK]
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        out = key[s : s + _CHUNK]
        np.multiply(lo, nn, out=out)
        out += hi
        out[lo == hi] = nn * nn
    return key


def _unique_sorted_inplace(a: np.ndarray) -> int:
    """Move the distinct values of sorted ``a`` to its front, in order; return their count.

    Chunk by chunk, front to back: a value is kept when it differs from its
    predecessor, and the kept values of a chunk are written at or before the
    chunk's start.  The predecessor ``a[s - 1]`` of a chunk is never overwritten
    with a different value (positions move only when an earlier value was dropped).
    """
    m = a.size
    if m == 0:
        return 0
    w = 1
    for s in range(1, m, _CHUNK):
        e = min(s + _CHUNK, m)
        vals = a[s:e][a[s:e] != a[s - 1 : e - 1]]
        a[w : w + vals.size] = vals
        w += vals.size
    return w


def _csr_from_keys(n: int, kind: str, key: np.ndarray) -> Network:
    """The symmetric CSR pattern of the ties in ``key`` (modified in place).

    1. Sort the keys in place; drop self-loops (at the end) and duplicates.
       Each remaining key ``lo * n + hi`` is one tie, ``lo < hi``, in (lo, hi) order.
    2. Count, per customer, ties to higher customers (``up``, as ``lo``) and to
       lower ones (``low``, as ``hi``); ``degree = up + low``, ``indptr`` its
       cumulative sum.
    3. Row r holds first its higher ties, ascending, then its lower ties,
       ascending.  In (lo, hi) order, tie i is the ``(i - up_start[lo])``-th higher
       tie of ``lo``, so it goes to ``indptr[lo] + i - up_start[lo] =
       i + low_start[lo]`` (``*_start``: exclusive cumulative sums).
    4. Rewrite the keys in place as ``hi * n + lo`` and sort again: in (hi, lo)
       order, tie j is the ``(j - low_start[hi])``-th lower tie of ``hi``, at
       ``indptr[hi] + up[hi] + j - low_start[hi] = j + up_end[hi]``
       (``up_end``: inclusive cumulative sum of ``up``).

    This is the order a stable sort by row of the list ``[(lo, hi)..., (hi, lo)...]``
    gives, without the 2 x ties int64 arrays it would need.
    """
    nn = np.int64(n)
    key.sort(kind="stable")  # timsort: fast on the near-sorted ring lattice
    m = _unique_sorted_inplace(key[: int(np.searchsorted(key, nn * nn))])
    key = key[:m]
    idx = np.int32 if 2 * m < 2**31 else np.int64
    up = np.zeros(n, dtype=idx)
    low = np.zeros(n, dtype=idx)
    for s in range(0, m, _CHUNK):
        lo, hi = np.divmod(key[s : s + _CHUNK], nn)
        up += np.bincount(lo, minlength=n).astype(idx)
        low += np.bincount(hi, minlength=n).astype(idx)
    degree = (up + low).astype(np.int32)
    indptr = np.zeros(n + 1, dtype=idx)
    np.cumsum(degree, dtype=idx, out=indptr[1:])
    indices = np.empty(2 * m, dtype=np.int32)
    low_start = np.zeros(n, dtype=idx)  # exclusive cumulative sum of low
    np.cumsum(low[:-1], dtype=idx, out=low_start[1:])
    del low
    for s in range(0, m, _CHUNK):
        lo, hi = np.divmod(key[s : s + _CHUNK], nn)
        indices[np.arange(s, s + lo.size) + low_start[lo]] = hi
    del low_start
    up_end = up  # in place: inclusive cumulative sum of up
    np.cumsum(up, dtype=idx, out=up_end)
    for s in range(0, m, _CHUNK):
        chunk = key[s : s + _CHUNK]
        lo, hi = np.divmod(chunk, nn)
        np.multiply(hi, nn, out=chunk)
        chunk += lo
    key.sort(kind="stable")  # timsort: fast on the near-sorted ring lattice
    for s in range(0, m, _CHUNK):
        hi, lo = np.divmod(key[s : s + _CHUNK], nn)
        indices[np.arange(s, s + hi.size) + up_end[hi]] = lo
    del up, up_end
    for a in (indptr, indices, degree):
        a.flags.writeable = False
    return Network(n, kind, indptr, indices, degree)
