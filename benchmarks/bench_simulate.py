"""How close is ``initcore.simulate`` to the numpy floor?

The floor is the unavoidable work done in plain numpy in this same process: drawing the float32
standard-normal weight matrices and the input (one generator, as a naive loop would) and doing the
forward and backward matmuls. ``simulate`` does that plus activations, derivatives, statistics and
histograms, and fills its draws on all cores. Prints a Markdown table; run with

    python benchmarks/bench_simulate.py

A scheme switch (Xavier-normal → He-normal, same seed) reuses the standard-normal base draws kept in
``initcore.NOISE_BANK``; its cost is reported relative to a fresh run. PyTorch, when installed, does the
floor's work with ``torch.randn`` and ``torch.matmul`` for comparison.
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import initcore  # noqa: E402
from benchmarks.timing import median_time  # noqa: E402

SIZES = [(20, 256, 256), (50, 512, 256), (100, 1024, 256)]
REPEATS = 5



def numpy_floor(depth, width, batch):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((batch, width), dtype=np.float32)
    weights = [rng.standard_normal((width, width), dtype=np.float32) for _ in range(depth)]
    for w in weights:
        w *= np.float32(width**-0.5)
        a = np.tanh(a @ w)
    g = a
    for w in weights[:0:-1]:
        g = g @ w.T


def torch_floor(depth, width, batch):
    import torch

    a = torch.randn(batch, width)
    weights = [torch.randn(width, width) for _ in range(depth)]
    for w in weights:
        w *= width**-0.5
        a = torch.tanh(a @ w)
    g = a
    for w in weights[:0:-1]:
        g = g @ w.T


def fresh_run(depth, width, batch, scheme="xavier_normal"):
    initcore.NOISE_BANK.clear()
    return initcore.simulate(depth=depth, width=width, batch=batch, activation="tanh", scheme=scheme)


def switch_run(depth, width, batch):
    fresh_run(depth, width, batch)
    start = time.perf_counter()
    initcore.simulate(depth=depth, width=width, batch=batch, activation="tanh", scheme="he_normal")
    return time.perf_counter() - start


def peak_mb(fn) -> float:
    initcore.NOISE_BANK.clear()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    try:
        import torch  # noqa: F401

        have_torch = True
    except ImportError:
        have_torch = False
    print("| depth, width, batch | simulate (ms) | numpy floor (ms) | ratio | scheme switch / fresh | "
          "peak memory (MB) | PyTorch floor (ms) |")
    print("|---|---|---|---|---|---|---|")
    for size in SIZES:
        depth, width, batch = size
        fresh_run(*size)  # warm up
        ours = median_time(partial(fresh_run, *size))
        floor = median_time(partial(numpy_floor, *size))
        switch = statistics.median(switch_run(*size) for _ in range(REPEATS))
        peak = peak_mb(partial(fresh_run, *size))
        torch_ms = f"{median_time(partial(torch_floor, *size)) * 1e3:.0f}" if have_torch else "n/a"
        print(f"| {depth}, {width}, {batch} | {ours * 1e3:.0f} | {floor * 1e3:.0f} | {ours / floor:.2f} | "
              f"{switch / ours:.2f} | {peak:.0f} | {torch_ms} |")


if __name__ == "__main__":
    main()
