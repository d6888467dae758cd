"""How close is ``initcore.simulate`` to the numpy floor?

The floor is the unavoidable work done in plain numpy in this same process: drawing the float32
standard-normal weight matrices and the input (one generator, as a naive loop would) and doing the
forward and backward matmuls. ``simulate`` does that plus activations, derivatives, statistics and
histograms, and fills its draws on all cores. Prints a Markdown table; run with

    python benchmarks/bench_simulate.py

PyTorch, when installed, does the floor's work with ``torch.randn`` and ``torch.matmul``, and the same
simulation (statistics, samples, histograms; ``torch_simulation``), for comparison.

A second table says what a switch at the same seed, depth and width costs (``switches``): a scheme switch under
ReLU (Xavier-normal → He-normal: derived from the unit network, no product and no draw) against a fresh
simulation, and the switches that must redo the products (ReLU → tanh; Xavier → He under tanh) against those
products alone (the 2·depth - 1 matmuls, the draws already in memory), BLAS on one thread as in the server. All
are timed in turn in each round, so a slow spell on the shared machine falls on each alike.

A third says what a step of the depth slider costs with the forward pass of the step before kept (``depth_steps``).
"""

from __future__ import annotations

import statistics
import sys
import tracemalloc
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import initcore  # noqa: E402
from benchmarks.timing import median_time  # noqa: E402
from initcore.activations import SATURATION  # noqa: E402
from initcore.homogeneous import UNIT_RUNS  # noqa: E402
from initcore.noise import NOISE_BANK, thread_pool  # noqa: E402
from initcore.propagation import FORWARD_RUNS  # noqa: E402
from ui import blas  # noqa: E402

SIZES = [(20, 256, 256), (50, 512, 256), (100, 1024, 256)]
SWITCH_SIZES = [(50, 256, 256), (100, 1024, 64), (100, 1024, 256)]  # (100, 1024, 64): the page's batch there
REPEATS = 9


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


