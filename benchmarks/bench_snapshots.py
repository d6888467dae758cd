"""What recording a training film costs: ``train(..., snapshots=40)`` against the same run without snapshots.

Each snapshot bins the weights, activations and weight gradients of every hidden layer, counts distinct units
and evaluates the decision grid, from the end-of-epoch pass the history already makes. Prints a Markdown table
of medians over repeated runs, the two taken in turn in one process; run with

    python benchmarks/bench_snapshots.py
"""

from __future__ import annotations

import statistics
import sys
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import initcore  # noqa: E402
from benchmarks.timing import median_time  # noqa: E402
from ui import blas  # noqa: E402

SIZES = [(5, 32), (10, 64), (30, 32), (10, 128)]
EPOCHS, SNAPSHOTS = 100, 40
REPEATS = 9


def main() -> None:
    blas.set_threads(1)  # as the server trains (``ui.compute``); at 10 × 64 two threads made the timings jump
    print(f"| depth × width | {EPOCHS} epochs | with {SNAPSHOTS} snapshots | ratio |")
    print("|---|---|---|---|")
    for depth, width in SIZES:
        run = partial(initcore.train, dataset="moons", depth=depth, width=width, activation="relu",
                      scheme="he_normal", epochs=EPOCHS, lr=0.01, seed=0)
        times = {"plain": [], "filmed": []}
        for _ in range(REPEATS):  # in turn, so that a slow spell on the shared machine falls on both alike
            times["plain"].append(median_time(run, 1))
            times["filmed"].append(median_time(partial(run, snapshots=SNAPSHOTS), 1))
        plain, filmed = (statistics.median(times[kind]) for kind in ("plain", "filmed"))
        print(f"| {depth} × {width} | {plain * 1e3:.0f} ms | {filmed * 1e3:.0f} ms | {filmed / plain:.2f}× |")


if __name__ == "__main__":
    main()
