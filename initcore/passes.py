"""The forward and backward pass of any ``Network`` (layer shapes, residual blocks, norms, biases), on arrays.

Forward, for l = 1 … L (see ``initcore.network``):

    z_l = ρ_l z_{l-1} + α_l · a_{l-1} @ W_l + b_l,     u_l = N(z_l),     a_l = f(u_l)

Backward, from an upstream gradient g = dL/da_L:

    dL/du_l = dL/da_l ⊙ f'(u_l)
    dL/dz_l = J_N(z_l)ᵀ dL/du_l + ρ_{l+1} · dL/dz_{l+1}
    dL/da_{l-1} = α_l · dL/dz_l @ W_lᵀ

where, with û = (z - μ)/s standardized along the norm's axis (s² = Var + ε, n values on that axis),

    J_N(z)ᵀ δ = (δ - mean(δ) - û · mean(δ ⊙ û)) / s

(exact, ε included). ``walk`` yields each layer's arrays to a visitor as soon as they exist, so a caller keeps
statistics without holding every array: ``initcore.propagation`` measures a simulation this way, and the tests
compare ``walk``'s gradients with finite differences.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from initcore.activations import get_activation
from initcore.network import NORM_EPSILON, Network

_AXIS = {"layer": 1, "batch": 0}  # rows are examples, columns units


@dataclass
class Forward:
    """Layer ``layer``'s forward arrays: its sum z_l, what the activation sees u_l, and a_l = f(u_l)."""

    layer: int
    z: np.ndarray
    u: np.ndarray
    a: np.ndarray


@dataclass
class Backward:
    """Layer ``layer``'s backward arrays: dL/du_l and dL/dz_l."""

    layer: int
    du: np.ndarray
    dz: np.ndarray


def normalize(z: np.ndarray, norm: str | None) -> tuple[np.ndarray, np.ndarray | None]:
    """(u, s): z standardized along the norm's axis and the scale s = √(Var + ε) it divided by (None: no norm)."""
    if norm is None:
        return z, None
    axis = _AXIS[norm]
    centred = z - z.mean(axis=axis, keepdims=True)
    scale = np.sqrt(np.mean(np.square(centred), axis=axis, keepdims=True) + z.dtype.type(NORM_EPSILON))
    centred /= scale
    return centred, scale


def normalize_backward(du: np.ndarray, u: np.ndarray, scale: np.ndarray | None, norm: str | None) -> np.ndarray:
    """J_N(z)ᵀ du, from the u and s that ``normalize`` returned."""
    if norm is None:
        return du
    axis = _AXIS[norm]
    return (du - du.mean(axis=axis, keepdims=True) - u * np.mean(du * u, axis=axis, keepdims=True)) / scale


def walk(network: Network, x: np.ndarray, upstream: np.ndarray, weights: Sequence[np.ndarray],
         biases: Sequence[np.ndarray | None], *, forward: Callable[[Forward], bool] = lambda _: True,
         backward: Callable[[Backward], None] = lambda _: None) -> bool:
    """Run ``network`` on inputs ``x`` (batch, n_0) with ``weights`` W_1 … W_L and ``biases`` (None: no bias),
    then carry ``upstream`` (batch, n_L) = dL/da_L down. ``forward`` sees each layer's ``Forward`` bottom-up and
    returns False to stop there (the signal overflowed); ``backward`` then sees each layer's ``Backward``
    top-down. Returns whether the backward pass ran. Keeps u_l and s_l of every layer for the way back."""
    act = get_activation(network.activation)
    kept: list[tuple[np.ndarray, np.ndarray | None]] = []
    a, z = x, None
    for layer in range(1, network.depth + 1):
        branch = a @ weights[layer - 1]
        if network.carries(layer):
            branch *= branch.dtype.type(network.branch_scale(layer))
            branch += z
        if biases[layer - 1] is not None:
            branch += biases[layer - 1]
        z = branch
        u, scale = normalize(z, network.norm)
        a = act.fn(u)
        kept.append((u, scale))
        if not forward(Forward(layer, z, u, a)):
            return False
    grad_a, dz_above = upstream, None
    for layer in range(network.depth, 0, -1):
        u, scale = kept.pop()
        du = grad_a * act.deriv(u)
        dz = normalize_backward(du, u, scale, network.norm)
        if dz_above is not None and network.carries(layer + 1):
            dz = dz + dz_above
        backward(Backward(layer, du, dz))
        if layer > 1:
            grad_a = dz @ weights[layer - 1].T
            if network.carries(layer):
                grad_a *= grad_a.dtype.type(network.branch_scale(layer))
        dz_above = dz
    return True
