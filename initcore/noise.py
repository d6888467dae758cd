"""Reproducible, parallel, reusable random draws for the simulation.

Every draw comes from its own stream, ``SeedSequence(seed, spawn_key=(purpose, layer))``:

* the same seed gives the same numbers with any number of cores: each layer has its own stream,
  whichever thread fills it (and on any machine, up to the last bit of ``initcore.gaussian``'s float32
  log, sin and cos);
* layer l's weights do not depend on the depth, so a 20-layer network is the first 20 layers of the
  50-layer one with the same seed;
* the base matrix depends on the *noise* only (normal, uniform, …), not on the scheme: Xavier-normal,
  He-normal and N(0, 0.01²) all scale the same standard-normal draw.

numpy releases the GIL while it fills an array, so a group of layers is drawn on all cores at once
(``initcore.gaussian`` makes the normal draws themselves cheap). Base matrices and the networks' inputs are
kept in a process-wide LRU bounded by ``NOISE_CACHE_BYTES`` (``NOISE_BANK``), shared by every run of the
process: switching the scheme or the activation, or the backward pass revisiting a layer, reuses a draw instead
of making it again. The bank holds every draw of any one float32 network the work budget allows; a run whose
draws do not fit (float64 weights, or a smaller bank, as in a test) keeps its lowest layers there and draws the
rest (bit-identical, from their streams) into scratch matrices it reuses.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from initcore._stats import moments
from initcore.gaussian import standard_normal
from initcore.lru import ByteLRU
from initcore.schemes import NOISES, draw_base

_CORES = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []  # the cores we may use
WORKERS = len(_CORES) or os.cpu_count() or 1
NOISE_CACHE_BYTES = 404 * 2**20  # see NoiseBank
GROUP_BYTES = 64 * 2**20  # draw this much at a time
_PURPOSES = {name: i for i, name in enumerate(("input", "upstream", *NOISES, "bias"))}


def stream(seed: int, purpose: str, *index: int) -> np.random.Generator:
    """The generator for one independent stream of ``seed``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(_PURPOSES[purpose], *index))))


@dataclass(frozen=True)
class BaseDraw:
    """A unit base matrix and the standard deviation of its entries (read-only once in the bank)."""

    matrix: np.ndarray
    std: float


STDS_KEPT = 8192  # standard deviations of base draws remembered (under 2 MiB): 80 views of 100 layers
_stds: OrderedDict[tuple, float] = OrderedDict()
_stds_lock = threading.Lock()


def _summarize(key: tuple, matrix: np.ndarray) -> BaseDraw:
    """``matrix`` with the standard deviation of its entries. A layer drawn again (the backward pass above the
    bank, a scheme switch) is bit-identical, so its standard deviation, a float64 pass over the matrix, is
    remembered by the draw's key instead of taken again."""
    with _stds_lock:
        std = _stds.get(key)
    if std is None:
        std = float(np.sqrt(moments(matrix)[1]))
        with _stds_lock:
            _stds[key] = std
            if len(_stds) > STDS_KEPT:
                _stds.popitem(last=False)
    return BaseDraw(matrix, std)


def draw(seed: int, noise: str, layers: list[int], outs: list[np.ndarray], pool) -> list[BaseDraw]:
    """Fill ``outs`` with the base matrices of ``layers`` on all cores.

    The layers are dealt into a few more tasks than there are cores, so a core slowed by other work
    takes fewer of them.
    """
    drawn: list[BaseDraw | None] = [None] * len(layers)
    tasks = min(len(layers), 4 * WORKERS)

    def fill(positions) -> None:
        for i in positions:
            matrix = draw_base(noise, outs[i], stream(seed, noise, layers[i]))
            drawn[i] = _summarize((seed, noise, layers[i], matrix.shape, matrix.dtype.str), matrix)

    list(pool.map(fill, [range(task, len(layers), tasks) for task in range(tasks)]))
    return drawn


class NoiseBank(ByteLRU):
    """Draws base matrices on all cores and keeps recent ones, and the networks' inputs, in an LRU bounded in bytes.

    ``NOISE_CACHE_BYTES`` holds every draw of the largest view (100 layers of 1024 × 1024 float32 numbers,
    400 MiB) and its inputs: a switch at the same seed, depth and width draws nothing, unless it asks for another
    noise (uniform after normal weights, say), drawn once too.
    """

    def __init__(self, max_bytes: int = NOISE_CACHE_BYTES):
        super().__init__(max_bytes)

    def clear(self) -> None:
        """Forget every draw kept, and the standard deviations remembered for draws (``_summarize``)."""
        super().clear()
        with _stds_lock:
            _stds.clear()

    def bases(self, seed: int, noise: str, layers: list[int], shape: tuple[int, int], dtype, pool) -> list[BaseDraw]:
        """The base matrices of ``layers``: cached ones reused, the rest drawn together on all cores.

        Drawing a group at once (rather than between matmuls) keeps the BLAS threads, which spin for
        a while after each matmul, from competing with the draws for the cores. Two runs that ask for the same
        draws at once draw them once.
        """
        keys = [(seed, noise, layer, shape, np.dtype(dtype).str) for layer in layers]
        with self.computing((seed, noise, shape, np.dtype(dtype).str)):
            found = [self.get(key) for key in keys]
            missing = [i for i, entry in enumerate(found) if entry is None]
            outs = matrices(len(missing), shape, dtype)
            for i, entry in zip(missing, draw(seed, noise, [layers[i] for i in missing], outs, pool)):
                found[i] = entry
                self.put(keys[i], entry, [entry.matrix])
        return found

    def gaussian(self, seed: int, purpose: str, shape: tuple[int, int], dtype) -> np.ndarray:
        """``gaussian(seed, purpose, shape, dtype)``, kept (read-only) for the next run that needs it."""
        return self.fetch((seed, purpose, shape, np.dtype(dtype).str), lambda: gaussian(seed, purpose, shape, dtype),
                          lambda found: [found])


def matrices(count: int, shape: tuple[int, int], dtype) -> list[np.ndarray]:
    """``count`` uninitialized matrices carved from one block.

    Fresh memory costs a page fault per page on first touch, which is slow on a virtual machine;
    numpy backs a large block with huge pages, so filling 32 one-megabyte matrices costs about a third
    of what it costs as 32 separate arrays (measured on the 2-core test machine).
    """
    return list(np.empty((count, *shape), dtype=dtype))


NOISE_BANK = NoiseBank()


@functools.cache
def thread_pool() -> ThreadPoolExecutor:
    """The process's pool of draw threads: one per core, each pinned to its own core where the system
    allows it. Concurrent runs share it, so draws never ask for more threads than there are cores.

    Unpinned, a draw that follows a pause of a few hundred milliseconds (a slider move) ran about 2×
    slower on the 2-core virtual machine we measure on: the scheduler started both workers on the
    core that woke them and spread them out only milliseconds later.
    """
    next_core = itertools.count()

    def pin() -> None:
        if len(_CORES) > 1:
            with contextlib.suppress(OSError):  # pinning only helps; a container may refuse it
                os.sched_setaffinity(0, {_CORES[next(next_core) % len(_CORES)]})  # 0: the calling thread

    return ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="initcore-draw", initializer=pin)


def gaussian(seed: int, purpose: str, shape: tuple[int, int], dtype) -> np.ndarray:
    """A standard-normal matrix from its own stream (the network's input or upstream gradient)."""
    return standard_normal(stream(seed, purpose), np.empty(shape, dtype=dtype))
