"""The mean and variance of a whole array, as the engine's statistics and overflow check need them."""

from __future__ import annotations

import numpy as np


def moments(x: np.ndarray) -> tuple[float, float]:
    """Mean and variance of all entries.

    The sums run in x's own precision (numpy's pairwise sum and BLAS's dot, both fast) and are redone in
    float64 only if they overflow, as float32 squares do near 1.8e19. So both results are finite exactly
    when every entry is: a float64 sum of finite float32 values cannot overflow, and an inf or NaN entry
    makes it inf or NaN. The simulation uses this as its overflow check.
    """
    flat = x.reshape(-1)
    total, squares = float(flat.sum()), float(np.dot(flat, flat))
    if not (np.isfinite(total) and np.isfinite(squares)):
        wide = flat.astype(np.float64)
        total, squares = float(wide.sum()), float(np.dot(wide, wide))
    mean = total / flat.size
    return mean, max(squares / flat.size - mean * mean, 0.0)
