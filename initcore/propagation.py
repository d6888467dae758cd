"""Signal propagation: push a batch forward and a gradient backward through a deep MLP, layer by layer.

The network has ``depth`` square layers of ``width`` units, no biases:

    a_0 = x ~ N(0, 1)                        shape (batch, width)
    z_l = a_{l-1} @ W_l,   a_l = f(z_l)      l = 1 … depth

and an upstream gradient g ~ N(0, 1) at the top is carried down by the chain rule:

    dL/dz_L = g ⊙ f'(z_L),   dL/dz_l = (dL/dz_{l+1} @ W_{l+1}ᵀ) ⊙ f'(z_l)

Every scheme draws ``W_l = c·B_l`` (see ``initcore.schemes``), so the code computes ``c·(a @ B_l)``, in the
order that overflows only where the true product does: a layer is marked ``exploded`` at the first layer
whose true pre-activations (or activations) pass the dtype's largest number, as a float64 reference finds.
Under a positively homogeneous activation (linear, ReLU, leaky ReLU) a scheme with c > 0 only scales the
network of c = 1, which is simulated once and kept (``initcore.homogeneous``): such a run is derived from it,
with no matrix product, wherever float32's range allows (always the same way for the same settings, so a run
is the same to the last bit whether its unit network was kept or not). Layer l's forward pass does not depend on
the depth, so a run at another depth starts from the forward pass of the same network kept in ``FORWARD_RUNS``.

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

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from initcore import _validate
from initcore._stats import across_inputs, batch_error, moments
from initcore.activations import get_activation
from initcore.histograms import LayerHistograms, build, record, sample_rows
from initcore.homogeneous import SAMPLE_KINDS, UNIT_RUNS, UnitRun, derive, likely_derivable, magnitude_range, scalable
from initcore.lru import ByteLRU
from initcore.network import Network, network, shaped_widths
from initcore.noise import GROUP_BYTES, NOISE_BANK, BaseDraw, draw, matrices, stream, thread_pool
from initcore.passes import Backward, Forward, walk
from initcore.schemes import SCHEMES, get_scheme

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
    "frac_dead", "frac_saturated", "exploded", "vanished", "grad_exploded", "grad_vanished", "pre_var_error",
)
UNIT_COLUMNS = ("weight_std", "pre_mean", "pre_var", "act_mean", "act_var", "grad_var", "frac_dead", "frac_saturated",
                "vanished", "grad_vanished", "pre_var_error")  # what the unit network keeps of its table


@dataclass(frozen=True)
class Propagation:
    """The result of ``simulate``: one row of statistics per layer plus pre-binned histograms."""

    layers: pd.DataFrame
    act_hist: LayerHistograms
    pre_hist: LayerHistograms
    grad_hist: LayerHistograms
    weight_hist: LayerHistograms
    settings: dict = field(default_factory=dict)

    def _hits(self, column: str) -> np.ndarray:
        """The layers where the flag ``column`` is set, from the first up (numpy: a pandas mask took 0.2 ms)."""
        return self.layers["layer"].to_numpy()[self.layers[column].to_numpy(dtype=bool)]

    def _first(self, column: str) -> int | None:
        hits = self._hits(column)
        return int(hits[0]) if len(hits) else None

    def _last(self, column: str) -> int | None:
        hits = self._hits(column)
        return int(hits[-1]) if len(hits) else None

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
        return self._last("grad_exploded")

    @property
    def grad_vanished_at(self) -> int | None:
        """The highest layer whose gradient is all zero, or None."""
        return self._last("grad_vanished")


def _flush_subnormals(x: np.ndarray, mean_square: float) -> None:
    """Set values below the smallest normal float to 0; only a layer whose scale is tiny can hold any."""
    if mean_square < FLUSH_BELOW:
        np.copyto(x, 0, where=np.abs(x) < np.finfo(x.dtype).tiny)


def check_network(depth, width, batch, seed, dtype) -> tuple[int, int, int, int, str]:
    """Validate the network's size against the ranges and the work budget (see the module docstring)."""
    depth = _validate.integer("depth", depth, *DEPTH_RANGE)
    width = _validate.integer("width", width, *WIDTH_RANGE)
    batch = _validate.integer("batch", batch, *BATCH_RANGE)
    seed = _validate.integer("seed", seed, *SEED_RANGE)
    dtype = _validate.dtype(dtype, DTYPES).name
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


