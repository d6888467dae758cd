"""A snapshot's histograms in a few passes: what ``histograms.build`` makes of ``sample_rows`` + ``record``, for
layers whose sampled values are all finite, computed on the sampled values alone (no NaN padding), without
masked reductions, and with both binnings of every layer counted by one ``np.bincount``. The arithmetic of each
binned value is ``histograms._bin``'s, in the same float32 steps, so the counts are the same to the last one; a
set of layers with a value that is not finite goes through ``build``."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from initcore.histograms import BINS, SAMPLE, LayerHistograms, build, log_magnitudes, sample_rows, stride


def sampled(x: np.ndarray, sample: int) -> np.ndarray:
    """The values ``record`` keeps of a 2-D ``x`` in a row of ``sample`` values: an evenly strided subset of at
    most ``sample`` of its values in row-major order (``stride``), as float32 (read straight from the transpose's
    memory when that is the contiguous one). Of a stack of 2-D arrays (..., rows, columns), each one's, in one
    pick: (..., at most ``sample``)."""
    rows, columns = x.shape[-2:]
    lead, itemsize = x.shape[:-2], x.itemsize
    if x.strides[-1] == itemsize or x.strides[-2] != itemsize:  # rows laid out in memory, or neither way
        flat = x.reshape(*lead, rows * columns)
        return flat[..., :: stride(rows * columns, sample, columns)][..., :sample].astype(np.float32)
    return x.mT.reshape(*lead, rows * columns)[..., _transposed_picks(rows, columns, sample)].astype(np.float32)


@functools.lru_cache(maxsize=16)
def _transposed_picks(rows: int, columns: int, sample: int) -> np.ndarray:
    """Where ``record``'s picks of a rows × columns array lie in the row-major memory of its transpose."""
    picks = np.arange(0, rows * columns, stride(rows * columns, sample, columns))[:sample]
    row, column = np.divmod(picks, columns)
    return column * rows + row


@dataclass(frozen=True)
class LayerSamples:
    """The values ``record`` keeps of each of a list of layers: ``values``, every layer's end to end (float32), and
    ``sizes``, how many of them each layer has (at most ``sample``)."""

    values: np.ndarray
    sizes: np.ndarray
    sample: int

    def rows(self) -> np.ndarray:
        """The rows ``sample_rows`` + ``record`` would hold: each layer's values, NaN after them."""
        rows = sample_rows(len(self.sizes), self.sample)
        for layer, (start, size) in enumerate(zip(np.cumsum(self.sizes) - self.sizes, self.sizes)):
            rows[layer, :size] = self.values[start : start + size]
        return rows


def layer_samples(layers: list[np.ndarray], sample: int = SAMPLE) -> LayerSamples:
    """What ``record`` keeps of each of the 2-D ``layers`` in a row of ``sample`` values (``sampled``)."""
    with np.errstate(all="ignore"):  # a float64 value past float32's range becomes inf, as in ``record``
        parts = [sampled(x, sample) for x in layers]
    return LayerSamples(np.concatenate(parts), np.array([part.size for part in parts]), sample)


def stacked_layer_samples(stacks: list[np.ndarray], sample: int = SAMPLE) -> list[LayerSamples]:
    """``layer_samples`` of each of a stack of networks, whose layers come as ``stacks`` of layers of one shape,
    (networks, layers, rows, columns) each, in their order: each stack picked from in one call (``sampled``)."""
    with np.errstate(all="ignore"):  # as in ``layer_samples``
        picks = [sampled(stack, sample) for stack in stacks]  # (networks, layers, at most ``sample``) each
    sizes = np.concatenate([np.full(part.shape[1], part.shape[2]) for part in picks])
    values = np.concatenate([part.reshape(len(part), -1) for part in picks], axis=1)
    return [LayerSamples(row, sizes, sample) for row in values]


CHUNK_VALUES = 2**16  # values binned in one pass: their temporaries (20 bytes a value) fit a core's L2 (1 MB here)


def histograms(batch: list[LayerSamples]) -> list[LayerHistograms]:
    """``build`` of each ``LayerSamples``' rows, every one with edges of its own, binned together: one pass over
    the values of as many sets as ``CHUNK_VALUES`` holds, and one ``np.bincount`` (a dozen snapshots of a small
    network in one). Each binned value goes through ``positions``' float32 steps with its own set's scale, so
    the counts are ``build``'s to the last one; a set with a value that is not finite, or a range so narrow that
    its scale overflows float32, goes through ``build`` itself."""
    results, chunk, held = [], [], 0
    for samples in batch:
        if chunk and held + samples.values.size > CHUNK_VALUES:
            results += _histograms(chunk)
            chunk, held = [], 0
        chunk.append(samples)
        held += samples.values.size
    return results + (_histograms(chunk) if chunk else [])


def _histograms(batch: list[LayerSamples]) -> list[LayerHistograms]:
    """``histograms`` of sets binned in one pass."""
    results: list[LayerHistograms | None] = [None] * len(batch)
    with np.errstate(all="ignore"):
        sizes = np.array([samples.values.size for samples in batch], dtype=np.intp)
        values = np.concatenate([samples.values for samples in batch]) if batch else np.zeros(0, np.float32)
        starts = np.cumsum(sizes) - sizes
        whole = sizes > 0
        finite = np.zeros(len(batch), dtype=bool)
        finite[whole] = np.logical_and.reduceat(np.isfinite(values), starts[whole])
        magnitudes = np.abs(values)
        logs = log_magnitudes(magnitudes)  # exact zeros far below every other: counted apart below
        scales = _Scales.of(magnitudes, logs, starts, whole)
        together = finite & scales.fit
        for i in np.flatnonzero(~together):
            results[i] = build(batch[i].rows())
        if together.all():
            _bin_together(batch, values, logs, scales, range(len(batch)), results)
        elif together.any():
            picked = np.repeat(together, sizes)
            _bin_together([batch[i] for i in np.flatnonzero(together)], values[picked], logs[picked],
                          scales.subset(together), np.flatnonzero(together), results)
    return results


