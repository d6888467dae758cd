"""Where the server runs engine computations: a few long-lived threads, with BLAS on one thread each.

At most ``SLOTS`` computations run at once; the others wait their turn. The engine already uses every
core for one computation's draws, and the limit keeps thirty students who all pick the largest network from
needing thirty times its working memory at once.

Two facts of the small machines the app is served from, measured with ``benchmarks/bench_browser.py``:

* Streamlit runs each rerun of a page in a new thread. The C allocator keeps the memory a computation
  frees for the thread that freed it, so on a new thread every slider move faulted the simulation's
  buffers in afresh (about 2,300 page faults, 25 ms, at the default 50 × 256 network). The same
  threads, kept for the life of the process, reuse that memory.
* OpenBLAS's threads work in lockstep: when anything else wants a core (the other compute slot, the server
  sending a page, a browser on the same machine) each product waits for its slowest thread, and its idle
  threads spin for about 0.1 s after every product, taking a core from whatever runs next. With both cores
  busy, a fresh 60-layer, 512-wide simulation took 3.8 to 5.2 s with two BLAS threads and 0.6 s with one.
  Nor does a lone wide computation gain from a second thread at the batch the page asks for (at most 128
  inputs at width 512 and more): a 64 × 1024 by 1024 × 1024 product took 1.7 to 2.1 ms on one thread and
  3.1 to 3.2 ms on two. So BLAS runs on one thread in this process, and the cores go to the compute slots.
"""

from __future__ import annotations

import functools
import threading
from concurrent.futures import Future, ThreadPoolExecutor

import initcore
from initcore.noise import WORKERS as CORES  # the cores this process may use, as the engine counts them
from ui import blas

SLOTS = max(1, min(2, CORES))

_THREAD_NAME = "initlab-compute"
_pool = ThreadPoolExecutor(max_workers=SLOTS, thread_name_prefix=_THREAD_NAME)
blas.set_threads(1)


def run(compute, /, *args, **kwargs):
    """``compute(*args, **kwargs)`` on one of the compute threads; its result, or its exception.

    Called from a compute thread, it runs there and then (waiting for a free thread could wait forever).
    """
    if threading.current_thread().name.startswith(_THREAD_NAME):
        return compute(*args, **kwargs)
    return _pool.submit(compute, *args, **kwargs).result()


def submit(compute, /, *args, **kwargs) -> Future:
    """``compute(*args, **kwargs)`` started on the compute threads; its future, to wait for or poll."""
    return _pool.submit(compute, *args, **kwargs)


def on_compute_threads(compute):
    """Decorator: every call of ``compute`` runs on the compute threads."""

    @functools.wraps(compute)
    def wrapped(*args, **kwargs):
        return run(compute, *args, **kwargs)

    return wrapped


def simulate(**settings):
    """``initcore.simulate(**settings)`` as the server runs it: on the compute threads."""
    return run(initcore.simulate, **settings)


def simulate_many(**settings):
    """``initcore.simulate_many(**settings)`` as the server runs it: on the compute threads."""
    return run(initcore.simulate_many, **settings)