def simulate(*, depth: int | None = None, width: int | None = None, activation: str, scheme: str, batch: int = 256,
             seed: int = 0, dtype: str = "float32", widths: Sequence[int] | None = None, residual: float | None = None,
             norm: str | None = None, bias_std: float = 0.0, **scheme_params) -> Propagation:
    """Forward and backward statistics, per layer, of a ``depth``-layer MLP initialized by ``scheme``.

    ``widths``, ``residual``, ``norm`` and ``bias_std`` describe a network beyond square plain layers
    (``initcore.network``); it runs at the true scale of its weights, one layer at a time (``initcore.passes``),
    and its table adds ``stream_var`` and ``stream_grad_var``, the variances of z_l and dL/dz_l (the residual
    stream's), to ``pre_var`` and ``grad_var``, those of what the activation sees, and ``stream_input_var``, the part
    of Var z_l that tells one input from another: each unit's variance over the batch, averaged over the units,
    which a bias or an activation's mean, the same for every input, does not add to (measured where the network
    has either, ``Network.shares_across_inputs``, else NaN).
    """
    net = described(depth=depth, width=width, activation=activation, scheme=scheme, widths=widths,
                    residual=residual, norm=norm, bias_std=bias_std, **scheme_params)
    if not net.plain:
        return _simulate_network(net, *_check_network_size(net, batch, seed, dtype))
    depth, width, batch, seed, dtype = check_network(net.depth, net.widths[0], batch, seed, dtype)
    act = get_activation(activation)
    try:
        member = _member(scheme, scheme_params, depth, width)
    except _OverBudget as reason:
        raise ValueError(str(reason)) from None
    return _simulate_together(depth, width, act, member[1], [member], batch, seed, dtype)[0]


def described(**description) -> Network:
    """``initcore.network.network`` within the simulation's ranges of depth and width."""
    return network(**description, width_range=WIDTH_RANGE, depth_range=DEPTH_RANGE)


@dataclass(frozen=True)
class Propagations:
    """What ``simulate_many`` returns: one ``Propagation`` per scheme, all of one network on one budget.

    ``batch`` is the inputs each scheme got (``requested_batch`` unless the budget shared it out), and
    ``left_out`` names each scheme that did not fit at all, with the reason in words.
    """

    runs: dict[str, Propagation]
    batch: int
    requested_batch: int
    left_out: dict[str, str] = field(default_factory=dict)


VIEW_VALUES = 256 * 256  # values per layer of the default view: 256 inputs of 256 units


