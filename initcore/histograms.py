"""Pre-binned per-layer histograms: small enough to send to a browser, readable at every scale.

Two binnings of the same per-layer samples, sharing edges across layers so that layers can be compared
(and drawn as a layers × bins heatmap):

* ``edges``/``counts`` bin x itself on a symmetric range ±R, R the largest |x| of any finite layer;
* ``log_edges``/``log_counts`` bin log10|x|, so a layer at σ = 1e-30 and one at σ = 1e+30 are both
  readable; exact zeros cannot be placed on that axis and are counted in ``zeros``.

A layer that overflowed has ``total == 0`` and all-zero counts: it is *not* filled with garbage.
"""

from __future__ import annotations

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


def sample_rows(depth: int) -> np.ndarray:
    """Storage for one kind of per-layer samples; NaN marks a value never written (layer overflowed)."""
    return np.full((depth, SAMPLE), np.nan, dtype=np.float32)


def record(rows: np.ndarray, layer: int, x: np.ndarray, scale: float = 1.0) -> None:
    """Keep an evenly strided subset of at most ``SAMPLE`` values of ``x`` (times ``scale``) as row ``layer``."""
    flat = x.reshape(-1)
    picked = flat[:: max(1, flat.size // SAMPLE)][:SAMPLE]
    np.multiply(picked, scale, out=rows[layer, : picked.size], casting="unsafe")


def _bin(values: np.ndarray, rows: np.ndarray, edges: np.ndarray, depth: int) -> np.ndarray:
    """Count ``values`` per row into the uniform ``edges`` (values on the last edge go to the last bin)."""
    per_unit = values.dtype.type(BINS / (edges[-1] - edges[0]))
    index = (values * per_unit - values.dtype.type(edges[0] * per_unit)).astype(np.int32)  # no overflow: |·| ≲ BINS
    np.minimum(index, BINS - 1, out=index)
    np.maximum(index, 0, out=index)
    index += rows * BINS
    return np.bincount(index, minlength=depth * BINS).reshape(depth, BINS)


def build(samples: np.ndarray) -> LayerHistograms:
    """Bin each row of ``samples`` (NaN = no value) with edges shared by all rows."""
    depth = samples.shape[0]
    flat = samples.reshape(-1)
    present = ~np.isnan(flat)
    total = np.count_nonzero(present.reshape(depth, -1), axis=1)
    values = flat[present]
    rows = np.repeat(np.arange(depth, dtype=np.int32), samples.shape[1])[present]

    reach = float(np.max(np.abs(values))) if values.size else 1.0
    edges = np.linspace(-reach, reach, BINS + 1) if reach > 0 else np.linspace(-1, 1, BINS + 1)

    nonzero = values != 0
    magnitudes = np.log10(np.abs(values[nonzero]))
    low, high = (np.floor(magnitudes.min()), np.ceil(magnitudes.max())) if magnitudes.size else (-1.0, 1.0)
    log_edges = np.linspace(low, max(high, low + 1), BINS + 1)

    return LayerHistograms(
        edges=edges,
        counts=_bin(values, rows, edges, depth),
        log_edges=log_edges,
        log_counts=_bin(magnitudes, rows[nonzero], log_edges, depth),
        zeros=np.bincount(rows[~nonzero], minlength=depth),
        total=total,
    )
