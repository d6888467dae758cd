"""The server's compute threads: long-lived, bounded, and BLAS-threaded only for a lone wide computation."""

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


def test_blas_single_threaded_unless_one_wide_computation_runs_alone():
    if blas.threads() is None:  # a BLAS we cannot steer: nothing is changed
        assert compute.run(blas.threads, wide=True) is None
        return
    assert compute.run(blas.threads) == 1
    assert compute.run(blas.threads, wide=True) == compute.CORES
    assert blas.threads() == 1  # and back to one when it is done
    if compute.SLOTS < 2:
        return
    inside, narrow_started, wide_may_finish = {}, threading.Event(), threading.Event()

    def wide_then_look():
        narrow_started.wait(5)
        inside["wide, beside a narrow one"] = blas.threads()
        wide_may_finish.set()

    def narrow():
        narrow_started.set()
        wide_may_finish.wait(5)

    other = threading.Thread(target=compute.run, args=(wide_then_look,), kwargs=dict(wide=True))
    other.start()
    compute.run(narrow)
    other.join(10)
    assert inside == {"wide, beside a narrow one": 1}


def test_single_threaded_blas_gives_the_same_products():
    a = np.random.default_rng(0).standard_normal((300, 300))
    expected = a @ a
    assert np.allclose(compute.run(np.matmul, a, a), expected, rtol=1e-12, atol=1e-12)
    assert np.allclose(compute.run(np.matmul, a, a, wide=True), expected, rtol=1e-12, atol=1e-12)
