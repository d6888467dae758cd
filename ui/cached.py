"""One ``st.cache_data`` wrapper per engine call, shared by every session of the server.

Thirty students on the default settings cost one computation. Entry counts and byte sizes are bounded
so that a classroom clicking through every combination cannot grow the cache without limit. A cache
miss computes on the server's compute threads (``ui.compute``), which bound how many run at once.

``st.cache_data`` hands each caller a copy of its own, unpickled at every rerun of every session. The
simulations, the largest results a page reruns with, are also kept as they come out (``ui.drawn.once``, a
class's views of the moment), one object for every session: a class on one link no longer unpickles the same
simulation thirty times, and the figures drawn from it find its fingerprint kept on it. Nobody changes a
simulation once it is returned (a test checks that the pages don't).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import initcore
from initcore import distributions, theory
from initcore.propagation import described
from initcore.training import MLP, unit_report
from ui import compute, drawn

MB = 2**20


@drawn.once
@st.cache_data(max_entries=128, max_size=64 * MB, show_spinner="Pushing a batch through the network…")
def simulate(**settings) -> initcore.Propagation:
    return compute.simulate(**settings)


@drawn.once
@st.cache_data(max_entries=32, max_size=64 * MB, show_spinner="Pushing a batch through every network…")
def simulate_many(schemes: dict[str, dict], **settings) -> initcore.Propagations:
    """Several schemes on one network within one request's budget (``initcore.simulate_many``)."""
    return compute.simulate_many(schemes=schemes, **settings)


def predicted(depth: int, width: int, activation: str, scheme: str, params: dict):
    """Theory's Var z_l and Var dL/dz_l per layer of a square plain network: ``predicted_network``'s, under the
    same key as the chart of that network asks for (a quadrature per layer: 10 ms at 100 tanh layers)."""
    columns = predicted_network(dict(depth=depth, width=width, activation=activation), scheme, params)
    return columns["pre_var"], columns["grad_var"]


@drawn.once
@st.cache_data(max_entries=256, max_size=8 * MB, show_spinner=False)
def predicted_network(network: dict, scheme: str, params: dict) -> dict[str, np.ndarray]:
    """Every variance theory predicts for a network described by ``network`` (``simulate``'s keywords but the
    scheme's): ``initcore.theory.predicted``."""
    return theory.predicted(described(**network, scheme=scheme, **params))


@st.cache_data(max_entries=64, max_size=16 * MB, show_spinner=False)
@compute.on_compute_threads
def weight_distributions(schemes: tuple[str, ...], fan_in: int, fan_out: int, log: bool, params: dict,
                         seed: int) -> list[dict]:
    """Binned draws and exact densities of ``schemes``; ``params`` maps a scheme to its parameters."""
    series = []
    for scheme in schemes:
        p = params.get(scheme, {})
        edges, binned = distributions.sample_histogram(scheme, fan_in, fan_out, seed=seed, log=log, **p)
        grid = distributions.density_grid(scheme, fan_in, fan_out, edges[0], edges[-1], log=log, **p)
        exact = distributions.density(scheme, fan_in, fan_out, grid, log=log, **p)
        series.append(dict(scheme=scheme, edges=edges.astype(np.float32), binned=binned.astype(np.float32),
                           grid=grid.astype(np.float32), exact=exact.astype(np.float32)))
    return series


@st.cache_data(max_entries=64, max_size=4 * MB, show_spinner=False)
def scheme_table(schemes: tuple[str, ...], fan_in: int, fan_out: int, params: dict):
    return distributions.scheme_table(schemes, fan_in, fan_out, params)


@st.cache_data(max_entries=8, show_spinner="Running 12 small networks…")
@compute.on_compute_threads
def what_goes_wrong(schemes: tuple[str, ...], activations: tuple[str, ...], depth: int = 20, width: int = 256):
    """Var z_l across layers for every (activation, scheme): the home page's small multiples."""
    return {(a, s): initcore.simulate(depth=depth, width=width, activation=a, scheme=s).layers.pre_var.to_numpy()
            for a in activations for s in schemes}


@st.cache_data(max_entries=128, max_size=1 * MB, show_spinner="Trying a setting that may train it…")
@compute.on_compute_threads
def outcome(scheme: str, settings: dict):
    """How one scheme's training at ``settings`` ends: its ``Comparison.summary`` row (the lab trains each
    scheme on its own, so it is the row the lab shows at the same settings)."""
    return initcore.compare(schemes=(scheme,), **settings).summary.iloc[0]


@st.cache_data(max_entries=32, max_size=1 * MB, show_spinner="Training with a zero output layer…")
@compute.on_compute_threads
def zero_output(scheme: str, activation: str, width: int, epochs: int, seed: int, params: dict) -> dict:
    """``symmetry``'s network with its output layer started at zero (Fixup): the loss per epoch and how many of
    the last hidden layer's units differ after training."""
    run = initcore.train(dataset="moons", depth=2, width=width, activation=activation, scheme=scheme,
                         epochs=epochs, lr=0.5, seed=seed, zero_output=True, **params)
    return dict(loss=run.history.loss.to_numpy(), distinct=run.distinct_neurons[-1])


@st.cache_data(max_entries=32, max_size=32 * MB, show_spinner="Training…")
@compute.on_compute_threads
def symmetry(scheme: str, activation: str, width: int, epochs: int, seed: int, params: dict):
    """A small network trained from ``scheme``: weights before/after and the per-unit report."""
    run = initcore.train(dataset="moons", depth=2, width=width, activation=activation, scheme=scheme,
                         epochs=epochs, lr=0.5, seed=seed, **params)
    X, y = run.data["X_train"], run.data["y_train"]
    start = MLP(run.initial_weights, [np.zeros(w.shape[1]) for w in run.initial_weights], run.model.activation,
                run.model.output)
    with np.errstate(all="ignore"):  # a diverged run's outputs are inf/NaN: the verdict says so
        outputs_after = run.model.forward(X)[1][2]
        off_before = int(np.count_nonzero(~np.any(start.forward(X)[1][2], axis=0)))  # units already 0 everywhere
    return dict(before=run.initial_weights[1], after=run.model.weights[1], history=run.history,
                initial_distinct=run.initial_distinct_neurons, distinct=run.distinct_neurons,
                diverged_at=run.diverged_epoch, overflowed=run.overflowed, outputs_after=outputs_after,
                off_before=off_before,
                largest=tuple(float(np.max(np.abs(w[1]))) for w in (run.initial_weights, run.model.weights)),
                units_before=unit_report(start, X, y, layer=1), units_after=unit_report(run.model, X, y, layer=1))
