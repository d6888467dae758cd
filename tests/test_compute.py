"""The server's compute threads: long-lived, bounded, in two lanes, and with BLAS on one thread."""

import os
import sys
import threading

import numpy as np
import pytest

from ui import blas, compute


def test_results_and_exceptions_come_back_to_the_caller():
    def refuse():
        raise ValueError("width out of range")

    assert compute.run(sum, [1, 2, 3]) == 6
    with pytest.raises(ValueError, match="width"):
        compute.run(refuse)


def test_computations_run_on_the_same_long_lived_threads():
    """A new thread per call would fault the engine's freed memory in again each time."""
    seen = {compute.run(threading.get_ident) for _ in range(20)}
    assert len(seen) <= compute.SLOTS
    assert threading.get_ident() not in seen
    assert all(compute.run(lambda: threading.current_thread().name).startswith("initlab-compute") for _ in range(3))


def test_a_computation_may_call_another():
    """With every compute thread busy, a nested call that waited for a free thread would wait forever."""
    all_busy = threading.Barrier(compute.SLOTS, timeout=5)
    answers = []

    def outer():
        all_busy.wait()
        answers.append(compute.run(threading.get_ident) == threading.get_ident())

    callers = [threading.Thread(target=compute.run, args=(outer,), daemon=True) for _ in range(compute.SLOTS)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(10)
    assert answers == [True] * compute.SLOTS


def test_no_more_than_slots_at_once():
    running, peak, lock = [0], [0], threading.Lock()
    release = threading.Event()

    def work():
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        release.wait(5)
        with lock:
            running[0] -= 1

    callers = [threading.Thread(target=compute.run, args=(work,)) for _ in range(compute.SLOTS + 3)]
    for caller in callers:
        caller.start()
    threading.Timer(0.3, release.set).start()
    for caller in callers:
        caller.join(10)
    assert peak[0] == compute.SLOTS


def test_blas_is_found_wherever_numpy_brings_openblas():
    """numpy's Linux wheels bundle OpenBLAS (the server's case): if it were not found, the server would spin
    BLAS threads after every matmul. Elsewhere (Accelerate on a Mac, say) the count is left alone."""
    built_with = np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
    assert (blas.threads() is not None) == ("openblas" in built_with and sys.platform == "linux")


def test_blas_runs_on_one_thread_even_for_the_widest_network(monkeypatch):
    """OpenBLAS's threads work in lockstep and spin after each product: with a second thread, a computation
    beside anything else (the other slot, a browser) ran several times slower. So every product, the widest
    network's too, runs on one BLAS thread (a BLAS we cannot steer is left alone)."""
    import initcore

    monkeypatch.setattr(initcore, "simulate", lambda **settings: blas.threads())
    assert compute.simulate(depth=100, width=1024, activation="relu", scheme="he_normal") == (
        None if blas.threads() is None else 1)



def test_a_view_never_waits_behind_background_jobs():
    """A class on the Training lab queues many runs: a slider move elsewhere must not wait for them."""
    release = threading.Event()
    jobs = [compute.in_background(release.wait, 10) for _ in range(compute.SLOTS + 3)]
    try:
        assert compute.run(lambda: "drawn") == "drawn"  # would hang until the release with one lane for both
        assert not any(job.done() for job in jobs)
    finally:
        release.set()
    assert all(job.result(10) for job in jobs)


def _concurrency_probe(pause: float = 0.05):
    """A job that notes how many such jobs run at once (``peak``), its thread's name and its nice value."""
    running, peak, lock = [0], [0], threading.Lock()

    def job():
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        threading.Event().wait(pause)
        with lock:
            running[0] -= 1
        return threading.current_thread().name, os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    return job, peak


def test_background_jobs_run_on_nicer_threads_of_their_own():
    job, _ = _concurrency_probe()
    answers = [future.result(10) for future in [compute.in_background(job) for _ in range(4)]]
    assert all(name.startswith("initlab-compute-background") for name, _ in answers)
    if sys.platform == "linux":  # elsewhere nice is the process's, and the lane keeps it
        assert {niceness for _, niceness in answers} == {min(19, os.getpriority(os.PRIO_PROCESS, 0)
                                                                 + compute.BACKGROUND_NICENESS)}


def test_a_learner_alone_gets_every_slot_for_background_jobs():
    job, peak = _concurrency_probe(pause=0.3)
    for future in [compute.in_background(job) for _ in range(2 * compute.SLOTS)]:
        future.result(10)
    assert peak[0] == compute.SLOTS


def test_background_jobs_take_turns_while_a_view_waits():
    """A class's slider moves share the cores with one background job at most."""
    release = threading.Event()
    view = compute.submit(release.wait, 10)
    try:
        job, peak = _concurrency_probe()
        for future in [compute.in_background(job) for _ in range(2 * compute.SLOTS)]:
            future.result(10)
        assert peak[0] == 1 and not view.done()
    finally:
        release.set()
    assert view.result(10)


def test_a_class_s_sweeps_do_not_push_out_the_lab_s_runs(monkeypatch):
    """Finished jobs are kept by kind: the sweep's columns, eight a view, had counted against the lab's runs, so a
    class toggling its sweeps would have trained the runs on a learner's screen again at their next look."""
    from ui import jobs

    monkeypatch.setattr(jobs, "_jobs", type(jobs._jobs)())
    monkeypatch.setattr(jobs, "KEPT", {"lab": 3, "sweep": 4})
    labs = [jobs.start(("lab", k), lambda k, report: k, k) for k in range(3)]
    sweeps = [jobs.start(("sweep", k), lambda k, report: k, k) for k in range(10)]
    assert jobs.wait(labs + sweeps, patience=10)
    jobs.wait([jobs.start(("sweep", 10), lambda report: 10)], patience=10)
    jobs.start(("sweep", 11), lambda report: 11).result()
    kept = list(jobs._jobs)
    assert [key for key in kept if key[0] == "lab"] == [("lab", 0), ("lab", 1), ("lab", 2)]
    assert len([key for key in kept if key[0] == "sweep"]) <= 4 + 1  # the one just started may still run
    assert all(jobs.start(("lab", k), lambda k, report: -1, k) is labs[k] for k in range(3))


def test_a_page_waiting_for_its_jobs_takes_a_newer_press_at_once(monkeypatch):
    """A page waiting for its jobs gives way to a press that comes meanwhile (Streamlit's yield check raises to
    rerun): held until the wait ended, that press was merged with the next into one, so three quick presses of New
    seed counted as two."""
    from types import SimpleNamespace

    from ui import jobs

    class Pressed(Exception):
        """What Streamlit raises to start the page again for a newer press."""

    def yield_check():
        raise Pressed

    monkeypatch.setattr(jobs, "get_script_run_ctx", lambda suppress_warning=False: SimpleNamespace(
        yield_check=yield_check))
    release = threading.Event()
    job = jobs.start(("lab", "a press meanwhile"), lambda report: release.wait(10))
    try:
        with pytest.raises(Pressed):
            jobs.wait([job], patience=10)
        assert not job.done()
    finally:
        release.set()
    assert job.result()
    monkeypatch.setattr(jobs, "get_script_run_ctx", lambda suppress_warning=False: None)  # outside a page: no check
    assert jobs.wait([job], patience=10)