@dataclass(frozen=True)
class _Scales:
    """Each set's edges for x and for log10|x|, as ``build`` sets them, and ``positions``' float32 scale and offset
    for them: x from -R to R, R the largest |x| (±1 if all are 0); log10|x| from the floor of the least nonzero
    one's to the ceiling of the largest (at least one decade; -1 to 1 if all are 0). A set of subnormals has a
    scale float32 cannot hold (``fit``)."""

    edges: np.ndarray
    scale: np.ndarray
    offset: np.ndarray
    log_edges: np.ndarray
    log_scale: np.ndarray
    log_offset: np.ndarray

    @classmethod
    def of(cls, magnitudes: np.ndarray, logs: np.ndarray, starts: np.ndarray, whole: np.ndarray) -> _Scales:
        """The scales of the sets that start at ``starts`` in ``magnitudes`` (|x|) and ``logs`` (log10|x|);
        ``whole``: the sets that have any value."""
        count = len(starts)
        reach, low, high = np.zeros(count), np.full(count, -1.0), np.ones(count)
        if whole.any():
            at = starts[whole]
            reach[whole] = np.maximum.reduceat(magnitudes, at)
            bits = magnitudes.view(np.uint32) - np.uint32(1)  # the least nonzero |x| has the least (0 wraps round)
            least = (np.minimum.reduceat(bits, at) + np.uint32(1)).view(np.float32)
            seen, some = whole & (reach > 0), reach[whole] > 0
            low[seen] = np.floor(np.log10(least[some]).astype(np.float64))
            high[seen] = np.ceil(np.maximum.reduceat(logs, at)[some].astype(np.float64))
        reach[reach == 0] = 1.0  # ±1, as ``build`` draws a set of zeros
        return cls(*_uniform(-reach, reach), *_uniform(low, np.maximum(high, low + 1)))

    @property
    def fit(self) -> np.ndarray:
        return np.isfinite(self.scale) & np.isfinite(self.log_scale)

    def subset(self, kept: np.ndarray) -> _Scales:
        return _Scales(**{name: getattr(self, name)[kept] for name in self.__dataclass_fields__})


def _uniform(start: np.ndarray, stop: np.ndarray):
    """Per row, ``np.linspace(start, stop, BINS + 1)`` and ``positions``' scale BINS/(stop - start) and offset
    start·scale, both rounded to float32 as ``positions`` rounds them (the scale inf where float32 cannot hold it)."""
    edges = np.linspace(start, stop, BINS + 1, axis=-1)
    scale = (BINS / (edges[:, -1] - edges[:, 0])).astype(np.float32)
    return edges, scale, (edges[:, 0] * scale.astype(np.float64)).astype(np.float32)


def _bin_together(batch, values, logs, scales: _Scales, where, results) -> None:
    """``histograms`` of sets whose values are all finite (``values``, end to end, with their ``logs``, as
    ``log_magnitudes`` takes them), into ``results`` at ``where``."""
    sizes = [samples.values.size for samples in batch]
    layers = [len(samples.sizes) for samples in batch]
    total = sum(layers)
    layer_of = np.repeat(np.arange(total), np.concatenate([samples.sizes for samples in batch]))
    index = np.empty(2 * values.size, dtype=np.intp)  # bin in x, then the layer's zeros or bin in log10|x|
    np.add(layer_of * BINS, _positions(values, scales.scale, scales.offset, sizes), out=index[: values.size])
    # A zero's log10 is ZERO_LOG, far below its layer's least edge: clipped to position -1, the slot before its
    # layer's first bin, where the zeros are counted. Any other value's position lies above -1 (its log10 is at
    # least the least edge, give or take float32's rounding), and truncates into the bins as in ``positions``.
    np.add(layer_of * (BINS + 1) + (total * BINS + 1),
           _positions(logs, scales.log_scale, scales.log_offset, sizes, lowest=-1), out=index[values.size :])
    counts = np.bincount(index, minlength=total * (2 * BINS + 1))
    plain, logged = counts[: total * BINS].reshape(total, BINS), counts[total * BINS :].reshape(total, BINS + 1)
    first = 0
    for k, (samples, i, depth) in enumerate(zip(batch, where, layers)):
        rows = slice(first, first + depth)
        results[i] = LayerHistograms(edges=scales.edges[k], counts=plain[rows], log_edges=scales.log_edges[k],
                                     log_counts=logged[rows, 1:], zeros=logged[rows, 0], total=samples.sizes)
        first += depth


def _positions(values: np.ndarray, scale: np.ndarray, offset: np.ndarray, sizes: list[int],
               lowest: int = 0) -> np.ndarray:
    """``positions`` of each set's values (``sizes`` of them, end to end) in its own edges: x·scale - offset in
    float32, clipped to ``lowest`` … BINS - 1 and truncated (towards 0: a position in (-1, 0) is bin 0)."""
    position = values * np.repeat(scale, sizes)
    position -= np.repeat(offset, sizes)
    np.clip(position, lowest, BINS - 1, out=position)
    return position.astype(np.int32)
