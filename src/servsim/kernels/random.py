"""The model's random numbers inside kernels, from its own bit generator.

Numba can take a ``numpy.random.Generator`` argument, but unboxing one costs
some 9 us a call.  A kernel instead takes the address of the Generator's
``bitgen_t`` (:func:`bitgen_address`, an integer) and calls the bit
generator's own functions through it: :func:`next_double` is one draw of
``Generator.random()``, :func:`next_float` one of ``random(dtype=float32)``,
consuming the stream exactly as numpy does (float32 draws share numpy's
buffered half words), so a kernel that draws what numpy drew, in the same
order, gets the same numbers.

The address is valid while the Generator lives; the model holds it.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from servsim.kernels import jit


def bitgen_address(rng: np.random.Generator) -> int:
    """Address of ``rng``'s ``bitgen_t`` struct (numpy/random/bitgen.h)."""
    return rng.bit_generator.ctypes.bit_generator.value


def _bitgen_call(slot: int, result: ir.Type):
    """Codegen calling function pointer ``slot`` of a bitgen_t at an address.

    bitgen_t = {void *state; uint64 (*next_uint64)(void *); uint32 (*next_uint32)(void *);
    double (*next_double)(void *); uint64 (*next_raw)(void *)}
    """
    def codegen(context, builder, signature, args):
        voidptr = ir.IntType(8).as_pointer()
        fn_type = ir.FunctionType(result, [voidptr])
        struct = ir.LiteralStructType([voidptr] + [fn_type.as_pointer()] * 4)
        bitgen = builder.inttoptr(args[0], struct.as_pointer())
        state = builder.load(cgutils.gep_inbounds(builder, bitgen, 0, 0))
        fn = builder.load(cgutils.gep_inbounds(builder, bitgen, 0, slot))
        return builder.call(fn, [state])
    return codegen


@intrinsic
def _next_double(typingctx, address):
    return types.float64(types.intp), _bitgen_call(3, ir.DoubleType())


@intrinsic
def _next_uint32(typingctx, address):
    return types.uint32(types.intp), _bitgen_call(2, ir.IntType(32))


@jit
def next_double(address):
    """One ``Generator.random()`` draw (float64 in [0, 1))."""
    return _next_double(address)


@jit
def next_float(address):
    """One ``Generator.random(dtype=np.float32)`` draw: ``(next_uint32 >> 8) * 2**-24``."""
    return np.float32(_next_uint32(address) >> np.uint32(8)) * np.float32(1.0 / 16777216.0)


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_K_SEED = np.uint64(0xD1B54A32D192ED03)
_K_STREAM = np.uint64(0x8CB92BA72F3D8DD7)
_K_CUSTOMER = np.uint64(0x9FB21C651E98DF25)


@jit
def counter_uniform(seed, stream, customer, k):
    """A counter-based uniform U(seed, stream, customer, k) in (0, 1), float64: the same
    number as :func:`servsim.streams.hashed_uniform` (bit for bit), one scalar at a time.

    ``z = seed * K1 + stream * K2 + customer * K3 + k * G`` (uint64, wrapping), then
    SplitMix64's finalizer ``z ^= z >> 30; z *= M1; z ^= z >> 27; z *= M2; z ^= z >> 31``,
    and ``U = ((z >> 11) + 0.5) * 2**-53``.  It consumes no generator state: the draw of
    customer ``i`` on day ``k`` for purpose ``stream`` does not depend on any other draw
    (``sim.counter_draws``, ODD 7.10).  The arguments must be non-negative integers.
    """
    z = (np.uint64(seed) * _K_SEED + np.uint64(stream) * _K_STREAM
         + np.uint64(customer) * _K_CUSTOMER + np.uint64(k) * _GOLDEN)
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z = z ^ (z >> np.uint64(31))
    return (np.float64(z >> np.uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)
