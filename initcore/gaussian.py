"""Standard-normal draws, float32 ones by the Box–Muller transform: about 3× faster than numpy's own.

The simulation's cost is mostly random numbers (a 100-layer, 1024-wide network holds 10⁸ weights), and
numpy's ziggurat makes one float32 normal in about 9 ns. Box–Muller turns two uniforms into two
independent N(0, 1) values,

    r = √(−2 ln u₁),   θ = 2π u₂,   (x, y) = (r cos θ, r sin θ),

with nothing but whole-array ufuncs, which numpy runs in SIMD for float32: about 3 ns per value, raw
bits included. The arrays are filled a block at a time so the temporaries stay in the core's cache.
float64 has no SIMD sin and cos in numpy, so float64 arrays keep numpy's ziggurat.

Precision: the uniforms are 32 raw bits each, u₁ = (k + ½)/2³², never 0. The largest value a draw can
take is therefore √(66 ln 2) = 6.76; N(0, 1) goes beyond it with probability 1.4·10⁻¹¹, about once in a
thousand of the largest networks. Near u₁ = 1, float32 rounding puts r on a grid: no r falls strictly
between 0 and 3.5·10⁻⁴, a gap that holds 6·10⁻⁸ of the mass of N(0, 1). No histogram, moment or
lesson can see either effect.

A seeded stream gives the same draws on every machine, up to last-bit differences between the SIMD
versions of log, sin and cos that numpy picks for the processor.
"""

from __future__ import annotations

import math

import numpy as np

BLOCK_PAIRS = 1 << 15  # 32 Ki pairs: the temporaries (128 KB each) stay in the core's cache
_TO_UNIT = np.float32(2.0**-32)
_TO_ANGLE = np.float32(2 * math.pi * 2.0**-32)


def standard_normal(rng: np.random.Generator, out: np.ndarray) -> np.ndarray:
    """Fill the C-contiguous float array ``out`` with independent N(0, 1) values from ``rng``; return it."""
    if not out.flags.c_contiguous:
        raise ValueError("out must be C-contiguous (a fresh np.empty array, or a contiguous slice of one)")
    if out.dtype != np.float32:
        return rng.standard_normal(out=out, dtype=out.dtype)
    flat = out.reshape(-1)
    for start in range(0, flat.size, 2 * BLOCK_PAIRS):
        block = flat[start : start + 2 * BLOCK_PAIRS]
        pairs = (block.size + 1) // 2
        raw = rng.bit_generator.random_raw(pairs).view(np.uint32).reshape(pairs, 2)  # two uniforms per pair
        radius = raw[:, 0].astype(np.float32)
        radius += np.float32(0.5)
        radius *= _TO_UNIT
        np.log(radius, out=radius)
        radius *= np.float32(-2)
        np.sqrt(radius, out=radius)
        angle = raw[:, 1].astype(np.float32)
        angle *= _TO_ANGLE
        cosines, sines = block[:pairs], block[pairs:]
        np.cos(angle, out=cosines)
        cosines *= radius
        np.sin(angle[: sines.size], out=sines)
        sines *= radius[: sines.size]
    return out
