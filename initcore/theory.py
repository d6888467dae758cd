"""What theory predicts for the variance of signals and gradients, layer by layer.

For a layer ``z_{l+1} = f(z_l) @ W`` with zero-mean i.i.d. weights of variance Var(W), the pre-activation
variance obeys the *length map* (He et al. 2015, eq. 10; Poole et al. 2016):

    q_{l+1} = n_in · Var(W) · E[f(√q_l · ξ)²],      ξ ~ N(0, 1),    q_1 = n_in · Var(W) · E[x²]

and the gradient variance, carried top-down (He et al. 2015, eq. 14):

    G_L = E[f'(√q_L ξ)²] · Var(g),    G_l = n_out · Var(W) · G_{l+1} · E[f'(√q_l ξ)²]

For the positively homogeneous activations (linear, ReLU, leaky ReLU) both expectations are exact
multiples of q (ReLU: E[f²] = q/2, E[f'²] = 1/2; leaky ReLU with slope a: (1+a²)/2), so the recursion is
exact in expectation over the weights. For tanh, sigmoid, ELU, SELU and GELU it is the mean-field
approximation (exact as the width grows), evaluated by Gauss–Hermite quadrature:

    E[h(√q ξ)] = (1/√π) Σ_i w_i h(√(2q) x_i)

Gauss–Hermite converges fast for integrands smooth on the scale of its nodes. It is used for the smooth
activations (tanh, sigmoid, GELU) while √q ≤ ``GAUSS_HERMITE_UP_TO``. Beyond that its nodes straddle the
narrow bump of tanh' around 0 (E[tanh'(z)²] at √q = 22 comes out 400× too small), and ELU's and SELU's
derivatives have a corner or a jump at 0 that slows it to about 1e-3. There we use the trapezoid rule on a
grid that has a point at 0: 4001 points over ±10√q, plus a 0.01 mesh over |z| ≤ 12 where the activations
bend. Both are checked against Monte Carlo in the tests.

For schemes whose weights are not zero-mean (``constant``) the recursion does not apply: NaN.
Var(x) = Var(g) = 1 as in ``initcore.simulate``.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from initcore.activations import get_activation
from initcore.propagation import check_network
from initcore.schemes import get_scheme

QUADRATURE_NODES = 160
GAUSS_HERMITE_UP_TO = 2.0  # largest √q for which Gauss–Hermite is used


@cache
def _hermite() -> tuple[np.ndarray, np.ndarray]:
    nodes, weights = np.polynomial.hermite.hermgauss(QUADRATURE_NODES)
    return np.sqrt(2.0) * nodes, weights / np.sqrt(np.pi)


def moments(activation: str, q: float) -> tuple[float, float]:
    """(E[f(z)²], E[f'(z)²]) for z ~ N(0, q)."""
    act = get_activation(activation)
    if act.homogeneous is not None:
        return act.homogeneous[0] * q, act.homogeneous[1]
    sigma = float(np.sqrt(q))
    with np.errstate(all="ignore"):
        if sigma == 0 or not np.isfinite(sigma) or (act.smooth and sigma <= GAUSS_HERMITE_UP_TO):
            nodes, weights = _hermite()
            z = sigma * nodes
            return float(weights @ act.fn(z) ** 2), float(weights @ act.deriv(z) ** 2)
        z = _grid(sigma)
        density = np.exp(-0.5 * (z / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))
        return (float(np.trapezoid(act.fn(z) ** 2 * density, z)),
                float(np.trapezoid(act.deriv(z) ** 2 * density, z)))


_SPAN = np.linspace(-10.0, 10.0, 4001)  # the trapezoid's points in units of σ
_MESH = np.linspace(-12.0, 12.0, 2401)  # and on the scale where the activations bend


def _grid(sigma: float) -> np.ndarray:
    """Trapezoid points for z ~ N(0, σ²): 4001 over ±10σ, plus a 0.01 mesh on |z| ≤ 12 where it falls inside
    ±10σ; 0 is a point. (Mesh points outside add nothing but a gap: from 10σ to 0.01 the trapezoid would
    stretch the Gaussian's tail value over a width of 0.01, an error of about 10⁻²³/σ relative, which for a
    signal faded below Var z ≈ 10⁻⁴⁰ outgrows the result.)"""
    return np.union1d(sigma * _SPAN, _MESH[np.abs(_MESH) < 10.0 * sigma])


def weight_variance(scheme: str, fan_in: int, fan_out: int, **params) -> float:
    """Var(W) of one entry; NaN where the weights are not zero-mean and the recursion does not apply."""
    chosen = get_scheme(scheme)
    p = chosen.resolve(**params)
    if chosen.noise_for(p) == "ones" and chosen.multiplier(fan_in, fan_out, p) != 0:
        return float("nan")
    return chosen.std(fan_in, fan_out, **p) ** 2


def variance_ratio(activation: str, scheme: str, fan_in: int, fan_out: int, *, q: float = 1.0, **params) -> float:
    """Var z_{l+1} / Var z_l for one layer whose input pre-activation has variance ``q`` (default 1).

    Independent of q for linear and the ReLU family: 1 means the signal keeps its size, < 1 vanishes,
    > 1 explodes. ReLU + He gives 1, ReLU + Xavier (square layer) 1/2.
    """
    return fan_in * weight_variance(scheme, fan_in, fan_out, **params) * moments(activation, q)[0] / q


def _length_map(depth, width, activation, scheme, params):
    """Per layer: q_l = Var z_l and E[f'(z_l)²]; plus Var(W)."""
    check_network(depth, width, 2, 0, "float32")
    var_w = weight_variance(scheme, width, width, **params)
    pre = np.empty(depth)
    slope = np.empty(depth)
    q = width * var_w  # E[x²] = 1
    with np.errstate(all="ignore"):
        for layer in range(depth):
            pre[layer] = q
            second, slope[layer] = moments(activation, q)
            q = width * var_w * second
    return pre, slope, var_w


def predicted_variances(*, depth: int, width: int, activation: str, scheme: str, **params):
    """Predicted (Var z_l, Var dL/dz_l) for l = 1 … depth: the forward length map, then the backward recursion
    for an upstream gradient of variance 1, from one pass of the map."""
    pre, slope, var_w = _length_map(depth, width, activation, scheme, params)
    grad = np.empty(depth)
    g = 1.0
    with np.errstate(all="ignore"):
        for layer in range(depth - 1, -1, -1):
            grad[layer] = g * slope[layer]
            g = width * var_w * grad[layer]
    return pre, grad


def predicted_pre_var(*, depth: int, width: int, activation: str, scheme: str, **params) -> np.ndarray:
    """Predicted Var z_l for l = 1 … depth (the length map above)."""
    return _length_map(depth, width, activation, scheme, params)[0]


def predicted_grad_var(*, depth: int, width: int, activation: str, scheme: str, **params) -> np.ndarray:
    """Predicted Var dL/dz_l for l = 1 … depth, for an upstream gradient of variance 1."""
    return predicted_variances(depth=depth, width=width, activation=activation, scheme=scheme, **params)[1]


def predicted_overflow_layer(pre_var: np.ndarray, values: int, dtype="float32") -> int | None:
    """First layer where the largest of ``values`` Gaussian draws of variance ``pre_var`` passes the dtype's max.

    The largest |z| of n draws is about σ·√(2 ln n); float32 overflows at 3.4e38.
    """
    largest = np.sqrt(pre_var) * np.sqrt(2 * np.log(values))
    over = np.flatnonzero(~(largest < np.finfo(dtype).max))
    return int(over[0]) + 1 if over.size else None
