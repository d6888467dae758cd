"""The mean, variance and norm of a whole array, as the engine's statistics, overflow check and gradient
norms need them: sums of squares that neither overflow nor lose small squares to underflow."""

from __future__ import annotations

import math

import numpy as np


def _holds(squares: float, flat: np.ndarray) -> bool:
    """Whether ``squares``, the sum of ``flat``'s squares in its own precision, is exact enough to use: finite,
    and above ``size · tiny / eps``, where squares lost to underflow cannot add up to one digit of it."""
    precision = np.finfo(flat.dtype)
    return math.isfinite(squares) and squares >= flat.size * precision.tiny / precision.eps


def moments(x: np.ndarray) -> tuple[float, float]:
    """Mean and variance of all entries, by the two-pass formula with float64 accumulation.

    The entries are copied to float64 (exactly: a float64 holds every float32 and its square, so nothing
    overflows or underflows), the mean is summed, and the variance is the mean square of the deviations
    from it, Var x = mean((x - x̄)²). Unlike E[x²] - x̄², which cancels to nothing when the mean dwarfs the
    spread (a sigmoid layer of 0.5 ± 10⁻⁴ has E[x²] = 0.25 and Var x = 10⁻⁸: float32 has no digit left for
    it), this keeps every digit the entries have: the result is the variance of the entries as stored, to
    about 10⁻¹⁵ relative. Both results are finite exactly when every entry is, which the simulation uses as
    its overflow check. (Entries of a float64 array so large that their sum overflows are summed scaled.)
    """
    flat = x.reshape(-1)
    wide = flat.astype(np.float64)
    scale = 1.0
    total = float(wide.sum())
    if not math.isfinite(total):  # an inf or NaN entry, or float64 entries whose sum passes 1.8e308
        scale = float(np.max(np.abs(wide)))
        if not math.isfinite(scale):
            return total, math.nan
        wide /= scale
        total = float(wide.sum())
    mean = total / flat.size
    wide -= mean
    return mean * scale, float(np.dot(wide, wide)) / flat.size * scale * scale


def norm(x: np.ndarray) -> float:
    """‖x‖₂ over all entries (a matrix's Frobenius norm), finite exactly when every entry is.

    ``sqrt(x · x)`` is one BLAS call, but its sum of squares overflows long before the norm does (float64:
    entries from about 1e154 on; a run on its way to diverging gets there) and loses the squares of entries
    below about 1e-154 to underflow. In either case, as in ``moments``, the sum is redone on ``x / max |x|``,
    whose squares lie in [0, 1]: ‖x‖ = max |x| · ‖x / max |x|‖.
    """
    flat = x.reshape(-1)
    with np.errstate(over="ignore", under="ignore"):  # both are handled below (a strided x warns, BLAS never)
        squares = float(np.dot(flat, flat))
    if _holds(squares, flat):
        return math.sqrt(squares)
    largest = float(np.max(np.abs(flat), initial=0.0))
    if not 0.0 < largest < math.inf:  # all zeros (0), or an inf or NaN entry (inf or NaN)
        return largest
    scaled = flat / largest
    return largest * math.sqrt(float(np.dot(scaled, scaled)))
