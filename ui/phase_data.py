"""What the Order and chaos lesson asks of the engine, cached and shared by every session of the server.

The phase plane (``initcore.theory.phase_grid``) and its grid of real training runs depend on the activation
only, so a class that moves the sliders costs one of each per activation; the Jacobian's spectra follow σ_w².
Histograms are binned here: the browser gets counts, never the singular values themselves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import initcore
from initcore.jacobian import RESOLUTION
from initcore.training import max_epochs
from ui import compute

MB = 2**20
# The plane drawn: σ_w² from 0.1 to 4 and σ_b² from 0 to 2, on nodes that hold the critical points exactly
# (tanh at σ_w² = 1, ReLU at 2, both at σ_b² = 0).
WEIGHT_AXIS = np.round(np.arange(1, 41) * 0.1, 10)
BIAS_AXIS = np.round(np.arange(41) * 0.05, 10)

# The real runs on the plane: the same plain network at each point, trained alike (about 0.1 s each).
RUN_WEIGHTS = (0.5, 1.0, 1.5, 2.0, 3.0)
RUN_BIASES = (0.0, 0.5, 1.0, 2.0)
RUN = dict(dataset="moons", depth=20, width=32, n=200, lr=0.1, seed=0)
LEARNED = 0.75  # test accuracy of a run that learned: a coin flip gets 0.5 on the moons, a straight line about 0.85
RUN_EPOCHS = min(20, max_epochs(depth=RUN["depth"], width=RUN["width"], n=RUN["n"],
                                runs=len(RUN_WEIGHTS) * len(RUN_BIASES)))  # all of them: one request's budget

# The Jacobian: narrow enough that the six spectra of a slider step take about 0.1 s (at width 256, 1 s).
SPECTRUM_DEPTHS = (1, 10, 50)
SPECTRUM_WIDTH = 128
BIN = 0.1  # decades: the narrowest bin of a histogram on the log10 axis of singular values
MAX_BINS = 80  # a spectrum spread over many decades (ReLU's, at small σ_w²) gets wider bins


def gaussian(sigma_w2: float) -> dict:
    """The Gaussian scheme at σ_w²: weights N(0, σ_w²/n_in), Signal propagation's custom variance scaling."""
    return dict(scheme="variance_scaling", scale=sigma_w2, mode="fan_in", distribution="normal")


def orthogonal(sigma_w2: float) -> dict:
    """Orthogonal weights of the same n·Var(W) = σ_w²: gain √σ_w²."""
    return dict(scheme="orthogonal", gain=float(np.sqrt(sigma_w2)))


SCHEMES = {"Gaussian": gaussian, "Orthogonal": orthogonal}


def recommended_weight_variance(activation: str) -> float:
    """σ_w² = n·Var(W) of the scheme the activation recommends, in a square layer (He 2, Xavier and LeCun 1)."""
    scheme = initcore.ACTIVATIONS[activation].recommended
    return round(256 * initcore.theory.weight_variance(scheme, 256, 256), 10)


@st.cache_data(max_entries=512, show_spinner=False)
def phase(activation: str, sigma_w2: float, sigma_b2: float) -> dict[str, float]:
    """``initcore.theory.phase`` at one point: a few milliseconds, up to tens where a fading signal's path is
    followed layer by layer for its trainable depth (tanh at σ_w² = 0.95: about 11 ms); with, where the signal fades
    to q* = 0, ``gradient_depth``, the layer by which theory's gradient has shrunk e⁶-fold (tanh at σ_w² = 1: 286,
    where 6ξ_c is ∞), else NaN."""
    point = initcore.theory.phase(activation, sigma_w2, sigma_b2)
    fades = point["q_star"] == 0 and sigma_b2 == 0
    return point | {"gradient_depth": initcore.theory.gradient_depth(activation, sigma_w2) if fades else np.nan}


PATH_DEPTH = 50  # layers of the plain network the verdict follows theory through: Signal propagation's own default


@st.cache_data(max_entries=512, show_spinner=False)
def path(activation: str, sigma_w2: float, sigma_b2: float) -> tuple[np.ndarray, np.ndarray]:
    """Theory's Var z_l and Var dL/dz_l through ``PATH_DEPTH`` plain layers at one point (Gaussian weights, biases
    N(0, σ_b²)): the network the page's link opens in Signal propagation."""
    return initcore.theory.predicted_variances(depth=PATH_DEPTH, width=SPECTRUM_WIDTH, activation=activation,
                                               bias_std=float(np.sqrt(sigma_b2)), **gaussian(sigma_w2))


