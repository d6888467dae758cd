"""How many threads the BLAS library behind numpy may use, changed while the process runs.

numpy has no call for this, so we ask the library itself, as threadpoolctl does: on Linux we find the
OpenBLAS that numpy loaded (numpy's wheels bundle one, as ``scipy_openblas``) among the process's mapped
files and call its ``openblas_set_num_threads``. With any other BLAS, or on another system, ``threads()``
is ``None`` and ``set_threads`` does nothing: the app is only slower on a busy server, never wrong.
"""

from __future__ import annotations

import ctypes
import functools
from pathlib import Path

# (setter, getter) pairs, by the names OpenBLAS builds export (numpy's bundled one first).
_SYMBOLS = (("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
            ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
            ("openblas_set_num_threads", "openblas_get_num_threads"))


@functools.cache
def _openblas() -> tuple | None:
    """(set, get) of the OpenBLAS loaded in this process, or None."""
    import numpy  # noqa: F401  - make sure numpy, and so its BLAS, is loaded before we look

    try:
        mapped = Path("/proc/self/maps").read_text().splitlines()
    except OSError:
        return None
    paths = dict.fromkeys(line.split()[-1] for line in mapped if "openblas" in line.rsplit("/", 1)[-1].lower())
    for path in paths:
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for setter, getter in _SYMBOLS:
            if hasattr(library, setter) and hasattr(library, getter):
                set_threads, get_threads = getattr(library, setter), getattr(library, getter)
                set_threads.argtypes, set_threads.restype = [ctypes.c_int], None
                get_threads.argtypes, get_threads.restype = [], ctypes.c_int
                return set_threads, get_threads
    return None


def threads() -> int | None:
    """The number of threads BLAS will use for its next call (None: a BLAS we cannot control)."""
    found = _openblas()
    return found[1]() if found else None


def set_threads(count: int) -> None:
    """Let BLAS use ``count`` threads from its next call on, for the whole process."""
    found = _openblas()
    if found:
        found[0](count)
