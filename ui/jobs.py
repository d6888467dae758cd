"""Computations the page does not wait for: started on the compute threads' background lane, shared, polled.

A page starts a job (``start``) and waits for it at most ``PATIENCE`` seconds (``wait``). What takes longer
goes on while the page draws what is ready and a progress bar, and polls every ``POLL`` seconds: the page
stays readable instead of greying for the whole computation. A job may tell how far it has got (``Job.reported``)
for the page to draw in the meantime. Jobs are keyed by what they compute, so a classroom on the same settings
shares one; the last finished ones of each kind (``KEPT``) are kept for whoever asks next.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import Future
from concurrent.futures import wait as wait_for
from dataclasses import dataclass, field

from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui import compute

PATIENCE = 0.3  # seconds a page waits for its jobs before it draws a progress bar instead
POLL = 0.3  # seconds between two looks at jobs still running
GIVE_WAY = 0.05  # seconds between two looks, while a page waits, for a newer press or move of its reader
# Finished jobs kept, by kind (a key's first item): a lab run with its film takes up to about 2.5 MB, a sweep's column
# a table of a few rows. Kept apart, a class's sweeps, eight jobs a view, do not push out the runs a lab shows.
KEPT = {"lab": 32, "sweep": 64}


@dataclass(frozen=True, eq=False)
class Job:
    """A computation on the background lane: its ``future``, and what it has ``reported`` so far, in order (it is
    called with ``report=``, which appends to this list), for a page to draw while it runs."""

    future: Future
    reported: list = field(default_factory=list)

    def done(self) -> bool:
        return self.future.done()

    def result(self):
        return self.future.result()


_jobs: OrderedDict[Hashable, Job] = OrderedDict()
_lock = threading.Lock()


def start(key: tuple, job: Callable, /, *args) -> Job:
    """The job ``key`` (its kind first, one of ``KEPT``'s): the one already running or done, else
    ``job(*args, report=…)`` started now. A job that failed is started again (its error may have been the machine's,
    not the settings')."""
    with _lock:
        running = _jobs.get(key)
        if running is None or (running.done() and running.future.exception() is not None):
            reported = []
            running = _jobs[key] = Job(compute.in_background(job, *args, report=reported.append), reported)
        _jobs.move_to_end(key)
        done = [k for k, j in _jobs.items() if j.done() and k[0] == key[0]]
        for old in done[: max(len(done) - KEPT[key[0]], 0)]:
            del _jobs[old]
    return running


def wait(jobs: Iterable[Job], patience: float | None = None) -> bool:
    """Wait for ``jobs`` at most ``patience`` seconds (``PATIENCE``); whether all are done.

    Every ``GIVE_WAY`` seconds the wait gives way to a newer request of the page's reader: Streamlit's yield check
    raises to start the page again at once. (A press held until the wait ended was merged by Streamlit with the next
    press of the same button into one: three quick presses of New seed counted as two.)"""
    futures = [job.future for job in jobs]
    deadline = time.monotonic() + (PATIENCE if patience is None else patience)
    while True:
        _, running = wait_for(futures, timeout=max(min(GIVE_WAY, deadline - time.monotonic()), 0))
        if not running or time.monotonic() >= deadline:
            return not running
        give_way()


def give_way() -> None:
    """Let a newer request of the page's reader (a press, a move) end this run of the page: Streamlit raises to run
    it again. Outside a page (a notebook, a test), nothing."""
    page = get_script_run_ctx(suppress_warning=True)
    if page is not None:
        page.yield_check()
