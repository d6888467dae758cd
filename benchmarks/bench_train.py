"""How close is ``initcore.train`` to the numpy floor, and is the lab's default comparison interactive?

The floor is the same forward and backward matmuls (``x @ W``, ``aᵀ @ g``, ``g @ Wᵀ``) that ``train``
does, in plain numpy in this process: one pass per mini-batch, plus the end-of-epoch evaluation (a forward
and backward pass over the training set, a forward pass over the test set). ``train`` adds activations,
the loss, SGD updates and the bookkeeping. The cost of an epoch is measured as the difference between
runs of ``LONG`` and ``SHORT`` epochs, divided by the difference: what one more epoch costs, without the
once-per-run work (making the data set, counting distinct units, building the tables), which is
reported on its own; the two are timed in turn. A second table does the same for five runs stepped together
(``initcore.train_all``, as ``compare`` steps the lab's schemes) against five runs one after another, both per
epoch against five floors. Prints Markdown tables; run with

    python benchmarks/bench_train.py
"""

from __future__ import annotations

import statistics
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import initcore  # noqa: E402
from benchmarks.timing import median_time  # noqa: E402
from ui import blas  # noqa: E402

SIZES = [(3, 32), (10, 64), (30, 32)]
SHORT, LONG = 10, 110
N = 500
BATCH = 64



def floor(depth, width, epochs):
    rng = np.random.default_rng(0)
    dims = [2] + [width] * depth + [1]
    weights = [rng.standard_normal((i, o)) / np.sqrt(i) for i, o in zip(dims[:-1], dims[1:])]
    X = rng.standard_normal((int(N * 0.8), 2))
    X_test = rng.standard_normal((N - len(X), 2))

    def passes(batch, backward=True):
        acts = [batch]
        for W in weights:
            acts.append(acts[-1] @ W)
        g = acts[-1]
        for layer in range(len(weights) - 1, -1, -1) if backward else ():
            acts[layer].T @ g
            if layer:
                g = g @ weights[layer].T

    for _ in range(epochs):
        for start in range(0, len(X), BATCH):
            passes(X[start : start + BATCH])
        passes(X)
        passes(X_test, backward=False)


def ours(depth, width, epochs):
    initcore.train(dataset="moons", depth=depth, width=width, activation="relu", scheme="he_normal",
                   epochs=epochs, lr=0.05, n=N, batch_size=BATCH)


TOGETHER = 5  # runs stepped together in ``together``, as the lab's five schemes are in ``compare``


def _runs(depth, width, epochs) -> list[dict]:
    """Five runs that differ only in their learning rate (none diverges, so all five step to the end)."""
    return [dict(dataset="moons", depth=depth, width=width, activation="relu", scheme="he_normal", epochs=epochs,
                 lr=0.05 + 0.001 * k, n=N, batch_size=BATCH) for k in range(TOGETHER)]


def apart(depth, width, epochs):
    for run in _runs(depth, width, epochs):
        initcore.train(**run)


def together(depth, width, epochs):
    initcore.train_all(_runs(depth, width, epochs))


def per_epoch_and_fixed(runs, depth, width, repeats: int = 9) -> list[tuple[float, float]]:
    """For each of ``runs``: seconds per extra epoch, and the once-per-run remainder, from runs of SHORT and LONG
    epochs; every run of each length timed in turn in each round, so that a slow spell falls on all alike."""
    times = {(run, epochs): [] for run in runs for epochs in (SHORT, LONG)}
    for _ in range(repeats):
        for run, epochs in times:
            times[run, epochs].append(median_time(partial(run, depth, width, epochs), 1))
    results = []
    for run in runs:
        short, long = (statistics.median(times[run, epochs]) for epochs in (SHORT, LONG))
        epoch = (long - short) / (LONG - SHORT)
        results.append((epoch, short - SHORT * epoch))
    return results