def torch_simulation(depth, width, batch, sample=4096, bins=60):
    """PyTorch doing the simulation itself, written as one would in PyTorch: all weights drawn up front,
    forward with tanh keeping f'(z), per-layer moments and counts, a strided sample of z, a and dL/dz
    binned on linear and log10 axes, and the backward pass."""
    import torch

    c = width**-0.5
    weights = [torch.randn(width, width) for _ in range(depth)]
    a = torch.randn(batch, width)
    slopes, samples, stats = [], [], []
    step = max(1, batch * width // sample)
    for w in weights:
        z = (a @ w) * c
        a = torch.tanh(z)
        slope = 1 - a * a
        slopes.append(slope)
        stats.append((z.mean().item(), z.var().item(), a.mean().item(), a.var().item(),
                      int((a == 0).sum()), int((slope.abs() < SATURATION).sum())))  # tanh: its largest slope is 1
        samples += [z.flatten()[::step][:sample], a.flatten()[::step][:sample], w.flatten()[::step][:sample] * c]
    g = torch.randn(batch, width)
    for layer in range(depth - 1, -1, -1):
        grad = g * slopes[layer]
        stats.append((grad.mean().item(), grad.var().item(), int((grad == 0).sum())))
        samples.append(grad.flatten()[::step][:sample])
        if layer:
            g = (grad @ weights[layer].T) * c
    for values in samples:
        reach = float(values.abs().max())
        torch.histc(values, bins=bins, min=-reach, max=reach)
        magnitudes = values.abs()
        logs = torch.log10(magnitudes[magnitudes > 0])
        torch.histc(logs, bins=bins, min=float(logs.min()), max=float(logs.max()))


def fresh_run(depth, width, batch, activation="tanh", scheme="xavier_normal"):
    initcore.forget()
    return initcore.simulate(depth=depth, width=width, batch=batch, activation=activation, scheme=scheme)


def peak_mb(fn) -> float:
    initcore.forget()
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
    print("| depth, width, batch | simulate (ms) | numpy floor (ms) | ratio | peak memory (MB) | "
          "PyTorch floor (ms) | PyTorch, same simulation (ms) |")
    print("|---|---|---|---|---|---|---|")
    for size in SIZES:
        depth, width, batch = size
        fresh_run(*size)  # warm up
        ours = median_time(partial(fresh_run, *size), REPEATS)
        floor = median_time(partial(numpy_floor, *size), REPEATS)
        peak = peak_mb(partial(fresh_run, *size))
        torch_ms = [f"{median_time(partial(fn, *size), REPEATS) * 1e3:.0f}" if have_torch else "n/a"
                    for fn in (torch_floor, torch_simulation)]
        print(f"| {depth}, {width}, {batch} | {ours * 1e3:.0f} | {floor * 1e3:.0f} | {ours / floor:.2f} | "
              f"{peak:.0f} | {' | '.join(torch_ms)} |")


def products(depth, width, batch):
    """The matrix products a simulation cannot do without: depth forward and depth - 1 backward, with the
    network's own base draws (drawn, and kept in the noise bank, beforehand)."""
    bases = [draw.matrix for draw in NOISE_BANK.bases(0, "normal", list(range(1, depth + 1)), (width, width),
                                                      np.float32, thread_pool())]
    x = np.random.default_rng(0).standard_normal((batch, width), dtype=np.float32)
    out = np.empty_like(x)

    def run():
        for base in bases:
            np.matmul(x, base, out=out)
        for base in bases[:0:-1]:
            np.matmul(x, base.T, out=out)

    return run


def switches() -> None:
    """What a switch at the same seed, depth and width costs, each kind timed in turn in every round, with BLAS on
    one thread as the server runs it (``ui.compute``), and the count BLAS had put back afterwards."""
    threads = blas.threads()
    blas.set_threads(1)
    print("| depth, width, batch | fresh, ReLU (ms) | scheme switch, ReLU (ms) | / fresh | products alone (ms) | "
          "activation switch, ReLU → tanh (ms) | / products | scheme switch, tanh (ms) | / products |")
    print("|---|---|---|---|---|---|---|---|---|")
    for depth, width, batch in SWITCH_SIZES:
        network = dict(depth=depth, width=width, batch=batch)
        steps = {
            "fresh": partial(fresh_run, depth, width, batch, "relu", "xavier_normal"),
            "relu switch": partial(initcore.simulate, activation="relu", scheme="he_normal", **network),
            "activation switch": partial(initcore.simulate, activation="tanh", scheme="he_normal", **network),
            "tanh switch": partial(initcore.simulate, activation="tanh", scheme="xavier_normal", **network),
            "products": products(depth, width, batch),
        }
        times = {step: [] for step in steps}
        for _ in range(REPEATS):
            for step, fn in steps.items():
                FORWARD_RUNS.clear()  # the switches to tanh redo every product, as the first time they are asked
                times[step].append(median_time(fn, 1))
        ms = {step: statistics.median(values) * 1e3 for step, values in times.items()}
        print(f"| {depth}, {width}, {batch} | {ms['fresh']:.0f} | {ms['relu switch']:.0f} | "
              f"{ms['relu switch'] / ms['fresh']:.2f} | {ms['products']:.0f} | {ms['activation switch']:.0f} | "
              f"{ms['activation switch'] / ms['products']:.2f} | {ms['tanh switch']:.0f} | "
              f"{ms['tanh switch'] / ms['products']:.2f} |")
    if threads is not None:
        blas.set_threads(threads)


DEPTH_STEPS = [(50, 256, 256, "tanh", "xavier_normal"), (100, 1024, 64, "relu", "he_normal")]  # the page's views


def depth_steps() -> None:
    """A step of the depth slider (one layer less, as a press of ArrowLeft gives) after the step before, whose
    forward pass is kept, against the same step with only the draws kept, in turn, BLAS on one thread."""
    threads = blas.threads()
    blas.set_threads(1)
    print("| depth, width, batch, activation | step to depth - 1, forward pass kept (ms) | the same, only the draws "
          "kept (ms) | ratio |")
    print("|---|---|---|---|")
    for depth, width, batch, activation, scheme in DEPTH_STEPS:
        network = dict(width=width, batch=batch, activation=activation, scheme=scheme)
        times = {"kept": [], "drawn": []}
        for _ in range(REPEATS):
            for way, values in times.items():
                initcore.simulate(depth=depth, **network)
                UNIT_RUNS.clear()  # ReLU: the unit network at depth - 1 is computed, not derived from a kept one
                if way == "drawn":
                    FORWARD_RUNS.clear()
                values.append(median_time(partial(initcore.simulate, depth=depth - 1, **network), 1))
                FORWARD_RUNS.clear()
        kept, drawn = (statistics.median(values) * 1e3 for values in times.values())
        print(f"| {depth}, {width}, {batch}, {activation} | {kept:.0f} | {drawn:.0f} | {kept / drawn:.2f} |")
    if threads is not None:
        blas.set_threads(threads)


def every_scheme(depth, width, batch):
    initcore.forget()
    chosen = "xavier_normal"
    schemes = {chosen: {}} | {s: {} for s in initcore.SCHEMES if s != chosen}
    return initcore.simulate_many(depth=depth, width=width, batch=batch, activation="tanh", schemes=schemes)


def one_request() -> None:
    """Comparing every scheme against one scheme, both from fresh draws: one request, one budget."""
    print("| depth, width, batch | one scheme (ms) | every scheme (ms) | ratio | batch each | left out |")
    print("|---|---|---|---|---|---|")
    for size in SIZES:
        one = median_time(partial(fresh_run, *size), 5)
        every = median_time(partial(every_scheme, *size), 5)
        shared = every_scheme(*size)
        print(f"| {', '.join(map(str, size))} | {one * 1e3:.0f} | {every * 1e3:.0f} | {every / one:.2f} | "
              f"{shared.batch} | {', '.join(shared.left_out) or '—'} |")


if __name__ == "__main__":
    main()
    print()
    switches()
    print()
    depth_steps()
    print()
    one_request()
