"""A process-wide store of results worth keeping: least recently used first out, bounded in bytes.

A value holds numpy arrays, and several values may be views of one block of memory (the noise bank draws a
group of layers into one block): the bytes counted are those of the distinct blocks that kept values live in,
each once. A block larger than the whole budget is never kept.

Values are shared by every caller of the process, so they are read-only once stored. ``computing(key)`` is a
lock for the work that makes a value: a second caller asking for the same key at the same moment waits and
finds the value stored, instead of computing it again (a class opening one link computes it once). The locks
are a fixed set shared by all keys, so they cost no memory per key; two keys that share one only wait for
each other.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable

import numpy as np

STRIPES = 64  # locks for computing values: two of the two compute threads' keys share one with odds 1/64


class ByteLRU:
    """An LRU of values, each holding numpy arrays, bounded by ``max_bytes`` of distinct memory blocks."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._blocks: dict[Hashable, list[np.ndarray]] = {}  # key → the blocks its value lives in
        self._holders: dict[int, int] = {}  # id(block) → entries kept that live in it
        self._bytes = 0
        self._lock = threading.Lock()
        self._stripes = [threading.Lock() for _ in range(STRIPES)]

    @property
    def nbytes(self) -> int:
        """Bytes of the distinct blocks the kept values live in: never more than ``max_bytes``."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def computing(self, key: Hashable) -> threading.Lock:
        """The lock to hold while computing the value of ``key`` (see the module docstring)."""
        return self._stripes[hash(key) % STRIPES]

    def get(self, key: Hashable):
        """The value kept for ``key`` (now the most recently used), or None."""
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def fetch(self, key: Hashable, compute: Callable[[], object], arrays: Callable[[object], Iterable[np.ndarray]]):
        """The value of ``key``: the one kept, or ``compute()`` (once, however many ask at once), then kept."""
        value = self.get(key)
        if value is None:
            with self.computing(key):
                value = self.get(key)
                if value is None:
                    value = compute()
                    self.put(key, value, arrays(value))
        return value

    def put(self, key: Hashable, value, arrays: Iterable[np.ndarray]) -> None:
        """Keep ``value``, whose memory is that of ``arrays`` (read-only from now on: every caller shares them);
        evict the least recently used beyond the budget."""
        arrays = list(arrays)
        for array in arrays:
            array.flags.writeable = False
        blocks = list({id(block): block for block in map(_block_of, arrays)}.values())
        if sum(block.nbytes for block in blocks) > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = value
            self._blocks[key] = blocks
            for block in blocks:
                self._hold(block, +1)
            while self._bytes > self.max_bytes:
                self._release(self._entries.popitem(last=False)[0])

    def replace(self, key: Hashable, value, arrays: Iterable[np.ndarray]) -> None:
        """``put``, in place of the value kept for ``key`` if there is one."""
        with self._lock:
            if self._entries.pop(key, None) is not None:
                self._release(key)
        self.put(key, value, arrays)

    def _release(self, key: Hashable) -> None:
        """Stop counting the blocks that ``key``'s value, just taken out, lives in (the lock is held)."""
        for block in self._blocks.pop(key):
            self._hold(block, -1)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._blocks.clear()
            self._holders.clear()
            self._bytes = 0

    def _hold(self, block: np.ndarray, change: int) -> None:
        held = self._holders.get(id(block), 0) + change  # a held block is alive, so its id is its own
        if held:
            self._holders[id(block)] = held
        else:
            del self._holders[id(block)]
        if held == 1 and change > 0:
            self._bytes += block.nbytes
        elif held == 0:
            self._bytes -= block.nbytes


def _block_of(array: np.ndarray) -> np.ndarray:
    """The array that owns ``array``'s memory."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array
