"""Signal propagation: push a batch forward and a gradient backward through a deep MLP, layer by layer.

The network has ``depth`` square layers of ``width`` units, no biases:

    a_0 = x ~ N(0, 1)                        shape (batch, width)
    z_l = a_{l-1} @ W_l,   a_l = f(z_l)      l = 1 … depth

and an upstream gradient g ~ N(0, 1) at the top is carried down by the chain rule:

    dL/dz_L = g ⊙ f'(z_L),   dL/dz_l = (dL/dz_{l+1} @ W_{l+1}ᵀ) ⊙ f'(z_l)

Every scheme draws ``W_l = c·B_l`` (see ``initcore.schemes``), so the code computes ``c·(a @ B_l)``, in the
order that overflows only where the true product does: a layer is marked ``exploded`` at the first layer
whose true pre-activations (or activations) pass the dtype's largest number, as a float64 reference finds.

Floating point is part of the lesson. The run is float32 (like most training) unless asked otherwise.
When a layer's values overflow to inf/NaN the forward pass stops there: that layer and all above it are
marked ``exploded`` and left empty, and since such a network has no finite loss, every layer's gradient
is marked ``grad_exploded``. Values that fall below the smallest normal float are flushed to zero (as GPU
kernels do), which keeps a vanishing signal from crawling through slow subnormal arithmetic; a layer whose
values are all zero is marked ``vanished``. numpy warnings are silenced: what happened is in the table.

Work budget: a shared server must survive any URL. ``depth·width²`` (the weights) is capped at
``MAX_WEIGHTS`` (depth 100 at width 1024) and ``depth·batch·width`` (the derivatives kept for the backward
pass) at ``MAX_ACTIVATIONS``; peak memory stays near 270 MB at the caps. Orthogonal weights cost a QR
decomposition per layer, so for them ``depth·width³`` is capped at ``MAX_ORTHOGONAL`` (depth 100 at width
512, or depth 12 at width 1024).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from initcore import _validate
from initcore._stats import moments
from initcore.activations import get_activation
from initcore.histograms import LayerHistograms, build, record, sample_rows
from initcore.noise import GROUP_BYTES, NOISE_BANK, draw, gaussian, matrices, thread_pool
from initcore.schemes import get_scheme

DEPTH_RANGE = (1, 200)
WIDTH_RANGE = (2, 2048)
BATCH_RANGE = (2, 4096)
SEED_RANGE = (0, 2**32 - 1)
MAX_WEIGHTS = 100 * 1024**2
MAX_ACTIVATIONS = 2**25
MAX_ORTHOGONAL = 100 * 512**3  # depth·width³: one QR decomposition per layer (~0.2 s each at width 1024)
DTYPES = ("float32", "float64")
FLUSH_BELOW = 1e-20  # mean square under which a layer may hold subnormal values worth flushing

COLUMNS = (
    "layer", "weight_std", "pre_mean", "pre_var", "act_mean", "act_var", "grad_var",
    "frac_dead", "frac_saturated", "exploded", "vanished", "grad_exploded", "grad_vanished",
)


@dataclass(frozen=True)
class Propagation:
    """The result of ``simulate``: one row of statistics per layer plus pre-binned histograms."""

    layers: pd.DataFrame
    act_hist: LayerHistograms
    pre_hist: LayerHistograms
    grad_hist: LayerHistograms
    weight_hist: LayerHistograms
    settings: dict = field(default_factory=dict)

    def _first(self, column: str) -> int | None:
        hits = self.layers.loc[self.layers[column], "layer"]
        return int(hits.iloc[0]) if len(hits) else None

    @property
    def exploded_at(self) -> int | None:
        """The first layer whose forward values overflowed to inf/NaN, or None."""
        return self._first("exploded")

    @property
    def vanished_at(self) -> int | None:
        """The first layer whose activations are all exactly zero, or None."""
        return self._first("vanished")

    @property
    def grad_exploded_at(self) -> int | None:
        """The *highest* layer whose gradient overflowed (the backward pass runs top-down), or None."""
        hits = self.layers.loc[self.layers["grad_exploded"], "layer"]
        return int(hits.iloc[-1]) if len(hits) else None

    @property
    def grad_vanished_at(self) -> int | None:
        """The highest layer whose gradient is all zero, or None."""
        hits = self.layers.loc[self.layers["grad_vanished"], "layer"]
        return int(hits.iloc[-1]) if len(hits) else None


def _flush_subnormals(x: np.ndarray, mean_square: float) -> None:
    """Set values below the smallest normal float to 0; only a layer whose scale is tiny can hold any."""
    if mean_square < FLUSH_BELOW:
        np.copyto(x, 0, where=np.abs(x) < np.finfo(x.dtype).tiny)


def _scaled_product(x: np.ndarray, mean_square: float, base: np.ndarray, c, out: np.ndarray) -> np.ndarray:
    """c·(x @ base) into ``out``, overflowing only where the true product passes the dtype's range.

    For |c| ≥ 1 the product is taken first: if x @ base overflows, c times it does too. For |c| < 1, x (whose
    mean square is ``mean_square``) is scaled first, in place since the callers are done with it: x @ base may
    pass the range where c·(x @ base) does not. A scaled x that became tiny is flushed (``_flush_subnormals``).
    """
    if abs(c) >= 1:
        np.matmul(x, base, out=out)
        out *= c
        return out
    x *= c
    _flush_subnormals(x, mean_square * float(c) ** 2)
    return np.matmul(x, base, out=out)


def check_network(depth, width, batch, seed, dtype) -> tuple[int, int, int, int, str]:
    """Validate the network's size against the ranges and the work budget (see the module docstring)."""
    depth = _validate.integer("depth", depth, *DEPTH_RANGE)
    width = _validate.integer("width", width, *WIDTH_RANGE)
    batch = _validate.integer("batch", batch, *BATCH_RANGE)
    seed = _validate.integer("seed", seed, *SEED_RANGE)
    dtype = _validate.choice("dtype", np.dtype(dtype).name if not isinstance(dtype, str) else dtype, DTYPES)
    if depth * width * width > MAX_WEIGHTS:
        raise ValueError(
            f"depth*width**2={depth * width * width:,} exceeds the work budget {MAX_WEIGHTS:,} "
            f"(depth 100 at width 1024); lower the depth or the width"
        )
    if depth * batch * width > MAX_ACTIVATIONS:
        raise ValueError(
            f"depth*batch*width={depth * batch * width:,} exceeds the work budget {MAX_ACTIVATIONS:,}; "
            f"lower the depth, the batch or the width"
        )
    return depth, width, batch, seed, dtype


