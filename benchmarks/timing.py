"""The one timing helper the benchmarks share."""

import statistics
import time


def median_time(fn, repeats: int = 5, pause: float = 0.1) -> float:
    """Median wall time of ``repeats`` calls of ``fn``, in seconds.

    Each call follows a short idle ``pause``, as a slider move follows the previous one: otherwise the BLAS
    threads of one call, which keep spinning for a while after their last matmul, compete with the next.
    """
    times = []
    for _ in range(repeats):
        time.sleep(pause)
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
