"""One description of a network, read by ``simulate``, ``theory`` and ``train`` alike.

A ``Network`` has layer widths n_0 (the input), n_1 … n_L, an activation f, an initialization scheme, and three
optional pieces of a modern deep network. Layer l (l = 1 … L) computes

    z_l = ρ_l · z_{l-1} + α_l · a_{l-1} @ W_l + b_l,     u_l = N(z_l),     a_l = f(u_l),     a_0 = x

with W_l of shape (n_{l-1}, n_l) drawn by the scheme (fan_in = n_{l-1}, fan_out = n_l), and

* **residual** α: for l ≥ 2, ρ_l = 1 and α_l = α, so z_l = z_{l-1} + α · f(N(z_{l-1})) @ W_l: z_l is the
  residual stream and α scales each block's branch (α = 0 is ReZero / SkipInit at initialization). Without it,
  ρ_l = 0 and α_l = 1: the plain MLP. Layer 1 is always a plain projection of the input.
* **norm** N: ``"layer"`` standardizes each example over its n_l units, ``"batch"`` each unit over the batch
  (mean 0, variance 1, with ε = 1e-5 as PyTorch adds), before the activation: in a residual network that is
  the pre-norm block. Without it, N is the identity and u_l = z_l.
* **biases** b_l ~ N(0, σ_b²), σ_b = ``bias_std`` (0: none).

So u_l is what the activation sees (its *pre-activation*) and z_l is the layer's sum, the same thing unless
the layer normalizes. The plain MLP of ``initcore.simulate`` is the network with every n_l equal and none of the
three pieces (``Network.plain``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from initcore import _validate
from initcore.activations import get_activation
from initcore.schemes import get_scheme

NORMS = ("layer", "batch")
NORM_EPSILON = 1e-5
MAX_RESIDUAL = 10.0
MAX_BIAS_STD = 100.0
SHAPES = ("constant", "funnel", "bottleneck", "widening")


@dataclass(frozen=True)
class Network:
    """What a network is, validated: widths n_0 … n_L, activation, scheme and its parameters, residual α (None:
    plain), norm (None, "layer" or "batch") and the biases' σ_b. Build one with ``network``."""

    widths: tuple[int, ...]
    activation: str
    scheme: str
    params: Mapping[str, object] = field(default_factory=dict)
    residual: float | None = None
    norm: str | None = None
    bias_std: float = 0.0

    @property
    def depth(self) -> int:
        """L, the number of weight layers."""
        return len(self.widths) - 1

    @property
    def shares_across_inputs(self) -> bool:
        """Whether z_l holds a part that is the same for every input and can outlast the part that tells them apart:
        biases, or an activation's mean carried up through the weights (``Activation.merges_inputs``). Where it
        does, ``simulate`` measures and ``theory`` predicts that other part, each unit's variance over the inputs
        (``stream_input_var``); elsewhere it is Var z itself, or its fall is slow, and neither spends on it."""
        return shares_across_inputs(self.activation, self.bias_std)

    @property
    def plain(self) -> bool:
        """Square layers and nothing else: the network the fast path of ``simulate`` runs."""
        return (len(set(self.widths)) == 1 and self.residual is None and self.norm is None
                and self.bias_std == 0)

    def fans(self, layer: int) -> tuple[int, int]:
        """(fan_in, fan_out) of W_layer, layer = 1 … L."""
        return self.widths[layer - 1], self.widths[layer]

    def carries(self, layer: int) -> bool:
        """Whether layer ``layer`` adds its branch to the stream it receives (ρ_l = 1)."""
        return self.residual is not None and layer >= 2

    def branch_scale(self, layer: int) -> float:
        """α_l: the residual's α in a residual block, else 1."""
        return self.residual if self.carries(layer) else 1.0

    @property
    def weights(self) -> int:
        """Σ n_{l-1}·n_l, the weights of the whole network."""
        return sum(a * b for a, b in zip(self.widths, self.widths[1:]))

    @property
    def units(self) -> int:
        """Σ n_l over l = 1 … L: the values one example leaves in the network."""
        return sum(self.widths[1:])

    def settings(self) -> dict:
        """The keywords that rebuild this network with ``network`` (plain ones: depth and width)."""
        if self.plain:
            shape = dict(depth=self.depth, width=self.widths[0])
        else:
            shape = dict(depth=self.depth, width=self.widths[0], widths=self.widths, residual=self.residual,
                         norm=self.norm, bias_std=self.bias_std)
        return shape | dict(activation=self.activation, scheme=self.scheme, **self.params)