def main() -> None:
    blas.set_threads(1)  # as the server trains (``ui.compute``); at 10 × 64 two threads made the timings jump
    print("| depth, width | train, per epoch (ms) | numpy floor, per epoch (ms) | ratio | train, once per run (ms) |")
    print("|---|---|---|---|---|")
    for depth, width in SIZES:
        (t_ours, fixed), (t_floor, _) = per_epoch_and_fixed([ours, floor], depth, width)
        print(f"| {depth}, {width} | {t_ours * 1e3:.2f} | {t_floor * 1e3:.2f} | {t_ours / t_floor:.2f} | "
              f"{fixed * 1e3:.1f} |")
    print()
    print(f"| depth, width | {TOGETHER} runs one after another, per epoch / {TOGETHER} floors | stepped together "
          f"(`train_all`), per epoch / {TOGETHER} floors |")
    print("|---|---|---|")
    for depth, width in SIZES:
        (t_apart, _), (t_together, _), (t_floor, _) = per_epoch_and_fixed([apart, together, floor], depth, width, 5)
        print(f"| {depth}, {width} | {t_apart / (TOGETHER * t_floor):.2f} | {t_together / (TOGETHER * t_floor):.2f} |")
    lab = dict(dataset="moons", depth=5, width=32, activation="relu", epochs=100, lr=0.1, n=N)
    wall = median_time(partial(initcore.compare, **lab))
    print()
    print("| lab default comparison (5 schemes, 100 epochs, 500 points, depth 5, width 32) | wall time (s) |")
    print("|---|---|")
    print(f"| {', '.join(initcore.LAB_SCHEMES)} | {wall:.2f} |")
    print()
    one_request()
    print()
    as_served()


def as_served() -> None:
    """The lab at 30 × 128 as the server runs it: every scheme's run a job on the compute module's background lane
    (``ui.runs.start``), timed until the first loss curve can be drawn (some run has reported two epochs, which
    the page draws at its next look, ``ui.jobs.POLL`` seconds at most), the first run is done (the page draws it
    whole) and all are."""
    from concurrent.futures import FIRST_COMPLETED, wait

    from ui import lessons, runs

    schemes, epochs, _ = lessons.lab_budget(list(initcore.LAB_SCHEMES), 30, 128, 100, None)
    print("| the lab at 30 × 128, as served (epochs) | first loss curve (s) | first run done (s) | all done (s) |")
    print("|---|---|---|---|")
    curves, firsts, alls = [], [], []
    for seed in range(3):  # a new seed each time: nothing is found done already
        settings = dict(dataset="moons", depth=30, width=128, activation="relu", lr=0.1, epochs=epochs, seed=seed)
        start = time.perf_counter()
        started = runs.start(schemes, settings).values()
        while not any(len(job.reported) >= 2 for job in started):
            time.sleep(0.005)
        curves.append(time.perf_counter() - start)
        futures = [job.future for job in started]
        wait(futures, return_when=FIRST_COMPLETED)
        firsts.append(time.perf_counter() - start)
        wait(futures)
        alls.append(time.perf_counter() - start)
    print(f"| {len(schemes)} schemes ({epochs}) | {statistics.median(curves):.2f} | {statistics.median(firsts):.2f} "
          f"| {statistics.median(alls):.2f} |")


def lab_request(settings: dict) -> None:
    """What the lab computes for one view: the runs, filmed, and each one's decision grid."""
    for run in initcore.compare(**settings).runs.values():
        run.decision_grid()


def one_request() -> None:
    """What one Training lab request costs at the epochs the budget allows (at most 300, the slider's top), for
    one scheme, the lab's five and every scheme (the last left out while not one epoch of all fits), each run
    filmed in the lab's ``SNAPSHOTS`` + 1 snapshots."""
    from initcore.training import fit_budget
    from ui.film import SNAPSHOTS

    print("| depth, width | one scheme (s, epochs) | five (s, epochs) | every scheme (s, epochs, schemes) |")
    print("|---|---|---|---|")
    for depth, width in [(5, 32), (30, 16), (10, 64), (30, 128)]:
        cells = []
        for schemes in (["he_normal"], list(initcore.LAB_SCHEMES), list(initcore.SCHEMES)):
            schemes, epochs = fit_budget(schemes, depth=depth, width=width, epochs=300, snapshots=SNAPSHOTS)

            settings = dict(schemes=schemes, dataset="moons", depth=depth, width=width, activation="relu",
                            epochs=epochs, lr=0.01, n=N, snapshots=SNAPSHOTS)
            seconds = median_time(partial(lab_request, settings), 3)
            cells.append(f"{seconds:.2f}, {epochs}" + (f", {len(schemes)}" if len(schemes) > 5 else ""))
        print(f"| {depth}, {width} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