def simulate(*, depth: int, width: int, activation: str, scheme: str, batch: int = 256, seed: int = 0,
             dtype: str = "float32", **scheme_params) -> Propagation:
    """Forward and backward statistics, per layer, of a ``depth``-layer MLP initialized by ``scheme``."""
    depth, width, batch, seed, dtype = check_network(depth, width, batch, seed, dtype)
    act = get_activation(activation)
    chosen = get_scheme(scheme)
    params = chosen.resolve(**scheme_params)
    if chosen.noise_for(params) == "orthogonal" and depth * width**3 > MAX_ORTHOGONAL:
        raise ValueError(f"orthogonal weights need one QR decomposition per layer: depth*width**3="
                         f"{depth * width**3:,} exceeds the work budget {MAX_ORTHOGONAL:,} (depth 100 at width 512, "
                         f"depth {MAX_ORTHOGONAL // 1024**3} at width 1024); lower the depth or the width")
    scale = chosen.multiplier(width, width, params)
    settings = dict(depth=depth, width=width, activation=activation, scheme=scheme, batch=batch, seed=seed,
                    dtype=dtype, **params)
    samples = {kind: sample_rows(depth) for kind in ("pre", "act", "grad", "weight")}
    with np.errstate(all="ignore"):
        weights = _Weights(seed, chosen.noise_for(params), (width, width), np.dtype(dtype), thread_pool())
        rows, slopes = _forward(depth, act, scale, weights, gaussian(seed, "input", (batch, width), dtype), samples)
        if slopes is not None:
            _backward(rows, slopes, scale, weights, gaussian(seed, "upstream", (batch, width), dtype), samples)
        hists = {kind: build(rows_of_samples) for kind, rows_of_samples in samples.items()}
    return Propagation(
        layers=pd.DataFrame(rows, columns=COLUMNS),
        act_hist=hists["act"],
        pre_hist=hists["pre"],
        grad_hist=hists["grad"],
        weight_hist=hists["weight"],
        settings=settings,
    )


