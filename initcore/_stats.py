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
    """Mean and variance of all entries.

    The sums run in x's own precision (numpy's pairwise sum and BLAS's dot, both fast) and are redone in
    float64 when that precision cannot hold them: when they overflow, as float32 squares do above 1.8e19,
    and when the squares are so small that some fell below the smallest normal number (float32: 1.2e-38,
    so entries under 1.1e-19) and lost digits or became 0; a signal fading through a deep net gets there
    long before its entries do. Above ``size · tiny / eps`` the squares lost cannot add up to one digit of
    the sum. So both results are finite exactly when every entry is: a float64 sum of finite float32 values
    cannot overflow, and an inf or NaN entry makes it inf or NaN. The simulation uses this as its overflow
    check.
    """
    flat = x.reshape(-1)
    total, squares = float(flat.sum()), float(np.dot(flat, flat))
    if not (math.isfinite(total) and _holds(squares, flat)):
        wide = flat.astype(np.float64)
        total, squares = float(wide.sum()), float(np.dot(wide, wide))
    mean = total / flat.size
    return mean, max(squares / flat.size - mean * mean, 0.0)


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
