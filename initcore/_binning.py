"""A snapshot's histograms in a few passes: what ``histograms.build`` makes of ``sample_rows`` + ``record``, for
layers whose sampled values are all finite, computed on the sampled values alone (no NaN padding), without
masked reductions, and with both binnings of every layer counted by one ``np.bincount``. The arithmetic of each
binned value is ``histograms._bin``'s, in the same float32 steps, so the counts are the same to the last one; a
set of layers with a value that is not finite goes through ``build``."""

from __future__ import annotations

import functools

import numpy as np

from initcore.histograms import BINS, SAMPLE, LayerHistograms, build, positions, record, sample_rows


def sampled(x: np.ndarray, sample: int) -> np.ndarray:
    """The values ``record`` keeps of a 2-D ``x`` in a row of ``sample`` values: an evenly strided subset of at
    most ``sample`` of its values in row-major order, as float32 (read straight from the transpose's memory when
    that is the contiguous one)."""
    if x.flags.c_contiguous or not x.T.flags.c_contiguous:
        flat = x.reshape(-1)
        return flat[:: max(1, flat.size // sample)][:sample].astype(np.float32)
    return x.T.reshape(-1)[_transposed_picks(*x.shape, sample)].astype(np.float32)


@functools.lru_cache(maxsize=16)
def _transposed_picks(rows: int, columns: int, sample: int) -> np.ndarray:
    """Where ``record``'s picks of a rows × columns array lie in the row-major memory of its transpose."""
    picks = np.arange(0, rows * columns, max(1, rows * columns // sample))[:sample]
    row, column = np.divmod(picks, columns)
    return column * rows + row


def layer_histograms(layers: list[np.ndarray], sample: int = SAMPLE) -> LayerHistograms:
    """``build`` of the rows of ``sample`` values ``record`` makes of the 2-D ``layers``, one row per layer."""
    depth = len(layers)
    with np.errstate(all="ignore"):
        parts = [sampled(x, sample) for x in layers]
        values = np.concatenate(parts)
        sizes = np.array([part.size for part in parts])
        if not np.isfinite(values).all():
            rows = sample_rows(depth, sample)
            for layer, x in enumerate(layers):
                record(rows, layer, x)
            return build(rows)
        magnitudes = np.abs(values)
        reach = float(magnitudes.max(initial=0.0))
        edges = np.linspace(-reach, reach, BINS + 1) if reach > 0 else np.linspace(-1, 1, BINS + 1)
        logs = np.log10(magnitudes)  # exact zeros give -inf: counted apart below
        zero = magnitudes == 0
        smallest = np.argmin(magnitudes.view(np.uint32) - np.uint32(1))  # the least nonzero |x| (0 wraps to the top)
        low, high = (np.floor(float(logs[smallest])), np.ceil(float(logs.max()))) if reach > 0 else (-1.0, 1.0)
        log_edges = np.linspace(low, max(high, low + 1), BINS + 1)  # log10 rises with |x|: its min is at `smallest`
        layer_start = np.repeat(np.arange(depth), sizes)
        index = np.empty(2 * values.size, dtype=np.intp)  # bin in x, then bin in log10|x| or the layer's zeros
        np.add(layer_start * BINS, positions(values, edges), out=index[: values.size])
        log_index = np.add(layer_start * (BINS + 1) + depth * BINS, positions(logs, log_edges),
                           out=index[values.size :])
        log_index += zero * BINS  # a zero's log10 is -inf, in bin 0 so far: to its layer's last, (BINS + 1)th, bin
        counts = np.bincount(index, minlength=depth * (2 * BINS + 1))
    log_counts = counts[depth * BINS :].reshape(depth, BINS + 1)
    return LayerHistograms(edges=edges, counts=counts[: depth * BINS].reshape(depth, BINS), log_edges=log_edges,
                           log_counts=log_counts[:, :BINS], zeros=log_counts[:, BINS], total=sizes)