@st.cache_data(max_entries=16, max_size=4 * MB, show_spinner=False)
@compute.on_compute_threads
def plane(activation: str) -> pd.DataFrame:
    """``initcore.theory.phase_grid`` over ``WEIGHT_AXIS`` × ``BIAS_AXIS`` (σ_w² varying fastest)."""
    return initcore.theory.phase_grid(activation, WEIGHT_AXIS, BIAS_AXIS)


@st.cache_data(max_entries=16, max_size=1 * MB,
               show_spinner="Training a network at each circle, once for this activation…")
@compute.on_compute_threads
def runs(activation: str) -> pd.DataFrame:
    """A network of ``RUN`` trained for ``RUN_EPOCHS`` at each point of ``RUN_WEIGHTS`` × ``RUN_BIASES``, biases
    N(0, σ_b²): one row per point with its final test accuracy (NaN where it diverged), its ``outcome``
    ("learned", "stayed low" or "diverged"), theory's phase there, and what theory says of its depth
    (``prediction``: "trains" where theory's trainable depth reaches it, "too deep" where not, "grows" where q* = ∞
    and 6ξ does not apply)."""
    rows = []
    for sigma_b2 in RUN_BIASES:
        for sigma_w2 in RUN_WEIGHTS:
            run = initcore.train(activation=activation, epochs=RUN_EPOCHS, bias_std=float(np.sqrt(sigma_b2)),
                                 **RUN, **gaussian(sigma_w2))
            accuracy = run.history.test_accuracy.iloc[-1]
            phase = initcore.theory.phase(activation, sigma_w2, sigma_b2)
            rows.append(dict(
                sigma_w2=sigma_w2, sigma_b2=sigma_b2, test_accuracy=accuracy,
                outcome="diverged" if np.isnan(accuracy) else "learned" if accuracy >= LEARNED else "stayed low",
                prediction="grows" if phase["q_star"] == np.inf else
                "trains" if phase["trainable_depth"] >= RUN["depth"] else "too deep", **phase))
    return pd.DataFrame(rows)


@st.cache_data(max_entries=256, max_size=8 * MB, show_spinner=False)
def spectra(activation: str, sigma_w2: float) -> dict:
    """The singular values of ∂z_L/∂x for each of ``SCHEMES`` at each of ``SPECTRUM_DEPTHS`` (width
    ``SPECTRUM_WIDTH``, seed 0), binned: ``edges`` (log10, shared by all) and, per scheme and depth, a dict of
    ``counts`` (of the resolved values), ``tiny`` (how many are under ``floor``, ``RESOLUTION`` of the largest:
    float32 cannot tell them from 0), ``middle`` (the 5th and 95th percentiles of all of them), ``largest`` and
    ``exact`` (every value within 10⁻⁴ of 1)."""
    jobs = {name: compute.submit(initcore.jacobian_spectra, depths=SPECTRUM_DEPTHS, width=SPECTRUM_WIDTH,
                                 activation=activation, **make(sigma_w2))
            for name, make in SCHEMES.items()}  # each scheme's depths along one network
    values = {(name, depth): spectrum for name, job in jobs.items() for depth, spectrum in job.result().items()}
    resolved = {key: v[np.isfinite(v) & (v > 0) & (v >= RESOLUTION * np.max(v))] for key, v in values.items()}
    logs = np.log10(np.concatenate([*resolved.values(), [1.0]]))  # 1, isometry, always in sight
    step = BIN * max(1, np.ceil((logs.max() - logs.min()) / (BIN * MAX_BINS)))
    first, last = int(np.round(logs.min() / step)) - 1, int(np.round(logs.max() / step)) + 1
    edges = np.round((np.arange(first, last + 2) - 0.5) * step, 10)  # bins centred on whole steps: 1 on a centre
    binned = {}
    for (name, depth), kept in resolved.items():
        counts = np.histogram(np.log10(kept), edges)[0] if kept.size else np.zeros(len(edges) - 1, int)
        every = values[name, depth]
        binned.setdefault(name, {})[depth] = dict(
            counts=counts, tiny=SPECTRUM_WIDTH - kept.size, floor=RESOLUTION * float(np.max(every)),
            middle=tuple(float(v) for v in np.percentile(every, [5, 95])), largest=float(np.max(every)),
            exact=bool(np.all(np.abs(every - 1) <= 1e-4)))
    return dict(edges=edges, **binned)
