"""Where the server runs engine computations: a few long-lived threads, with BLAS on one thread each.

Two lanes, so that a slider move never waits behind someone else's training:

* **Views** (``run``, ``submit``): what a page draws before it answers, such as a simulation. At most ``SLOTS``
  run at once; the others wait their turn. The engine already uses every core for one computation's draws,
  and the limit keeps thirty students who all pick the largest network from needing thirty times its
  working memory at once.
* **Background** (``in_background``): jobs a page polls while it stays readable, such as the Training lab's
  runs (``ui.jobs``), each small in memory by its work budget. They run on ``SLOTS`` threads of their own at a
  lower CPU priority (nice ``BACKGROUND_NICENESS``), and while any view is queued or running only one of them
  starts at a time (``_Traffic``), so that a class's views come first.

  Measured with ``benchmarks/load.py`` (30 sessions, 3 in 10 on the Training lab): with one lane for both, a
  Signal propagation change waited up to 10 s behind queued training runs (p95 9.1 s against 0.8 s for the
  lab's own changes). With the lanes apart, four runs of each in turn gave a class p95 of 2.62 s (median) with
  one background thread, 2.93 s with two, and 2.56 s with two that take turns while views wait (this design);
  and one background thread took 3.0 s instead of 1.7 s for a learner's five lab runs at 30 × 128.

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

import contextlib
import functools
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor

import initcore
from initcore.noise import WORKERS as CORES  # the cores this process may use, as the engine counts them
from ui import blas

SLOTS = max(1, min(2, CORES))

BACKGROUND_NICENESS = 10  # the kernel gives a thread of nice 10 about a tenth of a core's time against one of 0

_THREAD_NAME = "initlab-compute"  # the prefix of both lanes' threads
_pool = ThreadPoolExecutor(max_workers=SLOTS, thread_name_prefix=_THREAD_NAME)


def _lower_priority() -> None:
    """Make the calling thread nicer: on Linux, nice is a thread's own (``setpriority`` of its thread id)."""
    with contextlib.suppress(AttributeError, OSError):  # elsewhere the lane keeps the process's priority
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICENESS)


_background = ThreadPoolExecutor(max_workers=SLOTS, thread_name_prefix=f"{_THREAD_NAME}-background",
                                 initializer=_lower_priority)
blas.set_threads(1)


class _Traffic:
    """How many views are queued or running, and how many background jobs run. A background job starts when it
    would run alone, or when no view waits: a learner alone gets every core for the lab's runs, a class's
    slider moves share the cores with one of them at most."""

    def __init__(self) -> None:
        self.views = 0
        self.background = 0
        self._changed = threading.Condition()

    def view(self, compute, args, kwargs) -> Future:
        with self._changed:
            self.views += 1
        future = _pool.submit(compute, *args, **kwargs)
        future.add_done_callback(self._view_done)
        return future

    def _view_done(self, _: Future) -> None:
        with self._changed:
            self.views -= 1
            self._changed.notify_all()

    def background_job(self, compute, args, kwargs):
        """``compute(*args, **kwargs)`` on a background thread, once it may start."""
        with self._changed:
            self._changed.wait_for(lambda: not self.background or not self.views)
            self.background += 1
        try:
            return compute(*args, **kwargs)
        finally:
            with self._changed:
                self.background -= 1
                self._changed.notify_all()


_traffic = _Traffic()


def run(compute, /, *args, **kwargs):
    """``compute(*args, **kwargs)`` on one of the compute threads; its result, or its exception.

    Called from a compute thread, it runs there and then (waiting for a free thread could wait forever).
    """
    if threading.current_thread().name.startswith(_THREAD_NAME):
        return compute(*args, **kwargs)
    return _traffic.view(compute, args, kwargs).result()


def submit(compute, /, *args, **kwargs) -> Future:
    """``compute(*args, **kwargs)`` started on the view lane's threads; its future, to wait for."""
    return _traffic.view(compute, args, kwargs)


def in_background(compute, /, *args, **kwargs) -> Future:
    """``compute(*args, **kwargs)`` queued on the background lane; its future, to poll."""
    return _background.submit(_traffic.background_job, compute, args, kwargs)


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
