"""A tiny numpy MLP trained with mini-batch SGD, to watch what an initializer does to learning.

Architecture: 2 inputs → ``depth`` hidden layers of ``width`` units with activation f → an output layer,
either one logit with a sigmoid (``output="sigmoid"``) or two with a softmax (``output="softmax"``), and
cross-entropy loss. The hidden layers may have widths of their own: ``widths=(2, n_1, …, n_L)``, the network
``initcore.network`` describes (``described``: the input's n_0 = 2 features, then L hidden layers; the output
layer comes on top). The lab trains plain networks: residual blocks and norms are simulated only.

    sigmoid:  L = mean( log(1 + e^s) - y·s ),           dL/ds = (σ(s) - y) / n
    softmax:  L = mean( logsumexp(s) - s_y ),            dL/ds = (softmax(s) - onehot(y)) / n

Backpropagation, for each layer from the top (``x @ W`` convention, W shaped (fan_in, fan_out)):

    dL/dW_l = a_{l-1}ᵀ · dL/dz_l,   dL/db_l = Σ_rows dL/dz_l,   dL/dz_{l-1} = (dL/dz_l · W_lᵀ) ⊙ f'(z_{l-1})

**The chosen scheme initializes every weight layer, the output layer included**, as in the classic
demonstrations: a randomly initialized output layer would itself break the symmetry that zero or
constant initialization is meant to show. Biases start at ``bias`` (0 by default), plus, with ``bias_std`` = σ_b > 0,
a draw from N(0, σ_b²) for each (the biases of mean-field theory, ``initcore.theory.phase``).

Each epoch is recorded *after* its updates (epoch 0 is the untrained network), on the whole training set:
loss, training and test accuracy, and the gradient norm ‖dL/dW_l‖_F of every layer. A loss, gradient or
weight that is no longer finite stops the run: ``diverged`` is set with the epoch and ``overflowed`` with what
was lost (the loss; where it is still a number, the gradient; else the weights), and no warning escapes.

With ``snapshots=K`` the run also keeps K + 1 ``Snapshot``s of the network, at evenly spaced epochs from 0 (the
initialization, before any step) to the last one trained: per hidden layer its weights, activations and
weight gradients pre-binned (``LayerHistograms``) with their spread, dead units and distinct units, and the
class-1 probability on the decision grid. They come from the end-of-epoch pass the history needs anyway.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from initcore import _stats, _validate
from initcore._binning import LayerSamples, histograms, layer_samples, stacked_layer_samples
from initcore.activations import Activation, get_activation
from initcore.datasets import N_RANGE, make_dataset, train_test_split
from initcore.histograms import LayerHistograms
from initcore.network import Network, network
from initcore.schemes import SCHEMES, get_scheme, init_weights

OUTPUTS = ("sigmoid", "softmax")
INPUTS = 2  # n_0: the features of every data set (``initcore.datasets``)
DEPTH_RANGE = (1, 50)
WIDTH_RANGE = (1, 256)
EPOCH_RANGE = (1, 2000)
BATCH_RANGE = (1, 5000)
LR_RANGE = (0.0, 10.0)
MOMENTUM_RANGE = (0.0, 0.99)
# The work one request may do (train, or all runs of compare together), in multiply-adds and their equals
# (``training_work``): about 4 s on the 2-core machine the app is served from, narrow layers or wide.
MAX_WORK = 6e10
STEP_COST = 400_000  # one layer of one numpy step (a matmul and its elementwise neighbours): ~27 µs ≈ 4e5 multiply-adds
COUNT_COST = 70  # one activation of one example, in counting a layer's distinct units (``_distinct_counts``)
SNAPSHOT_COST = 8e6  # what a snapshot costs once (its table, its histograms' calls), ~0.55 ms
SNAPSHOT_VALUE_COST = 155  # each weight, activation and gradient value a snapshot reduces and bins
DECISION_GRID = 60  # points per side of the decision-boundary grid the lab draws for each run
COPY_TOLERANCE = 1e-6  # two units are copies if their outputs differ by at most this, relative to their own size


@dataclass
class MLP:
    """Weights and biases of a small MLP; ``weights[-1]`` is the output layer.

    Each layer's parameters are one block [W; b] of shape (fan_in + 1, fan_out). Inside, examples are
    columns and every activation carries a last row of ones, so that [W; b]ᵀ·[aᵀ; 1] = (a·W + b)ᵀ and
    [aᵀ; 1]·δ = [dW; db]: one matmul each way instead of a matmul and a bias pass, and activations
    written into contiguous rows. The blocks lie end to end in one flat vector ``params``, so an SGD step
    is one in-place addition, whatever the depth. ``weights`` and ``biases`` are views into it. What the
    methods return is in the usual orientation: one row per example.

    Several networks of one shape, activation and output can also be one ``MLP`` (``stack``): ``params`` is then
    (members, params), each layer's weights (members, fan_in, fan_out), and a pass (``backprop``, ``Passes``) takes
    every member in one product per layer.
    """

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activation: Activation
    output: str
    params: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        self._bind(np.concatenate([np.vstack([w, b]).ravel() for w, b in zip(self.weights, self.biases)],
                                  dtype=float))
        hidden = [w.shape[1] for w in self.weights[:-1]]
        # Hidden layers of one width from the second on: their [W; b] blocks, and their z_l, a_l, f'(z_l) and δ_l,
        # stack into (layers, rows, columns) arrays, so that a step takes every f'(z_l), and every dL/dW_l of
        # those blocks, in one numpy call each (``backprop``).
        self._stacked = len(hidden) > 1 and len(set(hidden)) == 1

    def _bind(self, params: np.ndarray) -> None:
        """Make ``params`` (laid out as ``params`` is, or a stack of such vectors) this network's parameters, with
        ``weights`` and ``biases`` its views."""
        self.params = params
        self._blocks = self.blocks(params)
        self.weights, self.biases = _weights_and_biases(self._blocks)

    @classmethod
    def stack(cls, members: Sequence[MLP]) -> MLP:
        """One network of ``members`` (of one shape, activation and output) side by side: its ``params`` are theirs
        stacked, (members, params), and each member's ``params`` becomes its row of them (a view), so that what a
        step of the stack does to a row, it does to that member."""
        together = object.__new__(cls)
        first = members[0]
        together.weights, together.activation, together.output = first.weights, first.activation, first.output
        together._stacked = first._stacked
        together._bind(np.stack([member.params for member in members]))
        for member, row in zip(members, together.params):
            member._bind(row)
        return together

    def stacked(self, flat: np.ndarray) -> np.ndarray:
        """The [W_l; b_l] blocks of hidden layers 2 … L of a vector laid out like ``params``, as one (L - 1,
        width + 1, width) view (``_stacked`` networks only); of a stack of such vectors, a stack of those views."""
        first = self.weights[0].shape[-2:]
        rows, width = self.weights[1].shape[-2] + 1, self.weights[1].shape[-1]
        start = (first[0] + 1) * first[1]
        return flat[..., start : start + (len(self.weights) - 2) * rows * width].reshape(*flat.shape[:-1], -1, rows,
                                                                                        width)

    def blocks(self, flat: np.ndarray) -> list[np.ndarray]:
        """Split a vector laid out like ``params`` into the per-layer [W; b] blocks (views); a stack of such vectors
        (..., params) into stacks of blocks (..., fan_in + 1, fan_out)."""
        shapes = [(w.shape[-2] + 1, w.shape[-1]) for w in self.weights]
        ends = np.cumsum([rows * cols for rows, cols in shapes])
        return [flat[..., end - rows * cols : end].reshape(*flat.shape[:-1], rows, cols)
                for (rows, cols), end in zip(shapes, ends)]

    def forward(self, X: np.ndarray):
        """Return pre-activations z_l and activations a_l of the hidden layers (a_0 = X), and the logits."""
        X1 = with_ones(X)
        passes = self._forward(X1, Passes(self, len(X), backward=False))
        return ([z.T for z in passes.zs], [X1[:-1].T] + passes.hidden(), passes.logits.T)

    def _forward(self, X1: np.ndarray, passes: Passes, blocks: list[np.ndarray] | None = None) -> Passes:
        """``forward`` with examples as columns, from X1 = [Xᵀ; 1], into ``passes``' arrays:
        z_l = [W_l; b_l]ᵀ·[a_{l-1}; 1], a_l = f(z_l), the logits [W; b]ᵀ·[a_depth; 1]; with the [W_l; b_l]
        ``blocks`` of another vector laid out like ``params`` (a float32 copy), if given, or of a stack of them, whose
        passes are one stack of products per layer (``passes`` made for that stack, ``LogitPasses``)."""
        blocks, inputs, f = blocks or self._blocks, X1, self.activation.fn
        for block, z, a1, a in zip(blocks[:-1], passes.zs, passes.activations, passes.units):
            np.matmul(block.mT, inputs, out=z)
            f(z, out=a)
            inputs = a1
        np.matmul(blocks[-1].mT, inputs, out=passes.logits)
        return passes

    def backprop(self, X1: np.ndarray, y: np.ndarray, grads: list[np.ndarray], passes: Passes,
                 scale: float = 1.0) -> Passes:
        """Write ``scale``·[dL/dW_l; dL/db_l] into ``grads`` = ``blocks(buffer)``, for X1 = [Xᵀ; 1]
        (``with_ones``), going down from δ = scale·dL/ds of the logits s:

            [dW_l; db_l] = [a_{l-1}; 1]·δ_lᵀ,   δ_{l-1} = (W_l·δ_l) ⊙ f'(z_{l-1})

        ``passes`` (a ``Passes`` for X1's columns) keeps the z_l, a_l, f'(z_l) and logits of this pass.
        SGD passes scale = -lr and adds the buffer to ``params``: one pass for the whole update. A ``stack`` takes a
        stack of buffers, and ``scale`` may be one per member, shaped (members, 1, 1).
        """
        self._forward(X1, passes)
        delta = _output_grad(self.output, passes.logits.mT, y, scale).mT  # one column per example
        slope, top = self.activation.slope, len(self.weights) - 1
        flat = grads[0].base  # the vector ``grads`` are views of, when laid out like ``params``
        if not (self._stacked and flat is not None and flat.shape == self.params.shape):
            for layer in range(top, 0, -1):
                below = layer - 1
                np.matmul(passes.activations[below], delta.mT, out=grads[layer])
                delta = np.matmul(self.weights[layer], delta, out=passes.deltas[below])
                delta *= slope(passes.zs[below], passes.units[below], out=passes.slopes[below])
            np.matmul(X1, delta.mT, out=grads[0])
            return passes
        slope(passes.stacked_zs, passes.stacked_units, out=passes.stacked_slopes)  # every f'(z_l), as ``slopes``
        np.matmul(passes.activations[top - 1], delta.mT, out=grads[top])
        for layer in range(top, 0, -1):
            delta = np.matmul(self.weights[layer], delta, out=passes.deltas[layer - 1])
            delta *= passes.slopes[layer - 1]
        np.matmul(passes.stacked_inputs, passes.stacked_deltas_t, out=passes.stacked_out(self, flat))
        np.matmul(X1, delta.mT, out=grads[0])
        return passes

    def loss_and_grads(self, X: np.ndarray, y: np.ndarray):
        """Cross-entropy loss, its gradients (dW, db per layer) by backpropagation, and the hidden z_l, a_l."""
        gradient_blocks = self.blocks(np.empty_like(self.params))
        passes = self.backprop(with_ones(X), y, gradient_blocks, Passes(self, len(X)))
        grads_w, grads_b = _weights_and_biases(gradient_blocks)
        logits = passes.logits.T
        return (_output_loss(self.output, logits, y), grads_w, grads_b, [z.T for z in passes.zs], passes.hidden(),
                logits)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probability of class 1 for each row of X."""
        with np.errstate(all="ignore"):
            return _probability(self.output, self.forward(np.asarray(X, dtype=float))[2])


class Passes:
    """The arrays of forward and backward passes over ``columns`` examples, made once and reused by every
    pass of that size: per hidden layer z_l, [a_l; 1] (its row of ones written here, once; ``units`` are
    its a_l rows), f'(z_l) and δ_l, each with one column per example; and the logits. The [a_l; 1] lie end
    to end in ``activation_values``, the f'(z_l) in ``slope_values``. For a ``MLP.stack`` every array has the
    members first, and ``member`` gives one member's arrays."""

    def __init__(self, model: MLP, columns: int, backward: bool = True):
        hidden = [w.shape[-1] for w in model.weights[:-1]]
        self.columns, lead = columns, model.params.shape[:-1]
        self.z_values, self.zs = _end_to_end(hidden, columns, lead=lead)
        self.activation_values, self.activations = _end_to_end([units + 1 for units in hidden], columns, lead=lead)
        for a1 in self.activations:
            a1[..., -1, :] = 1
        self.units = [a1[..., :-1, :] for a1 in self.activations]
        self.logits = np.empty((*lead, model.weights[-1].shape[-1], columns))
        self._out: tuple[np.ndarray | None, np.ndarray | None] = (None, None)  # ``stacked_out``'s buffer and view
        if backward:
            self.slope_values, self.slopes = _end_to_end(hidden, columns, lead=lead)
            self.delta_values, self.deltas = _end_to_end(hidden, columns, lead=lead)
        if backward and model._stacked:  # hidden layers of one width: the (layers, rows, columns) views ``backprop``
            stacked_activations = self._stack(self.activation_values)  # takes, made once for every pass
            self.stacked_zs, self.stacked_slopes = self._stack(self.z_values), self._stack(self.slope_values)
            self.stacked_units = stacked_activations[..., :-1, :]  # a_l without its row of ones
            self.stacked_inputs = stacked_activations[..., :-1, :, :]  # [a_l; 1] into layers 2 … L
            self.stacked_deltas_t = self._stack(self.delta_values)[..., 1:, :, :].mT  # δ_l of layers 2 … L

    def member(self, k: int | None) -> Passes:
        """Member ``k``'s share of a stack's passes, as a pass of that network alone holds it (views of the arrays
        its record reads: the logits, the a_l and the values end to end); for one network (k None), these."""
        if k is None:
            return self
        alone = object.__new__(Passes)
        alone.columns, alone.logits, alone.units = self.columns, self.logits[k], [a[k] for a in self.units]
        alone.activation_values, alone.slope_values = self.activation_values[k], self.slope_values[k]
        return alone

    def stacked_out(self, model: MLP, flat: np.ndarray) -> np.ndarray:
        """``model.stacked(flat)``, made once for the buffer these passes write into (a training loop gives each
        of its passes one buffer: the step's, or the epoch's gradient)."""
        if self._out[0] is not flat:
            self._out = (flat, model.stacked(flat))
        return self._out[1]

    def _stack(self, values: np.ndarray) -> np.ndarray:
        """One of the end-to-end arrays of hidden layers of one width as (layers, rows, columns): the z_l, the
        [a_l; 1], the f'(z_l) or the δ_l (with the members first, for a stack)."""
        return values.reshape(*values.shape[:-1], len(self.zs), -1, self.columns)

    def hidden(self) -> list[np.ndarray]:
        """The hidden activations a_l, one row per example (views)."""
        return [a.T for a in self.units]


class LogitPasses:
    """The arrays of forward passes over ``columns`` examples that want only the logits, in ``dtype``, for one
    parameter vector or for a stack of ``stack`` of them at once (each array then (stack, rows, columns)): every z_l
    is written into one buffer, and each [a_l; 1] into one of two of its width, layer by layer in turn (the row of
    ones written once), so that a pass holds two layers' values, not every layer's. A ``MLP.stack``'s own passes
    have its members first."""

    def __init__(self, model: MLP, columns: int, dtype: type = np.float64, stack: int | None = None):
        hidden = [w.shape[-1] for w in model.weights[:-1]]
        lead = model.params.shape[:-1] if stack is None else (stack,)
        z = np.empty((*lead, max(hidden, default=0) * columns), dtype)
        self.zs = [z[..., : units * columns].reshape(*lead, units, columns) for units in hidden]
        turns: dict[tuple[int, int], np.ndarray] = {}  # (width, layer's parity): a_l and a_{l+1} are never one
        for layer, units in enumerate(hidden):
            if (units, layer % 2) not in turns:
                turns[units, layer % 2] = np.empty((*lead, units + 1, columns), dtype)
                turns[units, layer % 2][..., -1, :] = 1
        self.activations = [turns[units, layer % 2] for layer, units in enumerate(hidden)]
        self.units = [a1[..., :-1, :] for a1 in self.activations]
        self.logits = np.empty((*lead, model.weights[-1].shape[-1], columns), dtype)

    @staticmethod
    def nbytes(model: MLP, columns: int, dtype: type) -> int:
        """What the arrays of one parameter vector's passes take."""
        hidden = [w.shape[1] for w in model.weights[:-1]]
        turns = {(units, layer % 2): units + 1 for layer, units in enumerate(hidden)}
        values = max(hidden, default=0) + sum(turns.values()) + model.weights[-1].shape[1]
        return values * columns * np.dtype(dtype).itemsize


def _end_to_end(rows: list[int], columns: int, dtype: type = float,
                lead: tuple[int, ...] = ()) -> tuple[np.ndarray, list[np.ndarray]]:
    """One flat array and its consecutive (rows[i], columns) views; with a ``lead``, one such array and its views per
    index of it, (*lead, values) and (*lead, rows[i], columns)."""
    values = np.empty((*lead, sum(rows) * columns), dtype=dtype)
    starts = np.cumsum([0, *rows]) * columns
    return values, [values[..., start:end].reshape(*lead, count, columns)
                    for count, start, end in zip(rows, starts, starts[1:])]


def _probability(output: str, logits: np.ndarray) -> np.ndarray:
    """p(class 1) from the logits, one row per example (of each of a stack of passes, (..., examples, outputs))."""
    if output == "sigmoid":
        return _sigmoid(logits[..., 0])
    return _softmax(logits)[..., 1]


_sigmoid = get_activation("sigmoid").fn  # σ(s) = (1 + tanh(s/2))/2: no overflow for large |s|


def _weights_and_biases(blocks: list[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The W and b views of per-layer [W; b] blocks (or of stacks of them)."""
    return [block[..., :-1, :] for block in blocks], [block[..., -1, :] for block in blocks]


def with_ones(X: np.ndarray) -> np.ndarray:
    """[Xᵀ; 1]: the examples as columns, with a row of ones below (see ``MLP``)."""
    X1 = np.empty((X.shape[1] + 1, len(X)))
    X1[:-1] = X.T
    X1[-1] = 1
    return X1


def _softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _output_loss(output: str, logits: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy, each example's term computed on its own so that none cancels another:

        sigmoid:  log(1 + e^{-m}),  m = (2y - 1)·s the margin    (``logaddexp(0, -m)``: |m| for a huge wrong m)
        softmax:  log1p(Σ_{k ≠ max} e^{s_k - s_max}) - (s_y - s_max)   (log1p: a term of 10⁻⁴ keeps its digits)

    Every term is ≥ 0, and ≥ ln 2 for a misclassified example (m ≤ 0), so the mean is never below
    (1 - accuracy)·ln 2; it is inf or NaN exactly when a logit is.
    """
    if output == "sigmoid":
        margins = np.where(y == 1, logits[:, 0], -logits[:, 0])
        return float(np.mean(np.logaddexp(0, -margins)))
    shifted = logits - logits.max(axis=1, keepdims=True)
    others = np.exp(shifted)
    others[np.arange(len(y)), shifted.argmax(axis=1)] = 0  # the largest term is e^0 = 1: log1p of the rest
    return float(np.mean(np.log1p(others.sum(axis=1)) - shifted[np.arange(len(y)), y]))


def _output_grad(output: str, logits: np.ndarray, y: np.ndarray, scale: float) -> np.ndarray:
    """scale·dL/ds for the logits s (see the module docstring), of one network or of a stack (members first)."""
    if output == "sigmoid":
        grad = _sigmoid(logits)
        grad -= y[:, None]
    else:
        grad = _softmax(logits)
        grad[..., np.arange(len(y)), y] -= 1
    grad *= scale / len(y)
    return grad


def init_mlp(*, activation, scheme, output, bias, rng, depth: int | None = None, width: int | None = None,
             widths: Sequence[int] | None = None, bias_std: float = 0.0, bias_rng: np.random.Generator | None = None,
             zero_output: bool = False, **scheme_params) -> MLP:
    """Every weight layer, output included, drawn from ``scheme`` with ``rng``; every bias ``bias``, plus
    N(0, ``bias_std``²) drawn from ``bias_rng`` where ``bias_std`` > 0 (the weights' draws stay the same).
    The layers: ``widths`` = (n_0, n_1, …, n_L), W_l shaped (n_{l-1}, n_l), or 2 inputs and ``depth`` layers of
    ``width`` units; then the output layer, whose weights ``zero_output`` sets to 0 once drawn (as Fixup starts a
    network: the hidden layers' draws stay the same)."""
    dims = [*layer_widths(depth=depth, width=width, widths=widths), 1 if output == "sigmoid" else 2]
    weights = [init_weights(scheme, fan_in, fan_out, rng, dtype=np.float64, **scheme_params)
               for fan_in, fan_out in zip(dims[:-1], dims[1:])]
    if zero_output:
        weights[-1][...] = 0
    biases = [np.full(fan_out, float(bias)) for fan_out in dims[1:]]
    if bias_std:
        for b in biases:
            b += bias_std * bias_rng.standard_normal(b.size)
    return MLP(weights, biases, get_activation(activation), output)


def distinct_units(activations: np.ndarray, tolerance: float = COPY_TOLERANCE) -> int:
    """How many columns (units) compute a number on every example and are not copies of an earlier one.

    Two units are copies if their outputs differ by at most ``tolerance`` times the larger of the two units' largest
    |output|: relative to the pair's own size, so that a layer of tiny but different outputs (small init) is not
    mistaken for a symmetric one, nor are units a millionth the size of the layer's largest (weights that blew up
    leave a layer's units 20 orders of magnitude apart) copies of one another.
    A unit whose output overflowed to inf/NaN counts as none: NaN equals nothing, so after a diverged run
    every unit would otherwise count as distinct from every other.
    """
    finite = np.isfinite(activations).all(axis=0)
    return _distinct_counts(activations.T[finite][None], tolerance)[0]


def _distinct_counts(units: np.ndarray, tolerance: float = COPY_TOLERANCE) -> list[int]:
    """``distinct_units`` of each layer of finite ``units`` shaped (layers, units, examples).

    Counted greedily in unit order (a unit is new unless a unit counted before it is its copy), but only among
    the units ``_possible_copies`` finds within the layer's widest limit (``tolerance`` times its largest |output|,
    which bounds every pair's own): any other unit has no copy at all and counts. In each round, the first
    candidate left in each layer counts and takes every later candidate of its layer that is its copy out of
    the running, every layer at once, until none is left. (Most layers of a trained deep ReLU network hold a
    few dead units, copies of one another: visiting the layers one by one cost more than the sums.)
    """
    largest = np.maximum(units.max(axis=(1, 2), initial=0.0), -units.min(axis=(1, 2), initial=0.0))
    limits = tolerance * largest
    possible = _possible_copies(units, limits, largest)
    counts = np.count_nonzero(~possible, axis=1)
    layer, unit = np.nonzero(possible)  # the candidates, layer by layer, each layer's in unit order
    size = np.abs(units[layer, unit]).max(axis=1, initial=0.0)  # each candidate's largest |output|
    while layer.size:
        starts = np.diff(layer, prepend=-1) != 0
        first = np.flatnonzero(starts)  # the first candidate left in each layer: it counts
        counts[layer[first]] += 1
        leads = first[np.cumsum(starts) - 1]  # where each candidate's layer's first is
        apart = (np.abs(units[layer, unit] - units[layer, unit[leads]]).max(axis=1, initial=0.0)
                 > tolerance * np.maximum(size, size[leads]))
        layer, unit, size = layer[apart], unit[apart], size[apart]
    return counts.tolist()


def _possible_copies(units: np.ndarray, limits: np.ndarray, largest: np.ndarray) -> np.ndarray:
    """Which units (rows of each layer of ``units``, n values each, |values| ≤ ``largest``) may be within the
    layer's limit of another unit in every value: those whose sum with fixed random signs s, u·s, lies within
    n·limit of another unit's, as a copy's must (|u·s - v·s| ≤ Σ|u_k - v_k| ≤ n·limit), plus the float rounding
    of the sums (each within n·eps·n·largest of its exact value). Every unit of a layer where that bound could
    overflow or underflow."""
    examples = units.shape[2]
    sums = units @ _random_signs(examples)
    windows = examples * (limits + 4 * examples * np.finfo(float).eps * largest)
    order = np.argsort(sums, axis=1)
    near = np.diff(np.take_along_axis(sums, order, axis=1), axis=1) <= windows[:, None]  # neighbours in that order
    flagged = np.zeros(sums.shape, dtype=bool)
    flagged[:, 1:] |= near
    flagged[:, :-1] |= near
    possible = np.empty_like(flagged)
    np.put_along_axis(possible, order, flagged, axis=1)
    possible[~((largest > 1e-290) & (largest < 1e290))] = True
    return possible


@functools.lru_cache(maxsize=8)
def _random_signs(n: int) -> np.ndarray:
    """n signs ±1, the same on every call (read-only)."""
    signs = np.random.default_rng(n).choice([-1.0, 1.0], n)
    signs.flags.writeable = False
    return signs


SNAPSHOT_RANGE = (0, 200)
SNAPSHOT_GRID = 30  # points per side of a snapshot's decision grid: a film's frame, cheaper than the lab's 60
SNAPSHOT_SAMPLE = 1024  # values per layer a snapshot bins: ~25 per bin of a film's 40, a quarter of a lesson's sample


@dataclass(frozen=True)
class Snapshot:
    """The network at one epoch of training; epoch 0 is the initialization, before any step.

    ``layers`` has one row per hidden layer l: ``weight_std`` (of W_l, the weights into it), ``act_var`` (of
    its activations a_l over the training set), ``grad_var`` (of dL/dW_l's entries), ``frac_dead`` (share of
    a_l exactly 0), ``distinct_units`` (units that are not copies of another, ``distinct_units``). The
    histograms bin W_l, a_l and dL/dW_l per hidden layer; ``boundary`` is p(class 1) on a
    ``SNAPSHOT_GRID`` × ``SNAPSHOT_GRID`` grid over [-2, 2]² (the lab's final panels use ``DECISION_GRID``).
    ``table`` holds ``layers``' columns, which becomes a DataFrame when first read.
    """

    epoch: int
    table: dict[str, np.ndarray]
    weight_hist: LayerHistograms
    act_hist: LayerHistograms
    grad_hist: LayerHistograms
    boundary: np.ndarray

    @functools.cached_property
    def layers(self) -> pd.DataFrame:
        return pd.DataFrame(self.table)


@dataclass(frozen=True)
class _Recorded:
    """A snapshot as ``_sgd`` records it (``_Film``, or ``_shaped_snapshot``): its table and the samples of each kind
    its histograms bin (``histograms`` bins every snapshot of a run together at the end)."""

    epoch: int
    table: dict[str, np.ndarray]
    samples: dict[str, LayerSamples]  # "weight", "act", "grad"
    boundary: np.ndarray


FILM_BATCH_BYTES = 8 * 2**20  # what the snapshots of a film waiting to be reduced together may hold (``_Film``)


class _Film:
    """The snapshots of a run whose hidden layers are all one width, reduced many at a time: each snapshot's
    parameters, gradient and activations over the training set are copied into buffers that hold as many as
    ``FILM_BATCH_BYTES`` allow (and the run has). When they are full, and at the end (``flush``), every column of
    the snapshots' tables, their histograms' samples, their distinct units and their boundaries (one stacked
    forward pass over the snapshot grid) take a few numpy calls for all of them. A network whose snapshot alone
    fills the buffers is reduced as it comes, from the pass's own arrays. At 5 layers of 32 units a film costs
    about 35 ms a run so, and about 45 ms with each snapshot reduced alone (``benchmarks/README.md``)."""

    def __init__(self, model: MLP, examples: int, snapshots: int):
        self.model = model
        self.depth, self.width = len(model.weights) - 1, model.weights[0].shape[1]
        self.capacity = max(1, min(FILM_BATCH_BYTES // self.snapshot_bytes(model, examples), snapshots))
        held = self.capacity if self.capacity > 1 else 0
        self.params = np.empty((held, model.params.size))
        self.gradients = np.empty_like(self.params)
        self.activations = np.empty((held, self.depth, self.width, examples))
        self.epochs: list[int] = []
        self.recorded: list[_Recorded] = []
        self.grids: dict[int, _Evaluation] = {}  # by how many snapshots they pass at once

    @staticmethod
    def snapshot_bytes(model: MLP, examples: int) -> int:
        """What one snapshot of ``model`` waiting takes: its parameters and gradient, its activations over
        ``examples``, and its share of the stacked pass over the snapshot grid (parameters and arrays in float32)."""
        units = sum(w.shape[1] for w in model.weights[:-1])
        return (8 * (2 * model.params.size + units * examples) + 4 * model.params.size
                + LogitPasses.nbytes(model, SNAPSHOT_GRID**2, np.float32))

    def record(self, epoch: int, evaluation: Passes, gradient: np.ndarray) -> None:
        """Keep the network at ``epoch``, from the end-of-epoch pass over the training set ``evaluation`` and its
        gradient (laid out like ``params``)."""
        activations = evaluation.activation_values.reshape(self.depth, self.width + 1, -1)[:, :-1]
        if self.capacity == 1:
            self.recorded += self._reduced([epoch], self.model.params[None], gradient[None], activations[None])
            return
        held = len(self.epochs)
        self.params[held], self.gradients[held], self.activations[held] = self.model.params, gradient, activations
        self.epochs.append(epoch)
        if held + 1 == self.capacity:
            self.flush()

    def flush(self) -> None:
        """Reduce the snapshots that wait."""
        held = len(self.epochs)
        if held:
            self.recorded += self._reduced(self.epochs, self.params[:held], self.gradients[:held],
                                           self.activations[:held])
            self.epochs = []

    def _reduced(self, epochs: list[int], params: np.ndarray, gradients: np.ndarray,
                 activations: np.ndarray) -> list[_Recorded]:
        """The snapshots at ``epochs`` from their parameters and gradients (snapshots, params) and their
        activations (snapshots, depth, width, examples). Finite variances mean finite activations. Where some
        |a| passes 1e154 its square overflows, and the slower count of distinct units, which finds the finite
        units itself, is taken for that snapshot."""
        depth, width, inputs = self.depth, self.width, self.model.weights[0].shape[0]
        first_weights, weights = _hidden_layers(params, depth, width, inputs)
        first_gradients, weight_gradients = _hidden_layers(gradients, depth, width, inputs)
        act_var = _stats.layer_variances(activations)
        columns = dict(
            weight_std=np.column_stack([_stats.spreads(first_weights, axis=(-2, -1)),
                                        _stats.spreads(weights, axis=(-2, -1))]),
            act_var=act_var,
            grad_var=np.column_stack([np.var(first_gradients, axis=(-2, -1)),
                                      _stats.layer_variances(weight_gradients)]),
            frac_dead=np.count_nonzero(activations == 0, axis=(-2, -1)) / (width * activations.shape[-1]),
            distinct_units=_distinct_stack(activations, np.isfinite(act_var).all(axis=1)))
        samples = dict(weight=stacked_layer_samples([first_weights[:, None], weights], SNAPSHOT_SAMPLE),
                       act=stacked_layer_samples([activations.mT], SNAPSHOT_SAMPLE),
                       grad=stacked_layer_samples([first_gradients[:, None], weight_gradients], SNAPSHOT_SAMPLE))
        count = len(epochs)
        if count not in self.grids:
            self.grids[count] = _Evaluation(self.model, _decision_points(SNAPSHOT_GRID), np.float32, stack=count)
        boundaries = _boundaries(self.model, self.grids[count], params)
        layers = np.arange(1, depth + 1)
        return [_Recorded(epoch, dict(layer=layers) | {name: column[k] for name, column in columns.items()},
                          {kind: picked[k] for kind, picked in samples.items()}, boundaries[k])
                for k, epoch in enumerate(epochs)]


def _distinct_stack(activations: np.ndarray, finite: np.ndarray) -> np.ndarray:
    """The distinct units of each layer of a stack of snapshots' ``activations`` (snapshots, depth, width,
    examples): those of the ``finite`` snapshots in one ``_distinct_counts``, any other's layer by layer
    (``distinct_units``, which finds a layer's finite units)."""
    count, depth, width, examples = activations.shape
    counts = np.empty((count, depth), dtype=int)
    together = activations if finite.all() else activations[finite]
    counts[finite] = np.reshape(_distinct_counts(together.reshape(-1, width, examples)), (-1, depth))
    for k in np.flatnonzero(~finite):
        counts[k] = [distinct_units(a.T) for a in activations[k]]
    return counts


def _binned(recorded: list[_Recorded]) -> list[Snapshot]:
    """The ``Snapshot``s of a run's recorded ones, each kind of histogram binned for all of them in one pass."""
    kinds = {kind: histograms([r.samples[kind] for r in recorded]) for kind in ("weight", "act", "grad")}
    return [Snapshot(r.epoch, r.table, kinds["weight"][i], kinds["act"][i], kinds["grad"][i], r.boundary)
            for i, r in enumerate(recorded)]


def snapshot_epochs(epochs: int, snapshots: int) -> list[int]:
    """``snapshots`` + 1 epochs evenly spaced from 0 to ``epochs`` (each epoch at most once), or none."""
    if not snapshots:
        return []
    return sorted({int(round(epoch)) for epoch in np.linspace(0, epochs, snapshots + 1)})


def _shaped_snapshot(epoch: int, model: MLP, evaluation: Passes, gradient: np.ndarray,
                     boundary: np.ndarray) -> _Recorded:
    """A snapshot (``_Film``) of hidden layers of different widths: the same table and histograms, layer by layer."""
    activations = evaluation.units  # a_l, (n_l, examples) each
    weights = model.weights[:-1]  # W_l, (n_{l-1}, n_l) each
    gradients = _weights_and_biases(model.blocks(gradient)[:-1])[0]
    table = dict(
        layer=np.arange(1, len(activations) + 1),
        weight_std=np.array([_stats.spreads(w, axis=(-2, -1)) for w in weights]),
        act_var=np.array([np.var(a) for a in activations]),
        grad_var=np.array([np.var(g) for g in gradients]),
        frac_dead=np.array([np.count_nonzero(a == 0) / a.size for a in activations]),
        distinct_units=np.array([distinct_units(a.T) for a in activations]))
    return _Recorded(epoch, table, dict(weight=layer_samples(list(weights), SNAPSHOT_SAMPLE),
                                        act=layer_samples([a.T for a in activations], SNAPSHOT_SAMPLE),
                                        grad=layer_samples(gradients, SNAPSHOT_SAMPLE)), boundary)


def _hidden_layers(flat: np.ndarray, depth: int, width: int, inputs: int = INPUTS) -> tuple[np.ndarray, np.ndarray]:
    """The weights W_1 (inputs, width) and W_2 … W_depth stacked (depth - 1, width, width) of a vector laid out
    like ``MLP.params`` (views), for hidden layers all ``width`` wide; of a stack of such vectors (..., params),
    stacks of both (..., inputs, width) and (..., depth - 1, width, width)."""
    start, lead = (inputs + 1) * width, flat.shape[:-1]
    first = flat[..., :start].reshape(*lead, inputs + 1, width)[..., :-1, :]
    rest = flat[..., start : start + (depth - 1) * (width + 1) * width].reshape(*lead, depth - 1, width + 1, width)
    return first, rest[..., :-1, :]


def _decision_points(resolution: int = DECISION_GRID, bound: float = 2.0) -> np.ndarray:
    """The decision grid's points, row by row, as ``TrainingRun.decision_grid`` lays them out."""
    axis = np.linspace(-bound, bound, resolution)
    gx, gy = np.meshgrid(axis, axis)
    return np.column_stack([gx.ravel(), gy.ravel()])


@dataclass
class TrainingRun:
    """What ``train`` returns: per-epoch history, per-layer gradient norms, and the trained model."""

    history: pd.DataFrame  # epoch, loss, accuracy, test_accuracy, grad_norm_first, grad_norm_last, saturation
    grad_norms: pd.DataFrame  # epoch, layer, grad_norm (layer depth+1 is the output layer)
    diverged: bool
    diverged_epoch: int | None
    overflowed: str | None  # what became inf/NaN at diverged_epoch: "loss", else "gradient", else "weights"
    distinct_neurons: list[int]  # per hidden layer, after training
    initial_distinct_neurons: list[int]
    model: MLP
    initial_weights: list[np.ndarray]
    data: dict = field(repr=False)
    settings: dict = field(default_factory=dict)
    snapshots: list[Snapshot] = field(default_factory=list, repr=False)

    def moved(self) -> np.ndarray:
        """How far each hidden layer's weights moved over the run, as a share of their size at epoch 0:
        ‖W_l - W_l(0)‖_F / ‖W_l(0)‖_F, layer 1 first (inf where weights that started at 0 moved, NaN where they
        did not)."""
        with np.errstate(all="ignore"):  # a diverged run's weights overflow: inf or NaN
            return np.array([np.linalg.norm(now - then) / np.linalg.norm(then)
                             for now, then in zip(self.model.weights[:-1], self.initial_weights[:-1])])

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Probability of class 1 for each row of X (for decision-boundary plots)."""
        X, inputs = np.asarray(X, dtype=float), self.model.weights[0].shape[0]
        if X.ndim != 2 or X.shape[1] != inputs:
            raise ValueError(f"X shaped {X.shape}; expected one row of {inputs} coordinates per point, (n, {inputs})")
        return self.model.predict_proba(X)

    def decision_grid(self, resolution: int = DECISION_GRID, bound: float = 2.0):
        """Class-1 probability on a resolution × resolution grid over [-bound, bound]²: (xs, ys, P)."""
        resolution = _validate.integer("resolution", resolution, 2, 400)
        axis = np.linspace(-bound, bound, resolution)
        return axis, axis, self.predict(_decision_points(resolution, bound)).reshape(resolution, resolution)


def described(*, activation: str, scheme: str, depth: int | None = None, width: int | None = None,
              widths: Sequence[int] | None = None, residual: float | None = None, norm: str | None = None,
              bias_std: float = 0.0, **scheme_params) -> Network:
    """The network ``train`` trains, as ``initcore.network.network`` describes it within the lab's ranges of depth
    and width: widths (2, n_1, …, n_L), the input's ``INPUTS`` features and then the hidden layers (the output layer
    is ``train``'s ``output``, on top). Give ``depth`` hidden layers of ``width`` units, or ``widths``, whose n_0
    must be 2; a ``depth`` given with ``widths`` must be len(widths) - 1 and ``width`` is then not read. Residual
    blocks and norms are refused: the lab trains plain networks (``initcore.simulate`` runs the others)."""
    if residual is not None or norm is not None:
        raise ValueError(f"residual={residual!r}, norm={norm!r}: the training lab trains plain networks; "
                         f"residual/norm are simulated only (initcore.simulate, initcore.theory); leave both None")
    ranges = dict(width_range=WIDTH_RANGE, depth_range=DEPTH_RANGE)
    if widths is None:
        net = network(activation=activation, scheme=scheme, depth=depth, width=width, bias_std=bias_std, **ranges,
                      **scheme_params)
        return dataclasses.replace(net, widths=(INPUTS, *net.widths[1:]))
    net = network(activation=activation, scheme=scheme, depth=depth, widths=widths, bias_std=bias_std, **ranges,
                  **scheme_params)
    if net.widths[0] != INPUTS:
        raise ValueError(f"widths[0]={net.widths[0]}: the input width n_0 must be {INPUTS}, the features of every "
                         f"data set; give widths=({INPUTS}, n_1, …, n_L)")
    return net


def _check(net: Network, epochs, lr, batch_size, momentum, output, bias, n):
    """``train``'s settings, validated, for the network ``net`` (``described``)."""
    return dict(
        depth=net.depth,
        width=max(net.widths[1:]),
        widths=net.widths,
        epochs=_validate.integer("epochs", epochs, *EPOCH_RANGE),
        lr=_validate.real("lr", lr, *LR_RANGE, low_open=True),
        batch_size=_validate.integer("batch_size", batch_size, *BATCH_RANGE),
        momentum=_validate.real("momentum", momentum, *MOMENTUM_RANGE),
        output=_validate.choice("output", output, OUTPUTS),
        bias=_validate.real("bias", bias, -10.0, 10.0),
        n=_validate.integer("n", n, *N_RANGE),
        params=dict(net.params),
        bias_std=net.bias_std,
    )


def layer_widths(*, depth: int | None = None, width: int | None = None,
                 widths: Sequence[int] | None = None) -> tuple[int, ...]:
    """(n_0, n_1, …, n_L) of a training network given either way: ``widths`` as it is, or the 2 inputs and ``depth``
    layers of ``width`` units. Not validated: ``described`` does that."""
    if widths is not None:
        return tuple(int(units) for units in widths)
    if depth is None or width is None:
        raise ValueError(f"depth={depth!r}, width={width!r}; give depth and width, or widths=(2, n_1, …, n_L)")
    return (INPUTS,) + (int(width),) * int(depth)


def training_work(*, epochs: int, n: int, depth: int | None = None, width: int | None = None,
                  widths: Sequence[int] | None = None, batch_size: int = 64, test_fraction: float = 0.2,
                  snapshots: int = 0) -> float:
    """What one run of the network ``widths`` = (2, n_1, …, n_L) (or ``depth`` layers of ``width`` units) costs, in
    multiply-adds and their equals, as measured on the 2-core machine (time ≈ 6.8·10⁻¹¹ s per unit, within 20 %
    from 1 layer of 4 units to 50 of 32 or 30 of 128). With P = Σ n_(l-1)·n_l + n_L the products of one example
    through every layer, the output's included (for square layers 2·width + (depth - 1)·width² + width):

    * the products: 3·P per training example per epoch (forward, two backward), 3·P more per training example
      and P per test example for each epoch's evaluation (epoch 0 included), and P per point of the
      ``DECISION_GRID``² decision grid;
    * ``STEP_COST`` for each layer of each numpy step (mini-batch or evaluation), which is what narrow layers
      cost: at 16 units a step does few multiply-adds and many calls;
    * ``COUNT_COST`` per activation (Σ n_l of them) of each training example in counting the distinct units before
      and after training;
    * for each snapshot (``snapshot_epochs``: none, or min(``snapshots``, ``epochs``) + 1): ``SNAPSHOT_COST``,
      3 ``STEP_COST`` per layer (its pass over the snapshot grid, its statistics) and ``SNAPSHOT_VALUE_COST``
      per value it reduces and bins (each layer's activations on the training set, its weights and their
      gradients), within 25 % of what was measured from 1 layer of 4 units to 30 of 128.
    """
    shape = layer_widths(depth=depth, width=width, widths=widths)
    depth = len(shape) - 1
    weights = sum(fan_in * fan_out for fan_in, fan_out in zip(shape, shape[1:]))  # Σ n_(l-1)·n_l
    units = sum(shape[1:])  # Σ n_l: the activations of one example
    per_example = weights + shape[-1]
    n_test = int(round(n * test_fraction))
    n_train = n - n_test
    steps = -(-n_train // batch_size)
    products = per_example * (3 * n_train * epochs + (3 * n_train + n_test) * (epochs + 1) + DECISION_GRID**2)
    calls = (depth + 1) * (steps * epochs + 2 * (epochs + 1) + 1)
    values = units * n_train + 2 * weights
    per_snapshot = SNAPSHOT_COST + 3 * STEP_COST * depth + SNAPSHOT_VALUE_COST * values
    filming = len(snapshot_epochs(epochs, snapshots)) * per_snapshot
    return float(products + STEP_COST * calls + COUNT_COST * 2 * units * n_train + filming)


def max_epochs(*, depth: int | None = None, width: int | None = None, widths: Sequence[int] | None = None,
               n: int = 500, runs: int = 1, batch_size: int = 64, snapshots: int = 0) -> int:
    """The most epochs that ``runs`` trainings of this size (``depth`` × ``width``, or ``widths``), each filmed with
    ``snapshots`` (``train``), may have within ``MAX_WORK`` (0 if none fit). Up to ``snapshots`` epochs, each epoch
    adds a snapshot too."""
    size = dict(widths=layer_widths(depth=depth, width=width, widths=widths), n=n, batch_size=batch_size,
                snapshots=snapshots)
    budget = MAX_WORK / runs
    fixed = training_work(epochs=0, **size)
    per_epoch = training_work(epochs=1, **size) - fixed  # an epoch and, while there are fewer, a snapshot
    few = int((budget - fixed) // per_epoch)
    if few < snapshots or not snapshots:
        return max(few, 0)
    filmed = training_work(epochs=snapshots, **size)  # every snapshot taken: from here an epoch costs less
    return snapshots + int((budget - filmed) // (training_work(epochs=snapshots + 1, **size) - filmed))


def fit_budget(schemes, *, epochs: int, depth: int | None = None, width: int | None = None,
               widths: Sequence[int] | None = None, n: int = 500, snapshots: int = 0) -> tuple[list[str], int]:
    """The schemes and epochs that ``compare`` can train (each filmed with ``snapshots``, as ``train`` is) within
    ``MAX_WORK``: first fewer epochs, then, where not even one epoch of every scheme fits, the last schemes left
    out (the first always kept). The network: ``depth`` × ``width``, or ``widths``."""
    size = dict(widths=layer_widths(depth=depth, width=width, widths=widths), n=n, snapshots=snapshots)
    kept = list(schemes)
    while len(kept) > 1 and max_epochs(runs=len(kept), **size) < 1:
        kept.pop()
    return kept, min(epochs, max_epochs(runs=len(kept), **size))


def train(*, dataset: str, activation: str, scheme: str, epochs: int, lr: float, depth: int | None = None,
          width: int | None = None, widths: Sequence[int] | None = None, seed: int = 0, batch_size: int = 64,
          n: int = 500, noise: float = 0.1, test_fraction: float = 0.2, momentum: float = 0.0,
          output: str = "sigmoid", bias: float = 0.0, bias_std: float = 0.0, residual: float | None = None,
          norm: str | None = None, snapshots: int = 0, zero_output: bool = False,
          progress: Callable[[dict], object] | None = None, **scheme_params) -> TrainingRun:
    """Train an MLP on a toy data set from ``scheme``'s initialization; see the module docstring. The network is
    ``depth`` hidden layers of ``width`` units, or ``widths`` = (2, n_1, …, n_L) (``described``); ``residual`` and
    ``norm`` are refused with a ValueError (the lab trains plain networks). ``zero_output`` starts the output
    layer's weights at 0, the hidden layers as drawn (``init_mlp``). ``progress``, if given, is called with each
    epoch's row of the history (a dict of its columns) as soon as the epoch ends, epoch 0 first: a page can draw
    the loss so far while the run goes on."""
    settings = {name: value for name, value in locals().items() if name != "scheme_params"}
    return train_all([settings | scheme_params])[0]


_TRAIN = inspect.signature(train)  # its keywords and defaults, which ``train_all`` fills in

STACK_BYTES = 16 * 2**20  # what the arrays of runs stepped together (``train_all``) may take


@dataclass(frozen=True)
class _Plan:
    """One run as ``train``'s keywords ask for it, validated: its checked settings ``c``, what its ``TrainingRun``
    reports as its ``settings``, and the rest of its keywords. ``together`` is what runs stepped together must
    share (everything but their initialization and learning rate)."""

    c: dict
    settings: dict
    keywords: dict

    @property
    def together(self) -> tuple:
        k, c = self.keywords, self.c
        return (k["dataset"], c["n"], k["noise"], k["test_fraction"], k["seed"], c["widths"], k["activation"],
                c["output"], c["epochs"], c["batch_size"], c["momentum"])

    @property
    def nbytes(self) -> int:
        """About what this run's arrays take in a stack: four values per unit and example (z, a, f'(z) and δ of
        the end-of-epoch pass; the mini-batches' and the test set's are smaller) and five per parameter."""
        widths = self.c["widths"]
        parameters = sum((fan_in + 1) * fan_out for fan_in, fan_out in zip(widths, widths[1:]))
        return 8 * (4 * sum(widths[1:]) * self.c["n"] + 5 * parameters)


def _plan(keywords: dict) -> _Plan:
    """``train``'s ``keywords``, its defaults filled in, validated and held to the training budget."""
    bound = _TRAIN.bind(**keywords)
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    scheme_params = arguments.pop("scheme_params")
    return _planned(**arguments, **scheme_params)


def _planned(*, dataset, activation, scheme, epochs, lr, depth, width, widths, seed, batch_size, n, noise,
             test_fraction, momentum, output, bias, bias_std, residual, norm, snapshots, zero_output, progress,
             **scheme_params) -> _Plan:
    """``_plan`` of every keyword of ``train`` given."""
    net = described(activation=activation, scheme=scheme, depth=depth, width=width, widths=widths,
                    residual=residual, norm=norm, bias_std=bias_std, **scheme_params)
    c = _check(net, epochs, lr, batch_size, momentum, output, bias, n)
    c["snapshots"] = _validate.integer("snapshots", snapshots, *SNAPSHOT_RANGE)
    seed = _validate.integer("seed", seed, 0, 2**32 - 1)
    work = training_work(widths=c["widths"], epochs=c["epochs"], n=c["n"], batch_size=c["batch_size"],
                         test_fraction=test_fraction, snapshots=c["snapshots"])
    if work > MAX_WORK:
        raise ValueError(f"this run needs ~{work:.2g} multiply-adds, over the budget {MAX_WORK:.0e}; "
                         f"lower epochs, depth, width or n")
    shape = dict(depth=c["depth"], width=c["width"]) | (dict(widths=c["widths"]) if widths is not None else {})
    settings = dict(dataset=dataset, **shape, activation=activation, scheme=scheme, epochs=c["epochs"], lr=c["lr"],
                    seed=seed, batch_size=c["batch_size"], n=n, noise=noise, momentum=c["momentum"],
                    output=c["output"], bias=c["bias"], bias_std=c["bias_std"], **c["params"])
    if zero_output:
        settings["zero_output"] = True
    return _Plan(c, settings, dict(dataset=dataset, activation=activation, scheme=scheme, seed=seed, noise=noise,
                                   test_fraction=test_fraction, zero_output=bool(zero_output), progress=progress))


def train_all(runs: Sequence[dict]) -> list[TrainingRun]:
    """``[train(**keywords) for keywords in runs]``, the same to the bit, in less time where runs differ only in their
    initialization (scheme, its params, bias, ``zero_output``) and learning rate: those take their steps together
    (``MLP.stack``), one product per layer for as many of them as ``STACK_BYTES`` holds, and every elementwise step
    once for all of them. At 5 layers of 32 units each numpy call costs more than the arithmetic it does, so five
    networks stepped together cost less than five stepped one after another (``benchmarks/README.md``)."""
    plans = [_plan(keywords) for keywords in runs]
    groups: dict[tuple, list[int]] = {}
    for i, plan in enumerate(plans):
        groups.setdefault(plan.together, []).append(i)
    trained: dict[int, TrainingRun] = {}
    for members in groups.values():
        size = max(1, STACK_BYTES // plans[members[0]].nbytes)
        for start in range(0, len(members), size):
            chunk = members[start : start + size]
            trained.update(zip(chunk, _fit([plans[i] for i in chunk])))
    return [trained[i] for i in range(len(plans))]


def _fit(plans: list[_Plan]) -> list[TrainingRun]:
    """Train the runs of ``plans``, which share everything but their initialization and learning rate, together."""
    c, k = plans[0].c, plans[0].keywords
    data_rng = np.random.default_rng([k["seed"], 0])
    X, y = make_dataset(k["dataset"], c["n"], noise=k["noise"], rng=data_rng)
    X_train, y_train, X_test, y_test = train_test_split(X, y, k["test_fraction"], data_rng)
    models = [init_mlp(widths=c["widths"], activation=k["activation"], scheme=plan.keywords["scheme"],
                       output=c["output"], bias=plan.c["bias"], rng=np.random.default_rng([k["seed"], 1]),
                       bias_std=plan.c["bias_std"], bias_rng=np.random.default_rng([k["seed"], 3]),
                       zero_output=plan.keywords["zero_output"], **plan.c["params"]) for plan in plans]
    initial_weights = [[w.copy() for w in model.weights] for model in models]
    lrs = np.array([plan.c["lr"] for plan in plans])
    lr = c["lr"] if (lrs == c["lr"]).all() else lrs[:, None, None]  # one per member only where they differ
    with np.errstate(all="ignore"):
        tracks = _sgd(models, [(plan.c["snapshots"], plan.keywords["progress"]) for plan in plans], X_train, y_train,
                      X_test, y_test, c, lr, np.random.default_rng([k["seed"], 2]))
    data = dict(X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test)
    return [TrainingRun(history=pd.DataFrame(track.history), grad_norms=_norms_table(track.norms),
                        diverged=track.diverged_epoch is not None, diverged_epoch=track.diverged_epoch,
                        overflowed=track.overflowed, distinct_neurons=track.final,
                        initial_distinct_neurons=track.initial, model=model, initial_weights=weights, data=data,
                        settings=plan.settings, snapshots=track.snapshots)
            for plan, model, weights, track in zip(plans, models, initial_weights, tracks)]


def _accuracy(logits: np.ndarray, y: np.ndarray) -> float:
    """Share of examples whose predicted class, p(class 1) > ½, is y. NaN where the network gives no answer
    for some example (a NaN logit, or a softmax of two infinite logits of one sign), and with no examples:
    a NaN output is no coin flip that lands on class 0."""
    decision = logits[:, 0] if logits.shape[1] == 1 else logits[:, 1] - logits[:, 0]  # > 0: class 1
    if not len(y) or np.isnan(decision).any():
        return float("nan")
    return np.count_nonzero((decision > 0) == y) / len(y)


def _sgd(models: list[MLP], records: list[tuple[int, Callable | None]], X_train, y_train, X_test, y_test, c, lr,
         rng) -> list[_Track]:
    """The training loop of ``models``, networks of one shape stepped together (``_Stepping``) at learning rate ``lr``
    (one, or one per model shaped (models, 1, 1)): each model's record (``_Track``), with its snapshots and its
    ``progress`` (``records``: (snapshots, progress) per model), taken from its share of each end-of-epoch pass until
    it diverges or the epochs end. A model whose record ends leaves the stack: the others step on without it."""
    tracks = [_Track(model, snapshot_epochs(c["epochs"], snapshots), progress, len(y_train))
              for model, (snapshots, progress) in zip(models, records)]
    stepping = _Stepping(tracks, lr, c, len(y_train), X_test)
    X1_train = with_ones(X_train)
    for epoch in range(c["epochs"] + 1):
        if epoch:
            order = rng.permutation(len(y_train))
            stepping.epoch(X1_train[:, order], y_train[order])
        stepping.evaluate(epoch, X1_train, y_train, y_test)
        if not all(track.running for track in stepping.tracks):
            if not any(track.running for track in stepping.tracks):
                break
            stepping = stepping.without_ended()
    return tracks


class _Stepping:
    """What steps the networks of ``tracks`` (of one shape) together: one ``MLP.stack`` of them (the network itself,
    if it is alone), the buffers of its steps and passes, made once, and each track bound to its share of the
    end-of-epoch pass and gradient. ``velocity``, for momentum, carries over from an earlier stepping."""

    def __init__(self, tracks: list[_Track], lr, c: dict, examples: int, X_test: np.ndarray,
                 velocity: np.ndarray | None = None):
        self.tracks, self.lr, self.c = tracks, lr, c
        alone = len(tracks) == 1
        self.model = tracks[0].model if alone else MLP.stack([track.model for track in tracks])
        self.step = np.empty_like(self.model.params)  # -lr · gradient of one mini-batch
        self.step_blocks = self.model.blocks(self.step)
        self.velocity = velocity if velocity is not None or not c["momentum"] else np.zeros_like(self.model.params)
        self.gradient = np.empty_like(self.model.params)  # of the whole training set, once per epoch
        self.gradient_blocks = self.model.blocks(self.gradient)
        self.batch_passes = {size: Passes(self.model, size) for size in {min(c["batch_size"], examples),
                                                                         examples % c["batch_size"]} if size}
        self.evaluation = Passes(self.model, examples)
        self.test = _Evaluation(self.model, X_test)
        self.X_test = X_test
        for k, track in enumerate(tracks):
            track.bind(self.evaluation.member(None if alone else k), self.gradient if alone else self.gradient[k])

    def epoch(self, X1_epoch: np.ndarray, y_epoch: np.ndarray) -> None:
        """One epoch's mini-batch steps, over the training set in the epoch's order."""
        model, step, velocity, size = self.model, self.step, self.velocity, self.c["batch_size"]
        for start in range(0, len(y_epoch), size):
            columns = X1_epoch[:, start : start + size]
            model.backprop(columns, y_epoch[start : start + size], self.step_blocks,
                           self.batch_passes[columns.shape[1]], scale=-self.lr)
            if velocity is not None:
                velocity *= self.c["momentum"]
                velocity += step
                model.params += velocity
            else:
                model.params += step

    def evaluate(self, epoch: int, X1_train: np.ndarray, y_train: np.ndarray, y_test: np.ndarray) -> None:
        """The end-of-epoch pass over the training set, its gradient, and the test set's logits: each track records
        the epoch from its share."""
        self.model.backprop(X1_train, y_train, self.gradient_blocks, self.evaluation)
        test_logits = self.test.logits()
        alone = len(self.tracks) == 1
        for k, track in enumerate(self.tracks):
            track.record(epoch, y_train, test_logits if alone else test_logits[k], y_test, self.c["epochs"])

    def without_ended(self) -> _Stepping:
        """A stepping of the tracks still running, their learning rates and velocities carried over."""
        running = [k for k, track in enumerate(self.tracks) if track.running]
        kept = running[0] if len(running) == 1 else running  # one network alone steps unstacked
        lr = self.lr if np.ndim(self.lr) == 0 else self.lr[kept]
        velocity = None if self.velocity is None else self.velocity[kept]
        return _Stepping([self.tracks[k] for k in running], lr, self.c, self.evaluation.columns, self.X_test,
                         velocity)


class _Track:
    """One network's record of a training (``_sgd``): its history rows, gradient norms, snapshots and distinct units,
    from its share of each end-of-epoch pass over the training set (``bind``), kept while it runs: until its last
    epoch, or one whose loss, gradient or weights are not finite."""

    def __init__(self, model: MLP, wanted: list[int], progress: Callable | None, examples: int):
        self.model, self.progress = model, progress
        hidden = [w.shape[1] for w in model.weights[:-1]]
        self.saturated = _end_to_end(hidden, examples, bool)  # laid out like its f'
        self.wanted = set(wanted)
        self.film = _Film(model, examples, len(wanted)) if wanted and len(set(hidden)) == 1 else None
        self.grid = (_Evaluation(model, _decision_points(SNAPSHOT_GRID), np.float32, stack=1)
                     if wanted and not self.film else None)  # hidden layers of several widths: ``_shaped_snapshot``
        self.history: list[dict] = []
        self.norms: list[list[float]] = []
        self.recorded: list[_Recorded] = []
        self.initial: list[int] | None = None
        self.final: list[int] | None = None
        self.snapshots: list[Snapshot] = []
        self.diverged_epoch: int | None = None
        self.overflowed: str | None = None
        self.running = True

    def bind(self, evaluation: Passes, gradient: np.ndarray) -> None:
        """Read each epoch from ``evaluation`` and ``gradient``, this network's share of a stepping's."""
        self.evaluation, self.gradient = evaluation, gradient
        self.weight_gradients = _weights_and_biases(self.model.blocks(gradient))[0]  # views into gradient

    def record(self, epoch: int, y_train: np.ndarray, test_logits: np.ndarray, y_test: np.ndarray,
               last: int) -> None:
        """Keep ``epoch``: its history row (told to ``progress``), gradient norms and, if wanted, its snapshot;
        end the record at the ``last`` epoch or where the network is no longer finite."""
        model, evaluation, gradient = self.model, self.evaluation, self.gradient
        logits = evaluation.logits.T
        loss = _output_loss(model.output, logits, y_train)
        if self.initial is None:
            self.initial = [distinct_units(a) for a in evaluation.hidden()]
        layer_norms = _stats.norms(self.weight_gradients)  # ‖dL/dW_l‖_F
        self.norms.append(layer_norms)
        saturation = _saturation(evaluation.slope_values, model.activation, *self.saturated)
        finite = np.isfinite(loss) and np.isfinite(gradient).all() and np.isfinite(model.params).all()
        self.history.append(dict(epoch=epoch, loss=loss, accuracy=_accuracy(logits, y_train),
                                 test_accuracy=_accuracy(test_logits, y_test), grad_norm_first=layer_norms[0],
                                 grad_norm_last=layer_norms[-1], saturation=saturation))
        if self.progress is not None:
            self.progress(dict(self.history[-1]))
        if epoch in self.wanted or (self.wanted and not finite):
            if self.film is not None:
                self.film.record(epoch, evaluation, gradient)
            else:
                boundary = _boundaries(model, self.grid, model.params[None])[0]
                self.recorded.append(_shaped_snapshot(epoch, model, evaluation, gradient, boundary))
        if not finite:
            self.diverged_epoch, self.overflowed = epoch, _overflowed(loss, gradient)
        if epoch == last or not finite:
            self._end()

    def _end(self) -> None:
        """The distinct units of the last epoch kept, the snapshots binned, and the network's parameters its own (a
        stack's later steps no longer reach them)."""
        self.final = [distinct_units(a) for a in self.evaluation.hidden()]
        if self.film is not None:
            self.film.flush()
            self.recorded = self.film.recorded
        self.snapshots = _binned(self.recorded)
        if self.model.params.base is not None:
            self.model._bind(self.model.params.copy())
        self.running = False


def _overflowed(loss: float, gradient: np.ndarray) -> str:
    """What of a diverged epoch is not a number: "loss"; where the loss still is, "gradient"; where both are, the
    "weights" the epoch's steps left."""
    if not np.isfinite(loss):
        return "loss"
    return "gradient" if not np.isfinite(gradient).all() else "weights"


def _norms_table(per_epoch: list[list[float]]) -> pd.DataFrame:
    """The ``grad_norms`` table (epoch, layer, grad_norm) from each epoch's ‖dL/dW_l‖, epochs from 0: made from
    columns, as a table of a row per dict took longer than the epochs' products at 30 layers of 32 units."""
    layers = len(per_epoch[0])
    return pd.DataFrame(dict(epoch=np.repeat(np.arange(len(per_epoch)), layers),
                             layer=np.tile(np.arange(1, layers + 1), len(per_epoch)),
                             grad_norm=np.array(per_epoch, dtype=float).reshape(-1)))


def _saturation(slopes: np.ndarray, activation: Activation, flags: np.ndarray, layers: list[np.ndarray]) -> float:
    """The share of a hidden layer's f'(z) entries with |f'(z)| below the activation's ``saturated_below``, averaged
    over the layers, from every layer's f'(z) end to end (a ``Passes``' ``slope_values``). ``flags``, a bool array
    laid out like them, is written over; ``layers`` are its views, one per layer (``_end_to_end``)."""
    activation.saturated(slopes, out=flags)
    shares = [np.count_nonzero(layer) / layer.size for layer in layers]  # a count is SIMD, a reduceat was not
    return sum(shares) / len(shares)


class _Evaluation:
    """A forward pass over fixed points ``X`` (the test set, or the snapshot grid) that each epoch repeats, into
    arrays made once (``LogitPasses``): through the model's own parameters, or, with ``stack``, through a stack of
    that many parameter vectors at once, copied into ``dtype`` at each pass."""

    def __init__(self, model: MLP, X: np.ndarray, dtype: type = np.float64, stack: int | None = None):
        self.model = model
        self.params = model.params if stack is None else np.empty((stack, model.params.size), dtype)
        self.X1 = with_ones(X).astype(self.params.dtype, copy=False)
        self.blocks = model.blocks(self.params)
        self.passes = LogitPasses(model, len(X), self.params.dtype, stack)

    def logits(self, params: np.ndarray | None = None) -> np.ndarray:
        """The points' logits under the model's current parameters, one row per point; for a stack, under each of
        its ``params`` (stack, params): (stack, points, outputs)."""
        if params is not None:
            np.copyto(self.params, params, casting="same_kind")
        return self.model._forward(self.X1, self.passes, self.blocks).logits.mT


def _boundaries(model: MLP, grid: _Evaluation, params: np.ndarray) -> list[np.ndarray]:
    """p(class 1) on the snapshot grid of each of a stack of parameter vectors ``params`` (snapshots, params), by the
    stacked ``grid`` made for them: its passes in float32, in half the time of float64's at 30 layers, to the
    rounding float32 gathers over a forward pass (a test bounds it); again in float64 where a logit overflowed
    float32's 3.4e38, where float64's may not."""
    logits = grid.logits(params)
    boundaries = list(_probability(model.output, logits).reshape(-1, SNAPSHOT_GRID, SNAPSHOT_GRID))
    for k in np.flatnonzero(~np.isfinite(logits).all(axis=(1, 2))):
        again = _Evaluation(model, _decision_points(SNAPSHOT_GRID), stack=1).logits(params[k : k + 1])
        boundaries[k] = _probability(model.output, again[0]).reshape(SNAPSHOT_GRID, SNAPSHOT_GRID)
    return boundaries



def unit_report(model: MLP, X: np.ndarray, y: np.ndarray, layer: int = 1, rows: int = 3) -> pd.DataFrame:
    """Per unit of hidden ``layer``: its output on the first ``rows`` examples and the norm of the gradient of
    its incoming weights. Under zero or constant init every row of this table is the same."""
    with np.errstate(all="ignore"):
        _, grads_w, _, _, hidden, _ = model.loss_and_grads(X, y)
    outputs = hidden[layer - 1]
    table = pd.DataFrame({f"output on x{i + 1}": outputs[i] for i in range(min(rows, len(outputs)))})
    table.insert(0, "unit", np.arange(1, outputs.shape[1] + 1))
    table["incoming-weight gradient norm"] = [_stats.norm(column) for column in grads_w[layer - 1].T]
    return table


SHAPE_KEYWORDS = ("depth", "width", "widths", "residual", "norm", "bias_std")  # what ``described`` reads
LAB_SCHEMES = ("zeros", "small_normal", "large_normal", "xavier_normal", "he_normal")


@dataclass
class Comparison:
    """Several schemes trained on the same data, architecture and seed (``compare``)."""

    runs: dict[str, TrainingRun]

    @property
    def history(self) -> pd.DataFrame:
        """All histories stacked, with a ``scheme`` column."""
        return pd.concat([run.history.assign(scheme=s) for s, run in self.runs.items()], ignore_index=True)

    @property
    def summary(self) -> pd.DataFrame:
        """One row per scheme: final loss and accuracies, divergence, distinct units per hidden layer, and the loss
        at epoch 0 (before any step) and the highest after it (inf where it overflowed)."""
        return pd.DataFrame([
            dict(scheme=s, final_loss=run.history.loss.iloc[-1], accuracy=run.history.accuracy.iloc[-1],
                 initial_loss=run.history.loss.iloc[0], peak_loss=_highest(run.history.loss.iloc[1:]),
                 test_accuracy=run.history.test_accuracy.iloc[-1], diverged_epoch=run.diverged_epoch,
                 overflowed=run.overflowed, min_distinct_neurons=min(run.distinct_neurons))
            for s, run in self.runs.items()
        ])


def _highest(losses: pd.Series) -> float:
    """The highest of ``losses``: inf if one overflowed (inf or NaN), NaN if there are none."""
    if losses.empty:
        return np.nan
    return np.inf if not np.isfinite(losses).all() else float(losses.max())


def compare(*, schemes=LAB_SCHEMES, scheme_params: dict[str, dict] | None = None, epochs: int, n: int = 500,
            **settings) -> Comparison:
    """``train`` once per scheme with everything else equal (the runs stepped together, ``train_all``);
    ``scheme_params`` maps a scheme to its params. The network's keywords (``SHAPE_KEYWORDS``: ``depth`` and
    ``width``, or ``widths``; ``bias_std``) go to every run.

    The total work of all runs together is held to ``MAX_WORK``.
    """
    schemes = list(dict.fromkeys(schemes))
    if not schemes:
        raise ValueError(f"schemes=[]; expected one or more of {list(SCHEMES)}")
    for scheme in schemes:
        get_scheme(scheme)
    net = described(activation=settings.get("activation"), scheme=schemes[0],
                    **{k: settings[k] for k in SHAPE_KEYWORDS if k in settings})  # every run's shape
    epochs = _validate.integer("epochs", epochs, *EPOCH_RANGE)
    n = _validate.integer("n", n, *N_RANGE)
    snapshots = _validate.integer("snapshots", settings.get("snapshots", 0), *SNAPSHOT_RANGE)
    work = len(schemes) * training_work(widths=net.widths, epochs=epochs, n=n,
                                        batch_size=settings.get("batch_size", 64), snapshots=snapshots)
    if work > MAX_WORK:
        raise ValueError(f"comparing {len(schemes)} schemes needs ~{work:.2g} multiply-adds, over the budget "
                         f"{MAX_WORK:.0e}; compare fewer schemes or lower epochs, depth, width or n")
    scheme_params = scheme_params or {}
    runs = train_all([dict(scheme=s, epochs=epochs, n=n, **settings, **scheme_params.get(s, {})) for s in schemes])
    return Comparison(dict(zip(schemes, runs)))
