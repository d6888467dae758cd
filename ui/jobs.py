"""Computations the page does not wait for: started on the compute threads' background lane, shared, polled.

A page starts a job (``start``) and waits for it at most ``PATIENCE`` seconds (``wait``). What takes longer
goes on while the page draws what is ready and a progress bar, and polls every ``POLL`` seconds: the page
stays readable instead of greying for the whole computation. Jobs are keyed by what they compute, so a
classroom on the same settings shares one; the last ``KEPT`` finished ones are kept for whoever asks next.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import Future
from concurrent.futures import wait as wait_for

from ui import compute

PATIENCE = 0.3  # seconds a page waits for its jobs before it draws a progress bar instead
POLL = 0.3  # seconds between two looks at jobs still running
KEPT = 32  # finished jobs kept (a lab run with its film: up to about 2.5 MB)

_jobs: OrderedDict[Hashable, Future] = OrderedDict()
_lock = threading.Lock()


def start(key: Hashable, job: Callable, /, *args) -> Future:
    """The job ``key``: the one already running or done, else ``job(*args)`` started now. A job that failed is
    started again (its error may have been the machine's, not the settings')."""
    with _lock:
        future = _jobs.get(key)
        if future is None or (future.done() and future.exception() is not None):
            future = _jobs[key] = compute.in_background(job, *args)
        _jobs.move_to_end(key)
        done = [k for k, f in _jobs.items() if f.done()]
        for old in done[: max(len(done) - KEPT, 0)]:
            del _jobs[old]
    return future


def wait(futures: Iterable[Future], patience: float | None = None) -> bool:
    """Wait for ``futures`` at most ``patience`` seconds (``PATIENCE``); whether all are done."""
    _, running = wait_for(list(futures), timeout=PATIENCE if patience is None else patience)
    return not running