@dataclass(frozen=True)
class _Weights:
    """The unit base matrices B_l of one run, drawn a group of layers at a time.

    The noise bank keeps the lowest layers that fit in it: the backward pass ends on them and the next
    run (a scheme switch) starts on them. Layers above are drawn into one group of scratch buffers that
    the run reuses, forward and backward alike, so a deep wide run touches fresh memory only once.
    """

    seed: int
    noise: str
    shape: tuple[int, int]
    dtype: np.dtype
    pool: object

    def walk(self, layers: list[int]):
        """Yield (layer, BaseDraw) for ``layers`` in the order given; each is valid until the next is asked for."""
        layer_bytes = self.shape[0] * self.shape[1] * self.dtype.itemsize
        group = max(1, GROUP_BYTES // layer_bytes)
        banked = NOISE_BANK.max_bytes // layer_bytes  # layers 1 … banked live in the bank
        scratch = matrices(min(group, sum(layer > banked for layer in layers)), self.shape, self.dtype)
        for start in range(0, len(layers), group):
            chunk = layers[start : start + group]
            kept = [layer for layer in chunk if layer <= banked]
            passing = [layer for layer in chunk if layer > banked]
            draws = dict(zip(kept, NOISE_BANK.bases(self.seed, self.noise, kept, self.shape, self.dtype, self.pool)))
            draws |= zip(passing, draw(self.seed, self.noise, passing, scratch, self.pool))
            yield from ((layer, draws[layer]) for layer in chunk)


def _forward(depth, act, scale, weights, a, samples):
    """Fill one row per layer; return the rows and f'(z_l) per layer (None if the signal overflowed).

    The loop allocates nothing per layer: z_l goes to one buffer, a_l overwrites a_{l-1} (the input's
    own buffer, not needed once z_l is computed), and f'(z_l) goes to slice l of one (depth, batch, width)
    block, which the backward pass then overwrites with dL/dz_l.
    """
    threshold = act.saturated_below
    rows = []
    slopes = np.empty((depth, *a.shape), dtype=a.dtype)
    z = np.empty_like(a)
    saturated = np.empty(a.shape, dtype=bool)
    c = a.dtype.type(scale)
    mean_square = 1.0  # of a_{l-1}: the input is N(0, 1)
    for layer, base in weights.walk(list(range(1, depth + 1))):
        record(samples["weight"], layer - 1, base.matrix, scale)
        row = dict.fromkeys(COLUMNS, np.nan) | dict(layer=layer, weight_std=abs(scale) * base.std)
        rows.append(row)
        _scaled_product(a, mean_square, base.matrix, c, out=z)
        act.fn(z, out=a)
        row["pre_mean"], row["pre_var"] = moments(z)
        row["act_mean"], row["act_var"] = moments(a)
        if not np.isfinite([row["pre_mean"], row["pre_var"], row["act_mean"], row["act_var"]]).all():
            row.update(pre_mean=np.nan, pre_var=np.nan, act_mean=np.nan, act_var=np.nan)
            rows += [dict.fromkeys(COLUMNS, np.nan) | dict(layer=later) for later in range(layer + 1, depth + 1)]
            for overflowed in rows:
                overflowed.update(exploded=overflowed["layer"] >= layer, vanished=False, grad_exploded=True,
                                  grad_vanished=False)
            return rows, None
        slope = act.slope(z, a, out=slopes[layer - 1])
        mean_square = row["act_var"] + row["act_mean"] ** 2
        _flush_subnormals(a, mean_square)
        record(samples["pre"], layer - 1, z)
        record(samples["act"], layer - 1, a)
        nonzero = np.count_nonzero(a)
        np.less(np.abs(slope, out=z), threshold, out=saturated)  # z is recorded: its buffer is free
        row.update(frac_dead=1 - nonzero / a.size, exploded=False, vanished=nonzero == 0,
                   frac_saturated=np.count_nonzero(saturated) / a.size)
    return rows, slopes


def _backward(rows, slopes, scale, weights, upstream, samples):
    """Carry ``upstream`` down the network, filling the gradient columns of ``rows`` top-down.

    dL/dz_l is computed in place of f'(z_l) in ``slopes``; dL/da_{l-1} goes to one reused buffer.
    """
    c = upstream.dtype.type(scale)
    depth = len(slopes)
    below = weights.walk(list(range(depth, 1, -1)))  # W_L … W_2; dL/dx is not needed
    grad_out = upstream  # dL/da_l
    carried = np.empty_like(upstream)
    for layer in range(depth, 0, -1):
        grad = slopes[layer - 1]
        grad *= grad_out  # dL/dz_l = dL/da_l ⊙ f'(z_l)
        grad_mean, grad_var = moments(grad)
        if not (np.isfinite(grad_mean) and np.isfinite(grad_var)):
            for lower in rows[:layer]:
                lower.update(grad_exploded=True, grad_vanished=False)
            return
        _flush_subnormals(grad, grad_var + grad_mean**2)
        rows[layer - 1].update(grad_var=grad_var, grad_exploded=False,
                               grad_vanished=not np.count_nonzero(grad))
        record(samples["grad"], layer - 1, grad)
        if layer > 1:
            grad_out = _scaled_product(grad, grad_var + grad_mean**2, next(below)[1].matrix.T, c, out=carried)
