"""Reproducible, parallel, reusable random draws for the simulation.

Every draw comes from its own stream, ``SeedSequence(seed, spawn_key=(purpose, layer))``:

* the same seed gives the same numbers on any machine and with any number of cores: each layer has its
  own stream, whichever thread fills it;
* layer l's weights do not depend on the depth, so a 20-layer network is the first 20 layers of the
  50-layer one with the same seed;
* the base matrix depends on the *noise* only (normal, uniform, …), not on the scheme: Xavier-normal,
  He-normal and N(0, 0.01²) all scale the same standard-normal draw.

numpy releases the GIL while it fills an array, so a group of layers is drawn on all cores at once. Base
matrices are kept in a process-wide LRU bounded by ``NOISE_CACHE_BYTES``: switching the scheme, or the
backward pass revisiting a layer, reuses a draw instead of making it again; what does not fit is
redrawn (bit-identical) from its stream.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from initcore.schemes import NOISES, draw_base

WORKERS = os.cpu_count() or 1
NOISE_CACHE_BYTES = 96 * 2**20
GROUP_BYTES = 32 * 2**20  # draw this much at a time
_PURPOSES = {name: i for i, name in enumerate(("input", "upstream", *NOISES))}


def stream(seed: int, purpose: str, *index: int) -> np.random.Generator:
    """The generator for one independent stream of ``seed``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(_PURPOSES[purpose], *index))))


@dataclass(frozen=True)
class BaseDraw:
    """A unit base matrix (read-only: it is shared) and the standard deviation of its entries."""

    matrix: np.ndarray
    std: float


def _summarize(matrix: np.ndarray) -> BaseDraw:
    flat = matrix.reshape(-1)
    mean = float(flat.sum(dtype=np.float64)) / flat.size
    mean_square = float(np.dot(flat, flat)) / flat.size  # entries are O(1): no float32 overflow
    matrix.flags.writeable = False
    return BaseDraw(matrix, float(np.sqrt(max(mean_square - mean * mean, 0.0))))


class NoiseBank:
    """Draws base matrices on all cores and keeps recent ones in an LRU bounded in bytes."""

    def __init__(self, max_bytes: int = NOISE_CACHE_BYTES):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, BaseDraw] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def bases(self, seed: int, noise: str, layers: list[int], shape: tuple[int, int], dtype, pool) -> list[BaseDraw]:
        """The base matrices of ``layers``: cached ones reused, the rest drawn together on all cores.

        Drawing a group at once (rather than between matmuls) keeps the BLAS threads, which spin for
        a while after each matmul, from competing with the draws for the cores.
        """
        keys = [(seed, noise, layer, shape, np.dtype(dtype).str) for layer in layers]
        with self._lock:
            found = [self._entries.get(key) for key in keys]
            for key, draw in zip(keys, found):
                if draw is not None:
                    self._entries.move_to_end(key)
        missing = [i for i, draw in enumerate(found) if draw is None]
        drawn = self._draw(seed, noise, [layers[i] for i in missing], shape, dtype, pool)
        for i, matrix in zip(missing, drawn):
            found[i] = _summarize(matrix)
            self._remember(keys[i], found[i])
        return found

    def _draw(self, seed, noise, layers, shape, dtype, pool) -> list[np.ndarray]:
        outs = [np.empty(shape, dtype=dtype) for _ in layers]

        def fill(share) -> None:
            for layer, out in share:
                draw_base(noise, out, stream(seed, noise, layer))

        jobs = list(zip(layers, outs))
        list(pool.map(fill, [jobs[w::WORKERS] for w in range(WORKERS)]))
        return outs

    def _remember(self, key, draw: BaseDraw) -> None:
        size = draw.matrix.nbytes
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = draw
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.matrix.nbytes


NOISE_BANK = NoiseBank()


def thread_pool() -> ThreadPoolExecutor:
    """A pool with one thread per core, for drawing layers in parallel."""
    return ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="initcore-draw")


def gaussian(seed: int, purpose: str, shape: tuple[int, int], dtype) -> np.ndarray:
    """A standard-normal matrix from its own stream (the network's input or upstream gradient)."""
    return stream(seed, purpose).standard_normal(shape, dtype=dtype)
