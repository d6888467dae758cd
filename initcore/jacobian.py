"""The singular values of a deep network's input–output Jacobian (dynamical isometry; Saxe et al. 2014,
Pennington et al. 2017).

The network is ``initcore.simulate``'s: ``depth`` square layers of ``width`` units, no biases,

    z_1 = x W_1,   z_l = f(z_{l−1}) W_l,      x ~ N(0, I),

so the Jacobian of the last pre-activation with respect to the input is, with D_l = diag(f'(z_l)),

    J = ∂z_L/∂x = W_Lᵀ D_{L−1} W_{L−1}ᵀ ⋯ D_1 W_1ᵀ.

Its squared singular values are how much the network stretches each direction of the input (and, the other
way, each direction of a gradient). If they all sit near 1 (*dynamical isometry*) every direction gets
through, at any depth: linear + orthogonal gives exactly 1, tanh + orthogonal near criticality stays close.
Gaussian weights spread them with depth, even where their mean square is 1 (E[tr JJᵀ]/n = Π_l n·Var(W_l)·
E[f'(z_l)²], the product the gradient recursion of ``initcore.theory`` follows), and ReLU's zeros spread them
under any weights.

Randomness: ``np.random.default_rng(seed)`` draws x, then W_1, …, W_L with ``init_weights`` (float32), in
that order. The forward pass carries z_l in float64; the product Pᵀ = J is accumulated from the input side,
P_l = P_{l−1} D_{l−1} W_l, in float32 (the network's own precision: one matrix product per layer), and after
each layer P and the slopes are rescaled by powers of two, whose exponents are summed apart, so the product
can neither overflow nor underflow. The singular values are the square roots of the eigenvalues of P Pᵀ in
float64, scaled back at the end.

Precision, range and cost:

* values at least ``RESOLUTION`` times the largest are right to about 0.2 % (against a float64 product of the
  same weights); smaller ones are rounding of the float32 product, not the network: a deep Gaussian product has
  singular values far smaller (e^{−4L} at width 1024), and they read as that floor;
* a singular value beyond float64's range reads ∞ (or 0 below it), the others keep their value;
* if the forward signal itself passes float64's range (an unbounded activation under weights far too large),
  there is no finite network to differentiate: every value reads ∞;
* the work is one width × width product per layer, 2·depth·width³ flops (``MAX_PRODUCT``: depth 100 at width
  1024, about 2·10¹¹, some 2 s on two cores at best); orthogonal weights add a QR decomposition per layer and
  are capped as in ``initcore.simulate`` (``MAX_ORTHOGONAL``).
"""

from __future__ import annotations

import numpy as np

from initcore import _validate
from initcore.activations import get_activation
from initcore.propagation import DEPTH_RANGE, MAX_ORTHOGONAL, SEED_RANGE, WIDTH_RANGE
from initcore.schemes import get_scheme, init_weights

MAX_PRODUCT = 100 * 1024**3  # depth·width³: one width × width matrix product per layer
RESOLUTION = 1e-5


def jacobian_spectrum(*, depth: int, width: int, activation: str, scheme: str, seed: int = 0,
                      **params) -> np.ndarray:
    """Singular values of ∂z_L/∂x at one input x ~ N(0, I), largest first: float64, shape (width,).

    See the module docstring for the network, the draws, and what values past float range read.
    """
    return jacobian_spectra(depths=(depth,), width=width, activation=activation, scheme=scheme, seed=seed,
                            **params)[depth]


def jacobian_spectra(*, depths, width: int, activation: str, scheme: str, seed: int = 0,
                     **params) -> dict[int, np.ndarray]:
    """``jacobian_spectrum`` at each of ``depths``, along one network: with the same seed a network of depth L is
    the first L layers of a deeper one (the draws come in layer order), so the deepest one's product passes
    every shallower depth on its way, and each costs only its eigenvalues."""
    wanted = sorted({_validate.integer("depth", depth, *DEPTH_RANGE) for depth in depths})
    if not wanted:
        raise ValueError("depths is empty; give one or more depths")
    deepest, width, seed = _check(wanted[-1], width, seed, scheme, params)
    act = get_activation(activation)
    rng = np.random.default_rng(seed)
    signal = rng.standard_normal(width)
    product, exponent, found = None, 0, {}  # Jᵀ = product · 2^exponent
    with np.errstate(all="ignore"):
        for layer in range(1, deepest + 1):
            weights = init_weights(scheme, width, width, rng, **params)
            if product is None:
                product, pre = weights.copy(), _layer(signal, weights)
            else:
                slopes = act.deriv(np.clip(pre, -_SATURATED, _SATURATED))
                kept = np.flatnonzero(slopes)  # columns a zero slope removes from the product
                slope_exponent = _exponent(slopes)
                scaled = np.ldexp(slopes[kept], -slope_exponent).astype(np.float32)
                product = (product[:, kept] * scaled) @ weights[kept]
                exponent += slope_exponent
                pre = _layer(act.fn(pre), weights)
            if not np.isfinite(pre).all():  # no finite network from here up
                return found | {depth: np.full(width, np.inf) for depth in wanted if depth >= layer}
            shift = _exponent(product)
            product = np.ldexp(product, -shift)
            exponent += shift
            if not product.any():
                return found | {depth: np.zeros(width) for depth in wanted if depth >= layer}
            if layer in wanted:
                found[layer] = _singular_values(product, exponent)
    return found


def _singular_values(product: np.ndarray, exponent: int) -> np.ndarray:
    """The singular values of product · 2^exponent, largest first, from the eigenvalues of its Gram matrix in
    float64."""
    square = product.astype(np.float64)
    eigenvalues = np.linalg.eigvalsh(square.T @ square)[::-1]
    return np.ldexp(np.sqrt(np.clip(eigenvalues, 0, None)), exponent)


_SATURATED = 1e30  # every activation's slope is constant beyond |z| = 40; the clip keeps GELU's z³ finite


def _check(depth, width, seed, scheme, params) -> tuple[int, int, int]:
    depth = _validate.integer("depth", depth, *DEPTH_RANGE)
    width = _validate.integer("width", width, *WIDTH_RANGE)
    seed = _validate.integer("seed", seed, *SEED_RANGE)
    chosen = get_scheme(scheme)
    orthogonal = chosen.noise_for(chosen.resolve(**params)) == "orthogonal"
    limit = MAX_ORTHOGONAL if orthogonal else MAX_PRODUCT
    if depth * width**3 > limit:
        what = "a QR decomposition and a matrix product" if orthogonal else "a matrix product"
        raise ValueError(f"depth*width**3={depth * width**3:,} exceeds the work budget {limit:,} ({what} per layer); "
                         f"at width {width} up to {limit // width**3} layers fit")
    return depth, width, seed


def _exponent(values: np.ndarray) -> int:
    """The power of two of the largest |value| (0 if all are 0): dividing by 2^it is exact."""
    largest = float(np.max(np.abs(values)))
    return int(np.frexp(largest)[1]) if largest > 0 else 0


def _layer(signal: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """signal @ weights in float32 arithmetic, the signal first scaled to at most 1 by a power of two (exact), so
    only a result past float64's range overflows."""
    shift = _exponent(signal)
    return np.ldexp((np.ldexp(signal, -shift).astype(np.float32) @ weights).astype(np.float64), shift)
