"""Compiled kernels: whole phases of the day as loops, compiled with numba.

At small sizes a day of vectorised numpy is mostly the fixed cost of its
calls (a few microseconds each, hundreds a day); a phase written as one loop
over its few rows costs one call.  Each kernel does exactly what the numpy
code it replaces did, in the same order and the same floating-point types,
and draws its random numbers from the model's Generator (numba shares its
bit generator's state) in the same order and number: results are identical,
bit for bit (``benchmarks/fingerprint.py --check``).  The formulas are the
mechanisms' (:mod:`servsim.mechanisms`), whose docstrings state them.

Typing rule of thumb: numpy 2 does ``float32_array * python_float`` in
float32, numba does ``float32 * float64`` in float64, so kernels cast such
constants to float32 where the numpy code kept float32.
"""

from __future__ import annotations

import math

import numba

jit = numba.njit(cache=True, error_model="numpy", nogil=True)
"""How every kernel is compiled: cached on disk next to the source, numpy's
division semantics (inf/nan, no exceptions), no fast-math (IEEE results)."""


@numba.njit(cache=True, error_model="numpy", inline="always")
def expit(x: float) -> float:
    """scipy.special.expit for float64: ``1 / (1 + exp(-x))``."""
    return 1.0 / (1.0 + math.exp(-x))
