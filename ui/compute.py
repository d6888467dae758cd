"""Where the server runs engine computations: a few long-lived threads, with BLAS threads chosen per run.

At most ``SLOTS`` computations run at once; the others wait their turn. The engine already uses every
core for one computation, and the limit keeps thirty students who all pick the largest network (about
225 MB each while it runs) from needing thirty times the memory at once.

Two facts of the small machines the app is served from, measured with ``benchmarks/bench_browser.py``:

* Streamlit runs each rerun of a page in a new thread. The C allocator keeps the memory a computation
  frees for the thread that freed it, so on a new thread every slider move faulted the simulation's
  buffers in afresh (about 2,300 page faults, 25 ms, at the default 50 × 256 network). The same
  threads, kept for the life of the process, reuse that memory.
* OpenBLAS's worker threads spin for about 0.1 s after each multi-threaded matmul, waiting for the
  next. On a server that is a core taken from the next student's computation (or, in the benchmark,
  from the browser drawing the result). Below width ``WIDE`` a second thread saves only about 15 ms of
  the default simulation (36 against about 50 ms) and then spins for 100, so BLAS runs single-threaded
  unless one wide computation has the machine to itself.
"""

from __future__ import annotations

import functools
import threading
from concurrent.futures import Future, ThreadPoolExecutor

import initcore
from initcore.noise import WORKERS as CORES  # the cores this process may use, as the engine counts them
from ui import blas

SLOTS = max(1, min(2, CORES))
WIDE = 512  # matmuls of this width and more use every core when nothing else runs

_THREAD_NAME = "initlab-compute"
_pool = ThreadPoolExecutor(max_workers=SLOTS, thread_name_prefix=_THREAD_NAME)
_lock = threading.Lock()
_running: list[bool] = []  # for each computation in progress: is it wide?


def _rebalance() -> None:
    """Give BLAS every core only while a single wide computation runs (call with ``_lock`` held)."""
    blas.set_threads(CORES if _running == [True] else 1)


def _run_here(compute, wide: bool, args, kwargs):
    with _lock:
        _running.append(wide)
        _rebalance()
    try:
        return compute(*args, **kwargs)
    finally:
        with _lock:
            _running.remove(wide)
            _rebalance()


def run(compute, /, *args, wide: bool = False, **kwargs):
    """``compute(*args, **kwargs)`` on one of the compute threads; its result, or its exception.

    Called from a compute thread, it runs there and then (waiting for a free thread could wait forever).
    """
    if threading.current_thread().name.startswith(_THREAD_NAME):
        return compute(*args, **kwargs)
    return _pool.submit(_run_here, compute, wide, args, kwargs).result()


def submit(compute, /, *args, **kwargs) -> Future:
    """``compute(*args, **kwargs)`` started on the compute threads; its future, to wait for or poll."""
    return _pool.submit(_run_here, compute, False, args, kwargs)


def on_compute_threads(compute):
    """Decorator: every call of ``compute`` runs on the compute threads (never as a wide computation)."""

    @functools.wraps(compute)
    def wrapped(*args, **kwargs):
        return run(compute, *args, **kwargs)

    return wrapped


def simulate(**settings):
    """``initcore.simulate(**settings)`` as the server runs it: on the compute threads, a wide network (width
    ``WIDE`` and more) as a wide computation."""
    return run(initcore.simulate, wide=settings["width"] >= WIDE, **settings)


def simulate_many(**settings):
    """``initcore.simulate_many(**settings)`` as the server runs it (see ``simulate``)."""
    return run(initcore.simulate_many, wide=settings["width"] >= WIDE, **settings)
