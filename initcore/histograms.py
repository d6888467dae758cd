"""Pre-binned per-layer histograms: small enough to send to a browser, readable at every scale.

Two binnings of the same per-layer samples, sharing edges across layers so that layers can be compared
(and drawn as a layers × bins heatmap):

* ``edges``/``counts`` bin x itself on a symmetric range ±R, R the largest |x| of any finite layer;
* ``log_edges``/``log_counts`` bin log10|x|, so a layer at σ = 1e-30 and one at σ = 1e+30 are both
  readable; exact zeros cannot be placed on that axis and are counted in ``zeros``.

A layer that overflowed has ``total == 0`` and all-zero counts: it is *not* filled with garbage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

BINS = 60
SAMPLE = 4096  # values per layer that are binned: ~70 per bin on average, enough to see a shape


@dataclass(frozen=True)
class LayerHistograms:
    edges: np.ndarray  # (BINS + 1,)
    counts: np.ndarray  # (depth, BINS)
    log_edges: np.ndarray  # (BINS + 1,) in log10|x|
    log_counts: np.ndarray  # (depth, BINS)
    zeros: np.ndarray  # (depth,) exact zeros, left out of the log binning
    total: np.ndarray  # (depth,) samples binned; 0 for a layer that overflowed

    @property
    def depth(self) -> int:
        return self.counts.shape[0]

    def density(self, log: bool = False) -> np.ndarray:
        """Counts divided by each layer's sample count (rows of exploded layers stay 0)."""
        counts = self.log_counts if log else self.counts
        return counts / np.maximum(self.total, 1)[:, None]


def sample_rows(depth: int, sample: int = SAMPLE) -> np.ndarray:
    """Storage for one kind of per-layer samples, ``sample`` values a layer; NaN marks a value never written
    (layer overflowed)."""
    return np.full((depth, sample), np.nan, dtype=np.float32)


def stride(size: int, sample: int, row: int) -> int:
    """The step of an evenly strided pick of ``sample`` of ``size`` values laid out in rows of ``row`` (every value,
    if there are no more than ``sample``): the largest step up to size // sample that shares no factor with ``row``,
    so that the picks pass through every column. A step of 12 through rows of 32 units would pick every fourth
    unit alone, and miss a trained layer's dead ones."""
    step = max(1, size // sample)
    while math.gcd(step, row) != 1:
        step -= 1
    return step


def record(rows: np.ndarray, layer: int, x: np.ndarray, scale: float = 1.0) -> None:
    """Keep an evenly strided subset of ``x``'s values (times ``scale``) as row ``layer``: as many as the row
    holds (``sample_rows``), or all of them if there are fewer; in row-major order, by a ``stride`` that passes
    through every column of ``x``."""
    flat, sample = x.reshape(-1), rows.shape[1]
    picked = flat[:: stride(flat.size, sample, x.shape[-1] if x.ndim else 1)][:sample]
    np.multiply(picked, scale, out=rows[layer, : picked.size], casting="unsafe")


_MISSING, _ZERO = BINS, BINS + 1  # two extra columns per row: values never written, and exact zeros
ZERO_LOG = -1e30  # log_magnitudes' stand-in for log10 0 = -inf: below every other, and clipped into bin 0 as -inf is


def log_magnitudes(magnitudes: np.ndarray) -> np.ndarray:
    """log10 |x| of ``magnitudes`` (|x|, NaN stays NaN), with ``ZERO_LOG`` in place of an exact zero's -inf.

    numpy's log10 takes a slow path at a zero, 28 times the time of any other value, and a ReLU layer's values
    are half zeros: the log10 of |x| raised to its type's least positive number takes the fast path and leaves
    every nonzero |x| as it is; the zeros' logs are then moved down by arithmetic (a masked store at scattered
    zeros would mispredict at each one)."""
    least = np.nextafter(magnitudes.dtype.type(0), magnitudes.dtype.type(1))
    logs = np.log10(np.maximum(magnitudes, least))
    logs += (magnitudes == 0) * logs.dtype.type(ZERO_LOG)
    return logs


def positions(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The bin of each value in the uniform ``edges`` (clipped into the first and last):
    x·(BINS / width) - edges[0]·(BINS / width) in the values' float type, truncated."""
    per_unit = BINS / (edges[-1] - edges[0])
    if not np.isfinite(values.dtype.type(per_unit)):  # a range of subnormals: 60 / 1e-44 overflows float32
        values = values.astype(np.float64)
    per_unit = values.dtype.type(per_unit)
    position = values * per_unit
    position -= values.dtype.type(edges[0] * per_unit)
    np.clip(position, 0, BINS - 1, out=position)
    return position.astype(np.int32)


def _bin(values: np.ndarray, edges: np.ndarray, missing: np.ndarray, zero: np.ndarray | None = None) -> np.ndarray:
    """Count each row of ``values`` into the uniform ``edges`` (the last edge belongs to the last bin).

    Returns ``(depth, BINS + 2)`` counts: the ``BINS`` bins, then the ``missing`` and ``zero`` entries,
    which are set aside rather than binned. Rows are binned together by offsetting each row's indices.
    """
    index = positions(values, edges)  # NaN and -inf casts are garbage, overwritten just below
    index[missing] = _MISSING  # whole rows, where a layer overflowed: a mask read at memory speed
    if zero is not None:  # scattered (half a ReLU layer): arithmetic, where a masked store mispredicts at each one
        index += zero * (_ZERO - index)
    depth = values.shape[0]
    index += np.arange(0, depth * (BINS + 2), BINS + 2, dtype=np.int32)[:, None]
    return np.bincount(index.reshape(-1), minlength=depth * (BINS + 2)).reshape(depth, BINS + 2)


def build(samples: np.ndarray) -> LayerHistograms:
    """Bin each row of ``samples`` (NaN = no value) with edges shared by all rows; ±inf, a value that
    overflowed, has no place on either axis and counts as no value too."""
    with np.errstate(all="ignore"):
        if np.isinf(samples).any():
            samples = np.where(np.isinf(samples), np.nan, samples).astype(samples.dtype, copy=False)
        missing = np.isnan(samples)
        magnitudes = np.abs(samples)
        reach = float(np.fmax.reduce(magnitudes, axis=None, initial=0.0))  # fmax skips NaN
        edges = np.linspace(-reach, reach, BINS + 1) if reach > 0 else np.linspace(-1, 1, BINS + 1)

        # The least and largest log10 |x| of the values that are neither missing (NaN, which fmin and fmax skip) nor
        # zero: a zero's log is below every other, and lifted above all for the least. _bin sets both aside.
        zero = magnitudes == 0
        logs = log_magnitudes(magnitudes)
        if (missing | zero).all():
            low, high = -1.0, 1.0
        else:
            low = np.floor(float(np.fmin.reduce(logs - zero * logs.dtype.type(2 * ZERO_LOG), axis=None)))
            high = np.ceil(float(np.fmax.reduce(logs, axis=None)))
        log_edges = np.linspace(low, max(high, low + 1), BINS + 1)

        counts = _bin(samples, edges, missing)
        log_counts = _bin(logs, log_edges, missing, zero)
    return LayerHistograms(
        edges=edges,
        counts=counts[:, :BINS],
        log_edges=log_edges,
        log_counts=log_counts[:, :BINS],
        zeros=log_counts[:, _ZERO],
        total=samples.shape[1] - counts[:, _MISSING],
    )