def shares_across_inputs(activation: str, bias_std: float) -> bool:
    """``Network.shares_across_inputs`` of a network of ``activation`` with biases of σ_b = ``bias_std``."""
    return bias_std > 0 or get_activation(activation).merges_inputs


def network(*, activation: str, scheme: str, depth: int | None = None, width: int | None = None,
            widths: Sequence[int] | None = None, residual: float | None = None, norm: str | None = None,
            bias_std: float = 0.0, width_range: tuple[int, int] = (1, 2048), depth_range: tuple[int, int] = (1, 200),
            **scheme_params) -> Network:
    """Validate a network's description into a ``Network``; every bad input raises a ValueError saying what is
    allowed. Give either ``depth`` and ``width`` (square layers) or ``widths`` = (n_0, n_1, …, n_L); a ``depth``
    given with ``widths`` must be len(widths) - 1, and ``width`` is then n_0's default only."""
    activation = get_activation(activation).id
    scheme = get_scheme(scheme).id
    params = get_scheme(scheme).resolve(**scheme_params)
    if widths is None:
        if depth is None or width is None:
            raise ValueError("give depth and width, or widths=(n_0, n_1, …, n_L)")
        depth = _validate.integer("depth", depth, *depth_range)
        widths = (_validate.integer("width", width, *width_range),) * (depth + 1)
    else:
        widths = _widths(widths, width_range, depth_range)
        if depth is not None and depth != len(widths) - 1:
            raise ValueError(f"depth={depth!r} but widths={widths} has {len(widths) - 1} layers; "
                             f"give one or make them agree")
    if residual is not None:
        residual = _validate.real("residual", residual, 0.0, MAX_RESIDUAL)
        if len(set(widths[1:])) > 1:
            raise ValueError(f"residual={residual:g} needs every block to keep its width (z_l = z_(l-1) + …), but "
                             f"widths={widths} change after the first layer; use one width from n_1 on")
    if norm is not None:
        norm = _validate.choice("norm", norm, NORMS)
    bias_std = _validate.real("bias_std", bias_std, 0.0, MAX_BIAS_STD)
    return Network(widths, activation, scheme, params, residual, norm, bias_std)


def _widths(widths, width_range, depth_range) -> tuple[int, ...]:
    """``widths`` as a tuple of whole numbers in ``width_range``, with 1 … ``depth_range`` layers."""
    if isinstance(widths, np.ndarray) and widths.ndim == 1:  # a notebook's array of widths: its entries, checked below
        widths = widths.tolist()
    if isinstance(widths, (str, bytes)) or not isinstance(widths, Sequence):
        raise ValueError(f"widths={widths!r}; expected a sequence of whole numbers (n_0, n_1, …, n_L)")
    low, high = depth_range
    if not low + 1 <= len(widths) <= high + 1:
        raise ValueError(f"widths has {len(widths)} entries; expected {low + 1} to {high + 1} "
                         f"(the input width, then one per layer)")
    return tuple(_validate.integer(f"widths[{i}]", n, *width_range) for i, n in enumerate(widths))


def shaped_widths(shape: str, depth: int, width: int, *, narrowest: int = 2) -> tuple[int, ...]:
    """n_0 … n_depth of a named ``shape`` whose widest layer has ``width`` units:

    * constant: every layer ``width``;
    * funnel: halving from the input's ``width`` each layer, down to ``narrowest``;
    * bottleneck: halving to the middle layer and doubling back, as an autoencoder does;
    * widening: the funnel reversed, from its narrowest input up to ``width``.
    """
    _validate.choice("shape", shape, SHAPES)
    halved = [max(narrowest, width >> min(level, 62)) for level in range(depth + 1)]
    if shape == "constant":
        return (width,) * (depth + 1)
    if shape == "funnel":
        return tuple(halved)
    if shape == "widening":
        return tuple(reversed(halved))
    return tuple(halved[min(level, depth - level)] for level in range(depth + 1))
