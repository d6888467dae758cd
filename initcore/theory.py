"""What theory predicts for the variance of signals and gradients, layer by layer.

For a layer ``z_{l+1} = f(z_l) @ W`` with zero-mean i.i.d. weights of variance Var(W), the pre-activation
variance obeys the *length map* (He et al. 2015, eq. 10; Poole et al. 2016):

    q_{l+1} = n_in · Var(W) · E[f(√q_l · ξ)²],      ξ ~ N(0, 1),    q_1 = n_in · Var(W) · E[x²]

and the gradient variance, carried top-down (He et al. 2015, eq. 14):

    G_L = E[f'(√q_L ξ)²] · Var(g),    G_l = n_out · Var(W) · G_{l+1} · E[f'(√q_l ξ)²]

For the positively homogeneous activations (linear, ReLU, leaky ReLU) both expectations are exact
multiples of q (ReLU: E[f²] = q/2, E[f'²] = 1/2; leaky ReLU with slope a: (1+a²)/2), so the recursion is
exact in expectation over the weights. For tanh, sigmoid, ELU, SELU and GELU it is the mean-field
approximation (exact as the width grows), with the two expectations computed by quadrature
(``expectation``) to about 10⁻¹² relative at every q. ELU's derivative has a corner at 0 and SELU's a jump,
so each half-line is integrated on its own: composite Gauss–Legendre on panels of at most σ/2 (where the
Gaussian bends) and, near 0, of at most ¼ to 2 (where the activations bend: tanh' is a bump of width 1,
however wide the Gaussian). ELU and SELU also have closed forms, with which the tests check it:

    E[f²]  = λ²( q/2 + α²(e^{2q} Φ(-2√q) - 2 e^{q/2} Φ(-√q) + 1/2) )
    E[f'²] = λ²( 1/2 + α² e^{2q} Φ(-2√q) )                              (ELU: λ = α = 1)

For schemes whose weights are not zero-mean (``constant``) the recursion does not apply: NaN.
Var(x) = Var(g) = 1 as in ``initcore.simulate``.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from initcore import _validate
from initcore.activations import get_activation
from initcore.propagation import check_network
from initcore.schemes import get_scheme

PANEL_NODES = 20  # Gauss–Legendre nodes per panel
_GAUSS_SPAN = np.linspace(0.0, 10.0, 21)  # panel edges in units of σ: beyond 10σ lies under 10⁻²² of the mass
_BENDS = np.array([0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 8, 10, 12, 16])  # where activations bend


@cache
def _legendre() -> tuple[np.ndarray, np.ndarray]:
    nodes, weights = np.polynomial.legendre.leggauss(PANEL_NODES)
    return nodes, weights


def _half_line(sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Nodes z > 0 and weights w with Σ w·h(z) ≈ E[h(z) · 1{z > 0}] for z ~ N(0, σ²) and any h smooth on
    z > 0 (composite Gauss–Legendre; the Gaussian density is folded into the weights)."""
    edges = np.union1d(sigma * _GAUSS_SPAN, _BENDS[np.less(_BENDS, 10.0 * sigma)])
    half, middle = np.diff(edges) / 2, (edges[1:] + edges[:-1]) / 2
    x, w = _legendre()
    z = (middle[:, None] + half[:, None] * x).ravel()
    weights = (half[:, None] * w).ravel() * np.exp(-0.5 * (z / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))
    return z, weights


def expectation(h, sigma: float) -> float:
    """E[h(z)] for z ~ N(0, σ²), for an h smooth on each side of 0 (a corner or a jump at 0 is fine)."""
    if sigma == 0:
        return float(h(np.zeros(1))[0])
    z, weights = _half_line(sigma)
    return float(weights @ h(z) + weights @ h(-z))


def moments(activation: str, q: float) -> tuple[float, float]:
    """(E[f(z)²], E[f'(z)²]) for z ~ N(0, q): exact for the homogeneous activations, else ``expectation``.

    A signal that overflowed (q = inf) saturates tanh and sigmoid and leaves ELU, SELU and GELU infinite:
    the limits are evaluated at ±inf.
    """
    act = get_activation(activation)
    if act.homogeneous is not None:
        return act.homogeneous[0] * q, act.homogeneous[1]
    sigma = float(np.sqrt(q))
    with np.errstate(all="ignore"):
        if not np.isfinite(sigma):
            z = np.array([-sigma, sigma])
            return float(np.mean(act.fn(z) ** 2)), float(np.mean(act.deriv(z) ** 2))
        return expectation(lambda z: act.fn(z) ** 2, sigma), expectation(lambda z: act.deriv(z) ** 2, sigma)


TARGETS = ("signal", "gradient")


def steady_variance(activation: str, *, q: float = 1.0, target: str = "signal") -> float:
    """The n_in·Var(W) that keeps a plain network steady around a pre-activation variance ``q``:

        signal:    n_in·Var(W) = q / E[f(√q ξ)²]     q is a fixed point of the length map
        gradient:  n_in·Var(W) = 1 / E[f'(√q ξ)²]    the gradient's variance is kept at every layer

    (square layers, so n_out = n_in). For ReLU both are 2 (He), for linear both 1 (LeCun); for the others the
    two differ, and the scheme a framework recommends is only near either: the point of showing them.
    """
    _validate.choice("target", target, TARGETS)
    q = _validate.real("q", q, 0.0, 1e300, low_open=True)
    second, slope = moments(activation, q)
    return float(q / second if target == "signal" else 1.0 / slope)


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