def view_batch(width: int) -> int:
    """The inputs a view of ``width`` units needs for ``VIEW_VALUES`` values per layer, at most 256: every product
    costs batch·width² (at width 1024, 64 inputs cost a quarter of 256). The units of one input share its length,
    so a layer's variance is not measured as well from fewer inputs as from more: its sampling error, measured on
    the batch, is the table's ``pre_var_error`` (at width 1024 and 64 inputs, ±1 % at layer 1 and a few % deeper
    down, against ±0.85 % and up to ±2.7 % at width 256 and 256 inputs)."""
    return max(BATCH_RANGE[0], min(256, -(-VIEW_VALUES // width)))


# What a run costs, in multiply-adds and their equals on the 2-core machine: 2 per row of the batch per weight
# (the forward and the backward product), DRAW_COST per number drawn (a layer is drawn again on the way back
# unless the noise bank holds it), and for orthogonal weights QR_COST·width³ more per layer drawn (measured:
# a normal draw takes as long as ~250 multiply-adds, a QR of 512 × 512 as ~18·512³).
DRAW_COST = {"normal": 250, "truncated_normal": 300, "uniform": 150, "orthogonal": 250, "ones": 0}
QR_COST = 18
MIN_SHARED_BATCH = 4  # inputs per scheme: at width 1024 and 100 ReLU layers, each layer's variance ±6 to ±10 %


def request_work(depth: int, width: int, noises, rows: int) -> float:
    """The work of simulating ``rows`` rows of batch in all (every scheme's inputs together) through ``depth``
    layers of ``width`` units, with one set of draws for each of ``noises``."""
    banked = NOISE_BANK.max_bytes // (width * width * 4)
    drawn = depth + max(0, depth - banked)  # layers drawn: forward, and backward above the bank
    draws = sum(DRAW_COST[noise] + (QR_COST * width if noise == "orthogonal" else 0) for noise in set(noises))
    return float(depth * width * width * 2 * rows + drawn * width * width * draws)


MAX_REQUEST = request_work(100, 1024, {"normal"}, 256)  # the largest single view: one request's budget


def simulate_many(*, depth: int | None = None, width: int | None = None, activation: str,
                  schemes: Mapping[str, Mapping], batch: int = 256, seed: int = 0, dtype: str = "float32",
                  **shape) -> Propagations:
    """``simulate`` for several schemes (a mapping scheme → its parameters; the first is the one the learner
    chose) at the cost of about one: a whole request may do the work of the largest single view,
    ``MAX_REQUEST``.

    Schemes that draw the same noise (normal: Xavier, He, LeCun, small and large random…) share its draws,
    and their batches are stacked into one matrix product per layer; every scheme gets the same inputs. When
    the products of every scheme at ``batch`` inputs would pass the budget, each gets fewer inputs (at least
    ``MIN_SHARED_BATCH``), and if that is not enough the schemes that cost most (an orthogonal's QR, a noise of
    its own) are left out, the chosen one never; orthogonal weights past their QR budget are left out too.
    What happened is in the result (``batch``, ``left_out``).

    ``shape`` takes ``simulate``'s ``widths``, ``residual``, ``norm`` and ``bias_std``: such a network runs each
    scheme on its own (``_simulate_network``), on the same inputs, the batch shared out the same way.
    """
    if not isinstance(schemes, Mapping) or not schemes or not all(isinstance(p, Mapping) for p in schemes.values()):
        raise ValueError(f"schemes={schemes!r}; expected a mapping of one or more of {list(SCHEMES)} to their "
                         "parameters, {'he_normal': {}}")
    nets = {scheme: described(depth=depth, width=width, activation=activation, scheme=scheme, **shape, **params)
            for scheme, params in schemes.items()}
    if not next(iter(nets.values())).plain:
        return _simulate_networks(nets, batch, seed, dtype)
    depth, width = next(iter(nets.values())).depth, next(iter(nets.values())).widths[0]
    depth, width, batch, seed, dtype = check_network(depth, width, batch, seed, dtype)
    act = get_activation(activation)
    members, left_out = [], {}
    for index, (scheme, params) in enumerate(schemes.items()):
        try:
            members.append(_member(scheme, dict(params), depth, width))
        except _OverBudget as reason:
            if not index:
                raise ValueError(str(reason)) from None
            left_out[scheme] = str(reason)
    shared = shared_batch(depth, width, members, batch)
    # Leave out the compared scheme whose absence frees the most (of equals, the last) until the others fit.
    while shared < min(batch, MIN_SHARED_BATCH) and len(members) > 1:
        _, dropped = max((shared_batch(depth, width, members[:i] + members[i + 1:], batch), i)
                         for i in range(1, len(members)))
        scheme = members.pop(dropped)[0]
        left_out[scheme] = (f"with it, each of the {len(members) + 1} networks of {depth} layers of {width} units "
                            f"would get fewer than {MIN_SHARED_BATCH} inputs")
        shared = shared_batch(depth, width, members, batch)
    if len(members) == 1:  # the chosen scheme alone: what simulate gives it
        shared = batch
    runs = {}
    for noise in dict.fromkeys(member[1] for member in members):
        group = [member for member in members if member[1] == noise]
        runs |= zip([member[0] for member in group],
                    _simulate_together(depth, width, act, noise, group, shared, seed, dtype))
    return Propagations({member[0]: runs[member[0]] for member in members}, shared, batch, left_out)


class _OverBudget(Exception):
    pass


def _times_over(work: float, budget: float) -> str:
    """How many times ``budget`` some ``work`` is, in words: "8.4 times", "1.04 times" (two digits wrote 1.04 as 1,
    which read as if it fit)."""
    return f"{work / budget:.3g} times"


def orthogonal_work(widths: Sequence[int]) -> int:
    """What the QR decompositions of orthogonal layers n_0 → n_1 → … → n_L cost, as ``MAX_ORTHOGONAL`` counts it:
    Σ n_(l-1)·n_l·max(n_(l-1), n_l), depth·width³ for square layers."""
    return sum(a * b * max(a, b) for a, b in zip(widths, widths[1:]))


def orthogonal_widest(depth: int, shape: str = "constant", widest: int = WIDTH_RANGE[1]) -> int:
    """The widest layers, ``widest`` at most, of which ``depth`` orthogonal ones shaped as ``shape``
    (``initcore.network.shaped_widths``) fit ``MAX_ORTHOGONAL``: 512 square ones at depth 100, 1038 at depth 12."""
    def fits(width: int) -> bool:
        return orthogonal_work(shaped_widths(shape, depth, width)) <= MAX_ORTHOGONAL

    low, high = WIDTH_RANGE[0], widest + 1  # fits(low), not fits(high), unless the widest fits
    if fits(widest):
        return widest
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low


def _member(scheme: str, scheme_params: dict, depth: int, width: int) -> tuple:
    """(scheme, noise, c, params) of one scheme in a run: W_l = c·B_l with B_l of that noise."""
    chosen = get_scheme(scheme)
    params = chosen.resolve(**scheme_params)
    noise = chosen.noise_for(params)
    if noise == "orthogonal" and (work := orthogonal_work((width,) * (depth + 1))) > MAX_ORTHOGONAL:
        deepest, widest = MAX_ORTHOGONAL // width**3, orthogonal_widest(depth)
        raise _OverBudget(f"Orthogonal weights need a QR decomposition of every layer, and {depth} layers of "
                          f"{width} units take {_times_over(work, MAX_ORTHOGONAL)} what one view may "
                          f"compute. At width {width} they fit up to {deepest} layers; at depth {depth}, up to "
                          f"about {widest} units.")
    return scheme, noise, chosen.multiplier(width, width, params), params


def shared_batch(depth: int, width: int, members: list, batch: int) -> int:
    """The inputs each of ``members`` may get within ``MAX_REQUEST`` (``request_work``: the draws of their
    noises come first, the products share what is left); no group of one noise may pass ``MAX_ACTIVATIONS``."""
    noises = [member[1] for member in members]
    left = MAX_REQUEST - request_work(depth, width, noises, 0)
    rows = left // (2 * depth * width * width)
    largest_group = max(noises.count(noise) for noise in noises)
    return int(max(0, min(batch, rows // len(members), MAX_ACTIVATIONS // (depth * width * largest_group))))


def _simulate_together(depth, width, act, noise, members, batch, seed, dtype) -> list[Propagation]:
    """Run ``members`` (schemes of one ``noise``) through one network, each as ``simulate`` runs it alone.

    A member that scales the unit network of these draws is derived from it (``initcore.homogeneous``: no matrix
    product once the unit network is kept). The others' batches are stacked into one matrix, so each layer is
    drawn once and multiplied once for all of them.
    """
    dtype = np.dtype(dtype)
    tables = [_derived(depth, width, act, noise, c, batch, seed, dtype) for _, _, c, _ in members]
    stacked = [i for i, table in enumerate(tables) if table is None]
    if stacked:
        blocks = [_Block(slice(k * batch, (k + 1) * batch), members[i][2], depth) for k, i in enumerate(stacked)]
        _run(depth, width, act, noise, blocks, batch, seed, dtype)
        for i, block in zip(stacked, blocks):
            tables[i] = block.rows, block.samples
    results = []
    for (columns, samples), (scheme, _, _, params) in zip(tables, members):
        hists = {kind: build(rows_of_samples) for kind, rows_of_samples in samples.items()}
        settings = dict(depth=depth, width=width, activation=act.id, scheme=scheme, batch=batch, seed=seed,
                        dtype=dtype.name, **params)
        layers = pd.DataFrame(columns, columns=COLUMNS).assign(fan_in=width, fan_out=width)
        layers["stream_var"], layers["stream_grad_var"] = layers["pre_var"], layers["grad_var"]  # u_l = z_l here
        layers["stream_input_var"] = [row.get("stream_input_var", np.nan) for row in columns] \
            if act.merges_inputs else np.nan  # what no mean of the activation holds up (``_forward``)
        results.append(Propagation(layers=layers, act_hist=hists["act"],
                                   pre_hist=hists["pre"], grad_hist=hists["grad"], weight_hist=hists["weight"],
                                   settings=settings))
    return results


def _derived(depth, width, act, noise, c, batch, seed, dtype):
    """Scheme c's table and samples derived from the unit network (kept in ``UNIT_RUNS``, computed if need be),
    or None where they cannot be (``initcore.homogeneous``)."""
    if not (scalable(act, noise, c)
            and likely_derivable(act, noise, c, depth=depth, width=width, batch=batch, dtype=dtype)):
        return None

    def unit_run() -> UnitRun:
        block = _UnitBlock(batch, depth)
        _run(depth, width, act, noise, [block], batch, seed, dtype)
        return block.unit_run()

    unit = UNIT_RUNS.fetch((seed, noise, act.id, depth, width, batch, dtype.str), unit_run, UnitRun.arrays)
    return derive(unit, c, act, dtype)


def _run(depth, width, act, noise, blocks, batch, seed, dtype) -> None:
    """Push the network's inputs forward and its upstream gradient back through ``blocks`` (their rows of one
    stacked batch), filling each block's rows and samples.

    Layer l's forward pass does not depend on the depth: the same blocks' forward pass at another depth, kept in
    ``FORWARD_RUNS``, gives layers 1 … min(depth, its depth) as they are, so a step of the depth slider computes
    only the layers it adds, and the backward pass, which starts from the new top."""
    with np.errstate(all="ignore"):
        weights = _Weights(seed, noise, (width, width), dtype, thread_pool())
        key = (seed, noise, act.id, width, batch, dtype.str, tuple((type(b).__name__, b.c) for b in blocks))
        kept = FORWARD_RUNS.get(key)
        if kept is not None and kept.depth >= depth:
            kept.restore(blocks, depth)
            slopes = kept.slopes[:depth]
        else:
            slopes = np.empty((depth, batch * len(blocks), width), dtype=dtype)
            if kept is None:
                start, a = 1, np.tile(NOISE_BANK.gaussian(seed, "input", (batch, width), dtype), (len(blocks), 1))
            else:
                kept.restore(blocks, kept.depth)
                start, a, slopes[: kept.depth] = kept.depth + 1, kept.last.copy(), kept.slopes
            if not _forward(act, weights, a, blocks, slopes, start):
                return
            if not any(block.exploded for block in blocks) and slopes.nbytes < FORWARD_RUNS.max_bytes:
                forward = _KeptForward.of(slopes, a, blocks)
                FORWARD_RUNS.replace(key, forward, forward.arrays())
        upstream = np.tile(NOISE_BANK.gaussian(seed, "upstream", (batch, width), dtype), (len(blocks), 1))
        _backward(slopes, weights, upstream, blocks)


FORWARD_RUN_BYTES = 64 * 2**20  # four forward passes of the default view (50 × 256, batch 256), two of 100 × 1024


@dataclass(frozen=True)
class _KeptBlock:
    """What a block's forward pass left: its rows so far (forward columns only), its samples of z_l, a_l and W_l,
    and, for the unit network, the power-of-two range of each z_l."""

    rows: tuple[dict, ...]
    samples: dict[str, np.ndarray]
    pre_ranges: tuple

    def restore(self, block: _Block, depth: int) -> None:
        """Set ``block`` as it was after layer ``depth`` of this forward pass."""
        block.rows = [dict(row) for row in self.rows[:depth]]
        for kind, kept in self.samples.items():
            block.samples[kind][:depth] = kept[:depth]
        last = block.rows[-1]
        block.mean_square = last["act_var"] + last["act_mean"] ** 2  # as ``_forward_statistics`` sets it
        if isinstance(block, _UnitBlock):
            block.ranges["pre"] = list(self.pre_ranges[:depth])


@dataclass(frozen=True)
class _KeptForward:
    """A forward pass through ``depth`` layers in which no block overflowed: every f'(z_l) (``slopes``, read by the
    backward pass, never written), the top layer's activations, and each block's ``_KeptBlock``."""

    slopes: np.ndarray  # (depth, rows, width)
    last: np.ndarray  # a_depth, (rows, width)
    blocks: tuple[_KeptBlock, ...]

    @classmethod
    def of(cls, slopes: np.ndarray, last: np.ndarray, blocks: list[_Block]) -> _KeptForward:
        """What ``blocks`` hold after the forward pass (copies: the backward pass goes on with them), ``slopes``
        itself and a copy of ``last``; the dL/dz_l samples are the backward pass's, not kept."""
        kept = tuple(_KeptBlock(tuple(dict(row) for row in block.rows),
                                {kind: block.samples[kind].copy() for kind in SAMPLE_KINDS if kind != "grad"},
                                tuple(block.ranges["pre"]) if isinstance(block, _UnitBlock) else ())
                     for block in blocks)
        return cls(slopes, last.copy(), kept)

    @property
    def depth(self) -> int:
        return len(self.slopes)

    def restore(self, blocks: list[_Block], depth: int) -> None:
        """Set each of ``blocks`` (the same blocks, in the same order) as it was after layer ``depth``."""
        for block, kept in zip(blocks, self.blocks):
            kept.restore(block, depth)

    def arrays(self) -> list[np.ndarray]:
        return [self.slopes, self.last, *(array for block in self.blocks for array in block.samples.values())]


FORWARD_RUNS = ByteLRU(FORWARD_RUN_BYTES)


def forget() -> None:
    """Empty every store of kept work the simulation shares across runs (the noise bank, the unit networks, the
    forward passes): the next run draws and multiplies everything."""
    NOISE_BANK.clear()
    UNIT_RUNS.clear()
    FORWARD_RUNS.clear()


class _Block:
    """One scheme's rows of a stacked batch: its multiplier c, its table and its histogram samples."""

    def __init__(self, rows: slice, c: float, depth: int):
        self.slice, self.c = rows, c
        self.rows: list[dict] = []
        self.samples = {kind: sample_rows(depth) for kind in SAMPLE_KINDS}
        self.exploded = False  # the forward signal overflowed: nothing of this block is computed any more
        self.grad_exploded = False
        self.mean_square = 1.0  # of the signal entering the next product (the input is N(0, 1))
        self.grad_square = 1.0  # of the gradient entering the next product

    def rescale(self, x: np.ndarray, kind: str) -> None:
        """Called with this block's rows of each z_l (``kind`` "pre") and dL/dz_l ("grad") as soon as they are
        computed: a block at the true scale leaves them as they are."""


class _UnitBlock(_Block):
    """The unit network (c = 1) as one block: each z_l and dL/dz_l is rescaled by a power of two to the scale
    of its largest entry as soon as it is computed, and the exponent and the range of magnitudes are kept
    (``initcore.homogeneous``)."""

    def __init__(self, batch: int, depth: int):
        super().__init__(slice(0, batch), 1.0, depth)
        self.ranges: dict[str, list[tuple[int, float, float]]] = {"pre": [], "grad": []}

    def rescale(self, x: np.ndarray, kind: str) -> None:
        largest, smallest = magnitude_range(x)
        exponent = math.frexp(largest)[1] - 1 if largest else 0  # largest·2^-exponent lies in [1, 2)
        if exponent:
            x *= x.dtype.type(2.0**-exponent)
        self.ranges[kind].append((exponent, math.ldexp(largest, -exponent), math.ldexp(smallest, -exponent)))

    def unit_run(self) -> UnitRun:
        """What the run kept, with the cumulative exponents: K_l from the input up, G_l from the top down."""
        table = {name: np.array([row[name] for row in self.rows]) for name in UNIT_COLUMNS}
        pre, grad = np.array(self.ranges["pre"]), np.array(self.ranges["grad"][::-1])  # grads came top-down
        return UnitRun(table=table, pre_exponent=np.cumsum(pre[:, 0]).astype(np.int64),
                       grad_exponent=np.cumsum(grad[::-1, 0])[::-1].astype(np.int64), pre_range=pre[:, 1:],
                       grad_range=grad[:, 1:], samples=self.samples)


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
        """Yield (layer, BaseDraw) for ``layers`` in the order given; each is valid until the next is asked for.

        The all-ones base of zero and constant weights is never drawn: ``_scaled_product`` multiplies by it as
        a sum of each row, and a 64 × 64 block of ones stands for it where its entries are sampled.
        """
        if self.noise == "ones":
            ones = BaseDraw(np.ones((64, 64), dtype=self.dtype), 0.0)
            yield from ((layer, ones) for layer in layers)
            return
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



def _forward(act, weights, a, blocks, slopes: np.ndarray, start: int = 1) -> bool:
    """Fill one row per layer of each block from layer ``start`` (``a``: a_{start-1}) up to ``len(slopes)``, and
    f'(z_l) into ``slopes``; return whether any block is left for the backward pass (False if every one overflowed).

    The loop allocates nothing per layer: z_l goes to one buffer, a_l overwrites a_{l-1} (not needed once z_l is
    computed), and f'(z_l) goes to slice l of ``slopes``. A block that overflows is marked from that layer up and
    its rows are zeroed, so that the others go on alone.
    """
    depth = len(slopes)
    z = np.empty_like(a)
    saturated = np.empty(a.shape, dtype=bool)
    apart = act.merges_inputs  # its mean is what every input shares: measure what is left (``stream_input_var``)
    for layer, base in weights.walk(list(range(start, depth + 1))):
        _scaled_product(a, base.matrix, weights.noise, blocks, "mean_square", out=z)
        for block in blocks:
            block.rescale(z[block.slice], "pre")
        act.fn(z, out=a)
        slope = act.slope(z, a, out=slopes[layer - 1])
        for block in blocks:
            spread = across_inputs(z[block.slice]) if apart and not block.exploded else None  # before z is reused
            _forward_statistics(block, layer, base, z[block.slice], a[block.slice], slope[block.slice], act,
                                saturated[block.slice])
            if spread is not None and not block.exploded:
                block.rows[-1]["stream_input_var"] = spread
        if all(block.exploded for block in blocks):  # nothing left to compute: the layers above are empty
            for block in blocks:
                block.rows += [dict.fromkeys(COLUMNS, np.nan) | dict(layer=later, exploded=True, vanished=False,
                                                                     grad_exploded=True, grad_vanished=False)
                               for later in range(layer + 1, depth + 1)]
            return False
    return True


def _forward_statistics(block, layer, base, z, a, slope, act, saturated):
    """Row ``layer`` of one block's table and its samples, from its rows of z_l, a_l and f'(z_l) of activation
    ``act``; where the block overflowed, mark it from this layer up and zero its rows."""
    row = dict.fromkeys(COLUMNS, np.nan) | dict(layer=layer, weight_std=abs(block.c) * base.std)
    block.rows.append(row)
    if block.exploded:  # no value above an overflow, the weights' spread neither: as a run alone stops there
        row.update(weight_std=np.nan, exploded=True, vanished=False, grad_exploded=True, grad_vanished=False)
        return
    record(block.samples["weight"], layer - 1, base.matrix, block.c)
    row["pre_mean"], row["pre_var"] = moments(z)
    row["act_mean"], row["act_var"] = moments(a)
    if not np.isfinite([row["pre_mean"], row["pre_var"], row["act_mean"], row["act_var"]]).all():
        row.update(pre_mean=np.nan, pre_var=np.nan, act_mean=np.nan, act_var=np.nan)
        for earlier in block.rows:
            earlier.update(exploded=earlier["layer"] >= layer, vanished=False, grad_exploded=True,
                           grad_vanished=False)
        block.exploded = block.grad_exploded = True
        a.fill(0)
        return
    row["pre_var_error"] = batch_error(z)  # the batch's sampling error of Var z_l, inputs as the draws
    block.mean_square = row["act_var"] + row["act_mean"] ** 2
    _flush_subnormals(a, block.mean_square)
    record(block.samples["pre"], layer - 1, z)
    record(block.samples["act"], layer - 1, a)
    nonzero = _count_nonzero(a, saturated)
    act.saturated(slope, out=saturated, scratch=z)  # z is recorded: its buffer is free
    row.update(frac_dead=1 - nonzero / a.size, exploded=False, vanished=nonzero == 0,
               frac_saturated=np.count_nonzero(saturated) / a.size)


def _backward(slopes, weights, upstream, blocks):
    """Carry ``upstream`` down the network, filling the gradient columns of each block's rows top-down.

    ``slopes`` (f'(z_l) per layer) are only read: they may be a kept forward pass's. dL/dz_l and dL/da_{l-1} each go
    to one reused buffer.
    """
    depth = len(slopes)
    below = weights.walk(list(range(depth, 1, -1)))  # W_L … W_2; dL/dx is not needed
    for block in blocks:
        if block.exploded:  # no finite loss, so no gradient: its rows say so already
            upstream[block.slice] = 0
    grad_out = upstream  # dL/da_l
    carried, grad = np.empty_like(upstream), np.empty_like(upstream)
    flags = np.empty(upstream.shape, dtype=bool)
    for layer in range(depth, 0, -1):
        np.multiply(slopes[layer - 1], grad_out, out=grad)  # dL/dz_l = dL/da_l ⊙ f'(z_l)
        for block in blocks:
            block.rescale(grad[block.slice], "grad")
            _backward_statistics(block, layer, grad[block.slice], flags[block.slice])
        if all(block.grad_exploded for block in blocks):
            return
        if layer > 1:
            grad_out = _scaled_product(grad, next(below)[1].matrix.T, weights.noise, blocks, "grad_square",
                                       out=carried)


def _backward_statistics(block, layer, grad, flags):
    """The gradient columns of one block's row ``layer`` (``flags``: a bool scratch of ``grad``'s shape); where its
    gradient overflowed, mark it from this layer down and zero its rows."""
    if block.grad_exploded:
        grad.fill(0)  # a NaN slope of an overflowed block times 0 is still NaN
        return
    grad_mean, grad_var = moments(grad)
    if not (np.isfinite(grad_mean) and np.isfinite(grad_var)):
        for lower in block.rows[:layer]:
            lower.update(grad_exploded=True, grad_vanished=False)
        block.grad_exploded = True
        grad.fill(0)
        return
    block.grad_square = grad_var + grad_mean**2
    _flush_subnormals(grad, block.grad_square)
    block.rows[layer - 1].update(grad_var=grad_var, grad_exploded=False, grad_vanished=not _count_nonzero(grad, flags))
    record(block.samples["grad"], layer - 1, grad)


def _count_nonzero(x: np.ndarray, flags: np.ndarray) -> int:
    """The nonzero entries of ``x``, counted through ``flags`` (a bool array of its shape): numpy counts a bool
    array's about 4 times as fast as a float array's."""
    return np.count_nonzero(np.not_equal(x, 0, out=flags))


def _scaled_product(x: np.ndarray, base: np.ndarray, noise: str, blocks, square: str, out: np.ndarray) -> np.ndarray:
    """c·(x @ base) into ``out``, each block's rows with that block's c, overflowing only where the true product
    passes the dtype's range. A base of ``noise`` "ones" makes every column of x @ base the sum of x's row.

    For |c| ≥ 1 the product is taken first (c = 1 leaves it as it is): if x @ base overflows, c times it does too.
    For |c| < 1 the block's rows of x (whose mean square is the block's attribute ``square``) are scaled first, in
    place since the callers are done with them: x @ base may pass the range where c·(x @ base) does not. Rows that
    became tiny are flushed (``_flush_subnormals``).
    """
    for block in blocks:
        if abs(block.c) < 1:
            rows = x[block.slice]
            rows *= rows.dtype.type(block.c)
            _flush_subnormals(rows, getattr(block, square) * float(block.c) ** 2)
    if noise == "ones":
        out[...] = np.add.reduce(x, axis=1, keepdims=True)
    else:
        np.matmul(x, base, out=out)
    for block in blocks:
        if abs(block.c) >= 1 and block.c != 1:
            out[block.slice] *= out.dtype.type(block.c)
    return out


# ---- any Network: layer shapes, residual blocks, norms, biases -------------------------------------------------

STREAM_COLUMNS = ("fan_in", "fan_out", "stream_var", "stream_grad_var", "stream_input_var")


def _check_network_size(net: Network, batch, seed, dtype) -> tuple[int, int, str]:
    """(batch, seed, dtype) validated, and ``net`` held to the work budget of square networks: its weights
    Σ n_(l-1)·n_l to ``MAX_WEIGHTS``, the values it keeps for the way back, batch·Σ n_l, to ``MAX_ACTIVATIONS``,
    and orthogonal weights' QR decompositions, Σ n_(l-1)·n_l·max(n_(l-1), n_l), to ``MAX_ORTHOGONAL``."""
    _, _, batch, seed, dtype = check_network(1, 2, batch, seed, dtype)
    if net.weights > MAX_WEIGHTS:
        raise ValueError(f"the network's {net.weights:,} weights exceed the work budget {MAX_WEIGHTS:,} "
                         f"(depth 100 at width 1024); lower the depth or the widths")
    if batch * net.units > MAX_ACTIVATIONS:
        raise ValueError(f"batch*Σ widths={batch * net.units:,} exceeds the work budget {MAX_ACTIVATIONS:,}; "
                         f"lower the depth, the batch or the widths")
    if get_scheme(net.scheme).noise_for(net.params) == "orthogonal":
        qr = orthogonal_work(net.widths)
        if qr > MAX_ORTHOGONAL:
            raise ValueError(f"Orthogonal weights need a QR decomposition of every layer, and this network's "
                             f"take {_times_over(qr, MAX_ORTHOGONAL)} what one view may compute; lower the depth or "
                             "the widths.")
    return batch, seed, dtype


def _simulate_networks(nets: dict[str, Network], batch: int, seed: int, dtype: str) -> Propagations:
    """``simulate_many`` for networks beyond the plain MLP: each scheme alone, the batch shared within
    ``MAX_REQUEST`` (2 multiply-adds per row per weight); compared schemes that do not fit are left out."""
    chosen = next(iter(nets.values()))
    _check_network_size(chosen, batch, seed, dtype)
    per_row = 2 * chosen.weights
    members, left_out = list(nets), {}
    shared = min(batch, int(MAX_REQUEST // (per_row * len(members))))
    while shared < min(batch, MIN_SHARED_BATCH) and len(members) > 1:
        left_out[members.pop()] = (f"with it, each of the {len(members) + 1} networks would get fewer than "
                                   f"{MIN_SHARED_BATCH} inputs")
        shared = min(batch, int(MAX_REQUEST // (per_row * len(members))))
    shared = batch if len(members) == 1 else max(shared, 1)
    runs = {}
    for scheme in members:
        try:
            runs[scheme] = _simulate_network(nets[scheme], *_check_network_size(nets[scheme], shared, seed, dtype))
        except ValueError as reason:
            if not runs:
                raise
            left_out[scheme] = str(reason)
    return Propagations(runs, shared, batch, left_out)


def _layer_weights(net: Network, seed: int, dtype: np.dtype) -> list[BaseDraw]:
    """W_l = c_l·B_l of every layer at its true scale, with the standard deviation of its entries; B_l is layer
    l's draw of the scheme's noise at its shape (a square network's own draws, where the shapes are square)."""
    chosen = get_scheme(net.scheme)
    noise = chosen.noise_for(net.params)
    layers = []
    for layer in range(1, net.depth + 1):
        shape = net.fans(layer)
        c = chosen.multiplier(*shape, net.params)
        if noise == "ones":
            base = BaseDraw(np.ones(shape, dtype=dtype), 0.0)
        else:
            base = NOISE_BANK.bases(seed, noise, [layer], shape, dtype, thread_pool())[0]
        layers.append(BaseDraw(base.matrix * dtype.type(c), abs(c) * base.std))
    return layers


def _biases(net: Network, seed: int, dtype: np.dtype) -> list[np.ndarray | None]:
    """b_l ~ N(0, σ_b²) of every layer, each from its own stream of ``seed`` (None without biases)."""
    if not net.bias_std:
        return [None] * net.depth
    return [(stream(seed, "bias", layer).standard_normal(n) * net.bias_std).astype(dtype)
            for layer, n in enumerate(net.widths[1:], start=1)]


def _simulate_network(net: Network, batch: int, seed: int, dtype: str) -> Propagation:
    """``simulate`` of any ``Network``, layer by layer at the true scale (``initcore.passes.walk``), measured as the
    square network is: the same columns (of u_l, what the activation sees), explosions and samples, plus the
    fans and the variances of the stream z_l and of dL/dz_l."""
    dtype = np.dtype(dtype)
    act = get_activation(net.activation)
    depth = net.depth
    block = _Block(slice(0, batch), 1.0, depth)
    extra = {name: np.full(depth, np.nan) for name in STREAM_COLUMNS}
    extra["fan_in"], extra["fan_out"] = np.array(net.widths[:-1]), np.array(net.widths[1:])
    apart = net.shares_across_inputs
    with np.errstate(all="ignore"):
        weights = _layer_weights(net, seed, dtype)
        inputs = NOISE_BANK.gaussian(seed, "input", (batch, net.widths[0]), dtype)
        upstream = NOISE_BANK.gaussian(seed, "upstream", (batch, net.widths[-1]), dtype).copy()

        def forward(layer: Forward) -> bool:
            slope = act.slope(layer.u, layer.a)
            _forward_statistics(block, layer.layer, weights[layer.layer - 1], layer.u.copy(), layer.a, slope, act,
                                np.empty(layer.u.shape, dtype=bool))
            if not block.exploded:
                extra["stream_var"][layer.layer - 1] = moments(layer.z)[1]
                if apart:  # what a bias or f's mean does not add to: each unit's spread over the inputs
                    extra["stream_input_var"][layer.layer - 1] = across_inputs(layer.z)
            return not block.exploded

        def backward(layer: Backward) -> None:
            _backward_statistics(block, layer.layer, layer.du, np.empty(layer.du.shape, dtype=bool))
            if not block.grad_exploded:
                extra["stream_grad_var"][layer.layer - 1] = moments(layer.dz)[1]

        if not walk(net, inputs, upstream, [w.matrix for w in weights], _biases(net, seed, dtype),
                    forward=forward, backward=backward):
            block.rows += [dict.fromkeys(COLUMNS, np.nan) | dict(layer=later, exploded=True, vanished=False,
                                                                 grad_exploded=True, grad_vanished=False)
                           for later in range(len(block.rows) + 1, depth + 1)]
    layers = pd.DataFrame(block.rows, columns=COLUMNS).assign(**extra)
    hists = {kind: build(rows) for kind, rows in block.samples.items()}
    settings = net.settings() | dict(batch=batch, seed=seed, dtype=dtype.name)
    return Propagation(layers=layers, act_hist=hists["act"], pre_hist=hists["pre"], grad_hist=hists["grad"],
                       weight_hist=hists["weight"], settings=settings)
