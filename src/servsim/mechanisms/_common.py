"""How mechanisms are written, and the small formulas they share.

Every formula of the model is a scalar function compiled with numba
(:func:`formula`): the compiled kernels (:mod:`servsim.kernels`) call these very
functions, so the documented formula is the one that runs.  Each compiled
function also has an array form, ``f.array(...)`` (a ``numba.vectorize`` of the
same Python source, broadcasting like a numpy ufunc), for tests, notebooks and
the model's set-up.

Types are part of each formula's contract and stated in its docstring: where
the engine keeps a value in float32 (satisfaction, expectation, attitude,
morale, skill), the formula computes in float32 exactly where the original
numpy engine did (numpy 2 does ``float32_array * python_float`` in float32,
numba does ``float32 * float64`` in float64, hence the explicit
``np.float32`` casts); parameters arrive as Python floats (float64).

Compiled code is cached on disk (``__pycache__``).  Numba keys a cached kernel
only on its own source file, so a kernel compiled with yesterday's formula
would be loaded after the formula changed; :class:`_StampedInTreeLocator`
stamps every cache entry of servsim's compiled code with a digest of all the
engine's sources (``mechanisms/``, ``kernels/``, ``state.py``): editing any of
them recompiles the engine on the next run (some 45 s) instead of running stale
machine code.
"""

from __future__ import annotations

import functools
import hashlib
import math
from pathlib import Path

import numba
import numpy as np
from numba.core import caching

_PACKAGE = Path(__file__).resolve().parents[1]
_ENGINE_SOURCES = ("mechanisms", "kernels", "state.py")


@functools.lru_cache(maxsize=1)
def engine_source_digest() -> str:
    """SHA-256 of every source file the compiled engine is built from (sorted paths)."""
    h = hashlib.sha256()
    for entry in _ENGINE_SOURCES:
        path = _PACKAGE / entry
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            h.update(file.relative_to(_PACKAGE).as_posix().encode())
            h.update(file.read_bytes())
    return h.hexdigest()


class _EngineStamp:
    """Cache-locator mixin: servsim's compiled functions are stamped with
    :func:`engine_source_digest` instead of their own file's hash alone.
    """

    @classmethod
    def from_function(cls, py_func, py_file):
        try:
            Path(py_file).resolve().relative_to(_PACKAGE)
        except (ValueError, OSError):
            return None  # not servsim's: numba's own locators take it
        return super().from_function(py_func, py_file)

    def get_source_stamp(self):
        return (super().get_source_stamp(), engine_source_digest())


class _StampedUserLocator(_EngineStamp, caching.UserProvidedCacheLocator):
    """``NUMBA_CACHE_DIR`` set: cache there, stamped."""


class _StampedInTreeLocator(_EngineStamp, caching.InTreeCacheLocator):
    """The default: cache in ``__pycache__`` next to the source, stamped."""


for _locator in (_StampedInTreeLocator, _StampedUserLocator):  # user-provided dir first
    if _locator not in caching.CacheImpl._locator_classes:
        caching.CacheImpl._locator_classes.insert(0, _locator)

_njit = numba.njit(cache=True, error_model="numpy", nogil=True)


class _ArrayForm:
    """``numba.vectorize`` of a formula's Python source, built on first use.

    Not cached on disk: a cached vectorize over the same function shared the
    compiled function's cache file and crashed numba 0.68.1.
    """

    def __init__(self, py_func):
        self._py_func = py_func
        self._ufunc = None
        functools.update_wrapper(self, py_func)

    def __call__(self, *args):
        if self._ufunc is None:
            self._ufunc = numba.vectorize(nopython=True)(self._py_func)
        return self._ufunc(*args)


def formula(fn):
    """Compile a scalar formula (numba ``njit``: cached, numpy's division semantics,
    no fast-math) and attach its array form as ``.array``.
    """
    compiled = _njit(fn)
    compiled.array = _ArrayForm(fn)
    return compiled


@formula
def logistic(x: float) -> float:
    """The logistic function ``1 / (1 + exp(-x))`` of a float64.

    Gives the same float64 as ``scipy.special.expit`` (inf for large negative x
    turns into 0, no exception).
    """
    return 1.0 / (1.0 + math.exp(-x))


def logit(p: float) -> float:
    """Log-odds of a probability; ``p`` is clipped to [1e-12, 1 - 1e-12] to stay finite.

    Plain Python (numpy's log): the model computes the logits of its base rates
    once, at construction.
    """
    p = min(max(p, 1e-12), 1 - 1e-12)
    return float(np.log(p / (1 - p)))


@formula
def stochastic_round(x: float, u: float) -> int:
    """Round ``x >= 0`` down or up so that the expectation equals ``x``.

    ``floor(x) + (u < x - floor(x))`` with ``u ~ U(0, 1)``; float64 in, int64 out.
    """
    base = np.floor(x)
    return np.int64(base + (1.0 if u < x - base else 0.0))
