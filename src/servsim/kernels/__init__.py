"""Compiled kernels: the day's phases as loops, compiled with numba.

A kernel holds no formula: it loops over customers, encounters, complaints or
staff, draws the random numbers (from the model's Generator: numba shares its
bit generator's state, :mod:`.random`) in a fixed order and number, groups and
queues (FIFO service, approval queues, who hears whom), logs the day's
metrics, and calls the mechanisms' compiled scalar functions
(:mod:`servsim.mechanisms`) for every formula.  Changing a formula is an edit
of its mechanism function; the kernels pick it up at the next compilation
(the cache is stamped with the engine's sources, see
:mod:`servsim.mechanisms._common`).

At small sizes a day of vectorised numpy is mostly the fixed cost of its
calls (a few microseconds each, hundreds a day); a phase written as one loop
over its few rows costs one call.  The kernels reproduce the numpy engine
they replaced bit for bit (``benchmarks/fingerprint.py --check``): same
order, same floating-point types (the mechanisms' float32/float64 contracts).
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

import servsim.mechanisms  # noqa: F401  (first: stamps the compiled caches)
from servsim.state import ADVOCATE, NEW

jit = numba.njit(cache=True, error_model="numpy", nogil=True)
"""How every kernel is compiled: cached on disk next to the source, numpy's
division semantics (inf/nan, no exceptions), no fast-math (IEEE results)."""


@numba.njit(cache=True, error_model="numpy", inline="always")
def is_active(stage) -> bool:
    """Whether a stage code is new, repeat, loyal or advocate (one unsigned compare,
    no branch: ``stage - NEW`` wraps around below NEW).
    """
    return np.uint8(stage - NEW) <= np.uint8(ADVOCATE - NEW)


@numba.njit(cache=True, error_model="numpy")
def row_sum(a):
    """``a.sum()`` of a contiguous float64 array as numpy adds it: pairwise, blocks of up
    to 128 with 8 accumulators.
    """
    n = a.size
    if n < 8:
        s = 0.0
        for x in a:
            s += x
        return s
    if n > 128:
        half = n // 2
        half -= half % 8
        return row_sum(a[:half]) + row_sum(a[half:])
    r = a[:8].copy()
    i = 8
    while i + 8 <= n:
        for j in range(8):
            r[j] += a[i + j]
        i += 8
    s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        s += a[i]
        i += 1
    return s


@numba.njit(cache=True, error_model="numpy")
def ratio(num, den):
    """``num / den`` element by element, NaN where ``den`` is 0 (a mean over no one)."""
    out = np.full(num.size, np.nan)
    for k in range(num.size):
        if den[k] > 0:
            out[k] = num[k] / den[k]
    return out


PREFETCH_AHEAD = 32
"""How many items ahead a gather loop asks for the memory it will read (:func:`prefetch`);
measured at 10^6 customers, 24-48 do equally well."""


@intrinsic
def prefetch(typingctx, ary, index):
    """Ask the CPU to bring ``ary[index]`` into cache (``llvm.prefetch``, read, keep):
    a hint, with no effect on any result and no bounds check (an address past the array
    is not read).  Loops that read customers' columns at scattered rows (the ties who
    hear word of mouth, the customers at an occasion) call it some
    :data:`PREFETCH_AHEAD` items ahead, so that the fetches overlap instead of each
    waiting for memory in turn.
    """
    if not isinstance(ary, types.Array) or not isinstance(index, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        aryty, indexty = signature.args
        arr = context.make_array(aryty)(context, builder, args[0])
        i = context.cast(builder, args[1], indexty, types.intp)
        ptr = cgutils.get_item_pointer(context, builder, aryty, arr, [i], wraparound=False)
        i32, bytes_ptr = ir.IntType(32), ir.IntType(8).as_pointer()
        fnty = ir.FunctionType(ir.VoidType(), [bytes_ptr, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        # read, high locality, data cache
        builder.call(fn, [builder.bitcast(ptr, bytes_ptr), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.none(ary, index), codegen
